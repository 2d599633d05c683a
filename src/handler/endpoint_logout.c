/*
 * endpoint_logout.c: logout and logout everywhere. Both clear the cookie
 * and go back to the login page; a store failure is a 503 and ends
 * nothing, so the user can try again.
 */
#include "handler/endpoint_logout.h"

#include "core/log.h"
#include "core/metrics.h"

void
endpoint_logout(const struct handler_ctx *h, struct request *req,
    struct response *resp)
{
	struct session_ctx c = endpoint_session(h, req);

	if (session_end_presented(&c) != SG_OK) {
		endpoint_unavailable(h, req, resp, "logout");
		return;
	}
	metrics_add(M_LOGOUT, 1);
	endpoint_see_other(resp, h->cfg->login_path);
	endpoint_clear_cookie(h, resp);
}

void
endpoint_logout_all(const struct handler_ctx *h, struct request *req,
    struct response *resp)
{
	struct session_ctx c = endpoint_session(h, req);
	char		   user[USER_NAME_MAX + 1];

	switch (session_end_all(&c, user)) {
	case SG_OK:
		metrics_add(M_LOGOUT, 1);
		log_info("%s logged out everywhere", user);
		session_audit(&c, AUDIT_LOGOUT_ALL, user, NULL, NULL);
		break;
	case SG_NO_SESSION:
		break;
	default:
		endpoint_unavailable(h, req, resp, "logout-all");
		return;
	}
	endpoint_see_other(resp, h->cfg->login_path);
	endpoint_clear_cookie(h, resp);
}
