/* password.h: Argon2id password hashes (libsodium crypto_pwhash_str). */
#ifndef SG_SESSION_PASSWORD_H
#define SG_SESSION_PASSWORD_H

#include <stddef.h>

#include <sodium.h>

#include "core/result.h"

#define PASSWORD_MAX	 1024 /* longer passwords are refused */
#define PASSWORD_HASHLEN crypto_pwhash_STRBYTES

struct password_cost {
	unsigned long long opslimit;
	size_t		   memlimit;
};

/* Hash pw into out; 0, or -1 (out of memory, or pw too long). */
int password_hash(char out[PASSWORD_HASHLEN], const char *pw, size_t len,
    const struct password_cost *cost) SG_MUST;
/* SG_OK if pw matches the stored hash, else SG_DENY. */
enum sg_result password_verify(const char *stored, const char *pw,
    size_t len) SG_MUST;
/* 1 if stored was made with other parameters than cost, 0 if not, -1. */
int password_needs_rehash(const char *stored, const struct password_cost *cost);
/* Spend the time of one verification, for unknown users. */
void password_verify_dummy(const char *pw, size_t len,
    const struct password_cost *cost);

#endif
