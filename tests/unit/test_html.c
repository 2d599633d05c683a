/*
 * Unit tests of html.c: escaping, the pages for any action, and the frame
 * every page goes through: sessgate's own (the same bytes as before
 * page_template existed: tests/unit/golden) or the operator's template.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http/html.h"

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

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
	page = html_login_page(NULL, "/login", "/x\"><script>", "Wrong <b>", 0,
	    &len);
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
	page = html_login_page(NULL, action, "", NULL, 0, &len);
	assert_non_null(page);
	snprintf(want, sizeof(want), "action=\"/&amp;&amp;");
	assert_non_null(strstr(page, want));
	assert_int_equal(len, strlen(page));
	free(page);
}

/* The six pages of tests/unit/golden, as gen() makes them in frame f. */
static char *
gen(const struct html_frame *f, size_t i, size_t *len)
{
	switch (i) {
	case 0:
		return html_login_page(f, "/login", "", NULL, 0, len);
	case 1:
		return html_login_page(f, "/login",
		    "/x\"><script>alert(1)</script>&a='b'",
		    "Wrong user name or password.", 0, len);
	case 2:
		return html_password_page(f, "/password", "alice", NULL, len);
	case 3:
		return html_password_page(f, "/password", "<al&ice>",
		    "The current password is wrong.", len);
	case 4:
		return html_message_page(f, "Service unavailable",
		    "Sessions cannot be checked at this moment. Try again "
		    "in a moment.",
		    NULL, NULL, len);
	default:
		return html_message_page(f, "Sign in required",
		    "Sign in to see this page.",
		    "/login?next=%2Fa%3Cb%3E&x=\"y\"", "Sign in", len);
	}
}

static const char *const golden[] = { "login.html", "login-message.html",
	"password.html", "password-message.html", "message.html",
	"message-link.html" };

