/*
 * server.c: a worker process.
 *
 * Its main thread is the acceptor (acceptor.c): it takes connections and
 * queues those that hold a whole, well-formed request. Each of `threads`
 * worker threads owns one FCGX_Request and one handler context (one Redis
 * connection); it takes a queued connection, gives libfcgi its descriptor
 * (FCGX_Accept_r accepts only when ipcFd is -1, and the request's listen
 * socket is -1, so libfcgi never accepts by itself), answers, and gives
 * the connection back or closes it.
 *
 * libfcgi is told that every connection is kept and detached: the first
 * keeps FCGX_Accept_r from closing a descriptor that sessgate decides
 * about, the second keeps its OS_Close from lingering in a poll loop that
 * a trickling client can make endless.
 *
 * libfcgi reads the request; it writes nothing. Its writes block until
 * the client reads, and a client that never reads would hold the thread.
 * The answer's records (FCGI_STDOUT, its end, FCGI_END_REQUEST) are
 * framed here in memory and sent without waiting (conn_send); what the
 * socket does not take at once the acceptor sends later. The request is
 * then released with FCGX_Free(), which writes nothing, where
 * FCGX_Finish_r() would write the end records itself.
 *
 * SIGTERM (or SIGINT) reaches the acceptor through a signalfd: it stops
 * accepting, tells the parent, finishes what it holds and returns.
 * SIGHUP is the parent's business and ignored here.
 */
#include "daemon/server.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <sodium.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/metrics.h"
#include "daemon/acceptor.h"
#include "daemon/lane.h"
#include "daemon/slots.h"
#include "handler/handler.h"
#include "http/request.h"
#include "http/response.h"
#include "session/password.h"

/* A thread: one that answers checks, or one of the login lane's. */
struct worker {
	pthread_t	     thread;
	unsigned int	     idx;     /* from 1; slots_serving()'s who */
	int		     on_lane; /* 0 checks, 1 the lane, 2 its refuser */
	const struct config *cfg;
	struct acceptor	    *acc;
	struct lane	    *lane;
	struct handler_ctx  *h;
	int		     file; /* request_file()'s, kept; -1: none yet */
};

/* A request read by libfcgi, answered by whichever thread holds it. */
struct job {
	struct conn   *c;
	FCGX_Request   fr;
	struct request r;
	int	       own_file; /* fr.ipcFd is the job's to close */
};

static long
read_in(void *arg, char *buf, size_t len)
{
	FCGX_Request *fr = arg;
	int	      n;

	n = FCGX_GetStr(buf, len > INT_MAX ? INT_MAX : (int)len, fr->in);
	return n > 0 ? n : 0;
}

static const char *
param(const char *name, void *arg)
{
	return FCGX_GetParam(name, ((FCGX_Request *)arg)->envp);
}

#define FCGI_HEADER_LEN	  8
#define FCGI_END_REQUEST  3
#define FCGI_STDOUT	  6
#define FCGI_RECORD_MAX	  65535
#define FCGI_END_BODY_LEN 8

/* A record header for len bytes of content (no padding: none is needed). */
static size_t
frame_header(unsigned char *p, int type, int id, size_t len)
{
	p[0] = 1;
	p[1] = (unsigned char)type;
	p[2] = (unsigned char)(id >> 8);
	p[3] = (unsigned char)id;
	p[4] = (unsigned char)(len >> 8);
	p[5] = (unsigned char)len;
	p[6] = p[7] = 0;
	return FCGI_HEADER_LEN;
}

/* One record: header and content. */
static size_t
frame(unsigned char *p, int type, int id, const void *content, size_t len)
{
	frame_header(p, type, id, len);
	if (len > 0)
		memcpy(p + FCGI_HEADER_LEN, content, len);
	return FCGI_HEADER_LEN + len;
}

/*
 * The head, then the body, as one FCGI_STDOUT stream in records of at
 * most FCGI_RECORD_MAX bytes: the body starts in the record that ends the
 * head. mod_authnz_fcgi keeps as a denial's body only what came with the
 * end of the headers (what it has read when it finds the blank line), so
 * a body in a record of its own would be lost to Apache's default page.
 */
static size_t
frame_stdout(unsigned char *p, int id, const char *head, size_t hlen,
    const char *body, size_t blen)
{
	size_t pos = 0, n, h;

	while (hlen + blen > 0) {
		n = hlen + blen < FCGI_RECORD_MAX ? hlen + blen :
						    FCGI_RECORD_MAX;
		h = n < hlen ? n : hlen;
		pos += frame_header(p + pos, FCGI_STDOUT, id, n);
		memcpy(p + pos, head, h);
		if (n > h) /* (body may be NULL when blen is 0) */
			memcpy(p + pos + h, body, n - h);
		pos += n;
		head += h;
		hlen -= h;
		body += n - h;
		blen -= n - h;
	}
	return pos;
}

