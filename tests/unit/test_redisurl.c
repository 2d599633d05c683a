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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
