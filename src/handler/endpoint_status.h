/* endpoint_status.h: what monitoring reads: the metrics, and a health check. */
#ifndef SG_HANDLER_ENDPOINT_STATUS_H
#define SG_HANDLER_ENDPOINT_STATUS_H

#include "handler/endpoint.h"

/* GET status_path: the metrics of every worker, Prometheus text 0.0.4. */
void endpoint_status(const struct handler_ctx *, struct request *,
    struct response *);
/* GET ping_path: 200 "pong" while the store answers, else 503. */
void endpoint_ping(const struct handler_ctx *, struct request *,
    struct response *);

#endif
