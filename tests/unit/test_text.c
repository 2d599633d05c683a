/* Unit tests of text.c: hex digits, the percent codec, numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/text.h"

static const struct {
	const char *in;
	int	    flags, rv;
	const char *want;
} decodes[] = {
	{ "a%20b", 0, 0, "a b" }, { "a+b", 0, 0, "a+b" },
	{ "a+b", TEXT_PLUS_SPACE, 0, "a b" }, { "%41%7a", 0, 0, "Az" },
	{ "%", 0, -1, NULL }, { "%4", 0, -1, NULL }, { "%g0", 0, -1, NULL },
	{ "%00", 0, -1, NULL }, { "a%0d", 0, 0, "a\r" },
	{ "a%0d", TEXT_NO_CTRL, -1, NULL }, { "a\tb", TEXT_NO_CTRL, -1, NULL },
	{ "%7f", TEXT_NO_CTRL, -1, NULL }, { "1234567", 0, 0, "1234567" },
	{ "12345678", 0, -1, NULL }, /* does not fit in 8 bytes */
};

static void
test_decode(void **state)
{
	char   out[8];
	size_t i;
	int    rv;

	(void)state;
	for (i = 0; i < sizeof(decodes) / sizeof(decodes[0]); i++) {
		rv = text_pct_decode(out, sizeof(out), decodes[i].in,
		    strlen(decodes[i].in), decodes[i].flags);
		if (rv != decodes[i].rv ||
		    (rv == 0 && strcmp(out, decodes[i].want) != 0))
			fail_msg("case %zu: rv %d", i, rv);
		/* validating only answers the same, whatever fits */
		if (decodes[i].rv == 0 &&
		    text_pct_decode(NULL, 0, decodes[i].in,
			strlen(decodes[i].in), decodes[i].flags))
			fail_msg("case %zu: validation differs", i);
	}
	assert_int_equal(text_pct_decode(out, 0, "", 0, 0), -1);
}

/* An encoding that exactly fits (with its terminator) is accepted. */
static const struct {
	const char *in, *keep;
	size_t	    outlen;
	int	    rv;
	const char *want;
} encodes[] = {
	{ "abc", "", 4, 0, "abc" },
	{ "abc", "", 3, -1, NULL },
	{ "a b", "", 6, 0, "a%20b" },
	{ "a b", "", 5, -1, NULL },
	{ " ", "", 4, 0, "%20" },
	{ " ", "", 3, -1, NULL },
	{ "a/b", "/", 4, 0, "a/b" },
	{ "", "", 1, 0, "" },
	{ "", "", 0, -1, NULL },
	{ "\xff", "", 4, 0, "%FF" },
	{ "x\xff", "", 4, -1, NULL },
};

static void
test_encode_exact(void **state)
{
	char   out[8];
	size_t i;
	int    rv;

	(void)state;
	for (i = 0; i < sizeof(encodes) / sizeof(encodes[0]); i++) {
		memset(out, 'Z', sizeof(out));
		rv = text_pct_encode(out, encodes[i].outlen, encodes[i].in,
		    encodes[i].keep);
		if (rv != encodes[i].rv)
			fail_msg("case %zu: rv %d", i, rv);
		if (rv == 0 && strcmp(out, encodes[i].want) != 0)
			fail_msg("case %zu: \"%s\"", i, out);
		/* nothing written past outlen */
		if (out[encodes[i].outlen] != 'Z')
			fail_msg("case %zu: wrote past outlen", i);
	}
}

static void
test_encode_and_hex(void **state)
{
	char out[16];

	(void)state;
	assert_int_equal(text_pct_encode(out, sizeof(out), "a b/c", "/"), 0);
	assert_string_equal(out, "a%20b/c");
	assert_int_equal(text_pct_encode(out, sizeof(out), "\x80", ""), 0);
	assert_string_equal(out, "%80");
	assert_int_equal(text_pct_encode(out, 4, "abcd", ""), -1);
	assert_int_equal(text_hexval('0'), 0);
	assert_int_equal(text_hexval('f'), 15);
	assert_int_equal(text_hexval('F'), 15);
	assert_int_equal(text_hexval('g'), -1);
}

static const struct {
	const char	  *in;
	int		   base;
	unsigned long long max, want;
	int		   rv;
} numbers[] = {
	{ "0", 10, 10, 0, 0 },
	{ "65535", 10, 65535, 65535, 0 },
	{ "65536", 10, 65535, 0, -1 },
	{ "0660", 8, 0777, 0660, 0 },
	{ "0999", 8, 0777, 0, -1 },
	{ "18446744073709551615", 10, ~0ULL, ~0ULL, 0 },
	{ "18446744073709551616", 10, ~0ULL, 0, -1 },
	{ "", 10, 10, 0, -1 },
	{ "-1", 10, 10, 0, -1 },
	{ " 1", 10, 10, 0, -1 },
	{ "1x", 10, 10, 0, -1 },
};

static void
test_number(void **state)
{
	unsigned long long v;
	size_t		   i;
	int		   rv;

	(void)state;
	for (i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
		v = 12345;
		rv = text_number(numbers[i].in, strlen(numbers[i].in),
		    numbers[i].base, numbers[i].max, &v);
		if (rv != numbers[i].rv || (rv == 0 && v != numbers[i].want))
			fail_msg("case %zu: rv %d", i, rv);
	}
}

/* The words of a list value: apart by spaces, tabs or commas. */
static void
test_list_word(void **state)
{
	const char *p = " ,a\tbc,, d ,", *w;
	const char *want[] = { "a", "bc", "d" };
	size_t	    i = 0, n;

	(void)state;
	while ((w = text_list_word(&p, &n)) != NULL) {
		assert_true(i < 3);
		assert_int_equal(n, strlen(want[i]));
		assert_memory_equal(w, want[i], n);
		i++;
	}
	assert_int_equal(i, 3);
	p = " \t, ";
	assert_null(text_list_word(&p, &n));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_encode_and_hex),
		cmocka_unit_test(test_encode_exact),
		cmocka_unit_test(test_number),
		cmocka_unit_test(test_list_word),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
