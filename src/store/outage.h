/*
 * outage.h: a Redis that does not answer, logged once when it starts, at
 * most every OUTAGE_REPEAT_MS while it lasts, and once when it ends; per
 * process (each worker logs its own).
 */
#ifndef SG_STORE_OUTAGE_H
#define SG_STORE_OUTAGE_H

#include <stdint.h>

#define OUTAGE_REPEAT_MS 60000

/* A request to Redis failed, for reason (no secret in it). */
void outage_failed(const char *reason);
/* A request to Redis was answered. */
void outage_answered(void);
/* 1 while Redis is failing: its failures are logged here, not by callers. */
int outage_ongoing(void);
/* Log nothing (sessgatectl says what failed on stderr itself). */
void outage_quiet(void);

#endif
