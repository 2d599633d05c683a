/*
 * result.h: the one result type of everything that can fail or deny.
 *
 * SG_OK is the only value that allows or confirms anything; every other
 * value is a "no" of some kind, and SG_UNAVAILABLE (the store could not
 * answer) must become a 503, never an allow and never a 401. Functions
 * returning it are marked SG_MUST so that no caller can drop it.
 */
#ifndef SG_CORE_RESULT_H
#define SG_CORE_RESULT_H

#define SG_MUST __attribute__((warn_unused_result))

enum sg_result {
	SG_OK = 0,	/* done, found, allowed */
	SG_DENY,	/* a normal "no": absent, wrong, expired */
	SG_NO_SESSION,	/* the request carries no live session */
	SG_LIMIT,	/* session_limit reject, at the cap */
	SG_STALE,	/* user deleted or password changed meanwhile */
	SG_NO_USER,	/* no such user */
	SG_EXISTS,	/* the user exists already */
	SG_MALFORMED,	/* the client's input is not well-formed */
	SG_INVALID,	/* a value is not acceptable (new password) */
	SG_THROTTLED,	/* too many failures: retry later */
	SG_BUSY,	/* too many password checks at once: retry soon */
	SG_RELOGIN,	/* done, but without a new session: sign in again */
	SG_UNAVAILABLE, /* the store could not answer */
	SG_RESULT_COUNT /* not a result: how many there are */
};

/* A short name for logs ("ok", "deny", ...); "unknown" out of range. */
const char *sg_result_name(enum sg_result);

#endif
