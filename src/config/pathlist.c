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
	const char *p = text, *msg;
	size_t	    n;

	l->n = 0;
	for (;;) {
		p += strspn(p, " \t,");
		if (*p == '\0')
			return 0;
		n = strcspn(p, " \t,");
		if (l->n == PATHLIST_MAX) {
			snprintf(err, errlen, "more than %d entries",
			    PATHLIST_MAX);
			return -1;
		}
		if ((msg = entry(l, p, n)) != NULL) {
			snprintf(err, errlen, "\"%.*s\": %s",
			    n > 64 ? 64 : (int)n, p, msg);
			return -1;
		}
		l->n++;
		p += n;
	}
}

/* The path of uri (origin or absolute form) into out, decoded; 0 or -1. */
static int
decoded_path(const char *uri, char *out, size_t outlen)
{
	char	    tmp[PATHLIST_URI_MAX + 1];
	const char *p = uri, *s;
	size_t	    n;
	int	    i;

	if (p[0] != '/') { /* "http://host/path" */
		if ((s = strstr(p, "://")) == NULL || s == p)
			return -1;
		p = s + 3 + strcspn(s + 3, "/?#");
	}
	n = strcspn(p, "?#");
	if (n >= sizeof(tmp) || n >= outlen)
		return -1;
	/* the first decoding must succeed: a server refuses a bad escape */
	if (text_pct_decode(out, outlen, p, n, 0) == -1)
		return -1;
	for (i = 1; i < DECODE_ROUNDS && strchr(out, '%') != NULL; i++) {
		if (text_pct_decode(tmp, sizeof(tmp), out, strlen(out), 0) ==
		    -1)
			break; /* a literal '%': read as it is */
		memcpy(out, tmp, strlen(tmp) + 1);
	}
	return 0;
}

/* Is the name of segment s[0..n) (up to a ';') "." or ".."? 1, 2 or 0. */
static int
dots(const char *s, size_t n)
{
	size_t m = 0;

	while (m < n && s[m] != ';')
		m++;
	if (m == 1 && s[0] == '.')
		return 1;
	if (m == 2 && s[0] == '.' && s[1] == '.')
		return 2;
	return 0;
}

/* Resolve the segments of in (a decoded path) into out: "/a/b" or "/". */
static void
resolve(const char *in, char *out)
{
	size_t o = 0, n;

	for (;;) {
		in += strspn(in, "/\\");
		if (*in == '\0')
			break;
		n = strcspn(in, "/\\");
		switch (dots(in, n)) {
		case 1:
			break;
		case 2:
			while (o > 0 && out[--o] != '/')
				;
			break;
		default:
			out[o++] = '/';
			memcpy(out + o, in, n);
			o += n;
			break;
		}
		in += n;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
}

int
pathlist_match(const struct pathlist *l, const char *uri)
{
	char   dec[PATHLIST_URI_MAX + 1], path[PATHLIST_URI_MAX + 2];
	size_t i, n;

	if (l->n == 0)
		return 0;
	if (uri == NULL || decoded_path(uri, dec, sizeof(dec)) == -1)
		return -1;
	resolve(dec, path);
	for (i = 0; i < l->n; i++) {
		n = l->len[i];
		if (strncmp(path, l->v[i], n) == 0 &&
		    (path[n] == '\0' || path[n] == '/' || path[n] == ';'))
			return 1;
	}
	return 0;
}
