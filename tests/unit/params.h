/* params.h: FastCGI params for unit tests, as a table of name/value pairs. */
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

#endif