static size_t
framed_len(size_t len)
{
	return len +
	    (len + FCGI_RECORD_MAX - 1) / FCGI_RECORD_MAX * FCGI_HEADER_LEN;
}

/* The answer's records, ready to send: c->out, or NULL (out of memory). */
static void
frame_answer(struct conn *c, int id, const char *head, size_t hlen,
    const char *body, size_t blen)
{
	static const unsigned char end[FCGI_END_BODY_LEN]; /* complete, 0 */
	size_t			   size, pos = 0;

	size = framed_len(hlen + blen) + 2 * FCGI_HEADER_LEN + sizeof(end);
	if ((c->out = malloc(size)) == NULL) {
		log_warnx("no memory for an answer of %zu bytes", size);
		return;
	}
	pos += frame_stdout(c->out + pos, id, head, hlen, body, blen);
	pos += frame(c->out + pos, FCGI_STDOUT, id, NULL, 0);
	pos += frame(c->out + pos, FCGI_END_REQUEST, id, end, sizeof(end));
	c->outlen = pos;
	c->outoff = 0;
}

/* The only writer of responses: Status first, then headers and body. */
static void
write_response(FCGX_Request *fr, struct conn *c, const struct request *r,
    struct response *resp)
{
	char   head[RESPONSE_HEADERS_MAX + 64];
	int    n;
	size_t blen = 0;

	if (resp->overflow) {
		log_warnx("%s %s: response did not fit; 500", r->remote_addr,
		    r->uri);
		response_error(resp, 500, "internal error");
	}
	if ((n = response_head(resp, head, sizeof(head))) < 0)
		return;
	if (resp->body != NULL && strcmp(r->method, "HEAD") != 0)
		blen = resp->blen;
	frame_answer(c, fr->requestId, head, (size_t)n, resp->body, blen);
	/* a Set-Cookie carries a token: leave no copy on the stack */
	sodium_memzero(head, (size_t)n);
	sodium_memzero(resp->headers, resp->hlen);
}

static void
serve(struct worker *w, struct job *j)
{
	struct response resp = RESPONSE_EMPTY;

	if (w->h == NULL && (w->h = handler_ctx_new(w->cfg)) == NULL)
		log_warnx("cannot create the handler context (out of memory)");
	response_reset(&resp, 500);
	if (w->h == NULL)
		response_unavailable(&resp);
	else
		handler_handle(w->h, &j->r, &resp);
	write_response(&j->fr, j->c, &j->r, &resp);
	response_free(&resp);
	request_free(&j->r);
}

/* Read the rest of a stdin that is all queued; 1 if it reached its end. */
static int
stdin_drain(FCGX_Stream *in)
{
	char trash[4096];

	while (FCGX_GetStr(trash, sizeof(trash), in) > 0)
		;
	return FCGX_HasSeenEOF(in) == EOF && FCGX_GetError(in) == 0;
}

/*
 * May a kept connection wait for its next request? Only if nothing of
 * this one is left in the socket: the acceptor would take it for the next
 * request's first record. (What follows the request is the next one, and
 * stays in the socket: libfcgi reads the request's own bytes only.)
 */
static int
keep_ok(FCGX_Request *fr, const struct conn *c)
{
	if (!fr->keepConnection || FCGX_GetError(fr->in) != 0)
		return 0;
	if (FCGX_HasSeenEOF(fr->in) == EOF)
		return 1;
	if (c->scan.stdin_done)
		return stdin_drain(fr->in);
	return !c->scan.stdin_seen && c->scan.role == FCGI_SCAN_AUTHORIZER;
}

/* Nothing unread in the socket: a plain close cannot reset the peer. */
static int
quiet(int fd)
{
	int n = 0;

	return ioctl(fd, FIONREAD, &n) == 0 && n == 0;
}

/*
 * The request's bytes, exactly the scan's length of them, taken off the
 * socket into a file (in memory, the thread's own, kept from one request
 * to the next): libfcgi reads from that, so that it can neither read past
 * the request (into the next one, which stays in the socket for the
 * acceptor) nor wait for a client (at the end of the file it meets the
 * end of the stream). The file's descriptor, or -1.
 */
