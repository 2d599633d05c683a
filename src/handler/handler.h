/*
 * handler.h: from a request to a response. One route table says which
 * endpoint answers which path and methods; the daemon knows nothing of
 * routes, roles or bodies.
 */
#ifndef SG_HANDLER_HANDLER_H
#define SG_HANDLER_HANDLER_H

#include "config/config.h"
#include "http/request.h"
#include "http/response.h"

struct handler_ctx;

/* A worker's handler context: cfg (kept by the caller) and its store. */
struct handler_ctx *handler_ctx_new(const struct config *cfg);
void		    handler_ctx_free(struct handler_ctx *);
/*
 * Will handler_handle() check a password (Argon2id) for req: a POST to the
 * login or the password path? The daemon runs those on its login lane.
 */
int handler_wants_password(const struct config *cfg, const struct request *req);
/* Answer one request, either role (the body is read only where needed). */
void handler_handle(const struct handler_ctx *, struct request *,
    struct response *);

#endif
