/* redisurl.h: the `redis` configuration value. */
#ifndef SG_REDISURL_H
#define SG_REDISURL_H

#include <stddef.h>

struct redis_url {
	int	 is_unix;
	char	 host[256];
	int	 port;
	char	 path[108];	/* sun_path */
	int	 db;
	char	 user[128];
	char	 password[256];
};

/*
 * Parse redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] or unix:PATH[?db=N];
 * 0, or -1 with a message in err.
 */
int	redis_url_parse(struct redis_url *u, const char *s, char *err,
	    size_t errlen);

#endif
