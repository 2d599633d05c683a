/* Unit tests of password.c: Argon2id hashes, verification, rehash. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "session/password.h"

/* Cheap parameters keep the tests fast; the logic is the same. */
static const struct password_cost cheap = { crypto_pwhash_OPSLIMIT_MIN,
	crypto_pwhash_MEMLIMIT_MIN };
static const struct password_cost stronger = { crypto_pwhash_OPSLIMIT_MIN + 1,
	crypto_pwhash_MEMLIMIT_MIN * 2 };

static void
test_hash_verify(void **state)
{
	char h[PASSWORD_HASHLEN];

	(void)state;
	assert_int_equal(password_hash(h, "correct horse", 13, &cheap), 0);
	assert_int_equal(strncmp(h, "$argon2id$", 10), 0);
	assert_int_equal(password_verify(h, "correct horse", 13), SG_OK);
	assert_int_equal(password_verify(h, "correct horsf", 13), SG_DENY);
	assert_int_equal(password_verify(h, "correct hors", 12), SG_DENY);
	assert_int_equal(password_verify(h, "", 0), SG_DENY);
}

static void
test_salted(void **state)
{
	char a[PASSWORD_HASHLEN], b[PASSWORD_HASHLEN];

	(void)state;
	assert_int_equal(password_hash(a, "pw", 2, &cheap), 0);
	assert_int_equal(password_hash(b, "pw", 2, &cheap), 0);
	assert_string_not_equal(a, b);
}

static void
test_rejects(void **state)
{
	char h[PASSWORD_HASHLEN], big[PASSWORD_MAX + 1];

	(void)state;
	memset(big, 'x', sizeof(big));
	assert_int_equal(password_hash(h, big, sizeof(big), &cheap), -1);
	assert_int_equal(password_hash(h, big, PASSWORD_MAX, &cheap), 0);
	assert_int_equal(password_verify(h, big, PASSWORD_MAX), SG_OK);
	assert_int_equal(password_verify(h, big, sizeof(big)), SG_DENY);
	assert_int_equal(password_verify("not a hash", "pw", 2), SG_DENY);
	assert_int_equal(password_verify("", "pw", 2), SG_DENY);
	assert_int_equal(
	    password_verify("$argon2id$v=19$m=8,t=1,p=1$", "pw", 2), SG_DENY);
}

static void
test_needs_rehash(void **state)
{
	char h[PASSWORD_HASHLEN];

	(void)state;
	assert_int_equal(password_hash(h, "pw", 2, &cheap), 0);
	assert_int_equal(password_needs_rehash(h, &cheap), 0);
	assert_int_equal(password_needs_rehash(h, &stronger), 1);
	assert_int_equal(password_needs_rehash("junk", &cheap), -1);
}

/*
 * Names that are not users are verified against a hash made with the
 * configured cost, so they cost what a user's verification at that cost
 * does; a new cost makes a new dummy hash.
 */
static void
test_dummy_uses_the_configured_cost(void **state)
{
	char a[PASSWORD_HASHLEN], b[PASSWORD_HASHLEN], big[PASSWORD_MAX + 5];

	(void)state;
	memset(big, 'x', sizeof(big));
	assert_int_equal(password_dummy_hash(a, &cheap), 0);
	assert_int_equal(strncmp(a, "$argon2id$", 10), 0);
	assert_int_equal(password_needs_rehash(a, &cheap), 0);
	assert_int_equal(password_dummy_hash(b, &cheap), 0);
	assert_string_equal(a, b); /* made once */
	assert_int_equal(password_dummy_hash(b, &stronger), 0);
	assert_int_equal(password_needs_rehash(b, &stronger), 0);
	assert_int_equal(password_needs_rehash(b, &cheap), 1);
	password_verify_dummy("pw", 2, &stronger);
	password_verify_dummy(big, sizeof(big), &stronger);
}

/* The gate: at most limit inside, refused at once past it. */
static void
test_gate(void **state)
{
	(void)state;
	assert_int_equal(password_gate_inside(), 0);
	assert_int_equal(password_gate_enter(2), SG_OK);
	assert_int_equal(password_gate_enter(2), SG_OK);
	assert_int_equal(password_gate_inside(), 2);
	assert_int_equal(password_gate_enter(2), SG_BUSY);
	assert_int_equal(password_gate_enter(3), SG_OK); /* a larger limit */
	assert_int_equal(password_gate_enter(3), SG_BUSY);
	password_gate_leave();
	assert_int_equal(password_gate_enter(2), SG_BUSY);
	password_gate_leave();
	assert_int_equal(password_gate_enter(2), SG_OK);
	password_gate_leave();
	password_gate_leave();
	assert_int_equal(password_gate_inside(), 0);
}

struct gater {
	pthread_barrier_t *go;
	int		   ok, busy, max_seen;
};

static void *
gate_thread(void *arg)
{
	struct gater *g = arg;
	unsigned int  n;
	int	      i;

	pthread_barrier_wait(g->go);
	for (i = 0; i < 20000; i++) {
		if (password_gate_enter(3) != SG_OK) {
			g->busy++;
			continue;
		}
		g->ok++;
		if ((n = password_gate_inside()) > (unsigned int)g->max_seen)
			g->max_seen = (int)n;
		password_gate_leave();
	}
	return NULL;
}

/* Eight threads hammering a gate of 3: never more than 3 inside. */
static void
test_gate_threads(void **state)
{
	pthread_t	  th[8];
	struct gater	  g[8];
	pthread_barrier_t go;
	int		  i, ok = 0;

	(void)state;
	pthread_barrier_init(&go, NULL, 8);
	memset(g, 0, sizeof(g));
	for (i = 0; i < 8; i++) {
		g[i].go = &go;
		assert_int_equal(
		    pthread_create(&th[i], NULL, gate_thread, &g[i]), 0);
	}
	for (i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		assert_true(g[i].max_seen <= 3);
		ok += g[i].ok;
	}
	pthread_barrier_destroy(&go);
	assert_true(ok > 0);
	assert_int_equal(password_gate_inside(), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_verify),
		cmocka_unit_test(test_salted),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_needs_rehash),
		cmocka_unit_test(test_dummy_uses_the_configured_cost),
		cmocka_unit_test(test_gate),
		cmocka_unit_test(test_gate_threads),
	};

	if (sodium_init() == -1)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