static int
request_file(struct worker *w, struct conn *c)
{
	unsigned char *buf;
	size_t	       got = 0;
	ssize_t	       n;
	int	       ok = 0;

	if ((buf = malloc(c->scan.len)) == NULL)
		return -1;
	while (got < c->scan.len &&
	    ((n = recv(c->fd, buf + got, c->scan.len - got, MSG_DONTWAIT)) >
		    0 ||
		(n == -1 && errno == EINTR)))
		got += n > 0 ? (size_t)n : 0;
	if (w->file == -1)
		w->file = memfd_create("sessgate-request", MFD_CLOEXEC);
	if (got == c->scan.len && w->file != -1 && ftruncate(w->file, 0) == 0 &&
	    pwrite(w->file, buf, got, 0) == (ssize_t)got &&
	    lseek(w->file, 0, SEEK_SET) == 0)
		ok = 1;
	else
		log_warn("connection%s%s dropped: taking its request",
		    c->peer[0] ? " from " : "", c->peer);
	sodium_memzero(buf, got); /* a login's password */
	free(buf);
	return ok ? w->file : -1;
}

/* Hand c's request to libfcgi, which reads it; NULL if it refused it. */
static struct job *
job_read(struct worker *w, struct conn *c)
{
	struct job *j;

	if ((j = calloc(1, sizeof(*j))) == NULL) {
		log_warnx("no memory for a request");
		return NULL;
	}
	FCGX_InitRequest(&j->fr, -1, 0);
	j->c = c;
	if ((j->fr.ipcFd = request_file(w, c)) == -1) {
		free(j);
		return NULL;
	}
	j->fr.keepConnection = 1;
	j->fr.detached = 1;
	if (FCGX_Accept_r(&j->fr) < 0) { /* it closed the file itself */
		log_warnx("connection%s%s dropped: libfcgi refused the request",
		    c->peer[0] ? " from " : "", c->peer);
		w->file = -1;
		free(j);
		return NULL;
	}
	request_init(&j->r, param, read_in, &j->fr);
	return j;
}

/* Answer j, send what the socket takes, give the connection back. */
static void
job_answer(struct worker *w, struct job *j)
{
	struct conn   *c = j->c;
	enum conn_next next;
	int	       keep;

	serve(w, j);
	keep = keep_ok(&j->fr, c) && c->out != NULL;
	if (j->own_file) /* a thread's that handed it over */
		close(j->fr.ipcFd);
	j->fr.ipcFd = -1;
	FCGX_Free(&j->fr, 0); /* writes nothing, closes nothing */
	free(j);
	if (c->out == NULL || conn_send(c) == -1) {
		close(c->fd);
		c->fd = -1;
		next = CONN_CLOSE;
	} else if (keep)
		next = CONN_KEEP;
	else
		next = quiet(c->fd) ? CONN_CLOSE : CONN_LINGER;
	acceptor_done(w->acc, c, next);
}

/*
 * A login to the lane's queue, or if it is full to the lane's refuser:
 * 0, or -1 if neither takes it. The job takes the thread's request file
 * along (the thread makes another for its next request).
 */
static int
hand_over(struct worker *w, struct job *j)
{
	j->own_file = 1;
	if (lane_push(w->lane, j, clock_ms()) == 0)
		metrics_gauge_add(G_LOGIN_QUEUE, 1);
	else if (lane_refuse(w->lane, j) == -1) {
		j->own_file = 0;
		return -1;
	}
	w->file = -1;
	return 0;
}

/*
 * A thread that answers checks: it reads each request it is handed and
 * answers it, but one that will check a password goes to the login lane
 * (a full lane: answered here, 503, the password gate being closed on
 * this thread).
 */
static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct conn   *c;
	struct job    *j;

	password_gate_thread(1);
	while ((c = acceptor_next(w->acc)) != NULL) {
		slots_serving(w->idx, c->peer, c->scan.role, c->scan.len);
		metrics_gauge_add(G_BUSY, 1);
		if ((j = job_read(w, c)) == NULL)
			acceptor_done(w->acc, c, CONN_CLOSE);
		else if (!handler_wants_password(w->cfg, &j->r))
			job_answer(w, j);
		else if (hand_over(w, j) == -1)
			job_answer(w, j); /* 503 here: the gate is closed */
		metrics_gauge_add(G_BUSY, -1);
		slots_serving(w->idx, NULL, 0, 0);
	}
	return NULL;
}

/*
 * Below the threads that answer checks: a check must preempt a password
 * hash, whatever the hashes cost. SCHED_IDLE, or else the lowest nice.
 */
