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
 * keeps FCGX_Accept_r and FCGX_Finish_r from closing a descriptor that
 * sessgate decides about, the second keeps its OS_Close from lingering
 * in a poll loop that a trickling client can make endless.
 *
 * SIGTERM (or SIGINT) reaches the acceptor through a signalfd: it stops
 * accepting, tells the parent, finishes what it holds and returns.
 * SIGHUP is the parent's business and ignored here.
 */
#include "daemon/server.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <sodium.h>

#include "core/log.h"
#include "daemon/acceptor.h"
#include "handler/handler.h"
#include "http/request.h"
#include "http/response.h"

struct worker {
	pthread_t	     thread;
	const struct config *cfg;
	struct acceptor	    *acc;
	struct handler_ctx  *h;
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

/* The only writer of responses: Status first, then headers and body. */
static void
write_response(FCGX_Request *fr, const struct request *r, struct response *resp)
{
	char head[RESPONSE_HEADERS_MAX + 64];
	int  n;

	if (resp->overflow) {
		log_warnx("%s %s: response did not fit; 500", r->remote_addr,
		    r->uri);
		response_error(resp, 500, "internal error");
	}
	if ((n = response_head(resp, head, sizeof(head))) < 0)
		return;
	FCGX_PutStr(head, n, fr->out);
	if (resp->body != NULL && strcmp(r->method, "HEAD") != 0)
		FCGX_PutStr(resp->body, (int)resp->blen, fr->out);
	/* a Set-Cookie carries a token: leave no copy on the stack */
	sodium_memzero(head, (size_t)n);
	sodium_memzero(resp->headers, resp->hlen);
}

static void
serve(struct worker *w, FCGX_Request *fr)
{
	struct request	r;
	struct response resp;

	request_init(&r, param, read_in, fr);
	response_init(&resp, 500);
	if (w->h == NULL)
		response_unavailable(&resp);
	else
		handler_handle(w->h, &r, &resp);
	write_response(fr, &r, &resp);
	response_free(&resp);
	request_free(&r);
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
 * this one is left unread: libfcgi would take it for the next request's
 * first record. Bytes queued past the request (pipelining, which no web
 * server does) may already sit in libfcgi's buffer: close then.
 */
static int
keep_ok(FCGX_Request *fr, const struct conn *c)
{
	if (!fr->keepConnection || c->extra > 0 || FCGX_GetError(fr->in) != 0)
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

static enum conn_next
serve_conn(struct worker *w, FCGX_Request *fr, struct conn *c)
{
	int keep;

	fr->ipcFd = c->fd;
	fr->keepConnection = 1;
	fr->detached = 1;
	c->fd = -1;
	if (FCGX_Accept_r(fr) < 0) { /* it closed the connection itself */
		log_warnx("connection%s%s dropped: libfcgi refused the request",
		    c->peer[0] ? " from " : "", c->peer);
		return CONN_CLOSE;
	}
	if (w->h == NULL && (w->h = handler_ctx_new(w->cfg)) == NULL)
		log_warnx("cannot create the handler context (out of memory)");
	serve(w, fr);
	keep = keep_ok(fr, c);
	fr->keepConnection = 1;
	fr->detached = 1;
	FCGX_Finish_r(fr);
	if (fr->ipcFd < 0) /* an error: libfcgi closed it */
		return CONN_CLOSE;
	c->fd = fr->ipcFd;
	fr->ipcFd = -1;
	if (keep)
		return CONN_KEEP;
	return quiet(c->fd) ? CONN_CLOSE : CONN_LINGER;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	FCGX_Request   fr;
	struct conn   *c;

	FCGX_InitRequest(&fr, -1, 0);
	while ((c = acceptor_next(w->acc)) != NULL)
		acceptor_done(w->acc, c, serve_conn(w, &fr, c));
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

static unsigned int
start_workers(struct worker *workers, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (pthread_create(&workers[i].thread, NULL, worker_main,
			&workers[i]) != 0) {
			log_warnx("cannot start thread %u", i);
			break;
		}
	return i;
}

int
server_run(int listen_fd, const struct config *cfg, void (*on_stop)(void))
{
	struct worker	*workers = NULL;
	struct acceptor *acc = NULL;
	unsigned int	 i, n = 0;
	int		 sig_fd, rv = 1;

	if (FCGX_Init() != 0) {
		log_warnx("FCGX_Init failed");
		return 1;
	}
	if ((sig_fd = signals_setup()) == -1 ||
	    (acc = acceptor_new(listen_fd, sig_fd, cfg->client_timeout,
		 cfg->threads, on_stop)) == NULL ||
	    (workers = calloc(cfg->threads, sizeof(*workers))) == NULL)
		goto fail;
	for (i = 0; i < cfg->threads; i++) {
		workers[i].cfg = cfg;
		workers[i].acc = acc;
	}
	if ((n = start_workers(workers, cfg->threads)) == 0)
		goto fail;
	rv = acceptor_run(acc);
	if (rv & ACCEPTOR_BUSY) /* threads hold requests: no joining them */
		_exit(rv & ACCEPTOR_FAILED ? SERVER_EXIT_LISTEN : 0);
	rv = rv & ACCEPTOR_FAILED ? SERVER_EXIT_LISTEN : 0;
	for (i = 0; i < n; i++) {
		pthread_join(workers[i].thread, NULL);
		handler_ctx_free(workers[i].h);
	}
fail:
	free(workers);
	acceptor_free(acc);
	if (sig_fd != -1)
		close(sig_fd);
	return rv;
}
