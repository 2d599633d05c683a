/*
 * Unit tests of agent.c: real User-Agent headers of today's browsers
 * (as they send them, reduced UA strings included) to the short
 * description the sessions page shows; nothing of the header but the
 * table's words ever comes out.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/record.h"
#include "http/agent.h"

static const struct {
	const char *ua, *want;
} cases[] = {
	{ "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 "
	  "Firefox/121.0",
	    "Firefox on Linux" },
	{ "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:120.0) Gecko/20100101 "
	  "Firefox/120.0",
	    "Firefox on Linux" },
	{ "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 "
	  "Firefox/121.0",
	    "Firefox on Windows" },
	{ "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.2; rv:121.0) "
	  "Gecko/20100101 Firefox/121.0",
	    "Firefox on macOS" },
	{ "Mozilla/5.0 (Android 14; Mobile; rv:121.0) Gecko/121.0 "
	  "Firefox/121.0",
	    "Firefox on Android" },
	{ "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) "
	  "AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/121.0 "
	  "Mobile/15E148 Safari/605.1.15",
	    "Firefox on iPhone" },
	{ "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
	  "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
	    "Chrome on Windows" },
	{ "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like "
	  "Gecko) Chrome/120.0.0.0 Safari/537.36",
	    "Chrome on Linux" },
	{ "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like "
	  "Gecko) Chrome/120.0.0.0 Mobile Safari/537.36",
	    "Chrome on Android" },
	{ "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) "
	  "AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120.0.6099.119 "
	  "Mobile/15E148 Safari/604.1",
	    "Chrome on iPhone" },
	{ "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 "
	  "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
	    "Chrome on ChromeOS" },
	{ "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like "
	  "Gecko) HeadlessChrome/120.0.6099.224 Safari/537.36",
	    "Chrome on Linux" },
	{ "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) "
	  "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 "
	  "Mobile/15E148 Safari/604.1",
	    "Safari on iPhone" },
	{ "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 "
	  "(KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1",
	    "Safari on iPad" },
	{ "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) "
	  "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 "
	  "Safari/605.1.15",
	    "Safari on macOS" },
	{ "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
	  "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0",
	    "Edge on Windows" },
	{ "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like "
	  "Gecko) Chrome/120.0.0.0 Mobile Safari/537.36 EdgA/120.0.0.0",
	    "Edge on Android" },
	{ "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
	  "(KHTML, like Gecko) Chrome/70.0.3538.102 Safari/537.36 "
	  "Edge/18.19045",
	    "Edge on Windows" },
	{ "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
	  "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 OPR/106.0.0.0",
	    "Opera on Windows" },
	{ "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like "
	  "Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36",
	    "Samsung Internet on Android" },
	{ "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like "
	  "Gecko) Chrome/120.0.0.0 Safari/537.36 Vivaldi/6.5.3206.53",
	    "Vivaldi on Linux" },
	{ "Mozilla/5.0 (Windows NT 10.0; Trident/7.0; rv:11.0) like Gecko",
	    "Internet Explorer on Windows" },
	{ "curl/7.88.1", "curl" }, { "Wget/1.21.3", "Wget" },
	/* nothing known: never the header itself */
	{ "python-requests/2.31.0", "Unknown browser" },
	{ "Mozilla/5.0 (X11; Linux x86_64) <script>alert(1)</script>",
	    "Unknown browser on Linux" },
	{ "", "Unknown browser" },
	{ "Firefox", "Unknown browser" }, /* a family's token has its '/' */
};

static void
test_families(void **state)
{
	char   out[RECORD_AGENT_MAX + 1];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(out, 'x', sizeof(out));
		agent_describe(cases[i].ua, out, sizeof(out));
		if (strcmp(out, cases[i].want) != 0)
			fail_msg("case %zu: \"%s\", want \"%s\"", i, out,
			    cases[i].want);
		/* what a record may hold (record_text_ok), always */
		assert_true(record_text_ok(out, RECORD_AGENT_MAX));
	}
}

static void
test_no_header(void **state)
{
	char out[RECORD_AGENT_MAX + 1];

	(void)state;
	agent_describe(NULL, out, sizeof(out));
	assert_string_equal(out, AGENT_UNKNOWN);
}

/* The longest pair still fits a record's ua (RECORD_AGENT_MAX). */
static void
test_longest_fits(void **state)
{
	char out[64];

	(void)state;
	agent_describe("Trident/7.0 Windows Phone", out, sizeof(out));
	assert_string_equal(out, "Internet Explorer on Windows Phone");
	assert_true(strlen(out) <= RECORD_AGENT_MAX);
	agent_describe("SamsungBrowser/1 Windows Phone", out, sizeof(out));
	assert_true(strlen(out) <= RECORD_AGENT_MAX);
	agent_describe("Opera Windows Phone", out, sizeof(out));
	assert_true(strlen(out) <= RECORD_AGENT_MAX);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_families),
		cmocka_unit_test(test_no_header),
		cmocka_unit_test(test_longest_fits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
