/* fake_store.h: an in-memory store for unit tests of the handlers. */
#ifndef SG_FAKE_STORE_H
#define SG_FAKE_STORE_H

#include "config/config.h"
#include "store/store_backend.h"

/* A fake store; fake_fail(s, 1) makes every operation fail (SG_UNAVAILABLE). */
struct store *fake_store_new(const struct config *);
void	      fake_fail(struct store *, int);
/* How many operations reached the store. */
int fake_calls(struct store *);

#endif
