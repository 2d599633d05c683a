/*
 * endpoints.c: the Responder endpoints: the login form, login, logout,
 * logout everywhere, password change. Each POST has passed the shared
 * checks (same site, size, type, well-formed) before it gets here.
 */
#include "handler.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cookie.h"
#include "form.h"
#include "html.h"
#include "log.h"
#include "password.h"
#include "session.h"

#define NEXT_MAX	4096
#define LOCATION_MAX	2048	/* a longer encoded next goes to "/" instead */

static const char generic_failure[] = "Wrong user name or password.";

static struct cookie_attrs
attrs(const struct config *cfg)
{
	struct cookie_attrs	 a = { cfg->cookie_name, cfg->cookie_secure,
				    cfg->cookie_samesite };

	return a;
}

static void
form_page(const struct handler_ctx *h, struct response *resp, int status,
    const char *next, const char *message)
{
	char	*page;
	size_t	 len;

	response_init(resp, status);
	response_header(resp, "Cache-Control", "no-store");
	page = html_login_page(h->cfg->login_path, next, message, &len);
	response_body_owned(resp, "text/html; charset=utf-8", page, len);
}

void
endpoint_login_form(const struct handler_ctx *h, const struct request *req,
    struct response *resp, int status)
{
	char	 next[NEXT_MAX] = "";

	if (status == 401)	/* an error document: the denied URL itself */
		snprintf(next, sizeof(next), "%s", req->uri);
	else if (request_query(req, "next", next, sizeof(next)) != 1)
		next[0] = '\0';
	if (!handler_local_path(next))
		next[0] = '\0';
	form_page(h, resp, status, next, NULL);
}

/* Encode a decoded local path for a Location header; -1 if too long. */
static int
location_encode(const char *next, char loc[LOCATION_MAX])
{
	static const char hex[] = "0123456789ABCDEF";
	size_t		 o = 0;
	unsigned char	 c;

	for (; *next != '\0'; next++) {
		if (o + 4 > LOCATION_MAX)
			return -1;
		c = (unsigned char)*next;
		if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\') {
			loc[o++] = '%';
			loc[o++] = hex[c >> 4];
			loc[o++] = hex[c & 15];
		} else
			loc[o++] = (char)c;
	}
	loc[o] = '\0';
	return 0;
}

/*
 * Where to go after a POST: next if it is a local path that fits, else
 * "/". It always fits the response, so a session made before it is never
 * lost to a 500.
 */
static void
see_other(struct response *resp, const char *next)
{
	char	 loc[LOCATION_MAX];

	if (!handler_local_path(next) || location_encode(next, loc) == -1)
		snprintf(loc, sizeof(loc), "/");
	response_init(resp, 303);
	response_header(resp, "Location", loc);
	response_header(resp, "Cache-Control", "no-store");
}

static void
set_cookie(const struct handler_ctx *h, struct response *resp,
    const struct token *t)
{
	struct cookie_attrs	 a = attrs(h->cfg);
	char			 v[TOKEN_COOKIELEN + 1], sc[COOKIE_SET_MAX];

	if (token_encode(t, v, sizeof(v)) == -1 ||
	    cookie_set(sc, sizeof(sc), &a, v, h->cfg->absolute_timeout /
	    1000) == -1) {
		resp->overflow = 1;
		return;
	}
	response_header(resp, "Set-Cookie", sc);
	sodium_memzero(v, sizeof(v));
	sodium_memzero(sc, sizeof(sc));
}

static void
clear_cookie(const struct handler_ctx *h, struct response *resp)
{
	struct cookie_attrs	 a = attrs(h->cfg);
	char			 sc[COOKIE_SET_MAX];

	if (cookie_clear(sc, sizeof(sc), &a) == -1)
		resp->overflow = 1;
	else
		response_header(resp, "Set-Cookie", sc);
}

static void
retry_after(struct response *resp, int64_t ms)
{
	char	 s[24];

	snprintf(s, sizeof(s), "%lld", (long long)(ms + 999) / 1000);
	response_header(resp, "Retry-After", ms > 0 ? s : "1");
}

/* Get a required field; on a missing or bad one answer 400 and return -1. */
static int
field(const struct request *req, struct response *resp, const char *name,
    char *out, size_t outlen)
{
	if (form_get(req->body, req->body_len, name, out, outlen) == 1)
		return 0;
	log_warnx("%s %s: missing or bad field %s", req->remote_addr, req->uri,
	    name);
	handler_error(resp, 400, "missing or bad form field");
	return -1;
}

static void
optional_next(const struct request *req, char *next, size_t len)
{
	if (form_get(req->body, req->body_len, "next", next, len) != 1)
		next[0] = '\0';
}

