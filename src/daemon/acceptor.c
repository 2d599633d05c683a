/*
 * acceptor.c: the one thread of a worker process that accepts.
 *
 * libfcgi gives each thread one connection and reads it with blocking
 * calls, so a client that connects and sends nothing, or trickles its
 * request, holds a thread for as long as it likes. Here no thread waits
 * for a client: the acceptor takes every connection, watches it with
 * epoll (edge-triggered: one wake-up per arrival of bytes), peeks at what
 * it queued (MSG_PEEK: libfcgi must still read it from the start) and
 * asks fcgi_scan whether a whole request is there. Only then is the
 * connection queued for a worker thread, which hands it to libfcgi by
 * setting the request's ipcFd. A connection that has no whole request
 * within client_timeout, or that sends what libfcgi mishandles, is
 * closed with a log line.
 *
 * After the answer a worker gives the connection back: a kept one
 * (FCGI_KEEP_CONN) waits here for its next request, with a new
 * client_timeout; one whose client sent more than was read is drained
 * here for a moment before it is closed (what libfcgi's OS_Close does,
 * without holding a thread); the rest the worker closes itself.
 *
 * Nor does a thread wait for a client to read. A worker sends its answer
 * with MSG_DONTWAIT (conn_send); what the socket cannot take at once, a
 * client that does not read its answers, the worker leaves here, and the
 * acceptor sends it as the client reads (EPOLLOUT), within
 * client_timeout, before it keeps, drains or closes the connection. A
 * client that has not read its answer by then is closed with a log line.
 *
 * Connections cost file descriptors only. Past what RLIMIT_NOFILE
 * allows, the oldest waiting connection makes room for a new one.
 *
 * libfcgi's accept() is bypassed, and with it its one access control:
 * FCGI_WEB_SERVER_ADDRS, a comma-separated list of the IPv4 addresses
 * allowed to connect over TCP, is applied here as libfcgi applies it.
 */
#include "daemon/acceptor.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "daemon/slots.h"
#include "http/request.h"

#define STOP_GRACE_MS 10000 /* for requests in flight at SIGTERM */
#define LINGER_MS     2000  /* libfcgi's own OS_Close poll */
#define PAUSE_MS      100   /* out of descriptors: wait before accept() */
#define DRAIN_MAX     (1024 * 1024) /* per wake-up, from a lingering peer */
#define KIB_(n)	      #n
#define KIB(n)	      KIB_(n)

enum {
	C_WAIT,	  /* waiting for a whole request */
	C_WORK,	  /* queued for, or held by, a worker */
	C_FLUSH,  /* answered; the answer waits for the client to read it */
	C_LINGER, /* answered; draining before close */
	C_DEAD	  /* closed; freed once the events at hand are handled */
};

struct list {
	struct conn *head, *tail;
	size_t	     n;
};

struct acceptor {
	int	       listen_fd, sig_fd, ep, ev_fd;
	int64_t	       timeout, linger, paused_until, stop_at;
	size_t	       max_conns, nconns;
	int	       stopping, listening;
	unsigned long  refused;	       /* since refused_logged */
	int64_t	       refused_logged; /* clock_ms() */
	const char    *allowed;	       /* FCGI_WEB_SERVER_ADDRS */
	struct list    waiting, flushing, lingering, dead;
	unsigned char *buf;
	void (*on_stop)(void);
	/* shared with the workers, under mu */
	pthread_mutex_t mu;
	pthread_cond_t	cv;
	struct list	ready, back;
	size_t		busy;
	int		draining, finished;
};

static void
list_add(struct list *l, struct conn *c)
{
	c->next = NULL;
	c->prev = l->tail;
	if (l->tail != NULL)
		l->tail->next = c;
	else
		l->head = c;
	l->tail = c;
	l->n++;
}

static void
list_del(struct list *l, struct conn *c)
{
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		l->head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	else
		l->tail = c->prev;
	c->prev = c->next = NULL;
	l->n--;
}

static struct list *
list_of(struct acceptor *a, const struct conn *c)
{
	if (c->state == C_WAIT)
		return &a->waiting;
	return c->state == C_FLUSH ? &a->flushing : &a->lingering;
}

/* Free c and the answer it may still hold (a Set-Cookie: wiped). */
static void
conn_free(struct conn *c)
{
	if (c->out != NULL) {
		explicit_bzero(c->out, c->outlen);
		free(c->out);
	}
	free(c);
}

