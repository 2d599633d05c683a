/*
 * slots.h: what each worker process is doing, in memory the parent shares
 * with it, so that the parent can still read it once the worker died.
 */
#ifndef SG_DAEMON_SLOTS_H
#define SG_DAEMON_SLOTS_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Create the shared region, before the first fork: room for nslots worker
 * processes (the workers of one configuration, and old ones finishing
 * after a reload) of at most threads_max threads each. 0, or -1.
 */
int slots_init(size_t nslots, unsigned int threads_max);

/* Parent: a free slot for a worker about to be forked; -1 if none. */
int slots_claim(void);
/* Parent: the worker forked into slot i is pid. */
void slots_own(int i, pid_t pid);
/*
 * Parent: pid ended. Writes into buf (len bytes) the connections it was
 * serving ("" if none), frees its slot; 1 if it held one, else 0.
 */
int slots_release(pid_t pid, char *buf, size_t len);

/* Worker (in the child, after fork): it is slot i. */
void slots_enter(int i);
/*
 * Worker: who (0 the acceptor, 1.. the threads) now holds a connection
 * from peer, with a request of len bytes in role (FastCGI's number), or
 * holds none (peer NULL). No-op without a slot.
 */
void slots_serving(unsigned int who, const char *peer, int role, size_t len);

#endif
