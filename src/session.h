/*
 * session.h: the session service, the policy between the handlers and the
 * store: which cookie names a session, fresh IDs at every login, password
 * checks with throttling, ending sessions.
 */
#ifndef SG_SESSION_H
#define SG_SESSION_H

#include <stdint.h>

#include "config.h"
#include "store.h"

#define SESSION_CANDIDATES	4	/* session cookies tried per request */
#define SESSION_MALFORMED	(-2)

enum session_result {
	SESSION_OK,
	SESSION_DENIED,		/* wrong user or password (or raced a change) */
	SESSION_NO_SESSION,	/* the request carries no live session */
	SESSION_INVALID,	/* the new password is not acceptable */
	SESSION_LIMIT,		/* session_limit reject, at the cap */
	SESSION_THROTTLED,	/* too many failures: retry later */
	SESSION_ERROR		/* the store failed */
};

struct session_ctx {
	struct store		*store;
	const struct config	*cfg;
	const char		*cookie;	/* the Cookie header, or NULL */
	const char		*addr;		/* the client address */
};

/*
 * The live session the Cookie header names (every cookie of our name is
 * tried, up to SESSION_CANDIDATES well-formed ones). 1: live, user set;
 * 0: none; -1: store error; SESSION_MALFORMED: a malformed header.
 */
int	session_find(const struct session_ctx *, char user[USER_NAME_MAX + 1]);
/* Log in: a fresh token in *out on SESSION_OK; *retry_ms if throttled. */
enum session_result session_login(const struct session_ctx *,
	    const char *user, const char *pw, struct token *out,
	    int64_t *retry_ms);
/* End the sessions the Cookie header names; 0 or -1. */
int	session_end_presented(const struct session_ctx *);
/* End every session of the user the Cookie header names. */
enum session_result session_end_all(const struct session_ctx *);
/* Change the password; every session ends, *out is this client's new one. */
enum session_result session_password(const struct session_ctx *,
	    const char *current, const char *new_pw, struct token *out,
	    char user[USER_NAME_MAX + 1], int64_t *retry_ms);

#endif
