/* user.h: user names and the tag that places a user's keys in Redis. */
#ifndef SG_CORE_USER_H
#define SG_CORE_USER_H

#include <stddef.h>

#include "core/token.h"

#define USER_NAME_MAX 64

/* 1 if name is acceptable: 1-64 of [A-Za-z0-9._@+-], else 0. */
int user_name_valid(const char *name, size_t len);
/* The user's tag: base64url of a keyed BLAKE2b of the name, 16 chars. */
void user_tag(const char *name, size_t len, char tag[TOKEN_TAGLEN + 1]);

#endif
