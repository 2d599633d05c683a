/*
 * html_sessions.c: the page of a user's own sessions. One list item per
 * session, its heading the browser's description (a screen reader's
 * heading list is the list of devices), its facts as a description list,
 * and its own small form with a "Sign out" button described by that
 * heading; no JavaScript, no table (it reads the same on a phone). Times
 * are UTC, said so: the server does not know the reader's zone.
 */
#include "http/html_sessions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/agent.h"
#include "http/html.h"

#define ESCAPED_MAX 512 /* an escaped address, description or path */

/* fputs(html_escape(s)) */
static void
put_escaped(FILE *f, const char *s)
{
	char e[ESCAPED_MAX];

	if (html_escape(s, e, sizeof(e)) == 0)
		fputs(e, f);
	else
		fputs("?", f);
}

/* <time datetime="...Z">YYYY-MM-DD HH:MM UTC</time> */
static void
put_time(FILE *f, int64_t t)
{
	time_t	  tt = (time_t)t;
	struct tm tm;
	char	  iso[32], shown[32];

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0 ||
	    strftime(shown, sizeof(shown), "%Y-%m-%d %H:%M UTC", &tm) == 0) {
		fputs("unknown", f);
		return;
	}
	fprintf(f, "<time datetime=\"%s\">%s</time>", iso, shown);
}

/* A form posting one field to action, with a button. */
static void
put_form(FILE *f, const char *action, const char *name, const char *value,
    const char *button, const char *described_by)
{
	fputs("<form method=\"post\" action=\"", f);
	put_escaped(f, action);
	fprintf(f, "\">\n<input type=\"hidden\" name=\"%s\" value=\"", name);
	put_escaped(f, value);
	fputs("\">\n<button type=\"submit\"", f);
	if (described_by != NULL) {
		fputs(" aria-describedby=\"", f);
		put_escaped(f, described_by);
		fputs("\"", f);
	}
	fprintf(f, ">%s</button>\n</form>\n", button);
}

static void
put_session(FILE *f, const char *action, const struct html_session *s)
{
	char id[64];

	snprintf(id, sizeof(id), "s-%s", s->ref);
	fputs("<li style=\"margin:0 0 1.5rem\">\n<h2 id=\"", f);
	put_escaped(f, id);
	fputs("\" style=\"font-size:1.15rem;margin:0\">", f);
	put_escaped(f, s->agent[0] ? s->agent : AGENT_UNKNOWN);
	if (s->current)
		fputs(" <strong>(this browser)</strong>", f);
	fputs("</h2>\n<dl style=\"margin:.25rem 0 .5rem\">\n"
	      "<dt>Signed in</dt><dd>",
	    f);
	put_time(f, s->created);
	fputs("</dd>\n<dt>Last seen (approximate)</dt><dd>", f);
	put_time(f, s->last_seen);
	fputs("</dd>\n<dt>Address at sign-in</dt><dd>", f);
	put_escaped(f, s->addr[0] ? s->addr : "unknown");
	fputs("</dd>\n</dl>\n", f);
	if (s->current)
		put_form(f, action, "id", s->ref, "Sign out of this browser",
		    id);
	else
		put_form(f, action, "id", s->ref, "Sign out", id);
	fputs("</li>\n", f);
}

char *
html_sessions_page(const struct html_frame *frame, const char *action,
    const char *user, const struct html_session *s, size_t n, int more,
    size_t *len)
{
	char  *body = NULL, *page;
	size_t blen = 0, i, others = 0;
	FILE  *f;
	int    bad;

	if ((f = open_memstream(&body, &blen)) == NULL)
		return NULL;
	fputs("<p>Signed in as <strong>", f);
	put_escaped(f, user);
	if (more)
		fprintf(f,
		    "</strong>: the newest %zu sessions are shown (older ones "
		    "are not; \"Sign out everywhere else\" ends them too), "
		    "newest first. Times are UTC. ",
		    n);
	else
		fprintf(f,
		    "</strong>: %zu session%s, newest first. Times are "
		    "UTC. ",
		    n, n == 1 ? "" : "s");
	fputs("\"Last seen\" is approximate: it is told from when the "
	      "session would end if left idle, and requests that do not "
	      "keep a session alive do not count.</p>\n",
	    f);
	fputs("<ul style=\"list-style:none;padding:0\">\n", f);
	for (i = 0; i < n; i++) {
		put_session(f, action, &s[i]);
		others += !s[i].current;
	}
	fputs("</ul>\n", f);
	if (others > 0 || more)
		put_form(f, action, "others", "1", "Sign out everywhere else",
		    NULL);
	bad = ferror(f) != 0;
	if (fclose(f) != 0 || bad) {
		free(body);
		return NULL;
	}
	page = html_page(frame, "Your sessions", body, len);
	free(body);
	return page;
}
