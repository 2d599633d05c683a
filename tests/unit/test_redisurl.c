/* Unit tests of redisurl.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "config/redisurl.h"

static const struct {
	const char *url;
	int	    ok, is_unix, port, db;
	const char *host_or_path, *user, *password;
} cases[] = {
	{ "redis://127.0.0.1:6379/0", 1, 0, 6379, 0, "127.0.0.1", "", "" },
	{ "redis://localhost", 1, 0, 6379, 0, "localhost", "", "" },
	{ "redis://h:7000/", 1, 0, 7000, 0, "h", "", "" },
	{ "redis://h:7000/15", 1, 0, 7000, 15, "h", "", "" },
	{ "redis://:secret@h:1/2", 1, 0, 1, 2, "h", "", "secret" },
	{ "redis://app:p%40ss@h:1", 1, 0, 1, 0, "h", "app", "p@ss" },
	{ "redis://[::1]:6380/3", 1, 0, 6380, 3, "::1", "", "" },
	{ "redis://[::1]", 1, 0, 6379, 0, "::1", "", "" },
	{ "unix:/run/redis/redis.sock", 1, 1, 0, 0, "/run/redis/redis.sock", "",
	    "" },
	{ "unix:/tmp/r.sock?db=4", 1, 1, 0, 4, "/tmp/r.sock", "", "" },
	{ "", 0, 0, 0, 0, NULL, NULL, NULL },
	{ "http://h", 0, 0, 0, 0, NULL, NULL, NULL },
	{ "redis://", 0, 0, 0, 0, NULL, NULL, NULL },
	{ "redis://h:0", 0, 0, 0, 0, NULL, NULL, NULL },
	{ "redis://h:65536", 0, 0, 0, 0, NULL, NULL, NULL },
	{ "redis://h:x", 0, 0, 0, 0, NULL, NULL, NULL },
	{ "redis://h:1/x", 0, 0, 0, 0, NULL, NULL, NULL },
	{ "redis://nopass@h", 0, 0, 0, 0, NULL, NULL, NULL },
	{ "redis://:a%4@h", 0, 0, 0, 0, NULL, NULL, NULL },
	{ "redis://:a%00@h", 0, 0, 0, 0, NULL, NULL, NULL },
	{ "redis://[::1", 0, 0, 0, 0, NULL, NULL, NULL },
	{ "redis://[::1]x", 0, 0, 0, 0, NULL, NULL, NULL },
	{ "rediss://h", 0, 0, 0, 0, NULL, NULL, NULL },
	{ "unix:relative", 0, 0, 0, 0, NULL, NULL, NULL },
	{ "unix:/x?db=", 0, 0, 0, 0, NULL, NULL, NULL },
	{ "unix:/x?foo=1", 0, 0, 0, 0, NULL, NULL, NULL },
};

static void
test_table(void **state)
{
	struct redis_url u;
	char		 err[128];
	size_t		 i;
	int		 rv;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rv = redis_url_parse(&u, cases[i].url, err, sizeof(err));
		if ((rv == 0) != cases[i].ok)
			fail_msg("case %zu (%s): got %d", i, cases[i].url, rv);
		if (!cases[i].ok) {
			assert_true(strlen(err) > 0);
			continue;
		}
		assert_int_equal(u.is_unix, cases[i].is_unix);
		assert_int_equal(u.db, cases[i].db);
		assert_string_equal(u.user, cases[i].user);
		assert_string_equal(u.password, cases[i].password);
		if (u.is_unix)
			assert_string_equal(u.path, cases[i].host_or_path);
		else {
			assert_string_equal(u.host, cases[i].host_or_path);
			assert_int_equal(u.port, cases[i].port);
		}
	}
}

static const struct {
	const char *url;
	int	    ok, nnodes, port0, portlast, db;
	const char *host0, *master, *user, *password;
} sentinel_cases[] = {
	{ "sentinel://127.0.0.1:26379/mymaster", 1, 1, 26379, 26379, 0,
	    "127.0.0.1", "mymaster", "", "" },
	{ "sentinel://a:1,b:2,[::1]:3/m/4", 1, 3, 1, 3, 4, "a", "m", "", "" },
	{ "sentinel://a,b/m.1_x-y/", 1, 2, 26379, 26379, 0, "a", "m.1_x-y", "",
	    "" },
	{ "sentinel://:s%2Fp@a:1/m", 1, 1, 1, 1, 0, "a", "m", "", "s/p" },
	{ "sentinel://mon:pw@a:1,b:2/m/2", 1, 2, 1, 2, 2, "a", "m", "mon",
	    "pw" },
	{ "sentinel://", 0, 0, 0, 0, 0, NULL, NULL, NULL, NULL },
	{ "sentinel://a:1", 0, 0, 0, 0, 0, NULL, NULL, NULL, NULL },
	{ "sentinel://a:1/", 0, 0, 0, 0, 0, NULL, NULL, NULL, NULL },
	{ "sentinel:///m", 0, 0, 0, 0, 0, NULL, NULL, NULL, NULL },
	{ "sentinel://a:1,/m", 0, 0, 0, 0, 0, NULL, NULL, NULL, NULL },
	{ "sentinel://,a:1/m", 0, 0, 0, 0, 0, NULL, NULL, NULL, NULL },
	{ "sentinel://a:0/m", 0, 0, 0, 0, 0, NULL, NULL, NULL, NULL },
	{ "sentinel://a:1/m/x", 0, 0, 0, 0, 0, NULL, NULL, NULL, NULL },
	{ "sentinel://a:1/m/1/2", 0, 0, 0, 0, 0, NULL, NULL, NULL, NULL },
	{ "sentinel://a:1/m m", 0, 0, 0, 0, 0, NULL, NULL, NULL, NULL },
	{ "sentinel://a:1/m%41", 0, 0, 0, 0, 0, NULL, NULL, NULL, NULL },
	{ "sentinel://pw@a:1/m", 0, 0, 0, 0, 0, NULL, NULL, NULL, NULL },
	{ "sentinel://a:1,b:2,c:3,d:4,e:5,f:6,g:7,h:8,i:9,j:10,k:11,l:12,"
	  "m:13,n:14,o:15,p:16,q:17/m",
	    0, 0, 0, 0, 0, NULL, NULL, NULL, NULL },
};

static void
test_sentinel(void **state)
{
	struct redis_url u;
	char		 err[128];
	size_t		 i;
	int		 rv;

	(void)state;
	for (i = 0; i < sizeof(sentinel_cases) / sizeof(sentinel_cases[0]);
	     i++) {
		rv = redis_url_parse(&u, sentinel_cases[i].url, err,
		    sizeof(err));
		if ((rv == 0) != sentinel_cases[i].ok)
			fail_msg("case %zu (%s): got %d", i,
			    sentinel_cases[i].url, rv);
		if (!sentinel_cases[i].ok) {
			assert_true(strlen(err) > 0);
			continue;
		}
		assert_true(u.is_sentinel);
		assert_false(u.is_unix);
		assert_int_equal(u.nnodes, sentinel_cases[i].nnodes);
		assert_string_equal(u.nodes[0].host, sentinel_cases[i].host0);
		assert_int_equal(u.nodes[0].port, sentinel_cases[i].port0);
		assert_int_equal(u.nodes[u.nnodes - 1].port,
		    sentinel_cases[i].portlast);
		assert_string_equal(u.master, sentinel_cases[i].master);
		assert_int_equal(u.db, sentinel_cases[i].db);
		/* the URL's login is the Sentinels', never the data nodes' */
		assert_string_equal(u.sentinel_user, sentinel_cases[i].user);
		assert_string_equal(u.sentinel_password,
		    sentinel_cases[i].password);
		assert_string_equal(u.user, "");
		assert_string_equal(u.password, "");
	}
}

