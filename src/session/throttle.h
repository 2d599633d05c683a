/*
 * throttle.h: failed-login limits, per user name and per client address,
 * counted in the store over login_failure_window.
 */
#ifndef SG_SESSION_THROTTLE_H
#define SG_SESSION_THROTTLE_H

#include <stdint.h>

#include "config/config.h"
#include "core/result.h"
#include "store/store.h"

/* SG_OK to go on, SG_THROTTLED (*retry_ms set), or SG_UNAVAILABLE. */
enum sg_result throttle_check(struct store *, const struct config *,
    const char *name, const char *addr, int64_t *retry_ms) SG_MUST;
/* Count a failed login of name from addr (a failure to count is logged). */
void throttle_fail(struct store *, const struct config *, const char *name,
    const char *addr);
/* Forget name's failures after a successful login (logged on failure). */
void throttle_clear(struct store *, const char *name);

#endif
