/*
 * supervisor.c: the parent process.
 *
 * libfcgi 2.4.2 can be made to abort the process that reads a crafted
 * record, and sessgate cannot patch the system's library. So the process
 * that holds the listening socket never reads a request: it forks
 * `workers` worker processes (server.c), which accept on the socket they
 * inherited, and it replaces a worker that dies at once, so that a crash
 * costs only the connections that worker held and the socket never stops
 * being served (connections queue in its backlog meanwhile). A worker
 * that dies within MIN_LIFE_MS of its start, again and again, is
 * replaced after a delay that doubles each time (up to BACKOFF_MAX_MS),
 * so that a worker that cannot run does not make the parent fork in a
 * tight loop. But a worker that dies while it holds a client connection
 * (slots.c says which: the parent logs them) is replaced at once and
 * does not count towards that back-off, however young: a request that
 * kills workers must not talk the parent into leaving the socket
 * unserved.
 *
 * Signals are blocked and taken one at a time with sigtimedwait():
 * - SIGHUP reads the configuration again; an invalid one is logged and
 *   kept out. A valid one is passed on by replacing the workers: new
 *   ones start on it (fork() carries it over), the old ones get SIGTERM,
 *   stop accepting, tell the parent so (SIG_STOPPED, a queued real-time
 *   signal), and finish what they hold. "configuration reloaded" is
 *   logged once they have all acknowledged that (or ended), so that a
 *   connection made after that line meets the new configuration. If
 *   some have not within ACK_MS, a warning says how many, and the
 *   "reloaded" line waits for them: it is never logged before it is true.
 * - SIGTERM or SIGINT passes SIGTERM on to every worker, waits for them
 *   (SIGKILL after STOP_WAIT_MS) and returns 0.
 * - SIGCHLD: a worker ended.
 * Workers ask the kernel for SIGTERM should the parent die first.
 *
 * systemd (Type=notify) hears READY=1 once every first worker has said
 * it accepts (SIG_READY), RELOADING=1 at a SIGHUP and READY=1 again with
 * the "reloaded" line (or at once if the configuration was kept), and
 * STOPPING=1 when a stop begins (notify.c).
 */
#include "daemon/supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/metrics.h"
#include "daemon/notify.h"
#include "daemon/preflight.h"
#include "daemon/server.h"
#include "daemon/slots.h"

#define MIN_LIFE_MS    1000
#define BACKOFF_MAX_MS 10000
#define ACK_MS	       2000 /* old workers' time to stop accepting */
/* sv.reloading: waiting for acknowledgements until reload_at, or past it */
#define RELOAD_WAITING 1
#define RELOAD_LATE    2
#define STOP_WAIT_MS   15000 /* the workers' grace period, and some */
#define SIG_STOPPED    SIGRTMIN
#define SIG_READY      (SIGRTMIN + 1)
/* worker processes at once: the workers, and old ones after reloads */
#define SLOTS	    256
#define THREADS_MAX 2049 /* threads, login_concurrency (their bounds), 1 */

enum kid_state {
	K_RUN, /* serving */
	K_OLD  /* told to stop, after a reload */
};

struct kid {
	pid_t	       pid;
	int64_t	       started;
	enum kid_state state;
	int	       acked; /* K_OLD: no longer accepts */
	int	       ready; /* has said it accepts */
	int	       slot;  /* in slots.c and metrics.c; -1: none */
};

static struct {
	struct config *cfg;
	const char    *file;
	int	       listen_fd, spawned;
	pid_t	       self;
	sigset_t       oldmask;
	struct kid    *kids;
	size_t	       n, cap;
	int	       quick; /* quick deaths in a row */
	int64_t	       next_start;
	int	       reloading, stopping, killed, status;
	int	       ready_sent; /* READY=1 told systemd at start */
	int64_t	       reload_at, stop_at;
} sv;

/* The delay before the next start after n quick deaths in a row. */
static int64_t
backoff_ms(int n)
{
	int64_t d = 100;

	if (n <= 1)
		return 0;
	while (--n > 1 && d < BACKOFF_MAX_MS)
		d *= 2;
	return d < BACKOFF_MAX_MS ? d : BACKOFF_MAX_MS;
}

