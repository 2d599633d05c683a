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
 *   Psecret-id       string: the fingerprint of the secret the users were
 *                    made under (user_secret_id), never the secret
 * ID is token_id() of the secret, never the secret. The braces make every
 * key of one user hash to the same Redis Cluster slot; the cookie carries
 * T, so the check finds the slot from the cookie alone. Each script
 * touches the keys of one slot only, and declares every key it touches
 * (KEYS): in a Redis Cluster, a script is sent where its keys are, and a
 * slot being moved may hold some of a user's keys on each node. So the
 * scripts that act on the sessions in an index get their keys from a
 * ZRANGE read just before, and the operations that end sessions are one
 * script per key: the one that ends them (a session's DEL, or the user's
 * new generation), then the clean-up of the index and the records.
 * (One exception, outside a cluster only: check.lua builds the user key
 * from the record's user, to cost one round trip; a lone Redis holds
 * every key. In a cluster it is declared.)
 */
#include "store/store_redis.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <hiredis/hiredis.h>
#include <sodium.h>

#include "core/log.h"
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
 * sweep may: it removes records that are dead already.
 */
static int
script_flags(const struct lua_script *sc)
{
	static const struct {
		const struct lua_script *sc;
		int			 flags;
	} t[] = {
		{ &lua_check, LINK_IDEMPOTENT },
		{ &lua_confirm, LINK_IDEMPOTENT },
		{ &lua_list, LINK_IDEMPOTENT },
		{ &lua_destroy, LINK_IDEMPOTENT | LINK_DURABLE },
		{ &lua_destroy_all, LINK_IDEMPOTENT | LINK_DURABLE },
		{ &lua_passwd, LINK_DURABLE },
		{ &lua_user_del, LINK_DURABLE },
		{ &lua_revoke, LINK_DURABLE },
		{ &lua_create, LINK_DURABLE },
		{ &lua_sweep, LINK_IDEMPOTENT },
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

/* The members of an index, and their session keys, as read by ZRANGE. */
struct members {
	redisReply *r;	  /* the ZRANGE reply: r->element[i]->str is an id */
	char	   *keys; /* n keys of KEYMAX bytes: prefix .. id */
	size_t	    n;
};

static void
members_free(struct members *m)
{
	if (m->r != NULL)
		freeReplyObject(m->r);
	free(m->keys);
	memset(m, 0, sizeof(*m));
}

static const char *
members_key(const struct members *m, size_t i)
{
	return m->keys + i * KEYMAX;
}

/*
 * Read the index ki (ZRANGE, every member) and make each member's session
 * key, pfx .. id: SG_OK, or SG_UNAVAILABLE with the error set.
 */
static enum sg_result
members_read(struct redis_store *rs, const char *ki, const char *pfx,
    size_t newest, struct members *m)
{
	const char *argv[4] = { "ZRANGE", NULL, "0", "-1" };
	char	    start[24];
	redisReply *e;
	size_t	    i;

	memset(m, 0, sizeof(*m));
	argv[1] = ki;
	if (newest > 0) { /* the last newest members: the newest sessions */
		snprintf(start, sizeof(start), "-%zu", newest);
		argv[2] = start;
	}
	if ((m->r = command(rs, 4, argv)) == NULL)
		return SG_UNAVAILABLE;
	if (m->r->type != REDIS_REPLY_ARRAY) {
		seterr(rs, "redis ZRANGE: unexpected reply");
		goto fail;
	}
	m->n = m->r->elements;
	if (m->n > 0 && (m->keys = calloc(m->n, KEYMAX)) == NULL) {
		seterr(rs, "redis ZRANGE: out of memory");
		goto fail;
	}
	for (i = 0; i < m->n; i++) {
		e = m->r->element[i];
		if (e->type != REDIS_REPLY_STRING || e->len > TOKEN_IDLEN ||
		    memchr(e->str, '\0', e->len) != NULL) {
			seterr(rs, "redis: malformed session index %s", ki);
			goto fail;
		}
		snprintf(m->keys + i * KEYMAX, KEYMAX, "%s%s", pfx, e->str);
	}
	return SG_OK;
fail:
	members_free(m);
	return SG_UNAVAILABLE;
}

/*
 * A script whose KEYS are nkeys fixed keys then the session keys of m,
 * followed by nargs ARGV: run it.
 */
static redisReply *
eval_members(struct redis_store *rs, const struct lua_script *sc,
    const char **keys, int nkeys, const struct members *m, const char **argv,
    int nargs)
{
	const char **args;
	redisReply  *r;
	size_t	     i, n = 0;

	if (m->n > 100000 ||
	    (args = calloc((size_t)nkeys + m->n + (size_t)nargs,
		 sizeof(*args))) == NULL) {
		seterr(rs, "redis script %s: out of memory", sc->name);
		return NULL;
	}
	for (i = 0; i < (size_t)nkeys; i++)
		args[n++] = keys[i];
	for (i = 0; i < m->n; i++)
		args[n++] = members_key(m, i);
	for (i = 0; i < (size_t)nargs; i++)
		args[n++] = argv[i];
	r = eval(rs, sc, nkeys + (int)m->n, (int)n, args);
	free(args);
	return r;
}

/* ZREM ids from the index ki: 0, or -1 with the error set. */
static int
index_remove(struct redis_store *rs, const char *ki, const char **ids,
    size_t nids)
{
	const char **argv;
	redisReply  *r;
	size_t	     i;

	if (nids == 0)
		return 0;
	if ((argv = calloc(nids + 2, sizeof(*argv))) == NULL) {
		seterr(rs, "redis ZREM: out of memory");
		return -1;
	}
	argv[0] = "ZREM";
	argv[1] = ki;
	for (i = 0; i < nids; i++)
		argv[i + 2] = ids[i];
	r = command(rs, (int)nids + 2, argv);
	free(argv);
	if (r == NULL)
		return -1;
	freeReplyObject(r);
	return 0;
}

/*
 * Remove the records of a user's indexed sessions but those made under
 * gen ("": all of them), one sweep.lua per session key, then their ids
 * from the index; *ended counts the records removed. The user's new
 * generation, or its deletion, is what ends the sessions (check.lua
 * compares the generation), so a failure here is logged, not returned:
 * check.lua removes such a record when it is presented, list.lua and
 * create.lua prune the index.
 */
static void
sweep(struct redis_store *rs, const char *tag, const char *user,
    const char *gen, int *ended)
{
	struct members m;
	char	       ki[KEYMAX], pfx[KEYMAX];
	const char   **ids = NULL, *args[2];
	size_t	       i, nids = 0;
	long long      v;

	*ended = 0;
	key(ki, &rs->base, tag, "idx:", user);
	key(pfx, &rs->base, tag, "s:", "");
	if (members_read(rs, ki, pfx, 0, &m) != SG_OK)
		goto fail;
	if (m.n > 0 && (ids = calloc(m.n, sizeof(*ids))) == NULL) {
		seterr(rs, "redis: out of memory");
		goto fail;
	}
	args[1] = gen;
	for (i = 0; i < m.n; i++) {
		args[0] = members_key(&m, i);
		if (integer_reply(rs, eval(rs, &lua_sweep, 1, 2, args), &v) ==
		    -1)
			goto fail;
		*ended += v == 1;
		if (v >= 0)
			ids[nids++] = m.r->element[i]->str;
	}
	if (index_remove(rs, ki, ids, nids) == -1)
		goto fail;
	free(ids);
	members_free(&m);
	return;
fail:
	log_warnx("redis: removing the session records of %s: %s (the "
		  "user's generation ends the sessions all the same)",
	    user, rs->base.err);
	free(ids);
	members_free(&m);
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
redis_check(struct store *s, const struct token *t, unsigned flags,
    struct store_seen *seen)
{
	struct redis_store *rs = (struct redis_store *)s;
	char	       id[TOKEN_IDLEN + 1], k[KEYMAX], ku[KEYMAX], pfx[KEYMAX];
	const char    *args[5];
	redisReply   **e;
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
	args[nkeys + 2] = flags & STORE_CHECK_PASSIVE ? "1" : "0";
	if ((r = eval(rs, &lua_check, nkeys, nkeys + 3, args)) == NULL)
		return SG_UNAVAILABLE;
	rv = SG_UNAVAILABLE;
	e = r->element;
	if (r->type == REDIS_REPLY_NIL)
		rv = SG_DENY;
	else if (r->type == REDIS_REPLY_ARRAY && r->elements == 5 &&
	    e[0]->type == REDIS_REPLY_STRING &&
	    user_name_valid(e[0]->str, e[0]->len) &&
	    e[1]->type == REDIS_REPLY_INTEGER && e[1]->integer >= 0 &&
	    e[2]->type == REDIS_REPLY_INTEGER && e[2]->integer >= 0 &&
	    e[3]->type == REDIS_REPLY_INTEGER && e[3]->integer >= 0 &&
	    e[4]->type == REDIS_REPLY_INTEGER) {
		memcpy(seen->user, e[0]->str, e[0]->len);
		seen->user[e[0]->len] = '\0';
		seen->confirmed = e[1]->integer;
		seen->now = e[2]->integer;
		seen->lifetime = e[3]->integer;
		seen->remembered = e[4]->integer == 1;
		rv = SG_OK;
	} else
		seterr(rs, "redis script check: unexpected reply");
	freeReplyObject(r);
	return rv;
}

/*
 * End the sessions create.lua evicted but could not reach (their keys
 * were not declared: added by a login in parallel, after the index was
 * read): 0, or -1 with the error set.
 */
static int
create_evict(struct redis_store *rs, const char *tag, const char *user,
    redisReply **ids, size_t n)
{
	char	    k[KEYMAX];
	const char *args[2];
	long long   v;
	size_t	    i;

	for (i = 0; i < n; i++) {
		if (ids[i]->type != REDIS_REPLY_STRING ||
		    ids[i]->len != TOKEN_IDLEN) {
			seterr(rs, "redis script create: unexpected reply");
			return -1;
		}
		args[0] = key(k, &rs->base, tag, "s:", ids[i]->str);
		args[1] = user;
		if (integer_reply(rs, eval(rs, &lua_revoke, 1, 2, args), &v) ==
		    -1)
			return -1;
	}
	return 0;
}

/*
 * The evicted ids of create.lua's reply, n of them from e on, into ev: 0,
 * or -1 if the reply is not that.
 */
static int
create_evicted(redisReply **e, size_t n, struct store_evicted *ev)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (e[i]->type != REDIS_REPLY_STRING ||
		    e[i]->len != TOKEN_IDLEN)
			return -1;
		if (i < STORE_EVICTED_MAX)
			memcpy(ev->ids[i], e[i]->str, TOKEN_IDLEN + 1);
	}
	ev->n = (int)n;
	return 0;
}

static enum sg_result
create_reply(struct redis_store *rs, redisReply *r, const char *tag,
    const char *user, int64_t *created, struct store_evicted *ev)
{
	enum sg_result rv = SG_UNAVAILABLE;
	size_t	       n;

	if (r->type != REDIS_REPLY_ARRAY || r->elements < 1 ||
	    r->element[0]->type != REDIS_REPLY_INTEGER)
		seterr(rs, "redis script create: unexpected reply");
	else if (r->element[0]->integer == 1 && r->elements >= 3 &&
	    r->element[1]->type == REDIS_REPLY_INTEGER &&
	    r->element[2]->type == REDIS_REPLY_INTEGER &&
	    r->element[2]->integer >= 0 &&
	    (size_t)r->element[2]->integer <= r->elements - 3) {
		*created = r->element[1]->integer;
		n = (size_t)r->element[2]->integer;
		if (create_evicted(r->element + 3, n, ev) == -1)
			seterr(rs, "redis script create: unexpected reply");
		else if (create_evict(rs, tag, user, r->element + 3 + n,
			     r->elements - 3 - n) == 0)
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

/*
 * create.lua with the session keys of the index's members declared: the
 * index is read first (one more round trip).
 */
static enum sg_result
redis_create(struct store *s, const struct store_user *u, const struct token *t,
    const struct store_login *in, int64_t *created, struct store_evicted *ev)
{
	struct redis_store *rs = (struct redis_store *)s;
	char id[TOKEN_IDLEN + 1], k1[KEYMAX], k2[KEYMAX], k3[KEYMAX],
	    pfx[KEYMAX], abs[24], max[24];
	const char    *keys[3], *argv[11];
	struct members m;
	redisReply    *r;

	token_id(t, id);
	snprintf(abs, sizeof(abs), "%lld", (long long)in->lifetime);
	snprintf(max, sizeof(max), "%u", s->params.max_sessions);
	keys[0] = key(k1, s, t->tag, "s:", id);
	keys[1] = key(k2, s, t->tag, "idx:", u->name);
	keys[2] = key(k3, s, t->tag, "user:", u->name);
	argv[0] = u->name;
	argv[1] = key(pfx, s, t->tag, "s:", "");
	argv[2] = id;
	argv[3] = rs->idle;
	argv[4] = abs;
	argv[5] = max;
	argv[6] = s->params.reject ? "reject" : "evict-oldest";
	argv[7] = u->gen;
	argv[8] = in->addr;
	argv[9] = in->agent;
	argv[10] = in->remember ? "1" : "0";
	if (members_read(rs, k2, pfx, 0, &m) != SG_OK)
		return SG_UNAVAILABLE;
	r = eval_members(rs, &lua_create, keys, 3, &m, argv, 11);
	members_free(&m);
	if (r == NULL)
		return SG_UNAVAILABLE;
	return create_reply(rs, r, t->tag, u->name, created, ev);
}

/* Step-up: confirm.lua on the session. */
static enum sg_result
redis_confirm(struct store *s, const struct token *t, const char *user)
{
	struct redis_store *rs = (struct redis_store *)s;
	char		    id[TOKEN_IDLEN + 1], k[KEYMAX];
	const char	   *args[2];

	token_id(t, id);
	args[0] = key(k, s, t->tag, "s:", id);
	args[1] = user;
	return yes_no(rs, eval(rs, &lua_confirm, 1, 2, args), SG_DENY);
}

/* logout: destroy.lua on the session, then the id out of its index. */
static enum sg_result
redis_destroy(struct store *s, const struct token *t,
    char user[USER_NAME_MAX + 1])
{
	struct redis_store *rs = (struct redis_store *)s;
	char		    id[TOKEN_IDLEN + 1], k[KEYMAX], ki[KEYMAX];
	const char	   *args[1], *ids[1];
	redisReply	   *r;
	enum sg_result	    rv = SG_OK;

	token_id(t, id);
	args[0] = key(k, s, t->tag, "s:", id);
	if ((r = eval(rs, &lua_destroy, 1, 1, args)) == NULL)
		return SG_UNAVAILABLE;
	if (r->type == REDIS_REPLY_STRING && user_name_valid(r->str, r->len)) {
		memcpy(user, r->str, r->len);
		user[r->len] = '\0';
		ids[0] = id;
		/* the session ended; a stale index entry is pruned later */
		if (index_remove(rs, key(ki, s, t->tag, "idx:", r->str), ids,
			1) == -1)
			log_warnx("redis: logout: %s", rs->base.err);
	} else if (r->type != REDIS_REPLY_INTEGER) {
		seterr(rs, "redis script destroy: unexpected reply");
		rv = SG_UNAVAILABLE;
	}
	freeReplyObject(r);
	return rv;
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
 * The operations that end all of one user's sessions: sc on the user key
 * alone, with its ARGV, ends them all (a new generation, or the user's
 * deletion), and sweep() removes the indexed records, one script per key.
 * With sweep_first, the records go first, then sc: a session is then
 * counted by the one who ended it, whereas after a new generation a
 * check presenting the session would remove its record first. passwd
 * checks the generation it expects before anything changes, so it
 * sweeps after, keeping records made under its new generation gen. sc
 * answers 0, -1 (no such user) or -2 (the generation is not the one
 * expected: nothing changed).
 */
static enum sg_result
user_script_at(struct redis_store *rs, const char *tag,
    const struct lua_script *sc, const char *user, const char **argv, int argc,
    const char *gen, int sweep_first, int *ended)
{
	char	       ku[KEYMAX];
	const char    *args[4];
	int	       i, n = 0, zero = 0;
	enum sg_result rv;

	*ended = 0;
	if (sweep_first)
		sweep(rs, tag, user, "", ended);
	args[n++] = key(ku, &rs->base, tag, "user:", user);
	for (i = 0; i < argc; i++)
		args[n++] = argv[i];
	rv = count_reply(rs, eval(rs, sc, 1, n, args), &zero);
	if (rv == SG_OK && !sweep_first)
		sweep(rs, tag, user, gen, ended);
	return rv;
}

/* user_script_at() under the user's tag of today's secret. */
static enum sg_result
user_script(struct redis_store *rs, const struct lua_script *sc,
    const char *user, const char **argv, int argc, const char *gen,
    int sweep_first, int *ended)
{
	char tag[TOKEN_TAGLEN + 1];

	user_tag(&rs->base.params.keys, user, strlen(user), tag);
	return user_script_at(rs, tag, sc, user, argv, argc, gen, sweep_first,
	    ended);
}

static enum sg_result
redis_destroy_all(struct store *s, const char *user, int *ended)
{
	char	    gen[STORE_GENLEN];
	const char *argv[1] = { gen };

	new_gen(gen);
	return user_script((struct redis_store *)s, &lua_destroy_all, user,
	    argv, 1, gen, 1, ended);
}

static enum sg_result
redis_user_passwd(struct store *s, const char *user, const char *hash,
    const char *expect_gen, char new_gen_out[STORE_GENLEN], int *ended)
{
	char	       gen[STORE_GENLEN];
	const char    *argv[3];
	enum sg_result rv;

	new_gen(gen);
	argv[0] = hash;
	argv[1] = gen;
	argv[2] = expect_gen != NULL ? expect_gen : "";
	rv = user_script((struct redis_store *)s, &lua_passwd, user, argv, 3,
	    gen, 0, ended);
	if (rv == SG_OK)
		memcpy(new_gen_out, gen, STORE_GENLEN);
	return rv;
}

static enum sg_result
redis_user_del(struct store *s, const char *user, int *ended)
{
	return user_script((struct redis_store *)s, &lua_user_del, user, NULL,
	    0, "", 1, ended);
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

/* list.lua with the session keys of the index's members declared. */
static enum sg_result
redis_list(struct store *s, const char *user, size_t newest, store_list_cb cb,
    void *arg)
{
	struct redis_store *rs = (struct redis_store *)s;
	char	    tag[TOKEN_TAGLEN + 1], ki[KEYMAX], ku[KEYMAX], pfx[KEYMAX];
	const char *keys[2], *argv[2];
	struct members m;
	redisReply    *r;
	size_t	       i;
	int	       rv = 0;

	user_tag(&s->params.keys, user, strlen(user), tag);
	keys[0] = key(ki, s, tag, "idx:", user);
	keys[1] = key(ku, s, tag, "user:", user);
	argv[0] = key(pfx, s, tag, "s:", "");
	argv[1] = user;
	if (members_read(rs, ki, pfx, newest, &m) != SG_OK)
		return SG_UNAVAILABLE;
	r = eval_members(rs, &lua_list, keys, 2, &m, argv, 2);
	members_free(&m);
	if (r == NULL)
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

/*
 * revoke.lua on the session key alone (where the session is, whichever
 * node has the index during a slot migration), then the id out of the
 * index.
 */
static enum sg_result
redis_revoke(struct store *s, const char *user, const char *id)
{
	struct redis_store *rs = (struct redis_store *)s;
	char		    tag[TOKEN_TAGLEN + 1], k[KEYMAX], ki[KEYMAX];
	const char	   *args[2], *ids[1] = { id };
	enum sg_result	    rv;

	user_tag(&s->params.keys, user, strlen(user), tag);
	args[0] = key(k, s, tag, "s:", id);
	args[1] = user;
	rv = yes_no(rs, eval(rs, &lua_revoke, 1, 2, args), SG_DENY);
	if (rv == SG_OK &&
	    index_remove(rs, key(ki, s, tag, "idx:", user), ids, 1) == -1)
		log_warnx("redis: session revoke: %s", rs->base.err);
	return rv;
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
 * End every session of name under the old tag: its indexed records swept,
 * then with del 0 destroy_all (a new gen, if the record is still there,
 * which ends those the index lost track of), with del 1 user_del (the
 * record deleted). Records removed are counted in out.
 */
static int
rekey_end(struct redis_store *rs, const char *tag, const char *name, int del,
    struct store_rekey *out)
{
	char	       gen[STORE_GENLEN];
	const char    *argv[1] = { gen };
	int	       n = 0;
	enum sg_result rv;

	new_gen(gen);
	/* SG_NO_USER (the record moved): its sessions ended all the same */
	if (del)
		rv = user_script_at(rs, tag, &lua_user_del, name, NULL, 0, "",
		    1, &n);
	else
		rv = user_script_at(rs, tag, &lua_destroy_all, name, argv, 1,
		    gen, 1, &n);
	if (rv == SG_UNAVAILABLE)
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

typedef int (
    *scan_fn)(struct redis_store *, const char *key, size_t len, void *arg);

/* One SCAN of every key matching match on master i: fn on each. */
static enum sg_result
scan_master(struct redis_store *rs, int i, const char *match, scan_fn fn,
    void *arg)
{
	char	    cursor[32] = "0";
	const char *argv[6] = { "SCAN", cursor, "MATCH", match, "COUNT",
		"1000" };
	redisReply *r, *e;
	size_t	    j;
	int	    n = 0;

	do {
		if ((r = redis_link_command_master(&rs->link, i, 6, argv)) ==
		    NULL)
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
		for (j = 0; n == 0 && j < r->element[1]->elements; j++) {
			e = r->element[1]->element[j];
			if (e->type == REDIS_REPLY_STRING)
				n = fn(rs, e->str, e->len, arg);
		}
		freeReplyObject(r);
		if (n == -1)
			return SG_UNAVAILABLE;
	} while (n == 0 && strcmp(cursor, "0") != 0);
	return SG_OK;
}

/*
 * fn on every key matching the pattern prefix + glob (the prefix's glob
 * characters escaped), on every master (a SCAN reaches one node of a
 * Redis Cluster); a key may come more than once. fn returns 0 to go on,
 * 1 to stop, -1 on an error.
 */
static enum sg_result
scan_all(struct redis_store *rs, const char *glob, scan_fn fn, void *arg)
{
	char	       match[KEYMAX];
	int	       i, n;
	enum sg_result rv = SG_OK;

	glob_escape(match, sizeof(match) - strlen(glob) - 1,
	    rs->base.params.key_prefix);
	strcat(match, glob);
	if ((n = redis_link_masters(&rs->link)) == -1)
		return SG_UNAVAILABLE;
	for (i = 0; rv == SG_OK && i < n; i++)
		rv = scan_master(rs, i, match, fn, arg);
	return rv;
}

/* fn on every user record key (P{*}:user:*). */
static enum sg_result
scan_users(struct redis_store *rs, scan_fn fn, void *arg)
{
	return scan_all(rs, "{*}:user:*", fn, arg);
}

struct rekey_arg {
	const struct user_keys *old;
	struct store_rekey     *out;
};

static int
rekey_key(struct redis_store *rs, const char *k, size_t len, void *arg)
{
	struct rekey_arg *a = arg;

	return rekey_one(rs, a->old, k, len, a->out);
}

/* SCAN for P{*}:user:* and move each user whose key its old tag names. */
static enum sg_result
redis_users_rekey(struct store *s, const struct user_keys *old,
    struct store_rekey *out)
{
	struct rekey_arg a = { old, out };

	return scan_users((struct redis_store *)s, rekey_key, &a);
}

struct users_arg {
	store_user_cb cb;
	void	     *arg;
};

/* A user record's key under its tag for the store's keys: cb(name). */
static int
users_key(struct redis_store *rs, const char *k, size_t len, void *arg)
{
	struct users_arg *a = arg;
	char		  nk[KEYMAX];
	const char	 *name;

	if ((name = memmem(k, len, "}:user:", 7)) == NULL)
		return 0;
	name += 7;
	if (!user_name_valid(name, len - (size_t)(name - k)))
		return 0;
	if (strcmp(user_key(nk, &rs->base, "user:", name), k) != 0)
		return 0; /* under another tag: not a user of these keys */
	return a->cb(name, a->arg) != 0;
}

static enum sg_result
redis_users(struct store *s, store_user_cb cb, void *arg)
{
	struct users_arg a = { cb, arg };

	return scan_users((struct redis_store *)s, users_key, &a);
}

struct fails_arg {
	store_fail_cb cb;
	void	     *arg;
};

/*
 * A failure counter's key into f (kind and name): 0, or -1 if it is not
 * one (a user's counter under a tag other than today's keys give it).
 */
static int
fail_key_parse(const struct store *s, const char *k, size_t len,
    struct store_fail *f)
{
	static const char *const kinds[] = { "fail-addr:", "fail-unknown:" };
	size_t			 pl = strlen(s->params.key_prefix), i, n;
	const char		*name;
	char			 nk[KEYMAX];

	for (i = 0; i < 2; i++) {
		n = strlen(kinds[i]);
		if (len > pl + n && len - pl - n <= USER_NAME_MAX &&
		    memcmp(k + pl, kinds[i], n) == 0) {
			f->kind = i == 0 ? STORE_FAIL_ADDR : STORE_FAIL_UNKNOWN;
			memcpy(f->name, k + pl + n, len - pl - n);
			f->name[len - pl - n] = '\0';
			return 0;
		}
	}
	if ((name = memmem(k, len, "}:fail:", 7)) == NULL)
		return -1;
	name += 7;
	n = len - (size_t)(name - k);
	if (!user_name_valid(name, n))
		return -1;
	memcpy(f->name, name, n);
	f->name[n] = '\0';
	if (strcmp(user_key(nk, s, "fail:", f->name), k) != 0)
		return -1;
	f->kind = STORE_FAIL_USER;
	return 0;
}

/* A failure counter's key: GET and PTTL (gone meanwhile: skipped), cb. */
static int
fails_key(struct redis_store *rs, const char *k, size_t len, void *arg)
{
	struct fails_arg *a = arg;
	struct store_fail f;
	const char	 *get[2] = { "GET", k }, *pttl[2] = { "PTTL", k };
	redisReply	 *r;
	long long	  ttl;
	int		  gone;

	memset(&f, 0, sizeof(f));
	if (fail_key_parse(&rs->base, k, len, &f) == -1)
		return 0;
	if ((r = command(rs, 2, get)) == NULL)
		return -1;
	gone = r->type == REDIS_REPLY_NIL;
	if (!gone && r->type != REDIS_REPLY_STRING) {
		seterr(rs, "redis GET of a counter: unexpected reply");
		freeReplyObject(r);
		return -1;
	}
	if (!gone)
		f.count = strtoll(r->str, NULL, 10);
	freeReplyObject(r);
	if (gone)
		return 0;
	if (integer_reply(rs, command(rs, 2, pttl), &ttl) == -1)
		return -1;
	if (ttl == -2)
		return 0;
	f.ttl = ttl > 0 ? ttl : 0;
	return a->cb(&f, a->arg) != 0;
}

/* SCAN for every failure counter of the three kinds. */
static enum sg_result
redis_fails(struct store *s, store_fail_cb cb, void *arg)
{
	static const char *const globs[] = { "fail-addr:*", "fail-unknown:*",
		"{*}:fail:*" };
	struct redis_store	*rs = (struct redis_store *)s;
	struct fails_arg	 a = { cb, arg };
	enum sg_result		 rv = SG_OK;
	size_t			 i;

	for (i = 0; rv == SG_OK && i < 3; i++)
		rv = scan_all(rs, globs[i], fails_key, &a);
	return rv;
}

/* GET Psecret-id: SG_OK, or SG_DENY if there is none. */
static enum sg_result
redis_secret_id(struct store *s, char *id, size_t len)
{
	struct redis_store *rs = (struct redis_store *)s;
	char		    k[KEYMAX];
	const char	   *argv[2] = { "GET", k };
	redisReply	   *r;
	enum sg_result	    rv = SG_UNAVAILABLE;

	snprintf(k, sizeof(k), "%ssecret-id", s->params.key_prefix);
	if ((r = command(rs, 2, argv)) == NULL)
		return SG_UNAVAILABLE;
	if (r->type == REDIS_REPLY_NIL)
		rv = SG_DENY;
	else if (copy_field(id, len, r) == -1)
		seterr(rs, "redis GET %s: unexpected reply", k);
	else
		rv = SG_OK;
	freeReplyObject(r);
	return rv;
}

/*
 * SET Psecret-id (NX unless replace). Sent again after a lost reply, an
 * NX that landed answers "there already": the caller reads it then.
 */
static enum sg_result
redis_secret_id_set(struct store *s, const char *id, int replace)
{
	struct redis_store *rs = (struct redis_store *)s;
	char		    k[KEYMAX];
	const char	   *argv[4] = { "SET", k, id, "NX" };
	redisReply	   *r;
	enum sg_result	    rv = SG_UNAVAILABLE;

	snprintf(k, sizeof(k), "%ssecret-id", s->params.key_prefix);
	if ((r = command(rs, replace ? 3 : 4, argv)) == NULL)
		return SG_UNAVAILABLE;
	if (r->type == REDIS_REPLY_NIL && !replace)
		rv = SG_EXISTS;
	else if (r->type == REDIS_REPLY_STATUS && strcmp(r->str, "OK") == 0)
		rv = SG_OK;
	else
		seterr(rs, "redis SET %s: unexpected reply", k);
	freeReplyObject(r);
	return rv;
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

/* PING every master: a status reply, or a bulk echo, from each. */
static enum sg_result
redis_ping(struct store *s)
{
	struct redis_store *rs = (struct redis_store *)s;
	const char	   *argv[2] = { "PING", "sessgate" };
	redisReply	   *r;
	int		    i, n, ok = 1;

	if ((n = redis_link_masters(&rs->link)) < 0)
		return SG_UNAVAILABLE;
	for (i = 0; i < n && ok; i++) {
		if ((r = redis_link_command_master(&rs->link, i, 2, argv)) ==
		    NULL)
			return SG_UNAVAILABLE;
		ok = r->type == REDIS_REPLY_STATUS ||
		    r->type == REDIS_REPLY_STRING;
		if (!ok)
			seterr(rs, "redis PING: unexpected reply");
		freeReplyObject(r);
	}
	return ok ? SG_OK : SG_UNAVAILABLE;
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
	.confirm = redis_confirm,
	.destroy = redis_destroy,
	.destroy_all = redis_destroy_all,
	.list = redis_list,
	.revoke = redis_revoke,
	.users = redis_users,
	.user_get = redis_user_get,
	.user_add = redis_user_add,
	.user_passwd = redis_user_passwd,
	.user_del = redis_user_del,
	.user_rehash = redis_user_rehash,
	.users_rekey = redis_users_rekey,
	.secret_id = redis_secret_id,
	.secret_id_set = redis_secret_id_set,
	.maxmemory_policy = redis_maxmemory_policy,
	.ping = redis_ping,
	.fail = redis_fail,
	.fails = redis_fails,
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
