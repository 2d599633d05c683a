/*
 * pathlist.c: path prefixes (passive_paths, reauth_paths). An entry is
 * written as a plain path; a request's path is read the way a web server
 * or the application behind it may read it (decoded, dot segments
 * resolved, "..;" as ".." the way Java servers take it), so that
 * "/x/../admin" and "/%61dmin" are under "/admin". Anything that cannot
 * be read that way is reported as such (-1), for the caller to decide
 * which way the doubt falls.
 */
#include "config/pathlist.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/text.h"

#define DECODE_ROUNDS 4 /* "%2561" is "%61" is "a" */

/* One entry, checked, into l->v[l->n]; NULL or a message. */
static const char *
entry(struct pathlist *l, const char *w, size_t n)
{
	size_t i, seg;

	if (w[0] != '/')
		return "must start with /";
	if (n > PATHLIST_ENTRY_MAX)
		return "longer than 200 bytes";
	for (i = 0; i < n; i++)
		if ((unsigned char)w[i] <= 0x20 ||
		    (unsigned char)w[i] >= 0x7f ||
		    strchr("%?#\\", w[i]) != NULL)
			return "must be printable ASCII without %, ?, # or \\";
	for (i = 1; i < n; i += seg + 1) {
		seg = strcspn(w + i, "/");
		if (seg > n - i)
			seg = n - i;
		if ((seg == 0 && i + seg < n) || (seg == 1 && w[i] == '.') ||
		    (seg == 2 && w[i] == '.' && w[i + 1] == '.'))
			return "has an empty, . or .. segment";
	}
	while (n > 0 && w[n - 1] == '/')
		n--;
	memcpy(l->v[l->n], w, n);
	l->v[l->n][n] = '\0';
	l->len[l->n] = n;
	return NULL;
}

int
pathlist_parse(struct pathlist *l, const char *text, char *err, size_t errlen)
{
	const char *p = text, *w, *msg;
	size_t	    n;

	l->n = 0;
	while ((w = text_list_word(&p, &n)) != NULL) {
		if (l->n == PATHLIST_MAX) {
			snprintf(err, errlen, "more than %d entries",
			    PATHLIST_MAX);
			return -1;
		}
		if ((msg = entry(l, w, n)) != NULL) {
			snprintf(err, errlen, "\"%.*s\": %s",
			    n > 64 ? 64 : (int)n, w, msg);
			return -1;
		}
		l->n++;
	}
	return 0;
}

/* The path of uri (origin or absolute form): where it starts, its length. */
static int
raw_path(const char *uri, const char **path, size_t *len)
{
	const char *p = uri, *s;

	if (p[0] != '/') { /* "http://host/path" */
		if ((s = strstr(p, "://")) == NULL || s == p)
			return -1;
		p = s + 3 + strcspn(s + 3, "/?#");
	}
	*path = p;
	*len = strcspn(p, "?#");
	return *len > PATHLIST_URI_MAX ? -1 : 0;
}

#define R_BACKSLASH 1 /* '\\' separates segments (Windows, some apps) */
#define R_DOTSEMI   2 /* "..;x" is ".." (Tomcat, Jetty) */
#define R_PARAMS    4 /* ";x" ends each segment's name (Java path params) */

/* The length of segment s[0..n)'s name as read under flags. */
static size_t
seg_name(const char *s, size_t n, int flags)
{
	size_t m = 0;

	if (!(flags & (R_DOTSEMI | R_PARAMS)))
		return n;
	while (m < n && s[m] != ';')
		m++;
	return m;
}

/* Resolve the segments of in into out ("/a/b" or "/"), read under flags. */
static void
resolve(const char *in, char *out, int flags)
{
	const char *sep = flags & R_BACKSLASH ? "/\\" : "/";
	size_t	    o = 0, n, m;

	for (;;) {
		in += strspn(in, sep);
		if (*in == '\0')
			break;
		n = strcspn(in, sep);
		m = seg_name(in, n, flags);
		if ((m == 1 && in[0] == '.') || (m == 0 && (flags & R_PARAMS)))
			;
		else if (m == 2 && in[0] == '.' && in[1] == '.')
			while (o > 0 && out[--o] != '/')
				;
		else {
			out[o++] = '/';
			memcpy(out + o, in, flags & R_PARAMS ? m : n);
			o += flags & R_PARAMS ? m : n;
		}
		in += n;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
}

static int
under(const struct pathlist *l, const char *path)
{
	size_t i, n;

	for (i = 0; i < l->n; i++) {
		n = l->len[i];
		if (strncasecmp(path, l->v[i], n) == 0 &&
		    (path[n] == '\0' || path[n] == '/' || path[n] == ';'))
			return 1;
	}
	return 0;
}

/*
 * Every reading a server, a proxy or the application behind it may take:
 * not decoded, decoded once (as nginx, lighttpd and Apache route), and
 * again while escapes remain; each resolved with '\\' and ';' taken
 * literally or as Windows and Java servers take them. Under an entry if
 * any reading is: a path is never read out of a list by a reading that
 * the server routing it does not share.
 */
int
pathlist_match(const struct pathlist *l, const char *uri)
{
	char	    dec[2][PATHLIST_URI_MAX + 1], path[PATHLIST_URI_MAX + 2];
	const char *raw;
	size_t	    len;
	int	    round, flags, cur = 0;

	if (l->n == 0)
		return 0;
	if (uri == NULL || raw_path(uri, &raw, &len) == -1)
		return -1;
	memcpy(dec[0], raw, len);
	dec[0][len] = '\0';
	/* the first decoding must succeed: a server refuses a bad escape */
	if (text_pct_decode(dec[1], sizeof(dec[1]), raw, len, 0) == -1)
		return -1;
	for (round = 0; round <= DECODE_ROUNDS; round++) {
		for (flags = 0; flags < 8; flags++) {
			if ((flags & R_DOTSEMI) && (flags & R_PARAMS))
				continue;
			resolve(dec[cur], path, flags);
			if (under(l, path))
				return 1;
		}
		if (round == 0) {
			cur = 1;
			continue;
		}
		if (strchr(dec[cur], '%') == NULL ||
		    text_pct_decode(dec[!cur], sizeof(dec[!cur]), dec[cur],
			strlen(dec[cur]), 0) == -1)
			break; /* nothing left to decode, or a literal '%' */
		cur = !cur;
	}
	return 0;
}
