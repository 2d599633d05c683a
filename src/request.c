/*
 * request.c: the request view. Each param is read once, here; handlers
 * never touch FastCGI. A missing param is an empty or NULL field, and
 * NULL never grants anything (libfcgi hands over truncated PARAMS as if
 * complete).
 */
#include "request.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "form.h"

static const char *
or_empty(const char *s)
{
	return s != NULL ? s : "";
}

static long long
content_length(const char *s)
{
	char		*end;
	long long	 v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	v = strtoll(s, &end, 10);
	return (*end != '\0' || v < 0) ? -1 : v;
}

void
request_init(struct request *r, request_param_fn get, void *arg)
{
	const char	*role = get("FCGI_ROLE", arg), *https;

	memset(r, 0, sizeof(*r));
	r->role = role != NULL && strcmp(role, "AUTHORIZER") == 0 ?
	    REQUEST_AUTHORIZER : REQUEST_RESPONDER;
	r->method = or_empty(get("REQUEST_METHOD", arg));
	r->uri = or_empty(get("REQUEST_URI", arg));
	r->cookie = get("HTTP_COOKIE", arg);
	r->accept = get("HTTP_ACCEPT", arg);
	r->content_type = get("CONTENT_TYPE", arg);
	r->origin = get("HTTP_ORIGIN", arg);
	r->referer = get("HTTP_REFERER", arg);
	r->host = get("HTTP_HOST", arg);
	r->remote_addr = or_empty(get("REMOTE_ADDR", arg));
	r->redirect_status = get("REDIRECT_STATUS", arg);
	r->auth_subrequest = get("SESSGATE_AUTH", arg) != NULL;
	r->content_length = content_length(get("CONTENT_LENGTH", arg));
	https = get("HTTPS", arg);
	r->scheme = (https != NULL && strcasecmp(https, "on") == 0) ? "https" :
	    or_empty(get("REQUEST_SCHEME", arg));
}

size_t
request_path_len(const char *uri)
{
	return strcspn(uri, "?");
}

int
request_path_is(const struct request *r, const char *path)
{
	size_t	 n = request_path_len(r->uri);

	return strlen(path) == n && memcmp(r->uri, path, n) == 0;
}

int
request_query(const struct request *r, const char *name, char *out,
    size_t outlen)
{
	const char	*q = strchr(r->uri, '?');

	if (q == NULL)
		return 0;
	q++;
	return form_get(q, strcspn(q, "#"), name, out, outlen);
}

/* The host[:port] of an absolute URL, without a default port. */
static size_t
url_authority(const char *url, const char **start)
{
	const char	*p = strstr(url, "://"), *scheme = url;
	size_t		 n;

	if (p == NULL)
		return 0;
	*start = p + 3;
	n = strcspn(*start, "/?#");
	if (memchr(*start, '@', n) != NULL)
		return 0;	/* userinfo: never our own origin */
	if (strncasecmp(scheme, "https://", 8) == 0 && n > 4 &&
	    strncmp(*start + n - 4, ":443", 4) == 0)
		n -= 4;
	else if (strncasecmp(scheme, "http://", 7) == 0 && n > 3 &&
	    strncmp(*start + n - 3, ":80", 3) == 0)
		n -= 3;
	return n;
}

static size_t
host_authority(const struct request *r)
{
	size_t	 n = strlen(r->host);

	if (strcmp(r->scheme, "https") == 0 && n > 4 &&
	    strcmp(r->host + n - 4, ":443") == 0)
		return n - 4;
	if (strcmp(r->scheme, "http") == 0 && n > 3 &&
	    strcmp(r->host + n - 3, ":80") == 0)
		return n - 3;
	return n;
}

int
request_cross_site(const struct request *r)
{
	const char	*src = r->origin != NULL ? r->origin : r->referer;
	const char	*a;
	size_t		 n, h;

	if (src == NULL)
		return 0;	/* not a browser's cross-site POST */
	if (r->host == NULL || (n = url_authority(src, &a)) == 0)
		return 1;	/* "null" origin, junk: refuse */
	h = host_authority(r);
	return !(n == h && strncasecmp(a, r->host, n) == 0);
}