/* A golden page's bytes (malloc'ed) and length. */
static char *
golden_read(const char *name, size_t *len)
{
	const char *top = getenv("top_srcdir");
	char	    path[1024], *buf;
	FILE	   *f;

	snprintf(path, sizeof(path), "%s/tests/unit/golden/%s", top ? top : ".",
	    name);
	if ((f = fopen(path, "rb")) == NULL)
		fail_msg("%s: cannot be read", path);
	assert_non_null(buf = malloc(8192));
	*len = fread(buf, 1, 8191, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

/*
 * Without a template, every page keeps the bytes it had before there was
 * a frame (the golden files were written by the code of 0597364).
 */
static void
test_builtin_unchanged(void **state)
{
	struct html_frame none = { NULL, 0 };
	char		 *want, *page;
	size_t		  i, wlen, len;

	(void)state;
	for (i = 0; i < nitems(golden); i++) {
		want = golden_read(golden[i], &wlen);
		page = gen(NULL, i, &len);
		assert_non_null(page);
		if (len != wlen || memcmp(page, want, len) != 0)
			fail_msg("%s differs:\n%s", golden[i], page);
		free(page);
		page = gen(&none, i, &len); /* a zeroed frame: the same */
		assert_int_equal(len, wlen);
		assert_memory_equal(page, want, len);
		free(page);
		free(want);
	}
}

static int
parse(struct html_frame *f, const char *text, char *err, size_t errlen)
{
	err[0] = '\0';
	return html_frame_parse(f, text, strlen(text), err, errlen);
}

/* Templates with one content placeholder, and what is refused. */
static void
test_frame_parse(void **state)
{
	static const char *const ok[] = { "{{content}}",
		"<p>{{title}}</p>{{content}}{{title}}", "{{{content}}}",
		"{{ content }}{{content}}", "{{contents}}{{content}}" };
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "", "no {{content}}, where sessgate's page goes" },
		{ "<html><body></body></html>\n", "no {{content}}" },
		{ "{{ content }}", "no {{content}}" },
		{ "{{CONTENT}}", "no {{content}}" },
		{ "{{title}}content}}", "no {{content}}" },
		{ "a\n{{content}}\nb\n{{content}}",
		    "a second {{content}} at line 4: it must be there once" },
		{ "{{content}}{{content}}", "a second {{content}} at line 1" },
	};
	struct html_frame f = { NULL, 0 };
	char		  err[256], *big;
	size_t		  i;

	(void)state;
	for (i = 0; i < nitems(ok); i++) {
		if (parse(&f, ok[i], err, sizeof(err)) != 0)
			fail_msg("%s: %s", ok[i], err);
		assert_string_equal(f.text, ok[i]);
		assert_int_equal(f.len, strlen(ok[i]));
		html_frame_free(&f);
		assert_null(f.text);
	}
	for (i = 0; i < nitems(bad); i++) {
		assert_int_equal(parse(&f, bad[i].text, err, sizeof(err)), -1);
		if (strncmp(err, bad[i].msg, strlen(bad[i].msg)) != 0)
			fail_msg("%s: \"%s\"", bad[i].text, err);
		assert_null(f.text);
	}
	assert_int_equal(
	    html_frame_parse(&f, "{{content}}\0x", 13, err, sizeof(err)), -1);
	assert_string_equal(err, "holds a NUL byte: not a text file");
	/* HTML_TEMPLATE_MAX bytes is fine, one more is not */
	assert_non_null(big = malloc(HTML_TEMPLATE_MAX + 1));
	memset(big, ' ', HTML_TEMPLATE_MAX + 1);
	memcpy(big, "{{content}}", 11);
	assert_int_equal(
	    html_frame_parse(&f, big, HTML_TEMPLATE_MAX + 1, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "larger than 64 KiB");
	assert_int_equal(
	    html_frame_parse(&f, big, HTML_TEMPLATE_MAX, err, sizeof(err)), 0);
	html_frame_free(&f);
	free(big);
}

/* The part of a built-in page that {{content}} gets: <h1> to </main>. */
static char *
content_of(const char *page)
{
	const char *a = strstr(page, "<main>\n"), *b = strstr(page, "</main>");

	assert_non_null(a);
	assert_non_null(b);
	a += strlen("<main>\n");
	return strndup(a, (size_t)(b - a));
}

/*
 * With a template, the template's own text is copied as it is, every
 * {{title}} gets the title and {{content}} what the built-in page has in
 * its <main>: the same form, the same escaping.
 */
static void
test_frame_fills(void **state)
{
	const char *tpl = "<!doctype html><title>{{title}} - Acme &amp; Co"
			  "</title>\n<link rel=\"stylesheet\" href=\"/a.css\">"
			  "<script src=\"/a.js\"></script>\n<main class=x>"
			  "{{content}}</main><footer>{{title}} {{x}} {{"
			  "</footer>\n";
	struct html_frame f;
	char		  err[256], want[16384], *page, *builtin, *c;
	size_t		  i, len, blen;

	(void)state;
	assert_int_equal(parse(&f, tpl, err, sizeof(err)), 0);
	for (i = 0; i < nitems(golden); i++) {
		builtin = gen(NULL, i, &blen);
		page = gen(&f, i, &len);
		assert_non_null(page);
		assert_non_null(c = content_of(builtin));
		/* the title is the built-in page's <h1> */
		snprintf(want, sizeof(want),
		    "<!doctype html><title>%.*s - Acme &amp; Co</title>\n"
		    "<link rel=\"stylesheet\" href=\"/a.css\">"
		    "<script src=\"/a.js\"></script>\n<main class=x>%s"
		    "</main><footer>%.*s {{x}} {{</footer>\n",
		    (int)strcspn(c + 4, "<"), c + 4, c,
		    (int)strcspn(c + 4, "<"), c + 4);
		assert_string_equal(page, want);
		assert_int_equal(len, strlen(want));
		free(c);
		free(page);
		free(builtin);
	}
	html_frame_free(&f);
}

/* How many times needle is in s. */
static size_t
count(const char *s, const char *needle)
{
	size_t n = 0;

	for (; (s = strstr(s, needle)) != NULL; s++)
		n++;
	return n;
}

/*
 * Hostile values (a next with a script, with placeholders of its own) are
 * escaped in a template as in the built-in page, and what is inserted is
 * never read for placeholders again: the form is there once.
 */
static void
test_frame_hostile(void **state)
{
	const char *next = "/\"><script>alert(1)</script>{{content}}{{title}}";
	struct html_frame f;
	char		  err[256], *page;
	size_t		  len;

	(void)state;
	assert_int_equal(
	    parse(&f, "<body>{{title}}|{{content}}|</body>", err, sizeof(err)),
	    0);
	page = html_login_page(&f, "/login", next, "<img src=x onerror=y>", 0,
	    &len);
	assert_non_null(page);
	assert_int_equal(len, strlen(page));
	assert_null(strstr(page, "<script"));
	assert_null(strstr(page, "<img"));
	assert_int_equal(count(page, "<form"), 1);
	assert_int_equal(count(page, "{{content}}"), 1); /* next's, as text */
	assert_non_null(strstr(page,
	    "value=\"/&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
	    "{{content}}{{title}}\""));
	assert_non_null(strstr(page, "&lt;img src=x onerror=y&gt;"));
	assert_int_equal(strncmp(page, "<body>Sign in|<h1>Sign in</h1>\n", 31),
	    0);
	free(page);
	page = html_message_page(&f, "<b>T</b>", "m", NULL, NULL, &len);
	assert_non_null(page);
	assert_string_equal(page,
	    "<body>&lt;b&gt;T&lt;/b&gt;|<h1>&lt;b&gt;T&lt;/b&gt;</h1>\n"
	    "<p>m</p>\n|</body>");
	free(page);
	html_frame_free(&f);
}

/* html_page() itself, for pages to come: body as given, title escaped. */
static void
test_html_page(void **state)
{
	struct html_frame f;
	char		  err[256], *page;
	size_t		  len;

	(void)state;
	assert_int_equal(parse(&f, "[{{content}}]", err, sizeof(err)), 0);
	page = html_page(&f, "A&B", "<ul><li>x</li></ul>\n", &len);
	assert_string_equal(page, "[<h1>A&amp;B</h1>\n<ul><li>x</li></ul>\n]");
	assert_int_equal(len, strlen(page));
	free(page);
	html_frame_free(&f);
	page = html_page(NULL, "A&B", "<p>x</p>\n", &len);
	assert_non_null(strstr(page, "<title>A&amp;B</title>\n"));
	assert_non_null(
	    strstr(page, "<main>\n<h1>A&amp;B</h1>\n<p>x</p>\n</main>\n"));
	free(page);
}

/* The "keep me signed in" box is there only when asked, with its label. */
static void
test_remember_box(void **state)
{
	char  *page;
	size_t len = 0;

	(void)state;
	page = html_login_page(NULL, "/login", "/", NULL, 1, &len);
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
	page = html_login_page(NULL, "/login", "/", NULL, 0, &len);
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
	page = html_confirm_page(NULL, "/login", "a<b>", "/x\"y", "Wrong <i>",
	    &len);
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
	page = html_confirm_page(NULL, "/login", "bob", "", NULL, &len);
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
		cmocka_unit_test(test_builtin_unchanged),
		cmocka_unit_test(test_frame_parse),
		cmocka_unit_test(test_frame_fills),
		cmocka_unit_test(test_frame_hostile),
		cmocka_unit_test(test_html_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