int
conn_send(struct conn *c)
{
	ssize_t n;

	while (c->out != NULL && c->outoff < c->outlen) {
		n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
		    MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n > 0)
			c->outoff += (size_t)n;
		else if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		else if (n == -1 && errno != EINTR)
			return -1;
	}
	if (c->out != NULL) {
		explicit_bzero(c->out, c->outlen);
		free(c->out);
		c->out = NULL;
	}
	return 1;
}

/*
 * Close a connection the acceptor holds, with a log line if why. It is
 * freed later (dead_free): an event for it may still be in the batch
 * that epoll_wait returned.
 */
static void
conn_drop(struct acceptor *a, struct conn *c, const char *why)
{
	if (why != NULL)
		log_warnx("connection%s%s dropped: %s",
		    c->peer[0] ? " from " : "", c->peer, why);
	list_del(list_of(a, c), c);
	close(c->fd);
	c->fd = -1;
	c->state = C_DEAD;
	list_add(&a->dead, c);
	__atomic_sub_fetch(&a->nconns, 1, __ATOMIC_RELAXED);
}

static void
dead_free(struct acceptor *a)
{
	struct conn *c;

	while ((c = a->dead.head) != NULL) {
		list_del(&a->dead, c);
		conn_free(c);
	}
}

/*
 * Watch c for bytes (or, C_FLUSH, for room to send); it joins the list of
 * its state.
 */
static int
conn_watch(struct acceptor *a, struct conn *c, int state, int64_t deadline)
{
	struct epoll_event ev;

	ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
	if (state == C_FLUSH)
		ev.events = EPOLLOUT | EPOLLET;
	ev.data.ptr = c;
	c->state = state;
	c->seen = 0;
	c->deadline = deadline;
	list_add(list_of(a, c), c);
	if (epoll_ctl(a->ep, EPOLL_CTL_ADD, c->fd, &ev) == 0)
		return 0;
	log_warn("epoll_ctl");
	conn_drop(a, c, NULL);
	return -1;
}

static void
peer_name(struct conn *c, const struct sockaddr_storage *ss)
{
	char	     host[INET6_ADDRSTRLEN];
	struct ucred uc;
	socklen_t    len = sizeof(uc);

	c->peer[0] = '\0';
	if (ss->ss_family == AF_UNIX &&
	    getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) == 0)
		snprintf(c->peer, sizeof(c->peer), "pid %d (uid %u)",
		    (int)uc.pid, (unsigned)uc.uid);
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)ss;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		snprintf(c->peer, sizeof(c->peer), "%s:%u", host,
		    ntohs(in->sin_port));
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)ss;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		snprintf(c->peer, sizeof(c->peer), "[%s]:%u", host,
		    ntohs(in6->sin6_port));
	}
}

/*
 * Socket options: timeouts on the worker's reads and writes, so that
 * nothing libfcgi does can block a thread for longer than client_timeout;
 * on TCP no Nagle, and room for FCGI_SCAN_MAX unread bytes (the default
 * receive window holds about 85 KiB).
 */
static void
conn_options(const struct acceptor *a, int fd, int family)
{
	struct timeval tv;
	int	       one = 1, rcvbuf = FCGI_SCAN_MAX;

	tv.tv_sec = a->timeout / 1000;
	tv.tv_usec = (a->timeout % 1000) * 1000;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (family != AF_INET && family != AF_INET6)
		return;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
}

/*
 * Make room for one more connection: the oldest lingering one, else the
 * oldest whose client has not read its answer, else the oldest waiting
 * for a request. Only connections a thread holds are never closed.
 */
static int
make_room(struct acceptor *a)
{
	if (a->lingering.head != NULL)
		conn_drop(a, a->lingering.head, NULL);
	else if (a->flushing.head != NULL)
		conn_drop(a, a->flushing.head,
		    "too many connections; this is the oldest whose client "
		    "has not read its answer");
	else if (a->waiting.head != NULL)
		conn_drop(a, a->waiting.head,
		    "too many connections waiting; this is the oldest");
	else
		return -1;
	return 0;
}

/*
 * A new connection closed for want of room (every one held by a thread):
 * a log line at most once a second, with the number since the last.
 */
