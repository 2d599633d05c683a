/*
 * fake_store.c: an in-memory store with the same contract as the Redis
 * one (sessions by token id made under their user's generation, users, a
 * cap, counted-first failure counters), for unit tests of the session
 * service and the handlers. Not thread-safe. test_fake_store runs the
 * store's contract (tests/store_contract.h) against it, the same cases
 * test_store runs against Redis: a change of a script's behaviour that
 * the fake does not follow fails there.
 */
#include "fake_store.h"

#include "session/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NSESS	  64
#define NUSERS	  8
#define NCOUNTERS 64

struct fake {
	struct store base;
	int	     fail, calls, gen_seq;
	unsigned     check_flags; /* of the last check */
	struct {
		char	id[TOKEN_IDLEN + 1];
		char	user[USER_NAME_MAX + 1];
		char	gen[STORE_GENLEN];
		int64_t created, confirmed, lifetime;
		int	remember;
		char	addr[RECORD_ADDR_MAX + 1];
		char	agent[RECORD_AGENT_MAX + 1];
	} sess[NSESS];
	struct store_user users[NUSERS];
	struct {
		enum store_counter kind;
		char		   name[USER_NAME_MAX + 1];
		int64_t		   n;
	} counters[NCOUNTERS];
	int64_t	    clock;
	const char *hook_op;
	void (*hook)(struct store *, void *);
	void *hook_arg;
};

#define F(s) ((struct fake *)(s))

static int
enter(struct store *s, const char *op)
{
	void (*fn)(struct store *, void *) = F(s)->hook;

	F(s)->calls++;
	if (fn != NULL && strcmp(F(s)->hook_op, op) == 0) {
		F(s)->hook = NULL;
		fn(s, F(s)->hook_arg);
	}
	if (F(s)->fail)
		store_seterr(s, "fake failure");
	return F(s)->fail ? -1 : 0;
}

