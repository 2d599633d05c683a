/* Unit tests of the request view: params, paths, origins, the body. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "http/request.h"

#include "params.h"

static const struct {
	const char *host, *origin, *referer, *https, *scheme;
	int	    cross;
} sites[] = {
	{ "example.com", NULL, NULL, "on", NULL, 0 },
	{ "example.com", "https://example.com", NULL, "on", NULL, 0 },
	{ "example.com", "https://EXAMPLE.com", NULL, "on", NULL, 0 },
	{ "example.com", "https://example.com:443", NULL, "on", NULL, 0 },
	{ "example.com:443", "https://example.com", NULL, "on", NULL, 0 },
	{ "example.com:8443", "https://example.com:8443", NULL, "on", NULL, 0 },
	{ "example.com", NULL, "https://example.com/a/b?c", "on", NULL, 0 },
	{ "example.com", "https://example.com.evil", NULL, "on", NULL, 1 },
	{ "example.com", "https://evil.com", "https://example.com/", "on", NULL,
	    1 },
	{ "example.com", "null", NULL, "on", NULL, 1 },
	{ "example.com", "https://example.com:8443", NULL, "on", NULL, 1 },
	{ "example.com", "https://user@example.com", NULL, "on", NULL, 1 },
	{ NULL, "https://example.com", NULL, "on", NULL, 1 },
	{ "example.com", NULL, "junk", "on", NULL, 1 },
	/* issue 8, item 9: the scheme counts, from HTTPS or REQUEST_SCHEME */
	{ "example.com", "http://example.com", NULL, "on", NULL, 1 },
	{ "example.com", "http://example.com", NULL, "on", "http", 1 },
	{ "example.com", NULL, "http://example.com/a", "on", NULL, 1 },
	{ "example.com", "http://example.com", NULL, NULL, "https", 1 },
	{ "example.com", "https://example.com", NULL, NULL, "https", 0 },
	{ "example.com", "https://example.com", NULL, "off", "https", 0 },
	{ "example.com", "https://example.com", NULL, NULL, "http", 1 },
	{ "example.com:8080", "http://example.com:8080", NULL, NULL, "http",
	    0 },
	{ "example.com", "http://example.com", NULL, "off", "http", 0 },
	/* neither HTTPS nor REQUEST_SCHEME: no Origin can match */
	{ "example.com", "http://example.com", NULL, NULL, NULL, 1 },
	{ "example.com", "https://example.com", NULL, NULL, NULL, 1 },
	{ "example.com", "https://example.com", NULL, "off", NULL, 1 },
	{ "example.com", NULL, NULL, NULL, NULL, 0 }, /* not a browser */
};

static void
test_cross_site(void **state)
{
	struct request r;
	size_t	       i;

	(void)state;
	for (i = 0; i < sizeof(sites) / sizeof(sites[0]); i++) {
		struct kv p[] = { { "HTTP_HOST", sites[i].host },
			{ "HTTP_ORIGIN", sites[i].origin },
			{ "HTTP_REFERER", sites[i].referer },
			{ "HTTPS", sites[i].https },
			{ "REQUEST_SCHEME", sites[i].scheme }, { NULL, NULL } };
		int	  j;

		for (j = 0; j < 5; j++)
			if (p[j].v == NULL)
				p[j].k = "unused";
		request_init(&r, getp, NULL, p);
		if (request_cross_site(&r) != sites[i].cross)
			fail_msg("case %zu: got %d", i, !sites[i].cross);
	}
}

static void
test_request_view(void **state)
{
	struct kv      p[] = { { "FCGI_ROLE", "AUTHORIZER" },
		     { "REQUEST_URI", "/login?next=%2Fa&x=1" },
		     { "CONTENT_LENGTH", "12" }, { NULL, NULL } };
	struct request r;
	char	       out[64];

	(void)state;
	request_init(&r, getp, NULL, p);
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
	request_init(&r, getp, NULL, p);
	assert_int_equal(r.role, REQUEST_RESPONDER);
	assert_int_equal(r.content_length, -1);
}

/* A body reader over a string, in pieces of at most 100 bytes. */
struct body {
	const char *data;
	size_t	    len, off;
	struct kv  *params;
};

static const char *
body_param(const char *name, void *arg)
{
	return getp(name, ((struct body *)arg)->params);
}

static long
body_read(void *arg, char *buf, size_t len)
{
	struct body *b = arg;
	size_t	     n = b->len - b->off;

	if (n > len)
		n = len;
	if (n > 100)
		n = 100;
	memcpy(buf, b->data + b->off, n);
	b->off += n;
	return (long)n;
}

static void
test_body(void **state)
{
	static char big[REQUEST_BODY_MAX + 2];
	static const struct {
		const char *length; /* CONTENT_LENGTH, or NULL */
		size_t	    sent;   /* bytes the client sends */
		int	    too_large;
		size_t	    got;
	} cases[] = {
		{ "5", 5, 0, 5 }, { "0", 0, 0, 0 }, { NULL, 7, 0, 7 },
		{ "8192", REQUEST_BODY_MAX, 0, REQUEST_BODY_MAX },
		{ "8193", REQUEST_BODY_MAX + 1, 1, 0 }, /* not even read */
		{ NULL, REQUEST_BODY_MAX + 1, 1, REQUEST_BODY_MAX + 1 },
		{ "10", 4, 0, 4 }, /* the client stopped */
	};
	struct kv      p[] = { { "CONTENT_LENGTH", NULL }, { NULL, NULL } };
	struct body    b;
	struct request r;
	size_t	       i;

	(void)state;
	memset(big, 'x', sizeof(big));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		p[0].k = cases[i].length ? "CONTENT_LENGTH" : "unused";
		p[0].v = cases[i].length;
		b.data = big;
		b.len = cases[i].sent;
		b.off = 0;
		b.params = p;
		request_init(&r, body_param, body_read, &b);
		assert_int_equal(request_read_body(&r), 0);
		if (r.body_too_large != cases[i].too_large ||
		    (!r.body_too_large && r.body_len != cases[i].got))
			fail_msg("case %zu: too_large %d, len %zu", i,
			    r.body_too_large, r.body_len);
		assert_int_equal(request_read_body(&r), 0); /* once */
		request_free(&r);
		assert_null(r.body);
	}
}

static void
test_error_page(void **state)
{
	struct kv      p[] = { { "REDIRECT_STATUS", "401" }, { NULL, NULL } };
	struct request r;

	(void)state;
	request_init(&r, getp, NULL, p);
	assert_true(request_is_error_page(&r));
	p[0].v = "200";
	request_init(&r, getp, NULL, p);
	assert_false(request_is_error_page(&r));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cross_site),
		cmocka_unit_test(test_request_view),
		cmocka_unit_test(test_body),
		cmocka_unit_test(test_error_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