static struct kid *
kid_find(pid_t pid)
{
	size_t i;

	for (i = 0; i < sv.n; i++)
		if (sv.kids[i].pid == pid)
			return &sv.kids[i];
	return NULL;
}

static size_t
kids_running(void)
{
	size_t i, n = 0;

	for (i = 0; i < sv.n; i++)
		n += sv.kids[i].state == K_RUN;
	return n;
}

/* A worker: tell the parent (SIG_READY or SIG_STOPPED). */
static void
tell_parent(int sig)
{
	union sigval v;

	v.sival_int = 0;
	if (sigqueue(getppid(), sig, v) == -1)
		log_warn("telling the parent");
}

/* A worker, in its process: it accepts connections now. */
static void
notify_ready(void)
{
	tell_parent(SIG_READY);
}

/* A worker, in its old process: tell the parent it no longer accepts. */
static void
notify_stopped(void)
{
	tell_parent(SIG_STOPPED);
}

static void
worker_child(void)
{
	int rv;

	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != sv.self) /* the parent died meanwhile */
		_exit(0);
	/* so that pkill -x sessgate finds the parent only */
	prctl(PR_SET_NAME, "sessgate-worker");
	sigprocmask(SIG_SETMASK, &sv.oldmask, NULL);
	rv = server_run(sv.listen_fd, sv.cfg, notify_ready, notify_stopped);
	config_free(sv.cfg);
	free(sv.kids);
	exit(rv);
}

static int
spawn(int64_t now)
{
	struct kid *k;
	pid_t	    pid;
	int	    slot;

	if (sv.n == sv.cap) {
		if ((k = reallocarray(sv.kids, sv.cap * 2 + 4, sizeof(*k))) ==
		    NULL) {
			log_warnx("out of memory");
			return -1;
		}
		sv.kids = k;
		sv.cap = sv.cap * 2 + 4;
	}
	slot = slots_claim();
	if ((pid = fork()) == -1) {
		log_warn("fork");
		slots_own(slot, 0);
		return -1;
	}
	if (pid == 0) {
		slots_enter(slot);
		metrics_enter(slot);
		worker_child();
	}
	slots_own(slot, pid);
	k = &sv.kids[sv.n++];
	k->pid = pid;
	k->started = now;
	k->state = K_RUN;
	k->acked = 0;
	k->ready = 0;
	k->slot = slot;
	metrics_workers((unsigned int)kids_running());
	return 0;
}

/* Start the workers that are missing, unless backing off. */
static void
start_missing(int64_t now)
{
	while (kids_running() < sv.cfg->workers && now >= sv.next_start)
		if (spawn(now) == -1) {
			sv.quick++;
			sv.next_start = now + backoff_ms(sv.quick) + 100;
			return;
		}
}

static void
describe(char *buf, size_t len, int st)
{
	if (WIFSIGNALED(st))
		snprintf(buf, len, "was killed by signal %d (%s)", WTERMSIG(st),
		    strsignal(WTERMSIG(st)));
	else if (WEXITSTATUS(st) != 0)
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(st));
	else
		snprintf(buf, len, "exited");
}

static void begin_stop(int sig);

/*
 * A serving worker ended: replace it, at once or after the backoff.
 * held: the connections it was serving, or NULL.
 */
static void
died(const struct kid *k, int st, const char *held, int64_t now)
{
	char	what[128];
	int64_t delay;

	describe(what, sizeof(what), st);
	if (WIFEXITED(st) && WEXITSTATUS(st) == SERVER_EXIT_LISTEN) {
		log_warnx("worker %d %s: the listening socket failed; stopping",
		    (int)k->pid, what);
		sv.status = 1;
		begin_stop(0);
		return;
	}
	if (held != NULL) {
		log_warnx("worker %d %s while serving %s; the connections it "
			  "held are lost; starting another",
		    (int)k->pid, what, held);
		sv.next_start = now;
		return;
	}
	sv.quick = now - k->started < MIN_LIFE_MS ? sv.quick + 1 : 0;
	delay = backoff_ms(sv.quick);
	if (now + delay > sv.next_start)
		sv.next_start = now + delay;
	if (delay == 0)
		log_warnx("worker %d %s; the connections it held are lost; "
			  "starting another",
		    (int)k->pid, what);
	else
		log_warnx("worker %d %s, %d times in a row within %d ms of "
			  "starting; starting another in %lld ms",
		    (int)k->pid, what, sv.quick, MIN_LIFE_MS, (long long)delay);
}

