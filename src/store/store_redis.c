/*
 * store_redis.c: the Redis store.
 *
 * One connection per store (per thread), kept by store/redis_link.c: made
 * on first use, replaced when found dead, pointed at the master Sentinel
 * names. Every operation is one Lua script of src/store/lua/ sent with
 * EVALSHA, or EVAL when Redis answers NOSCRIPT (after a restart or SCRIPT
 * FLUSH): one round trip in the normal case.
 *
 * Key layout (P = key_prefix, T = the user's tag, see user.c):
 *   P{T}:user:NAME   hash: name, pw (Argon2id string), gen
 *   P{T}:idx:NAME    zset: session ids of NAME, scored by creation (µs)
 *   P{T}:s:ID        string: session record (JSON), TTL = idle expiry
 *   P{T}:fail:NAME   string: login attempts for user NAME in the window
 *   Pfail-addr:ADDR  string: login attempts from one client address
 *   Pfail-unknown:B  string: login attempts for names that are not users,
 *                    in bucket B of USER_BUCKETS (a keyed hash of the name)
 * ID is token_id() of the secret, never the secret. The braces make every
 * key of one user hash to the same Redis Cluster slot; the cookie carries
 * T, so the check finds the slot from the cookie alone. Each script
 * touches the keys of one slot only.
 */
#include "store/store_redis.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <hiredis/hiredis.h>
#include <sodium.h>

#include "store/lua_scripts.h"
#include "store/redis_link.h"
#include "store/store_backend.h"

#define KEYMAX 256

struct redis_store {
	struct store	  base;
	struct redis_link link;	    /* to base.params.url */
	char		  idle[24]; /* idle_timeout in ms, as text */
};

#define seterr(rs, ...) store_seterr(&(rs)->base, __VA_ARGS__)

/*
 * What each script is to the link (redis_link.h): whether it may run
 * twice, and whether it must reach replicas. A script not listed is
 * neither: never resent after a lost reply, never waited for.
 * destroy_all may run twice (the second run ends nothing more; its count
 * reads 0). passwd may not: it checks the generation the password was
 * verified under, which its first run replaced, so a second run would
 * answer "changed meanwhile" for a change that was made. Nor may create:
 * run again after its first run landed, it would find its own session at
 * the cap and evict another one (or answer SG_LIMIT), then fail on SET NX
 * with the same id, so it never makes a second session but could end one
 * of the user's others. Nor fail (an attempt counted twice), revoke or
 * user_move (their second run answers "none" for what the first did).
 */
static int
script_flags(const struct lua_script *sc)
{
	static const struct {
		const struct lua_script *sc;
		int			 flags;
	} t[] = {
		{ &lua_check, LINK_IDEMPOTENT },
		{ &lua_list, LINK_IDEMPOTENT },
		{ &lua_destroy, LINK_IDEMPOTENT | LINK_DURABLE },
		{ &lua_destroy_all, LINK_IDEMPOTENT | LINK_DURABLE },
		{ &lua_passwd, LINK_DURABLE },
		{ &lua_user_del, LINK_DURABLE },
		{ &lua_revoke, LINK_DURABLE },
		{ &lua_create, LINK_DURABLE },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].sc == sc)
			return t[i].flags;
	return 0;
}

/* A plain command (HMGET, DEL): each may run twice. */
static redisReply *
command(struct redis_store *rs, int argc, const char **argv)
{
	return redis_link_command(&rs->link, argc, argv, LINK_IDEMPOTENT);
}

/* Run a script with nkeys keys followed by ARGV, all in args. */
static redisReply *
eval(struct redis_store *rs, const struct lua_script *sc, int nkeys, int nargs,
    const char **args)
{
	return redis_link_eval(&rs->link, sc, nkeys, nargs, args,
	    script_flags(sc));
}

/* Build P{TAG}:WHAT[NAME] into buf. */
static const char *
key(char *buf, const struct store *s, const char *tag, const char *what,
    const char *name)
{
	snprintf(buf, KEYMAX, "%s{%s}:%s%s", s->params.key_prefix, tag, what,
	    name);
	return buf;
}

