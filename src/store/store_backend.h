/*
 * store_backend.h: what a store backend implements. A backend fills a
 * struct store_ops with static functions and embeds struct store at the
 * start of its own state; only store.c calls the ops.
 */
#ifndef SG_STORE_STORE_BACKEND_H
#define SG_STORE_STORE_BACKEND_H

#include "store/store.h"

#define STORE_ERRLEN 256

enum store_fail_op {
	STORE_FAIL_TRY,
	STORE_FAIL_UNDO,
	STORE_FAIL_CLEAR
};

struct store_ops {
	/* sessions */
	enum sg_result (*check)(struct store *, const struct token *,
	    unsigned flags, struct store_seen *);
	enum sg_result (*create)(struct store *, const struct store_user *,
	    const struct token *, const struct store_login *,
	    int64_t *created_us, struct store_evicted *);
	enum sg_result (
	    *confirm)(struct store *, const struct token *, const char *user);
	enum sg_result (*destroy)(struct store *, const struct token *,
	    char user[USER_NAME_MAX + 1]);
	enum sg_result (
	    *destroy_all)(struct store *, const char *user, int *ended);
	enum sg_result (*list)(struct store *, const char *user, size_t newest,
	    store_list_cb, void *);
	enum sg_result (
	    *revoke)(struct store *, const char *user, const char *id);
	/* users: users may be NULL (the backend cannot list them) */
	enum sg_result (*users)(struct store *, store_user_cb, void *);
	enum sg_result (
	    *user_get)(struct store *, const char *user, struct store_user *);
	enum sg_result (
	    *user_add)(struct store *, const char *user, const char *hash);
	enum sg_result (*user_passwd)(struct store *, const char *user,
	    const char *hash, const char *expect_gen,
	    char new_gen[STORE_GENLEN], int *ended);
	enum sg_result (
	    *user_del)(struct store *, const char *user, int *ended);
	enum sg_result (*user_rehash)(struct store *, const char *user,
	    const char *old, const char *gen, const char *hash);
	enum sg_result (*users_rekey)(struct store *,
	    const struct user_keys *old, struct store_rekey *);
	/* the secret's fingerprint; NULL if the backend keeps none */
	enum sg_result (*secret_id)(struct store *, char *id, size_t len);
	enum sg_result (
	    *secret_id_set)(struct store *, const char *id, int replace);
	/* the eviction policy; NULL if the backend has none */
	enum sg_result (
	    *maxmemory_policy)(struct store *, char *policy, size_t len);
	/* does the store answer (every master of a cluster)? */
	enum sg_result (*ping)(struct store *);
	/* failure counters: count an attempt, take one back, forget */
	enum sg_result (*fail)(struct store *, enum store_counter,
	    const char *name, enum store_fail_op, int64_t *count,
	    int64_t *retry_ms);
	/* the counters in force; NULL if the backend cannot list them */
	enum sg_result (*fails)(struct store *, store_fail_cb, void *);
	void (*close)(struct store *);
};

struct store {
	const struct store_ops *ops;
	struct store_params	params;
	char			err[STORE_ERRLEN]; /* last error, for logs */
	int			secret_id_claimed; /* the claim was tried */
};

/* Set the store's last error. */
void store_seterr(struct store *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
