/*
 * The store's contract (tests/store_contract.h) against the fake store
 * the handler tests use: the same cases test_store runs against Redis.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "config/config.h"
#include "fake_store.h"

/* A new fake store with these lines on top of the defaults. */
static struct store *
contract_open(const char *extra)
{
	struct config c;
	struct store *s;
	char	      err[CONFIG_ERRLEN];

	assert_int_equal(config_defaults(&c), 0);
	if (config_parse(&c, "test", extra, strlen(extra), err, sizeof(err)) !=
	    0)
		fail_msg("config: %s", err);
	s = fake_store_new(&c);
	assert_non_null(s);
	config_free(&c);
	return s;
}

/* (the fake's clock moves on every write) */
static void
contract_tick(void)
{
}

#include "../store_contract.h"

int
main(void)
{
	const struct CMUnitTest tests[] = {
		STORE_CONTRACT_TESTS,
	};

	if (sodium_init() == -1 || user_keys_init(&pub, NULL, 0) == -1)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