/* Keys named after a user: the tag comes from the name. */
static const char *
user_key(char *buf, const struct store *s, const char *what, const char *name)
{
	char tag[TOKEN_TAGLEN + 1];

	user_tag(&s->params.keys, name, strlen(name), tag);
	return key(buf, s, tag, what, name);
}

/* Take an integer reply into *v; 0, or -1 with the error set. */
static int
integer_reply(struct redis_store *rs, redisReply *r, long long *v)
{
	if (r == NULL)
		return -1;
	if (r->type != REDIS_REPLY_INTEGER) {
		seterr(rs, "redis: unexpected reply type %d", r->type);
		freeReplyObject(r);
		return -1;
	}
	*v = r->integer;
	freeReplyObject(r);
	return 0;
}

/*
 * A script's count (sessions ended, 0/1) into *n: SG_OK, SG_NO_USER for
 * the scripts' -1 (no such user), SG_STALE for -2 (the user's generation
 * is not the one expected), SG_UNAVAILABLE on error.
 */
static enum sg_result
count_reply(struct redis_store *rs, redisReply *r, int *n)
{
	long long v;

	if (integer_reply(rs, r, &v) == -1)
		return SG_UNAVAILABLE;
	if (v == -1)
		return SG_NO_USER;
	if (v == -2)
		return SG_STALE;
	if (v < 0 || v > 1000000000) {
		seterr(rs, "redis: reply out of range");
		return SG_UNAVAILABLE;
	}
	*n = (int)v;
	return SG_OK;
}

/* A 0/1 script answer: SG_OK for 1, no for 0. */
static enum sg_result
yes_no(struct redis_store *rs, redisReply *r, enum sg_result no)
{
	enum sg_result rv;
	int	       n = 0;

	if ((rv = count_reply(rs, r, &n)) != SG_OK)
		return rv;
	return n == 1 ? SG_OK : no;
}

/*
 * In a cluster, the user key is declared to check.lua as well, so that a
 * check during a slot migration is sent where both keys are (ASK) or
 * asked to wait (TRYAGAIN) rather than run where only one of them is: an
 * undeclared user key read on the node that has the session but not yet
 * the user would look like a deleted user and end the session. The name
 * comes from the record, read first: a cluster check costs two round
 * trips. SG_OK (ku set), SG_DENY (no session), SG_UNAVAILABLE.
 */
static enum sg_result
cluster_user_key(struct redis_store *rs, const char *skey, const char *tag,
    char ku[KEYMAX])
{
	const char    *argv[2] = { "GET", NULL };
	struct record  rec;
	redisReply    *r;
	enum sg_result rv = SG_UNAVAILABLE;

	argv[1] = skey;
	if ((r = command(rs, 2, argv)) == NULL)
		return SG_UNAVAILABLE;
	if (r->type == REDIS_REPLY_NIL)
		rv = SG_DENY;
	else if (r->type != REDIS_REPLY_STRING ||
	    record_decode(&rec, r->str, r->len) == -1)
		seterr(rs, "redis: malformed session record");
	else {
		key(ku, &rs->base, tag, "user:", rec.user);
		rv = SG_OK;
	}
	freeReplyObject(r);
	return rv;
}

static enum sg_result
redis_check(struct store *s, const struct token *t,
    char user[USER_NAME_MAX + 1])
{
	struct redis_store *rs = (struct redis_store *)s;
	char	       id[TOKEN_IDLEN + 1], k[KEYMAX], ku[KEYMAX], pfx[KEYMAX];
	const char    *args[4];
	redisReply    *r;
	enum sg_result rv = SG_UNAVAILABLE;
	int	       nkeys = 1;

	token_id(t, id);
	args[0] = key(k, s, t->tag, "s:", id);
	key(pfx, s, t->tag, "user:", "");
	if (s->params.url.is_cluster) {
		if ((rv = cluster_user_key(rs, k, t->tag, ku)) != SG_OK)
			return rv;
		args[nkeys++] = ku;
	}
	args[nkeys] = rs->idle;
	args[nkeys + 1] = pfx;
	if ((r = eval(rs, &lua_check, nkeys, nkeys + 2, args)) == NULL)
		return SG_UNAVAILABLE;
	rv = SG_UNAVAILABLE;
	if (r->type == REDIS_REPLY_NIL)
		rv = SG_DENY;
	else if (r->type == REDIS_REPLY_STRING &&
	    user_name_valid(r->str, r->len)) {
		memcpy(user, r->str, r->len);
		user[r->len] = '\0';
		rv = SG_OK;
	} else
		seterr(rs, "redis script check: unexpected reply");
	freeReplyObject(r);
	return rv;
}

