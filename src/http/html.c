/*
 * html.c: the pages: the login form, the password form, and the page of
 * an error a browser navigated into. Small, accessible (labels, autocomplete
 * hints, the message in a live region) and usable without JavaScript: there is
 * none. Everything from the request is escaped.
 */
#include "http/html.h"

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

/* The head and style every page shares; %s is the title. */
#define HEAD \
	"<!DOCTYPE html>\n" \
	"<html lang=\"en\">\n" \
	"<head>\n" \
	"<meta charset=\"utf-8\">\n" \
	"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n" \
	"<title>%s</title>\n" \
	"<style>body{font-family:sans-serif;max-width:22rem;margin:4rem auto;" \
	"padding:0 1rem}label,input,button{display:block;width:100%%;" \
	"box-sizing:border-box;font-size:1rem}input{margin:.25rem 0 1rem;" \
	"padding:.5rem}button{padding:.6rem}" \
	"p[role=alert]{color:#a00;font-weight:bold}</style>\n" \
	"</head>\n" \
	"<body>\n" \
	"<main>\n" \
	"<h1>%s</h1>\n"
#define TAIL "</main>\n</body>\n</html>\n"

/* Macros, so that the compiler checks the formats against their arguments. */
#define PAGE \
	HEAD \
	    "%s%s%s" \
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
	    "</form>\n" TAIL

/* The "keep me signed in" box (remember_timeout), beside its label. */
#define REMEMBER \
	"<p><input type=\"checkbox\" id=\"remember\" name=\"remember\" " \
	"value=\"1\" style=\"display:inline;width:auto;margin:0 .5rem 0 0\">" \
	"<label for=\"remember\" style=\"display:inline\">Keep me signed " \
	"in</label></p>\n"

char *
html_login_page(const char *action, const char *next, const char *message,
    int remember, size_t *len)
{
	const char *r = remember ? REMEMBER : "";
	char	    m[512], *a, *n, *out = NULL;
	size_t	    alen = strlen(action) * 6 + 1; /* "&quot;" at worst */
	size_t	    nlen = strlen(next) * 6 + 1;
	int	    rv;

	a = malloc(alen);
	n = malloc(nlen);
	if (a == NULL || n == NULL)
		goto fail;
	if (html_escape(action, a, alen) == -1 ||
	    html_escape(next, n, nlen) == -1 ||
	    html_escape(message != NULL ? message : "", m, sizeof(m)) == -1)
		goto fail;
	rv = snprintf(NULL, 0, PAGE, "Sign in", "Sign in",
	    message ? "<p role=\"alert\">" : "", m, message ? "</p>\n" : "", a,
	    n, r);
	if (rv < 0 || (out = malloc((size_t)rv + 1)) == NULL)
		goto fail;
	snprintf(out, (size_t)rv + 1, PAGE, "Sign in", "Sign in",
	    message ? "<p role=\"alert\">" : "", m, message ? "</p>\n" : "", a,
	    n, r);
	*len = (size_t)rv;
fail:
	free(a);
	free(n);
	return out;
}

#define PASSWORD_PAGE \
	HEAD \
	    "%s%s%s" \
	    "<form method=\"post\" action=\"%s\">\n" \
	    "<input name=\"username\" autocomplete=\"username\" value=\"%s\" " \
	    "hidden>\n" \
	    "<label for=\"current_password\">Current password</label>\n" \
	    "<input id=\"current_password\" name=\"current_password\" " \
	    "type=\"password\" autocomplete=\"current-password\" required " \
	    "autofocus>\n" \
	    "<label for=\"new_password\">New password</label>\n" \
	    "<input id=\"new_password\" name=\"new_password\" type=\"password\" " \
	    "autocomplete=\"new-password\" required>\n" \
	    "<button type=\"submit\">Change password</button>\n" \
	    "</form>\n" TAIL

