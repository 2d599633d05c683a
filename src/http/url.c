/*
 * url.c: the URL rules of the endpoints, pure: which targets are local
 * (no open redirect), how a target is encoded for a header, and whether
 * a browser's Origin or Referer names this site.
 */
#include "http/url.h"

#include <string.h>
#include <strings.h>

#include "core/text.h"

int
url_local_path(const char *next)
{
	return next[0] == '/' && next[1] != '/' && next[1] != '\\';
}

int
url_encode_query(char out[URL_MAX], const char *s)
{
	return text_pct_encode(out, URL_MAX, s, "-._~/");
}

int
url_encode_location(char out[URL_MAX], const char *path)
{
	/* printable ASCII stays, but for the quote and the backslash */
	return text_pct_encode(out, URL_MAX, path,
	    "!#$%&'()*+,-./:;<=>?@[]^_`{|}~");
}

/* Length of a default port at the end of an authority, else 0. */
static size_t
default_port(const char *scheme, size_t slen, const char *auth, size_t n)
{
	if (slen == 5 && strncasecmp(scheme, "https", 5) == 0 && n > 4 &&
	    strncmp(auth + n - 4, ":443", 4) == 0)
		return 4;
	if (slen == 4 && strncasecmp(scheme, "http", 4) == 0 && n > 3 &&
	    strncmp(auth + n - 3, ":80", 3) == 0)
		return 3;
	return 0;
}

int
url_same_origin(const char *url, const char *scheme, const char *host)
{
	const char *p = strstr(url, "://"), *auth;
	size_t	    slen, n, h;

	if (p == NULL || host == NULL || scheme == NULL)
		return 0;
	slen = (size_t)(p - url);
	/*
	 * The scheme is part of the origin: http://site must not post to
	 * https://site. Unknown (the server sent neither HTTPS nor
	 * REQUEST_SCHEME), it cannot match anything.
	 */
	if (slen == 0 || strlen(scheme) != slen ||
	    strncasecmp(url, scheme, slen) != 0)
		return 0;
	auth = p + 3;
	n = strcspn(auth, "/?#");
	if (n == 0 || memchr(auth, '@', n) != NULL)
		return 0; /* userinfo: never our own origin */
	n -= default_port(url, slen, auth, n);
	h = strlen(host);
	h -= default_port(scheme, slen, host, h);
	return n == h && strncasecmp(auth, host, n) == 0;
}
