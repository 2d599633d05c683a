/*
 * lane.c: the login lane's queue.
 *
 * A password check (Argon2id) takes a tenth of a second and 64 MiB; a
 * session check takes a Redis round trip. Were both served by the same
 * threads, a burst of logins would hold every thread and the checks would
 * wait behind them; refusing logins past a few at once (what sessgate did
 * before) turns an ordinary burst of people signing in into error pages.
 * So the requests that check a password wait their turn here, in a queue
 * of bounded length, for the login_concurrency threads that serve only
 * them, while the threads that answer checks never run one (server.c).
 * A full queue answers at once (503 + Retry-After); so does a request that
 * waited past login_queue_timeout, when a lane thread reaches it. The
 * refusals of a full queue are written by a thread of their own at the
 * lane's priority too (lane_refuse): under a flood of logins the threads
 * that answer checks only read each login and pass it on.
 *
 * The queue knows nothing of requests: jobs are opaque.
 */
#include "daemon/lane.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/queue.h>

struct item {
	void   *job;
	int64_t queued;
	TAILQ_ENTRY(item) entry;
};

struct lane {
	pthread_mutex_t mu;
	pthread_cond_t	cv, rcv;
	TAILQ_HEAD(, item) q;
	TAILQ_HEAD(, item) refused;
	size_t n, max, running, threads;
	int    stopped;
};

struct lane *
lane_new(size_t max, size_t threads)
{
	struct lane *l;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->cv, NULL);
	pthread_cond_init(&l->rcv, NULL);
	TAILQ_INIT(&l->q);
	TAILQ_INIT(&l->refused);
	l->max = max;
	l->threads = threads;
	return l;
}

void
lane_free(struct lane *l)
{
	struct item *it;

	if (l == NULL)
		return;
	while ((it = TAILQ_FIRST(&l->q)) != NULL) {
		TAILQ_REMOVE(&l->q, it, entry);
		free(it);
	}
	while ((it = TAILQ_FIRST(&l->refused)) != NULL) {
		TAILQ_REMOVE(&l->refused, it, entry);
		free(it);
	}
	pthread_mutex_destroy(&l->mu);
	pthread_cond_destroy(&l->cv);
	pthread_cond_destroy(&l->rcv);
	free(l);
}

int
lane_push(struct lane *l, void *job, int64_t now)
{
	struct item *it;

	if ((it = malloc(sizeof(*it))) == NULL)
		return -1;
	it->job = job;
	it->queued = now;
	pthread_mutex_lock(&l->mu);
	/* max may wait, besides one job per thread */
	if (l->stopped || l->n + l->running >= l->max + l->threads) {
		pthread_mutex_unlock(&l->mu);
		free(it);
		return -1;
	}
	TAILQ_INSERT_TAIL(&l->q, it, entry);
	l->n++;
	pthread_cond_signal(&l->cv);
	pthread_mutex_unlock(&l->mu);
	return 0;
}

void *
lane_pop(struct lane *l, int64_t *queued)
{
	struct item *it;
	void	    *job = NULL;

	pthread_mutex_lock(&l->mu);
	while (TAILQ_EMPTY(&l->q) && !l->stopped)
		pthread_cond_wait(&l->cv, &l->mu);
	if ((it = TAILQ_FIRST(&l->q)) != NULL) {
		TAILQ_REMOVE(&l->q, it, entry);
		l->n--;
		l->running++;
	}
	pthread_mutex_unlock(&l->mu);
	if (it != NULL) {
		job = it->job;
		*queued = it->queued;
		free(it);
	}
	return job;
}

int
lane_refuse(struct lane *l, void *job)
{
	struct item *it;

	if ((it = malloc(sizeof(*it))) == NULL)
		return -1;
	it->job = job;
	it->queued = 0;
	pthread_mutex_lock(&l->mu);
	if (l->stopped) {
		pthread_mutex_unlock(&l->mu);
		free(it);
		return -1;
	}
	TAILQ_INSERT_TAIL(&l->refused, it, entry);
	pthread_cond_signal(&l->rcv);
	pthread_mutex_unlock(&l->mu);
	return 0;
}

void *
lane_refused(struct lane *l)
{
	struct item *it;
	void	    *job = NULL;

	pthread_mutex_lock(&l->mu);
	while (TAILQ_EMPTY(&l->refused) && !l->stopped)
		pthread_cond_wait(&l->rcv, &l->mu);
	if ((it = TAILQ_FIRST(&l->refused)) != NULL)
		TAILQ_REMOVE(&l->refused, it, entry);
	pthread_mutex_unlock(&l->mu);
	if (it != NULL) {
		job = it->job;
		free(it);
	}
	return job;
}

void
lane_done(struct lane *l)
{
	pthread_mutex_lock(&l->mu);
	l->running--;
	pthread_mutex_unlock(&l->mu);
}

void
lane_stop(struct lane *l)
{
	pthread_mutex_lock(&l->mu);
	l->stopped = 1;
	pthread_cond_broadcast(&l->cv);
	pthread_cond_broadcast(&l->rcv);
	pthread_mutex_unlock(&l->mu);
}
