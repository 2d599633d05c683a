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
	struct user_keys keys;		       /* user tags */
	unsigned int	 replicas_ack; /* WAIT for this many after writes */
};

/*
 * A user. gen is random and replaced whenever all of the user's sessions
 * must end (a password change, logout everywhere, a revocation of all);
 * a session lives only while its user's gen is the one it was made under.
 */
struct store_user {
	char name[USER_NAME_MAX + 1];
	char pwhash[STORE_HASHLEN];
	char gen[STORE_GENLEN];
};

/* The failed-login counters (see throttle.c). */
enum store_counter {
	STORE_FAIL_ADDR,   /* a client address (IPv6: its /64) */
	STORE_FAIL_USER,   /* a user that exists */
	STORE_FAIL_UNKNOWN /* a bucket of names that are not users */
};

struct store_session {
	char	      id[TOKEN_IDLEN + 1];
	struct record rec;
	int64_t	      ttl; /* ms until idle expiry */
};

typedef int (*store_list_cb)(const struct store_session *, void *);
/* Called with each user's name (store_users). */
typedef int (*store_user_cb)(const char *name, void *);

#define STORE_EVICTED_MAX 8

/* The sessions a login ended at the cap (evict-oldest), oldest first. */
struct store_evicted {
	int  n; /* how many; the ids of the first STORE_EVICTED_MAX */
	char ids[STORE_EVICTED_MAX][TOKEN_IDLEN + 1];
};

struct store;

/* Open a store (it connects on first use); NULL if out of memory. */
struct store *store_open(const struct store_params *);
void	      store_close(struct store *);
/* The last error, for the caller's log line (never holds a secret). */
const char *store_error(const struct store *);

/* Sessions. */
/* What a check saw of a live session. */
struct store_seen {
	char	user[USER_NAME_MAX + 1];
	int64_t confirmed;  /* the password was last entered, ms (Redis) */
	int64_t now;	    /* the time of the check, ms (Redis's clock) */
	int64_t lifetime;   /* ms from its creation to its deadline */
	int	remembered; /* "keep me signed in" was ticked at its login */
};
#define STORE_CHECK_PASSIVE 1 /* checked, but the idle expiry stays */

/*
 * Is the session live? SG_OK with *seen filled, sliding its idle expiry
 * unless flags has STORE_CHECK_PASSIVE; SG_DENY. A session whose user is
 * gone or has another gen than the session was made under is dead (and
 * removed). SG_STALE: the cookie's tag is not the tag of the record's
 * user under the store's keys (a session made under another site
 * secret); it was refused (not deleted: the gates that made it may still
 * hold it, and `users rekey` ends it), and store_error() says so, for one
 * log line (no token in it).
 */
enum sg_result store_session_seen(struct store *, const struct token *,
    unsigned flags, struct store_seen *) SG_MUST;
/* store_session_seen, sliding, for the user only. */
enum sg_result store_session_check(struct store *, const struct token *,
    char user[USER_NAME_MAX + 1]) SG_MUST;

/* Where a login came from (the user's sessions page), and for how long. */
struct store_login {
	const char *addr;     /* client address, or NULL */
	const char *agent;    /* short browser description, or NULL */
	int64_t	    lifetime; /* ms; 0: absolute_timeout */
	int remember; /* "keep me signed in" ticked (kept in the record) */
};

/*
 * A new session for u, made under u->gen: SG_OK, SG_LIMIT (reject at
 * the cap), SG_STALE (the user is gone or u->gen is no longer current).
 * in may be NULL (nothing recorded, absolute_timeout). ev, unless NULL,
 * gets the sessions it evicted at the cap.
 */
enum sg_result store_session_create(struct store *, const struct store_user *,
    const struct token *, const struct store_login *in, int64_t *created_us,
    struct store_evicted *ev) SG_MUST;
/*
 * The password was entered again (step-up) in the live session of user
 * that t names: record the time in it (same ID, deadline and idle
 * expiry). SG_OK, or SG_DENY if there is no such session.
 */
enum sg_result store_session_confirm(struct store *, const struct token *,
    const char *user) SG_MUST;
/*
 * End one session (absent is fine): SG_OK. user, unless NULL, gets the
 * user whose session ended, or "" if none did.
 */
enum sg_result store_session_destroy(struct store *, const struct token *,
    char user[USER_NAME_MAX + 1]) SG_MUST;
/*
 * End every session of user, those its index lost track of too (a new
 * gen); *ended counts the indexed ones: SG_OK or SG_NO_USER.
 */
enum sg_result store_session_destroy_all(struct store *, const char *user,
    int *ended) SG_MUST;
/* Call cb for each live session of user, oldest first: SG_OK. */
enum sg_result store_session_list(struct store *, const char *user,
    store_list_cb, void *) SG_MUST;
/*
 * store_session_list of the newest sessions only (at most newest of the
 * user's index, the dead ones among them left out): the work is bounded
 * by newest, however many sessions the user has.
 */
enum sg_result store_session_list_newest(struct store *, const char *user,
    size_t newest, store_list_cb, void *) SG_MUST;
/* End the session of user with this id: SG_OK, or SG_DENY if none. */
enum sg_result store_session_revoke(struct store *, const char *user,
    const char *id) SG_MUST;

