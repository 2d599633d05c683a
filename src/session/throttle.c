/*
 * throttle.c: failed-login limits.
 *
 * Every login attempt is counted before its password is verified, in one
 * atomic step per counter (fail.lua: INCR, then the window); the attempt
 * that takes a counter past login_max_failures is refused (429) without a
 * verification, so however many arrive at once, at most
 * login_max_failures passwords are verified per counter and window. A
 * login that succeeds takes its address's attempt back and clears the
 * user's counter.
 *
 * Counters: the client address (an IPv6 client by its /64, which one
 * subscriber usually holds whole), unless it is one of
 * login_trusted_addresses (the operator's own, or a proxy that does not
 * pass the client's address on, which would otherwise lock everyone
 * behind it out), and the name tried, always. A name that is a
 * user has its own counter; names that are not share USER_BUCKETS
 * counters, picked by a keyed hash of the name (user_bucket), so that a
 * spray of made-up names cannot make counters without end, and a name
 * that is not a user is still throttled after about as many tries as one
 * that is (the answer must not tell them apart).
 */
#include "session/throttle.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"

void
throttle_addr(const char *addr, char out[THROTTLE_ADDRLEN])
{
	unsigned char b[16];
	char	      txt[INET6_ADDRSTRLEN];

	if (inet_pton(AF_INET, addr, b) == 1) {
		inet_ntop(AF_INET, b, out, THROTTLE_ADDRLEN);
		return;
	}
	if (inet_pton(AF_INET6, addr, b) != 1) {
		snprintf(out, THROTTLE_ADDRLEN, "unknown");
		return;
	}
	if (IN6_IS_ADDR_V4MAPPED((struct in6_addr *)b)) {
		inet_ntop(AF_INET, b + 12, out, THROTTLE_ADDRLEN);
		return;
	}
	memset(b + 8, 0, 8);
	inet_ntop(AF_INET6, b, txt, sizeof(txt));
	snprintf(out, THROTTLE_ADDRLEN, "%s/64", txt);
}

/* Count one attempt on a counter; SG_THROTTLED past the limit. */
static enum sg_result
attempt(struct store *s, const struct config *cfg, enum store_counter c,
    const char *name, int64_t *retry_ms)
{
	int64_t	       n;
	enum sg_result rv;

	if ((rv = store_fail_attempt(s, c, name, &n, retry_ms)) != SG_OK)
		return rv;
	return n > (int64_t)cfg->login_max_failures ? SG_THROTTLED : SG_OK;
}

enum sg_result
throttle_attempt_addr(struct store *s, const struct config *cfg,
    struct throttle *t, const char *addr, int64_t *retry_ms)
{
	memset(t, 0, sizeof(*t));
	throttle_addr(addr, t->addr);
	t->trusted = cidr_list_match(&cfg->login_trusted, addr);
	if (cfg->login_max_failures == 0 || t->trusted)
		return SG_OK;
	return attempt(s, cfg, STORE_FAIL_ADDR, t->addr, retry_ms);
}

enum sg_result
throttle_attempt_name(struct store *s, const struct config *cfg,
    struct throttle *t, const char *name, int is_user, int64_t *retry_ms)
{
	if (is_user) {
		t->kind = STORE_FAIL_USER;
		snprintf(t->name, sizeof(t->name), "%s", name);
	} else {
		t->kind = STORE_FAIL_UNKNOWN;
		user_bucket(&cfg->keys, name, strlen(name), t->name);
	}
	if (cfg->login_max_failures == 0)
		return SG_OK;
	return attempt(s, cfg, t->kind, t->name, retry_ms);
}

void
throttle_success(struct store *s, const struct config *cfg,
    const struct throttle *t)
{
	if (cfg->login_max_failures == 0)
		return;
	if ((!t->trusted &&
		store_fail_undo(s, STORE_FAIL_ADDR, t->addr) != SG_OK) ||
	    (t->kind == STORE_FAIL_USER &&
		store_fail_clear(s, STORE_FAIL_USER, t->name) != SG_OK))
		log_warnx("clearing the login attempts of %s: %s", t->name,
		    store_error(s));
}
