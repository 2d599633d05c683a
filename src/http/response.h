/* response.h: what a handler answers; only the server loop writes it. */
#ifndef SG_HTTP_RESPONSE_H
#define SG_HTTP_RESPONSE_H

#include <stddef.h>

#define RESPONSE_HEADERS_MAX 4096

/*
 * A response owns its body. Declare it RESPONSE_EMPTY; from then on only
 * response_reset() starts it over (it frees what the response held), and
 * response_free() ends it. There is no other initialiser, so an answer
 * cannot be started over a body it would leak.
 */
struct response {
	int    status;
	char   headers[RESPONSE_HEADERS_MAX]; /* "Name: value\r\n" lines */
	size_t hlen;
	int    overflow; /* a header did not fit: the server sends 500 */
	char  *body;	 /* owned (malloc) */
	size_t blen;
};

/* clang-format off */
#define RESPONSE_EMPTY { .status = 0, .body = NULL }
/* clang-format on */

/* Free what r holds and start it over, empty, with status. */
void response_reset(struct response *, int status);
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
int response_head(const struct response *, char *buf, size_t len);
/* Free the body; r stays valid (empty body) for response_reset(). */
void response_free(struct response *);
/* A JSON error answer: {"error":"..."}, never cached (replaces r). */
void response_error(struct response *, int status, const char *error);
/* 503 with Retry-After: 1, for a store that could not answer. */
void response_unavailable(struct response *);

#endif
