/*
 * The Redis store against a real redis-server (started by store.sh):
 * every script, the cap under parallel creates, idle and absolute
 * timeouts, revocation races, round trips counted with MONITOR, and that
 * no raw token ever reaches Redis.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <hiredis/hiredis.h>
#include <sodium.h>

#include "config/config.h"
#include "core/token.h"
#include "core/user.h"
#include "session/password.h"
#include "session/session.h"
#include "store/store.h"

static const char   *port, *sock;
static redisContext *admin;
static int	     prefix_seq;

static void
msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1)
		;
}

/* A store at url with this key prefix and extra configuration. */
static struct store *
open_store_prefix(const char *url, const char *extra, const char *prefix)
{
	struct config c;
	struct store *s;
	char	      text[1024], err[CONFIG_ERRLEN];

	snprintf(text, sizeof(text),
	    "redis = %s\nkey_prefix = %s\n"
	    "redis_timeout = 500ms\n%s",
	    url, prefix, extra);
	assert_int_equal(config_defaults(&c), 0);
	if (config_parse(&c, "test", text, strlen(text), err, sizeof(err)) != 0)
		fail_msg("config: %s", err);
	s = session_store_open(&c);
	assert_non_null(s);
	config_free(&c);
	return s;
}

/* A store with its own key prefix, so tests never see each other's keys. */
static struct store *
open_store_url(const char *url, const char *extra, char *prefix, size_t plen)
{
	snprintf(prefix, plen, "t%d:", ++prefix_seq);
	return open_store_prefix(url, extra, prefix);
}

static struct store *
open_store(const char *extra, char *prefix, size_t plen)
{
	char url[128];

	snprintf(url, sizeof(url), "redis://127.0.0.1:%s/0", port);
	return open_store_url(url, extra, prefix, plen);
}

/* The shared cases' store: one with a key prefix of its own. */
static struct store *
contract_open(const char *extra)
{
	char p[16];

	return open_store(extra, p, sizeof(p));
}

/* Redis's clock, in ms: let it move on. */
static void
contract_tick(void)
{
	msleep(5);
}

#include "../store_contract.h"

static long long
admin_int(const char *fmt, const char *arg)
{
	redisReply *r = redisCommand(admin, fmt, arg);
	long long   v;

	assert_non_null(r);
	assert_int_equal(r->type, REDIS_REPLY_INTEGER);
	v = r->integer;
	freeReplyObject(r);
	return v;
}

/* GET of a counter, as a number (0 if absent). */
static long long
admin_get(const char *k)
{
	redisReply *r = redisCommand(admin, "GET %s", k);
	long long   v = 0;

	assert_non_null(r);
	if (r->type == REDIS_REPLY_STRING)
		v = atoll(r->str);
	else
		assert_int_equal(r->type, REDIS_REPLY_NIL);
	freeReplyObject(r);
	return v;
}

struct racer {
	char		   prefix[16];
	const char	  *extra;
	struct token	   t;
	int64_t		   created;
	enum sg_result	   rv;
	pthread_barrier_t *go;
};

static void *
create_thread(void *arg)
{
	struct racer	 *r = arg;
	struct store	 *s;
	struct store_user u;
	char		  tag[TOKEN_TAGLEN + 1], text[256], err[256];
	struct config	  c;

	snprintf(text, sizeof(text),
	    "redis = redis://127.0.0.1:%s/0\n"
	    "key_prefix = %s\n%s",
	    port, r->prefix, r->extra);
	config_defaults(&c);
	if (config_parse(&c, "t", text, strlen(text), err, sizeof(err)) != 0)
		abort();
	s = session_store_open(&c);
	config_free(&c);
	/* Connect and read the user before the barrier: only creates race. */
	if (store_user_get(s, "carol", &u) != SG_OK)
		abort();
	user_tag(&pub, "carol", 5, tag);
	token_new(&r->t, tag);
	pthread_barrier_wait(r->go);
	r->rv = store_session_create(s, &u, &r->t, NULL, &r->created, NULL);
	store_close(s);
	return NULL;
}

/* 50 threads, each with its own connection, create at once. */
static void
race_creates(const char *extra, struct racer *rs, size_t n, struct store **sp)
{
	pthread_t	  th[64];
	pthread_barrier_t go;
	struct store_user u;
	char		  p[16];
	size_t		  i;

	*sp = open_store(extra, p, sizeof(p));
	add_user(*sp, "carol", &u);
	pthread_barrier_init(&go, NULL, (unsigned)n);
	for (i = 0; i < n; i++) {
		snprintf(rs[i].prefix, sizeof(rs[i].prefix), "%s", p);
		rs[i].extra = extra;
		rs[i].go = &go;
		assert_int_equal(
		    pthread_create(&th[i], NULL, create_thread, &rs[i]), 0);
	}
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&go);
}

static void
test_cap_evict_oldest_parallel(void **state)
{
	struct racer  rs[50];
	struct store *s;
	int64_t	      third = 0, c;
	size_t	      i, j, live = 0, newer;

	(void)state;
	race_creates("max_sessions = 3\n", rs, 50, &s);
	for (i = 0; i < 50; i++)
		assert_int_equal(rs[i].rv, SG_OK);
	/* the three largest creation times */
	for (i = 0; i < 50; i++) {
		newer = 0;
		for (j = 0; j < 50; j++)
			if (rs[j].created > rs[i].created)
				newer++;
		if (newer == 2)
			third = rs[i].created;
	}
	assert_true(third > 0);
	for (i = 0; i < 50; i++) {
		c = check(s, &rs[i].t);
		assert_int_not_equal(c, SG_UNAVAILABLE);
		live += c == SG_OK;
		if (c == SG_OK)
			assert_true(rs[i].created >= third);
		else
			assert_true(rs[i].created < third);
	}
	assert_int_equal(live, 3);
	store_close(s);
}

static void
test_cap_reject_parallel(void **state)
{
	struct racer  rs[50];
	struct store *s;
	size_t	      i, ok = 0, limit = 0, live = 0;

	(void)state;
	race_creates("max_sessions = 3\nsession_limit = reject\n", rs, 50, &s);
	for (i = 0; i < 50; i++) {
		ok += rs[i].rv == SG_OK;
		limit += rs[i].rv == SG_LIMIT;
		live += check(s, &rs[i].t) == SG_OK;
	}
	assert_int_equal(ok, 3);
	assert_int_equal(limit, 47);
	assert_int_equal(live, 3);
	store_close(s);
}

static void
test_idle_timeout_slides(void **state)
{
	struct store	 *s;
	struct store_user u;
	struct token	  t, idle;
	char		  p[16];
	int		  i;

	(void)state;
	s = open_store("idle_timeout = 1s\nabsolute_timeout = 60s\n", p,
	    sizeof(p));
	add_user(s, "dave", &u);
	new_session(s, &u, &t);
	new_session(s, &u, &idle);
	/* Used every 400 ms for 2.4 s: well past one idle period. */
	for (i = 0; i < 6; i++) {
		msleep(400);
		assert_int_equal(check(s, &t), SG_OK);
	}
	assert_int_equal(check(s, &idle),
	    SG_DENY); /* unused: ended after 1 s */
	msleep(1300);
	assert_int_equal(check(s, &t), SG_DENY); /* now unused for 1.3 s */
	store_close(s);
}

