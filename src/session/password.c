/*
 * password.c: password hashes, and the gate that bounds them.
 *
 * Argon2id through libsodium's crypto_pwhash_str. Each hash or verification
 * holds memlimit bytes for its duration and one CPU; the gate lets at most
 * login_concurrency of them run at once per process (see session.c), so
 * peak memory for logins is memlimit times that, and the other worker
 * threads stay free for session checks.
 */
#include "session/password.h"

#include <pthread.h>
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

/* The dummy hash of the current cost, shared by the threads. */
static struct {
	pthread_mutex_t	     mu;
	struct password_cost cost;
	char		     hash[PASSWORD_HASHLEN];
} dummy = { PTHREAD_MUTEX_INITIALIZER, { 0, 0 }, "" };

int
password_dummy_hash(char	out[PASSWORD_HASHLEN],
    const struct password_cost *cost)
{
	unsigned char pw[32];
	int	      rv = 0;

	pthread_mutex_lock(&dummy.mu);
	if (dummy.hash[0] == '\0' || dummy.cost.opslimit != cost->opslimit ||
	    dummy.cost.memlimit != cost->memlimit) {
		randombytes_buf(pw, sizeof(pw));
		rv = crypto_pwhash_str(dummy.hash, (const char *)pw, sizeof(pw),
		    cost->opslimit, cost->memlimit);
		sodium_memzero(pw, sizeof(pw));
		if (rv == 0)
			dummy.cost = *cost;
		else
			dummy.hash[0] = '\0';
	}
	memcpy(out, dummy.hash, PASSWORD_HASHLEN);
	pthread_mutex_unlock(&dummy.mu);
	return rv == 0 ? 0 : -1;
}

void
password_verify_dummy(const char *pw, size_t len,
    const struct password_cost *cost)
{
	char h[PASSWORD_HASHLEN];

	if (len > PASSWORD_MAX)
		len = PASSWORD_MAX;
	if (password_dummy_hash(h, cost) == 0 &&
	    password_verify(h, pw, len) == SG_OK)
		h[0] = '\0'; /* a random 256-bit password: never */
}

static unsigned int gate_inside; /* atomics only */
static __thread int gate_closed; /* for this thread */

void
password_gate_thread(int closed)
{
	gate_closed = closed;
}

enum sg_result
password_gate_enter(unsigned int limit)
{
	unsigned int n = __atomic_load_n(&gate_inside, __ATOMIC_RELAXED);

	if (gate_closed)
		return SG_BUSY;
	do {
		if (n >= limit)
			return SG_BUSY;
	} while (!__atomic_compare_exchange_n(&gate_inside, &n, n + 1, 0,
	    __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
	return SG_OK;
}

void
password_gate_leave(void)
{
	__atomic_sub_fetch(&gate_inside, 1, __ATOMIC_ACQ_REL);
}

unsigned int
password_gate_inside(void)
{
	return __atomic_load_n(&gate_inside, __ATOMIC_ACQUIRE);
}
