/* Unit tests of url.c: local targets, their encodings, origins. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "http/url.h"

static void
test_local_paths(void **state)
{
	(void)state;
	assert_true(url_local_path("/"));
	assert_true(url_local_path("/a/b?c"));
	assert_false(url_local_path(""));
	assert_false(url_local_path("//evil"));
	assert_false(url_local_path("/\\evil"));
	assert_false(url_local_path("https://evil"));
	assert_false(url_local_path("evil"));
}

static void
test_encode(void **state)
{
	char out[URL_MAX], big[URL_MAX + 1];

	(void)state;
	assert_int_equal(url_encode_query(out, "/a b?c=d&e#f"), 0);
	assert_string_equal(out, "/a%20b%3Fc%3Dd%26e%23f");
	assert_int_equal(url_encode_query(out, "\r\n\xff"), 0);
	assert_string_equal(out, "%0D%0A%FF");
	assert_int_equal(url_encode_location(out, "/a b?c=\"d\"&e\\f%\xc3\xa9"),
	    0);
	assert_string_equal(out, "/a%20b?c=%22d%22&e%5Cf%%C3%A9");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(url_encode_query(out, big), -1); /* URL_MAX + NUL */
	big[URL_MAX - 1] = '\0';
	assert_int_equal(url_encode_query(out, big), 0); /* exactly fits */
	assert_string_equal(out, big);
	big[URL_MAX - 1] = 'a';
	big[URL_MAX / 2] = '\0';
	assert_int_equal(url_encode_location(out, big), 0);
	big[URL_MAX / 4] = ' '; /* %20 makes it too long */
	big[URL_MAX / 2] = 'a';
	big[URL_MAX - 2] = '\0';
	assert_int_equal(url_encode_location(out, big), -1);
}

static const struct {
	const char *url, *scheme, *host;
	int	    same;
} origins[] = {
	{ "https://example.com", "https", "example.com", 1 },
	{ "https://EXAMPLE.com", "https", "example.com", 1 },
	{ "https://example.com:443", "https", "example.com", 1 },
	{ "https://example.com", "https", "example.com:443", 1 },
	{ "https://example.com:8443", "https", "example.com:8443", 1 },
	{ "https://example.com/a/b?c", "https", "example.com", 1 },
	{ "http://example.com:80", "http", "example.com", 1 },
	{ "https://example.com.evil", "https", "example.com", 0 },
	{ "https://evil.com", "https", "example.com", 0 },
	{ "null", "https", "example.com", 0 },
	{ "https://example.com:8443", "https", "example.com", 0 },
	{ "https://user@example.com", "https", "example.com", 0 },
	{ "https://example.com", "https", NULL, 0 },
	{ "https:///", "https", "", 0 },
	{ "junk", "https", "example.com", 0 },
	/* issue 8, item 9: the scheme is part of the origin */
	{ "http://example.com", "https", "example.com", 0 },
	{ "http://example.com:443", "https", "example.com", 0 },
	{ "http://example.com:443", "https", "example.com:443", 0 },
	{ "https://example.com", "http", "example.com", 0 },
	{ "https://example.com:80", "http", "example.com:80", 0 },
	{ "http://127.0.0.1:8080", "http", "127.0.0.1:8080", 1 },
	{ "HTTPS://example.com", "https", "example.com", 1 },
	{ "https://example.com", "HTTPS", "example.com:443", 1 },
	{ "ws://example.com", "https", "example.com", 0 },
	{ "httpss://example.com", "https", "example.com", 0 },
	{ "://example.com", "", "example.com", 0 },
	/* the server named no scheme: nothing can match (fail closed) */
	{ "https://example.com", "", "example.com", 0 },
	{ "http://example.com", "", "example.com", 0 },
	{ "https://example.com", NULL, "example.com", 0 },
};

static void
test_same_origin(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(origins) / sizeof(origins[0]); i++)
		if (url_same_origin(origins[i].url, origins[i].scheme,
			origins[i].host) != origins[i].same)
			fail_msg("case %zu: %s", i, origins[i].url);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_local_paths),
		cmocka_unit_test(test_encode),
		cmocka_unit_test(test_same_origin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
