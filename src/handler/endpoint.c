/*
 * endpoint.c: the answers the endpoints share. A redirect target is
 * used only if it is a local path that fits a Location header, so that a
 * session made before it is never lost to a 500.
 */
#include "handler/endpoint.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "core/log.h"
#include "http/cookie.h"
#include "http/form.h"
#include "http/html.h"
#include "http/url.h"
#include "store/outage.h"

struct session_ctx
endpoint_session(const struct handler_ctx *h, const struct request *req)
{
	struct session_ctx c = { h->store, h->cfg, req->cookie,
		req->remote_addr, req->host, 0, 0, req->user_agent };

	return c;
}

void
endpoint_unavailable(const struct handler_ctx *h, const struct request *req,
    struct response *resp, const char *what)
{
	if (!outage_ongoing()) /* else logged by the outage, not each time */
		log_warnx("%s %s: store failed: %s", what, req->remote_addr,
		    store_error(h->store));
	response_unavailable(resp);
}

void
endpoint_unauthenticated(struct response *resp)
{
	response_error(resp, 401, "unauthenticated");
}

void
endpoint_no_session(const struct handler_ctx *h, const struct request *req,
    struct response *resp, enum sg_result rv, const char *what)
{
	switch (rv) {
	case SG_NO_SESSION:
		if (h->cfg->login_redirect[0] && endpoint_is_navigation(req))
			endpoint_redirect_login(h->cfg, req, resp, 0);
		else
			endpoint_unauthenticated(resp);
		break;
	case SG_MALFORMED:
		log_warnx("%s %s: malformed Cookie header", req->remote_addr,
		    req->uri);
		response_error(resp, 400, "malformed cookie");
		break;
	default:
		endpoint_unavailable(h, req, resp, what);
		break;
	}
}

void
endpoint_form_page(const struct handler_ctx *h, struct response *resp,
    int status, const char *next, const char *message)
{
	char  *page;
	size_t len = 0;

	response_reset(resp, status);
	response_header(resp, "Cache-Control", "no-store");
	page = html_login_page(&h->cfg->page_frame, h->cfg->login_path, next,
	    message, h->cfg->remember_timeout > 0, &len);
	response_body_owned(resp, "text/html; charset=utf-8", page, len);
}

void
endpoint_confirm_page(const struct handler_ctx *h, struct response *resp,
    int status, const char *user, const char *next, const char *message)
{
	char  *page;
	size_t len = 0;

	response_reset(resp, status);
	response_header(resp, "Cache-Control", "no-store");
	page = html_confirm_page(&h->cfg->page_frame, h->cfg->login_path, user,
	    next, message, &len);
	response_body_owned(resp, "text/html; charset=utf-8", page, len);
}

void
endpoint_see_other(struct response *resp, const char *next)
{
	char loc[URL_MAX];

	if (!url_local_path(next) || url_encode_location(loc, next) == -1)
		snprintf(loc, sizeof(loc), "/");
	response_reset(resp, 303);
	response_header(resp, "Location", loc);
	response_header(resp, "Cache-Control", "no-store");
}

static struct cookie_attrs
attrs(const struct config *cfg)
{
	struct cookie_attrs a = { cfg->cookie_name, cfg->cookie_secure,
		cfg->cookie_samesite };

	return a;
}

/* A new session's cookie lives this many seconds; -1: the browser's. */
static int64_t
max_age(const struct config *cfg, int remember)
{
	if (cfg->remember_timeout == 0)
		return cfg->absolute_timeout / 1000;
	return remember ? cfg->remember_timeout / 1000 : -1;
}

void
endpoint_set_cookie(const struct handler_ctx *h, struct response *resp,
    const struct token *t, int remember)
{
	struct cookie_attrs a = attrs(h->cfg);
	char		    v[TOKEN_COOKIELEN + 1], sc[COOKIE_SET_MAX];

	if (token_encode(t, v, sizeof(v)) == -1 ||
	    cookie_set(sc, sizeof(sc), &a, v, max_age(h->cfg, remember)) ==
		-1) {
		resp->overflow = 1;
		return;
	}
	response_header(resp, "Set-Cookie", sc);
	sodium_memzero(v, sizeof(v));
	sodium_memzero(sc, sizeof(sc));
}

void
endpoint_clear_cookie(const struct handler_ctx *h, struct response *resp)
{
	struct cookie_attrs a = attrs(h->cfg);
	char		    sc[COOKIE_SET_MAX];

	if (cookie_clear(sc, sizeof(sc), &a) == -1)
		resp->overflow = 1;
	else
		response_header(resp, "Set-Cookie", sc);
}

void
endpoint_retry_after(struct response *resp, int64_t ms)
{
	char s[24];

	snprintf(s, sizeof(s), "%lld", (long long)(ms + 999) / 1000);
	response_header(resp, "Retry-After", ms > 0 ? s : "1");
}

