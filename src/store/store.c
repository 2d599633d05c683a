/*
 * store.c: the store's front door. Every store_* call goes through here:
 * user names are checked before any backend sees them, and a backend's
 * answer outside what the operation may answer becomes SG_UNAVAILABLE,
 * so that no caller ever has to decode a surprise into an allow.
 */
#include "store/store.h"

#include <string.h>

#include "store/store_backend.h"
#include "store/store_redis.h"

#define R(x) (1u << (x))

/* rv if SG_OK, SG_UNAVAILABLE or one of allowed; else SG_UNAVAILABLE. */
static enum sg_result
expect(struct store *s, const char *op, enum sg_result rv, unsigned int allowed)
{
	if (rv == SG_OK || rv == SG_UNAVAILABLE ||
	    ((unsigned int)rv < 32 && (allowed & R(rv))))
		return rv;
	store_seterr(s, "store %s: unexpected result %s", op,
	    sg_result_name(rv));
	return SG_UNAVAILABLE;
}

static int
name_ok(const char *name)
{
	return user_name_valid(name, strlen(name));
}

struct store *
store_open(const struct store_params *p)
{
	return store_redis_open(p);
}

void
store_close(struct store *s)
{
	if (s != NULL)
		s->ops->close(s);
}

const char *
store_error(const struct store *s)
{
	return s->err;
}

/*
 * The cookie's tag must be the tag of the record's user under today's
 * keys. A session made under another site secret (or none) carries the
 * old tag, and its user may still be there, under that tag: without this,
 * it would outlive the change of secret_file. It is refused here.
 */
static enum sg_result
foreign_tag(struct store *s, const struct token *t, char *user)
{
	char tag[TOKEN_TAGLEN + 1], name[USER_NAME_MAX + 1];

	user_tag(&s->params.keys, user, strlen(user), tag);
	if (sodium_memcmp(tag, t->tag, TOKEN_TAGLEN) == 0)
		return SG_OK;
	memcpy(name, user, sizeof(name));
	user[0] = '\0';
	/*
	 * Refused, not deleted: a gate whose secret_file is not the other
	 * gates' must not end the sessions they made (users rekey ends a
	 * session under an old tag for good).
	 */
	store_seterr(s,
	    "a session of %s under another user tag (made under another "
	    "secret_file?) refused",
	    name);
	return SG_STALE;
}

enum sg_result
store_session_seen(struct store *s, const struct token *t, unsigned flags,
    struct store_seen *seen)
{
	enum sg_result rv;

	rv = expect(s, "check", s->ops->check(s, t, flags, seen), R(SG_DENY));
	if (rv != SG_OK)
		return rv;
	return foreign_tag(s, t, seen->user);
}

enum sg_result
store_session_check(struct store *s, const struct token *t,
    char user[USER_NAME_MAX + 1])
{
	struct store_seen seen;
	enum sg_result	  rv;

	if ((rv = store_session_seen(s, t, 0, &seen)) == SG_OK)
		memcpy(user, seen.user, sizeof(seen.user));
	return rv;
}

enum sg_result
store_session_create(struct store *s, const struct store_user *u,
    const struct token *t, const struct store_login *in, int64_t *created_us,
    struct store_evicted *ev)
{
	static const struct store_login none_in;
	struct store_evicted		none;
	struct store_login		l;

	if (ev == NULL)
		ev = &none;
	ev->n = 0;
	l = in ? *in : none_in;
	if (!record_text_ok(l.addr, RECORD_ADDR_MAX))
		l.addr = "";
	if (!record_text_ok(l.agent, RECORD_AGENT_MAX))
		l.agent = "";
	if (l.lifetime <= 0)
		l.lifetime = s->params.absolute_timeout;
	return expect(s, "create", s->ops->create(s, u, t, &l, created_us, ev),
	    R(SG_LIMIT) | R(SG_STALE));
}

enum sg_result
store_session_confirm(struct store *s, const struct token *t, const char *user)
{
	if (!name_ok(user))
		return SG_DENY;
	return expect(s, "confirm", s->ops->confirm(s, t, user), R(SG_DENY));
}

