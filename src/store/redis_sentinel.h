/*
 * redis_sentinel.h: where the master is, as Redis Sentinel says (store
 * internal). One kept connection to one Sentinel at a time; the next
 * Sentinel is asked when that one fails or does not know the master.
 */
#ifndef SG_STORE_REDIS_SENTINEL_H
#define SG_STORE_REDIS_SENTINEL_H

#include "config/redisurl.h"
#include "store/redis_conn.h"

struct redis_sentinel {
	struct redis_conn conn;
	int		  cur; /* the Sentinel asked last */
};

void redis_sentinel_init(struct redis_sentinel *, const struct timeval *,
    char *err, size_t errlen);
/*
 * Ask the Sentinels of u in turn for the address of u->master: 0 with
 * host and port set, or -1 with the error set (none answered, or none
 * knows the master).
 */
int redis_sentinel_master(struct redis_sentinel *, const struct redis_url *u,
    char host[256], int *port) __attribute__((warn_unused_result));
/* Ask the next Sentinel first next time (this one named a dead master). */
void redis_sentinel_next(struct redis_sentinel *, const struct redis_url *u);
void redis_sentinel_close(struct redis_sentinel *);

#endif
