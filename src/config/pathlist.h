/*
 * pathlist.h: lists of path prefixes (passive_paths, reauth_paths) and
 * whether a request's path is under one of them.
 */
#ifndef SG_CONFIG_PATHLIST_H
#define SG_CONFIG_PATHLIST_H

#include <stddef.h>

#define PATHLIST_MAX	   32	/* entries */
#define PATHLIST_ENTRY_MAX 200	/* bytes of one entry */
#define PATHLIST_URI_MAX   4096 /* longer request paths cannot be told */

struct pathlist {
	size_t n;
	size_t len[PATHLIST_MAX]; /* without a trailing '/' ("/" is 0) */
	char   v[PATHLIST_MAX][PATHLIST_ENTRY_MAX + 1];
};

/*
 * Parse "/api/poll /status, /admin/" (separated by blanks or commas) into
 * l. Each entry starts with '/', is printable ASCII without '%', '?',
 * '#', '\\' or ',', and has no empty, "." or ".." segment. An empty text
 * is an empty list. 0, or -1 with a message in err.
 */
int pathlist_parse(struct pathlist *l, const char *text, char *err,
    size_t errlen);
/*
 * Is uri (a REQUEST_URI: path, then maybe '?' and a query) under an entry
 * of l? An entry covers itself and everything below it on a segment
 * boundary: "/admin" (or "/admin/") covers "/admin", "/admin/x" and
 * "/admin;x", not "/administrator". The path is compared the way a web
 * server may read it: percent-decoded (until nothing is left to decode),
 * '\\' as '/', empty and "." segments dropped, ".." taking one back.
 * 1 under an entry, 0 not; -1 if the path cannot be read (bad escapes, a
 * NUL, longer than PATHLIST_URI_MAX, not a path): the caller decides
 * which way that doubt falls (never towards an allow).
 */
int pathlist_match(const struct pathlist *l, const char *uri);

#endif
