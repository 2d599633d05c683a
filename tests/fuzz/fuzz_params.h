/*
 * fuzz_params.h: a FastCGI request from fuzz input, for fuzz_request and
 * fuzz_handler. The input is "NAME=VALUE" lines (a line without '=' is a
 * NAME with an empty value), then an empty line, then the body (stdin).
 * Every name and value is its own allocation of its exact size and the
 * body has no terminating NUL, so that the sanitizer sees a read past
 * any of them. Like libfcgi's FCGX_GetParam, the first of duplicate
 * names wins; a NUL ends a value early, as it would in libfcgi's strings.
 */
#ifndef SG_FUZZ_PARAMS_H
#define SG_FUZZ_PARAMS_H

#include "fuzz.h"

#define FUZZ_PARAMS_MAX 48

struct fuzz_params {
	char  *name[FUZZ_PARAMS_MAX], *value[FUZZ_PARAMS_MAX];
	size_t n;
	char  *body;
	size_t blen, off;
};

static inline char *
fuzz_dup(const uint8_t *s, size_t len)
{
	char *p = malloc(len + 1);

	if (p == NULL)
		abort();
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

static inline void
fuzz_params_parse(struct fuzz_params *p, const uint8_t *data, size_t size)
{
	const uint8_t *s = data, *end = data + size, *nl, *eq;

	memset(p, 0, sizeof(*p));
	while (s < end) {
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			nl = end;
		if (nl == s) { /* the empty line: the body follows */
			s++;
			break;
		}
		if (p->n < FUZZ_PARAMS_MAX) {
			if ((eq = memchr(s, '=', (size_t)(nl - s))) == NULL)
				eq = nl;
			p->name[p->n] = fuzz_dup(s, (size_t)(eq - s));
			if (eq < nl)
				eq++;
			p->value[p->n] = fuzz_dup(eq, (size_t)(nl - eq));
			p->n++;
		}
		s = nl < end ? nl + 1 : end;
	}
	p->blen = (size_t)(end - s);
	if ((p->body = malloc(p->blen ? p->blen : 1)) == NULL)
		abort();
	memcpy(p->body, s, p->blen);
}

static inline void
fuzz_params_free(struct fuzz_params *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free(p->name[i]);
		free(p->value[i]);
	}
	free(p->body);
}

/* A request_param_fn: the first param of that name, or NULL. */
static inline const char *
fuzz_param(const char *name, void *arg)
{
	struct fuzz_params *p = arg;
	size_t		    i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->name[i], name) == 0)
			return p->value[i];
	return NULL;
}

/* A request_read_fn: the body in pieces of at most 700 bytes. */
static inline long
fuzz_read(void *arg, char *buf, size_t len)
{
	struct fuzz_params *p = arg;
	size_t		    n = p->blen - p->off;

	if (n > len)
		n = len;
	if (n > 700)
		n = 700;
	memcpy(buf, p->body + p->off, n);
	p->off += n;
	return (long)n;
}

#endif
