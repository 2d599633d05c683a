/* endpoint_check.h: the session check (Authorizer role, auth_path). */
#ifndef SG_HANDLER_ENDPOINT_CHECK_H
#define SG_HANDLER_ENDPOINT_CHECK_H

#include "handler/endpoint.h"

/* Allow (200, Variable-REMOTE_USER) or deny; never reads the body. */
void endpoint_check(const struct handler_ctx *, struct request *,
    struct response *);

#endif
