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
 *
 * Then the secret: users made under another secret_file than this gate's
 * are under other tags, and every login here would fail as "unknown
 * user". The fingerprint Redis keeps beside them (secret_id.c) says so
 * in a warning; the gate still starts (the users may be moved next, with
 * sessgatectl users rekey).
 */
#include "daemon/preflight.h"

#include <string.h>

#include "core/log.h"
#include "session/secret_id.h"
#include "session/session.h"

/* Log what the fingerprint in Redis says of this gate's secret_file. */
static void
preflight_secret(struct store *s, const struct config *cfg)
{
	char mine[USER_SECRET_IDLEN + 1], theirs[USER_SECRET_IDLEN + 1];
	char msg[SECRET_ID_MSGLEN];

	switch (secret_id_match(s, &cfg->keys, mine, theirs)) {
	case SECRET_ID_SAME:
		log_info("secret_file: the users in Redis were made under it "
			 "(fingerprint %s)",
		    mine);
		break;
	case SECRET_ID_NONE:
		log_info(
		    "secret_file: no fingerprint in Redis yet (%ssecret-id; "
		    "the next login or sessgatectl user add writes it)",
		    cfg->key_prefix);
		break;
	case SECRET_ID_OTHER:
		secret_id_mismatch(msg, sizeof(msg), cfg->key_prefix,
		    "this gate's", mine, theirs);
		log_warnx("%s: logins will fail; give every gate that shares "
			  "this Redis the same secret_file, or move the users "
			  "to this one with %s",
		    msg, secret_id_rekey(theirs));
		break;
	default:
		log_warnx("secret_file: fingerprint in Redis not checked (%s)",
		    store_error(s));
		break;
	}
}

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
	if (ok == 0)
		preflight_secret(s, cfg);
	store_close(s);
	return ok;
}
