/* Unit tests of form.c and request.c: forms, queries, same-site checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "form.h"
#include "handler.h"
#include "request.h"

#include "params.h"

static const struct {
	const char	*data, *name;
	int		 rv;
	const char	*want;
} gets[] = {
	{ "a=1&b=2", "b", 1, "2" },
	{ "a=1&b=2", "c", 0, NULL },
	{ "a=x+y%20z", "a", 1, "x y z" },
	{ "a=%2Fp%3Fq%3D1", "a", 1, "/p?q=1" },
	{ "a=%c3%a9", "a", 1, "\xc3\xa9" },
	{ "a", "a", 1, "" },
	{ "a=", "a", 1, "" },
	{ "&&a=1&&", "a", 1, "1" },
	{ "aa=1&a=2", "a", 1, "2" },
	{ "a=1&a=2", "a", 1, "1" },
	{ "a=%", "a", -1, NULL },
	{ "a=%4", "a", -1, NULL },
	{ "a=%zz", "a", -1, NULL },
	{ "a=%00", "a", -1, NULL },
	{ "a=%0d%0aX", "a", -1, NULL },
	{ "a=0123456789", "a", -1, NULL },	/* does not fit in 8 bytes */
};

static void
test_form_get(void **state)
{
	char	 out[8];
	size_t	 i;
	int	 rv;

	(void)state;
	for (i = 0; i < sizeof(gets) / sizeof(gets[0]); i++) {
		rv = form_get(gets[i].data, strlen(gets[i].data), gets[i].name,
		    out, sizeof(out));
		if (rv != gets[i].rv || (rv == 1 && strcmp(out, gets[i].want)))
			fail_msg("case %zu: rv %d", i, rv);
	}
}

static void
test_form_valid_and_encode(void **state)
{
	char	 out[64];

	(void)state;
	assert_true(form_valid("a=1&b=%41", 9));
	assert_true(form_valid("", 0));
	assert_false(form_valid("a=%4", 4));
	assert_false(form_valid("a=1 2", 5));
	assert_false(form_valid("a=\n", 3));
	assert_int_equal(form_encode("/a b?c=d&e#f", out, sizeof(out)), 0);
	assert_string_equal(out, "/a%20b%3Fc%3Dd%26e%23f");
	assert_int_equal(form_encode("\r\n\xff", out, sizeof(out)), 0);
	assert_string_equal(out, "%0D%0A%FF");
	assert_int_equal(form_encode("abcdef", out, 6), -1);
}

static const struct {
	const char	*host, *origin, *referer, *https;
	int		 cross;
} sites[] = {
	{ "example.com", NULL, NULL, "on", 0 },
	{ "example.com", "https://example.com", NULL, "on", 0 },
	{ "example.com", "https://EXAMPLE.com", NULL, "on", 0 },
	{ "example.com", "https://example.com:443", NULL, "on", 0 },
	{ "example.com:443", "https://example.com", NULL, "on", 0 },
	{ "example.com:8443", "https://example.com:8443", NULL, "on", 0 },
	{ "example.com", NULL, "https://example.com/a/b?c", "on", 0 },
	{ "example.com", "https://example.com.evil", NULL, "on", 1 },
	{ "example.com", "https://evil.com", "https://example.com/", "on", 1 },
	{ "example.com", "null", NULL, "on", 1 },
	{ "example.com", "https://example.com:8443", NULL, "on", 1 },
	{ "example.com", "https://user@example.com", NULL, "on", 1 },
	{ NULL, "https://example.com", NULL, "on", 1 },
	{ "example.com", NULL, "junk", "on", 1 },
};

static void
test_cross_site(void **state)
{
	struct request	 r;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(sites) / sizeof(sites[0]); i++) {
		struct kv p[] = { { "HTTP_HOST", sites[i].host },
		    { "HTTP_ORIGIN", sites[i].origin },
		    { "HTTP_REFERER", sites[i].referer },
		    { "HTTPS", sites[i].https }, { NULL, NULL } };
		int j;

		for (j = 0; j < 3; j++)
			if (p[j].v == NULL)
				p[j].k = "unused";
		request_init(&r, getp, p);
		if (request_cross_site(&r) != sites[i].cross)
			fail_msg("case %zu: got %d", i, !sites[i].cross);
	}
}

static void
test_request_view(void **state)
{
	struct kv	 p[] = { { "FCGI_ROLE", "AUTHORIZER" },
	    { "REQUEST_URI", "/login?next=%2Fa&x=1" },
	    { "CONTENT_LENGTH", "12" }, { NULL, NULL } };
	struct request	 r;
	char		 out[64];

	(void)state;
	request_init(&r, getp, p);
	assert_int_equal(r.role, REQUEST_AUTHORIZER);
	assert_string_equal(r.method, "");
	assert_string_equal(r.remote_addr, "");
	assert_null(r.cookie);
	assert_int_equal(r.content_length, 12);
	assert_true(request_path_is(&r, "/login"));
	assert_false(request_path_is(&r, "/logi"));
	assert_int_equal(request_query(&r, "next", out, sizeof(out)), 1);
	assert_string_equal(out, "/a");
	assert_int_equal(request_query(&r, "y", out, sizeof(out)), 0);
	p[0].v = "RESPONDER";
	p[2].v = "-1";
	request_init(&r, getp, p);
	assert_int_equal(r.role, REQUEST_RESPONDER);
	assert_int_equal(r.content_length, -1);
}

static void
test_local_paths(void **state)
{
	(void)state;
	assert_true(handler_local_path("/"));
	assert_true(handler_local_path("/a/b?c"));
	assert_false(handler_local_path(""));
	assert_false(handler_local_path("//evil"));
	assert_false(handler_local_path("/\\evil"));
	assert_false(handler_local_path("https://evil"));
	assert_false(handler_local_path("evil"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_form_get),
		cmocka_unit_test(test_form_valid_and_encode),
		cmocka_unit_test(test_cross_site),
		cmocka_unit_test(test_request_view),
		cmocka_unit_test(test_local_paths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
