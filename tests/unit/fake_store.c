/*
 * fake_store.c: an in-memory store with the same contract as the Redis
 * one (sessions by token id, users with a generation, a cap), for unit
 * tests of the session service and the handlers. Not thread-safe.
 */
#include "fake_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NSESS	64
#define NUSERS	8

struct fake {
	struct store	 base;
	int		 fail, calls, gen_seq;
	struct {
		char	 id[TOKEN_IDLEN + 1];
		char	 user[USER_NAME_MAX + 1];
		int64_t	 created;
	} sess[NSESS];
	struct store_user users[NUSERS];
	int64_t		 fails;
	int64_t		 clock;
};

#define F(s)	((struct fake *)(s))

static int
enter(struct store *s)
{
	F(s)->calls++;
	if (F(s)->fail)
		snprintf(s->err, sizeof(s->err), "fake failure");
	return F(s)->fail ? -1 : 0;
}

static struct store_user *
find_user(struct store *s, const char *name)
{
	int	 i;

	for (i = 0; i < NUSERS; i++)
		if (strcmp(F(s)->users[i].name, name) == 0)
			return &F(s)->users[i];
	return NULL;
}

static int
find_sess(struct store *s, const struct token *t)
{
	char	 id[TOKEN_IDLEN + 1];
	int	 i;

	token_id(t, id);
	for (i = 0; i < NSESS; i++)
		if (strcmp(F(s)->sess[i].id, id) == 0)
			return i;
	return -1;
}

static int
f_check(struct store *s, const struct token *t, char user[USER_NAME_MAX + 1])
{
	int	 i;

	if (enter(s) == -1)
		return -1;
	if ((i = find_sess(s, t)) == -1)
		return 0;
	memcpy(user, F(s)->sess[i].user, USER_NAME_MAX + 1);
	return 1;
}

static int
count_live(struct store *s, const char *user, int *oldest)
{
	int	 i, n = 0;

	*oldest = -1;
	for (i = 0; i < NSESS; i++) {
		if (F(s)->sess[i].id[0] == '\0' ||
		    strcmp(F(s)->sess[i].user, user) != 0)
			continue;
		n++;
		if (*oldest == -1 ||
		    F(s)->sess[i].created < F(s)->sess[*oldest].created)
			*oldest = i;
	}
	return n;
}

static enum store_create
f_create(struct store *s, const struct store_user *u, const struct token *t,
    int64_t *created)
{
	struct store_user	*cur;
	int			 i, oldest;

	if (enter(s) == -1)
		return STORE_CREATE_ERROR;
	if ((cur = find_user(s, u->name)) == NULL ||
	    strcmp(cur->gen, u->gen) != 0)
		return STORE_CREATE_STALE;
	if (s->params.max_sessions > 0 && count_live(s, u->name, &oldest) >=
	    (int)s->params.max_sessions) {
		if (s->params.session_limit == CONFIG_LIMIT_REJECT)
			return STORE_CREATE_LIMIT;
		F(s)->sess[oldest].id[0] = '\0';
	}
	for (i = 0; i < NSESS && F(s)->sess[i].id[0] != '\0'; i++)
		;
	if (i == NSESS)
		return STORE_CREATE_ERROR;
	token_id(t, F(s)->sess[i].id);
	snprintf(F(s)->sess[i].user, sizeof(F(s)->sess[i].user), "%s", u->name);
	F(s)->sess[i].created = *created = ++F(s)->clock;
	return STORE_CREATE_OK;
}

static int
f_destroy(struct store *s, const struct token *t)
{
	int	 i;

	if (enter(s) == -1)
		return -1;
	if ((i = find_sess(s, t)) == -1)
		return 0;
	F(s)->sess[i].id[0] = '\0';
	return 1;
}

static int
f_destroy_all(struct store *s, const char *user)
{
	int	 i, n = 0;

	if (enter(s) == -1)
		return -1;
	for (i = 0; i < NSESS; i++)
		if (F(s)->sess[i].id[0] != '\0' &&
		    strcmp(F(s)->sess[i].user, user) == 0) {
			F(s)->sess[i].id[0] = '\0';
			n++;
		}
	return n;
}

