/*
 * throttle.c: failed-login limits. A user name and a client address each
 * have a counter; a login is refused (429) while either is at
 * login_max_failures. Names that are not valid user names share one
 * counter, so that junk names cannot make counters without end.
 */
#include "session/throttle.h"

#include "core/log.h"

enum sg_result
throttle_check(struct store *s, const struct config *cfg, const char *name,
    const char *addr, int64_t *retry_ms)
{
	int64_t	       n;
	enum sg_result rv;

	if (cfg->login_max_failures == 0)
		return SG_OK;
	if ((rv = store_fail_get(s, name, addr, &n, retry_ms)) != SG_OK)
		return rv;
	return n >= (int64_t)cfg->login_max_failures ? SG_THROTTLED : SG_OK;
}

void
throttle_fail(struct store *s, const struct config *cfg, const char *name,
    const char *addr)
{
	(void)cfg;
	if (store_fail_add(s, name, addr) != SG_OK)
		log_warnx("counting a failed login: %s", store_error(s));
}

void
throttle_clear(struct store *s, const char *name)
{
	if (store_fail_clear(s, name) != SG_OK)
		log_warnx("clearing failed logins of %s: %s", name,
		    store_error(s));
}
