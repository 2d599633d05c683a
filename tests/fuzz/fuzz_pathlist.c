/*
 * fuzz_pathlist: passive_paths and reauth_paths (pathlist.c). The input is
 * the list's text, a newline, then a request URI. Promises: any bytes
 * parse or fail with a message, never a crash; a list holds checked
 * entries; a match is 1, 0 or -1; and for a plain path (no escapes, dots,
 * backslashes or ';', which a server may read otherwise) a match is
 * exactly a prefix on a segment boundary: never a path outside every
 * entry, never one inside an entry missed.
 */
#include "config/pathlist.h"

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
		if (e <= n && memcmp(path, l->v[i], e) == 0 &&
		    (e == n || path[e] == '/'))
			return 1;
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pathlist *l;
	char		 err[256], *s, *uri;
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
	if (l->n == 0)
		FUZZ_ASSERT(m == 0);
done:
	free(l);
	free(s);
	return 0;
}
