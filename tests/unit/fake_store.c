/*
 * fake_store.c: an in-memory store with the same contract as the Redis
 * one (sessions by token id, users with a generation, a cap), for unit
 * tests of the session service and the handlers. Not thread-safe.
 */
#include "fake_store.h"

#include "session/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NSESS  64
#define NUSERS 8

struct fake {
	struct store base;
	int	     fail, calls, gen_seq;
	struct {
		char	id[TOKEN_IDLEN + 1];
		char	user[USER_NAME_MAX + 1];
		int64_t created;
	} sess[NSESS];
	struct store_user users[NUSERS];
	int64_t		  fails;
	int64_t		  clock;
};

#define F(s) ((struct fake *)(s))

static int
enter(struct store *s)
{
	F(s)->calls++;
	if (F(s)->fail)
		store_seterr(s, "fake failure");
	return F(s)->fail ? -1 : 0;
}

#define ENTER(s) \
	do { \
		if (enter(s) == -1) \
			return SG_UNAVAILABLE; \
	} while (0)

static struct store_user *
find_user(struct store *s, const char *name)
{
	int i;

	for (i = 0; i < NUSERS; i++)
		if (strcmp(F(s)->users[i].name, name) == 0)
			return &F(s)->users[i];
	return NULL;
}

static int
find_sess(struct store *s, const struct token *t)
{
	char id[TOKEN_IDLEN + 1];
	int  i;

	token_id(t, id);
	for (i = 0; i < NSESS; i++)
		if (strcmp(F(s)->sess[i].id, id) == 0)
			return i;
	return -1;
}

static enum sg_result
f_check(struct store *s, const struct token *t, char user[USER_NAME_MAX + 1])
{
	int i;

	ENTER(s);
	if ((i = find_sess(s, t)) == -1)
		return SG_DENY;
	memcpy(user, F(s)->sess[i].user, USER_NAME_MAX + 1);
	return SG_OK;
}