static enum sg_result
create_reply(struct redis_store *rs, redisReply *r, int64_t *created)
{
	enum sg_result rv = SG_UNAVAILABLE;

	if (r->type != REDIS_REPLY_ARRAY || r->elements < 1 ||
	    r->element[0]->type != REDIS_REPLY_INTEGER)
		seterr(rs, "redis script create: unexpected reply");
	else if (r->element[0]->integer == 1 && r->elements == 3 &&
	    r->element[1]->type == REDIS_REPLY_INTEGER) {
		*created = r->element[1]->integer;
		rv = SG_OK;
	} else if (r->element[0]->integer == 0)
		rv = SG_LIMIT;
	else if (r->element[0]->integer == -2)
		rv = SG_STALE;
	else
		seterr(rs, "redis script create: refused (%lld)",
		    r->element[0]->integer);
	freeReplyObject(r);
	return rv;
}

static enum sg_result
redis_create(struct store *s, const struct store_user *u, const struct token *t,
    int64_t *created)
{
	struct redis_store *rs = (struct redis_store *)s;
	char id[TOKEN_IDLEN + 1], k1[KEYMAX], k2[KEYMAX], k3[KEYMAX],
	    pfx[KEYMAX], abs[24], max[24];
	const char *args[11];
	redisReply *r;

	token_id(t, id);
	snprintf(abs, sizeof(abs), "%lld",
	    (long long)s->params.absolute_timeout);
	snprintf(max, sizeof(max), "%u", s->params.max_sessions);
	args[0] = key(k1, s, t->tag, "s:", id);
	args[1] = key(k2, s, t->tag, "idx:", u->name);
	args[2] = key(k3, s, t->tag, "user:", u->name);
	args[3] = u->name;
	args[4] = key(pfx, s, t->tag, "s:", "");
	args[5] = id;
	args[6] = rs->idle;
	args[7] = abs;
	args[8] = max;
	args[9] = s->params.reject ? "reject" : "evict-oldest";
	args[10] = u->gen;
	if ((r = eval(rs, &lua_create, 3, 11, args)) == NULL)
		return SG_UNAVAILABLE;
	return create_reply(rs, r, created);
}

static enum sg_result
redis_destroy(struct store *s, const struct token *t)
{
	struct redis_store *rs = (struct redis_store *)s;
	char		    id[TOKEN_IDLEN + 1], k[KEYMAX], pfx[KEYMAX];
	const char	   *args[3];
	int		    n;

	token_id(t, id);
	args[0] = key(k, s, t->tag, "s:", id);
	args[1] = key(pfx, s, t->tag, "idx:", "");
	args[2] = id;
	return count_reply(rs, eval(rs, &lua_destroy, 1, 3, args), &n);
}

/*
 * A user's generation: random, so that a login which verified a password
 * before the user was deleted and added again cannot match by chance.
 */
static void
new_gen(char gen[STORE_GENLEN])
{
	unsigned char b[8];

	randombytes_buf(b, sizeof(b));
	sodium_bin2hex(gen, STORE_GENLEN, b, sizeof(b));
}

/*
 * The scripts that act on all of one user's sessions take (user key,
 * index key) and their own ARGV, then the session key prefix.
 */
static enum sg_result
user_script(struct redis_store *rs, const struct lua_script *sc,
    const char *user, const char **argv, int argc, int *ended)
{
	char	    tag[TOKEN_TAGLEN + 1], ku[KEYMAX], ki[KEYMAX], pfx[KEYMAX];
	const char *args[8];
	int	    i, n = 0;

	user_tag(&rs->base.params.keys, user, strlen(user), tag);
	args[n++] = key(ku, &rs->base, tag, "user:", user);
	args[n++] = key(ki, &rs->base, tag, "idx:", user);
	for (i = 0; i < argc; i++)
		args[n++] = argv[i];
	args[n++] = key(pfx, &rs->base, tag, "s:", "");
	return count_reply(rs, eval(rs, sc, 2, n, args), ended);
}

