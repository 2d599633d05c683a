/* Unit tests of html.c: escaping, and the login page for any action. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http/html.h"

static void
test_escape(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(html_escape("a<b>&\"'c", out, sizeof(out)), 0);
	assert_string_equal(out, "a&lt;b&gt;&amp;&quot;&#39;c");
	assert_int_equal(html_escape("&&", out, 11), 0);
	assert_string_equal(out, "&amp;&amp;");
	assert_int_equal(html_escape("&&", out, 10), -1); /* no room for NUL */
}

static void
test_page_escapes(void **state)
{
	char  *page;
	size_t len = 0;

	(void)state;
	page = html_login_page("/login", "/x\"><script>", "Wrong <b>", 0, &len);
	assert_non_null(page);
	assert_int_equal(len, strlen(page));
	assert_non_null(strstr(page, "value=\"/x&quot;&gt;&lt;script&gt;\""));
	assert_non_null(strstr(page, "Wrong &lt;b&gt;"));
	assert_null(strstr(page, "<script>"));
	free(page);
}

/*
 * Any path the configuration accepts (up to 200 bytes, each of which may
 * become "&quot;" or "&amp;") gets its page: a fixed 512-byte buffer
 * failed past 85 such bytes, and the login page was a 500.
 */
static void
test_page_long_action(void **state)
{
	char   action[201], want[32];
	char  *page;
	size_t len = 0;

	(void)state;
	action[0] = '/';
	memset(action + 1, '&', sizeof(action) - 2);
	action[sizeof(action) - 1] = '\0';
	page = html_login_page(action, "", NULL, 0, &len);
	assert_non_null(page);
	snprintf(want, sizeof(want), "action=\"/&amp;&amp;");
	assert_non_null(strstr(page, want));
	assert_int_equal(len, strlen(page));
	free(page);
}

/* The "keep me signed in" box is there only when asked, with its label. */
static void
test_remember_box(void **state)
{
	char  *page;
	size_t len = 0;

	(void)state;
	page = html_login_page("/login", "/", NULL, 1, &len);
	assert_non_null(page);
	assert_int_equal(len, strlen(page));
	assert_non_null(strstr(page,
	    "<input type=\"checkbox\" id=\"remember\" "
	    "name=\"remember\" value=\"1\""));
	assert_non_null(strstr(page, "<label for=\"remember\""));
	/* before the button, after the password */
	assert_true(strstr(page, "id=\"remember\"") > strstr(page, "password"));
	assert_true(strstr(page, "id=\"remember\"") < strstr(page, "<button"));
	free(page);
	page = html_login_page("/login", "/", NULL, 0, &len);
	assert_null(strstr(page, "remember"));
	free(page);
}

/* Confirm mode: the user shown (escaped), only the password asked. */
static void
test_confirm_page(void **state)
{
	char  *page;
	size_t len = 0;

	(void)state;
	page = html_confirm_page("/login", "a<b>", "/x\"y", "Wrong <i>", &len);
	assert_non_null(page);
	assert_int_equal(len, strlen(page));
	assert_non_null(strstr(page, "<strong>a&lt;b&gt;</strong>"));
	assert_non_null(strstr(page, "value=\"/x&quot;y\""));
	assert_non_null(strstr(page, "<p role=\"alert\">Wrong &lt;i&gt;</p>"));
	assert_non_null(strstr(page, "<label for=\"password\">"));
	assert_non_null(strstr(page, "name=\"reauth\" value=\"1\""));
	assert_null(strstr(page, "id=\"username\""));
	assert_null(strstr(page, "<b>"));
	free(page);
	page = html_confirm_page("/login", "bob", "", NULL, &len);
	assert_null(strstr(page, "role=\"alert\""));
	free(page);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_page_escapes),
		cmocka_unit_test(test_page_long_action),
		cmocka_unit_test(test_remember_box),
		cmocka_unit_test(test_confirm_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
