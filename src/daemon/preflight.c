/*
 * preflight.c: what sessgate asks its Redis before serving, at start and
 * before a reload takes effect. An evicting Redis (maxmemory-policy other
 * than noeviction) drops keys under memory pressure without telling
 * anyone: a session index (the session cap and revocation by ID miss a
 * live session), a failure counter (throttling starts over). Sessions
 * would still be refused rather than allowed when their own key or their
 * user goes, but a revocation answered "no such session" for a live one
 * is not a refusal: such a Redis is refused. A Redis that will not say
 * (CONFIG renamed or denied by an ACL, or not answering yet) is warned
 * about, not refused: it may be right, and a Redis that is down at start
 * is what the 503 path is for.
 */
#include "daemon/preflight.h"

#include <string.h>

#include "core/log.h"
#include "session/session.h"

int
preflight_redis(const struct config *cfg)
{
	struct store  *s;
	char	       policy[64];
	enum sg_result rv;
	int	       ok = 0;

	if ((s = session_store_open(cfg)) == NULL) {
		log_errx("maxmemory-policy not checked: out of memory");
		return -1;
	}
	rv = store_maxmemory_policy(s, policy, sizeof(policy));
	if (rv == SG_OK && strcmp(policy, "noeviction") == 0)
		log_info("redis maxmemory-policy noeviction");
	else if (rv == SG_OK) {
		log_errx("redis maxmemory-policy is %s: evicted keys would "
			 "break the session cap, revocation by ID and login "
			 "throttling; refused (set it to noeviction)",
		    policy);
		ok = -1;
	} else
		log_warnx("redis maxmemory-policy not checked (%s): make sure "
			  "it is noeviction",
		    store_error(s));
	store_close(s);
	return ok;
}
