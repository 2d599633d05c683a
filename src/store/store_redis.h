/* store_redis.h: the Redis backend. */
#ifndef SG_STORE_STORE_REDIS_H
#define SG_STORE_STORE_REDIS_H

#include "store/store.h"

/* A store on one Redis server; it connects on first use. */
struct store *store_redis_open(const struct store_params *);

#endif
