/*
 * secret_id.h: whether the users in Redis were made under this gate's
 * secret_file, by the fingerprint kept beside them (store_secret_id).
 */
#ifndef SG_SESSION_SECRET_ID_H
#define SG_SESSION_SECRET_ID_H

#include <stddef.h>

#include "core/user.h"
#include "store/store.h"

enum secret_id_match {
	SECRET_ID_SAME,	  /* Redis holds the fingerprint of these keys */
	SECRET_ID_OTHER,  /* another one: the users are under other tags */
	SECRET_ID_NONE,	  /* none written yet: nothing to compare */
	SECRET_ID_UNKNOWN /* Redis did not say: store_error() */
};

#define SECRET_ID_MSGLEN 320

/*
 * Compare the fingerprint in Redis with that of keys. mine gets the
 * latter; theirs, what Redis holds (SECRET_ID_SAME and _OTHER).
 */
enum secret_id_match secret_id_match(struct store *, const struct user_keys *,
    char mine[USER_SECRET_IDLEN + 1], char theirs[USER_SECRET_IDLEN + 1]);
/*
 * The sentence for SECRET_ID_OTHER: "the users in Redis were made under
 * another secret_file (Psecret-id holds fingerprint T; this gate's is M)".
 * whose names this side ("this gate's").
 */
void secret_id_mismatch(char *buf, size_t len, const char *key_prefix,
    const char *whose, const char *mine, const char *theirs);
/*
 * The command that moves users made under theirs to this gate's secret:
 * "sessgatectl users rekey" when theirs is that of no secret_file, else
 * "sessgatectl users rekey OLD_SECRET_FILE".
 */
const char *secret_id_rekey(const char *theirs);
/*
 * After a failed login for a name that is not a user: a log line when
 * the fingerprint in Redis is not this gate's, which would explain it.
 * Redis is asked at most once a minute per process.
 */
void secret_id_login_hint(struct store *, const struct user_keys *,
    const char *key_prefix);

#endif