static enum sg_result
redis_destroy_all(struct store *s, const char *user, int *ended)
{
	char	    gen[STORE_GENLEN];
	const char *argv[1] = { gen };

	new_gen(gen);
	return user_script((struct redis_store *)s, &lua_destroy_all, user,
	    argv, 1, ended);
}

static enum sg_result
redis_user_passwd(struct store *s, const char *user, const char *hash,
    const char *expect_gen, char new_gen_out[STORE_GENLEN], int *ended)
{
	struct redis_store *rs = (struct redis_store *)s;
	char gen[STORE_GENLEN], tag[TOKEN_TAGLEN + 1], ku[KEYMAX], ki[KEYMAX],
	    pfx[KEYMAX];
	const char    *args[6];
	enum sg_result rv;

	new_gen(gen);
	user_tag(&s->params.keys, user, strlen(user), tag);
	args[0] = key(ku, s, tag, "user:", user);
	args[1] = key(ki, s, tag, "idx:", user);
	args[2] = hash;
	args[3] = gen;
	args[4] = key(pfx, s, tag, "s:", "");
	args[5] = expect_gen != NULL ? expect_gen : "";
	rv = count_reply(rs, eval(rs, &lua_passwd, 2, 6, args), ended);
	if (rv == SG_OK)
		memcpy(new_gen_out, gen, STORE_GENLEN);
	return rv;
}

static enum sg_result
redis_user_del(struct store *s, const char *user, int *ended)
{
	return user_script((struct redis_store *)s, &lua_user_del, user, NULL,
	    0, ended);
}

static enum sg_result
redis_user_add(struct store *s, const char *user, const char *hash)
{
	struct redis_store *rs = (struct redis_store *)s;
	char		    k[KEYMAX], gen[STORE_GENLEN];
	const char	   *args[4];

	new_gen(gen);
	args[0] = user_key(k, s, "user:", user);
	args[1] = user;
	args[2] = hash;
	args[3] = gen;
	return yes_no(rs, eval(rs, &lua_user_add, 1, 4, args), SG_EXISTS);
}

static enum sg_result
redis_user_rehash(struct store *s, const char *user, const char *old,
    const char *gen, const char *hash)
{
	struct redis_store *rs = (struct redis_store *)s;
	char		    k[KEYMAX];
	const char	   *args[4];

	args[0] = user_key(k, s, "user:", user);
	args[1] = old;
	args[2] = hash;
	args[3] = gen;
	return yes_no(rs, eval(rs, &lua_rehash, 1, 4, args), SG_DENY);
}

static int
copy_field(char *dst, size_t dstlen, const redisReply *r)
{
	if (r->type != REDIS_REPLY_STRING || r->len >= dstlen ||
	    memchr(r->str, '\0', r->len) != NULL)
		return -1;
	memcpy(dst, r->str, r->len);
	dst[r->len] = '\0';
	return 0;
}

/* Read a user: a single HMGET, atomic on its own. */
static enum sg_result
redis_user_get(struct store *s, const char *user, struct store_user *u)
{
	struct redis_store *rs = (struct redis_store *)s;
	char		    k[KEYMAX];
	const char	   *argv[5] = { "HMGET", NULL, "name", "pw", "gen" };
	redisReply	   *r;
	enum sg_result	    rv = SG_UNAVAILABLE;

	argv[1] = user_key(k, s, "user:", user);
	if ((r = command(rs, 5, argv)) == NULL)
		return SG_UNAVAILABLE;
	if (r->type != REDIS_REPLY_ARRAY || r->elements != 3)
		seterr(rs, "redis HMGET: unexpected reply");
	else if (r->element[0]->type == REDIS_REPLY_NIL)
		rv = SG_NO_USER;
	else if (copy_field(u->name, sizeof(u->name), r->element[0]) == -1 ||
	    strcmp(u->name, user) != 0 ||
	    copy_field(u->pwhash, sizeof(u->pwhash), r->element[1]) == -1 ||
	    copy_field(u->gen, sizeof(u->gen), r->element[2]) == -1)
		seterr(rs, "redis: malformed user record for %s", user);
	else
		rv = SG_OK;
	freeReplyObject(r);
	return rv;
}

