/*
 * outage.c: Redis failures, logged by the outage rather than by request.
 * While Redis is down every request fails (503), and a line per request
 * would bury everything else in the log. So the first failure is logged
 * with its reason, "redis: unavailable (1 request failed so far): ...",
 * then again with the count at most every OUTAGE_REPEAT_MS while failures
 * go on, and the first answer after them is logged too, "redis: answering
 * again after N failed requests in T s", so that an outage has an end in
 * the log. A request here is one command or script sent to Redis (one
 * per check). The state is per process, shared by its threads; a forked
 * process starts with none of its parent's.
 */
#include "store/outage.h"

#include <pthread.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"

static struct {
	pthread_mutex_t lock;
	pid_t		pid;	     /* whose state this is */
	unsigned long	failed;	     /* since the outage began; 0: none */
	int64_t		began, said; /* first failure, last line (ms) */
	int		quiet;
} o = { PTHREAD_MUTEX_INITIALIZER, 0, 0, 0, 0, 0 };

/* The state, reset in a process that inherited its parent's. */
static void
mine(void)
{
	if (o.pid != getpid()) {
		o.pid = getpid();
		o.failed = 0;
	}
}

static const char *
requests(unsigned long n)
{
	return n == 1 ? "request" : "requests";
}

void
outage_failed(const char *reason)
{
	int64_t now = clock_ms();

	pthread_mutex_lock(&o.lock);
	mine();
	if (o.failed++ == 0)
		o.began = now;
	if (!o.quiet && (o.failed == 1 || now - o.said >= OUTAGE_REPEAT_MS)) {
		o.said = now;
		log_warnx("redis: unavailable (%lu %s failed so far): %s",
		    o.failed, requests(o.failed), reason);
	}
	pthread_mutex_unlock(&o.lock);
}

void
outage_answered(void)
{
	unsigned long n;
	int64_t	      ms;

	if (__atomic_load_n(&o.failed, __ATOMIC_RELAXED) == 0 && o.pid != 0)
		return; /* the common case, without the lock */
	pthread_mutex_lock(&o.lock);
	mine();
	n = o.failed;
	ms = clock_ms() - o.began;
	o.failed = 0;
	if (n > 0 && !o.quiet)
		log_info("redis: answering again after %lu failed %s in "
			 "%lld.%01lld s",
		    n, requests(n), (long long)(ms / 1000),
		    (long long)(ms % 1000 / 100));
	pthread_mutex_unlock(&o.lock);
}

int
outage_ongoing(void)
{
	int rv;

	pthread_mutex_lock(&o.lock);
	mine();
	rv = o.failed > 0;
	pthread_mutex_unlock(&o.lock);
	return rv;
}

void
outage_quiet(void)
{
	pthread_mutex_lock(&o.lock);
	o.quiet = 1;
	pthread_mutex_unlock(&o.lock);
}
