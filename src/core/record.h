/* record.h: session records as stored in Redis (small JSON documents). */
#ifndef SG_CORE_RECORD_H
#define SG_CORE_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "core/user.h"

#define RECORD_MAX 1024 /* larger stored records are refused */

struct record {
	char	user[USER_NAME_MAX + 1];
	int64_t created;  /* ms since the epoch, Redis's clock */
	int64_t deadline; /* absolute deadline, ms since the epoch */
};

/* Decode {"u":NAME,"c":MS,"a":MS}; 0, or -1 on anything unexpected. */
int record_decode(struct record *r, const char *json, size_t len);
/* Encode a record (used by the fake store and tests); 0 or -1. */
int record_encode(const struct record *r, char *out, size_t outlen);

#endif