/* A passive check answers like any other but never slides. */
static void
test_passive_check_does_not_slide(void **state)
{
	struct store	 *s;
	struct store_user u;
	struct store_seen seen;
	struct token	  t, active;
	char		  p[16];
	int		  i;

	(void)state;
	s = open_store("idle_timeout = 1s\nabsolute_timeout = 60s\n", p,
	    sizeof(p));
	add_user(s, "polly", &u);
	new_session(s, &u, &t);
	new_session(s, &u, &active);
	/* polled every 250 ms: live, and still ends 1 s after its login */
	for (i = 0; i < 2; i++) {
		msleep(250);
		assert_int_equal(
		    store_session_seen(s, &t, STORE_CHECK_PASSIVE, &seen),
		    SG_OK);
		assert_string_equal(seen.user, "polly");
		assert_int_equal(check(s, &active), SG_OK);
	}
	msleep(800);
	assert_int_equal(store_session_seen(s, &t, STORE_CHECK_PASSIVE, &seen),
	    SG_DENY);
	assert_int_equal(check(s, &active), SG_OK); /* slid all along */
	store_close(s);
}

static void
test_absolute_timeout(void **state)
{
	struct store	 *s;
	struct store_user u;
	struct token	  t;
	char		  p[16];
	int		  i, alive = 0;

	(void)state;
	s = open_store("idle_timeout = 1s\nabsolute_timeout = 2s\n", p,
	    sizeof(p));
	add_user(s, "erin", &u);
	new_session(s, &u, &t);
	/* Checked every 300 ms: alive until 2 s, dead from then on. */
	for (i = 0; i < 6; i++) {
		msleep(300);
		alive += check(s, &t) == SG_OK;
	}
	assert_int_equal(alive, 6); /* 1.8 s: still inside */
	msleep(400);
	assert_int_equal(check(s, &t), SG_DENY); /* 2.2 s: past the deadline */
	store_close(s);
}

static void
test_ttl_never_past_deadline(void **state)
{
	struct store	 *s;
	struct store_user u;
	struct token	  t;
	char		  p[16], id[TOKEN_IDLEN + 1], k[256];
	long long	  pttl;

	(void)state;
	s = open_store("idle_timeout = 10s\nabsolute_timeout = 12s\n", p,
	    sizeof(p));
	add_user(s, "fred", &u);
	new_session(s, &u, &t);
	token_id(&t, id);
	snprintf(k, sizeof(k), "%s{%s}:s:%s", p, t.tag, id);
	pttl = admin_int("PTTL %s", k);
	assert_true(pttl > 9000 && pttl <= 10000);
	msleep(2500);
	assert_int_equal(check(s, &t), SG_OK);
	pttl = admin_int("PTTL %s", k);
	/* min(idle 10 s, 12 s - 2.5 s elapsed) = 9.5 s */
	assert_true(pttl > 9000 && pttl <= 9500);
	store_close(s);
}

struct checker {
	struct token t;
	char	     prefix[16];
	volatile int stop, revoked;
	int	     after_revoke_ok, errors;
};

static void *
check_thread(void *arg)
{
	struct checker *c = arg;
	struct store   *s;
	struct config	cfg;
	char		text[256], err[256];
	int		rv, revoked;

	snprintf(text, sizeof(text),
	    "redis = redis://127.0.0.1:%s/0\n"
	    "key_prefix = %s\n",
	    port, c->prefix);
	config_defaults(&cfg);
	if (config_parse(&cfg, "t", text, strlen(text), err, sizeof(err)) != 0)
		abort();
	s = session_store_open(&cfg);
	config_free(&cfg);
	while (!c->stop) {
		revoked = c->revoked;
		rv = check(s, &c->t);
		if (rv == SG_UNAVAILABLE)
			c->errors++;
		if (revoked && rv == SG_OK)
			c->after_revoke_ok++;
	}
	store_close(s);
	return NULL;
}

static void
test_check_racing_revoke(void **state)
{
	int		  n;
	struct checker	  c[2];
	struct store	 *s;
	struct store_user u;
	pthread_t	  th[2];
	char		  p[16], id[TOKEN_IDLEN + 1], k[256];
	int		  round, i;

	(void)state;
	s = open_store("max_sessions = 0\n", p, sizeof(p));
	add_user(s, "jill", &u);
	for (round = 0; round < 20; round++) {
		for (i = 0; i < 2; i++) {
			memset(&c[i], 0, sizeof(c[i]));
			snprintf(c[i].prefix, sizeof(c[i].prefix), "%s", p);
			new_session(s, &u, &c[i].t);
			pthread_create(&th[i], NULL, check_thread, &c[i]);
		}
		msleep(5 + round);
		assert_int_equal(store_session_destroy(s, &c[0].t, NULL),
		    SG_OK);
		c[0].revoked = 1;
		assert_int_equal(store_session_destroy_all(s, "jill", &n),
		    SG_OK);
		assert_int_equal(n, 1);
		c[1].revoked = 1;
		/* logout everywhere gave jill a new generation */
		assert_int_equal(store_user_get(s, "jill", &u), SG_OK);
		msleep(10);
		for (i = 0; i < 2; i++) {
			c[i].stop = 1;
			pthread_join(th[i], NULL);
			assert_int_equal(c[i].after_revoke_ok, 0);
			assert_int_equal(c[i].errors, 0);
			token_id(&c[i].t, id);
			snprintf(k, sizeof(k), "%s{%s}:s:%s", p, c[i].t.tag,
			    id);
			assert_int_equal(admin_int("EXISTS %s", k), 0);
		}
	}
	store_close(s);
}

/* Read MONITOR lines until the marker; count what clients sent. */
static int
monitored_commands(redisContext *mon, const char *marker, char *first,
    size_t flen)
{
	redisReply *r;
	int	    n = 0;

	first[0] = '\0';
	for (;;) {
		assert_int_equal(redisGetReply(mon, (void **)&r), REDIS_OK);
		assert_int_equal(r->type, REDIS_REPLY_STATUS);
		if (strstr(r->str, marker) != NULL) {
			freeReplyObject(r);
			return n;
		}
		if (strstr(r->str, " lua] ") == NULL) {
			if (n++ == 0)
				snprintf(first, flen, "%s", r->str);
		}
		freeReplyObject(r);
	}
}

