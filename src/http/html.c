/*
 * html.c: the pages: the login form, the password form, and the page of
 * an error a browser navigated into. Small, accessible (labels, autocomplete
 * hints, the message in a live region) and usable without JavaScript: there is
 * none. Everything from the request is escaped.
 *
 * Each page builds its body and hands it to html_page(), the one frame
 * every page goes through: sessgate's own (head, style and tail), or the
 * operator's page_template. Either is a template whose {{content}} takes
 * the heading and the body, and whose {{title}}s take the title; the
 * template's own text is copied as it is (it is the operator's HTML).
 */
#include "http/html.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
html_escape(const char *s, char *out, size_t outlen)
{
	size_t	    o = 0, n;
	const char *rep;
	char	    one[2] = { 0, 0 };

	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		default:
			one[0] = *s;
			rep = one;
			break;
		}
		n = strlen(rep);
		if (o + n >= outlen)
			return -1;
		memcpy(out + o, rep, n);
		o += n;
	}
	out[o] = '\0';
	return 0;
}

/* A malloc'ed copy of s, escaped (6 bytes per byte at worst). */
static char *
escaped(const char *s)
{
	size_t len = strlen(s) * 6 + 1;
	char  *e = malloc(len);

	if (e != NULL && html_escape(s, e, len) == -1) {
		free(e);
		e = NULL;
	}
	return e;
}

