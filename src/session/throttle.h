/*
 * throttle.h: failed-login limits, per client address and per name,
 * counted in the store over login_failure_window. Every attempt is
 * counted before its password is verified; see throttle.c.
 */
#ifndef SG_SESSION_THROTTLE_H
#define SG_SESSION_THROTTLE_H

#include <stdint.h>

#include "config/config.h"
#include "core/result.h"
#include "store/store.h"

#define THROTTLE_ADDRLEN 64

/* The counters one login attempt was counted against. */
struct throttle {
	char addr[THROTTLE_ADDRLEN]; /* see throttle_addr */
	int  trusted;		 /* in login_trusted_addresses: not counted */
	enum store_counter kind; /* STORE_FAIL_USER or STORE_FAIL_UNKNOWN */
	char		   name[USER_NAME_MAX + 1]; /* the user, or a bucket */
};

/*
 * The counter of a client address: an IPv4 address as is, an IPv6 address
 * as its /64 ("2001:db8:1:2::/64"; IPv4-mapped ones as IPv4), anything
 * else (empty, a Unix socket, junk) "unknown". Pure.
 */
void throttle_addr(const char *addr, char out[THROTTLE_ADDRLEN]);
/*
 * Count an attempt from addr (first of all): SG_OK, SG_THROTTLED
 * (*retry_ms set), SG_UNAVAILABLE. An address in login_trusted_addresses
 * is not counted (SG_OK): its attempts count per name only.
 */
enum sg_result throttle_attempt_addr(struct store *, const struct config *,
    struct throttle *, const char *addr, int64_t *retry_ms) SG_MUST;
/*
 * Count an attempt for a name: its own counter if it is a user (is_user),
 * else the counter of its bucket among the names that are not users.
 * SG_OK, SG_THROTTLED (*retry_ms set), SG_UNAVAILABLE.
 */
enum sg_result throttle_attempt_name(struct store *, const struct config *,
    struct throttle *, const char *name, int is_user,
    int64_t *retry_ms) SG_MUST;
/*
 * A login that succeeded: take the address's attempt back, forget the
 * user's failures (a failure to do so is logged).
 */
void throttle_success(struct store *, const struct config *,
    const struct throttle *);

#endif
