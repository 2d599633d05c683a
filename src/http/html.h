/* html.h: the pages (login, password change, errors). */
#ifndef SG_HTTP_HTML_H
#define SG_HTTP_HTML_H

#include <stddef.h>

/*
 * The login form posting to action, carrying next; message (may be NULL)
 * is shown above it; remember adds the "Keep me signed in" box (field
 * remember, value 1). Returns a malloc'ed page and its length, or NULL.
 */
char *html_login_page(const char *action, const char *next, const char *message,
    int remember, size_t *len);
/*
 * The login form in "confirm your password" mode (step-up): user is shown,
 * not asked; it posts reauth=1, password and next to action. A malloc'ed
 * page and its length, or NULL.
 */
char *html_confirm_page(const char *action, const char *user, const char *next,
    const char *message, size_t *len);
/*
 * The password change form posting current_password and new_password to
 * action; user (for password managers, hidden) and message (may be NULL)
 * escaped. A malloc'ed page and its length, or NULL.
 */
char *html_password_page(const char *action, const char *user,
    const char *message, size_t *len);
/*
 * A page with a title, a message and, unless link is NULL, a link; all
 * escaped. A malloc'ed page and its length, or NULL.
 */
char *html_message_page(const char *title, const char *message,
    const char *link, const char *link_text, size_t *len);
/* HTML-escape s into out; 0, or -1 if it does not fit. */
int html_escape(const char *s, char *out, size_t outlen);

#endif
