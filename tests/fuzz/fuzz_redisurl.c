/*
 * fuzz_redisurl: redis_url_parse(), the `redis` configuration value, and
 * redis_url_password(), the first line of redis_password_file. What it
 * accepts has every field terminated and in range.
 */
#include "config/redisurl.h"

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct redis_url u;
	char		 err[128], *s;

	if ((s = fuzz_string(data, size)) == NULL)
		return 0;
	err[0] = '\0';
	if (redis_url_parse(&u, s, err, sizeof(err)) == 0) {
		FUZZ_ASSERT(fuzz_terminated(u.host, sizeof(u.host)) &&
		    fuzz_terminated(u.path, sizeof(u.path)) &&
		    fuzz_terminated(u.user, sizeof(u.user)) &&
		    fuzz_terminated(u.password, sizeof(u.password)));
		FUZZ_ASSERT(u.db >= 0 && u.db <= 1000000);
		if (u.is_unix)
			FUZZ_ASSERT(u.path[0] == '/');
		else
			FUZZ_ASSERT(u.host[0] != '\0' && u.port >= 1 &&
			    u.port <= 65535);
	} else
		FUZZ_ASSERT(err[0] != '\0');
	if (redis_url_password(&u, s) == 0)
		FUZZ_ASSERT(fuzz_terminated(u.user, sizeof(u.user)) &&
		    fuzz_terminated(u.password, sizeof(u.password)));
	free(s);
	return 0;
}