static void
test_one_round_trip_per_check(void **state)
{
	struct store	 *s;
	struct store_user u;
	struct token	  t;
	redisContext	 *mon;
	redisReply	 *r;
	char		  p[16], first[1024];
	int		  i;

	(void)state;
	s = open_store("", p, sizeof(p));
	add_user(s, "kate", &u);
	new_session(s, &u, &t);
	assert_int_equal(check(s, &t), SG_OK); /* connected, script cached */
	mon = redisConnect("127.0.0.1", atoi(port));
	assert_non_null(mon);
	r = redisCommand(mon, "MONITOR");
	assert_string_equal(r->str, "OK");
	freeReplyObject(r);
	for (i = 0; i < 3; i++) {
		assert_int_equal(check(s, &t), SG_OK);
		freeReplyObject(redisCommand(admin, "ECHO marker-%d", i));
		assert_int_equal(
		    monitored_commands(mon, "marker-", first, sizeof(first)),
		    1);
		assert_non_null(strstr(first, "\"EVALSHA\""));
	}
	/* After SCRIPT FLUSH: NOSCRIPT, then EVAL; then one again. */
	freeReplyObject(redisCommand(admin, "SCRIPT FLUSH"));
	assert_int_equal(monitored_commands(mon, "FLUSH", first, sizeof(first)),
	    0);
	assert_int_equal(check(s, &t), SG_OK);
	freeReplyObject(redisCommand(admin, "ECHO marker-x"));
	assert_int_equal(
	    monitored_commands(mon, "marker-", first, sizeof(first)), 2);
	assert_int_equal(check(s, &t), SG_OK);
	freeReplyObject(redisCommand(admin, "ECHO marker-y"));
	assert_int_equal(
	    monitored_commands(mon, "marker-", first, sizeof(first)), 1);
	redisFree(mon);
	store_close(s);
}

/* Does needle (len bytes) occur in any key or value under prefix? */
static int
redis_holds(const char *prefix, const void *needle, size_t len)
{
	redisReply *keys, *v;
	size_t	    i, j;
	int	    found = 0;

	keys = redisCommand(admin, "KEYS %s*", prefix);
	assert_true(keys->elements > 0);
	for (i = 0; i < keys->elements; i++) {
		const char *k = keys->element[i]->str;

		if (memmem(k, keys->element[i]->len, needle, len) != NULL)
			found = 1;
		v = redisCommand(admin, "DUMP %s", k);
		assert_int_equal(v->type, REDIS_REPLY_STRING);
		if (memmem(v->str, v->len, needle, len) != NULL)
			found = 1;
		freeReplyObject(v);
		v = redisCommand(admin, "TYPE %s", k);
		if (strcmp(v->str, "zset") == 0) {
			freeReplyObject(v);
			v = redisCommand(admin, "ZRANGE %s 0 -1", k);
		} else if (strcmp(v->str, "hash") == 0) {
			freeReplyObject(v);
			v = redisCommand(admin, "HGETALL %s", k);
		} else {
			freeReplyObject(v);
			v = redisCommand(admin, "GET %s", k);
		}
		if (v->type == REDIS_REPLY_STRING &&
		    memmem(v->str, v->len, needle, len) != NULL)
			found = 1;
		for (j = 0; v->type == REDIS_REPLY_ARRAY && j < v->elements;
		     j++)
			if (memmem(v->element[j]->str, v->element[j]->len,
				needle, len) != NULL)
				found = 1;
		freeReplyObject(v);
	}
	freeReplyObject(keys);
	return found;
}

static void
test_no_raw_token_in_redis(void **state)
{
	struct store	 *s;
	struct store_user u;
	struct token	  t[3];
	char		  p[16], v[TOKEN_COOKIELEN + 1], id[TOKEN_IDLEN + 1],
	    hex[TOKEN_BYTES * 2 + 1];
	int i;

	(void)state;
	s = open_store("max_sessions = 0\n", p, sizeof(p));
	add_user(s, "liam", &u);
	for (i = 0; i < 3; i++)
		new_session(s, &u, &t[i]);
	assert_int_equal(check(s, &t[0]), SG_OK);
	assert_int_equal(store_session_destroy(s, &t[2], NULL), SG_OK);
	for (i = 0; i < 3; i++) {
		assert_int_equal(token_encode(&t[i], v, sizeof(v)), 0);
		/* the secret: base64url, raw, hex, and a 12-char slice of it */
		assert_false(
		    redis_holds(p, v + TOKEN_TAGLEN + 1, TOKEN_B64LEN));
		assert_false(redis_holds(p, v + TOKEN_TAGLEN + 10, 12));
		assert_false(redis_holds(p, t[i].secret, TOKEN_BYTES));
		sodium_bin2hex(hex, sizeof(hex), t[i].secret, TOKEN_BYTES);
		assert_false(redis_holds(p, hex, 24));
	}
	/* what Redis does hold: the hash (control: the search works) */
	token_id(&t[0], id);
	assert_true(redis_holds(p, id, TOKEN_IDLEN));
	store_close(s);
}

static void
test_expired_entries_pruned(void **state)
{
	struct store	 *s;
	struct store_user u;
	struct token	  t[3], fresh;
	char		  p[16], k[256];
	int		  i;

	(void)state;
	s = open_store("idle_timeout = 1s\nabsolute_timeout = 1s\n"
		       "max_sessions = 3\n",
	    p, sizeof(p));
	add_user(s, "olga", &u);
	for (i = 0; i < 3; i++)
		new_session(s, &u, &t[i]);
	msleep(1200);
	new_session(s, &u, &fresh);
	snprintf(k, sizeof(k), "%s{%s}:idx:olga", p, fresh.tag);
	assert_int_equal(admin_int("ZCARD %s", k), 1);
	assert_int_equal(check(s, &fresh), SG_OK);
	store_close(s);
}

static void
test_connections(void **state)
{
	struct store	 *s;
	struct store_user u;
	struct token	  t;
	char		  p[16], url[256];

	(void)state;
	/* ACL user, database 2 */
	snprintf(url, sizeof(url), "redis://app:app-secret@127.0.0.1:%s/2",
	    port);
	s = open_store_url(url, "", p, sizeof(p));
	add_user(s, "pat", &u);
	new_session(s, &u, &t);
	assert_int_equal(check(s, &t), SG_OK);
	store_close(s);
	/* the same keys over the Unix socket, database 2 */
	snprintf(url, sizeof(url), "unix:%s?db=2", sock);
	s = open_store_prefix(url, "", p);
	assert_int_equal(check(s, &t), SG_OK);
	store_close(s);
	/* database 0 does not have them */
	snprintf(url, sizeof(url), "redis://127.0.0.1:%s/0", port);
	s = open_store_prefix(url, "", p);
	assert_int_equal(check(s, &t), SG_DENY);
	store_close(s);
	/* a wrong password is an error, never "no session" */
	snprintf(url, sizeof(url), "redis://app:wrong@127.0.0.1:%s/2", port);
	s = open_store_url(url, "", p, sizeof(p));
	assert_int_equal(check(s, &t), SG_UNAVAILABLE);
	assert_non_null(strstr(store_error(s), "AUTH"));
	store_close(s);
}

