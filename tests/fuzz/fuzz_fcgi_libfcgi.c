/*
 * fuzz_fcgi_libfcgi: fcgi_scan() held against libfcgi itself.
 *
 * The acceptor hands a connection to libfcgi once fcgi_scan() calls its
 * queued bytes a whole request. The promise: whatever the scan calls
 * whole, libfcgi reads to the same parameters and the same body, from
 * those bytes alone, without waiting for more and without crashing.
 *
 * The same bytes go two ways. Here, the records up to the scan's length
 * are decoded plainly (the request as the scan walked it). In a child
 * process, the real libfcgi (the system's, as the daemon links it) reads
 * them from a socketpair whose writing end is then shut: a read past the
 * scanned bytes meets the end of the stream (where the daemon would block
 * on its client) and shows as a stream error. The child does what a worker
 * thread does: FCGX_Accept_r on the connected descriptor, the parameters,
 * a Responder POST's body (as request_read_body() reads it, at most one
 * byte past REQUEST_BODY_MAX), and, once the scan saw stdin end, the drain
 * that keeps a connection. It sends back libfcgi's view; any difference,
 * a stream error, a crash of the child or no answer within CHILD_SECS is a
 * broken promise here (abort: libFuzzer keeps the input).
 *
 * One child serves every input (a fork per input would cost more than the
 * rest); it is started again after it died.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "daemon/fcgi_scan.h"
#include "http/request.h"

#include "fuzz.h"

#define BODY_MAX   REQUEST_BODY_MAX
#define BODY_READ  (BODY_MAX + 1)
#define CHILD_SECS 5
#define VIEW_MAX   (FCGI_SCAN_MAX + BODY_READ + 64)

/* A request as read: role, kept, "name=value" strings, body. */
struct view {
	int	      role, keep, error;
	size_t	      nparams;
	size_t	      plen; /* bytes of params: NUL-terminated strings */
	size_t	      blen;
	unsigned char buf[VIEW_MAX];
};

static pid_t	     child = -1;
static unsigned long held;	/* inputs held against libfcgi */
static int	     chan = -1; /* to the child: SOCK_SEQPACKET */

/* ---- the child: libfcgi's view ---- */

/* Room for a whole input or view at once (more as root). */
static void
buffers(int fd)
{
	int big = 1 << 20;

	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big));
}

static size_t
view_size(const struct view *v)
{
	return offsetof(struct view, buf) + v->plen + v->blen;
}

static int
view_put(struct view *v, const void *p, size_t n)
{
	if (v->plen + v->blen + n > sizeof(v->buf))
		return -1;
	memcpy(v->buf + v->plen + v->blen, p, n);
	return 0;
}

static void
libfcgi_body(FCGX_Request *fr, struct view *v, int stdin_done)
{
	static char body[BODY_READ], trash[4096];
	const char *method = FCGX_GetParam("REQUEST_METHOD", fr->envp);
	int	    n, got = 0;

	if (v->role == FCGI_SCAN_RESPONDER && method != NULL &&
	    strcmp(method, "POST") == 0) {
		while (got < BODY_READ &&
		    (n = FCGX_GetStr(body + got, BODY_READ - got, fr->in)) > 0)
			got += n;
		if (view_put(v, body, (size_t)got) == 0)
			v->blen = (size_t)got;
	}
	if (stdin_done) /* keep_ok()'s drain of a kept connection */
		while (FCGX_GetStr(trash, sizeof(trash), fr->in) > 0)
			;
}

static void
libfcgi_read(int fd, int stdin_done, struct view *v)
{
	FCGX_Request fr;
	char	   **e;

	memset(v, 0, sizeof(*v));
	FCGX_InitRequest(&fr, -1, 0);
	fr.ipcFd = fd;
	fr.keepConnection = 1;
	fr.detached = 1;
	if (FCGX_Accept_r(&fr) < 0) {
		v->error = -1;
		return;
	}
	v->role = fr.role;
	v->keep = fr.keepConnection != 0;
	/* envp[0] is libfcgi's own FCGI_ROLE= */
	for (e = fr.envp + 1; *e != NULL; e++) {
		if (view_put(v, *e, strlen(*e) + 1) == -1)
			break;
		v->plen += strlen(*e) + 1;
		v->nparams++;
	}
	if (FCGX_GetError(fr.in) == 0)
		libfcgi_body(&fr, v, stdin_done);
	v->error = FCGX_GetError(fr.in);
	fr.ipcFd = -1;
	FCGX_Free(&fr, 0);
}

