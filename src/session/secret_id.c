/*
 * secret_id.c: a hint for gates that share a Redis but not a secret_file.
 * A user's keys are under a tag keyed with the site secret (user.c): a
 * gate with another secret_file looks for every user under other tags,
 * finds none, and each login fails as "unknown user". Beside the users,
 * Redis keeps the fingerprint of the secret they were made under
 * (Psecret-id, written by sessgatectl user add, user passwd and users
 * rekey, and by a gate's first login when there is none: store.h); this
 * module compares it with the gate's own and says what it finds, at
 * start and reload (preflight), in sessgatectl check, and after a failed
 * login.
 * The fingerprint names the secret without revealing it (user.h).
 */
#include "session/secret_id.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"

#define HINT_EVERY_MS 60000

enum secret_id_match
secret_id_match(struct store *s, const struct user_keys *keys,
    char mine[USER_SECRET_IDLEN + 1], char theirs[USER_SECRET_IDLEN + 1])
{
	user_secret_id(keys, mine);
	switch (store_secret_id(s, theirs)) {
	case SG_OK:
		return strcmp(mine, theirs) == 0 ? SECRET_ID_SAME :
						   SECRET_ID_OTHER;
	case SG_DENY:
		return SECRET_ID_NONE;
	default:
		return SECRET_ID_UNKNOWN;
	}
}

/* ", that of no secret_file" after the public keys' fingerprint. */
static const char *
whose_id(const char *id)
{
	return user_secret_id_public(id) ? ", that of no secret_file" : "";
}

void
secret_id_mismatch(char *buf, size_t len, const char *key_prefix,
    const char *whose, const char *mine, const char *theirs)
{
	snprintf(buf, len,
	    "the users in Redis were made under another secret_file "
	    "(%ssecret-id holds fingerprint %s%s; %s is %s%s)",
	    key_prefix, theirs, whose_id(theirs), whose, mine, whose_id(mine));
}

const char *
secret_id_rekey(const char *theirs)
{
	return user_secret_id_public(theirs) ?
	    "sessgatectl users rekey" :
	    "sessgatectl users rekey OLD_SECRET_FILE";
}

void
secret_id_login_hint(struct store *s, const struct user_keys *keys,
    const char *key_prefix)
{
	static int64_t last = -HINT_EVERY_MS;
	char	mine[USER_SECRET_IDLEN + 1], theirs[USER_SECRET_IDLEN + 1];
	char	msg[SECRET_ID_MSGLEN];
	int64_t now = clock_ms(), then;

	then = __atomic_load_n(&last, __ATOMIC_RELAXED);
	if (now - then < HINT_EVERY_MS ||
	    !__atomic_compare_exchange_n(&last, &then, now, 0, __ATOMIC_RELAXED,
		__ATOMIC_RELAXED))
		return; /* asked less than a minute ago, or by another thread */
	if (secret_id_match(s, keys, mine, theirs) != SECRET_ID_OTHER)
		return;
	secret_id_mismatch(msg, sizeof(msg), key_prefix, "this gate's", mine,
	    theirs);
	log_warnx("a login for a name that is no user here: %s, so every "
		  "login here fails as an unknown user (said at most once a "
		  "minute)",
	    msg);
}
