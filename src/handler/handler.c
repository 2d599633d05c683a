/*
 * handler.c: the route table. A request is the session check when the web
 * server sends it in the Authorizer role, marks it with SESSGATE_AUTH
 * (nginx), or names auth_path (in REQUEST_URI, DOCUMENT_URI or
 * SCRIPT_NAME: nginx's auth_request subrequest keeps the original
 * REQUEST_URI); otherwise the path picks a row of the table. POST bodies
 * are read, and their shared guards run, only for a row that takes POST:
 * the check never reads stdin. A POST without a body needs no
 * Content-Type (what fetch() sends to log out), and still passes the
 * cross-site check. A JSON error to a browser's page navigation becomes a
 * page (endpoint_error_page).
 */
#include "handler/handler.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"
#include "handler/endpoint.h"
#include "handler/endpoint_check.h"
#include "handler/endpoint_login.h"
#include "handler/endpoint_logout.h"
#include "handler/endpoint_password.h"
#include "handler/endpoint_sessions.h"
#include "handler/endpoint_status.h"
#include "http/cookie.h"
#include "http/form.h"
#include "session/session.h"

struct route {
	size_t	    path;     /* offset of the path key in struct config */
	int	    check;    /* the session check: see is_check() */
	endpoint_fn get;      /* GET and HEAD; NULL: not allowed */
	endpoint_fn post;     /* POST, after the POST guards; NULL: not */
	const char *allow;    /* the Allow header of a 405 */
	int	    password; /* its POST checks a password (Argon2id) */
};

#define PATH(k) offsetof(struct config, k)
static const struct route routes[] = {
	{ PATH(auth_path), 1, endpoint_check, NULL, NULL, 0 },
	{ PATH(login_path), 0, endpoint_login_form, endpoint_login,
	    "GET, HEAD, POST", 1 },
	{ PATH(logout_path), 0, NULL, endpoint_logout, "POST", 0 },
	{ PATH(logout_all_path), 0, NULL, endpoint_logout_all, "POST", 0 },
	{ PATH(password_path), 0, endpoint_password_form, endpoint_password,
	    "GET, HEAD, POST", 1 },
	{ PATH(sessions_path), 0, endpoint_sessions, endpoint_sessions_end,
	    "GET, HEAD, POST", 0 },
	{ PATH(status_path), 0, endpoint_status, NULL, "GET, HEAD", 0 },
	{ PATH(ping_path), 0, endpoint_ping, NULL, "GET, HEAD", 0 },
};
#undef PATH

/* The session check: by role, by nginx's param, or by auth_path. */
static int
is_check(const struct request *req, const char *auth)
{
	return req->role == REQUEST_AUTHORIZER || req->auth_subrequest ||
	    request_path_is(req, auth) ||
	    (req->document_uri != NULL &&
		strcmp(req->document_uri, auth) == 0) ||
	    (req->script_name != NULL && strcmp(req->script_name, auth) == 0);
}

/* The row that answers req (the check first), or NULL. */
static const struct route *
route_find(const struct config *cfg, const struct request *req)
{
	const char *path;
	size_t	    i;

	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		path = *(char *const *)((const char *)cfg + routes[i].path);
		if (path == NULL || path[0] == '\0') /* off */
			continue;
		if (routes[i].check && is_check(req, path))
			return &routes[i];
		if (!routes[i].check && request_path_is(req, path))
			return &routes[i];
	}
	return NULL;
}

/* The guards every POST passes: same site, size, type, well-formed. */
static int
post_ok(struct request *req, struct response *resp)
{
	const char *ct = req->content_type, *why = NULL;
	size_t	    n = strlen("application/x-www-form-urlencoded");
	int	    status = 400;

	if (request_read_body(req) == -1) {
		log_warnx("%s %s: out of memory", req->remote_addr, req->uri);
		response_error(resp, 500, "internal error");
		return 0;
	}
	if (request_cross_site(req)) {
		why = "cross-site request", status = 403;
		log_warnx("%s %s: cross-site POST refused%s", req->remote_addr,
		    req->uri,
		    req->scheme[0] == '\0' ? " (the web server sends neither "
					     "HTTPS nor REQUEST_SCHEME)" :
					     "");
	} else if (req->cookie != NULL &&
	    !cookie_valid(req->cookie, strlen(req->cookie))) {
		why = "malformed cookie";
		log_warnx("%s %s: malformed Cookie header", req->remote_addr,
		    req->uri);
	} else if (req->body_too_large) {
		why = "body too large", status = 413;
		log_warnx("%s %s: body over %d bytes", req->remote_addr,
		    req->uri, REQUEST_BODY_MAX);
	} else if ((ct == NULL || ct[0] == '\0') && req->body_len == 0) {
		/* fetch(url, {method: "POST"}): no type, no body, no fields */
	} else if (ct == NULL ||
	    strncasecmp(ct, "application/x-www-form-urlencoded", n) != 0 ||
	    (ct[n] != '\0' && ct[n] != ';')) {
		why = "unsupported media type", status = 415;
		log_warnx("%s %s: Content-Type %s refused", req->remote_addr,
		    req->uri, ct && ct[0] ? ct : "(none)");
	} else if (!form_valid(req->body, req->body_len)) {
		why = "malformed form";
		log_warnx("%s %s: malformed form", req->remote_addr, req->uri);
	}
	if (why != NULL)
		response_error(resp, status, why);
	return why == NULL;
}

static void
method_not_allowed(struct response *resp, const char *allow)
{
	response_error(resp, 405, "method not allowed");
	response_header(resp, "Allow", allow);
}

struct handler_ctx *
handler_ctx_new(const struct config *cfg)
{
	struct handler_ctx *h;

	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	h->cfg = cfg;
	if ((h->store = session_store_open(cfg)) == NULL) {
		free(h);
		return NULL;
	}
	return h;
}

void
handler_ctx_free(struct handler_ctx *h)
{
	if (h == NULL)
		return;
	store_close(h->store);
	free(h);
}

int
handler_wants_password(const struct config *cfg, const struct request *req)
{
	const struct route *r = route_find(cfg, req);

	/* as handler_handle() goes: the check, the error page, then POST */
	return r != NULL && !r->check && !request_is_error_page(req) &&
	    r->password && strcmp(req->method, "POST") == 0;
}

void
handler_handle(const struct handler_ctx *h, struct request *req,
    struct response *resp)
{
	const struct route *r = route_find(h->cfg, req);

	if (r != NULL && r->check) /* any method, never a body */
		r->get(h, req, resp);
	else if (request_is_error_page(req)) /* Apache's ErrorDocument */
		endpoint_login_form(h, req, resp);
	else if (r == NULL)
		response_error(resp, 404, "not found");
	else if ((strcmp(req->method, "GET") == 0 ||
		     strcmp(req->method, "HEAD") == 0) &&
	    r->get != NULL)
		r->get(h, req, resp);
	else if (strcmp(req->method, "POST") == 0 && r->post != NULL) {
		if (post_ok(req, resp))
			r->post(h, req, resp);
	} else
		method_not_allowed(resp, r->allow);
	/* a browser that navigated here reads a page, not JSON */
	endpoint_error_page(h, req, resp);
}