/* Another store on the same prefix (no extra configuration). */
static struct store *
open_store_prefix_ext(const char *prefix)
{
	char url[128];

	snprintf(url, sizeof(url), "redis://127.0.0.1:%s/0", port);
	return open_store_prefix(url, "", prefix);
}

/* Close every client connection but the admin's. */
static void
kill_clients(void)
{
	redisReply *r =
	    redisCommand(admin, "CLIENT KILL TYPE normal SKIPME yes");

	assert_non_null(r);
	freeReplyObject(r);
}

static void
test_unreachable_then_reconnect(void **state)
{
	struct store	 *s;
	struct store_user u;
	struct token	  t;
	struct timespec	  t0, t1;
	char		  p[16];
	long		  ms;

	(void)state;
	s = open_store_url("redis://127.0.0.1:1/0", "", p, sizeof(p));
	token_new(&t, "AAAAAAAAAAAAAAAA");
	assert_int_equal(check(s, &t), SG_UNAVAILABLE);
	assert_non_null(strstr(store_error(s), "connect"));
	store_close(s);
	/*
	 * A kept connection the server closed (a restart, CLIENT KILL) is
	 * found before use and replaced: not even the next check fails.
	 */
	s = open_store("", p, sizeof(p));
	add_user(s, "quin", &u);
	new_session(s, &u, &t);
	kill_clients();
	assert_int_equal(check(s, &t), SG_OK);
	/* the same before a create, which is never sent twice */
	kill_clients();
	new_session(s, &u, &t);
	assert_int_equal(check(s, &t), SG_OK);
	/* nor a command that timed out: Redis is slow, not gone */
	freeReplyObject(redisCommand(admin, "CLIENT PAUSE 3000 WRITE"));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(check(s, &t), SG_UNAVAILABLE);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	freeReplyObject(redisCommand(admin, "CLIENT UNPAUSE"));
	ms = (t1.tv_sec - t0.tv_sec) * 1000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000;
	/* one redis_timeout (500 ms), not two: a resend would take 1000 */
	assert_true(ms >= 400 && ms < 1000);
	assert_int_equal(check(s, &t), SG_OK);
	store_close(s);
}

/*
 * Redis restarted (SHUTDOWN, then the script store.sh gave us starts it
 * again on the same port): the first check on the old connection gets
 * its answer, not a 503.
 */
static void
test_redis_restart(void **state)
{
	struct store	 *s, *s2;
	struct store_user u;
	struct token	  t;
	const char	 *restart = getenv("SG_REDIS_RESTART");
	char		  p[16];
	redisReply	 *r;

	(void)state;
	if (restart == NULL)
		fail_msg("SG_REDIS_RESTART is not set (run through store.sh)");
	s = open_store("", p, sizeof(p));
	add_user(s, "rolf", &u);
	new_session(s, &u, &t);
	assert_int_equal(check(s, &t), SG_OK); /* connected, script loaded */
	r = redisCommand(admin, "SHUTDOWN NOSAVE");
	freeReplyObject(r);
	redisFree(admin);
	assert_int_equal(system(restart), 0);
	assert_non_null(admin = redisConnect("127.0.0.1", atoi(port)));
	assert_int_equal(admin->err, 0);
	/* the data went with the old server: make it again, elsewhere */
	s2 = open_store_prefix_ext(p);
	add_user(s2, "rolf", &u);
	new_session(s2, &u, &t);
	store_close(s2);
	/* s still holds the connection the old server closed */
	assert_int_equal(check(s, &t), SG_OK);
	store_close(s);
}

/* An error reply that means "wrong server state" drops the connection. */
static void
test_state_errors_reconnect(void **state)
{
	struct store	 *s;
	struct store_user u;
	struct token	  t;
	redisReply	 *r;
	char		  p[16], url[256];

	(void)state;
	snprintf(url, sizeof(url), "redis://app:app-secret@127.0.0.1:%s/0",
	    port);
	s = open_store_url(url, "", p, sizeof(p));
	add_user(s, "uwe", &u);
	new_session(s, &u, &t);
	/* the ACL user loses its rights: NOPERM on its live connection */
	freeReplyObject(redisCommand(admin, "ACL SETUSER app -@all"));
	assert_int_equal(check(s, &t), SG_UNAVAILABLE);
	assert_non_null(strstr(store_error(s), "NOPERM"));
	r = redisCommand(admin, "CLIENT LIST");
	assert_int_equal(r->type, REDIS_REPLY_STRING);
	assert_null(strstr(r->str, " user=app ")); /* the store hung up */
	freeReplyObject(r);
	freeReplyObject(redisCommand(admin, "ACL SETUSER app +@all"));
	assert_int_equal(check(s, &t), SG_OK);
	store_close(s);
}

/*
 * A TCP proxy in front of Redis that can lose one command: drop it and
 * hang up (PROXY_DROP: it never ran), or pass it on and hang up before
 * the reply (PROXY_NO_REPLY: it ran, the client never hears of it).
 */
enum proxy_mode {
	PROXY_PASS,
	PROXY_DROP,
	PROXY_NO_REPLY
};

struct proxy {
	int	     lfd, port, cfd, ufd;
	volatile int mode, stop;
	volatile int skip; /* requests passed before mode applies */
	pthread_t    th;
};

static void
proxy_hangup(struct proxy *px)
{
	if (px->cfd != -1)
		close(px->cfd);
	if (px->ufd != -1)
		close(px->ufd);
	px->cfd = px->ufd = -1;
}

static void
proxy_accept(struct proxy *px)
{
	struct sockaddr_in a;

	proxy_hangup(px);
	px->cfd = accept(px->lfd, NULL, NULL);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)atoi(port));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	px->ufd = socket(AF_INET, SOCK_STREAM, 0);
	if (px->cfd == -1 ||
	    connect(px->ufd, (struct sockaddr *)&a, sizeof(a)) == -1)
		abort();
}

/* Bytes from the client: pass them on, or lose them as mode says. */
static void
proxy_request(struct proxy *px, char *buf, ssize_t n)
{
	if (n > 0 && px->mode != PROXY_PASS && px->skip > 0) {
		px->skip--;
		if (write(px->ufd, buf, (size_t)n) != n)
			abort();
		return;
	}
	if (n <= 0 || px->mode == PROXY_DROP) {
		px->mode = PROXY_PASS;
		proxy_hangup(px);
		return;
	}
	if (write(px->ufd, buf, (size_t)n) != n)
		abort();
	if (px->mode == PROXY_NO_REPLY) {
		/* wait for Redis's answer, so that the command surely ran */
		if (read(px->ufd, buf, 65536) <= 0)
			abort();
		px->mode = PROXY_PASS;
		proxy_hangup(px);
	}
}