static void
refused(struct acceptor *a)
{
	int64_t now = clock_ms();

	a->refused++;
	if (now - a->refused_logged < 1000)
		return;
	log_warnx("connection refused: all %zu connections this process may "
		  "hold are in work; %lu refused since the last such line",
	    a->max_conns, a->refused);
	a->refused = 0;
	a->refused_logged = now;
}

static void
listen_watch(struct acceptor *a, int on)
{
	struct epoll_event ev;

	if (a->listening == on)
		return;
	/* one process of several woken per connection */
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	ev.data.ptr = &a->listen_fd;
	if (epoll_ctl(a->ep, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, a->listen_fd,
		&ev) == -1)
		log_warn("epoll_ctl (listening socket)");
	a->listening = on;
}

static int
accept_error(struct acceptor *a)
{
	switch (errno) {
	case EAGAIN:
	case EINTR:
	case ECONNABORTED:
	case EPROTO:
	case EPERM:
	case ENETDOWN:
	case ENOPROTOOPT:
	case EHOSTDOWN:
	case ENONET:
	case EHOSTUNREACH:
	case EOPNOTSUPP:
	case ENETUNREACH:
		return errno == EAGAIN ? 1 : 0;
	case EMFILE:
	case ENFILE:
	case ENOBUFS:
	case ENOMEM:
		if (make_room(a) == 0)
			return 0;
		log_warn("accept; pausing for %d ms", PAUSE_MS);
		listen_watch(a, 0);
		a->paused_until = clock_ms() + PAUSE_MS;
		return 1;
	default:
		log_warn("accept on the listening socket");
		return -1;
	}
}

/* FCGI_WEB_SERVER_ADDRS: 1 if the peer may connect. */
static int
peer_allowed(const struct acceptor *a, const struct sockaddr_storage *ss)
{
	const struct sockaddr_in *in = (const void *)ss;
	const char		 *p = a->allowed;
	char			  addr[INET_ADDRSTRLEN];
	size_t			  n;

	if (p == NULL || *p == '\0' || ss->ss_family != AF_INET)
		return 1;
	for (; *p != '\0'; p += n + (p[n] == ',')) {
		n = strcspn(p, ",");
		if (n >= sizeof(addr))
			continue;
		memcpy(addr, p, n);
		addr[n] = '\0';
		if (inet_addr(addr) == in->sin_addr.s_addr)
			return 1;
	}
	return 0;
}

/* Accept what is queued (up to a round); -1 if the socket is broken. */
static int
accept_some(struct acceptor *a)
{
	struct sockaddr_storage ss;
	socklen_t		len;
	struct conn	       *c;
	int			fd, i, rv;

	for (i = 0; i < 64 && a->listening; i++) {
		len = sizeof(ss);
		if ((fd = accept4(a->listen_fd, (struct sockaddr *)&ss, &len,
			 SOCK_CLOEXEC)) == -1) {
			if ((rv = accept_error(a)) != 0)
				return rv < 0 ? -1 : 0;
			continue;
		}
		if (!peer_allowed(a, &ss)) {
			close(fd);
			continue;
		}
		if (__atomic_load_n(&a->nconns, __ATOMIC_RELAXED) >=
			a->max_conns &&
		    make_room(a) == -1) {
			refused(a);
			close(fd);
			continue;
		}
		if ((c = calloc(1, sizeof(*c))) == NULL) {
			close(fd);
			continue;
		}
		c->fd = fd;
		peer_name(c, &ss);
		conn_options(a, fd, ss.ss_family);
		__atomic_add_fetch(&a->nconns, 1, __ATOMIC_RELAXED);
		conn_watch(a, c, C_WAIT, clock_ms() + a->timeout);
	}
	return 0;
}

/* Hand a whole request to the workers. */
static void
conn_ready(struct acceptor *a, struct conn *c)
{
	epoll_ctl(a->ep, EPOLL_CTL_DEL, c->fd, NULL);
	list_del(&a->waiting, c);
	c->state = C_WORK;
	pthread_mutex_lock(&a->mu);
	list_add(&a->ready, c);
	pthread_cond_signal(&a->cv);
	pthread_mutex_unlock(&a->mu);
}

