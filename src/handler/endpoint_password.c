/*
 * endpoint_password.c: the password change. It needs a live session and
 * the current password; every session of the user ends, and this client
 * gets a new one. If the password changed but no new session could be
 * made, the client is told just that: sign in again (303 to the login
 * page, cookie cleared), never "wrong password" or 503.
 */
#include "handler/endpoint_password.h"

#include <sodium.h>

#include "core/log.h"
#include "http/html.h"
#include "http/url.h"
#include "session/password.h"

/* The form, with status and an optional message. */
static void
password_page(const struct handler_ctx *h, struct response *resp, int status,
    const char *user, const char *message)
{
	char  *page;
	size_t len = 0;

	response_reset(resp, status);
	response_header(resp, "Cache-Control", "no-store");
	page = html_password_page(&h->cfg->page_frame, h->cfg->password_path,
	    user, message, &len);
	response_body_owned(resp, "text/html; charset=utf-8", page, len);
}

void
endpoint_password_form(const struct handler_ctx *h, struct request *req,
    struct response *resp)
{
	struct session_ctx c = endpoint_session(h, req);
	char		   user[USER_NAME_MAX + 1];
	enum sg_result	   rv;

	if ((rv = session_find(&c, user)) == SG_OK)
		password_page(h, resp, 200, user, NULL);
	else
		endpoint_no_session(h, req, resp, rv, "password form");
}

/*
 * A refusal the user can act on: to a browser posting the form, the form
 * again with a message (same status); to a script, the JSON error.
 */
static void
password_refused(const struct handler_ctx *h, const struct request *req,
    struct response *resp, int status, const char *user, const char *error,
    const char *message)
{
	if (endpoint_wants_html(req))
		password_page(h, resp, status, user, message);
	else
		response_error(resp, status, error);
}

static void
password_result(const struct handler_ctx *h, const struct session_ctx *c,
    const struct request *req, struct response *resp, enum sg_result rv,
    const char *user, int64_t retry)
{
	switch (rv) {
	case SG_NO_SESSION:
		endpoint_unauthenticated(resp);
		break;
	case SG_DENY:
		log_warnx("password change for %s: wrong current password",
		    user);
		password_refused(h, req, resp, 403, user,
		    "wrong current password",
		    "The current password is not right.");
		break;
	case SG_INVALID:
		password_refused(h, req, resp, 400, user,
		    "unacceptable new password",
		    "That new password cannot be used.");
		break;
	case SG_THROTTLED:
		password_refused(h, req, resp, 429, user,
		    "too many failed attempts",
		    "Too many failed attempts. Try again later.");
		endpoint_retry_after(resp, retry);
		break;
	case SG_BUSY:
		password_refused(h, req, resp, 503, user, "busy",
		    "Too many password checks at this moment. Try again.");
		endpoint_retry_after(resp, 0);
		break;
	case SG_STALE:
		log_warnx("password change for %s refused: the password was "
			  "reset or every session ended meanwhile",
		    user);
		response_error(resp, 409, "password changed elsewhere");
		endpoint_clear_cookie(h, resp);
		break;
	case SG_RELOGIN:
		log_warnx("password changed for %s; sign in again", user);
		session_audit(c, AUDIT_PASSWORD_CHANGE, user, NULL, "relogin");
		endpoint_see_other(resp, h->cfg->login_path);
		endpoint_clear_cookie(h, resp);
		break;
	default:
		endpoint_unavailable(h, req, resp, "password change");
		break;
	}
}

void
endpoint_password(const struct handler_ctx *h, struct request *req,
    struct response *resp)
{
	struct session_ctx c = endpoint_session(h, req);
	char cur[PASSWORD_MAX + 1], new_pw[PASSWORD_MAX + 1], next[URL_MAX],
	    user[USER_NAME_MAX + 1] = "", id[TOKEN_IDLEN + 1];
	struct token   t;
	enum sg_result rv;
	int64_t	       retry = 0;
	int	       remember = 0;

	if (endpoint_field(req, resp, "current_password", cur, sizeof(cur)) ==
		-1 ||
	    endpoint_field(req, resp, "new_password", new_pw, sizeof(new_pw)) ==
		-1)
		goto done;
	endpoint_next(req, next, sizeof(next));
	rv = session_password(&c, cur, new_pw, &t, &remember, user, &retry);
	if (rv == SG_OK) {
		log_info("password changed for %s; all sessions ended", user);
		token_id(&t, id);
		session_audit(&c, AUDIT_PASSWORD_CHANGE, user, id, NULL);
		endpoint_see_other(resp, next);
		endpoint_set_cookie(h, resp, &t, remember);
		token_wipe(&t);
	} else
		password_result(h, &c, req, resp, rv, user, retry);
done:
	sodium_memzero(cur, sizeof(cur));
	sodium_memzero(new_pw, sizeof(new_pw));
}