static int
list_entry(struct redis_store *rs, redisReply **e, store_list_cb cb, void *arg)
{
	struct store_session ss;

	if (copy_field(ss.id, sizeof(ss.id), e[0]) == -1 ||
	    e[1]->type != REDIS_REPLY_STRING ||
	    record_decode(&ss.rec, e[1]->str, e[1]->len) == -1 ||
	    e[2]->type != REDIS_REPLY_INTEGER) {
		seterr(rs, "redis: malformed session record");
		return -1;
	}
	ss.ttl = e[2]->integer;
	return cb(&ss, arg);
}

static enum sg_result
redis_list(struct store *s, const char *user, store_list_cb cb, void *arg)
{
	struct redis_store *rs = (struct redis_store *)s;
	char	    tag[TOKEN_TAGLEN + 1], ki[KEYMAX], ku[KEYMAX], pfx[KEYMAX];
	const char *args[3];
	redisReply *r;
	size_t	    i;
	int	    rv = 0;

	user_tag(&s->params.keys, user, strlen(user), tag);
	args[0] = key(ki, s, tag, "idx:", user);
	args[1] = key(ku, s, tag, "user:", user);
	args[2] = key(pfx, s, tag, "s:", "");
	if ((r = eval(rs, &lua_list, 2, 3, args)) == NULL)
		return SG_UNAVAILABLE;
	if (r->type != REDIS_REPLY_ARRAY || r->elements % 3 != 0) {
		seterr(rs, "redis script list: unexpected reply");
		rv = -1;
	}
	for (i = 0; rv == 0 && i < r->elements; i += 3)
		rv = list_entry(rs, r->element + i, cb, arg);
	freeReplyObject(r);
	return rv == -1 ? SG_UNAVAILABLE : SG_OK;
}

static enum sg_result
redis_revoke(struct store *s, const char *user, const char *id)
{
	struct redis_store *rs = (struct redis_store *)s;
	char		    tag[TOKEN_TAGLEN + 1], ki[KEYMAX], pfx[KEYMAX];
	const char	   *args[3];

	user_tag(&s->params.keys, user, strlen(user), tag);
	args[0] = key(ki, s, tag, "idx:", user);
	args[1] = id;
	args[2] = key(pfx, s, tag, "s:", "");
	return yes_no(rs, eval(rs, &lua_revoke, 1, 3, args), SG_DENY);
}

/* The key of a failure counter. */
static const char *
fail_key(char buf[KEYMAX], const struct store *s, enum store_counter c,
    const char *name)
{
	if (c == STORE_FAIL_USER)
		return user_key(buf, s, "fail:", name);
	snprintf(buf, KEYMAX, "%sfail-%s:%s", s->params.key_prefix,
	    c == STORE_FAIL_ADDR ? "addr" : "unknown", name);
	return buf;
}

/* fail.lua on one counter: one key, one slot, one round trip. */
static enum sg_result
redis_fail(struct store *s, enum store_counter c, const char *name,
    enum store_fail_op op, int64_t *count, int64_t *retry_ms)
{
	static const char *const ops[] = { "try", "undo", "clear" };
	struct redis_store	*rs = (struct redis_store *)s;
	char			 k[KEYMAX], win[24];
	const char		*args[3];
	redisReply		*r;
	enum sg_result		 rv = SG_UNAVAILABLE;