static void
lane_priority(void)
{
	struct sched_param sp;

	memset(&sp, 0, sizeof(sp));
	if (pthread_setschedparam(pthread_self(), SCHED_IDLE, &sp) != 0 &&
	    setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 19) == -1)
		log_warn("lowering the login lane's priority");
}

/* The login lane's refusals of a full queue (503), in turn. */
static void *
refuser_main(void *arg)
{
	struct worker *w = arg;
	struct job    *j;

	lane_priority();
	password_gate_thread(1);
	while ((j = lane_refused(w->lane)) != NULL) {
		metrics_gauge_add(G_BUSY, 1);
		slots_serving(w->idx, j->c->peer, j->c->scan.role,
		    j->c->scan.len);
		job_answer(w, j);
		metrics_gauge_add(G_BUSY, -1);
		slots_serving(w->idx, NULL, 0, 0);
	}
	return NULL;
}

/* A login lane thread: the requests that check a password, in turn. */
static void *
lane_main(void *arg)
{
	struct worker *w = arg;
	struct job    *j;
	int64_t	       queued;
	int	       late;

	lane_priority();
	while ((j = lane_pop(w->lane, &queued)) != NULL) {
		metrics_gauge_add(G_LOGIN_QUEUE, -1);
		metrics_gauge_add(G_BUSY, 1);
		slots_serving(w->idx, j->c->peer, j->c->scan.role,
		    j->c->scan.len);
		/* waited too long: answered at once (503), no password check */
		late = clock_ms() - queued > w->cfg->login_queue_timeout;
		password_gate_thread(late);
		job_answer(w, j);
		lane_done(w->lane);
		metrics_gauge_add(G_BUSY, -1);
		slots_serving(w->idx, NULL, 0, 0);
	}
	return NULL;
}

/* Signals: the stop ones through a signalfd, blocked in every thread. */
static int
signals_setup(void)
{
	sigset_t set;
	int	 fd;

	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (pthread_sigmask(SIG_SETMASK, &set, NULL) != 0 ||
	    (fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)) == -1) {
		log_warn("signalfd");
		return -1;
	}
	return fd;
}

static void *(*const mains[])(
    void *) = { worker_main, lane_main, refuser_main };

static unsigned int
start_workers(struct worker *workers, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (pthread_create(&workers[i].thread, NULL,
			mains[workers[i].on_lane], &workers[i]) != 0) {
			log_warnx("cannot start thread %u", i);
			break;
		}
	return i;
}

int
server_run(int listen_fd, const struct config *cfg, void (*on_ready)(void),
    void (*on_stop)(void))
{
	struct worker	*workers = NULL;
	struct acceptor *acc = NULL;
	struct lane	*lane = NULL;
	/* the threads that answer checks, the lane's, the lane's refuser */
	unsigned int i, n = 0, all = cfg->threads + cfg->login_concurrency + 1;
	int	     sig_fd, rv = 1;

	if (FCGX_Init() != 0) {
		log_warnx("FCGX_Init failed");
		return 1;
	}
	if ((sig_fd = signals_setup()) == -1 ||
	    (acc = acceptor_new(listen_fd, sig_fd, cfg->client_timeout, all,
		 on_stop)) == NULL ||
	    (lane = lane_new(cfg->login_queue, cfg->login_concurrency)) ==
		NULL ||
	    (workers = calloc(all, sizeof(*workers))) == NULL)
		goto fail;
	for (i = 0; i < all; i++) {
		workers[i].idx = i + 1;
		workers[i].file = -1;
		workers[i].on_lane = i + 1 == all ? 2 : i >= cfg->threads;
		workers[i].cfg = cfg;
		workers[i].acc = acc;
		workers[i].lane = lane;
	}
	if ((n = start_workers(workers, all)) < all)
		_exit(1); /* (threads that started hold the structures) */
	on_ready();	  /* the listening socket is in the acceptor's epoll */
	rv = acceptor_run(acc);
	if (rv & ACCEPTOR_BUSY) /* threads hold requests: no joining them */
		_exit(rv & ACCEPTOR_FAILED ? SERVER_EXIT_LISTEN : 0);
	rv = rv & ACCEPTOR_FAILED ? SERVER_EXIT_LISTEN : 0;
	lane_stop(lane); /* empty by now: acceptor_run waited for every job */
	for (i = 0; i < n; i++) {
		pthread_join(workers[i].thread, NULL);
		handler_ctx_free(workers[i].h);
		if (workers[i].file != -1)
			close(workers[i].file);
	}
fail:
	free(workers);
	lane_free(lane);
	acceptor_free(acc);
	if (sig_fd != -1)
		close(sig_fd);
	return rv;
}
