/*
 * Unit tests of the hash slot redis_cluster.c routes by: values that a
 * real cluster node's CLUSTER KEYSLOT gives for the same keys.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "store/redis_cluster.h"

static const struct {
	const char  *key;
	unsigned int slot;
} cases[] = {
	{ "123456789", 12739 },
	{ "foo", 12182 },
	{ "bar", 5061 },
	{ "hello", 866 },
	{ "{user1000}.following", 3443 },
	{ "foo{}{bar}", 8363 },	   /* empty tag: the whole key */
	{ "foo{{bar}}zap", 4015 }, /* the tag is "{bar" */
	{ "foo{bar}{zap}", 5061 }, /* the first tag only: "bar" */
	{ "sg:{AbCdEfGhIjKlMnOp}:s:xyz", 6556 },
	{ "{}", 15257 },
	{ "", 0 },
};

static void
test_slots(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (redis_cluster_slot(cases[i].key) != cases[i].slot)
			fail_msg("%s: %u, want %u", cases[i].key,
			    redis_cluster_slot(cases[i].key), cases[i].slot);
}

/* Every key of one user lands in the slot of the tag. */
static void
test_user_keys_share_a_slot(void **state)
{
	unsigned int s = redis_cluster_slot("AbCdEfGhIjKlMnOp");

	(void)state;
	assert_int_equal(redis_cluster_slot("sg:{AbCdEfGhIjKlMnOp}:user:ann"),
	    s);
	assert_int_equal(redis_cluster_slot("sg:{AbCdEfGhIjKlMnOp}:idx:ann"),
	    s);
	assert_int_equal(redis_cluster_slot("x:{AbCdEfGhIjKlMnOp}:fail:ann"),
	    s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slots),
		cmocka_unit_test(test_user_keys_share_a_slot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
