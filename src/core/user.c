/*
 * user.c: user names and tags.
 *
 * Names are restricted to a small alphabet because they travel in HTTP
 * header lines (Variable-REMOTE_USER) and in Redis key names. A user's tag
 * is derived from the name so that the login (which knows the name) and the
 * check (which knows only the cookie) agree on the Redis hash slot.
 */
#include "core/user.h"

#include <string.h>

#include <sodium.h>

static const unsigned char tag_key[] = "sessgate/user-tag";

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

void
user_tag(const char *name, size_t len, char tag[TOKEN_TAGLEN + 1])
{
	unsigned char h[crypto_generichash_BYTES_MIN];

	crypto_generichash(h, sizeof(h), (const unsigned char *)name, len,
	    tag_key, sizeof(tag_key));
	/* 12 bytes are exactly 16 base64 characters. */
	sodium_bin2base64(tag, TOKEN_TAGLEN + 1, h, 12,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}