static void *
proxy_thread(void *arg)
{
	struct proxy *px = arg;
	struct pollfd pf[3];
	char	      buf[65536];
	ssize_t	      n;

	while (!px->stop) {
		pf[0] = (struct pollfd){ px->lfd, POLLIN, 0 };
		pf[1] = (struct pollfd){ px->cfd, POLLIN, 0 };
		pf[2] = (struct pollfd){ px->ufd, POLLIN, 0 };
		if (poll(pf, 3, 50) <= 0)
			continue;
		if (pf[0].revents & POLLIN)
			proxy_accept(px);
		else if (pf[1].revents & (POLLIN | POLLHUP))
			proxy_request(px, buf, read(px->cfd, buf, sizeof(buf)));
		else if (pf[2].revents & (POLLIN | POLLHUP)) {
			n = read(px->ufd, buf, sizeof(buf));
			if (n <= 0 || write(px->cfd, buf, (size_t)n) != n)
				proxy_hangup(px);
		}
	}
	proxy_hangup(px);
	return NULL;
}

static void
proxy_start(struct proxy *px)
{
	struct sockaddr_in a;
	socklen_t	   len = sizeof(a);

	memset(px, 0, sizeof(*px));
	px->cfd = px->ufd = -1;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	px->lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(bind(px->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(px->lfd, 8), 0);
	assert_int_equal(getsockname(px->lfd, (struct sockaddr *)&a, &len), 0);
	px->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&px->th, NULL, proxy_thread, px), 0);
}

static void
proxy_stop(struct proxy *px)
{
	px->stop = 1;
	pthread_join(px->th, NULL);
	close(px->lfd);
}

/*
 * A command lost with its connection is sent once more on a new one
 * only if running it twice does no harm: checks and logouts are, a
 * login is not (README, "High availability").
 */
static void
test_lost_commands(void **state)
{
	struct proxy	  px;
	struct store	 *s;
	struct store_user u;
	struct token	  t[2], late;
	char		  p[16], url[128];
	int64_t		  created;

	(void)state;
	proxy_start(&px);
	snprintf(url, sizeof(url), "redis://127.0.0.1:%d/0", px.port);
	s = open_store_url(url, "max_sessions = 2\n", p, sizeof(p));
	add_user(s, "vera", &u);
	new_session(s, &u, &t[0]);
	assert_int_equal(check(s, &t[0]), SG_OK); /* scripts cached */
	/* a check that never arrived, and one whose answer was lost */
	px.mode = PROXY_DROP;
	assert_int_equal(check(s, &t[0]), SG_OK);
	assert_int_equal(px.mode, PROXY_PASS);
	px.mode = PROXY_NO_REPLY;
	assert_int_equal(check(s, &t[0]), SG_OK);
	assert_int_equal(px.mode, PROXY_PASS);
	/* a logout whose answer was lost: sent again, harmlessly */
	new_session(s, &u, &t[1]);
	px.mode = PROXY_NO_REPLY;
	assert_int_equal(store_session_destroy(s, &t[1], NULL), SG_OK);
	assert_int_equal(check(s, &t[1]), SG_DENY);
	/*
	 * A login whose answer was lost: 503, not sent again. It did run,
	 * and sent again it would have found its own session at the cap of
	 * 2 and evicted t[0]; SET NX would then refuse the same id. (The
	 * login reads the index first: that read passes.)
	 */
	token_new(&late, t[0].tag);
	px.skip = 1;
	px.mode = PROXY_NO_REPLY;
	assert_int_equal(
	    store_session_create(s, &u, &late, NULL, &created, NULL),
	    SG_UNAVAILABLE);
	assert_int_equal(check(s, &t[0]), SG_OK);
	assert_int_equal(check(s, &late), SG_OK);
	assert_int_equal(store_session_destroy(s, &late, NULL), SG_OK);
	/* one that never arrived is a 503 too: the store cannot tell */
	token_new(&late, t[0].tag);
	px.skip = 1;
	px.mode = PROXY_DROP;
	assert_int_equal(
	    store_session_create(s, &u, &late, NULL, &created, NULL),
	    SG_UNAVAILABLE);
	assert_int_equal(check(s, &late), SG_DENY);
	assert_int_equal(check(s, &t[0]), SG_OK);
	store_close(s);
	proxy_stop(&px);
}

/*
 * redis_replicas_ack with too few replicas: logins and revocations run
 * on the master but fail (503) after waiting redis_timeout; checks and
 * reads do not wait.
 */
static void
test_replicas_ack_unmet(void **state)
{
	struct store	 *s;
	struct store_user u;
	struct token	  t;
	char		  p[16], tag[TOKEN_TAGLEN + 1];
	int64_t		  created;
	struct timespec	  a, b;
	long		  ms;
	int		  n;

	(void)state;
	s = open_store("redis_replicas_ack = 1\nredis_timeout = 200ms\n", p,
	    sizeof(p));
	assert_int_equal(store_user_add(s, "wes", HASH), SG_OK);
	assert_int_equal(store_user_get(s, "wes", &u), SG_OK);
	user_tag(&pub, "wes", 3, tag);
	token_new(&t, tag);
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(store_session_create(s, &u, &t, NULL, &created, NULL),
	    SG_UNAVAILABLE);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	assert_true(ms >= 190 && ms < 1500);
	assert_non_null(strstr(store_error(s), "0 of 1 replicas"));
	/* it ran on the master all the same; a check does not wait */
	assert_int_equal(check(s, &t), SG_OK);
	assert_int_equal(store_session_destroy(s, &t, NULL), SG_UNAVAILABLE);
	assert_int_equal(check(s, &t), SG_DENY);
	assert_int_equal(store_session_destroy_all(s, "wes", &n),
	    SG_UNAVAILABLE);
	assert_int_equal(store_user_del(s, "wes", &n), SG_UNAVAILABLE);
	assert_int_equal(store_user_get(s, "wes", &u), SG_NO_USER);
	store_close(s);
}

