/* response.h: what a handler answers; only the server loop writes it. */
#ifndef SG_HTTP_RESPONSE_H
#define SG_HTTP_RESPONSE_H

#include <stddef.h>

#define RESPONSE_HEADERS_MAX 4096

struct response {
	int    status;
	char   headers[RESPONSE_HEADERS_MAX]; /* "Name: value\r\n" lines */
	size_t hlen;
	int    overflow; /* a header did not fit: the server sends 500 */
	char  *body;	 /* owned (malloc) */
	size_t blen;
};

void response_init(struct response *, int status);
/* Add a header; a value with CR or LF is refused (overflow set). */
void response_header(struct response *, const char *name, const char *value);
/* Take a copy of body as the response body. */
void response_body(struct response *, const char *type, const char *body,
    size_t len);
/* Take ownership of a malloc'ed body. */
void response_body_owned(struct response *, const char *type, char *body,
    size_t len);
/* The reason phrase of a status ("Found"), "" if unknown. */
const char *response_reason(int status);
/* "Status: ..." then the headers then the blank line, into buf. */
int  response_head(const struct response *, char *buf, size_t len);
void response_free(struct response *);
/* A JSON error answer: {"error":"..."}, never cached (replaces r). */
void response_error(struct response *, int status, const char *error);
/* 503 with Retry-After: 1, for a store that could not answer. */
void response_unavailable(struct response *);

#endif
