/* handler.h: from a request to a response. */
#ifndef SG_HANDLER_H
#define SG_HANDLER_H

#include "config.h"
#include "request.h"
#include "response.h"
#include "session.h"
#include "store.h"

struct handler_ctx {
	struct store		*store;
	const struct config	*cfg;
};

/* 1 if the request is a session check (no body is ever read for one). */
int	handler_is_check(const struct handler_ctx *, const struct request *);
/* Answer one request (either role). */
void	handler_handle(const struct handler_ctx *, const struct request *,
	    struct response *);

/* Endpoints of the Responder role (endpoints.c). */
void	endpoint_login_form(const struct handler_ctx *, const struct request *,
	    struct response *, int status);
void	endpoint_login(const struct handler_ctx *, const struct request *,
	    struct response *);
void	endpoint_logout(const struct handler_ctx *, const struct request *,
	    struct response *);
void	endpoint_logout_all(const struct handler_ctx *,
	    const struct request *, struct response *);
void	endpoint_password(const struct handler_ctx *, const struct request *,
	    struct response *);

/* The session service's view of a request. */
struct session_ctx handler_session(const struct handler_ctx *,
	    const struct request *);

/* Shared answers. */
void	handler_unavailable(struct response *);
void	handler_unauthenticated(struct response *);
void	handler_error(struct response *, int status, const char *error);
/* 1 if next is a local path (starts with /, not // or /\). */
int	handler_local_path(const char *next);

#endif
