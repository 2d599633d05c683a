/* endpoint_sessions.h: the user's own sessions: see them, end them. */
#ifndef SG_HANDLER_ENDPOINT_SESSIONS_H
#define SG_HANDLER_ENDPOINT_SESSIONS_H

#include "handler/endpoint.h"

/* GET sessions_path: the live sessions of this request's user. */
void endpoint_sessions(const struct handler_ctx *, struct request *,
    struct response *);
/* POST sessions_path: id=REF ends one of them, others=1 all but this. */
void endpoint_sessions_end(const struct handler_ctx *, struct request *,
    struct response *);

#endif
