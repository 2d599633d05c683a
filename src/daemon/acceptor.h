/*
 * acceptor.h: one thread that accepts connections and holds them until a
 * whole request is queued, then hands them to the worker threads.
 */
#ifndef SG_DAEMON_ACCEPTOR_H
#define SG_DAEMON_ACCEPTOR_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/fcgi_scan.h"

/*
 * A connection; fd and scan are the worker's to read, out the
 * answer it leaves to send (conn_send).
 */
struct conn {
	int		 fd;
	struct fcgi_scan scan; /* the request waiting in the socket */
	unsigned char	*out;  /* owned (malloc); wiped when freed */
	size_t		 outlen, outoff;
	/* the acceptor's own */
	int	     state, kept, after;
	size_t	     seen;
	int64_t	     deadline;
	char	     peer[64];
	struct conn *prev, *next;
};

/* What a worker does with a connection it has answered. */
enum conn_next {
	CONN_CLOSE, /* closed (fd -1) or to close now */
	CONN_KEEP,  /* FCGI_KEEP_CONN: wait for its next request */
	CONN_LINGER /* the client sent more than was read: drain, then close */
};

struct acceptor;

/*
 * The acceptor of listen_fd; sig_fd (a signalfd) says when to stop. A
 * connection has client_timeout_ms to deliver a whole request. on_stop
 * is called once the acceptor no longer accepts.
 */
struct acceptor *acceptor_new(int listen_fd, int sig_fd,
    int64_t client_timeout_ms, unsigned int threads, void (*on_stop)(void));
#define ACCEPTOR_BUSY	1 /* workers still held requests at the end */
#define ACCEPTOR_FAILED 2 /* the listening socket failed (logged) */

/*
 * Run in the calling thread until a stop signal and until every
 * connection is answered or dropped (or the grace period is over).
 * 0, or ACCEPTOR_BUSY and ACCEPTOR_FAILED or'ed.
 */
int acceptor_run(struct acceptor *);
/* A worker's next whole request; NULL once the acceptor has finished. */
struct conn *acceptor_next(struct acceptor *);
/*
 * Send what the socket takes now of c's answer, without waiting: 1 once
 * all is sent (out freed), 0 if some waits for the client to read, -1 if
 * the connection failed.
 */
int conn_send(struct conn *c);
/*
 * A worker is done with c. An answer not yet sent in full is sent from
 * the acceptor's loop, as the client reads it (within client_timeout);
 * next applies after that.
 */
void acceptor_done(struct acceptor *, struct conn *c, enum conn_next next);
void acceptor_free(struct acceptor *);

#endif
