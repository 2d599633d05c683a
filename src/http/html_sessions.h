/* html_sessions.h: the user's sessions page. */
#ifndef SG_HTTP_HTML_SESSIONS_H
#define SG_HTTP_HTML_SESSIONS_H

#include <stddef.h>
#include <stdint.h>

#include "http/html.h"

/* One session as the page shows it (times in UNIX seconds). */
struct html_session {
	const char *ref;   /* its short reference, the form's id */
	const char *addr;  /* the client address at login, or "" */
	const char *agent; /* the browser's short description, or "" */
	int64_t	    created, last_seen;
	int	    current; /* the session of this request */
};

/*
 * The page listing s[0..n) in that order for user, framed in frame (see
 * html_page()), each other session
 * with a form posting id=REF to action, and "Sign out everywhere else"
 * (others=1) when there are others; more: s holds only the newest of
 * the user's sessions (the page says so). Everything escaped. A
 * malloc'ed page and its length, or NULL.
 */
char *html_sessions_page(const struct html_frame *frame, const char *action,
    const char *user, const struct html_session *s, size_t n, int more,
    size_t *len);

#endif
