/* token.h: session tokens, the cookie value that carries them, their hash. */
#ifndef SG_CORE_TOKEN_H
#define SG_CORE_TOKEN_H

#include <stddef.h>

#define TOKEN_BYTES	32 /* secret part: 256 bits from the CSPRNG */
#define TOKEN_B64LEN	43 /* base64url, no padding, of TOKEN_BYTES */
#define TOKEN_TAGLEN	16 /* user tag: names the Redis hash slot */
#define TOKEN_COOKIELEN (TOKEN_TAGLEN + 1 + TOKEN_B64LEN)
#define TOKEN_IDLEN	43 /* base64url of the 32-byte storage hash */
/* a session's reference in listings and the audit log: the id's start */
#define TOKEN_REFLEN 12

struct token {
	char	      tag[TOKEN_TAGLEN + 1];
	unsigned char secret[TOKEN_BYTES];
};

/* A fresh token for the user whose tag is given. */
void token_new(struct token *t, const char *tag);
/* "TAG.SECRET" into out (TOKEN_COOKIELEN + 1 bytes); 0 or -1. */
int token_encode(const struct token *t, char *out, size_t outlen);
/* Parse a cookie value strictly; 0, or -1 if it is not a token. */
int token_decode(struct token *t, const char *s, size_t len);
/* The storage id: base64url(BLAKE2b(secret)); Redis sees only this. */
void token_id(const struct token *t, char out[TOKEN_IDLEN + 1]);
/*
 * The reference of a stored id: its first TOKEN_REFLEN characters (72
 * bits), enough to tell a user's sessions apart, too little to be the id.
 */
void token_ref(const char *id, char out[TOKEN_REFLEN + 1]);
void token_wipe(struct token *t);

#endif
