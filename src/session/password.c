/*
 * password.c: password hashes.
 *
 * Argon2id through libsodium's crypto_pwhash_str. Each hash or verification
 * holds memlimit bytes for its duration, so peak memory for logins is
 * memlimit times the number of concurrent logins (at most `threads`).
 */
#include "session/password.h"

#include <string.h>

int
password_hash(char out[PASSWORD_HASHLEN], const char *pw, size_t len,
    const struct password_cost *cost)
{
	if (len > PASSWORD_MAX)
		return -1;
	if (crypto_pwhash_str(out, pw, len, cost->opslimit, cost->memlimit) !=
	    0)
		return -1;
	return 0;
}

enum sg_result
password_verify(const char *stored, const char *pw, size_t len)
{
	if (len > PASSWORD_MAX ||
	    strnlen(stored, PASSWORD_HASHLEN) == PASSWORD_HASHLEN)
		return SG_DENY;
	return crypto_pwhash_str_verify(stored, pw, len) == 0 ? SG_OK : SG_DENY;
}

int
password_needs_rehash(const char *stored, const struct password_cost *cost)
{
	int rv;

	rv = crypto_pwhash_str_needs_rehash(stored, cost->opslimit,
	    cost->memlimit);
	return rv < 0 ? -1 : rv;
}

void
password_verify_dummy(const char *pw, size_t len,
    const struct password_cost *cost)
{
	char h[PASSWORD_HASHLEN];

	/* Hashing costs what a verification with the same parameters costs. */
	if (password_hash(h, pw, len > PASSWORD_MAX ? PASSWORD_MAX : len,
		cost) == 0)
		sodium_memzero(h, sizeof(h));
}