/* Bytes arrived (or the peer left) on a waiting connection. */
static void
conn_waiting(struct acceptor *a, struct conn *c, uint32_t events)
{
	const char	     *left = "closed before a whole request";
	ssize_t		      n;
	enum fcgi_scan_status st;
	int		      q;

	/*
	 * Not enough for the record the scan waits for: no peek, no scan
	 * (a client trickling bytes must not make the acceptor walk its
	 * whole request again for each one).
	 */
	if (c->scan.need > 0 &&
	    !(events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) &&
	    ioctl(c->fd, FIONREAD, &q) == 0 && q > 0 &&
	    (size_t)q < c->scan.need && q < FCGI_SCAN_MAX) {
		c->seen = (size_t)q;
		return;
	}
	n = recv(c->fd, a->buf, FCGI_SCAN_MAX, MSG_PEEK | MSG_DONTWAIT);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) { /* quietly if nothing was ever sent (or kept) */
		conn_drop(a, c, n == 0 && c->seen > 0 ? left : NULL);
		return;
	}
	slots_serving(0, c->peer, 0, (size_t)n);
	/* the records walked before are not walked again */
	st = fcgi_scan_more(a->buf, (size_t)n, REQUEST_BODY_MAX, &c->scan);
	slots_serving(0, NULL, 0, 0);
	switch (st) {
	case FCGI_SCAN_READY:
		conn_ready(a, c);
		return;
	case FCGI_SCAN_BAD:
		conn_drop(a, c, c->scan.why);
		return;
	case FCGI_SCAN_MORE:
		break;
	}
	if (n == FCGI_SCAN_MAX)
		conn_drop(a, c,
		    "a request over " KIB(FCGI_SCAN_MAX_KIB) " KiB");
	else if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		conn_drop(a, c, left);
	else
		c->seen = (size_t)n;
}

/* Read and discard what a lingering peer sends, until it closes. */
static void
conn_lingering(struct acceptor *a, struct conn *c)
{
	ssize_t n;
	size_t	total = 0;

	while (total < DRAIN_MAX &&
	    (n = recv(c->fd, a->buf, FCGI_SCAN_MAX, MSG_DONTWAIT)) > 0)
		total += (size_t)n;
	if (total >= DRAIN_MAX || n == 0 ||
	    (n == -1 && errno != EAGAIN && errno != EINTR))
		conn_drop(a, c, NULL);
}

/* What a connection becomes once its answer is sent. */
static void
conn_after(struct acceptor *a, struct conn *c, int64_t now)
{
	int next = a->stopping ? CONN_CLOSE : c->after;

	if (next == CONN_KEEP) {
		c->kept = 1;
		memset(&c->scan, 0, sizeof(c->scan)); /* the next request */
		conn_watch(a, c, C_WAIT, now + a->timeout);
	} else if (next == CONN_LINGER) {
		shutdown(c->fd, SHUT_WR);
		conn_watch(a, c, C_LINGER, now + a->linger);
	} else {
		close(c->fd);
		conn_free(c);
		__atomic_sub_fetch(&a->nconns, 1, __ATOMIC_RELAXED);
	}
}

/* Room to send on a connection whose client reads its answer late. */
static void
conn_flushing(struct acceptor *a, struct conn *c)
{
	int rv = conn_send(c);

	if (rv == 0)
		return;
	if (rv == -1) {
		conn_drop(a, c, NULL); /* the client went away */
		return;
	}
	epoll_ctl(a->ep, EPOLL_CTL_DEL, c->fd, NULL);
	list_del(&a->flushing, c);
	conn_after(a, c, clock_ms());
}

/* Connections the workers gave back. */
static void
take_back(struct acceptor *a)
{
	struct list  back;
	struct conn *c;
	uint64_t     v;
	int64_t	     now = clock_ms();

	if (read(a->ev_fd, &v, sizeof(v)) == -1 && errno != EAGAIN)
		log_warn("eventfd");
	pthread_mutex_lock(&a->mu);
	back = a->back;
	memset(&a->back, 0, sizeof(a->back));
	pthread_mutex_unlock(&a->mu);
	while ((c = back.head) != NULL) {
		list_del(&back, c);
		if (c->out != NULL) /* an answer the client has not read */
			conn_watch(a, c, C_FLUSH, now + a->timeout);
		else
			conn_after(a, c, now);
	}
}

