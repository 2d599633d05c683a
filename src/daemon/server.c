/*
 * server.c: the FastCGI loop.
 *
 * Each worker thread owns one FCGX_Request and one handler context (one
 * Redis connection) and loops on FCGX_Accept_r, with no lock around accept.
 * Signals are blocked in every thread and taken by the main thread with
 * sigwait(): SIGHUP loads the configuration anew and publishes it if it
 * is valid (workers pick it up before their next request); SIGTERM stops
 * accepting, lets requests in flight finish (for STOP_GRACE at most), and
 * exits 0.
 *
 * The listening socket may be shared with a parent that keeps it (systemd
 * socket activation, spawn-fcgi): shutting it down would break it for the
 * next start. So it is made non-blocking and workers poll it together
 * with a stop pipe; a worker that loses the race for a connection gets
 * EAGAIN from FCGX_Accept_r and polls again.
 */
#include "daemon/server.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <sodium.h>

#include "core/log.h"
#include "handler/handler.h"
#include "http/request.h"
#include "http/response.h"

struct cfgref {
	struct config cfg;
	int	      refs;
};

static struct {
	pthread_mutex_t mu;
	struct cfgref  *cur;
	unsigned long	gen; /* read without the lock: atomics */
	int		listen_fd;
	int		stopping;
	int		failed; /* a worker could not accept: exit 1 */
	int		stop_pipe[2];
} srv = { PTHREAD_MUTEX_INITIALIZER, NULL, 0, -1, 0, 0, { -1, -1 } };

#define STOP_GRACE 10 /* seconds for requests in flight at SIGTERM */

struct worker {
	pthread_t	    thread;
	struct cfgref	   *cfg;
	unsigned long	    gen;
	struct handler_ctx *h;
};

static void
cfgref_release(struct cfgref *r)
{
	if (r != NULL && --r->refs == 0) {
		config_free(&r->cfg);
		free(r);
	}
}

/* Take the newest configuration if it changed; a new context then. */
static void
worker_refresh(struct worker *w)
{
	if (__atomic_load_n(&srv.gen, __ATOMIC_ACQUIRE) == w->gen &&
	    w->h != NULL)
		return;
	pthread_mutex_lock(&srv.mu);
	cfgref_release(w->cfg);
	w->cfg = srv.cur;
	w->cfg->refs++;
	w->gen = srv.gen;
	pthread_mutex_unlock(&srv.mu);
	handler_ctx_free(w->h);
	if ((w->h = handler_ctx_new(&w->cfg->cfg)) == NULL)
		log_warnx("cannot create the handler context (out of memory)");
}

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

/* Wait for a connection or the stop; 1 to accept, 0 to stop. */
static int
worker_wait(void)
{
	struct pollfd pfd[2];

	pfd[0].fd = srv.listen_fd;
	pfd[0].events = POLLIN;
	pfd[1].fd = srv.stop_pipe[0];
	pfd[1].events = POLLIN;
	for (;;) {
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (pfd[1].revents != 0)
			return 0;
		if (pfd[0].revents != 0)
			return 1;
	}
}

static void
worker_failed(const char *what)
{
	log_warn("%s; stopping", what);
	__atomic_store_n(&srv.failed, 1, __ATOMIC_RELEASE);
	kill(getpid(), SIGTERM);
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	FCGX_Request   fr;
	int	       rv;

	if (FCGX_InitRequest(&fr, srv.listen_fd, 0) != 0) {
		worker_failed("FCGX_InitRequest");
		return NULL;
	}
	while (!__atomic_load_n(&srv.stopping, __ATOMIC_ACQUIRE)) {
		if ((rv = worker_wait()) <= 0) {
			if (rv == -1)
				worker_failed("poll");
			break;
		}
		if (FCGX_Accept_r(&fr) < 0) {
			/* another worker took it, or the peer left early */
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR || errno == 0)
				continue;
			worker_failed("accept");
			break;
		}
		worker_refresh(w);
		serve(w, &fr);
		FCGX_Finish_r(&fr);
	}
	FCGX_Free(&fr, 1);
	return NULL;
}

