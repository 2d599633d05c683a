/* html.h: the login page. */
#ifndef SG_HTTP_HTML_H
#define SG_HTTP_HTML_H

#include <stddef.h>

/*
 * The login form posting to action, carrying next; message (may be NULL)
 * is shown above it. Returns a malloc'ed page and its length, or NULL.
 */
char *html_login_page(const char *action, const char *next, const char *message,
    size_t *len);
/* HTML-escape s into out; 0, or -1 if it does not fit. */
int html_escape(const char *s, char *out, size_t outlen);

#endif
