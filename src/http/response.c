/*
 * response.c: a response as a value. Handlers build it; the server loop
 * turns it into a CGI-style header block (Status: first, as lighttpd
 * drops lines before it) and a body.
 */
#include "http/response.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
response_reset(struct response *r, int status)
{
	free(r->body);
	/* the one place a response is cleared whole */
	memset(r, 0, sizeof(*r));
	r->status = status;
}

void
response_header(struct response *r, const char *name, const char *value)
{
	int n;

	if (strpbrk(value, "\r\n") != NULL || strpbrk(name, "\r\n: ") != NULL) {
		r->overflow = 1;
		return;
	}
	n = snprintf(r->headers + r->hlen, sizeof(r->headers) - r->hlen,
	    "%s: %s\r\n", name, value);
	if (n < 0 || (size_t)n >= sizeof(r->headers) - r->hlen) {
		r->headers[r->hlen] = '\0';
		r->overflow = 1;
		return;
	}
	r->hlen += (size_t)n;
}

void
response_body_owned(struct response *r, const char *type, char *body,
    size_t len)
{
	free(r->body);
	r->body = body;
	r->blen = len;
	if (body == NULL)
		r->overflow = 1;
	response_header(r, "Content-Type", type);
	response_header(r, "X-Content-Type-Options", "nosniff");
	/*
	 * sessgate's pages hold forms that end sessions and take passwords:
	 * no other page may frame them (clickjacking). Nothing else is
	 * restricted, so a page_template's stylesheet and logo still load.
	 */
	if (strncmp(type, "text/html", 9) == 0) {
		response_header(r, "X-Frame-Options", "DENY");
		response_header(r, "Content-Security-Policy",
		    "frame-ancestors 'none'");
	}
}

void
response_body(struct response *r, const char *type, const char *body,
    size_t len)
{
	char *copy = malloc(len + 1);

	if (copy != NULL) {
		memcpy(copy, body, len);
		copy[len] = '\0';
	}
	response_body_owned(r, type, copy, len);
}

const char *
response_reason(int status)
{
	static const struct {
		int	    status;
		const char *reason;
	} reasons[] = {
		{ 200, "OK" },
		{ 302, "Found" },
		{ 303, "See Other" },
		{ 400, "Bad Request" },
		{ 401, "Unauthorized" },
		{ 403, "Forbidden" },
		{ 404, "Not Found" },
		{ 405, "Method Not Allowed" },
		{ 409, "Conflict" },
		{ 413, "Content Too Large" },
		{ 415, "Unsupported Media Type" },
		{ 429, "Too Many Requests" },
		{ 500, "Internal Server Error" },
		{ 503, "Service Unavailable" },
	};
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].status == status)
			return reasons[i].reason;
	return "";
}

int
response_head(const struct response *r, char *buf, size_t len)
{
	int n;

	n = snprintf(buf, len, "Status: %d %s\r\n%s\r\n", r->status,
	    response_reason(r->status), r->headers);
	return (n < 0 || (size_t)n >= len) ? -1 : n;
}

void
response_free(struct response *r)
{
	free(r->body);
	r->body = NULL;
	r->blen = 0;
}

void
response_error(struct response *r, int status, const char *error)
{
	char body[128];
	int  n;

	response_reset(r, status);
	response_header(r, "Cache-Control", "no-store");
	n = snprintf(body, sizeof(body), "{\"error\":\"%s\"}\n", error);
	response_body(r, "application/json", body, (size_t)n);
}

void
response_unavailable(struct response *r)
{
	response_error(r, 503, "unavailable");
	response_header(r, "Retry-After", "1");
}