static void
test_failure_counters(void **state)
{
	struct store *s;
	char	      p[16], k[128];
	int64_t	      n, retry;

	(void)state;
	s = open_store("login_failure_window = 30s\n", p, sizeof(p));
	assert_int_equal(
	    store_fail_attempt(s, STORE_FAIL_USER, "rita", &n, &retry), SG_OK);
	assert_int_equal(n, 1); /* counted first: this attempt included */
	assert_true(retry > 29000 && retry <= 30000);
	assert_int_equal(
	    store_fail_attempt(s, STORE_FAIL_USER, "rita", &n, &retry), SG_OK);
	assert_int_equal(n, 2);
	assert_int_equal(store_fail_attempt(s, STORE_FAIL_ADDR,
			     "2001:db8:1:2::/64", &n, &retry),
	    SG_OK);
	assert_int_equal(n, 1);
	assert_int_equal(
	    store_fail_attempt(s, STORE_FAIL_UNKNOWN, "0a1f", &n, &retry),
	    SG_OK);
	assert_int_equal(n, 1);
	/* one key per counter, each with the window as its TTL */
	snprintf(k, sizeof(k), "%sfail-addr:2001:db8:1:2::/64", p);
	assert_int_equal(admin_int("EXISTS %s", k), 1);
	assert_true(admin_int("PTTL %s", k) > 29000);
	snprintf(k, sizeof(k), "%sfail-unknown:0a1f", p);
	assert_int_equal(admin_int("EXISTS %s", k), 1);
	/* undo takes one back, never below zero; clear forgets */
	assert_int_equal(store_fail_undo(s, STORE_FAIL_USER, "rita"), SG_OK);
	assert_int_equal(
	    store_fail_attempt(s, STORE_FAIL_USER, "rita", &n, &retry), SG_OK);
	assert_int_equal(n, 2);
	assert_int_equal(store_fail_clear(s, STORE_FAIL_USER, "rita"), SG_OK);
	assert_int_equal(store_fail_undo(s, STORE_FAIL_USER, "rita"), SG_OK);
	assert_int_equal(
	    store_fail_attempt(s, STORE_FAIL_USER, "rita", &n, &retry), SG_OK);
	assert_int_equal(n, 1);
	/* names that are not counter names never reach Redis */
	assert_int_equal(
	    store_fail_attempt(s, STORE_FAIL_ADDR, "a b{x}", &n, &retry),
	    SG_UNAVAILABLE);
	assert_int_equal(
	    store_fail_attempt(s, STORE_FAIL_UNKNOWN, "xyz", &n, &retry),
	    SG_UNAVAILABLE);
	assert_int_equal(
	    store_fail_attempt(s, STORE_FAIL_USER, "bad name", &n, &retry),
	    SG_UNAVAILABLE);
	store_close(s);
}

/*
 * A session lives only while its user has the generation it was made
 * under, whether or not the user's index still names it; the index lives
 * as long as its longest session.
 */
static void
test_sessions_the_index_lost(void **state)
{
	struct store	 *a, *b;
	struct store_user u;
	struct token	  old, young, t;
	struct listed	  l = { 0 };
	char		  p[16], url[128], k[256], id[TOKEN_IDLEN + 1];
	int		  n, op;

	(void)state;
	a = open_store("idle_timeout = 1h\nabsolute_timeout = 1h\n"
		       "max_sessions = 0\n",
	    p, sizeof(p));
	snprintf(url, sizeof(url), "redis://127.0.0.1:%s/0", port);
	/* another sessgate on the prefix, or this one after a reload */
	b = open_store_prefix(url,
	    "idle_timeout = 1s\nabsolute_timeout = 2s\nmax_sessions = 0\n", p);
	add_user(a, "vera", &u);
	new_session(a, &u, &old);
	new_session(b, &u, &young);
	snprintf(k, sizeof(k), "%s{%s}:idx:vera", p, old.tag);
	assert_true(admin_int("PTTL %s", k) > 3500000); /* not cut to 2 s */
	assert_int_equal(store_session_list(a, "vera", collect, &l), SG_OK);
	assert_int_equal(l.n, 2);
	assert_int_equal(store_user_passwd(a, "vera", HASH, NULL, NULL, &n),
	    SG_OK);
	assert_int_equal(n, 2);
	assert_int_equal(check(a, &old), SG_DENY);
	/* the index gone (expired under an older release, deleted): a
	 * password change, logout everywhere and the user's deletion end
	 * the session all the same */
	for (op = 0; op < 3; op++) {
		assert_int_equal(store_user_get(a, "vera", &u), SG_OK);
		new_session(a, &u, &t);
		assert_int_equal(admin_int("DEL %s", k), 1);
		assert_int_equal(check(a, &t), SG_OK);
		if (op == 0)
			assert_int_equal(
			    store_user_passwd(a, "vera", HASH, NULL, NULL, &n),
			    SG_OK);
		else if (op == 1)
			assert_int_equal(
			    store_session_destroy_all(a, "vera", &n), SG_OK);
		else
			assert_int_equal(store_user_del(a, "vera", &n), SG_OK);
		assert_int_equal(n, 0); /* the index named none of them */
		assert_int_equal(check(a, &t), SG_DENY);
		token_id(&t, id);
		snprintf(k, sizeof(k), "%s{%s}:s:%s", p, t.tag, id);
		assert_int_equal(admin_int("EXISTS %s", k), 0); /* removed */
		snprintf(k, sizeof(k), "%s{%s}:idx:vera", p, old.tag);
	}
	/* added again: the old session stays dead (a new generation) */
	assert_int_equal(store_user_add(a, "vera", HASH), SG_OK);
	assert_int_equal(check(a, &t), SG_DENY);
	store_close(a);
	store_close(b);
}

/* A record without the generation (an older release's) is not live. */
static void
test_record_without_generation(void **state)
{
	struct store	 *s;
	struct store_user u;
	struct token	  t;
	char	    p[16], id[TOKEN_IDLEN + 1], k[256], tag[TOKEN_TAGLEN + 1];
	redisReply *r;

	(void)state;
	s = open_store("", p, sizeof(p));
	add_user(s, "xavi", &u);
	user_tag(&pub, "xavi", 4, tag);
	token_new(&t, tag);
	token_id(&t, id);
	snprintf(k, sizeof(k), "%s{%s}:s:%s", p, tag, id);
	r = redisCommand(admin,
	    "SET %s {\"u\":\"xavi\",\"c\":1,\"a\":99999999999999} PX 60000", k);
	freeReplyObject(r);
	assert_int_equal(check(s, &t), SG_DENY);
	assert_int_equal(admin_int("EXISTS %s", k), 0);
	/* nor one whose user is another name in the same slot */
	r = redisCommand(admin,
	    "SET %s {\"u\":\"nobody\",\"c\":1,\"a\":99999999999999,"
	    "\"g\":\"%s\"} PX 60000",
	    k, u.gen);
	freeReplyObject(r);
	assert_int_equal(check(s, &t), SG_DENY);
	store_close(s);
}

static int
count_listed(const struct store_session *ss, void *arg)
{
	(void)ss;
	(*(int *)arg)++;
	return 0;
}

/*
 * A user's listing holds only records of that user: one of another
 * name's, under the user's generation and in the user's index (only
 * someone who writes to Redis could put it there), is left out.
 */
static void
test_list_only_the_users_records(void **state)
{
	struct store	 *s;
	struct store_user u;
	struct token	  t;
	char	    p[16], id[TOKEN_IDLEN + 1], k[256], tag[TOKEN_TAGLEN + 1];
	redisReply *r;
	int	    n = 0;

	(void)state;
	s = open_store("", p, sizeof(p));
	add_user(s, "yara", &u);
	new_session(s, &u, &t);
	user_tag(&pub, "yara", 4, tag);
	token_new(&t, tag);
	token_id(&t, id);
	snprintf(k, sizeof(k), "%s{%s}:s:%s", p, tag, id);
	r = redisCommand(admin,
	    "SET %s {\"u\":\"zed\",\"c\":1,\"a\":99999999999999,"
	    "\"g\":\"%s\"} PX 60000",
	    k, u.gen);
	freeReplyObject(r);
	snprintf(k, sizeof(k), "%s{%s}:idx:yara", p, tag);
	r = redisCommand(admin, "ZADD %s 1 %s", k, id);
	freeReplyObject(r);
	assert_int_equal(store_session_list(s, "yara", count_listed, &n),
	    SG_OK);
	assert_int_equal(n, 1);
	store_close(s);
}

