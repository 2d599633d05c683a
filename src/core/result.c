/*
 * result.c: names of results, for log lines. Each name sits at its own
 * value (a designated initializer), so a new value cannot shift the names
 * after it, and the count is checked at compile time.
 */
#include "core/result.h"

#include <stddef.h>

static const char *const names[] = {
	[SG_OK] = "ok",
	[SG_DENY] = "deny",
	[SG_NO_SESSION] = "no session",
	[SG_LIMIT] = "limit",
	[SG_STALE] = "stale",
	[SG_NO_USER] = "no user",
	[SG_EXISTS] = "exists",
	[SG_MALFORMED] = "malformed",
	[SG_INVALID] = "invalid",
	[SG_THROTTLED] = "throttled",
	[SG_BUSY] = "busy",
	[SG_RELOGIN] = "relogin",
	[SG_UNAVAILABLE] = "unavailable",
};

_Static_assert(sizeof(names) / sizeof(names[0]) == SG_RESULT_COUNT,
    "every enum sg_result value needs a name in result.c");

const char *
sg_result_name(enum sg_result r)
{
	if ((unsigned int)r < SG_RESULT_COUNT && names[r] != NULL)
		return names[r];
	return "unknown";
}