/* Users. */
/*
 * Call cb once with each user under its tag for the store's keys, in no
 * order, until cb returns non-zero: SG_OK. In a Redis Cluster every
 * master is scanned.
 */
enum sg_result store_users(struct store *, store_user_cb, void *) SG_MUST;
/* Read a user: SG_OK or SG_NO_USER. */
enum sg_result store_user_get(struct store *, const char *name,
    struct store_user *) SG_MUST;
/* Create a user: SG_OK or SG_EXISTS. */
enum sg_result store_user_add(struct store *, const char *name,
    const char *hash) SG_MUST;
/*
 * New password, new gen (into new_gen unless NULL), every session ended.
 * expect_gen: the gen under which the current password was verified, or
 * NULL for an administrator's reset. SG_OK, SG_NO_USER, SG_STALE (the gen
 * is no longer expect_gen: nothing changed).
 */
enum sg_result store_user_passwd(struct store *, const char *name,
    const char *hash, const char *expect_gen, char new_gen[STORE_GENLEN],
    int *ended) SG_MUST;
/* Delete a user and every session: SG_OK or SG_NO_USER. */
enum sg_result store_user_del(struct store *, const char *name,
    int *ended) SG_MUST;
/*
 * Replace hash old by hash (same password), unless the hash or the gen
 * changed since it was verified: SG_OK, or SG_DENY.
 */
enum sg_result store_user_rehash(struct store *, const char *name,
    const char *old, const char *gen, const char *hash) SG_MUST;
/* What users_rekey did. */
struct store_rekey {
	int moved;   /* users moved to their tag under the new keys */
	int removed; /* old records deleted: that name exists under the new */
	int ended;   /* sessions ended under the old tags */
};

/*
 * After a change of the site secret, leave nothing under a tag of old:
 * every user whose record is under its tag for old is moved to its tag
 * under the store's keys, with a new gen, and every one of its sessions
 * under the old tag ends (a cookie names its slot by the old tag: a
 * session cannot move with its user); a record whose name exists under
 * the new tag already is deleted, its sessions ended, the new one kept.
 * SG_OK with *r filled (counts so far, on SG_UNAVAILABLE too).
 */
enum sg_result store_users_rekey(struct store *, const struct user_keys *old,
    struct store_rekey *r) SG_MUST;

/*
 * The fingerprint of the secret the users were made under (user.h), kept
 * in Redis as Psecret-id so that a gate with another secret_file can say
 * why its logins fail. Into id: SG_OK, SG_DENY if none was written.
 */
enum sg_result store_secret_id(struct store *,
    char id[USER_SECRET_IDLEN + 1]) SG_MUST;
/*
 * Write the fingerprint of the store's keys: SG_OK, or SG_EXISTS when
 * one is there already and replace is 0 (nothing changed).
 */
enum sg_result store_secret_id_write(struct store *, int replace) SG_MUST;
/*
 * After a login, which proves that the users are under the store's keys:
 * the first time, store_secret_id_write(s, 0); then nothing more (a
 * failure, logged as any Redis error, is left to the other stores of the
 * process, the other processes and the next start).
 */
void store_secret_id_claim(struct store *);

/*
 * The store's eviction policy (Redis's maxmemory-policy) into policy:
 * SG_OK, or SG_UNAVAILABLE if it would not say (CONFIG renamed, denied,
 * or no answer: store_error() has what it answered). In a cluster, the
 * one master the command is sent to answers.
 */
enum sg_result store_maxmemory_policy(struct store *, char *policy,
    size_t len) SG_MUST;
/*
 * Does the store answer, within redis_timeout (in a cluster, every
 * master)? SG_OK, or SG_UNAVAILABLE with store_error() set.
 */
enum sg_result store_ping(struct store *) SG_MUST;

/* Failed-login counters, each over login_failure_window. */
/*
 * Count one attempt, first: *count includes it, *retry_ms is the time
 * until the window resets. SG_OK.
 */
enum sg_result store_fail_attempt(struct store *, enum store_counter,
    const char *name, int64_t *count, int64_t *retry_ms) SG_MUST;
/* Take one attempt back (never below zero): SG_OK. */
enum sg_result store_fail_undo(struct store *, enum store_counter,
    const char *name) SG_MUST;
/* Forget a counter: SG_OK. */
enum sg_result store_fail_clear(struct store *, enum store_counter,
    const char *name) SG_MUST;
/* Forget a counter: SG_OK, or SG_DENY if there was none. */
enum sg_result store_fail_remove(struct store *, enum store_counter,
    const char *name) SG_MUST;
/* A counter in force: its kind, name, attempts and ms left in its window. */
struct store_fail {
	enum store_counter kind;
	char		   name[USER_NAME_MAX + 1];
	int64_t		   count;
	int64_t		   ttl;
};
typedef int (*store_fail_cb)(const struct store_fail *, void *);
/*
 * Call cb with each counter in force (in a Redis Cluster, on every
 * master), in no order, until cb returns non-zero: SG_OK. A user's
 * counter under another tag than today's keys give it is left out.
 */
enum sg_result store_fail_list(struct store *, store_fail_cb, void *) SG_MUST;

#endif
