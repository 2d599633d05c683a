/* endpoint_logout.h: ending this session, or every session of the user. */
#ifndef SG_HANDLER_ENDPOINT_LOGOUT_H
#define SG_HANDLER_ENDPOINT_LOGOUT_H

#include "handler/endpoint.h"

/* POST logout_path: end the sessions the request names, clear the cookie. */
void endpoint_logout(const struct handler_ctx *, struct request *,
    struct response *);
/* POST logout_all_path: end every session of the user. */
void endpoint_logout_all(const struct handler_ctx *, struct request *,
    struct response *);

#endif
