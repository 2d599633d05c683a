/*
 * lane.h: the login lane of a worker process, a bounded queue of requests
 * that check a password, served by threads of their own.
 */
#ifndef SG_DAEMON_LANE_H
#define SG_DAEMON_LANE_H

#include <stddef.h>
#include <stdint.h>

struct lane;

/*
 * A queue served by threads threads, where at most max jobs wait besides
 * the one each thread works on; NULL if out of memory.
 */
struct lane *lane_new(size_t max, size_t threads);
void	     lane_free(struct lane *);
/* Queue job (now: clock_ms()); 0, or -1 if the queue is full. */
int lane_push(struct lane *, void *job, int64_t now);
/*
 * The oldest job, waiting for one if none is queued; *queued is when it
 * was pushed. NULL once lane_stop() was called and the queue is empty.
 */
void *lane_pop(struct lane *, int64_t *queued);
/*
 * A job the queue had no room for, to be refused (503) by the thread in
 * lane_refused(): 0, or -1 (stopped, out of memory: refuse it yourself).
 */
int lane_refuse(struct lane *, void *job);
/* The next job to refuse, waiting for one; NULL once stopped and empty. */
void *lane_refused(struct lane *);
/* No more pushes: the threads in lane_pop() finish the queue and leave. */
void lane_stop(struct lane *);
/* A job lane_pop() gave is done. */
void lane_done(struct lane *);

#endif
