/* result.c: names of results, for log lines. */
#include "core/result.h"

const char *
sg_result_name(enum sg_result r)
{
	static const char *const names[] = { "ok", "deny", "no session",
		"limit", "stale", "no user", "exists", "malformed", "invalid",
		"throttled", "busy", "relogin", "unavailable" };

	if ((unsigned int)r < sizeof(names) / sizeof(names[0]))
		return names[r];
	return "unknown";
}
