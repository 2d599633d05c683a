/*
 * endpoint.c: the answers the endpoints share. A redirect target is
 * used only if it is a local path that fits a Location header, so that a
 * session made before it is never lost to a 500.
 */
#include "handler/endpoint.h"

#include <stdio.h>
#include <string.h>

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
		req->remote_addr, req->host };

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
endpoint_form_page(const struct handler_ctx *h, struct response *resp,
    int status, const char *next, const char *message)
{
	char  *page;
	size_t len = 0;

	response_reset(resp, status);
	response_header(resp, "Cache-Control", "no-store");
	page = html_login_page(h->cfg->login_path, next, message, &len);
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

void
endpoint_set_cookie(const struct handler_ctx *h, struct response *resp,
    const struct token *t)
{
	struct cookie_attrs a = attrs(h->cfg);
	char		    v[TOKEN_COOKIELEN + 1], sc[COOKIE_SET_MAX];

	if (token_encode(t, v, sizeof(v)) == -1 ||
	    cookie_set(sc, sizeof(sc), &a, v,
		h->cfg->absolute_timeout / 1000) == -1) {
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
