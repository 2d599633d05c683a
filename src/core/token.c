/*
 * token.c: session tokens.
 *
 * A cookie value is "TAG.SECRET": TAG is the user's tag (user.c), which is
 * not secret and names the Redis Cluster hash slot of all of that user's
 * keys; SECRET is 32 bytes from libsodium's CSPRNG. Redis only ever holds
 * token_id(), a keyed BLAKE2b hash of SECRET, so a dump of Redis yields no
 * usable cookie. Decoding is strict: one canonical spelling per token.
 */
#include "core/token.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#define B64URL sodium_base64_VARIANT_URLSAFE_NO_PADDING

/* Domain separation for the storage hash (a BLAKE2b key, not a secret). */
static const unsigned char id_key[] = "sessgate/token-id";

void
token_new(struct token *t, const char *tag)
{
	memcpy(t->tag, tag, TOKEN_TAGLEN);
	t->tag[TOKEN_TAGLEN] = '\0';
	randombytes_buf(t->secret, sizeof(t->secret));
}

int
token_encode(const struct token *t, char *out, size_t outlen)
{
	if (outlen < TOKEN_COOKIELEN + 1)
		return -1;
	memcpy(out, t->tag, TOKEN_TAGLEN);
	out[TOKEN_TAGLEN] = '.';
	sodium_bin2base64(out + TOKEN_TAGLEN + 1, TOKEN_B64LEN + 1, t->secret,
	    sizeof(t->secret), B64URL);
	return 0;
}

static int
is_b64url(const char *s, size_t len)
{
	size_t i;
	char   c;

	for (i = 0; i < len; i++) {
		c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			(c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

int
token_decode(struct token *t, const char *s, size_t len)
{
	size_t bin_len;

	if (len != TOKEN_COOKIELEN || s[TOKEN_TAGLEN] != '.' ||
	    !is_b64url(s, TOKEN_TAGLEN) ||
	    !is_b64url(s + TOKEN_TAGLEN + 1, TOKEN_B64LEN))
		return -1;
	if (sodium_base642bin(t->secret, sizeof(t->secret),
		s + TOKEN_TAGLEN + 1, TOKEN_B64LEN, NULL, &bin_len, NULL,
		B64URL) != 0 ||
	    bin_len != TOKEN_BYTES) {
		token_wipe(t);
		return -1;
	}
	memcpy(t->tag, s, TOKEN_TAGLEN);
	t->tag[TOKEN_TAGLEN] = '\0';
	return 0;
}

void
token_id(const struct token *t, char out[TOKEN_IDLEN + 1])
{
	unsigned char h[32];

	crypto_generichash(h, sizeof(h), t->secret, sizeof(t->secret), id_key,
	    sizeof(id_key));
	sodium_bin2base64(out, TOKEN_IDLEN + 1, h, sizeof(h), B64URL);
}

void
token_ref(const char *id, char out[TOKEN_REFLEN + 1])
{
	snprintf(out, TOKEN_REFLEN + 1, "%.*s", TOKEN_REFLEN, id);
}

void
token_wipe(struct token *t)
{
	sodium_memzero(t, sizeof(*t));
}