static const struct {
	const char *url;
	int	    ok, nnodes, port0;
	const char *host0, *user, *password;
} cluster_cases[] = {
	{ "cluster://127.0.0.1:7000", 1, 1, 7000, "127.0.0.1", "", "" },
	{ "cluster://a:7000,b:7001,[::1]:7002/", 1, 3, 7000, "a", "", "" },
	{ "cluster://app:pw@a", 1, 1, 6379, "a", "app", "pw" },
	{ "cluster://", 0, 0, 0, NULL, NULL, NULL },
	{ "cluster://a:7000/1", 0, 0, 0, NULL, NULL, NULL },
	{ "cluster://a:7000,", 0, 0, 0, NULL, NULL, NULL },
	{ "cluster://a:x", 0, 0, 0, NULL, NULL, NULL },
};

static void
test_cluster(void **state)
{
	struct redis_url u;
	char		 err[128];
	size_t		 i;
	int		 rv;

	(void)state;
	for (i = 0; i < sizeof(cluster_cases) / sizeof(cluster_cases[0]); i++) {
		rv =
		    redis_url_parse(&u, cluster_cases[i].url, err, sizeof(err));
		if ((rv == 0) != cluster_cases[i].ok)
			fail_msg("case %zu (%s): got %d", i,
			    cluster_cases[i].url, rv);
		if (!cluster_cases[i].ok) {
			assert_true(strlen(err) > 0);
			continue;
		}
		assert_true(u.is_cluster);
		assert_false(u.is_sentinel);
		assert_int_equal(u.nnodes, cluster_cases[i].nnodes);
		assert_string_equal(u.nodes[0].host, cluster_cases[i].host0);
		assert_int_equal(u.nodes[0].port, cluster_cases[i].port0);
		/* the URL's login is the data nodes' */
		assert_string_equal(u.user, cluster_cases[i].user);
		assert_string_equal(u.password, cluster_cases[i].password);
		assert_int_equal(u.db, 0);
	}
}

