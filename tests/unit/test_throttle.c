/*
 * Unit tests of throttle.c: client addresses as counters (IPv6 per /64),
 * counting first, the buckets of names that are not users, with the fake
 * store.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "fake_store.h"
#include "session/throttle.h"

static const struct {
	const char *in, *out;
} addrs[] = {
	{ "192.0.2.1", "192.0.2.1" },
	{ "2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64" },
	{ "2001:DB8:1:2::ffff", "2001:db8:1:2::/64" }, /* same /64 */
	{ "2001:db8:1:3::1", "2001:db8:1:3::/64" },    /* the next one */
	{ "::1", "::/64" },
	{ "fe80::1", "fe80::/64" },
	{ "::ffff:192.0.2.9", "192.0.2.9" }, /* IPv4-mapped */
	{ "", "unknown" },
	{ "unix:/run/x", "unknown" },
	{ "fe80::1%eth0", "unknown" },
	{ "192.0.2.1 ", "unknown" },
	{ "192.0.2.256", "unknown" },
	{ "{evil}:x", "unknown" },
};

static void
test_addresses(void **state)
{
	char   out[THROTTLE_ADDRLEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		memset(out, 'x', sizeof(out));
		throttle_addr(addrs[i].in, out);
		if (strcmp(out, addrs[i].out) != 0)
			fail_msg("%s: %s, want %s", addrs[i].in, out,
			    addrs[i].out);
	}
}

static struct config cfg;

static int
setup(void **state)
{
	const char *text = "login_max_failures = 3\n";
	char	    err[CONFIG_ERRLEN];
	int	    rv;

	rv = config_defaults(&cfg);
	if (rv == 0)
		rv = config_parse(&cfg, "t", text, strlen(text), err,
		    sizeof(err));
	*state = fake_store_new(&cfg);
	return rv == 0 && *state != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	store_close(*state);
	config_free(&cfg);
	return 0;
}

/* Attempts count first: the one past the limit is refused. */
static void
test_counts_first(void **state)
{
	struct store   *s = *state;
	struct throttle t;
	int64_t		retry = 0;
	int		i;

	for (i = 0; i < 3; i++)
		assert_int_equal(
		    throttle_attempt_addr(s, &cfg, &t, "2001:db8::1", &retry),
		    SG_OK);
	assert_int_equal(
	    throttle_attempt_addr(s, &cfg, &t, "2001:db8::2", &retry),
	    SG_THROTTLED);
	assert_true(retry > 0);
	assert_int_equal(fake_counter(s, STORE_FAIL_ADDR, "2001:db8::/64"), 4);
	for (i = 0; i < 3; i++)
		assert_int_equal(
		    throttle_attempt_name(s, &cfg, &t, "alice", 1, &retry),
		    SG_OK);
	assert_int_equal(throttle_attempt_name(s, &cfg, &t, "alice", 1, &retry),
	    SG_THROTTLED);
	assert_int_equal(fake_counter(s, STORE_FAIL_USER, "alice"), 4);
}

/* A success takes the address's attempt back and clears the user's. */
static void
test_success(void **state)
{
	struct store   *s = *state;
	struct throttle t;
	int64_t		retry;

	assert_int_equal(
	    throttle_attempt_addr(s, &cfg, &t, "192.0.2.5", &retry), SG_OK);
	assert_int_equal(throttle_attempt_name(s, &cfg, &t, "bob", 1, &retry),
	    SG_OK);
	assert_int_equal(
	    throttle_attempt_addr(s, &cfg, &t, "192.0.2.5", &retry), SG_OK);
	assert_int_equal(throttle_attempt_name(s, &cfg, &t, "bob", 1, &retry),
	    SG_OK);
	throttle_success(s, &cfg, &t);
	assert_int_equal(fake_counter(s, STORE_FAIL_ADDR, "192.0.2.5"), 1);
	assert_int_equal(fake_counter(s, STORE_FAIL_USER, "bob"), 0);
}

/*
 * Names that are not users count in buckets: never a counter of their
 * own (a spray of made-up names makes at most USER_BUCKETS counters), the
 * same name always in the same bucket, throttled like a user.
 */
static void
test_unknown_names_share_buckets(void **state)
{
	struct store   *s = *state;
	struct throttle t, t2;
	char		name[32], b[5];
	int64_t		retry;
	int		i, before = fake_counters(s);

	assert_int_equal(
	    throttle_attempt_name(s, &cfg, &t, "nobody", 0, &retry), SG_OK);
	assert_int_equal(t.kind, STORE_FAIL_UNKNOWN);
	assert_int_equal(fake_counter(s, STORE_FAIL_USER, "nobody"), 0);
	user_bucket(&cfg.keys, "nobody", 6, b);
	assert_string_equal(t.name, b);
	assert_int_equal(fake_counter(s, STORE_FAIL_UNKNOWN, b), 1);
	assert_int_equal(
	    throttle_attempt_name(s, &cfg, &t2, "nobody", 0, &retry), SG_OK);
	assert_string_equal(t2.name, t.name);
	assert_int_equal(
	    throttle_attempt_name(s, &cfg, &t2, "nobody", 0, &retry), SG_OK);
	assert_int_equal(
	    throttle_attempt_name(s, &cfg, &t2, "nobody", 0, &retry),
	    SG_THROTTLED);
	/* invalid names too, and they never become key names */
	assert_int_equal(
	    throttle_attempt_name(s, &cfg, &t, "a b{c}\r\n", 0, &retry), SG_OK);
	assert_int_equal(strspn(t.name, "0123456789abcdef"), 4);
	for (i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "made-up-%d", i);
		assert_int_equal(throttle_attempt_name(s, &cfg, &t, name, 0,
				     &retry) == SG_UNAVAILABLE,
		    0);
	}
	assert_true(fake_counters(s) - before <= 22);
}

/* login_max_failures = 0 turns it off: no store call at all. */
static void
test_off(void **state)
{
	struct store   *s = *state;
	struct throttle t;
	int64_t		retry;
	int		calls = fake_calls(s);

	cfg.login_max_failures = 0;
	assert_int_equal(
	    throttle_attempt_addr(s, &cfg, &t, "192.0.2.1", &retry), SG_OK);
	assert_int_equal(throttle_attempt_name(s, &cfg, &t, "x", 1, &retry),
	    SG_OK);
	throttle_success(s, &cfg, &t);
	assert_int_equal(fake_calls(s), calls);
	cfg.login_max_failures = 3;
	fake_fail(s, 1);
	assert_int_equal(
	    throttle_attempt_addr(s, &cfg, &t, "192.0.2.1", &retry),
	    SG_UNAVAILABLE); /* a store that cannot count: fail closed */
	fake_fail(s, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_counts_first),
		cmocka_unit_test(test_success),
		cmocka_unit_test(test_unknown_names_share_buckets),
		cmocka_unit_test(test_off),
	};

	if (sodium_init() == -1)
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
