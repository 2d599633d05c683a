/*
 * metrics.h: counters, gauges and histograms of what sessgate does, summed
 * over every worker process of one sessgate (status_path shows them).
 */
#ifndef SG_CORE_METRICS_H
#define SG_CORE_METRICS_H

#include <stddef.h>
#include <stdint.h>

enum metric {
	M_CHECK_ALLOW,
	M_CHECK_DENY,
	M_CHECK_UNAVAILABLE,
	M_CHECK_MALFORMED,
	M_LOGIN_OK,
	M_LOGIN_FAILED,
	M_LOGIN_THROTTLED,
	M_LOGIN_LIMIT,
	M_LOGIN_BUSY,
	M_LOGIN_UNAVAILABLE,
	M_LOGOUT,
	M_REVOCATION, /* sessions ended other than by their own logout */
	M_EVICTION,
	M_REDIS_ERROR,
	M_REDIS_RECONNECT,
	M_REDIS_TOPOLOGY, /* a new master (Sentinel) or slot map (Cluster) */
	M_COUNT
};

enum gauge {
	G_LOGIN_QUEUE, /* logins waiting for a password check */
	G_BUSY,	       /* requests a thread is answering */
	G_COUNT
};

enum histogram {
	H_CHECK,
	H_LOGIN,
	H_COUNT
};

/*
 * The parent, before its first fork: shared memory for nslots worker
 * processes. Without it (sessgatectl, tests) metrics count in the
 * process alone. 0, or -1.
 */
int metrics_init(size_t nslots);
/* Worker, after fork: it counts in slot i (the parent's index). */
void metrics_enter(int i);
/* Parent: slot i's worker ended: its counts join the retired total. */
void metrics_retire(int i);
/* Parent: a worker was replaced; workers serving now. */
void metrics_restart(void);
void metrics_workers(unsigned int n);

void metrics_add(enum metric, uint64_t n);
void metrics_gauge_add(enum gauge, int64_t n);
/* An answer of kind h took us microseconds. */
void metrics_observe(enum histogram h, int64_t us);

/*
 * The Prometheus text format (0.0.4) of the totals, into a malloc'ed
 * string (*len set); NULL if out of memory.
 */
char *metrics_render(size_t *len);

#endif
