/*
 * endpoint_status.c: status_path and ping_path, for Prometheus, load
 * balancers and monitors. Neither needs a session: the web server keeps
 * them to whom it trusts (the shipped configs: loopback). Neither shows
 * a user, a token or an address: counts and durations only.
 */
#include "handler/endpoint_status.h"

#include "core/log.h"
#include "core/metrics.h"

void
endpoint_status(const struct handler_ctx *h, struct request *req,
    struct response *resp)
{
	char  *text;
	size_t len = 0;

	(void)h;
	if ((text = metrics_render(&len)) == NULL) {
		log_warnx("%s %s: out of memory", req->remote_addr, req->uri);
		response_error(resp, 500, "internal error");
		return;
	}
	response_reset(resp, 200);
	response_header(resp, "Cache-Control", "no-store");
	response_body_owned(resp, "text/plain; version=0.0.4; charset=utf-8",
	    text, len);
}

/*
 * No log line when the store does not answer: a monitor asks every few
 * seconds, and the 503 is the message (sessgate_redis_errors_total counts).
 */
void
endpoint_ping(const struct handler_ctx *h, struct request *req,
    struct response *resp)
{
	(void)req;
	if (store_ping(h->store) != SG_OK) {
		response_unavailable(resp);
		return;
	}
	response_reset(resp, 200);
	response_header(resp, "Cache-Control", "no-store");
	response_body(resp, "text/plain; charset=utf-8", "pong\n", 5);
}
