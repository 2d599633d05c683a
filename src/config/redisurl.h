/* redisurl.h: the `redis` configuration value. */
#ifndef SG_CONFIG_REDISURL_H
#define SG_CONFIG_REDISURL_H

#include <stddef.h>
#include <sys/un.h>

struct redis_url {
	int  is_unix;
	char host[256];
	int  port;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int  db;
	char user[128];
	char password[256];
};

/*
 * Parse redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] or unix:PATH[?db=N];
 * 0, or -1 with a message in err.
 */
int redis_url_parse(struct redis_url *u, const char *s, char *err,
    size_t errlen);
/*
 * Apply the first line of redis_password_file: "PASSWORD", or
 * "USER PASSWORD" (an ACL user); 0, or -1 if it does not fit.
 */
int redis_url_password(struct redis_url *u, const char *line);

#endif
