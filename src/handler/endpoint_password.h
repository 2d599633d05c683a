/* endpoint_password.h: the password change. */
#ifndef SG_HANDLER_ENDPOINT_PASSWORD_H
#define SG_HANDLER_ENDPOINT_PASSWORD_H

#include "handler/endpoint.h"

/* POST password_path: new password, every session ended, a new cookie. */
void endpoint_password(const struct handler_ctx *, struct request *,
    struct response *);

#endif
