/* password.h: Argon2id password hashes (libsodium crypto_pwhash_str). */
#ifndef SG_PASSWORD_H
#define SG_PASSWORD_H

#include <stddef.h>

#include <sodium.h>

#define PASSWORD_MAX		1024	/* longer passwords are refused */
#define PASSWORD_HASHLEN	crypto_pwhash_STRBYTES

struct password_cost {
	unsigned long long	 opslimit;
	size_t			 memlimit;
};

/* Hash pw into out; 0, or -1 (out of memory, or pw too long). */
int	password_hash(char out[PASSWORD_HASHLEN], const char *pw, size_t len,
	    const struct password_cost *cost) __attribute__((warn_unused_result));
/* 0 if pw matches the stored hash, -1 if not (or the hash is invalid). */
int	password_verify(const char *stored, const char *pw, size_t len)
	    __attribute__((warn_unused_result));
/* 1 if stored was made with other parameters than cost, 0 if not, -1. */
int	password_needs_rehash(const char *stored,
	    const struct password_cost *cost);
/* Spend the time of one verification, for unknown users. */
void	password_verify_dummy(const char *pw, size_t len,
	    const struct password_cost *cost);

#endif
