/*
 * slots.c: one slot per worker process in an anonymous shared mapping
 * that the parent makes before it forks.
 *
 * A worker writes into its slot which connection each of its threads
 * (and its acceptor) holds at the moment. Should the process die, libfcgi
 * aborting on some input one day or a bug of sessgate's, the parent reads
 * the slot: it logs which client connections were in hand, and a worker
 * that died holding one is replaced at once rather than after the
 * back-off meant for workers that cannot start (supervisor.c), so that
 * requests can never talk the parent into leaving the socket unserved.
 *
 * Nothing here is trusted for a decision about a request: the parent
 * only logs it and chooses a delay. A slot is written by its worker and
 * read by the parent only once that worker is gone (no locking).
 * Counters that must outlive a worker can join the slot later.
 */
#include "daemon/slots.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define PEER_LEN 64

struct serving {
	char	 peer[PEER_LEN]; /* "" while idle */
	uint32_t len;
	int	 role;
};

struct slot {
	pid_t	       pid;	  /* 0: free; -1: claimed, not forked yet */
	struct serving serving[]; /* [0] the acceptor, then the threads */
};

static unsigned char *region;
static size_t	      nslots, slot_size;
static unsigned int   nserving;
static struct slot   *self;

static struct slot *
slot_at(size_t i)
{
	return (struct slot *)(region + i * slot_size);
}

int
slots_init(size_t n, unsigned int threads_max)
{
	nserving = threads_max + 1;
	slot_size = offsetof(struct slot, serving) +
	    (size_t)nserving * sizeof(struct serving);
	slot_size = (slot_size + 63) & ~(size_t)63;
	region = mmap(NULL, n * slot_size, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED) {
		region = NULL;
		return -1;
	}
	nslots = n;
	return 0;
}

int
slots_claim(void)
{
	size_t i;

	for (i = 0; region != NULL && i < nslots; i++)
		if (slot_at(i)->pid == 0) {
			memset(slot_at(i), 0, slot_size);
			slot_at(i)->pid = -1;
			return (int)i;
		}
	return -1;
}

void
slots_own(int i, pid_t pid)
{
	if (i >= 0 && region != NULL)
		slot_at((size_t)i)->pid = pid;
}

static void
describe(const struct serving *sv, char *buf, size_t len)
{
	const char *role = "a request";

	if (sv->role == 1)
		role = "a Responder request";
	else if (sv->role == 2)
		role = "an Authorizer request";
	if (strcmp(sv->peer, "-") == 0)
		snprintf(buf, len, "a connection with %s of %lu bytes", role,
		    (unsigned long)sv->len);
	else
		snprintf(buf, len,
		    "the connection from %s with %s of %lu bytes", sv->peer,
		    role, (unsigned long)sv->len);
}

int
slots_release(pid_t pid, char *buf, size_t len)
{
	struct slot	     *s;
	const struct serving *sv;
	char		      one[PEER_LEN + 96];
	size_t		      i, used = 0;
	unsigned int	      w;
	int		      held = 0;

	buf[0] = '\0';
	for (i = 0; region != NULL && i < nslots; i++) {
		if ((s = slot_at(i))->pid != pid)
			continue;
		for (w = 0; w < nserving; w++) {
			if ((sv = &s->serving[w])->peer[0] == '\0')
				continue;
			describe(sv, one, sizeof(one));
			if (used < len)
				used += (size_t)snprintf(buf + used, len - used,
				    "%s%s", held ? ", " : "", one);
			held = 1;
		}
		s->pid = 0;
	}
	return held;
}

void
slots_enter(int i)
{
	self = i >= 0 && region != NULL ? slot_at((size_t)i) : NULL;
}

void
slots_serving(unsigned int who, const char *peer, int role, size_t len)
{
	struct serving *sv;

	if (self == NULL || who >= nserving)
		return;
	sv = &self->serving[who];
	if (peer == NULL) {
		sv->peer[0] = '\0';
		return;
	}
	sv->role = role;
	sv->len = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
	/* (an unnamed peer still marks the slot busy) */
	snprintf(sv->peer, sizeof(sv->peer), "%s", peer[0] ? peer : "-");
}