/* One input: [stdin_done byte][bytes], answered with a struct view. */
static void
child_serve_one(int c, unsigned char *in, ssize_t n, struct view *v)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		_exit(3);
	buffers(sv[0]);
	if (write(sv[0], in + 1, (size_t)n - 1) != n - 1)
		_exit(4);
	shutdown(sv[0], SHUT_WR);
	alarm(CHILD_SECS);
	libfcgi_read(sv[1], in[0], v);
	alarm(0);
	close(sv[0]);
	close(sv[1]);
	if (write(c, v, view_size(v)) != (ssize_t)view_size(v))
		_exit(5);
}

static void
child_main(int c)
{
	static unsigned char in[FCGI_SCAN_MAX + 1];
	static struct view   v;
	ssize_t		     n;

	signal(SIGPIPE, SIG_IGN);
	signal(SIGALRM, SIG_DFL); /* not libFuzzer's -timeout handler */
	if (FCGX_Init() != 0)
		_exit(2);
	while ((n = recv(c, in, sizeof(in), 0)) > 0)
		child_serve_one(c, in, n, &v);
	_exit(0);
}

static void
child_start(void)
{
	int sv[2];

	FUZZ_ASSERT(
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
	buffers(sv[0]);
	buffers(sv[1]);
	FUZZ_ASSERT((child = fork()) != -1);
	if (child == 0) {
		close(sv[0]);
		child_main(sv[1]);
	}
	close(sv[1]);
	chan = sv[0];
}

/* Where a child that did not answer is (running: "running"). */
static void
child_where(void)
{
	char  path[64], buf[128];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)child);
	if ((f = fopen(path, "r")) == NULL)
		return;
	if (fgets(buf, sizeof(buf), f) != NULL)
		fprintf(stderr, "libfcgi's child is in system call %s\n", buf);
	fclose(f);
}

/* libfcgi's view of the bytes; aborts if the child dies or hangs. */
static void
libfcgi_view(const uint8_t *data, size_t len, int stdin_done, struct view *v)
{
	static unsigned char msg[FCGI_SCAN_MAX + 1];
	struct pollfd	     p;
	int		     status, n = 0, tries;

	if (child == -1)
		child_start();
	msg[0] = (unsigned char)stdin_done;
	memcpy(msg + 1, data, len);
	FUZZ_ASSERT(send(chan, msg, len + 1, 0) == (ssize_t)len + 1);
	p.fd = chan;
	p.events = POLLIN;
	/* (libFuzzer's -timeout alarm interrupts the wait) */
	for (tries = 0; tries < 2 * CHILD_SECS; tries++)
		if ((n = poll(&p, 1, 1000)) != 0 && (n != -1 || errno != EINTR))
			break;
	if (n == 1 &&
	    recv(chan, v, sizeof(*v), 0) >= (ssize_t)offsetof(struct view, buf))
		return;
	child_where();
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	fprintf(stderr, "libfcgi's child %s (status 0x%x)\n",
	    WIFSIGNALED(status) ? "was killed" : "did not answer", status);
	close(chan);
	child = -1;
	FUZZ_ASSERT(!"libfcgi read what the scan calls whole");
}

/* ---- the scan's view: the records up to its length, plainly ---- */

static size_t
pair_len(const unsigned char *p, size_t n, size_t *at, int *ok)
{
	size_t v;

	if (*at >= n) {
		*ok = 0;
		return 0;
	}
	if (!(p[*at] & 0x80))
		return p[(*at)++];
	if (n - *at < 4) {
		*ok = 0;
		return 0;
	}
	v = ((size_t)(p[*at] & 0x7f) << 24) | ((size_t)p[*at + 1] << 16) |
	    ((size_t)p[*at + 2] << 8) | p[*at + 3];
	*at += 4;
	return v;
}

