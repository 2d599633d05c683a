/* Unit tests of token.c and user.c: encoding, strict decoding, hashing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "core/token.h"
#include "core/user.h"

static struct user_keys pub; /* no site secret */

static void
test_roundtrip(void **state)
{
	struct token t, u;
	char	     tag[TOKEN_TAGLEN + 1], v[TOKEN_COOKIELEN + 1];

	(void)state;
	user_tag(&pub, "alice", 5, tag);
	assert_int_equal(strlen(tag), TOKEN_TAGLEN);
	token_new(&t, tag);
	assert_int_equal(token_encode(&t, v, sizeof(v)), 0);
	assert_int_equal(strlen(v), TOKEN_COOKIELEN);
	assert_memory_equal(v, tag, TOKEN_TAGLEN);
	assert_int_equal(v[TOKEN_TAGLEN], '.');
	assert_int_equal(token_decode(&u, v, strlen(v)), 0);
	assert_string_equal(u.tag, t.tag);
	assert_memory_equal(u.secret, t.secret, TOKEN_BYTES);
	assert_int_equal(token_encode(&t, v, TOKEN_COOKIELEN), -1);
}

static void
test_fresh_each_time(void **state)
{
	struct token a, b;

	(void)state;
	token_new(&a, "AAAAAAAAAAAAAAAA");
	token_new(&b, "AAAAAAAAAAAAAAAA");
	assert_memory_not_equal(a.secret, b.secret, TOKEN_BYTES);
}

