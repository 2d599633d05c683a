/*
 * fuzz_redisurl: redis_url_parse(), the `redis` configuration value
 * (redis://, unix:, sentinel://, cluster://), and
 * redis_url_password(), the first line of redis_password_file. What it
 * accepts has every field terminated and in range.
 */
#include "config/redisurl.h"

#include "fuzz.h"

/* sentinel:// and cluster://: at least one node, each a host and a port. */
static int
nodes_ok(const struct redis_url *u)
{
	int i;

	if (u->nnodes < 1 || u->nnodes > REDIS_URL_MAXNODES)
		return 0;
	for (i = 0; i < u->nnodes; i++)
		if (!fuzz_terminated(u->nodes[i].host,
			sizeof(u->nodes[i].host)) ||
		    u->nodes[i].host[0] == '\0' || u->nodes[i].port < 1 ||
		    u->nodes[i].port > 65535)
			return 0;
	return 1;
}

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
		FUZZ_ASSERT(u.is_unix + u.is_sentinel + u.is_cluster <= 1);
		if (u.is_unix)
			FUZZ_ASSERT(u.path[0] == '/');
		else if (u.is_sentinel || u.is_cluster)
			FUZZ_ASSERT(nodes_ok(&u) &&
			    (!u.is_sentinel ||
				(u.master[0] != '\0' &&
				    fuzz_terminated(u.master,
					sizeof(u.master)))));
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
