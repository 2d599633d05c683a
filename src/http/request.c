/*
 * request.c: the request view. Each param is read once, here, and the body
 * through the reader the server loop gives; handlers never touch FastCGI. A
 * missing param is an empty or NULL field, and NULL never grants anything
 * (libfcgi hands over truncated PARAMS as if complete).
 */
#include "http/request.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/text.h"
#include "http/form.h"
#include "http/url.h"

static const char *
or_empty(const char *s)
{
	return s != NULL ? s : "";
}

static long long
content_length(const char *s)
{
	unsigned long long v;

	if (s == NULL || text_number(s, strlen(s), 10, LLONG_MAX, &v) == -1)
		return -1;
	return (long long)v;
}

void
request_init(struct request *r, request_param_fn get, request_read_fn read,
    void *arg)
{
	const char *role = get("FCGI_ROLE", arg), *https, *passive;

	memset(r, 0, sizeof(*r));
	r->read = read;
	r->arg = arg;
	r->role = REQUEST_RESPONDER;
	if (role != NULL && strcmp(role, "AUTHORIZER") == 0)
		r->role = REQUEST_AUTHORIZER;
	r->method = or_empty(get("REQUEST_METHOD", arg));
	r->uri = or_empty(get("REQUEST_URI", arg));
	r->document_uri = get("DOCUMENT_URI", arg);
	r->script_name = get("SCRIPT_NAME", arg);
	r->cookie = get("HTTP_COOKIE", arg);
	r->accept = get("HTTP_ACCEPT", arg);
	r->content_type = get("CONTENT_TYPE", arg);
	r->origin = get("HTTP_ORIGIN", arg);
	r->referer = get("HTTP_REFERER", arg);
	r->host = get("HTTP_HOST", arg);
	r->user_agent = get("HTTP_USER_AGENT", arg);
	r->remote_addr = or_empty(get("REMOTE_ADDR", arg));
	r->redirect_status = get("REDIRECT_STATUS", arg);
	r->auth_subrequest = get("SESSGATE_AUTH", arg) != NULL;
	passive = get("SESSGATE_PASSIVE", arg);
	r->passive = passive != NULL && passive[0] != '\0';
	r->content_length = content_length(get("CONTENT_LENGTH", arg));
	https = get("HTTPS", arg);
	r->scheme = or_empty(get("REQUEST_SCHEME", arg));
	if (https != NULL && strcasecmp(https, "on") == 0)
		r->scheme = "https";
}

size_t
request_path_len(const char *uri)
{
	return strcspn(uri, "?");
}

int
request_path_is(const struct request *r, const char *path)
{
	size_t n = request_path_len(r->uri);

	return strlen(path) == n && memcmp(r->uri, path, n) == 0;
}

int
request_query(const struct request *r, const char *name, char *out,
    size_t outlen)
{
	const char *q = strchr(r->uri, '?');

	if (q == NULL)
		return 0;
	q++;
	return form_get(q, strcspn(q, "#"), name, out, outlen);
}

int
request_is_error_page(const struct request *r)
{
	return r->redirect_status != NULL &&
	    strcmp(r->redirect_status, "401") == 0;
}

int
request_cross_site(const struct request *r)
{
	const char *src = r->origin != NULL ? r->origin : r->referer;

	if (src == NULL)
		return 0; /* not a browser's cross-site POST */
	return !url_same_origin(src, r->scheme, r->host);
}

/* Read the body once: at most REQUEST_BODY_MAX bytes, else too large. */
int
request_read_body(struct request *r)
{
	size_t want, got = 0;
	long   n;

	if (r->body != NULL || r->body_too_large)
		return 0;
	if (r->content_length > REQUEST_BODY_MAX) {
		r->body_too_large = 1;
		return 0;
	}
	want = REQUEST_BODY_MAX + 1; /* unknown: read one byte too many */
	if (r->content_length >= 0)
		want = (size_t)r->content_length;
	if ((r->body_buf = malloc(want + 1)) == NULL)
		return -1;
	while (got < want && r->read != NULL &&
	    (n = r->read(r->arg, r->body_buf + got, want - got)) > 0)
		got += (size_t)n;
	if (got > REQUEST_BODY_MAX)
		r->body_too_large = 1;
	r->body_buf[got] = '\0';
	r->body = r->body_buf;
	r->body_len = got;
	return 0;
}

void
request_free(struct request *r)
{
	if (r->body_buf != NULL) {
		explicit_bzero(r->body_buf, r->body_len);
		free(r->body_buf);
	}
	r->body_buf = NULL;
	r->body = NULL;
}
