/* record.h: session records as stored in Redis (small JSON documents). */
#ifndef SG_CORE_RECORD_H
#define SG_CORE_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "core/user.h"

#define RECORD_MAX	 1024 /* larger stored records are refused */
#define RECORD_ADDR_MAX	 46   /* an IPv6 address's text, or "" */
#define RECORD_AGENT_MAX 40   /* "Firefox on Linux", or "" */

/*
 * What a session record holds, and why (the sessions page shows the
 * last three; nothing else about a login is kept):
 *   u  user name, c created, a absolute deadline (ms, Redis's clock),
 *   g  the user's generation it was made under (the store's, not here),
 *   p  when the password was last entered (the login, or a step-up
 *      confirmation; absent in older records: c),
 *   ip the client address at login, ua a short browser description
 *      ("Firefox on Linux", never the raw User-Agent); both may be "",
 *   r  1 if "keep me signed in" was ticked (read by check.lua only).
 */
struct record {
	char	user[USER_NAME_MAX + 1];
	int64_t created;   /* ms since the epoch, Redis's clock */
	int64_t deadline;  /* absolute deadline, ms since the epoch */
	int64_t confirmed; /* the password was last entered, ms */
	char	addr[RECORD_ADDR_MAX + 1];
	char	agent[RECORD_AGENT_MAX + 1];
};

/*
 * Decode {"u":NAME,"c":MS,"a":MS[,"p":MS][,"ip":S][,"ua":S]} (other
 * members are ignored); 0, or -1 on anything unexpected.
 */
int record_decode(struct record *r, const char *json, size_t len);
/*
 * Can s be a record's text member (ip, ua): not NULL, at most max bytes
 * of printable ASCII other than '"' and '\\'? 1 or 0.
 */
int record_text_ok(const char *s, size_t max);
/* Encode a record (used by the fake store and tests); 0 or -1. */
int record_encode(const struct record *r, char *out, size_t outlen);

#endif
