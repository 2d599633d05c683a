/*
 * store.h: where sessions and users live. A backend is a struct of function
 * pointers (store_redis.c for Redis; tests may bring a fake). Every
 * operation is atomic in the backend. Returns: 1 done/found, 0 absent or
 * refused, -1 error (the store could not answer: never an allow).
 */
#ifndef SG_STORE_H
#define SG_STORE_H

#include <stdint.h>

#include "config.h"
#include "password.h"
#include "record.h"
#include "token.h"
#include "user.h"

#define STORE_ERRLEN	256
#define STORE_GENLEN	24

/* Session policy, taken from the configuration when the store opens. */
struct store_params {
	char		 key_prefix[64];
	int64_t		 idle_timeout;		/* ms */
	int64_t		 absolute_timeout;	/* ms */
	unsigned int	 max_sessions;		/* 0: no limit */
	enum config_limit session_limit;
	int64_t		 login_failure_window;	/* ms */
};

struct store_user {
	char	 name[USER_NAME_MAX + 1];
	char	 pwhash[PASSWORD_HASHLEN];
	char	 gen[STORE_GENLEN];	/* changes with every password change */
};

struct store_session {
	char		 id[TOKEN_IDLEN + 1];
	struct record	 rec;
	int64_t		 ttl;		/* ms until idle expiry */
};

enum store_create {
	STORE_CREATE_ERROR = -1,
	STORE_CREATE_LIMIT = 0,		/* session_limit reject, at the cap */
	STORE_CREATE_OK = 1,
	STORE_CREATE_STALE = 2		/* user deleted or password changed */
};

typedef int (*store_list_cb)(const struct store_session *, void *);

struct store;
struct store_ops {
	int	(*check)(struct store *, const struct token *,
		    char user[USER_NAME_MAX + 1]);
	enum store_create (*create)(struct store *, const struct store_user *,
		    const struct token *, int64_t *created_us);
	int	(*destroy)(struct store *, const struct token *);
	int	(*destroy_all)(struct store *, const char *user);
	int	(*user_get)(struct store *, const char *user,
		    struct store_user *);
	int	(*user_add)(struct store *, const char *user, const char *hash);
	int	(*user_passwd)(struct store *, const char *user,
		    const char *hash);
	int	(*user_del)(struct store *, const char *user);
	int	(*user_rehash)(struct store *, const char *user,
		    const char *old, const char *hash);
	int	(*list)(struct store *, const char *user, store_list_cb, void *);
	int	(*revoke)(struct store *, const char *user, const char *id);
	int	(*fail_get)(struct store *, const char *user, const char *addr,
		    int64_t *count, int64_t *retry_ms);
	int	(*fail_add)(struct store *, const char *user, const char *addr);
	int	(*fail_clear)(struct store *, const char *user);
	void	(*free)(struct store *);
};

struct store {
	const struct store_ops	*ops;
	struct store_params	 params;
	char			 err[STORE_ERRLEN];	/* last error, for logs */
};

/* Fill params from the configuration. */
void	store_params_init(struct store_params *, const struct config *);

/* A Redis store; it connects on first use and after any error. */
struct store	*store_redis_new(const struct config *cfg);

/* user_passwd, user_del, destroy_all: sessions ended, -1 error, -2 no user */
#define STORE_NO_USER	(-2)

#define store_check(s, t, u)		((s)->ops->check((s), (t), (u)))
#define store_create(s, u, t, c)	((s)->ops->create((s), (u), (t), (c)))
#define store_destroy(s, t)		((s)->ops->destroy((s), (t)))
#define store_destroy_all(s, u)		((s)->ops->destroy_all((s), (u)))
#define store_user_get(s, n, u)		((s)->ops->user_get((s), (n), (u)))
#define store_user_add(s, n, h)		((s)->ops->user_add((s), (n), (h)))
#define store_user_passwd(s, n, h)	((s)->ops->user_passwd((s), (n), (h)))
#define store_user_del(s, n)		((s)->ops->user_del((s), (n)))
#define store_user_rehash(s, n, o, h)	((s)->ops->user_rehash((s), (n), (o), (h)))
#define store_list(s, n, cb, a)		((s)->ops->list((s), (n), (cb), (a)))
#define store_revoke(s, n, id)		((s)->ops->revoke((s), (n), (id)))
#define store_fail_get(s, n, a, c, r)	((s)->ops->fail_get((s), (n), (a), (c), (r)))
#define store_fail_add(s, n, a)		((s)->ops->fail_add((s), (n), (a)))
#define store_fail_clear(s, n)		((s)->ops->fail_clear((s), (n)))
#define store_free(s)			((s)->ops->free((s)))

#endif
