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
#include "http/url.h"
#include "session/password.h"

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
		response_error(resp, 403, "wrong current password");
		break;
	case SG_INVALID:
		response_error(resp, 400, "unacceptable new password");
		break;
	case SG_THROTTLED:
		response_error(resp, 429, "too many failed attempts");
		endpoint_retry_after(resp, retry);
		break;
	case SG_BUSY:
		response_error(resp, 503, "busy");
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

	if (endpoint_field(req, resp, "current_password", cur, sizeof(cur)) ==
		-1 ||
	    endpoint_field(req, resp, "new_password", new_pw, sizeof(new_pw)) ==
		-1)
		goto done;
	endpoint_next(req, next, sizeof(next));
	rv = session_password(&c, cur, new_pw, &t, user, &retry);
	if (rv == SG_OK) {
		log_info("password changed for %s; all sessions ended", user);
		token_id(&t, id);
		session_audit(&c, AUDIT_PASSWORD_CHANGE, user, id, NULL);
		endpoint_see_other(resp, next);
		endpoint_set_cookie(h, resp, &t);
		token_wipe(&t);
	} else
		password_result(h, &c, req, resp, rv, user, retry);
done:
	sodium_memzero(cur, sizeof(cur));
	sodium_memzero(new_pw, sizeof(new_pw));
}
