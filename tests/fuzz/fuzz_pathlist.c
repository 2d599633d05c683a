/*
 * fuzz_pathlist: passive_paths and reauth_paths (pathlist.c). The input is
 * the list's text, a newline, then a request URI. Promises: any bytes
 * parse or fail with a message, never a crash; a list holds checked
 * entries; a match is 1, 0 or -1; for a plain path (no escapes, dots,
 * backslashes or ';', which a server may read otherwise) a match is
 * exactly a prefix on a segment boundary, case ignored: never a path
 * outside every entry, never one inside an entry missed; and for any
 * path, what nginx, lighttpd and Apache route (decoded once, '.' and
 * '..' resolved, '\\' and ';' literal) is never read out of a list
 * (0 only if that reading is under no entry).
 */
#include <strings.h>

#include "config/pathlist.h"
#include "core/text.h"

#include "fuzz.h"

/* The path of uri, if plain: "/", letters, digits, '-', '_', '~'. */
static int
plain(const char *uri, size_t *len)
{
	size_t i, n = strcspn(uri, "?#");

	if (uri[0] != '/')
		return 0;
	for (i = 0; i < n; i++) {
		if (uri[i] == '/' && i > 0 && uri[i - 1] == '/')
			return 0;
		if (uri[i] != '/' && uri[i] != '-' && uri[i] != '_' &&
		    uri[i] != '~' && !(uri[i] >= 'a' && uri[i] <= 'z') &&
		    !(uri[i] >= 'A' && uri[i] <= 'Z') &&
		    !(uri[i] >= '0' && uri[i] <= '9'))
			return 0;
	}
	*len = n;
	return 1;
}

/* The plain rule, written out again: an entry, then the end or a '/'. */
static int
naive(const struct pathlist *l, const char *path, size_t n)
{
	size_t i, e;

	for (i = 0; i < l->n; i++) {
		e = l->len[i];
		if (e <= n && strncasecmp(path, l->v[i], e) == 0 &&
		    (e == n || path[e] == '/'))
			return 1;
	}
	return 0;
}

/*
 * The servers' reading, written out again: the path decoded once, then
 * its '/'-separated segments resolved; into out. 0, or -1 if it cannot
 * be decoded.
 */
static int
routed(const char *uri, char *out, size_t outlen)
{
	char	    dec[PATHLIST_URI_MAX + 1];
	const char *p = dec;
	size_t	    o = 0, n;

	n = strcspn(uri, "?#");
	if (uri[0] != '/' || n > PATHLIST_URI_MAX ||
	    text_pct_decode(dec, sizeof(dec), uri, n, 0) == -1)
		return -1;
	for (;;) {
		p += strspn(p, "/");
		if (*p == '\0')
			break;
		n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (o > 0 && out[--o] != '/')
				;
		} else if (!(n == 1 && p[0] == '.')) {
			if (o + 1 + n >= outlen)
				return -1;
			out[o++] = '/';
			memcpy(out + o, p, n);
			o += n;
		}
		p += n;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pathlist *l;
	char		 err[256], *s, *uri, path[PATHLIST_URI_MAX + 2];
	size_t		 i, n;
	int		 m;

	if ((s = fuzz_string(data, size)) == NULL)
		return 0;
	uri = strchr(s, '\n');
	if (uri != NULL)
		*uri++ = '\0';
	if ((l = malloc(sizeof(*l))) == NULL)
		abort();
	err[0] = '\0';
	if (pathlist_parse(l, s, err, sizeof(err)) == -1) {
		FUZZ_ASSERT(
		    err[0] != '\0' && fuzz_terminated(err, sizeof(err)));
		goto done;
	}
	FUZZ_ASSERT(l->n <= PATHLIST_MAX);
	for (i = 0; i < l->n; i++) {
		FUZZ_ASSERT(l->len[i] == strlen(l->v[i]));
		FUZZ_ASSERT(l->len[i] == 0 ||
		    (l->v[i][0] == '/' && l->v[i][l->len[i] - 1] != '/'));
		FUZZ_ASSERT(strpbrk(l->v[i], "%?#\\ \t,") == NULL);
	}
	if (uri == NULL)
		goto done;
	m = pathlist_match(l, uri);
	FUZZ_ASSERT(m == 1 || m == 0 || m == -1);
	if (plain(uri, &n))
		FUZZ_ASSERT(m == naive(l, uri, n));
	if (m == 0 && routed(uri, path, sizeof(path)) == 0)
		FUZZ_ASSERT(!naive(l, path, strlen(path)));
	if (l->n == 0)
		FUZZ_ASSERT(m == 0);
done:
	free(l);
	free(s);
	return 0;
}