/* Close what has run out of time. */
static void
expire(struct acceptor *a, int64_t now)
{
	struct conn *c;

	while ((c = a->waiting.head) != NULL && c->deadline <= now) {
		if (c->kept && c->seen == 0) /* an idle kept connection */
			conn_drop(a, c, NULL);
		else if (c->seen == 0)
			conn_drop(a, c, "no request within client_timeout");
		else
			conn_drop(a, c,
			    "no whole request within client_timeout");
	}
	while ((c = a->flushing.head) != NULL && c->deadline <= now)
		conn_drop(a, c,
		    "the client did not read its answer within "
		    "client_timeout");
	while ((c = a->lingering.head) != NULL && c->deadline <= now)
		conn_drop(a, c, NULL);
	if (a->paused_until != 0 && a->paused_until <= now && !a->stopping) {
		a->paused_until = 0;
		listen_watch(a, 1);
	}
}

static int
next_wait(const struct acceptor *a, int64_t now)
{
	int64_t t = INT64_MAX;

	if (a->waiting.head != NULL)
		t = a->waiting.head->deadline;
	if (a->lingering.head != NULL && a->lingering.head->deadline < t)
		t = a->lingering.head->deadline;
	if (a->flushing.head != NULL && a->flushing.head->deadline < t)
		t = a->flushing.head->deadline;
	if (a->paused_until != 0 && a->paused_until < t)
		t = a->paused_until;
	if (a->stopping && a->stop_at < t)
		t = a->stop_at;
	if (t == INT64_MAX)
		return -1;
	return t <= now ? 0 : (int)(t - now > 60000 ? 60000 : t - now);
}

/*
 * A stop signal: accept no more, let kept connections that wait for
 * nothing go, and finish the rest.
 */
static void
begin_stop(struct acceptor *a)
{
	struct conn *c, *next;

	a->stopping = 1;
	a->stop_at = clock_ms() + STOP_GRACE_MS;
	listen_watch(a, 0);
	a->paused_until = 0;
	for (c = a->waiting.head; c != NULL; c = next) {
		next = c->next;
		if (c->kept && c->seen == 0)
			conn_drop(a, c, NULL);
	}
	while (a->lingering.head != NULL)
		conn_drop(a, a->lingering.head, NULL);
	pthread_mutex_lock(&a->mu);
	a->draining = 1; /* workers now report every connection they end */
	pthread_mutex_unlock(&a->mu);
	if (a->on_stop != NULL)
		a->on_stop();
}

static void
on_signal(struct acceptor *a)
{
	struct signalfd_siginfo si;

	while (read(a->sig_fd, &si, sizeof(si)) == sizeof(si))
		if (!a->stopping)
			begin_stop(a);
}

static int
all_done(struct acceptor *a)
{
	int done;

	if (a->waiting.n > 0 || a->lingering.n > 0 || a->flushing.n > 0)
		return 0;
	pthread_mutex_lock(&a->mu);
	done = a->busy == 0 && a->ready.n == 0 && a->back.n == 0;
	pthread_mutex_unlock(&a->mu);
	return done;
}

static void
dispatch(struct acceptor *a, const struct epoll_event *ev, int *failed)
{
	struct conn *c = ev->data.ptr;

	if (ev->data.ptr == &a->listen_fd) {
		if (accept_some(a) == -1)
			*failed = 1;
	} else if (ev->data.ptr == &a->sig_fd)
		on_signal(a);
	else if (ev->data.ptr == &a->ev_fd)
		take_back(a);
	else if (c->state == C_WAIT)
		conn_waiting(a, c, ev->events);
	else if (c->state == C_FLUSH)
		conn_flushing(a, c);
	else if (c->state == C_LINGER)
		conn_lingering(a, c);
}

/* Wake the workers for good; 1 if some still hold a request. */
static int
finish(struct acceptor *a)
{
	int busy;

	pthread_mutex_lock(&a->mu);
	a->finished = 1;
	busy = a->busy > 0;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
	return busy;
}

