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

#include "config/pathlist.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/metrics.h"

/*
 * A passive request (a page polling in the background) is checked like
 * any other but does not slide the idle expiry: the server marked it
 * (SESSGATE_PASSIVE), or its path is under passive_paths. A path that
 * cannot be read is not passive. Only the slide depends on this, never
 * the decision.
 */
static int
is_passive(const struct config *cfg, const struct request *req)
{
	return req->passive || pathlist_match(&cfg->passive, req->uri) == 1;
}

/* The decision and its answer; which of the check metrics it was. */
static enum metric
check(const struct handler_ctx *h, struct request *req, struct response *resp)
{
	struct session_ctx   c = endpoint_session(h, req);
	struct session_found f;
	int		     reauth = 0;

	if (is_passive(h->cfg, req))
		c.check_flags = STORE_CHECK_PASSIVE;
	switch (session_find_seen(&c, &f)) {
	case SG_OK:
		/* step-up: denied until the password is confirmed */
		if ((reauth = session_reauth_due(h->cfg, req->uri, &f.seen)))
			break;
		response_reset(resp, 200);
		response_header(resp, "Variable-REMOTE_USER", f.seen.user);
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
		endpoint_redirect_login(h->cfg, req, resp, reauth);
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
