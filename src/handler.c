/*
 * handler.c: the dispatch, and the session check itself: the Authorizer
 * role, and a Responder request to auth_path (nginx auth_request). The
 * check never reads stdin, never rotates or consumes the ID, and costs one
 * store call. An error is never an allow.
 */
#include "handler.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cookie.h"
#include "form.h"
#include "log.h"
#include "session.h"

#define NEXT_MAX	2048	/* longer targets are dropped from the redirect */

struct session_ctx
handler_session(const struct handler_ctx *h, const struct request *req)
{
	struct session_ctx	 c = { h->store, h->cfg, req->cookie,
				    req->remote_addr };

	return c;
}

void
handler_error(struct response *resp, int status, const char *error)
{
	char	 body[128];
	int	 n;

	response_init(resp, status);
	response_header(resp, "Cache-Control", "no-store");
	n = snprintf(body, sizeof(body), "{\"error\":\"%s\"}\n", error);
	response_body(resp, "application/json", body, (size_t)n);
}

void
handler_unavailable(struct response *resp)
{
	handler_error(resp, 503, "unavailable");
	response_header(resp, "Retry-After", "1");
}

void
handler_unauthenticated(struct response *resp)
{
	handler_error(resp, 401, "unauthenticated");
}

int
handler_local_path(const char *next)
{
	return next[0] == '/' && next[1] != '/' && next[1] != '\\';
}

/* A page navigation: GET or HEAD whose Accept includes text/html. */
static int
is_navigation(const struct request *req)
{
	return (strcmp(req->method, "GET") == 0 ||
	    strcmp(req->method, "HEAD") == 0) && req->accept != NULL &&
	    strcasestr(req->accept, "text/html") != NULL;
}

static void
redirect_to_login(const struct config *cfg, const struct request *req,
    struct response *resp)
{
	char	 next[NEXT_MAX], loc[NEXT_MAX + 256];

	response_init(resp, 302);
	if (form_encode(req->uri, next, sizeof(next)) == 0)
		snprintf(loc, sizeof(loc), "%s?next=%s", cfg->login_redirect,
		    next);
	else
		snprintf(loc, sizeof(loc), "%s", cfg->login_redirect);
	response_header(resp, "Location", loc);
	response_header(resp, "Cache-Control", "no-store");
}

static void
handle_check(const struct handler_ctx *h, const struct request *req,
    struct response *resp)
{
	struct session_ctx	 c = handler_session(h, req);
	char			 user[USER_NAME_MAX + 1];

	switch (session_find(&c, user)) {
	case 1:
		response_init(resp, 200);
		response_header(resp, "Variable-REMOTE_USER", user);
		return;
	case -1:
		log_warnx("check %s: store failed: %s", req->remote_addr,
		    h->store->err);
		handler_unavailable(resp);
		return;
	case SESSION_MALFORMED:
		log_warnx("check %s: malformed Cookie header", req->remote_addr);
		handler_error(resp, 400, "malformed cookie");
		return;
	}
	if (req->role == REQUEST_AUTHORIZER && h->cfg->login_redirect[0] &&
	    is_navigation(req))
		redirect_to_login(h->cfg, req, resp);
	else
		handler_unauthenticated(resp);
}

/* Checks every POST shares: same site, size, type, well-formed. */
static int
post_ok(const struct request *req, struct response *resp)
{
	const char	*ct = req->content_type;
	size_t		 n = strlen("application/x-www-form-urlencoded");

	if (request_cross_site(req)) {
		log_warnx("%s %s: cross-site POST refused", req->remote_addr,
		    req->uri);
		handler_error(resp, 403, "cross-site request");
		return 0;
	}
	if (req->cookie != NULL &&
	    !cookie_valid(req->cookie, strlen(req->cookie))) {
		log_warnx("%s %s: malformed Cookie header", req->remote_addr,
		    req->uri);
		handler_error(resp, 400, "malformed cookie");
		return 0;
	}
	if (req->body_too_large) {
		log_warnx("%s %s: body over %d bytes", req->remote_addr,
		    req->uri, REQUEST_BODY_MAX);
		handler_error(resp, 413, "body too large");
		return 0;
	}
	if (ct == NULL || strncasecmp(ct, "application/x-www-form-urlencoded",
	    n) != 0 || (ct[n] != '\0' && ct[n] != ';')) {
		log_warnx("%s %s: Content-Type %s refused", req->remote_addr,
		    req->uri, ct ? ct : "(none)");
		handler_error(resp, 415, "unsupported media type");
		return 0;
	}
	if (!form_valid(req->body, req->body_len)) {
		log_warnx("%s %s: malformed form", req->remote_addr, req->uri);
		handler_error(resp, 400, "malformed form");
		return 0;
	}
	return 1;
}

static void
method_not_allowed(struct response *resp, const char *allow)
{
	handler_error(resp, 405, "method not allowed");
	response_header(resp, "Allow", allow);
}

typedef void (*endpoint_fn)(const struct handler_ctx *,
    const struct request *, struct response *);

static void
post_only(const struct handler_ctx *h, const struct request *req,
    struct response *resp, endpoint_fn fn)
{
	if (strcmp(req->method, "POST") != 0)
		method_not_allowed(resp, "POST");
	else if (post_ok(req, resp))
		fn(h, req, resp);
}

static void
handle_responder(const struct handler_ctx *h, const struct request *req,
    struct response *resp)
{
	const struct config	*cfg = h->cfg;

	/* Apache: ErrorDocument 401 served by sessgate: the form, still 401 */
	if (req->redirect_status != NULL &&
	    strcmp(req->redirect_status, "401") == 0)
		endpoint_login_form(h, req, resp, 401);
	else if (request_path_is(req, cfg->login_path)) {
		if (strcmp(req->method, "GET") == 0 ||
		    strcmp(req->method, "HEAD") == 0)
			endpoint_login_form(h, req, resp, 200);
		else if (strcmp(req->method, "POST") != 0)
			method_not_allowed(resp, "GET, HEAD, POST");
		else if (post_ok(req, resp))
			endpoint_login(h, req, resp);
	} else if (request_path_is(req, cfg->logout_path))
		post_only(h, req, resp, endpoint_logout);
	else if (request_path_is(req, cfg->logout_all_path))
		post_only(h, req, resp, endpoint_logout_all);
	else if (request_path_is(req, cfg->password_path))
		post_only(h, req, resp, endpoint_password);
	else
		handler_error(resp, 404, "not found");
}

int
handler_is_check(const struct handler_ctx *h, const struct request *req)
{
	return req->role == REQUEST_AUTHORIZER || req->auth_subrequest ||
	    request_path_is(req, h->cfg->auth_path);
}

void
handler_handle(const struct handler_ctx *h, const struct request *req,
    struct response *resp)
{
	if (handler_is_check(h, req))
		handle_check(h, req, resp);
	else
		handle_responder(h, req, resp);
}