int
acceptor_run(struct acceptor *a)
{
	struct epoll_event evs[64];
	int		   i, n, failed = 0, rv = 0;
	int64_t		   now;

	listen_watch(a, 1);
	for (;;) {
		now = clock_ms();
		expire(a, now);
		if (failed && !a->stopping)
			begin_stop(a);
		if (a->stopping && (all_done(a) || now >= a->stop_at))
			break;
		n = epoll_wait(a->ep, evs, 64, next_wait(a, now));
		if (n == -1 && errno != EINTR) {
			log_warn("epoll_wait");
			failed = 1;
		}
		for (i = 0; i < n; i++)
			dispatch(a, &evs[i], &failed);
		dead_free(a);
	}
	while (a->waiting.head != NULL)
		conn_drop(a, a->waiting.head,
		    "no whole request before the process stopped");
	while (a->flushing.head != NULL)
		conn_drop(a, a->flushing.head,
		    "the client had not read its answer when the process "
		    "stopped");
	dead_free(a);
	if (finish(a)) {
		log_warnx("requests still in flight after %d s; exiting",
		    STOP_GRACE_MS / 1000);
		rv |= ACCEPTOR_BUSY;
	}
	return failed ? rv | ACCEPTOR_FAILED : rv;
}

struct conn *
acceptor_next(struct acceptor *a)
{
	struct conn *c;

	pthread_mutex_lock(&a->mu);
	while (a->ready.head == NULL && !a->finished)
		pthread_cond_wait(&a->cv, &a->mu);
	if ((c = a->ready.head) != NULL) {
		list_del(&a->ready, c);
		a->busy++;
	}
	pthread_mutex_unlock(&a->mu);
	return c;
}

/*
 * A closed connection is freed here, in the worker's thread: the acceptor
 * hears of it only while it drains (it waits for the last one).
 */
void
acceptor_done(struct acceptor *a, struct conn *c, enum conn_next next)
{
	uint64_t one = 1;
	int	 wake = 1, gone;

	/* closed, or closing with nothing left to send */
	gone = c->fd == -1 || (next == CONN_CLOSE && c->out == NULL);
	c->after = next;
	pthread_mutex_lock(&a->mu);
	a->busy--;
	if (gone)
		wake = a->draining;
	else
		list_add(&a->back, c);
	pthread_mutex_unlock(&a->mu);
	if (gone) {
		if (c->fd != -1)
			close(c->fd);
		conn_free(c);
		__atomic_sub_fetch(&a->nconns, 1, __ATOMIC_RELAXED);
	}
	if (wake && write(a->ev_fd, &one, sizeof(one)) == -1)
		log_warn("eventfd");
}

/* How many connections this process may hold, from RLIMIT_NOFILE. */
static size_t
conn_limit(unsigned int threads)
{
	struct rlimit rl;
	size_t	      reserve = 64 + 2 * (size_t)threads;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur == RLIM_INFINITY)
		return 1024;
	return rl.rlim_cur > reserve + 64 ? rl.rlim_cur - reserve : 64;
}

static int
watch_fd(int ep, int fd, void *ptr)
{
	struct epoll_event ev;

	ev.events = EPOLLIN;
	ev.data.ptr = ptr;
	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

struct acceptor *
acceptor_new(int listen_fd, int sig_fd, int64_t client_timeout_ms,
    unsigned int threads, void (*on_stop)(void))
{
	struct acceptor *a;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	a->listen_fd = listen_fd;
	a->sig_fd = sig_fd;
	a->timeout = client_timeout_ms;
	a->linger = LINGER_MS;
	if (client_timeout_ms < LINGER_MS)
		a->linger = client_timeout_ms;
	a->max_conns = conn_limit(threads);
	a->allowed = getenv("FCGI_WEB_SERVER_ADDRS");
	a->on_stop = on_stop;
	a->ep = epoll_create1(EPOLL_CLOEXEC);
	a->ev_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	a->buf = malloc(FCGI_SCAN_MAX);
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->cv, NULL);
	if (a->ep == -1 || a->ev_fd == -1 || a->buf == NULL ||
	    watch_fd(a->ep, sig_fd, &a->sig_fd) == -1 ||
	    watch_fd(a->ep, a->ev_fd, &a->ev_fd) == -1) {
		log_warn("setting up the acceptor");
		acceptor_free(a);
		return NULL;
	}
	return a;
}

void
acceptor_free(struct acceptor *a)
{
	struct conn *c;

	if (a == NULL)
		return;
	while ((c = a->ready.head) != NULL) {
		list_del(&a->ready, c);
		close(c->fd);
		conn_free(c);
	}
	while ((c = a->back.head) != NULL) {
		list_del(&a->back, c);
		if (c->fd != -1)
			close(c->fd);
		conn_free(c);
	}
	if (a->ep != -1)
		close(a->ep);
	if (a->ev_fd != -1)
		close(a->ev_fd);
	free(a->buf);
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->cv);
	free(a);
}