static void
reap(int64_t now)
{
	struct kid *k;
	pid_t	    pid;
	int	    st, held;
	char	    conns[1024];

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		held = slots_release(pid, conns, sizeof(conns));
		if ((k = kid_find(pid)) == NULL)
			continue;
		metrics_retire(k->slot); /* its counts stay in the totals */
		if (k->state == K_RUN && !sv.stopping) {
			metrics_restart();
			died(k, st, held ? conns : NULL, now);
		}
		*k = sv.kids[--sv.n];
		metrics_workers((unsigned int)kids_running());
	}
}

static void
signal_all(int sig)
{
	size_t i;

	for (i = 0; i < sv.n; i++)
		kill(sv.kids[i].pid, sig);
}

static void
begin_stop(int sig)
{
	if (sig != 0)
		log_info("signal %d: finishing requests in flight", sig);
	if (sv.stopping)
		return;
	notify_send("STOPPING=1");
	sv.stopping = 1;
	sv.stop_at = clock_ms() + STOP_WAIT_MS;
	signal_all(SIGTERM);
}

/* Read the configuration again; on success, replace the workers. */
static void
reload(int64_t now)
{
	struct config n;
	char	      err[CONFIG_ERRLEN];
	const char   *fixed;
	size_t	      i;

	notify_send("RELOADING=1");
	if (config_load(&n, sv.file, err, sizeof(err)) == -1) {
		log_errx("reload: %s; keeping the configuration", err);
		notify_send("READY=1");
		return;
	}
	if (preflight_redis(&n) == -1) {
		log_errx("reload: Redis may evict keys; keeping the "
			 "configuration");
		config_free(&n);
		notify_send("READY=1");
		return;
	}
	/* with a socket on fd 0, listen and socket_mode do not apply */
	if (!sv.spawned && (fixed = config_fixed_changed(&n, sv.cfg)) != NULL)
		log_warnx("reload: a change of %s takes effect at the next "
			  "start",
		    fixed);
	config_free(sv.cfg);
	*sv.cfg = n;
	for (i = 0; i < sv.n; i++)
		if (sv.kids[i].state == K_RUN) {
			sv.kids[i].state = K_OLD;
			sv.kids[i].acked = 0;
		}
	sv.quick = 0;
	sv.next_start = now;
	start_missing(now);
	for (i = 0; i < sv.n; i++)
		if (sv.kids[i].state == K_OLD && !sv.kids[i].acked)
			kill(sv.kids[i].pid, SIGTERM);
	sv.reloading = RELOAD_WAITING;
	sv.reload_at = now + ACK_MS;
}

/* Old workers that have not acknowledged that they stopped accepting. */
static size_t
kids_unacked(void)
{
	size_t i, n = 0;

	for (i = 0; i < sv.n; i++)
		n += sv.kids[i].state == K_OLD && !sv.kids[i].acked;
	return n;
}

/*
 * Once every old worker acknowledged that it stopped accepting (or
 * ended), the reload is done. Past ACK_MS, say how many have not; the
 * "reloaded" line still waits for them (a late one comes with a signal,
 * which wakes the loop: no deadline is needed any more).
 */
static void
reload_check(int64_t now)
{
	size_t n;

	if (!sv.reloading)
		return;
	if (sv.stopping) { /* every worker is stopping: nothing to report */
		sv.reloading = 0;
		return;
	}
	if ((n = kids_unacked()) == 0) {
		sv.reloading = 0;
		log_info("configuration reloaded from %s", sv.file);
		notify_send("READY=1");
	} else if (sv.reloading == RELOAD_WAITING && now >= sv.reload_at) {
		sv.reloading = RELOAD_LATE;
		log_warnx("reload from %s not done: %zu old worker%s not "
			  "acknowledged within %d s that %s stopped accepting, "
			  "and may still take connections with the old "
			  "configuration",
		    sv.file, n, n == 1 ? " has" : "s have", ACK_MS / 1000,
		    n == 1 ? "it" : "they");
	}
}

static void
acked(pid_t pid)
{
	struct kid *k;

	if ((k = kid_find(pid)) != NULL)
		k->acked = 1;
}

