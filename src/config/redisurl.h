/* redisurl.h: the `redis` configuration value. */
#ifndef SG_CONFIG_REDISURL_H
#define SG_CONFIG_REDISURL_H

#include <stddef.h>
#include <sys/un.h>

#define REDIS_URL_MAXNODES	 16
#define REDIS_SENTINEL_PORT	 26379
#define REDIS_URL_MASTERNAME_MAX 127

struct redis_node {
	char host[256];
	int  port;
};

struct redis_url {
	int  is_unix;
	int  is_sentinel;
	int  is_cluster;
	char host[256];
	int  port;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int  db;
	/* the data nodes' credentials (sentinel://: redis_password_file's) */
	char user[128];
	char password[256];
	/* sentinel://: the Sentinels; cluster://: the nodes to start from */
	struct redis_node nodes[REDIS_URL_MAXNODES];
	int		  nnodes;
	/* sentinel:// only: the master's name, the Sentinels' login */
	char master[REDIS_URL_MASTERNAME_MAX + 1];
	char sentinel_user[128];
	char sentinel_password[256];
};

/*
 * Parse redis://[[USER]:PASSWORD@]HOST[:PORT][/DB], unix:PATH[?db=N] or
 * sentinel://[[USER]:PASSWORD@]HOST[:PORT][,HOST[:PORT]...]/MASTER[/DB]
 * (there USER:PASSWORD are the Sentinels'; a missing port is 26379) or
 * cluster://[[USER]:PASSWORD@]HOST[:PORT][,HOST[:PORT]...] (any nodes of
 * the cluster, to learn its slot map from); 0, or -1 with a message.
 */
int redis_url_parse(struct redis_url *u, const char *s, char *err,
    size_t errlen);
/*
 * Apply the first line of redis_password_file: "PASSWORD", or
 * "USER PASSWORD" (an ACL user); 0, or -1 if it does not fit.
 */
int redis_url_password(struct redis_url *u, const char *line);
/* The same for the Sentinels' credentials (redis_sentinel_password_file). */
int redis_url_sentinel_password(struct redis_url *u, const char *line);

#endif
