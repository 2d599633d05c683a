/*
 * endpoint_login.c: the login form and the login. Unknown users and wrong
 * passwords get the same answer; a session cookie brought along is ended
 * before the new one is made.
 */
#include "handler/endpoint_login.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/metrics.h"
#include "http/form.h"
#include "http/url.h"
#include "session/password.h"

static const char generic_failure[] = "Wrong user name or password.";

static const char wrong_password[] = "Wrong password.";

/*
 * Step-up: the user whose live session asks to confirm the password
 * before next: the form says reauth=1 (the authorizer's redirect), or
 * next is under reauth_paths (nginx's and Apache's 401 handlers send the
 * denied URL only). 1 with user set, else 0 (a store that cannot answer
 * too: the plain form, whose login is a confirmation as good).
 */
static int
confirm_mode(const struct handler_ctx *h, const struct request *req,
    const char *next, char user[USER_NAME_MAX + 1])
{
	struct session_ctx   c = endpoint_session(h, req);
	struct session_found f;
	char		     flag[8];

	if (h->cfg->reauth.n == 0 || next[0] == '\0' ||
	    ((request_query(req, "reauth", flag, sizeof(flag)) != 1 ||
		 strcmp(flag, "1") != 0) &&
		!session_reauth_path(h->cfg, next)))
		return 0;
	c.check_flags = STORE_CHECK_PASSIVE; /* showing a form is not use */
	if (session_find_seen(&c, &f) != SG_OK)
		return 0;
	memcpy(user, f.seen.user, sizeof(f.seen.user));
	return 1;
}

void
endpoint_login_form(const struct handler_ctx *h, struct request *req,
    struct response *resp)
{
	char next[URL_MAX] = "", user[USER_NAME_MAX + 1];
	int  status = 200;

	if (request_is_error_page(req)) {
		/* Apache's ErrorDocument 401: the denied URL itself */
		status = 401;
		snprintf(next, sizeof(next), "%s", req->uri);
	} else if (request_query(req, "next", next, sizeof(next)) != 1)
		next[0] = '\0';
	if (!url_local_path(next))
		next[0] = '\0';
	if (confirm_mode(h, req, next, user))
		endpoint_confirm_page(h, resp, status, user, next, NULL);
	else
		endpoint_form_page(h, resp, status, next, NULL);
}

/*
 * The audit line of a login that failed: the user if who names one (a
 * name that is not a user's is not written at all), and why.
 */
static void
login_audit(const struct session_ctx *c, enum sg_result rv, const char *who)
{
	const char	*user = NULL, *reason;
	enum audit_event e = AUDIT_LOGIN_FAILED;

	if (user_name_valid(who, strlen(who)))
		user = who;
	switch (rv) {
	case SG_DENY:
		reason = user != NULL ? "password" : "unknown_user";
		break;
	case SG_THROTTLED:
		e = AUDIT_LOGIN_THROTTLED;
		reason = strcmp(who, SESSION_WHO_NOT_LOOKED_UP) == 0 ?
		    "address" :
		    "user";
		break;
	case SG_BUSY:
		reason = "busy";
		break;
	case SG_LIMIT:
		reason = "limit";
		break;
	default:
		reason = "unavailable";
		break;
	}
	session_audit(c, e, user, NULL, reason);
}

/*
 * who is what the session service says a log line may call the name
 * (session.h): the user's name, or "unknown user (bucket B)", never the
 * name typed, which may be a password typed into the wrong field.
 */
static void
login_result(const struct handler_ctx *h, const struct request *req,
    struct response *resp, enum sg_result rv, const char *who, const char *next,
    int64_t retry)
{
	switch (rv) {
	case SG_DENY:
		metrics_add(M_LOGIN_FAILED, 1);
		log_warnx("login failed for %s from %s", who, req->remote_addr);
		endpoint_form_page(h, resp, 401, next, generic_failure);
		break;
	case SG_THROTTLED:
		metrics_add(M_LOGIN_THROTTLED, 1);
		log_warnx("login throttled for %s from %s", who,
		    req->remote_addr);
		endpoint_form_page(h, resp, 429, next,
		    "Too many failed attempts. Try again later.");
		endpoint_retry_after(resp, retry);
		break;
	case SG_BUSY: /* logged by the session service */
		metrics_add(M_LOGIN_BUSY, 1);
		endpoint_form_page(h, resp, 503, next,
		    "Too many sign-ins at this moment. Try again.");
		endpoint_retry_after(resp, 0);
		break;
	case SG_LIMIT:
		metrics_add(M_LOGIN_LIMIT, 1);
		log_warnx("login %s refused: session limit", who);
		endpoint_form_page(h, resp, 409, next,
		    "Too many active "
		    "sessions. Sign out elsewhere first.");
		break;
	default: /* logged, then the form again: a browser posted it */
		metrics_add(M_LOGIN_UNAVAILABLE, 1);
		endpoint_unavailable(h, req, resp, "login");
		endpoint_form_page(h, resp, 503, next,
		    "Sign-in is unavailable at this moment. Try again in a "
		    "moment.");
		endpoint_retry_after(resp, 0);
		break;
	}
}