void
endpoint_login(const struct handler_ctx *h, const struct request *req,
    struct response *resp)
{
	struct session_ctx	 c = handler_session(h, req);
	char			 user[256], pw[PASSWORD_MAX + 1], next[NEXT_MAX];
	struct token		 t;
	int64_t			 retry = 0;

	if (field(req, resp, "username", user, sizeof(user)) == -1 ||
	    field(req, resp, "password", pw, sizeof(pw)) == -1)
		goto done;
	optional_next(req, next, sizeof(next));
	switch (session_login(&c, user, pw, &t, &retry)) {
	case SESSION_OK:
		log_info("login %s from %s", user, req->remote_addr);
		see_other(resp, next);
		set_cookie(h, resp, &t);
		token_wipe(&t);
		break;
	case SESSION_DENIED:
		log_warnx("login failed for %s from %s",
		    user_name_valid(user, strlen(user)) ? user : "(invalid)",
		    req->remote_addr);
		form_page(h, resp, 401, next, generic_failure);
		break;
	case SESSION_THROTTLED:
		log_warnx("login throttled for %s from %s",
		    user_name_valid(user, strlen(user)) ? user : "(invalid)",
		    req->remote_addr);
		form_page(h, resp, 429, next,
		    "Too many failed attempts. Try again later.");
		retry_after(resp, retry);
		break;
	case SESSION_LIMIT:
		log_warnx("login %s refused: session limit", user);
		form_page(h, resp, 409, next, "Too many active sessions. "
		    "Sign out elsewhere first.");
		break;
	default:
		log_warnx("login %s: store failed: %s", req->remote_addr,
		    h->store->err);
		handler_unavailable(resp);
		break;
	}
done:
	sodium_memzero(pw, sizeof(pw));
}

void
endpoint_logout(const struct handler_ctx *h, const struct request *req,
    struct response *resp)
{
	struct session_ctx	 c = handler_session(h, req);

	if (session_end_presented(&c) == -1) {
		log_warnx("logout %s: store failed: %s", req->remote_addr,
		    h->store->err);
		handler_unavailable(resp);
		return;
	}
	see_other(resp, h->cfg->login_path);
	clear_cookie(h, resp);
}

void
endpoint_logout_all(const struct handler_ctx *h, const struct request *req,
    struct response *resp)
{
	struct session_ctx	 c = handler_session(h, req);

	if (session_end_all(&c) == SESSION_ERROR) {
		log_warnx("logout-all %s: store failed: %s", req->remote_addr,
		    h->store->err);
		handler_unavailable(resp);
		return;
	}
	see_other(resp, h->cfg->login_path);
	clear_cookie(h, resp);
}

static void
password_result(const struct handler_ctx *h, const struct request *req,
    struct response *resp, enum session_result rv, const char *user,
    int64_t retry)
{
	switch (rv) {
	case SESSION_NO_SESSION:
		handler_unauthenticated(resp);
		break;
	case SESSION_DENIED:
		log_warnx("password change for %s: wrong current password",
		    user);
		handler_error(resp, 403, "wrong current password");
		break;
	case SESSION_INVALID:
		handler_error(resp, 400, "unacceptable new password");
		break;
	case SESSION_THROTTLED:
		handler_error(resp, 429, "too many failed attempts");
		retry_after(resp, retry);
		break;
	default:
		log_warnx("password change %s: store failed: %s",
		    req->remote_addr, h->store->err);
		handler_unavailable(resp);
		break;
	}
}

void
endpoint_password(const struct handler_ctx *h, const struct request *req,
    struct response *resp)
{
	struct session_ctx	 c = handler_session(h, req);
	char			 cur[PASSWORD_MAX + 1], new_pw[PASSWORD_MAX + 1],
				 next[NEXT_MAX], user[USER_NAME_MAX + 1] = "";
	struct token		 t;
	enum session_result	 rv;
	int64_t			 retry = 0;

	if (field(req, resp, "current_password", cur, sizeof(cur)) == -1 ||
	    field(req, resp, "new_password", new_pw, sizeof(new_pw)) == -1)
		goto done;
	optional_next(req, next, sizeof(next));
	rv = session_password(&c, cur, new_pw, &t, user, &retry);
	if (rv == SESSION_OK) {
		log_info("password changed for %s; all sessions ended", user);
		see_other(resp, next);
		set_cookie(h, resp, &t);
		token_wipe(&t);
	} else
		password_result(h, req, resp, rv, user, retry);
done:
	sodium_memzero(cur, sizeof(cur));
	sodium_memzero(new_pw, sizeof(new_pw));
}