	snprintf(win, sizeof(win), "%lld",
	    (long long)s->params.login_failure_window);
	args[0] = fail_key(k, s, c, name);
	args[1] = win;
	args[2] = ops[op];
	if ((r = eval(rs, &lua_fail, 1, 3, args)) == NULL)
		return SG_UNAVAILABLE;
	if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
	    r->element[0]->type != REDIS_REPLY_INTEGER ||
	    r->element[1]->type != REDIS_REPLY_INTEGER)
		seterr(rs, "redis script fail: unexpected reply");
	else {
		*count = r->element[0]->integer;
		*retry_ms =
		    r->element[1]->integer > 0 ? r->element[1]->integer : 0;
		rv = SG_OK;
	}
	freeReplyObject(r);
	return rv;
}

/*
 * End every indexed session of name under the old tag: with del 0 by
 * destroy_all (a new gen too, if the record is still there, which ends
 * those the index lost track of), with del 1 by user_del (the record is
 * deleted with them). Sessions ended are counted in out.
 */
static int
rekey_end(struct redis_store *rs, const char *tag, const char *name, int del,
    struct store_rekey *out)
{
	struct store *s = &rs->base;
	char	      gen[STORE_GENLEN], ku[KEYMAX], ki[KEYMAX], pfx[KEYMAX];
	const char   *args[4];
	const struct lua_script *sc;
	int			 argc = 2, n = 0;

	args[0] = key(ku, s, tag, "user:", name);
	args[1] = key(ki, s, tag, "idx:", name);
	if (!del) {
		new_gen(gen);
		args[argc++] = gen;
	}
	args[argc++] = key(pfx, s, tag, "s:", "");
	/* SG_NO_USER (the record moved): its sessions ended all the same */
	sc = del ? &lua_user_del : &lua_destroy_all;
	if (count_reply(rs, eval(rs, sc, 2, argc, args), &n) == SG_UNAVAILABLE)
		return -1;
	out->ended += n;
	return 0;
}

/* DEL of the old tag's failure counter of name (it may run twice). */
static int
rekey_forget(struct redis_store *rs, const char *tag, const char *name)
{
	char	    k[KEYMAX];
	const char *argv[2] = { "DEL", NULL };
	long long   v;

	argv[1] = key(k, &rs->base, tag, "fail:", name);
	return integer_reply(rs, command(rs, 2, argv), &v);
}

/*
 * If key k is the record of a user under its tag for old: end its
 * sessions there, then move it to its tag under the store's keys, or
 * delete it if a user of that name is there already. 0 (counted in out,
 * or not ours), -1 error.
 */
static int
rekey_one(struct redis_store *rs, const struct user_keys *old, const char *k,
    size_t klen, struct store_rekey *out)
{
	struct store *s = &rs->base;
	char	      tag[TOKEN_TAGLEN + 1], expect[KEYMAX], nk[KEYMAX];
	const char   *name, *args[3];
	long long     v;

	if ((name = memmem(k, klen, "}:user:", 7)) == NULL)
		return 0;
	name += 7;
	if (!user_name_valid(name, klen - (size_t)(name - k)))
		return 0;
	user_tag(old, name, strlen(name), tag);
	if (strcmp(key(expect, s, tag, "user:", name), k) != 0)
		return 0; /* not under its old tag: not ours to move */
	user_key(nk, s, "user:", name);
	if (strcmp(nk, k) == 0)
		return 0;
	/* first end its sessions: a moved record carries the new gen */
	if (rekey_end(rs, tag, name, 0, out) == -1)
		return -1;
	args[0] = k;
	args[1] = nk;
	args[2] = name;
	if (integer_reply(rs, eval(rs, &lua_user_move, 2, 3, args), &v) == -1)
		return -1;
	if (v == -1)
		return 0; /* not a user record of that name: left alone */
	out->moved += v == 1;
	out->removed += v == 0;
	/*
	 * Whatever is left under the old tag goes: sessions a gate still on
	 * the old secret made meanwhile, and the record not moved (v == 0).
	 */
	if (rekey_end(rs, tag, name, v == 0, out) == -1 ||
	    rekey_forget(rs, tag, name) == -1)
		return -1;
	return 0;
}

/* prefix for a SCAN MATCH pattern: its glob characters escaped. */
static void
glob_escape(char *out, size_t outlen, const char *prefix)
{
	size_t n = 0;

	for (; *prefix != '\0' && n + 2 < outlen; prefix++) {
		if (strchr("*?[]\\", *prefix) != NULL)
			out[n++] = '\\';
		out[n++] = *prefix;
	}
	out[n] = '\0';
}

