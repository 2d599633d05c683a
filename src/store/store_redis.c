/*
 * store_redis.c: the Redis store.
 *
 * One connection per store (per thread), made on first use and again on
 * the next use after any error. Every operation is one Lua script of
 * src/store/lua/ sent with EVALSHA, or EVAL when Redis answers NOSCRIPT (after
 * a restart or SCRIPT FLUSH): one round trip in the normal case.
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
#include "store/store_backend.h"

#define KEYMAX 256
#define ARGMAX 12

struct redis_store {
	struct store		base;
	redisContext	       *c;
	const struct redis_url *url; /* base.params.url */
	struct timeval		timeout;
	char			idle[24]; /* idle_timeout in ms, as text */
	int dead; /* the last command found the connection closed */
};

#define seterr(rs, ...) store_seterr(&(rs)->base, __VA_ARGS__)

static void
disconnect(struct redis_store *rs)
{
	if (rs->c != NULL)
		redisFree(rs->c);
	rs->c = NULL;
}

/* Send a command on a connected context; NULL (and disconnected) on error. */
static redisReply *
send_argv(struct redis_store *rs, int argc, const char **argv)
{
	size_t	    lens[ARGMAX + 3];
	redisReply *r;
	int	    i;

	for (i = 0; i < argc; i++)
		lens[i] = strlen(argv[i]);
	rs->dead = 0;
	if ((r = redisCommandArgv(rs->c, argc, argv, lens)) == NULL) {
		/* closed or reset by the server (a restart), not a timeout */
		rs->dead = rs->c->err == REDIS_ERR_EOF ||
		    (rs->c->err == REDIS_ERR_IO &&
			(errno == ECONNRESET || errno == EPIPE));
		seterr(rs, "redis: %s",
		    rs->c->errstr[0] ? rs->c->errstr : "connection lost");
		disconnect(rs);
	}
	return r;
}

/* A command whose reply must be +OK (AUTH, SELECT) at connect time. */
static int
setup_command(struct redis_store *rs, int argc, const char **argv)
{
	redisReply *r;

	if ((r = send_argv(rs, argc, argv)) == NULL)
		return -1;
	if (r->type == REDIS_REPLY_ERROR) {
		seterr(rs, "redis %s: %s", argv[0], r->str);
		freeReplyObject(r);
		disconnect(rs);
		return -1;
	}
	freeReplyObject(r);
	return 0;
}

static int
auth_and_select(struct redis_store *rs)
{
	const char *argv[3];
	char	    db[16];

	if (rs->url->password[0] != '\0') {
		argv[0] = "AUTH";
		if (rs->url->user[0] != '\0') {
			argv[1] = rs->url->user;
			argv[2] = rs->url->password;
		} else
			argv[1] = rs->url->password;
		if (setup_command(rs, rs->url->user[0] ? 3 : 2, argv) == -1)
			return -1;
	}
	if (rs->url->db != 0) {
		snprintf(db, sizeof(db), "%d", rs->url->db);
		argv[0] = "SELECT";
		argv[1] = db;
		if (setup_command(rs, 2, argv) == -1)
			return -1;
	}
	return 0;
}

static int
connect_store(struct redis_store *rs)
{
	if (rs->c != NULL)
		return 0;
	if (rs->url->is_unix)
		rs->c = redisConnectUnixWithTimeout(rs->url->path, rs->timeout);
	else
		rs->c = redisConnectWithTimeout(rs->url->host, rs->url->port,
		    rs->timeout);
	if (rs->c == NULL || rs->c->err) {
		seterr(rs, "redis connect %s: %s",
		    rs->url->is_unix ? rs->url->path : rs->url->host,
		    rs->c != NULL ? rs->c->errstr : "out of memory");
		disconnect(rs);
		return -1;
	}
	if (redisSetTimeout(rs->c, rs->timeout) != REDIS_OK) {
		seterr(rs, "redis: cannot set the command timeout");
		disconnect(rs);
		return -1;
	}
	return auth_and_select(rs);
}

/*
 * Error replies that mean this server cannot serve us as things stand
 * (a replica after a failover, a restart that lost AUTH, a loading
 * dataset): drop the connection so that the next use connects afresh.
 */
static void
error_reply(struct redis_store *rs, const char *what, const char *err)
{
	static const char *const fatal[] = { "READONLY", "NOAUTH", "LOADING",
		"MASTERDOWN", "NOPERM", "WRONGPASS", NULL };
	size_t			 i;

	seterr(rs, "redis %s: %s", what, err);
	for (i = 0; fatal[i] != NULL; i++)
		if (strncmp(err, fatal[i], strlen(fatal[i])) == 0) {
			disconnect(rs);
			return;
		}
}

/*
 * Scripts that may run twice for one request without harm: a connection
 * found closed when the command was sent (Redis restarted, or dropped us)
 * is replaced and the script sent once more, so that the first request
 * after a restart gets its answer instead of a 503. Not create (a session
 * whose answer was lost would count against the cap and could turn the
 * retry into a 409), not passwd, user_add, user_del, revoke or user_move
 * (the retry would report "stale", "exists" or "none" for what the lost
 * answer did), not fail (an attempt counted twice).
 */
