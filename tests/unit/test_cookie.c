/* Unit tests of cookie.c: Cookie header parsing and Set-Cookie building. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http/cookie.h"

/* Every value of cookie "sid" in hdr, joined with '|'; "ERR" if malformed. */
static void
values(const char *hdr, size_t len, char *out, size_t outlen)
{
	const char *v;
	size_t	    pos = 0, vlen, o = 0;
	int	    rv;

	out[0] = '\0';
	while ((rv = cookie_next(hdr, len, "sid", &pos, &v, &vlen)) == 1) {
		assert_true(o + vlen + 2 < outlen);
		if (o > 0)
			out[o++] = '|';
		memcpy(out + o, v, vlen);
		o += vlen;
		out[o] = '\0';
	}
	if (rv == -1)
		snprintf(out, outlen, "ERR");
}

static const struct {
	const char *hdr;
	const char *want;
} cases[] = {
	{ "", "" },
	{ "sid=abc", "abc" },
	{ "a=1; sid=abc; b=2", "abc" },
	{ "a=1;sid=abc;b=2", "abc" },
	{ "  sid  =  abc  ; x=y", "abc" },
	{ "sid=\"abc\"", "abc" },
	{ "sid=\"\"", "" },
	{ "sid=", "" },
	{ "sid", "" },
	{ "xsid=1; sidx=2; Sid=3", "" },
	{ "sid=one; sid=two", "one|two" },
	{ "sid=a=b", "a=b" },
	{ ";;; sid=v ;;", "v" },
	{ "junk; sid=v", "v" },
	{ "sid=v\tx", "v\tx" },
	{ "sid=a\r\nb", "ERR" },
	{ "a=1; sid=\x01", "ERR" },
	{ "sid=\x7f", "ERR" },
};

static void
test_parse_table(void **state)
{
	char   out[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		values(cases[i].hdr, strlen(cases[i].hdr), out, sizeof(out));
		if (strcmp(out, cases[i].want) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, out,
			    cases[i].want);
	}
}

static void
test_not_nul_terminated(void **state)
{
	char buf[8] = { 's', 'i', 'd', '=', 'a', 'b', 'c', 'X' }, out[16];

	(void)state;
	values(buf, 6, out, sizeof(out));
	assert_string_equal(out, "ab");
}

static void
test_embedded_nul_is_malformed(void **state)
{
	char out[16];

	(void)state;
	values("sid=a\0b", 7, out, sizeof(out));
	assert_string_equal(out, "ERR");
}

static void
test_many_and_large(void **state)
{
	char  *hdr, *out;
	size_t n = 0, i;

	(void)state;
	hdr = malloc(COOKIE_HEADER_MAX + 64);
	out = malloc(COOKIE_HEADER_MAX + 64);
	for (i = 0; i < 500; i++)
		n += (size_t)sprintf(hdr + n, "c%zu=%zu; ", i, i);
	n += (size_t)sprintf(hdr + n, "sid=last");
	values(hdr, n, out, COOKIE_HEADER_MAX + 64);
	assert_string_equal(out, "last");
	memset(hdr, 'a', COOKIE_HEADER_MAX);
	memcpy(hdr, "sid=", 4);
	values(hdr, COOKIE_HEADER_MAX, out, COOKIE_HEADER_MAX + 64);
	assert_int_equal(strlen(out), COOKIE_HEADER_MAX - 4);
	hdr[COOKIE_HEADER_MAX] = 'a';
	values(hdr, COOKIE_HEADER_MAX + 1, out, COOKIE_HEADER_MAX + 64);
	assert_string_equal(out, "ERR");
	free(hdr);
	free(out);
}

static void
test_set_cookie(void **state)
{
	struct cookie_attrs a = { "__Host-sid", 1, "Lax" };
	char		    buf[COOKIE_SET_MAX];

	(void)state;
	assert_int_equal(cookie_set(buf, sizeof(buf), &a, "T.V", 604800), 0);
	assert_string_equal(buf,
	    "__Host-sid=T.V; Path=/; Max-Age=604800; "
	    "Secure; HttpOnly; SameSite=Lax");
	assert_int_equal(cookie_clear(buf, sizeof(buf), &a), 0);
	assert_string_equal(buf,
	    "__Host-sid=; Path=/; Max-Age=0; Secure; "
	    "HttpOnly; SameSite=Lax");
	a.name = "sid";
	a.secure = 0;
	a.samesite = "Strict";
	assert_int_equal(cookie_set(buf, sizeof(buf), &a, "x", 5), 0);
	assert_string_equal(buf,
	    "sid=x; Path=/; Max-Age=5; HttpOnly; "
	    "SameSite=Strict");
	assert_int_equal(cookie_set(buf, 20, &a, "x", 5), -1);
	/* no Max-Age: a cookie that ends with the browser session */
	assert_int_equal(cookie_set(buf, sizeof(buf), &a, "x", -1), 0);
	assert_string_equal(buf, "sid=x; Path=/; HttpOnly; SameSite=Strict");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_not_nul_terminated),
		cmocka_unit_test(test_embedded_nul_is_malformed),
		cmocka_unit_test(test_many_and_large),
		cmocka_unit_test(test_set_cookie),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
