/* user.h: user names and the tag that places a user's keys in Redis. */
#ifndef SG_CORE_USER_H
#define SG_CORE_USER_H

#include <stddef.h>

#include "core/token.h"

#define USER_NAME_MAX	64
#define USER_SECRET_MIN 32 /* bytes of a site secret, at least */
#define USER_KEYLEN	32

/*
 * The keys a site derives from its secret: one for user tags, one for
 * the counters of names that are not users. Without a secret the tag key
 * is a public constant (tags are then a plain hash of the name) and the
 * bucket key is random, made per process.
 */
struct user_keys {
	unsigned char tag[USER_KEYLEN];
	size_t	      taglen;
	unsigned char bucket[USER_KEYLEN];
	int	      secret; /* 1 if made from a site secret */
};

/* 1 if name is acceptable: 1-64 of [A-Za-z0-9._@+-], else 0. */
int user_name_valid(const char *name, size_t len);
/* The keys from a secret of at least USER_SECRET_MIN bytes, or NULL. */
int user_keys_init(struct user_keys *, const unsigned char *secret, size_t len);
/* The user's tag: base64url of a keyed BLAKE2b of the name, 16 chars. */
void user_tag(const struct user_keys *, const char *name, size_t len,
    char tag[TOKEN_TAGLEN + 1]);
/*
 * The fingerprint of the keys, which names the secret_file the users
 * were made under without revealing anything of it: 16 hex digits of a
 * BLAKE2b of the tag key under a fixed context (the tag key is itself a
 * BLAKE2b of the secret). Keys of no secret (the public constant) have
 * a fingerprint too, the same everywhere.
 */
#define USER_SECRET_IDLEN 16
void user_secret_id(const struct user_keys *, char out[USER_SECRET_IDLEN + 1]);
/* 1 if id is the fingerprint of no secret (the public tag key). */
int user_secret_id_public(const char *id);
/* The name's bucket among USER_BUCKETS, a keyed hash: 4 hex digits. */
#define USER_BUCKETS 65536
void user_bucket(const struct user_keys *, const char *name, size_t len,
    char out[5]);

#endif