static int
count_live(struct store *s, const char *user, int *oldest)
{
	int i, n = 0;

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

static enum sg_result
f_create(struct store *s, const struct store_user *u, const struct token *t,
    int64_t *created)
{
	struct store_user *cur;
	int		   i, oldest;

	ENTER(s);
	if ((cur = find_user(s, u->name)) == NULL ||
	    strcmp(cur->gen, u->gen) != 0)
		return SG_STALE;
	if (s->params.max_sessions > 0 &&
	    count_live(s, u->name, &oldest) >= (int)s->params.max_sessions) {
		if (s->params.reject)
			return SG_LIMIT;
		F(s)->sess[oldest].id[0] = '\0';
	}
	for (i = 0; i < NSESS && F(s)->sess[i].id[0] != '\0'; i++)
		;
	if (i == NSESS)
		return SG_UNAVAILABLE;
	token_id(t, F(s)->sess[i].id);
	snprintf(F(s)->sess[i].user, sizeof(F(s)->sess[i].user), "%s", u->name);
	F(s)->sess[i].created = *created = ++F(s)->clock;
	return SG_OK;
}

static enum sg_result
f_destroy(struct store *s, const struct token *t)
{
	int i;

	ENTER(s);
	if ((i = find_sess(s, t)) != -1)
		F(s)->sess[i].id[0] = '\0';
	return SG_OK;
}

static int
end_all(struct store *s, const char *user)
{
	int i, n = 0;

	for (i = 0; i < NSESS; i++)
		if (F(s)->sess[i].id[0] != '\0' &&
		    strcmp(F(s)->sess[i].user, user) == 0) {
			F(s)->sess[i].id[0] = '\0';
			n++;
		}
	return n;
}

static enum sg_result
f_destroy_all(struct store *s, const char *user, int *ended)
{
	ENTER(s);
	*ended = end_all(s, user);
	return SG_OK;
}

static enum sg_result
f_user_get(struct store *s, const char *name, struct store_user *u)
{
	struct store_user *cur;

	ENTER(s);
	if ((cur = find_user(s, name)) == NULL)
		return SG_NO_USER;
	*u = *cur;
	return SG_OK;
}

static enum sg_result
f_user_add(struct store *s, const char *name, const char *hash)
{
	struct store_user *u;

	ENTER(s);
	if (find_user(s, name) != NULL)
		return SG_EXISTS;
	if ((u = find_user(s, "")) == NULL)
		return SG_UNAVAILABLE;
	snprintf(u->name, sizeof(u->name), "%s", name);
	snprintf(u->pwhash, sizeof(u->pwhash), "%s", hash);
	snprintf(u->gen, sizeof(u->gen), "%d", ++F(s)->gen_seq);
	return SG_OK;
}

static enum sg_result
f_user_passwd(struct store *s, const char *name, const char *hash, int *ended)
{
	struct store_user *u;

	ENTER(s);
	if ((u = find_user(s, name)) == NULL)
		return SG_NO_USER;
	snprintf(u->pwhash, sizeof(u->pwhash), "%s", hash);
	snprintf(u->gen, sizeof(u->gen), "%d", ++F(s)->gen_seq);
	*ended = end_all(s, name);
	return SG_OK;
}

static enum sg_result
f_user_del(struct store *s, const char *name, int *ended)
{
	struct store_user *u;

	ENTER(s);
	if ((u = find_user(s, name)) == NULL)
		return SG_NO_USER;
	memset(u, 0, sizeof(*u));
	*ended = end_all(s, name);
	return SG_OK;
}

static enum sg_result
f_user_rehash(struct store *s, const char *name, const char *old,
    const char *hash)
{
	struct store_user *u;

	ENTER(s);
	if ((u = find_user(s, name)) == NULL || strcmp(u->pwhash, old) != 0)
		return SG_DENY;
	snprintf(u->pwhash, sizeof(u->pwhash), "%s", hash);
	return SG_OK;
}

static enum sg_result
f_list(struct store *s, const char *user, store_list_cb cb, void *arg)
{
	(void)user;
	(void)cb;
	(void)arg;
	ENTER(s);
	return SG_OK;
}

static enum sg_result
f_revoke(struct store *s, const char *user, const char *id)
{
	(void)user;
	(void)id;
	ENTER(s);
	return SG_DENY;
}

static enum sg_result
f_fail_get(struct store *s, const char *user, const char *addr, int64_t *count,
    int64_t *retry_ms)
{
	(void)user;
	(void)addr;
	ENTER(s);
	*count = F(s)->fails;
	*retry_ms = F(s)->fails ? 60000 : 0;
	return SG_OK;
}

static enum sg_result
f_fail_add(struct store *s, const char *user, const char *addr)
{
	(void)user;
	(void)addr;
	ENTER(s);
	F(s)->fails++;
	return SG_OK;
}

static enum sg_result
f_fail_clear(struct store *s, const char *user)
{
	(void)user;
	ENTER(s);
	F(s)->fails = 0;
	return SG_OK;
}

static void
f_close(struct store *s)
{
	free(s);
}

static const struct store_ops fake_ops = {
	.check = f_check,
	.create = f_create,
	.destroy = f_destroy,
	.destroy_all = f_destroy_all,
	.list = f_list,
	.revoke = f_revoke,
	.user_get = f_user_get,
	.user_add = f_user_add,
	.user_passwd = f_user_passwd,
	.user_del = f_user_del,
	.user_rehash = f_user_rehash,
	.fail_get = f_fail_get,
	.fail_add = f_fail_add,
	.fail_clear = f_fail_clear,
	.close = f_close,
};

struct store *
fake_store_new(const struct config *cfg)
{
	struct fake *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return NULL;
	f->base.ops = &fake_ops;
	session_store_params(&f->base.params, cfg);
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