static void
reload(const char *file)
{
	struct cfgref	    *n;
	char		     err[CONFIG_ERRLEN];
	const char	    *fixed;
	const struct config *old = &srv.cur->cfg;

	if ((n = calloc(1, sizeof(*n))) == NULL) {
		log_warnx("reload: out of memory; keeping the configuration");
		return;
	}
	if (config_load(&n->cfg, file, err, sizeof(err)) == -1) {
		log_warnx("reload: %s; keeping the configuration", err);
		free(n);
		return;
	}
	if ((fixed = config_fixed_changed(&n->cfg, old)) != NULL)
		log_warnx("reload: a change of %s takes effect at the next "
			  "start",
		    fixed);
	n->refs = 1;
	pthread_mutex_lock(&srv.mu);
	cfgref_release(srv.cur);
	srv.cur = n;
	__atomic_add_fetch(&srv.gen, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&srv.mu);
	log_info("configuration reloaded from %s", file);
}

/* Wait for signals until SIGTERM or SIGINT. */
static void
signal_loop(const char *file, const sigset_t *set)
{
	int sig;

	for (;;) {
		if (sigwait(set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			reload(file);
			continue;
		}
		log_info("signal %d: finishing requests in flight", sig);
		return;
	}
}

/* Join the workers, giving requests in flight STOP_GRACE seconds. */
static unsigned int
join_workers(struct worker *workers, unsigned int n)
{
	struct timespec deadline;
	unsigned int	i, left = 0;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += STOP_GRACE;
	for (i = 0; i < n; i++) {
		if (pthread_timedjoin_np(workers[i].thread, NULL, &deadline) !=
		    0) {
			left++;
			continue;
		}
		handler_ctx_free(workers[i].h);
		cfgref_release(workers[i].cfg);
	}
	if (left > 0)
		log_warnx("%u requests still in flight after %d s; exiting",
		    left, STOP_GRACE);
	return left;
}

static int
setup(int listen_fd, const struct config *cfg)
{
	int fl;

	if ((srv.cur = calloc(1, sizeof(*srv.cur))) == NULL) {
		log_warnx("out of memory");
		return -1;
	}
	srv.cur->cfg = *cfg;
	srv.cur->refs = 1;
	srv.listen_fd = listen_fd;
	if (pipe2(srv.stop_pipe, O_CLOEXEC) == -1 ||
	    (fl = fcntl(listen_fd, F_GETFL)) == -1 ||
	    fcntl(listen_fd, F_SETFL, fl | O_NONBLOCK) == -1) {
		log_warn("setting up the listening socket");
		return -1;
	}
	return 0;
}

int
server_init(void)
{
	if (FCGX_Init() != 0) {
		log_warnx("FCGX_Init failed");
		return -1;
	}
	return 0;
}

int
server_run(int listen_fd, const char *file, struct config *cfg)
{
	struct worker *workers;
	sigset_t       set;
	unsigned int   i, n = cfg->threads;

	if (setup(listen_fd, cfg) == -1 ||
	    (workers = calloc(n, sizeof(*workers))) == NULL)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	for (i = 0; i < n; i++)
		if (pthread_create(&workers[i].thread, NULL, worker_main,
			&workers[i]) != 0) {
			n = i;
			worker_failed("starting a worker");
			break;
		}
	log_info("serving with %u threads", n);
	signal_loop(file, &set);
	__atomic_store_n(&srv.stopping, 1, __ATOMIC_RELEASE);
	if (write(srv.stop_pipe[1], "", 1) == -1)
		log_warn("waking the workers");
	if (join_workers(workers, n) == 0) {
		free(workers);
		cfgref_release(srv.cur);
	}
	log_info("stopped");
	return __atomic_load_n(&srv.failed, __ATOMIC_ACQUIRE) ? 1 : 0;
}