static int
retry_safe(const struct lua_script *sc)
{
	return sc == &lua_check || sc == &lua_destroy ||
	    sc == &lua_destroy_all || sc == &lua_list || sc == &lua_rehash;
}

/* A command for a connection that is up; NULL on any error. */
static redisReply *
command_once(struct redis_store *rs, int argc, const char **argv)
{
	redisReply *r;

	if (connect_store(rs) == -1 || (r = send_argv(rs, argc, argv)) == NULL)
		return NULL;
	if (r->type == REDIS_REPLY_ERROR) {
		error_reply(rs, argv[0], r->str);
		freeReplyObject(r);
		return NULL;
	}
	return r;
}

/* A read-only command (HMGET, SCAN): retried once on a closed connection. */
static redisReply *
command(struct redis_store *rs, int argc, const char **argv)
{
	redisReply *r;
	int	    reused = rs->c != NULL;

	if ((r = command_once(rs, argc, argv)) == NULL && reused && rs->dead)
		r = command_once(rs, argc, argv);
	return r;
}

/* Run a script with nkeys keys followed by ARGV, all in args. */
static redisReply *
eval_once(struct redis_store *rs, const struct lua_script *sc, int nkeys,
    int nargs, const char **args)
{
	const char *argv[ARGMAX + 3];
	char	    nk[8];
	redisReply *r;

	snprintf(nk, sizeof(nk), "%d", nkeys);
	argv[0] = "EVALSHA";
	argv[1] = sc->sha1;
	argv[2] = nk;
	memcpy(argv + 3, args, (size_t)nargs * sizeof(*args));
	if (connect_store(rs) == -1 ||
	    (r = send_argv(rs, nargs + 3, argv)) == NULL)
		return NULL;
	if (r->type == REDIS_REPLY_ERROR &&
	    strncmp(r->str, "NOSCRIPT", 8) == 0) {
		freeReplyObject(r);
		argv[0] = "EVAL";
		argv[1] = sc->text;
		if ((r = send_argv(rs, nargs + 3, argv)) == NULL)
			return NULL;
	}
	if (r->type == REDIS_REPLY_ERROR) {
		error_reply(rs, sc->name, r->str);
		freeReplyObject(r);
		return NULL;
	}
	return r;
}

static redisReply *
eval(struct redis_store *rs, const struct lua_script *sc, int nkeys, int nargs,
    const char **args)
{
	redisReply *r;
	int	    reused = rs->c != NULL;

	if ((r = eval_once(rs, sc, nkeys, nargs, args)) == NULL && reused &&
	    rs->dead && retry_safe(sc))
		r = eval_once(rs, sc, nkeys, nargs, args);
	return r;
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

static enum sg_result
redis_check(struct store *s, const struct token *t,
    char user[USER_NAME_MAX + 1])
{
	struct redis_store *rs = (struct redis_store *)s;
	char		    id[TOKEN_IDLEN + 1], k[KEYMAX], ku[KEYMAX];
	const char	   *args[3];
	redisReply	   *r;
	enum sg_result	    rv = SG_UNAVAILABLE;

	token_id(t, id);
	args[0] = key(k, s, t->tag, "s:", id);
	args[1] = rs->idle;
	args[2] = key(ku, s, t->tag, "user:", "");
	if ((r = eval(rs, &lua_check, 1, 3, args)) == NULL)
		return SG_UNAVAILABLE;
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
 * Move the user of one key, if the key is a user record under its tag
 * for old: 1 moved, 0 not ours or kept, -1 error; *kept counted.
 */
static int
rekey_one(struct redis_store *rs, const struct user_keys *old, const char *k,
    size_t klen, int *kept)
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
	args[0] = k;
	args[1] = nk;
	args[2] = name;
	if (integer_reply(rs, eval(rs, &lua_user_move, 2, 3, args), &v) == -1)
		return -1;
	*kept += v == 0;
	return v == 1;
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
redis_users_rekey(struct store *s, const struct user_keys *old, int *moved,
    int *kept)
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
				REDIS_REPLY_STRING &&
			    (n = rekey_one(rs, old,
				 r->element[1]->element[i]->str,
				 r->element[1]->element[i]->len, kept)) > 0)
				(*moved)++;
		freeReplyObject(r);
		if (n == -1)
			return SG_UNAVAILABLE;
	} while (strcmp(cursor, "0") != 0);
	return SG_OK;
}

static void
redis_close(struct store *s)
{
	struct redis_store *rs = (struct redis_store *)s;

	disconnect(rs);
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
	rs->url = &rs->base.params.url;
	rs->timeout.tv_sec = p->timeout / 1000;
	rs->timeout.tv_usec = (p->timeout % 1000) * 1000;
	snprintf(rs->idle, sizeof(rs->idle), "%lld",
	    (long long)p->idle_timeout);
	return &rs->base;
}
