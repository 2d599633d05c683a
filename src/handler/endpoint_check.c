/*
 * endpoint_check.c: the authorizer's decision, the one place where a
 * request is allowed. The Authorizer role and a Responder request to
 * auth_path (nginx auth_request) both come here. The check never reads
 * stdin, never rotates or consumes the ID, and costs one store call.
 * Only SG_OK allows; a store that cannot answer is a 503, never a 401.
 */
#include "handler/endpoint_check.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/metrics.h"

/* The decision and its answer; which of the check metrics it was. */
static enum metric
check(const struct handler_ctx *h, struct request *req, struct response *resp)
{
	struct session_ctx c = endpoint_session(h, req);
	char		   user[USER_NAME_MAX + 1];

	switch (session_find(&c, user)) {
	case SG_OK:
		response_reset(resp, 200);
		response_header(resp, "Variable-REMOTE_USER", user);
		return M_CHECK_ALLOW;
	case SG_NO_SESSION:
		break;
	case SG_MALFORMED:
		log_warnx("check %s: malformed Cookie header",
		    req->remote_addr);
		response_error(resp, 400, "malformed cookie");
		return M_CHECK_MALFORMED;
	default:
		endpoint_unavailable(h, req, resp, "check");
		return M_CHECK_UNAVAILABLE;
	}
	if (req->role == REQUEST_AUTHORIZER && h->cfg->login_redirect[0] &&
	    endpoint_is_navigation(req))
		endpoint_redirect_login(h->cfg, req, resp);
	else
		endpoint_unauthenticated(resp);
	return M_CHECK_DENY;
}

void
endpoint_check(const struct handler_ctx *h, struct request *req,
    struct response *resp)
{
	int64_t t0 = clock_us();

	metrics_add(check(h, req, resp), 1);
	metrics_observe(H_CHECK, clock_us() - t0);
}