/* A malloc'ed string as printf makes it, and its length; NULL on failure. */
static char *format(size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static char *
format(size_t *len, const char *fmt, ...)
{
	va_list ap;
	char   *out;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (out = malloc((size_t)n + 1)) == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(out, (size_t)n + 1, fmt, ap);
	va_end(ap);
	if (len != NULL)
		*len = (size_t)n;
	return out;
}

/* sessgate's own frame: every page when there is no page_template. */
static const char builtin[] =
    "<!DOCTYPE html>\n"
    "<html lang=\"en\">\n"
    "<head>\n"
    "<meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<title>" HTML_TITLE "</title>\n"
    "<style>body{font-family:sans-serif;max-width:22rem;margin:4rem auto;"
    "padding:0 1rem}label,input,button{display:block;width:100%;"
    "box-sizing:border-box;font-size:1rem}input{margin:.25rem 0 1rem;"
    "padding:.5rem}button{padding:.6rem}"
    "p[role=alert]{color:#a00;font-weight:bold}</style>\n"
    "</head>\n"
    "<body>\n"
    "<main>\n" HTML_CONTENT "</main>\n"
    "</body>\n"
    "</html>\n";

enum placeholder {
	PH_NONE,
	PH_CONTENT,
	PH_TITLE
};

/*
 * The first placeholder at or after p, and where it is. Parsing and
 * filling a template both read it through here, so that they agree on
 * what "{{{content}}" or "{{title}}content}}" holds.
 */
static enum placeholder
placeholder_next(const char *p, const char **at, size_t *len)
{
	for (; (p = strstr(p, "{{")) != NULL; p++) {
		*at = p;
		*len = strlen(HTML_CONTENT);
		if (strncmp(p, HTML_CONTENT, *len) == 0)
			return PH_CONTENT;
		*len = strlen(HTML_TITLE);
		if (strncmp(p, HTML_TITLE, *len) == 0)
			return PH_TITLE;
	}
	return PH_NONE;
}

/* The line of at in text, counted from 1. */
static size_t
line_of(const char *text, const char *at)
{
	size_t n = 1;

	for (; text < at; text++)
		n += *text == '\n';
	return n;
}

/* How many {{content}} text holds; *second: where the second one is. */
static size_t
contents(const char *text, const char **second)
{
	const char	*p, *at;
	size_t		 n, count = 0;
	enum placeholder ph;

	for (p = text; (ph = placeholder_next(p, &at, &n)) != PH_NONE;
	     p = at + n)
		if (ph == PH_CONTENT && ++count == 2)
			*second = at;
	return count;
}

int
html_frame_parse(struct html_frame *f, const char *text, size_t len,
    char *errbuf, size_t errlen)
{
	const char *second = NULL;
	char	   *copy;

	if (len > HTML_TEMPLATE_MAX) {
		snprintf(errbuf, errlen, "larger than %d KiB",
		    HTML_TEMPLATE_MAX / 1024);
		return -1;
	}
	if (memchr(text, '\0', len) != NULL) {
		snprintf(errbuf, errlen, "holds a NUL byte: not a text file");
		return -1;
	}
	if ((copy = malloc(len + 1)) == NULL) {
		snprintf(errbuf, errlen, "out of memory");
		return -1;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	switch (contents(copy, &second)) {
	case 1:
		f->text = copy;
		f->len = len;
		return 0;
	case 0:
		snprintf(errbuf, errlen, "no %s, where sessgate's page goes",
		    HTML_CONTENT);
		break;
	default:
		snprintf(errbuf, errlen,
		    "a second %s at line %zu: it must be there once",
		    HTML_CONTENT, line_of(copy, second));
		break;
	}
	free(copy);
	return -1;
}

void
html_frame_free(struct html_frame *f)
{
	free(f->text);
	f->text = NULL;
	f->len = 0;
}

/* Add s[0..n) at out + *o, or only count it when out is NULL. */
static void
put(char *out, size_t *o, const char *s, size_t n)
{
	if (out != NULL)
		memcpy(out + *o, s, n);
	*o += n;
}

/* The template with its placeholders filled; out NULL: only the length. */
static size_t
fill(const char *text, const char *title, const char *content, char *out)
{
	const char	*p = text, *at;
	size_t		 o = 0, n;
	enum placeholder ph;

	while ((ph = placeholder_next(p, &at, &n)) != PH_NONE) {
		put(out, &o, p, (size_t)(at - p));
		if (ph == PH_CONTENT)
			put(out, &o, content, strlen(content));
		else
			put(out, &o, title, strlen(title));
		p = at + n;
	}
	put(out, &o, p, strlen(p));
	return o;
}

char *
html_page(const struct html_frame *f, const char *title, const char *body,
    size_t *len)
{
	const char *text = f != NULL && f->text != NULL ? f->text : builtin;
	char	   *t = escaped(title), *content = NULL, *out = NULL;
	size_t	    n;

	if (t == NULL ||
	    (content = format(NULL, "<h1>%s</h1>\n%s", t, body)) == NULL)
		goto fail;
	n = fill(text, t, content, NULL);
	if ((out = malloc(n + 1)) == NULL)
		goto fail;
	fill(text, t, content, out);
	out[n] = '\0';
	*len = n;
fail:
	free(t);
	free(content);
	return out;
}

/* The message above a form, escaped, in a live region; "" for none. */
static char *
alert(const char *message)
{
	char *m, *out;

	if (message == NULL)
		return strdup("");
	if ((m = escaped(message)) == NULL)
		return NULL;
	out = format(NULL, "<p role=\"alert\">%s</p>\n", m);
	free(m);
	return out;
}

/* Macros, so that the compiler checks the formats against their arguments. */
#define LOGIN_FORM \
	"%s" \
	"<form method=\"post\" action=\"%s\">\n" \
	"<label for=\"username\">User name</label>\n" \
	"<input id=\"username\" name=\"username\" autocomplete=\"username\" " \
	"autocapitalize=\"none\" spellcheck=\"false\" required autofocus>\n" \
	"<label for=\"password\">Password</label>\n" \
	"<input id=\"password\" name=\"password\" type=\"password\" " \
	"autocomplete=\"current-password\" required>\n" \
	"<input type=\"hidden\" name=\"next\" value=\"%s\">\n" \
	"%s" \
	"<button type=\"submit\">Sign in</button>\n" \
	"</form>\n"

/* The "keep me signed in" box (remember_timeout), beside its label. */
#define REMEMBER \
	"<p><input type=\"checkbox\" id=\"remember\" name=\"remember\" " \
	"value=\"1\" style=\"display:inline;width:auto;margin:0 .5rem 0 0\">" \
	"<label for=\"remember\" style=\"display:inline\">Keep me signed " \
	"in</label></p>\n"

char *
html_login_page(const struct html_frame *f, const char *action,
    const char *next, const char *message, int remember, size_t *len)
{
	char *a = escaped(action), *n = escaped(next), *m = alert(message);
	char *body = NULL, *page = NULL;

	if (a != NULL && n != NULL && m != NULL &&
	    (body = format(NULL, LOGIN_FORM, m, a, n,
		 remember ? REMEMBER : "")) != NULL)
		page = html_page(f, "Sign in", body, len);
	free(a);
	free(n);
	free(m);
	free(body);
	return page;
}

/* Step-up: the user is shown (and given to password managers), not asked. */
#define CONFIRM_FORM \
	"%s" \
	"<p>Signed in as <strong>%s</strong>. Enter your password again " \
	"to continue.</p>\n" \
	"<form method=\"post\" action=\"%s\">\n" \
	"<input name=\"username\" autocomplete=\"username\" value=\"%s\" " \
	"hidden style=\"display:none\">\n" \
	"<label for=\"password\">Password</label>\n" \
	"<input id=\"password\" name=\"password\" type=\"password\" " \
	"autocomplete=\"current-password\" required autofocus>\n" \
	"<input type=\"hidden\" name=\"reauth\" value=\"1\">\n" \
	"<input type=\"hidden\" name=\"next\" value=\"%s\">\n" \
	"<button type=\"submit\">Confirm</button>\n" \
	"</form>\n"

char *
html_confirm_page(const struct html_frame *f, const char *action,
    const char *user, const char *next, const char *message, size_t *len)
{
	char *a = escaped(action), *u = escaped(user), *n = escaped(next);
	char *m = alert(message), *body = NULL, *page = NULL;

	if (a != NULL && u != NULL && n != NULL && m != NULL &&
	    (body = format(NULL, CONFIRM_FORM, m, u, a, u, n)) != NULL)
		page = html_page(f, "Confirm your password", body, len);
	free(a);
	free(u);
	free(n);
	free(m);
	free(body);
	return page;
}

#define PASSWORD_FORM \
	"%s" \
	"<form method=\"post\" action=\"%s\">\n" \
	"<input name=\"username\" autocomplete=\"username\" value=\"%s\" " \
	"hidden style=\"display:none\">\n" \
	"<label for=\"current_password\">Current password</label>\n" \
	"<input id=\"current_password\" name=\"current_password\" " \
	"type=\"password\" autocomplete=\"current-password\" required " \
	"autofocus>\n" \
	"<label for=\"new_password\">New password</label>\n" \
	"<input id=\"new_password\" name=\"new_password\" type=\"password\" " \
	"autocomplete=\"new-password\" required>\n" \
	"<button type=\"submit\">Change password</button>\n" \
	"</form>\n"

char *
html_password_page(const struct html_frame *f, const char *action,
    const char *user, const char *message, size_t *len)
{
	char *a = escaped(action), *u = escaped(user), *m = alert(message);
	char *body = NULL, *page = NULL;

	if (a != NULL && u != NULL && m != NULL &&
	    (body = format(NULL, PASSWORD_FORM, m, a, u)) != NULL)
		page = html_page(f, "Change password", body, len);
	free(a);
	free(u);
	free(m);
	free(body);
	return page;
}

/* A link on a line of its own, escaped; "" for none (link NULL). */
static char *
link_line(const char *link, const char *text)
{
	char *l, *t, *out = NULL;

	if (link == NULL)
		return strdup("");
	l = escaped(link);
	t = escaped(text);
	if (l != NULL && t != NULL)
		out = format(NULL, "<p><a href=\"%s\">%s</a></p>\n", l, t);
	free(l);
	free(t);
	return out;
}

char *
html_message_page(const struct html_frame *f, const char *title,
    const char *message, const char *link, const char *link_text, size_t *len)
{
	char *m = escaped(message), *l = link_line(link, link_text);
	char *body = NULL, *page = NULL;

	if (m != NULL && l != NULL &&
	    (body = format(NULL, "<p>%s</p>\n%s", m, l)) != NULL)
		page = html_page(f, title, body, len);
	free(m);
	free(l);
	free(body);
	return page;
}
