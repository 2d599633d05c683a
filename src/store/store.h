/*
 * store.h: where sessions, users and failure counters live. Every
 * operation is one atomic step in the backend (one Redis script) and
 * returns an sg_result: SG_OK, a named "no", or SG_UNAVAILABLE when the
 * store could not answer, which is never an allow. store.c is the one
 * place that checks arguments and backend answers; backends are in
 * store_backend.h.
 */
#ifndef SG_STORE_STORE_H
#define SG_STORE_STORE_H

#include <stdint.h>

#include <sodium.h>

#include "config/redisurl.h"
#include "core/record.h"
#include "core/result.h"
#include "core/token.h"
#include "core/user.h"

#define STORE_GENLEN  24
#define STORE_HASHLEN crypto_pwhash_STRBYTES

/* What a store needs to know: where it is, and the session policy. */
struct store_params {
	struct redis_url url;
	int64_t		 timeout; /* ms, connect and command */
	char		 key_prefix[64];
	int64_t		 idle_timeout;	   /* ms */
	int64_t		 absolute_timeout; /* ms */
	unsigned int	 max_sessions;	   /* 0: no limit */
	int		 reject;	   /* at the cap: 1 reject, 0 evict */
	int64_t		 login_failure_window; /* ms */
	unsigned int	 replicas_ack; /* WAIT for this many after writes */
};

struct store_user {
	char name[USER_NAME_MAX + 1];
	char pwhash[STORE_HASHLEN];
	char gen[STORE_GENLEN]; /* changes with every password change */
};

struct store_session {
	char	      id[TOKEN_IDLEN + 1];
	struct record rec;
	int64_t	      ttl; /* ms until idle expiry */
};

typedef int (*store_list_cb)(const struct store_session *, void *);

struct store;

/* Open a store (it connects on first use); NULL if out of memory. */
struct store *store_open(const struct store_params *);
void	      store_close(struct store *);
/* The last error, for the caller's log line (never holds a secret). */
const char *store_error(const struct store *);

/* Sessions. */
/* The session's user, sliding its idle expiry: SG_OK or SG_DENY. */
enum sg_result store_session_check(struct store *, const struct token *,
    char user[USER_NAME_MAX + 1]) SG_MUST;
/* A new session for u: SG_OK, SG_LIMIT (reject at the cap), SG_STALE. */
enum sg_result store_session_create(struct store *, const struct store_user *,
    const struct token *, int64_t *created_us) SG_MUST;
/* End one session (absent is fine): SG_OK. */
enum sg_result store_session_destroy(struct store *,
    const struct token *) SG_MUST;
/* End every session of user; *ended counts them: SG_OK. */
enum sg_result store_session_destroy_all(struct store *, const char *user,
    int *ended) SG_MUST;
/* Call cb for each live session of user, oldest first: SG_OK. */
enum sg_result store_session_list(struct store *, const char *user,
    store_list_cb, void *) SG_MUST;
/* End the session of user with this id: SG_OK, or SG_DENY if none. */
enum sg_result store_session_revoke(struct store *, const char *user,
    const char *id) SG_MUST;

/* Users. */
/* Read a user: SG_OK or SG_NO_USER. */
enum sg_result store_user_get(struct store *, const char *name,
    struct store_user *) SG_MUST;
/* Create a user: SG_OK or SG_EXISTS. */
enum sg_result store_user_add(struct store *, const char *name,
    const char *hash) SG_MUST;
/* New password, new generation, every session ended: SG_OK, SG_NO_USER. */
enum sg_result store_user_passwd(struct store *, const char *name,
    const char *hash, int *ended) SG_MUST;
/* Delete a user and every session: SG_OK or SG_NO_USER. */
enum sg_result store_user_del(struct store *, const char *name,
    int *ended) SG_MUST;
/* Replace hash old by hash (same password): SG_OK, SG_DENY if changed. */
enum sg_result store_user_rehash(struct store *, const char *name,
    const char *old, const char *hash) SG_MUST;

/* Failed-login counters, per user name and per client address. */
/* The larger count of the two, and when it resets: SG_OK. */
enum sg_result store_fail_get(struct store *, const char *name,
    const char *addr, int64_t *count, int64_t *retry_ms) SG_MUST;
/* Count one failure against both: SG_OK. */
enum sg_result store_fail_add(struct store *, const char *name,
    const char *addr) SG_MUST;
/* Forget the failures of a user name (after a login): SG_OK. */
enum sg_result store_fail_clear(struct store *, const char *name) SG_MUST;

#endif