/* The answer to a confirmation that failed; each case logged once. */
static void
confirm_result(const struct handler_ctx *h, const struct session_ctx *c,
    const struct request *req, struct response *resp, enum sg_result rv,
    const char *user, const char *next, int64_t retry)
{
	switch (rv) {
	case SG_NO_SESSION: /* ended meanwhile: a whole sign-in, then */
		log_info("password confirmation from %s: no live session",
		    req->remote_addr);
		endpoint_form_page(h, resp, 401, next,
		    "Your session has ended. Sign in again.");
		break;
	case SG_DENY:
		metrics_add(M_LOGIN_FAILED, 1);
		log_warnx("password confirmation failed for %s from %s", user,
		    req->remote_addr);
		session_audit(c, AUDIT_LOGIN_FAILED, user, NULL, "reauth");
		endpoint_confirm_page(h, resp, 401, user, next, wrong_password);
		break;
	case SG_THROTTLED:
		metrics_add(M_LOGIN_THROTTLED, 1);
		log_warnx("password confirmation throttled for %s from %s",
		    user[0] ? user : SESSION_WHO_NOT_LOOKED_UP,
		    req->remote_addr);
		session_audit(c, AUDIT_LOGIN_THROTTLED, user, NULL, "reauth");
		endpoint_confirm_page(h, resp, 429, user, next,
		    "Too many failed attempts. Try again later.");
		endpoint_retry_after(resp, retry);
		break;
	default: /* SG_BUSY, SG_UNAVAILABLE: as a login's */
		login_audit(c, rv, user);
		login_result(h, req, resp, rv, user, next, retry);
		break;
	}
}

/*
 * Step-up (a POST with reauth=1): the password of this session's user,
 * entered again; on success, 303 to next, the same session and cookie.
 */
static void
endpoint_confirm(const struct handler_ctx *h, struct request *req,
    struct response *resp, const char *pw, const char *next)
{
	struct session_ctx   c = endpoint_session(h, req);
	struct session_found f;
	enum sg_result	     rv;
	int64_t		     retry = 0;

	rv = session_confirm(&c, pw, &f, &retry);
	if (rv == SG_OK) {
		metrics_add(M_LOGIN_OK, 1);
		log_info("password confirmed by %s from %s", f.seen.user,
		    req->remote_addr);
		session_audit(&c, AUDIT_REAUTH, f.seen.user, f.id, NULL);
		endpoint_see_other(resp, next);
	} else
		confirm_result(h, &c, req, resp, rv, f.seen.user, next, retry);
}

/* A form field that is there and says "1" (a ticked box, a flag). */
static int
field_set(const struct request *req, const char *name)
{
	char v[8];

	return form_get(req->body, req->body_len, name, v, sizeof(v)) == 1 &&
	    strcmp(v, "1") == 0;
}

void
endpoint_login(const struct handler_ctx *h, struct request *req,
    struct response *resp)
{
	struct session_ctx c = endpoint_session(h, req);
	char		   user[256], pw[PASSWORD_MAX + 1], next[URL_MAX];
	char		   who[SESSION_WHO_LEN], id[TOKEN_IDLEN + 1];
	struct token	   t;
	enum sg_result	   rv;
	int64_t		   retry = 0, t0 = clock_us();

	if (field_set(req, "reauth")) {
		if (endpoint_field(req, resp, "password", pw, sizeof(pw)) ==
		    0) {
			endpoint_next(req, next, sizeof(next));
			endpoint_confirm(h, req, resp, pw, next);
			metrics_observe(H_LOGIN, clock_us() - t0);
		}
		goto done;
	}
	c.remember = h->cfg->remember_timeout > 0 && field_set(req, "remember");
	if (endpoint_field(req, resp, "username", user, sizeof(user)) == -1 ||
	    endpoint_field(req, resp, "password", pw, sizeof(pw)) == -1)
		goto done;
	endpoint_next(req, next, sizeof(next));
	if ((rv = session_login(&c, user, pw, &t, &retry, who)) == SG_OK) {
		metrics_add(M_LOGIN_OK, 1);
		log_info("login %s from %s", who, req->remote_addr);
		token_id(&t, id);
		session_audit(&c, AUDIT_LOGIN, who, id, NULL);
		endpoint_see_other(resp, next);
		endpoint_set_cookie(h, resp, &t, c.remember);
		token_wipe(&t);
	} else {
		login_audit(&c, rv, who);
		login_result(h, req, resp, rv, who, next, retry);
	}
	metrics_observe(H_LOGIN, clock_us() - t0);
done:
	sodium_memzero(pw, sizeof(pw));
}