#define ENTER(s, op) \
	do { \
		if (enter(s, op) == -1) \
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

/* Live: its user exists with the generation it was made under. */
static int
sess_live(struct store *s, int i)
{
	struct store_user *u;

	if (F(s)->sess[i].id[0] == '\0')
		return 0;
	u = find_user(s, F(s)->sess[i].user);
	return u != NULL && strcmp(u->gen, F(s)->sess[i].gen) == 0;
}

/* 16 hex digits, as the Redis store's (8 random bytes there) */
static void
new_gen(struct store *s, char gen[STORE_GENLEN])
{
	snprintf(gen, STORE_GENLEN, "%016x", ++F(s)->gen_seq);
}

static enum sg_result
f_check(struct store *s, const struct token *t, unsigned flags,
    struct store_seen *seen)
{
	int i;

	ENTER(s, "check");
	if ((i = find_sess(s, t)) == -1)
		return SG_DENY;
	if (!sess_live(s, i)) {
		F(s)->sess[i].id[0] = '\0';
		return SG_DENY;
	}
	F(s)->check_flags = flags; /* (no idle expiry here to slide) */
	memcpy(seen->user, F(s)->sess[i].user, USER_NAME_MAX + 1);
	seen->confirmed = F(s)->sess[i].confirmed;
	seen->now = F(s)->clock;
	seen->lifetime = F(s)->sess[i].lifetime ? F(s)->sess[i].lifetime :
						  s->params.absolute_timeout;
	seen->remembered = F(s)->sess[i].remember;
	return SG_OK;
}

/* Step-up, as confirm.lua: the time, in the live session of user. */
static enum sg_result
f_confirm(struct store *s, const struct token *t, const char *user)
{
	int i;

	ENTER(s, "confirm");
	if ((i = find_sess(s, t)) == -1 ||
	    strcmp(F(s)->sess[i].user, user) != 0)
		return SG_DENY;
	F(s)->sess[i].confirmed = ++F(s)->clock;
	return SG_OK;
}

static int
count_live(struct store *s, const char *user, int *oldest)
{
	int i, n = 0;

	*oldest = -1;
	for (i = 0; i < NSESS; i++) {
		if (!sess_live(s, i) || strcmp(F(s)->sess[i].user, user) != 0)
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
    const struct store_login *in, int64_t *created, struct store_evicted *ev)
{
	struct store_user *cur;
	int		   i, oldest;

	ENTER(s, "create");
	if ((cur = find_user(s, u->name)) == NULL ||
	    strcmp(cur->gen, u->gen) != 0)
		return SG_STALE;
	if (s->params.max_sessions > 0 &&
	    count_live(s, u->name, &oldest) >= (int)s->params.max_sessions) {
		if (s->params.reject)
			return SG_LIMIT;
		memcpy(ev->ids[ev->n++], F(s)->sess[oldest].id,
		    TOKEN_IDLEN + 1);
		F(s)->sess[oldest].id[0] = '\0';
	}
	for (i = 0; i < NSESS && F(s)->sess[i].id[0] != '\0'; i++)
		;
	if (i == NSESS)
		return SG_UNAVAILABLE;
	token_id(t, F(s)->sess[i].id);
	snprintf(F(s)->sess[i].user, sizeof(F(s)->sess[i].user), "%s", u->name);
	memcpy(F(s)->sess[i].gen, u->gen, STORE_GENLEN);
	F(s)->sess[i].created = *created = ++F(s)->clock;
	F(s)->sess[i].confirmed = F(s)->sess[i].created;
	F(s)->sess[i].lifetime = in->lifetime;
	F(s)->sess[i].remember = in->remember;
	snprintf(F(s)->sess[i].addr, sizeof(F(s)->sess[i].addr), "%s",
	    in->addr);
	snprintf(F(s)->sess[i].agent, sizeof(F(s)->sess[i].agent), "%s",
	    in->agent);
	return SG_OK;
}

static enum sg_result
f_destroy(struct store *s, const struct token *t, char user[USER_NAME_MAX + 1])
{
	int i;

	ENTER(s, "destroy");
	if ((i = find_sess(s, t)) != -1) {
		snprintf(user, USER_NAME_MAX + 1, "%s", F(s)->sess[i].user);
		F(s)->sess[i].id[0] = '\0';
	}
	return SG_OK;
}

static int
end_all(struct store *s, const char *user)
{
	int i, n = 0;

	for (i = 0; i < NSESS; i++)
		if (F(s)->sess[i].id[0] != '\0' &&
		    strcmp(F(s)->sess[i].user, user) == 0) {
			n += sess_live(s, i);
			F(s)->sess[i].id[0] = '\0';
		}
	return n;
}

static enum sg_result
f_destroy_all(struct store *s, const char *user, int *ended)
{
	struct store_user *u;

	ENTER(s, "destroy_all");
	*ended = end_all(s, user);
	if ((u = find_user(s, user)) == NULL)
		return SG_NO_USER;
	new_gen(s, u->gen);
	return SG_OK;
}

static enum sg_result
f_user_get(struct store *s, const char *name, struct store_user *u)
{
	struct store_user *cur;

	ENTER(s, "user_get");
	if ((cur = find_user(s, name)) == NULL)
		return SG_NO_USER;
	*u = *cur;
	return SG_OK;
}

static enum sg_result
f_user_add(struct store *s, const char *name, const char *hash)
{
	struct store_user *u;

	ENTER(s, "user_add");
	if (find_user(s, name) != NULL)
		return SG_EXISTS;
	if ((u = find_user(s, "")) == NULL)
		return SG_UNAVAILABLE;
	snprintf(u->name, sizeof(u->name), "%s", name);
	snprintf(u->pwhash, sizeof(u->pwhash), "%s", hash);
	new_gen(s, u->gen);
	return SG_OK;
}

static enum sg_result
f_user_passwd(struct store *s, const char *name, const char *hash,
    const char *expect_gen, char new_gen_out[STORE_GENLEN], int *ended)
{
	struct store_user *u;

	ENTER(s, "user_passwd");
	if ((u = find_user(s, name)) == NULL)
		return SG_NO_USER;
	if (expect_gen != NULL && strcmp(u->gen, expect_gen) != 0)
		return SG_STALE;
	*ended = end_all(s, name);
	snprintf(u->pwhash, sizeof(u->pwhash), "%s", hash);
	new_gen(s, u->gen);
	memcpy(new_gen_out, u->gen, STORE_GENLEN);
	return SG_OK;
}

static enum sg_result
f_user_del(struct store *s, const char *name, int *ended)
{
	struct store_user *u;

	ENTER(s, "user_del");
	if ((u = find_user(s, name)) == NULL)
		return SG_NO_USER;
	*ended = end_all(s, name);
	memset(u, 0, sizeof(*u));
	return SG_OK;
}

static enum sg_result
f_user_rehash(struct store *s, const char *name, const char *old,
    const char *gen, const char *hash)
{
	struct store_user *u;

	ENTER(s, "user_rehash");
	if ((u = find_user(s, name)) == NULL || strcmp(u->pwhash, old) != 0 ||
	    strcmp(u->gen, gen) != 0)
		return SG_DENY;
	snprintf(u->pwhash, sizeof(u->pwhash), "%s", hash);
	return SG_OK;
}

static enum sg_result
f_users_rekey(struct store *s, const struct user_keys *old,
    struct store_rekey *r)
{
	(void)old;
	ENTER(s, "users_rekey");
	memset(r, 0, sizeof(*r));
	return SG_OK;
}

/* The next live session of user made after *after, or -1. */
static int
next_live(struct store *s, const char *user, int64_t after)
{
	int i, next = -1;

	for (i = 0; i < NSESS; i++)
		if (sess_live(s, i) && strcmp(F(s)->sess[i].user, user) == 0 &&
		    F(s)->sess[i].created > after &&
		    (next == -1 ||
			F(s)->sess[i].created < F(s)->sess[next].created))
			next = i;
	return next;
}

/*
 * Live sessions, oldest first, as list.lua has them. No time passes in
 * the fake: each is as fresh as when it was made.
 */
static enum sg_result
f_list(struct store *s, const char *user, size_t newest, store_list_cb cb,
    void *arg)
{
	struct store_session ss;
	int64_t		     after = 0;
	int		     i, skip = 0;

	ENTER(s, "list");
	if (newest > 0) /* the newest only: skip the oldest beyond them */
		while ((i = next_live(s, user, after)) != -1) {
			after = F(s)->sess[i].created;
			skip++;
		}
	skip = newest > 0 && (size_t)skip > newest ? skip - (int)newest : 0;
	after = 0;
	while ((i = next_live(s, user, after)) != -1) {
		after = F(s)->sess[i].created;
		if (skip > 0) {
			skip--;
			continue;
		}
		memset(&ss, 0, sizeof(ss));
		memcpy(ss.id, F(s)->sess[i].id, sizeof(ss.id));
		memcpy(ss.rec.user, F(s)->sess[i].user, sizeof(ss.rec.user));
		ss.rec.created = after;
		ss.rec.deadline = after + F(s)->sess[i].lifetime;
		ss.rec.confirmed = F(s)->sess[i].confirmed;
		memcpy(ss.rec.addr, F(s)->sess[i].addr, sizeof(ss.rec.addr));
		memcpy(ss.rec.agent, F(s)->sess[i].agent, sizeof(ss.rec.agent));
		ss.ttl = s->params.idle_timeout < s->params.absolute_timeout ?
		    s->params.idle_timeout :
		    s->params.absolute_timeout;
		if (cb(&ss, arg) != 0)
			break;
	}
	return SG_OK;
}

/* End user's session with this id, as revoke.lua: SG_DENY if none. */
static enum sg_result
f_revoke(struct store *s, const char *user, const char *id)
{
	int i;

	ENTER(s, "revoke");
	for (i = 0; i < NSESS; i++)
		if (F(s)->sess[i].id[0] != '\0' &&
		    strcmp(F(s)->sess[i].id, id) == 0 &&
		    strcmp(F(s)->sess[i].user, user) == 0) {
			F(s)->sess[i].id[0] = '\0';
			return SG_OK;
		}
	return SG_DENY;
}

static int
find_counter(struct store *s, enum store_counter c, const char *name, int make)
{
	int i, free_slot = -1;

	for (i = 0; i < NCOUNTERS; i++) {
		if (F(s)->counters[i].name[0] == '\0') {
			if (free_slot == -1)
				free_slot = i;
			continue;
		}
		if (F(s)->counters[i].kind == c &&
		    strcmp(F(s)->counters[i].name, name) == 0)
			return i;
	}
	if (!make || free_slot == -1)
		return -1;
	F(s)->counters[free_slot].kind = c;
	snprintf(F(s)->counters[free_slot].name,
	    sizeof(F(s)->counters[free_slot].name), "%s", name);
	F(s)->counters[free_slot].n = 0;
	return free_slot;
}

static enum sg_result
f_fail(struct store *s, enum store_counter c, const char *name,
    enum store_fail_op op, int64_t *count, int64_t *retry_ms)
{
	int i;

	ENTER(s, "fail");
	i = find_counter(s, c, name, op == STORE_FAIL_TRY);
	if (op == STORE_FAIL_TRY && i == -1)
		return SG_UNAVAILABLE;
	if (i == -1)
		return SG_OK;
	if (op == STORE_FAIL_TRY)
		F(s)->counters[i].n++;
	else if (op == STORE_FAIL_UNDO)
		F(s)->counters[i].n--;
	if (op == STORE_FAIL_CLEAR || F(s)->counters[i].n <= 0) {
		*count = op == STORE_FAIL_CLEAR; /* clear: there was one */
		F(s)->counters[i].name[0] = '\0';
		return SG_OK;
	}
	*count = F(s)->counters[i].n;
	/* no time passes in the fake: the whole window is left */
	*retry_ms = s->params.login_failure_window;
	return SG_OK;
}

static enum sg_result
f_ping(struct store *s)
{
	ENTER(s, "ping");
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
	.confirm = f_confirm,
	.destroy = f_destroy,
	.destroy_all = f_destroy_all,
	.list = f_list,
	.revoke = f_revoke,
	.user_get = f_user_get,
	.user_add = f_user_add,
	.user_passwd = f_user_passwd,
	.user_del = f_user_del,
	.user_rehash = f_user_rehash,
	.users_rekey = f_users_rekey,
	.fail = f_fail,
	.ping = f_ping,
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

unsigned
fake_check_flags(struct store *s)
{
	return F(s)->check_flags;
}

void
fake_tick(struct store *s, int64_t ms)
{
	F(s)->clock += ms;
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

int64_t
fake_counter(struct store *s, enum store_counter c, const char *name)
{
	int i = find_counter(s, c, name, 0);

	return i == -1 ? 0 : F(s)->counters[i].n;
}

int
fake_counters(struct store *s)
{
	int i, n = 0;

	for (i = 0; i < NCOUNTERS; i++)
		n += F(s)->counters[i].name[0] != '\0';
	return n;
}

void
fake_hook(struct store *s, const char *op, void (*fn)(struct store *, void *),
    void *arg)
{
	F(s)->hook_op = op;
	F(s)->hook = fn;
	F(s)->hook_arg = arg;
}