enum sg_result
store_session_destroy(struct store *s, const struct token *t,
    char user[USER_NAME_MAX + 1])
{
	char none[USER_NAME_MAX + 1];

	if (user == NULL)
		user = none;
	user[0] = '\0';
	return expect(s, "destroy", s->ops->destroy(s, t, user), 0);
}

enum sg_result
store_session_destroy_all(struct store *s, const char *user, int *ended)
{
	*ended = 0;
	if (!name_ok(user))
		return SG_NO_USER;
	return expect(s, "destroy_all", s->ops->destroy_all(s, user, ended),
	    R(SG_NO_USER));
}

enum sg_result
store_session_list(struct store *s, const char *user, store_list_cb cb,
    void *arg)
{
	return store_session_list_newest(s, user, 0, cb, arg);
}

enum sg_result
store_session_list_newest(struct store *s, const char *user, size_t newest,
    store_list_cb cb, void *arg)
{
	if (!name_ok(user))
		return SG_NO_USER;
	return expect(s, "list", s->ops->list(s, user, newest, cb, arg),
	    R(SG_NO_USER));
}

enum sg_result
store_session_revoke(struct store *s, const char *user, const char *id)
{
	if (!name_ok(user) || strlen(id) != TOKEN_IDLEN)
		return SG_DENY;
	return expect(s, "revoke", s->ops->revoke(s, user, id),
	    R(SG_DENY) | R(SG_NO_USER));
}

enum sg_result
store_users(struct store *s, store_user_cb cb, void *arg)
{
	if (s->ops->users == NULL) {
		store_seterr(s, "this store cannot list its users");
		return SG_UNAVAILABLE;
	}
	return expect(s, "users", s->ops->users(s, cb, arg), 0);
}

enum sg_result
store_user_get(struct store *s, const char *name, struct store_user *u)
{
	if (!name_ok(name))
		return SG_NO_USER;
	return expect(s, "user_get", s->ops->user_get(s, name, u),
	    R(SG_NO_USER));
}

enum sg_result
store_user_add(struct store *s, const char *name, const char *hash)
{
	if (!name_ok(name))
		return SG_INVALID;
	return expect(s, "user_add", s->ops->user_add(s, name, hash),
	    R(SG_EXISTS));
}

enum sg_result
store_user_passwd(struct store *s, const char *name, const char *hash,
    const char *expect_gen, char new_gen[STORE_GENLEN], int *ended)
{
	char gen[STORE_GENLEN];

	*ended = 0;
	if (!name_ok(name))
		return SG_NO_USER;
	if (expect_gen != NULL && expect_gen[0] == '\0')
		return SG_STALE;
	if (new_gen == NULL)
		new_gen = gen;
	return expect(s, "user_passwd",
	    s->ops->user_passwd(s, name, hash, expect_gen, new_gen, ended),
	    R(SG_NO_USER) | R(SG_STALE));
}

enum sg_result
store_user_del(struct store *s, const char *name, int *ended)
{
	*ended = 0;
	if (!name_ok(name))
		return SG_NO_USER;
	return expect(s, "user_del", s->ops->user_del(s, name, ended),
	    R(SG_NO_USER));
}

enum sg_result
store_user_rehash(struct store *s, const char *name, const char *old,
    const char *gen, const char *hash)
{
	if (!name_ok(name) || gen[0] == '\0')
		return SG_DENY;
	return expect(s, "user_rehash",
	    s->ops->user_rehash(s, name, old, gen, hash), R(SG_DENY));
}

enum sg_result
store_users_rekey(struct store *s, const struct user_keys *old,
    struct store_rekey *r)
{
	memset(r, 0, sizeof(*r));
	return expect(s, "users_rekey", s->ops->users_rekey(s, old, r), 0);
}

enum sg_result
store_ping(struct store *s)
{
	if (s->ops->ping == NULL)
		return SG_OK; /* a store in memory: it answers */
	return expect(s, "ping", s->ops->ping(s), 0);
}