/* The two password files fill two different logins. */
static void
test_password_lines(void **state)
{
	struct redis_url u;
	char		 err[128];

	(void)state;
	assert_int_equal(
	    redis_url_parse(&u, "sentinel://:sp@a/m", err, sizeof(err)), 0);
	assert_int_equal(redis_url_password(&u, "app secret"), 0);
	assert_string_equal(u.user, "app");
	assert_string_equal(u.password, "secret");
	assert_string_equal(u.sentinel_password, "sp");
	assert_int_equal(redis_url_sentinel_password(&u, "mon other"), 0);
	assert_string_equal(u.sentinel_user, "mon");
	assert_string_equal(u.sentinel_password, "other");
	assert_string_equal(u.password, "secret");
	assert_int_equal(redis_url_sentinel_password(&u, "only"), 0);
	assert_string_equal(u.sentinel_user, "mon");
	assert_string_equal(u.sentinel_password, "only");
}

/* Leave stale bytes where the parser's locals will be. */
static void __attribute__((noinline)) dirty_stack(void)
{
	volatile char junk[8192];
	size_t	      i;

	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (char)0xA5;
}

static void __attribute__((noinline))
parse_after_dirt(struct redis_url *u, const char *url)
{
	char err[128];

	dirty_stack();
	assert_int_equal(redis_url_parse(u, url, err, sizeof(err)), 0);
}

/* Past the host's terminator, nothing but zeros: no stale stack bytes. */
static void
test_host_clean(void **state)
{
	static const char *const urls[] = { "redis://h:1/2",
		"redis://[::1]:6380", "redis://:pw@localhost" };
	struct redis_url	 u;
	size_t			 i, j, len;

	(void)state;
	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		parse_after_dirt(&u, urls[i]);
		len = strlen(u.host);
		for (j = len; j < sizeof(u.host); j++)
			if (u.host[j] != '\0')
				fail_msg("%s: byte %zu of the host is 0x%02x",
				    urls[i], j, (unsigned char)u.host[j]);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_sentinel),
		cmocka_unit_test(test_cluster),
		cmocka_unit_test(test_password_lines),
		cmocka_unit_test(test_host_clean),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