/* A worker accepts: once the first ones all do, tell systemd. */
static void
ready(pid_t pid)
{
	struct kid *k;
	size_t	    i, n = 0;

	if ((k = kid_find(pid)) != NULL)
		k->ready = 1;
	if (sv.ready_sent || sv.stopping)
		return;
	for (i = 0; i < sv.n; i++)
		n += sv.kids[i].state == K_RUN && sv.kids[i].ready;
	if (n < sv.cfg->workers)
		return;
	sv.ready_sent = 1;
	notify_send("READY=1");
}

/* Milliseconds until something is due; -1 if nothing is. */
static int64_t
next_due(int64_t now)
{
	int64_t t = INT64_MAX;

	if (!sv.stopping && kids_running() < sv.cfg->workers)
		t = sv.next_start;
	if (sv.reloading == RELOAD_WAITING && sv.reload_at < t)
		t = sv.reload_at;
	if (sv.stopping && !sv.killed && sv.stop_at < t)
		t = sv.stop_at;
	if (t == INT64_MAX)
		return -1;
	return t > now ? t - now : 0;
}

/* Wait for a signal until something is due; the signal, or 0. */
static int
wait_signal(const sigset_t *set, siginfo_t *si, int64_t now)
{
	struct timespec ts;
	int64_t		ms = next_due(now);
	int		sig;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000;
	sig = sigtimedwait(set, si, ms < 0 ? NULL : &ts);
	return sig < 0 ? 0 : sig;
}

static void
on_signal(int sig, const siginfo_t *si, int64_t now)
{
	if (sig == SIGCHLD)
		reap(now);
	else if (sig == SIGHUP && !sv.stopping)
		reload(now);
	else if (sig == SIGTERM || sig == SIGINT)
		begin_stop(sig);
	else if (sig == SIG_STOPPED)
		acked(si->si_pid);
	else if (sig == SIG_READY)
		ready(si->si_pid);
}

/* Room for the connections the workers hold: as many fds as allowed. */
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max < 65536 ? rl.rlim_max : 65536;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int
supervisor_run(int listen_fd, int spawned, const char *file, struct config *cfg)
{
	sigset_t  set;
	siginfo_t si;
	int64_t	  now;
	int	  sig, fl;

	sv.cfg = cfg;
	sv.file = file;
	sv.listen_fd = listen_fd;
	sv.spawned = spawned;
	sv.self = getpid();
	/* the workers share it: one that loses the race gets EAGAIN */
	if ((fl = fcntl(listen_fd, F_GETFL)) == -1 ||
	    fcntl(listen_fd, F_SETFL, fl | O_NONBLOCK) == -1) {
		log_err("setting up the listening socket");
		config_free(cfg);
		return 1;
	}
	raise_nofile();
	if (metrics_init(SLOTS) == -1)
		log_warn("shared memory for the metrics (status_path shows "
			 "the answering worker's alone)");
	if (slots_init(SLOTS, THREADS_MAX) == -1)
		log_warn("shared memory for the workers' slots (crashes will "
			 "not name connections)");
	signal(SIGPIPE, SIG_IGN); /* a log pipe closed under us, as before */
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIG_STOPPED);
	sigaddset(&set, SIG_READY);
	sigprocmask(SIG_BLOCK, &set, &sv.oldmask);
	log_info("serving with %u workers of %u threads", cfg->workers,
	    cfg->threads);
	for (;;) {
		now = clock_ms();
		if (!sv.stopping)
			start_missing(now);
		reload_check(now);
		if (sv.stopping && sv.n == 0)
			break;
		if (sv.stopping && !sv.killed && now >= sv.stop_at) {
			log_warnx("workers still running after %d s; killing "
				  "them",
			    STOP_WAIT_MS / 1000);
			signal_all(SIGKILL);
			sv.killed = 1;
		}
		if ((sig = wait_signal(&set, &si, now)) != 0)
			on_signal(sig, &si, clock_ms());
	}
	log_info("stopped");
	config_free(cfg);
	free(sv.kids);
	/*
	 * The mask stays as it is: a worker's SIG_STOPPED may still be
	 * pending, and a real-time signal's default action is to terminate.
	 */
	return sv.status;
}