/* The pairs of a params stream as "name=value" C strings, into v. */
static void
scan_params(const unsigned char *p, size_t n, struct view *v)
{
	size_t at = 0, nl, vl, s;
	int    ok = 1;
	char   eq = '=', nul = '\0';

	while (at < n) {
		nl = pair_len(p, n, &at, &ok);
		vl = pair_len(p, n, &at, &ok);
		FUZZ_ASSERT(ok && nl <= n - at && vl <= n - at - nl);
		s = v->plen;
		FUZZ_ASSERT(view_put(v, p + at, nl) == 0);
		v->plen += nl;
		FUZZ_ASSERT(view_put(v, &eq, 1) == 0);
		v->plen++;
		FUZZ_ASSERT(view_put(v, p + at + nl, vl) == 0);
		v->plen += vl;
		FUZZ_ASSERT(view_put(v, &nul, 1) == 0);
		/* as a C string: up to its first NUL */
		v->plen = s + strlen((char *)v->buf + s) + 1;
		v->nparams++;
		at += nl + vl;
	}
}

static void
scan_view(const uint8_t *d, size_t len, struct view *v)
{
	static unsigned char params[FCGI_SCAN_MAX], body[FCGI_SCAN_MAX];
	size_t		     pos = 0, clen, pn = 0, bn = 0;
	int		     body_done = 0;

	memset(v, 0, sizeof(*v));
	while (pos + 8 <= len) {
		clen = (size_t)((d[pos + 4] << 8) | d[pos + 5]);
		FUZZ_ASSERT(pos + 8 + clen + d[pos + 6] <= len);
		if (d[pos + 1] == 1) {
			v->role = (d[pos + 8] << 8) | d[pos + 9];
			v->keep = d[pos + 10] & 1;
		} else if (d[pos + 1] == 4) {
			memcpy(params + pn, d + pos + 8, clen);
			pn += clen;
		} else if (d[pos + 1] == 5 && !body_done) {
			memcpy(body + bn, d + pos + 8, clen);
			bn += clen;
			body_done = clen == 0;
		}
		pos += 8 + clen + d[pos + 6];
	}
	FUZZ_ASSERT(pos == len);
	scan_params(params, pn, v);
	FUZZ_ASSERT(view_put(v, body, bn) == 0);
	v->blen = bn;
}

static void
views_match(const struct view *scan, const struct view *lib)
{
	size_t want;

	FUZZ_ASSERT(lib->error == 0);
	FUZZ_ASSERT(lib->role == scan->role && lib->keep == scan->keep);
	FUZZ_ASSERT(lib->nparams == scan->nparams);
	FUZZ_ASSERT(lib->plen == scan->plen);
	FUZZ_ASSERT(memcmp(lib->buf, scan->buf, scan->plen) == 0);
	if (lib->blen == 0)
		return;
	/* a body was read: what the scan saw of it, up to BODY_READ */
	want = scan->blen < BODY_READ ? scan->blen : BODY_READ;
	FUZZ_ASSERT(lib->blen == want);
	FUZZ_ASSERT(
	    memcmp(lib->buf + lib->plen, scan->buf + scan->plen, want) == 0);
}

static void
report(void)
{
	fprintf(stderr, "stat::whole_requests_held_against_libfcgi: %lu\n",
	    held);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	atexit(report);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct view scan, lib;
	struct fcgi_scan   sc;

	if (size > FCGI_SCAN_MAX)
		return 0;
	memset(&sc, 0, sizeof(sc));
	if (fcgi_scan(data, size, BODY_MAX, &sc) != FCGI_SCAN_READY)
		return 0;
	held++;
	scan_view(data, sc.len, &scan);
	libfcgi_view(data, sc.len, sc.stdin_done, &lib);
	views_match(&scan, &lib);
	return 0;
}