static int
f_user_get(struct store *s, const char *name, struct store_user *u)
{
	struct store_user	*cur;

	if (enter(s) == -1)
		return -1;
	if ((cur = find_user(s, name)) == NULL)
		return 0;
	*u = *cur;
	return 1;
}

static int
f_user_add(struct store *s, const char *name, const char *hash)
{
	struct store_user	*u;

	if (enter(s) == -1)
		return -1;
	if (find_user(s, name) != NULL)
		return 0;
	if ((u = find_user(s, "")) == NULL)
		return -1;
	snprintf(u->name, sizeof(u->name), "%s", name);
	snprintf(u->pwhash, sizeof(u->pwhash), "%s", hash);
	snprintf(u->gen, sizeof(u->gen), "%d", ++F(s)->gen_seq);
	return 1;
}

static int
f_user_passwd(struct store *s, const char *name, const char *hash)
{
	struct store_user	*u;

	if (enter(s) == -1)
		return -1;
	if ((u = find_user(s, name)) == NULL)
		return STORE_NO_USER;
	snprintf(u->pwhash, sizeof(u->pwhash), "%s", hash);
	snprintf(u->gen, sizeof(u->gen), "%d", ++F(s)->gen_seq);
	F(s)->calls--;
	return f_destroy_all(s, name);
}

static int
f_user_del(struct store *s, const char *name)
{
	struct store_user	*u;

	if (enter(s) == -1)
		return -1;
	if ((u = find_user(s, name)) == NULL)
		return STORE_NO_USER;
	memset(u, 0, sizeof(*u));
	F(s)->calls--;
	return f_destroy_all(s, name);
}

static int
f_user_rehash(struct store *s, const char *name, const char *old,
    const char *hash)
{
	struct store_user	*u;

	if (enter(s) == -1)
		return -1;
	if ((u = find_user(s, name)) == NULL || strcmp(u->pwhash, old) != 0)
		return 0;
	snprintf(u->pwhash, sizeof(u->pwhash), "%s", hash);
	return 1;
}

static int
f_list(struct store *s, const char *user, store_list_cb cb, void *arg)
{
	(void)user;
	(void)cb;
	(void)arg;
	return enter(s);
}

static int
f_revoke(struct store *s, const char *user, const char *id)
{
	(void)user;
	(void)id;
	return enter(s);
}

static int
f_fail_get(struct store *s, const char *user, const char *addr,
    int64_t *count, int64_t *retry_ms)
{
	(void)user;
	(void)addr;
	if (enter(s) == -1)
		return -1;
	*count = F(s)->fails;
	*retry_ms = F(s)->fails ? 60000 : 0;
	return 0;
}

static int
f_fail_add(struct store *s, const char *user, const char *addr)
{
	(void)user;
	(void)addr;
	if (enter(s) == -1)
		return -1;
	F(s)->fails++;
	return 0;
}

static int
f_fail_clear(struct store *s, const char *user)
{
	(void)user;
	if (enter(s) == -1)
		return -1;
	F(s)->fails = 0;
	return 0;
}

static void
f_free(struct store *s)
{
	free(s);
}

static const struct store_ops fake_ops = {
	f_check, f_create, f_destroy, f_destroy_all, f_user_get, f_user_add,
	f_user_passwd, f_user_del, f_user_rehash, f_list, f_revoke, f_fail_get,
	f_fail_add, f_fail_clear, f_free
};

struct store *
fake_store_new(const struct config *cfg)
{
	struct fake	*f = calloc(1, sizeof(*f));

	if (f == NULL)
		return NULL;
	f->base.ops = &fake_ops;
	store_params_init(&f->base.params, cfg);
	return &f->base;
}

void
fake_fail(struct store *s, int fail)
{
	F(s)->fail = fail;
}

int
fake_calls(struct store *s)
{
	return F(s)->calls;
}
