/*
 * params.h: FastCGI params for unit tests, as a table of name/value pairs,
 * and a request's input (params and body) for request_init().
 */
#ifndef SG_TEST_PARAMS_H
#define SG_TEST_PARAMS_H

#include <string.h>

struct kv {
	const char *k, *v;
};

/* A request_param_fn over a { NULL, NULL }-terminated table. */
static inline const char *
getp(const char *name, void *arg)
{
	const struct kv *p;

	for (p = arg; p->k != NULL; p++)
		if (strcmp(p->k, name) == 0)
			return p->v;
	return NULL;
}

/* The request's params, and its body as the server loop would read it. */
struct input {
	const struct kv *params;
	const char	*body;
	size_t		 off;
	int		 reads; /* calls of in_read */
};

/* request_init()'s param function over a struct input. */
static inline const char *
in_param(const char *name, void *arg)
{
	return getp(name, (void *)((struct input *)arg)->params);
}

/* request_init()'s reader over a struct input: the body, then 0. */
static inline long
in_read(void *arg, char *buf, size_t len)
{
	struct input *in = arg;
	size_t	      n = in->body ? strlen(in->body + in->off) : 0;

	in->reads++;
	if (n > len)
		n = len;
	if (n > 0)
		memcpy(buf, in->body + in->off, n);
	in->off += n;
	return (long)n;
}

#endif
