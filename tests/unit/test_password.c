/* Unit tests of password.c: Argon2id hashes, verification, rehash. */
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_verify),
		cmocka_unit_test(test_salted),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_needs_rehash),
	};

	if (sodium_init() == -1)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
