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
#include "http/url.h"
#include "session/password.h"

static const char generic_failure[] = "Wrong user name or password.";

void
endpoint_login_form(const struct handler_ctx *h, struct request *req,
    struct response *resp)
{
	char next[URL_MAX] = "";
	int  status = 200;

	if (request_is_error_page(req)) {
		/* Apache's ErrorDocument 401: the denied URL itself */
		status = 401;
		snprintf(next, sizeof(next), "%s", req->uri);
	} else if (request_query(req, "next", next, sizeof(next)) != 1)
		next[0] = '\0';
	if (!url_local_path(next))
		next[0] = '\0';
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
		endpoint_set_cookie(h, resp, &t);
		token_wipe(&t);
	} else {
		login_audit(&c, rv, who);
		login_result(h, req, resp, rv, who, next, retry);
	}
	metrics_observe(H_LOGIN, clock_us() - t0);
done:
	sodium_memzero(pw, sizeof(pw));
}