/* The newest sessions only, oldest of them first. */
static void
test_list_newest(void **state)
{
	struct store	 *s;
	struct store_user u;
	struct token	  t[5];
	struct listed	  l = { 0 };
	char		  p[16], id[TOKEN_IDLEN + 1];
	int		  i;

	(void)state;
	s = open_store("max_sessions = 0\n", p, sizeof(p));
	add_user(s, "zoe", &u);
	for (i = 0; i < 5; i++) {
		new_session(s, &u, &t[i]);
		msleep(2);
	}
	assert_int_equal(store_session_list_newest(s, "zoe", 2, collect, &l),
	    SG_OK);
	assert_int_equal(l.n, 2);
	token_id(&t[3], id);
	assert_string_equal(l.ids[0], id);
	token_id(&t[4], id);
	assert_string_equal(l.ids[1], id);
	/* 0: all of them */
	l.n = 0;
	assert_int_equal(store_session_list_newest(s, "zoe", 0, collect, &l),
	    SG_OK);
	assert_int_equal(l.n, 5);
	store_close(s);
}

/* A configuration parsed from text, on top of the defaults. */
static void
load_config(struct config *c, const char *prefix, const char *extra)
{
	char text[1024], err[CONFIG_ERRLEN];

	snprintf(text, sizeof(text),
	    "redis = redis://127.0.0.1:%s/0\nkey_prefix = %s\n"
	    "redis_timeout = 2s\n%s",
	    port, prefix, extra);
	assert_int_equal(config_defaults(c), 0);
	if (config_parse(c, "test", text, strlen(text), err, sizeof(err)) != 0)
		fail_msg("config: %s", err);
}

/* Tags under a site secret; users moved to them by users_rekey. */
static void
test_secret_tags_and_rekey(void **state)
{
	struct config	   c;
	struct store	  *pubs, *secs;
	struct store_user  u;
	struct token	   t_old, t_yuri, t;
	struct store_rekey r;
	unsigned char	   secret[USER_SECRET_MIN];
	char		   p[16], tag[TOKEN_TAGLEN + 1], ptag[TOKEN_TAGLEN + 1];
	char		   user[USER_NAME_MAX + 1];

	(void)state;
	pubs = open_store("", p, sizeof(p));
	load_config(&c, p, "");
	randombytes_buf(secret, sizeof(secret));
	assert_int_equal(user_keys_init(&c.keys, secret, sizeof(secret)), 0);
	secs = session_store_open(&c);
	add_user(pubs, "xena", &u);
	new_session(pubs, &u, &t_old);
	add_user(pubs, "yuri", &u);
	new_session(pubs, &u, &t_yuri);
	/* under the secret, the users are elsewhere */
	assert_int_equal(store_user_get(secs, "xena", &u), SG_NO_USER);
	/*
	 * and a session under the old tag is refused, again and again, but
	 * not deleted (a gate with the old secret_file still holds it)
	 */
	assert_int_equal(check(pubs, &t_yuri), SG_OK);
	assert_int_equal(store_session_check(secs, &t_yuri, user), SG_STALE);
	assert_non_null(strstr(store_error(secs), "under another user tag"));
	assert_int_equal(store_session_check(secs, &t_yuri, user), SG_STALE);
	assert_int_equal(check(pubs, &t_yuri), SG_OK);
	assert_int_equal(store_user_add(secs, "yuri", "$new-yuri"), SG_OK);
	assert_int_equal(store_users_rekey(secs, &pub, &r), SG_OK);
	assert_int_equal(r.moved, 1);
	assert_int_equal(r.removed, 1); /* yuri exists under the new tag */
	assert_int_equal(r.ended, 2);	/* xena's and yuri's old ones */
	assert_int_equal(store_user_get(pubs, "yuri", &u), SG_NO_USER);
	assert_int_equal(store_user_get(secs, "xena", &u), SG_OK);
	assert_string_equal(u.pwhash, HASH);
	assert_int_equal(store_user_get(secs, "yuri", &u), SG_OK);
	assert_string_equal(u.pwhash, "$new-yuri");
	assert_int_equal(store_user_get(pubs, "xena", &u), SG_NO_USER);
	/* the old cookie's user left its slot: that session is over */
	assert_int_equal(check(pubs, &t_old), SG_DENY);
	/* new sessions carry the keyed tag */
	assert_int_equal(store_user_get(secs, "xena", &u), SG_OK);
	user_tag(&c.keys, "xena", 4, tag);
	user_tag(&pub, "xena", 4, ptag);
	assert_string_not_equal(tag, ptag);
	token_new(&t, tag);
	assert_int_equal(
	    store_session_create(secs, &u, &t, NULL, &(int64_t){ 0 }, NULL),
	    SG_OK);
	assert_int_equal(check(secs, &t), SG_OK);
	memcpy(t.tag, ptag, sizeof(t.tag)); /* the same secret, public tag */
	assert_int_equal(check(secs, &t), SG_DENY);
	/* again: nothing left to move */
	assert_int_equal(store_users_rekey(secs, &pub, &r), SG_OK);
	assert_int_equal(r.moved + r.removed + r.ended, 0);
	store_close(secs);
	store_close(pubs);
	config_free(&c);
}

/* A key_prefix with glob characters: users rekey still finds its users. */
static void
test_rekey_glob_prefix(void **state)
{
	struct config	   c;
	struct store	  *pubs, *secs;
	struct store_user  u;
	unsigned char	   secret[USER_SECRET_MIN];
	char		   url[128];
	struct store_rekey r;

	(void)state;
	snprintf(url, sizeof(url), "redis://127.0.0.1:%s/0", port);
	pubs = open_store_prefix(url, "", "g[1]*?:");
	assert_int_equal(store_user_add(pubs, "zed", HASH), SG_OK);
	load_config(&c, "g[1]*?:", "");
	memset(secret, 3, sizeof(secret));
	assert_int_equal(user_keys_init(&c.keys, secret, sizeof(secret)), 0);
	secs = session_store_open(&c);
	assert_int_equal(store_users_rekey(secs, &pub, &r), SG_OK);
	assert_int_equal(r.moved, 1);
	assert_int_equal(store_user_get(secs, "zed", &u), SG_OK);
	store_close(secs);
	store_close(pubs);
	config_free(&c);
}

/* Parallel logins for the throttle test, each with its own connection. */
struct login_racer {
	char		   prefix[16];
	const char	  *user, *pw;
	char		   addr[64];
	enum sg_result	   rv;
	pthread_barrier_t *go;
};

#define THROTTLE_CONF \
	"login_max_failures = 10\nlogin_failure_window = 1h\n" \
	"threads = 64\nlogin_concurrency = 64\nmax_sessions = 0\n" \
	"password_opslimit = 1\npassword_memlimit = 8K\n"

