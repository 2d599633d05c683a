/*
 * redis_cluster.h: Redis Cluster for the Redis store (store internal):
 * the slot map from CLUSTER SLOTS, one kept connection per master.
 */
#ifndef SG_STORE_REDIS_CLUSTER_H
#define SG_STORE_REDIS_CLUSTER_H

#include <stdint.h>

#include "config/redisurl.h"
#include "store/redis_conn.h"

#define CLUSTER_SLOTS	 16384
#define CLUSTER_MAXNODES 64

struct cluster_node {
	char		  host[256];
	int		  port;
	struct redis_conn conn;
};

struct redis_cluster {
	const struct redis_url *url;
	struct timeval		timeout;
	char		       *err;
	size_t			errlen;
	struct cluster_node	nodes[CLUSTER_MAXNODES]; /* the masters */
	int			nnodes;
	int16_t			slots[CLUSTER_SLOTS]; /* node index, or -1 */
	int			stale; /* ask for the map before the next use */
};

/* The hash slot of a key: CRC16 of its {hash tag}, or of all of it. */
unsigned int redis_cluster_slot(const char *key);

void redis_cluster_init(struct redis_cluster *, const struct redis_url *,
    const struct timeval *timeout, char *err, size_t errlen);
/*
 * The connection to the master of slot (connected, logged in), the slot
 * map read first if it is stale; NULL with the error set.
 */
struct redis_conn *redis_cluster_conn(struct redis_cluster *,
    unsigned int slot);
/* The connection to host:port (a MOVED or ASK target); NULL on error. */
struct redis_conn *redis_cluster_node(struct redis_cluster *, const char *host,
    int port);
/* MOVED: slot is served by host:port now; the whole map is read again. */
void redis_cluster_moved(struct redis_cluster *, unsigned int slot,
    const char *host, int port);
/* Read the map again before the next use (a node failed). */
void redis_cluster_stale(struct redis_cluster *);
void redis_cluster_close(struct redis_cluster *);

#endif