static void
test_decode_rejects(void **state)
{
	struct token t;
	char	     good[TOKEN_COOKIELEN + 1], bad[TOKEN_COOKIELEN + 8];
	const char  *junk[] = {
		 "", "x", "AAAAAAAAAAAAAAAA.", "a.b",
		 "AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	};
	const char *b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			  "0123456789-_";
	size_t	    i;

	(void)state;
	token_new(&t, "AAAAAAAAAAAAAAAA");
	assert_int_equal(token_encode(&t, good, sizeof(good)), 0);
	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
		assert_int_equal(token_decode(&t, junk[i], strlen(junk[i])),
		    -1);
	/* too long, too short, wrong separator, bad alphabet */
	snprintf(bad, sizeof(bad), "%sA", good);
	assert_int_equal(token_decode(&t, bad, strlen(bad)), -1);
	assert_int_equal(token_decode(&t, good, TOKEN_COOKIELEN - 1), -1);
	memcpy(bad, good, sizeof(good));
	bad[TOKEN_TAGLEN] = ':';
	assert_int_equal(token_decode(&t, bad, TOKEN_COOKIELEN), -1);
	memcpy(bad, good, sizeof(good));
	bad[3] = '+';
	assert_int_equal(token_decode(&t, bad, TOKEN_COOKIELEN), -1);
	memcpy(bad, good, sizeof(good));
	bad[TOKEN_COOKIELEN - 5] = '/';
	assert_int_equal(token_decode(&t, bad, TOKEN_COOKIELEN), -1);
	/* a non-canonical last character: its two unused bits set */
	memcpy(bad, good, sizeof(good));
	i = (size_t)(strchr(b64, good[TOKEN_COOKIELEN - 1]) - b64);
	assert_int_equal(i % 4, 0);
	bad[TOKEN_COOKIELEN - 1] = b64[i | 1];
	assert_int_equal(token_decode(&t, bad, TOKEN_COOKIELEN), -1);
}

static void
test_id_is_a_hash(void **state)
{
	struct token t, u;
	char id1[TOKEN_IDLEN + 1], id2[TOKEN_IDLEN + 1], v[TOKEN_COOKIELEN + 1];

	(void)state;
	token_new(&t, "AAAAAAAAAAAAAAAA");
	token_id(&t, id1);
	token_id(&t, id2);
	assert_string_equal(id1, id2);
	assert_int_equal(strlen(id1), TOKEN_IDLEN);
	assert_int_equal(token_encode(&t, v, sizeof(v)), 0);
	assert_null(strstr(v, id1));
	assert_null(strstr(id1, v + TOKEN_TAGLEN + 1));
	u = t;
	u.secret[0] ^= 1;
	token_id(&u, id2);
	assert_string_not_equal(id1, id2);
	token_wipe(&u);
	assert_true(sodium_is_zero((unsigned char *)&u, sizeof(u)));
}

static void
test_user_names(void **state)
{
	char tag1[TOKEN_TAGLEN + 1], tag2[TOKEN_TAGLEN + 1], long_name[80];

	(void)state;
	assert_true(user_name_valid("alice", 5));
	assert_true(user_name_valid("a.b_c@d+e-f9", 12));
	assert_false(user_name_valid("", 0));
	assert_false(user_name_valid("a b", 3));
	assert_false(user_name_valid("a\r\nb", 4));
	assert_false(user_name_valid("a{b}", 4));
	assert_false(user_name_valid("a:b", 3));
	memset(long_name, 'a', sizeof(long_name));
	assert_true(user_name_valid(long_name, USER_NAME_MAX));
	assert_false(user_name_valid(long_name, USER_NAME_MAX + 1));
	user_tag(&pub, "alice", 5, tag1);
	user_tag(&pub, "alice", 5, tag2);
	assert_string_equal(tag1, tag2);
	user_tag(&pub, "alicf", 5, tag2);
	assert_string_not_equal(tag1, tag2);
}

/*
 * Without a secret, tags are those of earlier releases (a BLAKE2b of the
 * name under a public key: anyone can compute them, and users stay where
 * they are); with one, they depend on the secret.
 */
static void
test_tags_keyed_by_the_site_secret(void **state)
{
	unsigned char	 secret[USER_SECRET_MIN];
	struct user_keys a, b, pub2;
	char		 t_pub[TOKEN_TAGLEN + 1], t_a[TOKEN_TAGLEN + 1],
	    t_b[TOKEN_TAGLEN + 1], t_a2[TOKEN_TAGLEN + 1];

	(void)state;
	user_tag(&pub, "alice", 5, t_pub);
	/* hashlib.blake2b(b"alice", digest_size=16,
	 *     key=b"sessgate/user-tag\0").digest()[:12], base64url */
	assert_string_equal(t_pub, "otMuCBvMzikLyvK2");
	assert_false(pub.secret);
	memset(secret, 7, sizeof(secret));
	assert_int_equal(user_keys_init(&a, secret, sizeof(secret)), 0);
	assert_true(a.secret);
	assert_int_equal(user_keys_init(&b, secret, sizeof(secret)), 0);
	user_tag(&a, "alice", 5, t_a);
	user_tag(&b, "alice", 5, t_a2);
	assert_string_equal(t_a, t_a2); /* every sessgate of a site agrees */
	assert_string_not_equal(t_a, t_pub);
	secret[31] ^= 1;
	assert_int_equal(user_keys_init(&b, secret, sizeof(secret)), 0);
	user_tag(&b, "alice", 5, t_b);
	assert_string_not_equal(t_a, t_b); /* a new secret: every tag moves */
	assert_int_equal(user_keys_init(&b, secret, USER_SECRET_MIN - 1), -1);
	/* without a secret, the tag key is public but the bucket key random */
	assert_int_equal(user_keys_init(&pub2, NULL, 0), 0);
	assert_memory_equal(pub2.tag, pub.tag, pub.taglen);
	assert_memory_not_equal(pub2.bucket, pub.bucket, USER_KEYLEN);
}

static void
test_buckets(void **state)
{
	struct user_keys a;
	unsigned char	 secret[40];
	char		 b1[5], b2[5], name[16];
	int		 i, seen[16] = { 0 }, kinds = 0;

	(void)state;
	memset(secret, 9, sizeof(secret));
	assert_int_equal(user_keys_init(&a, secret, sizeof(secret)), 0);
	user_bucket(&a, "nobody", 6, b1);
	user_bucket(&a, "nobody", 6, b2);
	assert_string_equal(b1, b2);
	assert_int_equal(strlen(b1), 4);
	assert_int_equal(strspn(b1, "0123456789abcdef"), 4);
	/* spread: 64 names fall into many of the 16 first hex digits */
	for (i = 0; i < 64; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		user_bucket(&a, name, strlen(name), b1);
		seen[b1[0] <= '9' ? b1[0] - '0' : b1[0] - 'a' + 10] = 1;
	}
	for (i = 0; i < 16; i++)
		kinds += seen[i];
	assert_true(kinds >= 12);
	/* keyed: another secret, another bucket for most names */
	secret[0] ^= 1;
	assert_int_equal(user_keys_init(&a, secret, sizeof(secret)), 0);
	kinds = 0;
	for (i = 0; i < 16; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		user_bucket(&a, name, strlen(name), b1);
		user_bucket(&pub, name, strlen(name), b2);
		kinds += strcmp(b1, b2) != 0;
	}
	assert_true(kinds >= 14);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_fresh_each_time),
		cmocka_unit_test(test_decode_rejects),
		cmocka_unit_test(test_id_is_a_hash),
		cmocka_unit_test(test_user_names),
		cmocka_unit_test(test_tags_keyed_by_the_site_secret),
		cmocka_unit_test(test_buckets),
	};

	if (sodium_init() == -1 || user_keys_init(&pub, NULL, 0) == -1)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
