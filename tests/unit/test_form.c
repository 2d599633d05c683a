/* Unit tests of form data (application/x-www-form-urlencoded). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "http/form.h"

static const struct {
	const char *data, *name;
	int	    rv;
	const char *want;
} gets[] = {
	{ "a=1&b=2", "b", 1, "2" }, { "a=1&b=2", "c", 0, NULL },
	{ "a=x+y%20z", "a", 1, "x y z" },
	{ "a=%2Fp%3Fq%3D1", "a", 1, "/p?q=1" },
	{ "a=%c3%a9", "a", 1, "\xc3\xa9" }, { "a", "a", 1, "" },
	{ "a=", "a", 1, "" }, { "&&a=1&&", "a", 1, "1" },
	{ "aa=1&a=2", "a", 1, "2" }, { "a=1&a=2", "a", 1, "1" },
	{ "a=%", "a", -1, NULL }, { "a=%4", "a", -1, NULL },
	{ "a=%zz", "a", -1, NULL }, { "a=%00", "a", -1, NULL },
	{ "a=%0d%0aX", "a", -1, NULL },
	{ "a=0123456789", "a", -1, NULL }, /* does not fit in 8 bytes */
};

static void
test_form_get(void **state)
{
	char   out[8];
	size_t i;
	int    rv;

	(void)state;
	for (i = 0; i < sizeof(gets) / sizeof(gets[0]); i++) {
		rv = form_get(gets[i].data, strlen(gets[i].data), gets[i].name,
		    out, sizeof(out));
		if (rv != gets[i].rv || (rv == 1 && strcmp(out, gets[i].want)))
			fail_msg("case %zu: rv %d", i, rv);
	}
}

static void
test_form_valid(void **state)
{
	(void)state;
	assert_true(form_valid("a=1&b=%41", 9));
	assert_true(form_valid("", 0));
	assert_false(form_valid("a=%4", 4));
	assert_false(form_valid("a=1 2", 5));
	assert_false(form_valid("a=\n", 3));
	assert_false(form_valid("a=%7f", 5));
}

static void
test_form_count(void **state)
{
	static const struct {
		const char *data, *name;
		size_t	    n;
	} t[] = {
		{ "", "id", 0 },
		{ "id=a", "id", 1 },
		{ "id=a&id=b", "id", 2 },
		{ "id&id=&xid=1&idx=2", "id", 2 },
		{ "%69d=a", "id", 0 }, /* names are matched as form_get does */
		{ "others=1&id=a", "others", 1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (form_count(t[i].data, strlen(t[i].data), t[i].name) !=
		    t[i].n)
			fail_msg("case %zu: %s", i, t[i].data);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_form_get),
		cmocka_unit_test(test_form_count),
		cmocka_unit_test(test_form_valid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