enum sg_result
store_secret_id(struct store *s, char id[USER_SECRET_IDLEN + 1])
{
	if (s->ops->secret_id == NULL)
		return SG_DENY; /* a store in memory: none kept */
	return expect(s, "secret_id",
	    s->ops->secret_id(s, id, USER_SECRET_IDLEN + 1), R(SG_DENY));
}

enum sg_result
store_secret_id_write(struct store *s, int replace)
{
	char id[USER_SECRET_IDLEN + 1];

	if (s->ops->secret_id_set == NULL)
		return SG_OK;
	user_secret_id(&s->params.keys, id);
	return expect(s, "secret_id_set", s->ops->secret_id_set(s, id, replace),
	    R(SG_EXISTS));
}

void
store_secret_id_claim(struct store *s)
{
	if (s->secret_id_claimed)
		return;
	s->secret_id_claimed = 1; /* once, whatever it answers */
	if (store_secret_id_write(s, 0) == SG_UNAVAILABLE)
		return; /* counted and logged as Redis errors are */
}

enum sg_result
store_maxmemory_policy(struct store *s, char *policy, size_t len)
{
	if (s->ops->maxmemory_policy == NULL) {
		store_seterr(s, "this store has no maxmemory-policy");
		return SG_UNAVAILABLE;
	}
	return expect(s, "maxmemory_policy",
	    s->ops->maxmemory_policy(s, policy, len), 0);
}

/*
 * What a counter may be named: a user name, a client address as
 * throttle.c writes it (digits, letters, '.', ':', '/'), or a bucket
 * (four hex digits). Nothing else reaches a key name.
 */
static int
counter_ok(enum store_counter c, const char *name)
{
	size_t n = strlen(name);

	switch (c) {
	case STORE_FAIL_USER:
		return name_ok(name);
	case STORE_FAIL_ADDR:
		return n > 0 && n < 64 &&
		    strspn(name,
			"0123456789abcdefghijklmnopqrstuvwxyz"
			"ABCDEFGHIJKLMNOPQRSTUVWXYZ.:/") == n;
	case STORE_FAIL_UNKNOWN:
		return n == 4 && strspn(name, "0123456789abcdef") == n;
	}
	return 0;
}

static enum sg_result
fail_op(struct store *s, enum store_counter c, const char *name,
    enum store_fail_op op, int64_t *count, int64_t *retry_ms)
{
	int64_t n = 0, ms = 0;

	if (!counter_ok(c, name)) {
		store_seterr(s, "store fail: bad counter name");
		return SG_UNAVAILABLE;
	}
	if (count == NULL)
		count = &n;
	if (retry_ms == NULL)
		retry_ms = &ms;
	*count = *retry_ms = 0;
	return expect(s, "fail", s->ops->fail(s, c, name, op, count, retry_ms),
	    0);
}

enum sg_result
store_fail_attempt(struct store *s, enum store_counter c, const char *name,
    int64_t *count, int64_t *retry_ms)
{
	return fail_op(s, c, name, STORE_FAIL_TRY, count, retry_ms);
}

enum sg_result
store_fail_undo(struct store *s, enum store_counter c, const char *name)
{
	return fail_op(s, c, name, STORE_FAIL_UNDO, NULL, NULL);
}

enum sg_result
store_fail_clear(struct store *s, enum store_counter c, const char *name)
{
	return fail_op(s, c, name, STORE_FAIL_CLEAR, NULL, NULL);
}

enum sg_result
store_fail_remove(struct store *s, enum store_counter c, const char *name)
{
	int64_t	       n = 0;
	enum sg_result rv;

	if ((rv = fail_op(s, c, name, STORE_FAIL_CLEAR, &n, NULL)) != SG_OK)
		return rv;
	return n > 0 ? SG_OK : SG_DENY;
}

enum sg_result
store_fail_list(struct store *s, store_fail_cb cb, void *arg)
{
	if (s->ops->fails == NULL) {
		store_seterr(s, "this store cannot list its counters");
		return SG_UNAVAILABLE;
	}
	return expect(s, "fails", s->ops->fails(s, cb, arg), 0);
}
