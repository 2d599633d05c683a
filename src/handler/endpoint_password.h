/* endpoint_password.h: the password change. */
#ifndef SG_HANDLER_ENDPOINT_PASSWORD_H
#define SG_HANDLER_ENDPOINT_PASSWORD_H

#include "handler/endpoint.h"

/*
 * GET password_path: the form, behind a session (without one: as the
 * check denies, a page navigation is sent to the login page).
 */
void endpoint_password_form(const struct handler_ctx *, struct request *,
    struct response *);
/* POST password_path: new password, every session ended, a new cookie. */
void endpoint_password(const struct handler_ctx *, struct request *,
    struct response *);

#endif
