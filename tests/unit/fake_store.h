/* fake_store.h: an in-memory store for unit tests of the handlers. */
#ifndef SG_FAKE_STORE_H
#define SG_FAKE_STORE_H

#include "config/config.h"
#include "store/store_backend.h"

/* A fake store; fake_fail(s, 1) makes every operation fail (SG_UNAVAILABLE). */
struct store *fake_store_new(const struct config *);
void	      fake_fail(struct store *, int);
/* The flags of the last session check (STORE_CHECK_PASSIVE). */
unsigned fake_check_flags(struct store *);
/* Move the fake's clock (ms: created, confirmed and now) on by ms. */
void fake_tick(struct store *, int64_t ms);
/* How many operations reached the store. */
int fake_calls(struct store *);
/* The value of a failure counter (0 if none). */
int64_t fake_counter(struct store *, enum store_counter, const char *name);
/* How many failure counters exist. */
int fake_counters(struct store *);
/*
 * Run fn once, just before the next operation named op ("user_passwd",
 * "create", ...) does its work: a way to put another client's write in
 * the middle of a request.
 */
void fake_hook(struct store *, const char    *op,
    void (*fn)(struct store *, void *), void *arg);

#endif
