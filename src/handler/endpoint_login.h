/* endpoint_login.h: the login form and the login. */
#ifndef SG_HANDLER_ENDPOINT_LOGIN_H
#define SG_HANDLER_ENDPOINT_LOGIN_H

#include "handler/endpoint.h"

/* GET login_path: the form (401 with the denied URL as an error page). */
void endpoint_login_form(const struct handler_ctx *, struct request *,
    struct response *);
/* POST login_path: a fresh session, or why not. */
void endpoint_login(const struct handler_ctx *, struct request *,
    struct response *);

#endif
