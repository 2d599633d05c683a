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
/*
 * Spend what verifying a hash made with cost costs, for names that are not
 * users: a verification against a hash of a random password made once
 * with cost (again when cost changes).
 */
void password_verify_dummy(const char *pw, size_t len,
    const struct password_cost *cost);
/* A copy of that dummy hash (made now if there is none for cost); 0/-1. */
int password_dummy_hash(char	out[PASSWORD_HASHLEN],
    const struct password_cost *cost) SG_MUST;

/*
 * The gate around password hashing: at most limit hashes or verifications
 * run at once in this process, so that a flood of logins cannot take every
 * worker thread away from the session checks. password_gate_enter answers
 * SG_OK (then password_gate_leave once done) or SG_BUSY, at once.
 */
enum sg_result password_gate_enter(unsigned int limit) SG_MUST;
void	       password_gate_leave(void);
/*
 * Close (1) or open (0) the gate for the calling thread alone: the daemon
 * closes it on the threads that answer session checks, so that no
 * password check ever runs there (a login that reaches one, the login
 * queue being full, gets SG_BUSY).
 */
void password_gate_thread(int closed);
/* How many are inside the gate now (for tests and log lines). */
unsigned int password_gate_inside(void);

#endif
