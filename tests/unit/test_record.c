/* Unit tests of record.c: defensive decoding of stored session records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/record.h"

static const struct {
	const char *json;
	int	    ok;
} cases[] = {
	{ "{\"u\":\"alice\",\"c\":1700000000000,\"a\":1700604800000}", 1 },
	{ "{\"a\":2,\"c\":1,\"u\":\"bob\",\"extra\":[1,2]}", 1 },
	{ "{\"u\":\"alice\",\"c\":5,\"a\":5}", 1 },
	{ "", 0 },
	{ "null", 0 },
	{ "[]", 0 },
	{ "\"u\"", 0 },
	{ "{", 0 },
	{ "{\"u\":\"alice\",\"c\":1}", 0 },
	{ "{\"u\":\"alice\",\"a\":1}", 0 },
	{ "{\"c\":1,\"a\":2}", 0 },
	{ "{\"u\":7,\"c\":1,\"a\":2}", 0 },
	{ "{\"u\":\"\",\"c\":1,\"a\":2}", 0 },
	{ "{\"u\":\"a b\",\"c\":1,\"a\":2}", 0 },
	{ "{\"u\":\"a\\r\\nX: y\",\"c\":1,\"a\":2}", 0 },
	{ "{\"u\":\"alice\",\"c\":\"1\",\"a\":2}", 0 },
	{ "{\"u\":\"alice\",\"c\":-1,\"a\":2}", 0 },
	{ "{\"u\":\"alice\",\"c\":1.5,\"a\":2}", 0 },
	{ "{\"u\":\"alice\",\"c\":1,\"a\":1e300}", 0 },
	{ "{\"u\":\"alice\",\"c\":3,\"a\":2}", 0 },
	{ "{\"U\":\"alice\",\"c\":1,\"a\":2}", 0 },
	/* the sessions page's members: optional, bounded, printable */
	{ "{\"u\":\"a\",\"c\":1,\"a\":2,\"p\":2,\"ip\":\"::1\",\"ua\":\"X\"}",
	    1 },
	{ "{\"u\":\"a\",\"c\":1,\"a\":2,\"p\":-1}", 0 },
	{ "{\"u\":\"a\",\"c\":1,\"a\":2,\"p\":\"2\"}", 0 },
	{ "{\"u\":\"a\",\"c\":1,\"a\":2,\"ip\":7}", 0 },
	{ "{\"u\":\"a\",\"c\":1,\"a\":2,\"ua\":\"a\\nb\"}", 0 },
	{ "{\"u\":\"a\",\"c\":1,\"a\":2,\"ua\":\"<\\\"x\"}", 0 },
	{ "{\"u\":\"a\",\"c\":1,\"a\":2,\"ua\":"
	  "\"0123456789012345678901234567890123456789X\"}",
	    0 },
	{ "{\"u\":\"a\",\"c\":1,\"a\":2,\"ip\":"
	  "\"0123456789012345678901234567890123456789012345X\"}",
	    0 },
};

static void
test_decode_table(void **state)
{
	struct record r;
	size_t	      i;
	int	      rv;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rv = record_decode(&r, cases[i].json, strlen(cases[i].json));
		if ((rv == 0) != cases[i].ok)
			fail_msg("case %zu (%s): got %d", i, cases[i].json, rv);
	}
}

static void
test_fields(void **state)
{
	struct record r;
	const char   *j = "{\"u\":\"alice\",\"c\":1700000000123,"
			  "\"a\":1700604800123}";

	(void)state;
	assert_int_equal(record_decode(&r, j, strlen(j)), 0);
	assert_string_equal(r.user, "alice");
	assert_int_equal(r.created, 1700000000123LL);
	assert_int_equal(r.deadline, 1700604800123LL);
	/* a record from before the members p, ip and ua */
	assert_int_equal(r.confirmed, r.created);
	assert_string_equal(r.addr, "");
	assert_string_equal(r.agent, "");
	j = "{\"u\":\"alice\",\"c\":1,\"a\":9,\"p\":5,\"ip\":\"::1\","
	    "\"ua\":\"Firefox on Linux\",\"g\":\"x\"}";
	assert_int_equal(record_decode(&r, j, strlen(j)), 0);
	assert_int_equal(r.confirmed, 5);
	assert_string_equal(r.addr, "::1");
	assert_string_equal(r.agent, "Firefox on Linux");
}

static void
test_encode_roundtrip(void **state)
{
	struct record r = { "bob", 1000, 2000, 1500, "192.0.2.1",
		"Chrome on Android" },
		      back;
	char buf[RECORD_MAX];

	(void)state;
	assert_int_equal(record_encode(&r, buf, sizeof(buf)), 0);
	assert_int_equal(record_decode(&back, buf, strlen(buf)), 0);
	assert_string_equal(back.user, "bob");
	assert_int_equal(back.created, 1000);
	assert_int_equal(back.deadline, 2000);
	assert_int_equal(back.confirmed, 1500);
	assert_string_equal(back.addr, "192.0.2.1");
	assert_string_equal(back.agent, "Chrome on Android");
	snprintf(r.user, sizeof(r.user), "b\"ob");
	assert_int_equal(record_encode(&r, buf, sizeof(buf)), -1);
}

static void
test_oversize_and_truncated(void **state)
{
	struct record r;
	char	      big[RECORD_MAX + 2];
	const char   *j = "{\"u\":\"alice\",\"c\":1,\"a\":2}";

	(void)state;
	memset(big, ' ', sizeof(big));
	memcpy(big, j, strlen(j));
	assert_int_equal(record_decode(&r, big, RECORD_MAX + 1), -1);
	assert_int_equal(record_decode(&r, j, strlen(j) - 1), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_table),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_encode_roundtrip),
		cmocka_unit_test(test_oversize_and_truncated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