int
endpoint_field(const struct request *req, struct response *resp,
    const char *name, char *out, size_t outlen)
{
	if (form_get(req->body, req->body_len, name, out, outlen) == 1)
		return 0;
	log_warnx("%s %s: missing or bad field %s", req->remote_addr, req->uri,
	    name);
	response_error(resp, 400, "missing or bad form field");
	return -1;
}

void
endpoint_next(const struct request *req, char *next, size_t len)
{
	if (form_get(req->body, req->body_len, "next", next, len) != 1)
		next[0] = '\0';
}

int
endpoint_is_navigation(const struct request *req)
{
	return (strcmp(req->method, "GET") == 0 ||
		   strcmp(req->method, "HEAD") == 0) &&
	    req->accept != NULL && strcasestr(req->accept, "text/html") != NULL;
}

int
endpoint_wants_html(const struct request *req)
{
	return req->accept != NULL &&
	    strcasestr(req->accept, "text/html") != NULL &&
	    strcasestr(req->accept, "application/json") == NULL;
}

void
endpoint_redirect_login(const struct config *cfg, const struct request *req,
    struct response *resp, int reauth)
{
	char next[URL_MAX], loc[URL_MAX + 256];

	response_reset(resp, 302);
	if (url_encode_query(next, req->uri) == 0)
		snprintf(loc, sizeof(loc), "%s?next=%s%s", cfg->login_redirect,
		    next, reauth ? "&reauth=1" : "");
	else
		snprintf(loc, sizeof(loc), "%s%s", cfg->login_redirect,
		    reauth ? "?reauth=1" : "");
	response_header(resp, "Location", loc);
	response_header(resp, "Cache-Control", "no-store");
}

/* The value of header name in resp (as response_header wrote it), or 0. */
static int
header_value(const struct response *resp, const char *name, char *out,
    size_t outlen)
{
	const char *p = resp->headers;
	size_t	    n = strlen(name), v;

	for (; (p = strstr(p, name)) != NULL; p += n) {
		if ((p != resp->headers && p[-1] != '\n') || p[n] != ':')
			continue;
		p += n + 2;
		v = strcspn(p, "\r");
		if (v >= outlen)
			return 0;
		memcpy(out, p, v);
		out[v] = '\0';
		return 1;
	}
	return 0;
}

/* What a page says for a status: title and message. */
static void
error_text(int status, const char **title, const char **message)
{
	switch (status) {
	case 400:
		*title = "Bad request";
		*message = "Your browser sent a request that could not be "
			   "read. Clearing this site's cookies may help.";
		break;
	case 401:
		*title = "Sign in required";
		*message = "Sign in to see this page.";
		break;
	case 404:
		*title = "Not found";
		*message = "There is nothing here.";
		break;
	case 405:
		*title = "Method not allowed";
		*message = "This address does not answer that kind of request.";
		break;
	case 503:
		*title = "Service unavailable";
		*message = "Sessions cannot be checked at this moment. Try "
			   "again in a moment.";
		break;
	default:
		*title = response_reason(status)[0] ? response_reason(status) :
						      "Error";
		*message = "The request was refused.";
		break;
	}
}

void
endpoint_error_page(const struct handler_ctx *h, const struct request *req,
    struct response *resp)
{
	const char *title, *message, *link = NULL;
	char	    retry[32], allow[64], href[URL_MAX + 256], next[URL_MAX];
	char	   *page;
	size_t	    len = 0;
	int	    status = resp->status, has_retry, has_allow;

	if (status < 400 || !endpoint_is_navigation(req) ||
	    !endpoint_wants_html(req) ||
	    strstr(resp->headers, "Content-Type: application/json\r\n") == NULL)
		return;
	has_retry = header_value(resp, "Retry-After", retry, sizeof(retry));
	has_allow = header_value(resp, "Allow", allow, sizeof(allow));
	error_text(status, &title, &message);
	if (status == 401) {
		link = h->cfg->login_redirect[0] ? h->cfg->login_redirect :
						   h->cfg->login_path;
		if (url_encode_query(next, req->uri) == 0)
			snprintf(href, sizeof(href), "%s?next=%s", link, next);
		else
			snprintf(href, sizeof(href), "%s", link);
		link = href;
	}
	page = html_message_page(&h->cfg->page_frame, title, message, link,
	    "Sign in", &len);
	response_reset(resp, status);
	response_header(resp, "Cache-Control", "no-store");
	if (has_retry)
		response_header(resp, "Retry-After", retry);
	if (has_allow)
		response_header(resp, "Allow", allow);
	response_body_owned(resp, "text/html; charset=utf-8", page, len);
}
