/*
 * redis_link.h: the Redis store's way to its data (store internal): which
 * node to talk to (the one in the URL, or the master Sentinel names), a
 * kept connection replaced when it is found dead, one resend when that
 * is safe, and the wait for replicas after writes that must survive a
 * failover.
 */
#ifndef SG_STORE_REDIS_LINK_H
#define SG_STORE_REDIS_LINK_H

#include <stdint.h>

#include "config/redisurl.h"
#include "store/redis_cluster.h"
#include "store/redis_conn.h"
#include "store/redis_sentinel.h"

/*
 * What a command is, for the link (README, "High availability").
 * LINK_IDEMPOTENT: running it twice does no harm, so it is sent once more
 * when the connection dies under it. LINK_DURABLE: a login or a
 * revocation, which counts only once redis_replicas_ack replicas hold it.
 */
#define LINK_IDEMPOTENT 0x1
#define LINK_DURABLE	0x2

/* Sentinel mode: ask the Sentinels again at most this often (ms). */
#define LINK_RECHECK_MS 1000

struct redis_link {
	const struct redis_url *url;
	struct timeval		timeout;
	int64_t			timeout_ms;
	unsigned int		replicas_ack;
	struct redis_conn	conn;
	struct redis_sentinel	sentinel;
	struct redis_cluster   *cluster;  /* cluster:// only */
	int64_t			asked_at; /* when Sentinel last named it, ms */
	char			master[256]; /* where conn goes (sentinel) */
	int			master_port;
	int			unconfirmed; /* failed: too few replicas */
	char		       *err;
	size_t			errlen;
};

/*
 * A closed link to url (kept by the caller); errors go into err. -1 if
 * out of memory.
 */
int redis_link_init(struct redis_link *, const struct redis_url *,
    int64_t timeout_ms, unsigned int replicas_ack, char *err, size_t errlen);
/* A command's reply, or NULL with the error set; flags are LINK_*. */
redisReply *redis_link_command(struct redis_link *, int argc, const char **argv,
    int flags);
/* A script's reply, or NULL with the error set. */
redisReply *redis_link_eval(struct redis_link *, const struct lua_script *,
    int nkeys, int nargs, const char **args, int flags);
/*
 * How many masters hold the data: 1, or in a Redis Cluster the masters of
 * the slot map (read first if stale); -1 with the error set.
 */
int redis_link_masters(struct redis_link *);
/*
 * A command without keys (SCAN) sent to master i of redis_link_masters():
 * its reply, or NULL with the error set. It may run twice.
 */
redisReply *redis_link_command_master(struct redis_link *, int i, int argc,
    const char **argv);
void	    redis_link_close(struct redis_link *);

#endif
