/*
 * endpoint.h: what every endpoint shares: the worker's context, and the
 * answers more than one endpoint gives (a redirect, the login page,
 * cookies, a store failure).
 */
#ifndef SG_HANDLER_ENDPOINT_H
#define SG_HANDLER_ENDPOINT_H

#include <stdint.h>

#include "config/config.h"
#include "core/token.h"
#include "http/request.h"
#include "http/response.h"
#include "session/session.h"
#include "store/store.h"

/* One per worker: its configuration and its store connection. */
struct handler_ctx {
	struct store	    *store;
	const struct config *cfg;
};

/* An endpoint: answers one request into resp. */
typedef void (*endpoint_fn)(const struct handler_ctx *, struct request *,
    struct response *);

/* The session service's view of a request. */
struct session_ctx endpoint_session(const struct handler_ctx *,
    const struct request *);
/* 503 for a store that could not answer, with one log line naming what. */
void endpoint_unavailable(const struct handler_ctx *, const struct request *,
    struct response *, const char *what);
/* 401 {"error":"unauthenticated"}. */
void endpoint_unauthenticated(struct response *);
/*
 * The answer of a Responder page behind the session check when the check
 * said rv, not SG_OK: no session, a page navigation to login_redirect
 * (else 401); a malformed Cookie header 400; the store 503 (what names
 * the page in the log line).
 */
void endpoint_no_session(const struct handler_ctx *, const struct request *,
    struct response *, enum sg_result rv, const char *what);
/* The login page with status, next and an optional message. */
void endpoint_form_page(const struct handler_ctx *, struct response *,
    int status, const char *next, const char *message);
/*
 * The login page in "confirm your password" mode for user (step-up),
 * with status, next and an optional message.
 */
void endpoint_confirm_page(const struct handler_ctx *, struct response *,
    int status, const char *user, const char *next, const char *message);
/* 303 to next if it is a local path that fits a Location, else to "/". */
void endpoint_see_other(struct response *, const char *next);
/*
 * Set-Cookie with the token, or the cookie cleared. The cookie's Max-Age:
 * absolute_timeout; with remember_timeout set, remember_timeout for a
 * session made with "keep me signed in" (remember), none for another.
 */
void endpoint_set_cookie(const struct handler_ctx *, struct response *,
    const struct token *, int remember);
void endpoint_clear_cookie(const struct handler_ctx *, struct response *);
/* Retry-After for a throttled client. */
void endpoint_retry_after(struct response *, int64_t ms);
/* A required form field; on a missing or bad one answer 400, return -1. */
int endpoint_field(const struct request *, struct response *, const char *name,
    char *out, size_t outlen);
/* A page navigation: GET or HEAD whose Accept includes text/html. */
int endpoint_is_navigation(const struct request *);
/*
 * A client that reads HTML rather than JSON: its Accept names text/html
 * and not application/json.
 */
int endpoint_wants_html(const struct request *);
/*
 * 302 to login_redirect?next=URI (without next if it does not fit); with
 * reauth, "&reauth=1" after it (the form asks only for the password).
 */
void endpoint_redirect_login(const struct config *, const struct request *,
    struct response *, int reauth);
/*
 * For a page navigation that reads HTML: a JSON error answer (4xx, 5xx)
 * becomes a page saying the same, with the same status, Retry-After and
 * Allow. Anything else is left as it is.
 */
void endpoint_error_page(const struct handler_ctx *, const struct request *,
    struct response *);
/* The optional next field ("" if absent or bad). */
void endpoint_next(const struct request *, char *next, size_t len);

#endif
