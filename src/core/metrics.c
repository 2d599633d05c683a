/*
 * metrics.c: what status_path shows, summed over every worker process.
 *
 * The parent maps one anonymous shared region before it forks: a header
 * (the workers gauge, the restarts, and the counts of workers that have
 * ended), then one slot per worker process. A worker adds to its own
 * slot with relaxed atomics, no lock; a scrape, answered by any worker,
 * sums the header's retired counts and every slot. When a worker ends
 * (a crash, a reload, a stop), the parent folds its counts into the
 * retired total and clears the slot, under a sequence number that a
 * scrape reads before and after summing, so that no scrape sees the
 * worker's counts twice or not at all: counters never go down while the
 * parent lives, whichever worker answers. Gauges (the login queue, busy
 * threads) are the live workers' alone.
 *
 * Without the region (sessgatectl, unit tests) everything counts in the
 * process.
 */
#include "core/metrics.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define BUCKETS 14 /* the most any histogram has, +Inf included */

struct hist {
	uint64_t bucket[BUCKETS]; /* not cumulative; the last is +Inf */
	uint64_t count, sum_us;
};

struct mslot {
	uint64_t    c[M_COUNT];
	int64_t	    g[G_COUNT];
	struct hist h[H_COUNT];
} __attribute__((aligned(64)));

struct region {
	uint64_t     seq; /* odd while the parent folds a slot */
	uint64_t     restarts, workers;
	struct mslot retired;
	struct mslot slot[];
};

/* Upper bounds in microseconds; the +Inf bucket follows the last. */
static const int64_t check_le[] = { 100, 250, 500, 1000, 2500, 5000, 10000,
	25000, 50000, 100000, 250000, 500000, 1000000 };
static const int64_t login_le[] = { 10000, 25000, 50000, 100000, 250000, 500000,
	1000000, 2500000, 5000000, 10000000 };

static const struct {
	const int64_t *le;
	size_t	       n;
	const char    *name, *help;
} hists[H_COUNT] = {
	[H_CHECK] = { check_le, sizeof(check_le) / sizeof(check_le[0]),
	    "sessgate_check_duration_seconds",
	    "Time to answer a session check." },
	[H_LOGIN] = { login_le, sizeof(login_le) / sizeof(login_le[0]),
	    "sessgate_login_duration_seconds",
	    "Time to answer a login, its password check included." },
};

static struct region *region;
static size_t	      nslots;
static struct mslot   local, *self = &local;

int
metrics_init(size_t n)
{
	void *p;

	p = mmap(NULL, sizeof(struct region) + n * sizeof(struct mslot),
	    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	region = p;
	nslots = n;
	return 0;
}

void
metrics_enter(int i)
{
	if (region != NULL && i >= 0 && (size_t)i < nslots)
		self = &region->slot[i];
	else
		self = &local; /* counted here only: not shown */
}

static void
fold(struct mslot *to, const struct mslot *from, int gauges)
{
	size_t i, j;

	for (i = 0; i < M_COUNT; i++)
		to->c[i] += from->c[i];
	for (i = 0; gauges && i < G_COUNT; i++)
		to->g[i] += from->g[i];
	for (i = 0; i < H_COUNT; i++) {
		for (j = 0; j < BUCKETS; j++)
			to->h[i].bucket[j] += from->h[i].bucket[j];
		to->h[i].count += from->h[i].count;
		to->h[i].sum_us += from->h[i].sum_us;
	}
}

void
metrics_retire(int i)
{
	if (region == NULL || i < 0 || (size_t)i >= nslots)
		return;
	__atomic_add_fetch(&region->seq, 1, __ATOMIC_SEQ_CST);
	fold(&region->retired, &region->slot[i], 0);
	memset(&region->slot[i], 0, sizeof(region->slot[i]));
	__atomic_add_fetch(&region->seq, 1, __ATOMIC_SEQ_CST);
}

void
metrics_restart(void)
{
	if (region != NULL)
		__atomic_add_fetch(&region->restarts, 1, __ATOMIC_RELAXED);
}

void
metrics_workers(unsigned int n)
{
	if (region != NULL)
		__atomic_store_n(&region->workers, n, __ATOMIC_RELAXED);
}

void
metrics_add(enum metric m, uint64_t n)
{
	__atomic_add_fetch(&self->c[m], n, __ATOMIC_RELAXED);
}

void
metrics_gauge_add(enum gauge g, int64_t n)
{
	__atomic_add_fetch(&self->g[g], n, __ATOMIC_RELAXED);
}

void
metrics_observe(enum histogram h, int64_t us)
{
	size_t i;

	if (us < 0)
		us = 0;
	for (i = 0; i < hists[h].n && us > hists[h].le[i]; i++)
		;
	__atomic_add_fetch(&self->h[h].bucket[i], 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&self->h[h].count, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&self->h[h].sum_us, (uint64_t)us, __ATOMIC_RELAXED);
}

/* The totals: retired, then every slot, none counted twice. */
static void
snapshot(struct mslot *t, uint64_t *restarts, uint64_t *workers)
{
	uint64_t s1, s2;
	size_t	 i;

	*restarts = *workers = 0;
	if (region == NULL) {
		memset(t, 0, sizeof(*t));
		fold(t, &local, 1);
		return;
	}
	do {
		while (
		    (s1 = __atomic_load_n(&region->seq, __ATOMIC_SEQ_CST)) & 1)
			;
		memset(t, 0, sizeof(*t));
		fold(t, &region->retired, 0);
		for (i = 0; i < nslots; i++)
			fold(t, &region->slot[i], 1);
		s2 = __atomic_load_n(&region->seq, __ATOMIC_SEQ_CST);
	} while (s1 != s2);
	*restarts = __atomic_load_n(&region->restarts, __ATOMIC_RELAXED);
	*workers = __atomic_load_n(&region->workers, __ATOMIC_RELAXED);
}

struct out {
	char  *buf;
	size_t len, cap;
	int    failed;
};

static void put(struct out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int	n;
	char   *p;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			o->failed = 1;
			return;
		}
		if ((size_t)n < o->cap - o->len) {
			o->len += (size_t)n;
			return;
		}
		if ((p = realloc(o->buf, o->cap * 2)) == NULL) {
			o->failed = 1;
			return;
		}
		o->buf = p;
		o->cap *= 2;
	}
}