static void *
login_thread(void *arg)
{
	struct login_racer *r = arg;
	struct config	    c;
	struct session_ctx  ctx;
	struct store_user   u;
	struct token	    t;
	int64_t		    retry;
	char		    who[SESSION_WHO_LEN];

	load_config(&c, r->prefix, THROTTLE_CONF);
	ctx.store = session_store_open(&c);
	ctx.cfg = &c;
	ctx.cookie = NULL;
	ctx.addr = r->addr;
	/* connected before the barrier: only the logins race */
	if (store_user_get(ctx.store, "nobody", &u) != SG_NO_USER)
		abort();
	pthread_barrier_wait(r->go);
	r->rv = session_login(&ctx, r->user, r->pw, &t, &retry, who);
	store_close(ctx.store);
	config_free(&c);
	return NULL;
}

/* n parallel logins; how many were verified (answered other than 429). */
static int
race_logins(struct login_racer *rs, int n, const char *prefix)
{
	pthread_t	  th[32];
	pthread_barrier_t go;
	int		  i, verified = 0;

	pthread_barrier_init(&go, NULL, (unsigned)n);
	for (i = 0; i < n; i++) {
		snprintf(rs[i].prefix, sizeof(rs[i].prefix), "%s", prefix);
		rs[i].go = &go;
		assert_int_equal(
		    pthread_create(&th[i], NULL, login_thread, &rs[i]), 0);
	}
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&go);
	for (i = 0; i < n; i++) {
		if (rs[i].rv != SG_THROTTLED && rs[i].rv != SG_DENY &&
		    rs[i].rv != SG_OK)
			fail_msg("login %d: %s", i, sg_result_name(rs[i].rv));
		verified += rs[i].rv != SG_THROTTLED;
	}
	return verified;
}

/*
 * 24 wrong logins at once, in three shapes: one address and one user;
 * one IPv6 /64 and 24 users; 24 addresses and one user. Each time at
 * most login_max_failures (10) passwords are verified.
 */
static void
test_throttle_counts_first(void **state)
{
	struct login_racer   rs[24];
	struct store	    *s;
	struct store_user    u;
	struct password_cost pc = { 1, 8192 };
	char		     p[16], h[PASSWORD_HASHLEN], name[16], k[256];
	int		     i, verified;

	(void)state;
	s = open_store("", p, sizeof(p));
	assert_int_equal(password_hash(h, "right", 5, &pc), 0);
	for (i = 0; i < 29; i++) {
		snprintf(name, sizeof(name), "u%d", i);
		assert_int_equal(store_user_add(s, name, h), SG_OK);
	}
	memset(rs, 0, sizeof(rs));
	for (i = 0; i < 24; i++) {
		rs[i].user = "u0";
		rs[i].pw = "wrong";
		snprintf(rs[i].addr, sizeof(rs[i].addr), "192.0.2.7");
	}
	verified = race_logins(rs, 24, p);
	print_message("# one address, one user: %d of 24 verified\n", verified);
	assert_int_equal(verified, 10);
	snprintf(k, sizeof(k), "%sfail-addr:192.0.2.7", p);
	assert_int_equal(admin_get(k), 24); /* every one counted */
	memset(rs, 0, sizeof(rs));
	for (i = 0; i < 24; i++) { /* u5..u28: no failures yet */
		snprintf(name, sizeof(name), "u%d", i + 5);
		rs[i].user = strdup(name);
		rs[i].pw = "wrong";
		snprintf(rs[i].addr, sizeof(rs[i].addr), "2001:db8:7:7::%x",
		    i + 1);
	}
	verified = race_logins(rs, 24, p);
	print_message("# one IPv6 /64, 24 users: %d of 24 verified\n",
	    verified);
	assert_int_equal(verified, 10);
	for (i = 0; i < 24; i++)
		free((char *)rs[i].user);
	memset(rs, 0, sizeof(rs));
	for (i = 0; i < 24; i++) {
		rs[i].user = "u1";
		rs[i].pw = "wrong";
		snprintf(rs[i].addr, sizeof(rs[i].addr), "198.51.100.%d",
		    i + 1);
	}
	verified = race_logins(rs, 24, p);
	print_message("# 24 addresses, one user: %d of 24 verified\n",
	    verified);
	/* u1 had no failure before: its ten come from this round */
	assert_int_equal(verified, 10);
	/* a right password at the limit is refused too; below it, a
	 * success takes the address's attempt back and clears the user */
	assert_int_equal(store_user_get(s, "u2", &u), SG_OK);
	memset(rs, 0, sizeof(rs));
	for (i = 0; i < 2; i++) {
		rs[i].user = i ? "u2" : "u3";
		rs[i].pw = i ? "right" : "wrong";
		snprintf(rs[i].addr, sizeof(rs[i].addr), "203.0.113.9");
	}
	assert_int_equal(race_logins(rs, 2, p), 2);
	snprintf(k, sizeof(k), "%sfail-addr:203.0.113.9", p);
	assert_int_equal(admin_get(k), 1); /* the failure only */
	store_close(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		STORE_CONTRACT_TESTS,
		cmocka_unit_test(test_cap_evict_oldest_parallel),
		cmocka_unit_test(test_cap_reject_parallel),
		cmocka_unit_test(test_idle_timeout_slides),
		cmocka_unit_test(test_passive_check_does_not_slide),
		cmocka_unit_test(test_absolute_timeout),
		cmocka_unit_test(test_ttl_never_past_deadline),
		cmocka_unit_test(test_check_racing_revoke),
		cmocka_unit_test(test_one_round_trip_per_check),
		cmocka_unit_test(test_no_raw_token_in_redis),
		cmocka_unit_test(test_expired_entries_pruned),
		cmocka_unit_test(test_connections),
		cmocka_unit_test(test_unreachable_then_reconnect),
		cmocka_unit_test(test_state_errors_reconnect),
		cmocka_unit_test(test_failure_counters),
		cmocka_unit_test(test_sessions_the_index_lost),
		cmocka_unit_test(test_record_without_generation),
		cmocka_unit_test(test_list_only_the_users_records),
		cmocka_unit_test(test_list_newest),
		cmocka_unit_test(test_secret_tags_and_rekey),
		cmocka_unit_test(test_rekey_glob_prefix),
		cmocka_unit_test(test_throttle_counts_first),
		cmocka_unit_test(test_redis_restart),
		cmocka_unit_test(test_lost_commands),
		cmocka_unit_test(test_replicas_ack_unmet),
	};

	if (sodium_init() == -1 || (port = getenv("REDIS_PORT")) == NULL ||
	    (sock = getenv("REDIS_SOCK")) == NULL) {
		fprintf(stderr, "run me through store.sh\n");
		return 1;
	}
	if ((admin = redisConnect("127.0.0.1", atoi(port))) == NULL ||
	    admin->err)
		return 1;
	if (user_keys_init(&pub, NULL, 0) == -1)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
