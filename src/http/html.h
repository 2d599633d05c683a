/* html.h: the pages (login, password change, errors) and their frame. */
#ifndef SG_HTTP_HTML_H
#define SG_HTTP_HTML_H

#include <stddef.h>

/* page_template: its largest size, and the placeholders it holds. */
#define HTML_TEMPLATE_MAX 65536
#define HTML_CONTENT	  "{{content}}" /* exactly once: sessgate's part */
#define HTML_TITLE	  "{{title}}"	/* any number of times: the title */

/*
 * What every page is framed in: the operator's page_template, or, with
 * text NULL (a zeroed struct), sessgate's own head, style and tail. The
 * configuration owns it; a reload brings a new one.
 */
struct html_frame {
	char  *text; /* the template, NUL-terminated; NULL: the built-in */
	size_t len;
};

/*
 * A page template from text[0..len): at most HTML_TEMPLATE_MAX bytes, no
 * NUL, HTML_CONTENT exactly once. 0 with a copy in f, or -1 with a
 * message in errbuf (f untouched).
 */
int html_frame_parse(struct html_frame *f, const char *text, size_t len,
    char *errbuf, size_t errlen);
/* Free what f holds; f becomes the built-in frame. */
void html_frame_free(struct html_frame *f);
/*
 * A whole page: title (plain text, escaped here) as the page's title and
 * heading, then body, framed in f (NULL: the built-in frame). body is
 * HTML that html.c built, from escaped parts only: a template's own text
 * is copied as it is, and nothing inserted is read for placeholders
 * again. A malloc'ed page and its length, or NULL.
 */
char *html_page(const struct html_frame *f, const char *title, const char *body,
    size_t *len);

/*
 * The login form posting to action, carrying next; message (may be NULL)
 * is shown above it; remember adds the "Keep me signed in" box (field
 * remember, value 1). Returns a malloc'ed page and its length, or NULL.
 */
char *html_login_page(const struct html_frame *f, const char *action,
    const char *next, const char *message, int remember, size_t *len);
/*
 * The login form in "confirm your password" mode (step-up): user is shown,
 * not asked; it posts reauth=1, password and next to action. A malloc'ed
 * page and its length, or NULL.
 */
char *html_confirm_page(const struct html_frame *f, const char *action,
    const char *user, const char *next, const char *message, size_t *len);
/*
 * The password change form posting current_password and new_password to
 * action; user (for password managers, hidden) and message (may be NULL)
 * escaped. A malloc'ed page and its length, or NULL.
 */
char *html_password_page(const struct html_frame *f, const char *action,
    const char *user, const char *message, size_t *len);
/*
 * A page with a title, a message and, unless link is NULL, a link; all
 * escaped. A malloc'ed page and its length, or NULL.
 */
char *html_message_page(const struct html_frame *f, const char *title,
    const char *message, const char *link, const char *link_text, size_t *len);
/* HTML-escape s into out; 0, or -1 if it does not fit. */
int html_escape(const char *s, char *out, size_t outlen);

#endif