/* Step-up: the user is shown (and given to password managers), not asked. */
#define CONFIRM_PAGE \
	HEAD \
	    "%s%s%s" \
	    "<p>Signed in as <strong>%s</strong>. Enter your password again " \
	    "to continue.</p>\n" \
	    "<form method=\"post\" action=\"%s\">\n" \
	    "<input name=\"username\" autocomplete=\"username\" value=\"%s\" " \
	    "hidden>\n" \
	    "<label for=\"password\">Password</label>\n" \
	    "<input id=\"password\" name=\"password\" type=\"password\" " \
	    "autocomplete=\"current-password\" required autofocus>\n" \
	    "<input type=\"hidden\" name=\"reauth\" value=\"1\">\n" \
	    "<input type=\"hidden\" name=\"next\" value=\"%s\">\n" \
	    "<button type=\"submit\">Confirm</button>\n" \
	    "</form>\n" TAIL

#define MESSAGE_PAGE HEAD "<p>%s</p>\n%s%s%s%s%s" TAIL

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

char *
html_password_page(const char *action, const char *user, const char *message,
    size_t *len)
{
	char *a = escaped(action), *u = escaped(user), *m = NULL, *out = NULL;
	int   rv;
	const char *t = "Change password", *open = "", *close = "";

	if (message != NULL) {
		m = escaped(message);
		open = "<p role=\"alert\">";
		close = "</p>\n";
	}
	if (a == NULL || u == NULL || (message != NULL && m == NULL))
		goto fail;
	rv = snprintf(NULL, 0, PASSWORD_PAGE, t, t, open, m ? m : "", close, a,
	    u);
	if (rv < 0 || (out = malloc((size_t)rv + 1)) == NULL)
		goto fail;
	snprintf(out, (size_t)rv + 1, PASSWORD_PAGE, t, t, open, m ? m : "",
	    close, a, u);
	*len = (size_t)rv;
fail:
	free(a);
	free(u);
	free(m);
	return out;
}

char *
html_confirm_page(const char *action, const char *user, const char *next,
    const char *message, size_t *len)
{
	char	   *a = escaped(action), *u = escaped(user), *n = escaped(next);
	char	   *m = escaped(message != NULL ? message : ""), *out = NULL;
	const char *t = "Confirm your password", *open = "", *close = "";
	int	    rv;

	if (message != NULL) {
		open = "<p role=\"alert\">";
		close = "</p>\n";
	}
	if (a == NULL || u == NULL || n == NULL || m == NULL)
		goto fail;
	rv = snprintf(NULL, 0, CONFIRM_PAGE, t, t, open, m, close, u, a, u, n);
	if (rv < 0 || (out = malloc((size_t)rv + 1)) == NULL)
		goto fail;
	snprintf(out, (size_t)rv + 1, CONFIRM_PAGE, t, t, open, m, close, u, a,
	    u, n);
	*len = (size_t)rv;
fail:
	free(a);
	free(u);
	free(n);
	free(m);
	return out;
}

char *
html_message_page(const char *title, const char *message, const char *link,
    const char *link_text, size_t *len)
{
	char *t = escaped(title), *m = escaped(message), *l = NULL, *lt = NULL;
	char *out = NULL;
	int   rv;

	if (link != NULL) {
		l = escaped(link);
		lt = escaped(link_text);
	}
	if (t == NULL || m == NULL ||
	    (link != NULL && (l == NULL || lt == NULL)))
		goto fail;
	rv = snprintf(NULL, 0, MESSAGE_PAGE, t, t, m, l ? "<p><a href=\"" : "",
	    l ? l : "", l ? "\">" : "", l ? lt : "", l ? "</a></p>\n" : "");
	if (rv < 0 || (out = malloc((size_t)rv + 1)) == NULL)
		goto fail;
	snprintf(out, (size_t)rv + 1, MESSAGE_PAGE, t, t, m,
	    l ? "<p><a href=\"" : "", l ? l : "", l ? "\">" : "", l ? lt : "",
	    l ? "</a></p>\n" : "");
	*len = (size_t)rv;
fail:
	free(t);
	free(m);
	free(l);
	free(lt);
	return out;
}
