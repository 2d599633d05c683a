/*
 * user.c: user names, tags and the site's keys.
 *
 * Names are restricted to a small alphabet because they travel in HTTP
 * header lines (Variable-REMOTE_USER) and in Redis key names. A user's tag
 * is derived from the name so that the login (which knows the name) and the
 * check (which knows only the cookie) agree on the Redis hash slot. It is
 * keyed with the site secret, so that a cookie seen in a log does not
 * confirm a guessed name; without one, the key is a public constant (the
 * tags of earlier releases, so existing users stay where they are).
 */
#include "core/user.h"

#include <string.h>

#include <sodium.h>

static const unsigned char public_tag_key[] = "sessgate/user-tag";

int
user_name_valid(const char *name, size_t len)
{
	size_t i;
	char   c;

	if (len == 0 || len > USER_NAME_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		c = name[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			(c >= '0' && c <= '9') || c == '.' || c == '_' ||
			c == '@' || c == '+' || c == '-'))
			return 0;
	}
	return 1;
}

/* BLAKE2b-256 of the secret under a label: one key per purpose. */
static void
derive(unsigned char out[USER_KEYLEN], const unsigned char *secret, size_t len,
    const char *label)
{
	crypto_generichash(out, USER_KEYLEN, secret, len,
	    (const unsigned char *)label, strlen(label));
}

int
user_keys_init(struct user_keys *k, const unsigned char *secret, size_t len)
{
	memset(k, 0, sizeof(*k));
	if (secret == NULL) {
		memcpy(k->tag, public_tag_key, sizeof(public_tag_key));
		k->taglen = sizeof(public_tag_key);
		randombytes_buf(k->bucket, sizeof(k->bucket));
		return 0;
	}
	if (len < USER_SECRET_MIN)
		return -1;
	derive(k->tag, secret, len, "sessgate/site-secret/user-tag");
	k->taglen = USER_KEYLEN;
	derive(k->bucket, secret, len, "sessgate/site-secret/bucket");
	k->secret = 1;
	return 0;
}

void
user_tag(const struct user_keys *k, const char *name, size_t len,
    char tag[TOKEN_TAGLEN + 1])
{
	unsigned char h[crypto_generichash_BYTES_MIN];

	crypto_generichash(h, sizeof(h), (const unsigned char *)name, len,
	    k->tag, k->taglen);
	/* 12 bytes are exactly 16 base64 characters. */
	sodium_bin2base64(tag, TOKEN_TAGLEN + 1, h, 12,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void
user_secret_id(const struct user_keys *k, char out[USER_SECRET_IDLEN + 1])
{
	static const char context[] = "sessgate/secret-id";
	unsigned char	  h[crypto_generichash_BYTES_MIN];

	crypto_generichash(h, sizeof(h), k->tag, k->taglen,
	    (const unsigned char *)context, strlen(context));
	sodium_bin2hex(out, USER_SECRET_IDLEN + 1, h, USER_SECRET_IDLEN / 2);
}

int
user_secret_id_public(const char *id)
{
	struct user_keys k;
	char		 pub[USER_SECRET_IDLEN + 1];

	memset(&k, 0, sizeof(k));
	memcpy(k.tag, public_tag_key, sizeof(public_tag_key));
	k.taglen = sizeof(public_tag_key);
	user_secret_id(&k, pub);
	return strcmp(id, pub) == 0;
}

void
user_bucket(const struct user_keys *k, const char *name, size_t len,
    char out[5])
{
	unsigned char h[crypto_generichash_BYTES_MIN];

	crypto_generichash(h, sizeof(h), (const unsigned char *)name, len,
	    k->bucket, sizeof(k->bucket));
	sodium_bin2hex(out, 5, h, 2); /* 2 bytes: USER_BUCKETS */
}