/* SCAN for P{*}:user:* and move each user whose key its old tag names. */
static enum sg_result
redis_users_rekey(struct store *s, const struct user_keys *old,
    struct store_rekey *out)
{
	struct redis_store *rs = (struct redis_store *)s;
	char		    cursor[32] = "0", match[KEYMAX];
	const char	   *argv[6] = { "SCAN", cursor, "MATCH", match, "COUNT",
			"1000" };
	redisReply	   *r;
	size_t		    i;
	int		    n = 0;

	glob_escape(match, sizeof(match) - 12, s->params.key_prefix);
	strcat(match, "{*}:user:*");
	do {
		if ((r = command(rs, 6, argv)) == NULL)
			return SG_UNAVAILABLE;
		if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
		    r->element[0]->type != REDIS_REPLY_STRING ||
		    r->element[0]->len >= sizeof(cursor) ||
		    r->element[1]->type != REDIS_REPLY_ARRAY) {
			seterr(rs, "redis SCAN: unexpected reply");
			freeReplyObject(r);
			return SG_UNAVAILABLE;
		}
		memcpy(cursor, r->element[0]->str, r->element[0]->len + 1);
		for (i = 0; n != -1 && i < r->element[1]->elements; i++)
			if (r->element[1]->element[i]->type ==
			    REDIS_REPLY_STRING)
				n = rekey_one(rs, old,
				    r->element[1]->element[i]->str,
				    r->element[1]->element[i]->len, out);
		freeReplyObject(r);
		if (n == -1)
			return SG_UNAVAILABLE;
	} while (strcmp(cursor, "0") != 0);
	return SG_OK;
}

/* CONFIG GET maxmemory-policy: one plain command, run twice harmlessly. */
static enum sg_result
redis_maxmemory_policy(struct store *s, char *policy, size_t len)
{
	struct redis_store *rs = (struct redis_store *)s;
	const char	   *argv[3] = { "CONFIG", "GET", "maxmemory-policy" };
	redisReply	   *r;
	enum sg_result	    rv = SG_UNAVAILABLE;

	if ((r = command(rs, 3, argv)) == NULL)
		return SG_UNAVAILABLE;
	if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
	    copy_field(policy, len, r->element[1]) == -1)
		seterr(rs,
		    "redis CONFIG GET maxmemory-policy: unexpected "
		    "reply");
	else
		rv = SG_OK;
	freeReplyObject(r);
	return rv;
}

static void
redis_close(struct store *s)
{
	struct redis_store *rs = (struct redis_store *)s;

	redis_link_close(&rs->link);
	sodium_memzero(&rs->base.params.url, sizeof(rs->base.params.url));
	free(rs);
}

static const struct store_ops redis_ops = {
	.check = redis_check,
	.create = redis_create,
	.destroy = redis_destroy,
	.destroy_all = redis_destroy_all,
	.list = redis_list,
	.revoke = redis_revoke,
	.user_get = redis_user_get,
	.user_add = redis_user_add,
	.user_passwd = redis_user_passwd,
	.user_del = redis_user_del,
	.user_rehash = redis_user_rehash,
	.users_rekey = redis_users_rekey,
	.maxmemory_policy = redis_maxmemory_policy,
	.fail = redis_fail,
	.close = redis_close,
};

struct store *
store_redis_open(const struct store_params *p)
{
	struct redis_store *rs;

	if ((rs = calloc(1, sizeof(*rs))) == NULL)
		return NULL;
	rs->base.ops = &redis_ops;
	rs->base.params = *p;
	if (redis_link_init(&rs->link, &rs->base.params.url, p->timeout,
		p->replicas_ack, rs->base.err, sizeof(rs->base.err)) == -1) {
		sodium_memzero(&rs->base.params.url,
		    sizeof(rs->base.params.url));
		free(rs);
		return NULL;
	}
	snprintf(rs->idle, sizeof(rs->idle), "%lld",
	    (long long)p->idle_timeout);
	return &rs->base;
}