static void
family(struct out *o, const char *name, const char *type, const char *help)
{
	put(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
labelled(struct out *o, const char *name, const char *help,
    const struct mslot *t, enum metric first, const char *const *labels,
    size_t n)
{
	size_t i;

	family(o, name, "counter", help);
	for (i = 0; i < n; i++)
		put(o, "%s{result=\"%s\"} %llu\n", name, labels[i],
		    (unsigned long long)t->c[first + i]);
}

static void
counter(struct out *o, const char *name, const char *help, uint64_t v)
{
	family(o, name, "counter", help);
	put(o, "%s %llu\n", name, (unsigned long long)v);
}

static void
gauge(struct out *o, const char *name, const char *help, int64_t v)
{
	family(o, name, "gauge", help);
	put(o, "%s %lld\n", name, (long long)v);
}

static void
histogram(struct out *o, const struct mslot *t, enum histogram h)
{
	const struct hist *x = &t->h[h];
	uint64_t	   cum = 0;
	size_t		   i;

	family(o, hists[h].name, "histogram", hists[h].help);
	for (i = 0; i < hists[h].n; i++) {
		cum += x->bucket[i];
		put(o, "%s_bucket{le=\"%g\"} %llu\n", hists[h].name,
		    (double)hists[h].le[i] / 1e6, (unsigned long long)cum);
	}
	put(o, "%s_bucket{le=\"+Inf\"} %llu\n", hists[h].name,
	    (unsigned long long)x->count);
	put(o, "%s_sum %.6f\n%s_count %llu\n", hists[h].name,
	    (double)x->sum_us / 1e6, hists[h].name,
	    (unsigned long long)x->count);
}

char *
metrics_render(size_t *len)
{
	static const char *const checks[] = { "allow", "deny", "unavailable",
		"malformed" };
	static const char *const logins[] = { "ok", "failed", "throttled",
		"limit", "busy", "unavailable" };
	struct mslot		 t;
	struct out		 o = { NULL, 0, 8192, 0 };
	uint64_t		 restarts, workers;

	if ((o.buf = malloc(o.cap)) == NULL)
		return NULL;
	snapshot(&t, &restarts, &workers);
	labelled(&o, "sessgate_checks_total", "Session checks by result.", &t,
	    M_CHECK_ALLOW, checks, 4);
	labelled(&o, "sessgate_logins_total", "Logins by result.", &t,
	    M_LOGIN_OK, logins, 6);
	counter(&o, "sessgate_logouts_total",
	    "Logouts (one session, or all of a user's).", t.c[M_LOGOUT]);
	counter(&o, "sessgate_revocations_total",
	    "Sessions ended other than by their own logout (logout "
	    "everywhere, a password change).",
	    t.c[M_REVOCATION]);
	counter(&o, "sessgate_evictions_total",
	    "Sessions ended by a login at max_sessions.", t.c[M_EVICTION]);
	counter(&o, "sessgate_redis_errors_total",
	    "Redis commands that failed (no answer, an error, a timeout).",
	    t.c[M_REDIS_ERROR]);
	counter(&o, "sessgate_redis_reconnects_total",
	    "Connections to Redis made again after a failure.",
	    t.c[M_REDIS_RECONNECT]);
	counter(&o, "sessgate_redis_topology_changes_total",
	    "A new master found (Sentinel) or slot map read (Cluster).",
	    t.c[M_REDIS_TOPOLOGY]);
	histogram(&o, &t, H_CHECK);
	histogram(&o, &t, H_LOGIN);
	gauge(&o, "sessgate_workers", "Worker processes serving.",
	    (int64_t)workers);
	counter(&o, "sessgate_worker_restarts_total",
	    "Worker processes that died and were replaced.", restarts);
	gauge(&o, "sessgate_login_queue_length",
	    "Logins waiting for a password check.", t.g[G_LOGIN_QUEUE]);
	gauge(&o, "sessgate_busy_requests",
	    "Requests a thread is answering now (this scrape included).",
	    t.g[G_BUSY]);
	if (o.failed) {
		free(o.buf);
		return NULL;
	}
	*len = o.len;
	return o.buf;
}
