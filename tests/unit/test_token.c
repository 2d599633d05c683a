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

static void
test_roundtrip(void **state)
{
	struct token t, u;
	char	     tag[TOKEN_TAGLEN + 1], v[TOKEN_COOKIELEN + 1];

	(void)state;
	user_tag("alice", 5, tag);
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
	user_tag("alice", 5, tag1);
	user_tag("alice", 5, tag2);
	assert_string_equal(tag1, tag2);
	user_tag("alicf", 5, tag2);
	assert_string_not_equal(tag1, tag2);
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
	};

	if (sodium_init() == -1)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
