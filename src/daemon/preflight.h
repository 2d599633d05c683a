/* preflight.h: what sessgate checks of its Redis before it serves. */
#ifndef SG_DAEMON_PREFLIGHT_H
#define SG_DAEMON_PREFLIGHT_H

#include "config/config.h"

/*
 * Ask Redis its maxmemory-policy and log it: 0 to go on (noeviction, or
 * the policy could not be read: a warning), -1 if Redis may evict keys.
 */
int preflight_redis(const struct config *);

#endif
