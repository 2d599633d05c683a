/*
 * session.h: the session service, the policy between the handlers and the
 * store: which cookie names a session, fresh IDs at every login, password
 * checks with throttling, ending sessions. Every function answers an
 * sg_result; only SG_OK allows.
 */
#ifndef SG_SESSION_SESSION_H
#define SG_SESSION_SESSION_H

#include <stdint.h>

#include "config/config.h"
#include "core/audit.h"
#include "core/result.h"
#include "store/store.h"

#define SESSION_CANDIDATES 4 /* session cookies tried per request */

struct session_ctx {
	struct store	    *store;
	const struct config *cfg;
	const char	    *cookie; /* the Cookie header, or NULL */
	const char	    *addr;   /* the client address */
	const char	    *host;   /* the Host it named, or NULL (audit) */
	unsigned	     check_flags; /* STORE_CHECK_PASSIVE: no slide */
	int		     remember; /* a login: "keep me signed in" ticked */
	const char	    *agent; /* User-Agent, or NULL (login: agent.c) */
};

/* The live session a request presented. */
struct session_found {
	struct store_seen seen;		       /* user, password last entered */
	char		  id[TOKEN_IDLEN + 1]; /* its stored id */
};

/* The store's parameters, from the configuration. */
void session_store_params(struct store_params *, const struct config *);
/* Open the store the configuration names; NULL if out of memory. */
struct store *session_store_open(const struct config *);

/*
 * The live session the Cookie header names (every cookie of our name is
 * tried, up to SESSION_CANDIDATES well-formed ones): SG_OK with user set,
 * SG_NO_SESSION, SG_MALFORMED (a malformed header), SG_UNAVAILABLE.
 */
enum sg_result session_find(const struct session_ctx *,
    char user[USER_NAME_MAX + 1]) SG_MUST;
/* session_find, telling what the store saw and which session it was. */
enum sg_result session_find_seen(const struct session_ctx *,
    struct session_found *) SG_MUST;
/*
 * Step-up: does a check of uri (REQUEST_URI) by the session seen need the
 * password confirmed first? 1 if uri is under reauth_paths (or cannot be
 * read: the doubt falls on the safe side) and the password was last
 * entered reauth_timeout or more ago, both on the store's clock; else 0.
 */
int session_reauth_due(const struct config *, const char *uri,
    const struct store_seen *);
/* Is uri under reauth_paths (or unreadable)? 1 or 0. */
int session_reauth_path(const struct config *, const char *uri);
/*
 * Was the session seen made with "keep me signed in" ticked? Told by its
 * lifetime: remember_timeout, which is longer than absolute_timeout.
 */
int session_remembered(const struct config *, const struct store_seen *);

/*
 * What a log line may call the name a login was tried with: the name if
 * it is a user's, else "unknown user (bucket B)" (its throttling bucket,
 * a 16-bit keyed hash: the name itself may be a password typed into the
 * wrong field), or "a name not looked up" when the client address was
 * throttled first.
 */
#define SESSION_WHO_LEN		  (USER_NAME_MAX + 32)
#define SESSION_WHO_NOT_LOOKED_UP "a name not looked up"

/*
 * An audit event of this request: the client's address and Host, and
 * a session's reference made from id (a stored id) unless NULL.
 */
void session_audit(const struct session_ctx *, enum audit_event,
    const char *user, const char *id, const char *reason);

/*
 * Log in: SG_OK with a fresh token in *out (audit: the sessions it
 * evicted at the cap, and sessions the Cookie header named, ended); SG_DENY
 * (wrong user or password), SG_THROTTLED (*retry_ms set), SG_BUSY
 * (login_concurrency password checks are running: try again in a second),
 * SG_LIMIT, SG_UNAVAILABLE. who is filled for the log line (see above).
 */
enum sg_result session_login(const struct session_ctx *, const char *user,
    const char *pw, struct token *out, int64_t *retry_ms,
    char who[SESSION_WHO_LEN]) SG_MUST;
/*
 * Step-up: the password of the live session the Cookie header names,
 * entered again: verified as a login's (behind the same gate, counted by
 * the same throttle) and, if right, its time recorded in that session
 * (same ID, no new cookie). SG_OK (f filled); SG_NO_SESSION (none, or it
 * ended meanwhile), SG_DENY (wrong password), SG_THROTTLED (*retry_ms
 * set), SG_BUSY, SG_UNAVAILABLE. f->seen.user is set whenever a session
 * was found.
 */
enum sg_result session_confirm(const struct session_ctx *, const char *pw,
    struct session_found *f, int64_t *retry_ms) SG_MUST;
/*
 * End the sessions the Cookie header names (audit: logout): SG_OK or
 * SG_UNAVAILABLE.
 */
enum sg_result session_end_presented(const struct session_ctx *) SG_MUST;
/* End every session of the user the Cookie header names (user set). */
enum sg_result session_end_all(const struct session_ctx *,
    char user[USER_NAME_MAX + 1]) SG_MUST;
/*
 * Change the password: every session ends, *out is this client's new one,
 * of the same kind as the one it replaces (*remember: made with "keep me
 * signed in").
 * SG_OK; SG_RELOGIN (the password changed, but this client got no new
 * session: it must sign in again); not changed: SG_NO_SESSION, SG_DENY
 * (wrong current password), SG_STALE (the password was reset, or every
 * session ended, after the current one was verified), SG_INVALID (new
 * password), SG_THROTTLED, SG_BUSY, SG_UNAVAILABLE.
 */
enum sg_result session_password(const struct session_ctx *, const char *current,
    const char *new_pw, struct token *out, int *remember,
    char user[USER_NAME_MAX + 1], int64_t *retry_ms) SG_MUST;

#endif
