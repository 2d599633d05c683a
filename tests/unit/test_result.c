/* Unit tests of result.c: every result has its own name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/result.h"

/* Every value has a name, none empty, no two the same. */
static void
test_names_distinct(void **state)
{
	const char *a, *b;
	int	    i, j;

	(void)state;
	for (i = 0; i < SG_RESULT_COUNT; i++) {
		a = sg_result_name((enum sg_result)i);
		if (a == NULL || a[0] == '\0' || strcmp(a, "unknown") == 0)
			fail_msg("result %d has no name", i);
		for (j = 0; j < i; j++) {
			b = sg_result_name((enum sg_result)j);
			if (strcmp(a, b) == 0)
				fail_msg("results %d and %d are both \"%s\"", j,
				    i, a);
		}
	}
}

/* Names sit at their own values, whatever their order in the enum. */
static void
test_names_by_value(void **state)
{
	(void)state;
	assert_string_equal(sg_result_name(SG_OK), "ok");
	assert_string_equal(sg_result_name(SG_DENY), "deny");
	assert_string_equal(sg_result_name(SG_MALFORMED), "malformed");
	assert_string_equal(sg_result_name(SG_UNAVAILABLE), "unavailable");
	assert_string_equal(sg_result_name(SG_RESULT_COUNT), "unknown");
	assert_string_equal(sg_result_name((enum sg_result) - 1), "unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_distinct),
		cmocka_unit_test(test_names_by_value),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
