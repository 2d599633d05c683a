/*
 * fuzz_template: html_frame_parse(), any bytes as a page_template file,
 * and the pages framed in what it accepts. A template is accepted exactly
 * when it is at most HTML_TEMPLATE_MAX bytes, holds no NUL and holds
 * {{content}} once, as a plain byte-by-byte reading counts it. A page
 * framed in it is that reading's fill: the template's bytes as they are,
 * each {{title}} the escaped title, {{content}} sessgate's part once,
 * the same part the built-in page has, whose hostile values are escaped.
 */
#include "http/html.h"

#include "fuzz.h"

#define NEXT	"/\"><script>alert(1)</script>{{content}}{{title}}"
#define MESSAGE "<img src=x onerror=alert(1)>{{content}}"

/*
 * The reference reading: at each byte, a placeholder or the byte. Fills
 * out (NULL: only counts) and returns the length; *contents gets the
 * number of {{content}}.
 */
static size_t
ref_fill(const char *t, size_t len, const char *title, const char *content,
    char *out, size_t *contents)
{
	size_t	    i = 0, o = 0, n;
	const char *rep;

	*contents = 0;
	while (i < len) {
		if (len - i >= strlen(HTML_CONTENT) &&
		    memcmp(t + i, HTML_CONTENT, strlen(HTML_CONTENT)) == 0) {
			rep = content;
			i += strlen(HTML_CONTENT);
			++*contents;
		} else if (len - i >= strlen(HTML_TITLE) &&
		    memcmp(t + i, HTML_TITLE, strlen(HTML_TITLE)) == 0) {
			rep = title;
			i += strlen(HTML_TITLE);
		} else {
			if (out != NULL)
				out[o] = t[i];
			o++, i++;
			continue;
		}
		n = strlen(rep);
		if (out != NULL)
			memcpy(out + o, rep, n);
		o += n;
	}
	return o;
}

/* The login page with hostile values, framed in f. */
static char *
login(const struct html_frame *f, size_t *len)
{
	char *page = html_login_page(f, "/login", NEXT, MESSAGE, 0, len);

	FUZZ_ASSERT(page != NULL && *len == strlen(page));
	return page;
}

/* sessgate's part of the login page: what {{content}} gets. */
static char *
login_content(void)
{
	struct html_frame f = { NULL, 0 };
	char		  err[128], *c;
	size_t		  len;

	FUZZ_ASSERT(html_frame_parse(&f, HTML_CONTENT, strlen(HTML_CONTENT),
			err, sizeof(err)) == 0);
	c = login(&f, &len);
	FUZZ_ASSERT(strncmp(c, "<h1>Sign in</h1>\n", 17) == 0);
	FUZZ_ASSERT(strstr(c, "<script") == NULL && strstr(c, "<img") == NULL);
	FUZZ_ASSERT(strstr(c, "&lt;script&gt;") != NULL);
	html_frame_free(&f);
	return c;
}

/* The page framed in f is the reference fill of the template. */
static void
check_page(const struct html_frame *f, const char *title, const char *content,
    char *page, size_t len)
{
	size_t n, contents;
	char  *want;

	n = ref_fill(f->text, f->len, title, content, NULL, &contents);
	FUZZ_ASSERT(contents == 1 && len == n);
	if ((want = malloc(n + 1)) == NULL)
		abort();
	ref_fill(f->text, f->len, title, content, want, &contents);
	FUZZ_ASSERT(memcmp(page, want, n) == 0);
	free(want);
	free(page);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct html_frame f = { NULL, 0 };
	const char	 *t = (const char *)data;
	char		  err[256], *page, *content;
	size_t		  len, contents;
	int		  rv, fits;

	err[0] = '\0';
	rv = html_frame_parse(&f, t, size, err, sizeof(err));
	(void)ref_fill(t, size, "", "", NULL, &contents);
	fits = size <= HTML_TEMPLATE_MAX && memchr(t, '\0', size) == NULL;
	FUZZ_ASSERT((rv == 0) == (fits && contents == 1));
	if (rv == -1) {
		FUZZ_ASSERT(
		    err[0] != '\0' && fuzz_terminated(err, sizeof(err)));
		FUZZ_ASSERT(f.text == NULL);
		return 0;
	}
	FUZZ_ASSERT(f.len == size && memcmp(f.text, t, size) == 0);
	FUZZ_ASSERT(f.text[size] == '\0');
	/* html_page: the body as given, the title escaped */
	page = html_page(&f, "<T>", "<p>body</p>\n", &len);
	FUZZ_ASSERT(page != NULL);
	check_page(&f, "&lt;T&gt;", "<h1>&lt;T&gt;</h1>\n<p>body</p>\n", page,
	    len);
	/* a login page with hostile values: as escaped as the built-in's */
	content = login_content();
	page = login(&f, &len);
	check_page(&f, "Sign in", content, page, len);
	free(content);
	html_frame_free(&f);
	FUZZ_ASSERT(f.text == NULL);
	return 0;
}
