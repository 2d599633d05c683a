/*
 * redis_conn.c: one connection to one Redis node.
 *
 * After any failure but an ordinary error reply the hiredis context is
 * dead, so it is freed here and the next use connects afresh. Failures
 * are sorted for the caller (store/redis_link.c), which decides whether
 * to send again:
 * - not run: the command was refused before it ran (READONLY from a
 *   replica, LOADING, MASTERDOWN, NOAUTH after a restart): sending it
 *   again elsewhere, or later, is safe for any command;
 * - lost: the server closed the connection (or reset it) after we sent;
 *   the command may or may not have run;
 * - other: a timeout or a real error; sending again would only double
 *   the wait or the harm.
 * A kept connection that the server closed while it sat idle (a restart,
 * CLIENT KILL, the server's idle timeout) is found before sending, by a
 * peek at the socket, so that nothing is sent into it.
 */
#include "store/redis_conn.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/metrics.h"

#define ARGMAX 16 /* arguments measured on the stack; more: allocated */

/* Errors that mean "this node cannot serve this now": hang up. */
static const char *const refused[] = { "READONLY", "LOADING", "MASTERDOWN",
	"NOAUTH", "CLUSTERDOWN", NULL };
static const char *const fatal[] = { "NOPERM", "WRONGPASS", NULL };

static int
starts_with_any(const char *s, const char *const *words)
{
	size_t i;

	for (i = 0; words[i] != NULL; i++)
		if (strncmp(s, words[i], strlen(words[i])) == 0)
			return 1;
	return 0;
}

void
redis_conn_init(struct redis_conn *rc, const struct timeval *timeout, char *err,
    size_t errlen)
{
	memset(rc, 0, sizeof(*rc));
	rc->timeout = *timeout;
	rc->err = err;
	rc->errlen = errlen;
}

void
redis_conn_close(struct redis_conn *rc)
{
	if (rc->c != NULL)
		redisFree(rc->c);
	rc->c = NULL;
}

int
redis_conn_open(struct redis_conn *rc, const char *host, int port,
    const char *path)
{
	redis_conn_close(rc);
	rc->host[0] = '\0';
	rc->port = port;
	if (path != NULL) {
		snprintf(rc->node, sizeof(rc->node), "%s", path);
		rc->c = redisConnectUnixWithTimeout(path, rc->timeout);
	} else {
		snprintf(rc->host, sizeof(rc->host), "%s", host);
		snprintf(rc->node, sizeof(rc->node), "%s:%d", host, port);
		rc->c = redisConnectWithTimeout(host, port, rc->timeout);
	}
	if (rc->c == NULL || rc->c->err) {
		snprintf(rc->err, rc->errlen, "redis connect %s: %s", rc->node,
		    rc->c != NULL ? rc->c->errstr : "out of memory");
		redis_conn_close(rc);
		return -1;
	}
	if (redisSetTimeout(rc->c, rc->timeout) != REDIS_OK) {
		snprintf(rc->err, rc->errlen,
		    "redis %s: cannot set the command timeout", rc->node);
		redis_conn_close(rc);
		return -1;
	}
	if (rc->opened)
		metrics_add(M_REDIS_RECONNECT, 1);
	rc->opened = 1;
	return 0;
}

int
redis_conn_alive(struct redis_conn *rc)
{
	char	b;
	ssize_t n;

	if (rc->c == NULL)
		return 0;
	n = recv(rc->c->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 1;
	/* EOF, a reset, or bytes nobody asked for: not a usable connection */
	redis_conn_close(rc);
	return 0;
}

/* An I/O failure: lost if the server hung up, else (a timeout) other. */
static enum redis_fail
io_failure(struct redis_conn *rc)
{
	int lost = rc->c->err == REDIS_ERR_EOF ||
	    (rc->c->err == REDIS_ERR_IO &&
		(errno == ECONNRESET || errno == EPIPE));

	snprintf(rc->err, rc->errlen, "redis %s: %s", rc->node,
	    rc->c->errstr[0] ? rc->c->errstr : "connection lost");
	redis_conn_close(rc);
	return lost ? REDIS_FAIL_LOST : REDIS_FAIL_OTHER;
}

/*
 * "MOVED SLOT HOST:PORT" or "ASK SLOT HOST:PORT" into rc->redirect (an
 * empty HOST is this node's); 0, or -1 if it is neither.
 */
static int
redirect(struct redis_conn *rc, const char *s)
{
	struct redis_redirect *rd = &rc->redirect;
	const char	      *sp, *colon;
	int		       n;

	if (strncmp(s, "MOVED ", 6) == 0)
		s += 6;
	else if (strncmp(s, "ASK ", 4) == 0)
		s += 4;
	else
		return -1;
	if (sscanf(s, "%u%n", &rd->slot, &n) != 1 || rd->slot > 16383 ||
	    s[n] != ' ')
		return -1;
	sp = s + n + 1;
	if ((colon = strrchr(sp, ':')) == NULL ||
	    (size_t)(colon - sp) >= sizeof(rd->host) ||
	    sscanf(colon + 1, "%d", &rd->port) != 1 || rd->port <= 0 ||
	    rd->port > 65535)
		return -1;
	if (colon == sp)
		snprintf(rd->host, sizeof(rd->host), "%s", rc->host);
	else {
		memcpy(rd->host, sp, (size_t)(colon - sp));
		rd->host[colon - sp] = '\0';
	}
	return 0;
}

/* An error reply: say so; hang up if the node cannot serve us now. */
static enum redis_fail
error_reply(struct redis_conn *rc, const char *what, redisReply *r)
{
	enum redis_fail f = REDIS_FAIL_OTHER;

	snprintf(rc->err, rc->errlen, "redis %s %s: %s", rc->node, what,
	    r->str);
	if (redirect(rc, r->str) == 0)
		f = r->str[0] == 'M' ? REDIS_FAIL_MOVED : REDIS_FAIL_ASK;
	else if (strncmp(r->str, "TRYAGAIN", 8) == 0)
		f = REDIS_FAIL_TRYAGAIN;
	else if (starts_with_any(r->str, refused)) {
		f = REDIS_FAIL_NOT_RUN;
		redis_conn_close(rc);
	} else if (starts_with_any(r->str, fatal))
		redis_conn_close(rc);
	freeReplyObject(r);
	return f;
}

/* Send argv; the reply (maybe an error reply), or NULL after I/O failure. */
static redisReply *
send_argv(struct redis_conn *rc, int argc, const char **argv,
    enum redis_fail *fail)
{
	size_t	    small[ARGMAX] = { 0 }, *lens = small;
	redisReply *r;
	int	    i;

	if (rc->c == NULL) {
		snprintf(rc->err, rc->errlen, "redis %s: not connected",
		    rc->node);
		*fail = REDIS_FAIL_NOT_RUN;
		return NULL;
	}
	if (argc > ARGMAX &&
	    (lens = calloc((size_t)argc, sizeof(*lens))) == NULL) {
		snprintf(rc->err, rc->errlen, "redis: out of memory");
		*fail = REDIS_FAIL_OTHER;
		return NULL;
	}
	for (i = 0; i < argc; i++)
		lens[i] = strlen(argv[i]);
	if ((r = redisCommandArgv(rc->c, argc, argv, lens)) == NULL)
		*fail = io_failure(rc);
	if (lens != small)
		free(lens);
	return r;
}

redisReply *
redis_conn_argv(struct redis_conn *rc, int argc, const char **argv,
    enum redis_fail *fail)
{
	redisReply *r;

	if ((r = send_argv(rc, argc, argv, fail)) == NULL)
		return NULL;
	if (r->type == REDIS_REPLY_ERROR) {
		*fail = error_reply(rc, argv[0], r);
		return NULL;
	}
	return r;
}

/*
 * ASKING, if asking: the ASK target serves the slot's keys to the next
 * command only. 0, or -1 with *fail set.
 */
static int
asking_first(struct redis_conn *rc, int asking, enum redis_fail *fail)
{
	const char *argv[1] = { "ASKING" };
	redisReply *r;

	if (!asking)
		return 0;
	if ((r = redis_conn_argv(rc, 1, argv, fail)) == NULL)
		return -1;
	freeReplyObject(r);
	return 0;
}

/*
 * EVALSHA, then EVAL after NOSCRIPT. On an ASK target, each is preceded
 * by ASKING: the flag lasts one command, and the EVALSHA that answered
 * NOSCRIPT used it up (without it, the EVAL would be answered MOVED, back
 * to the node that sent us here).
 */
static redisReply *
eval_argv(struct redis_conn *rc, const struct lua_script *sc, int argc,
    const char **argv, int asking, enum redis_fail *fail)
{
	redisReply *r;

	argv[0] = "EVALSHA";
	argv[1] = sc->sha1;
	if (asking_first(rc, asking, fail) == -1 ||
	    (r = send_argv(rc, argc, argv, fail)) == NULL)
		return NULL;
	if (r->type == REDIS_REPLY_ERROR &&
	    strncmp(r->str, "NOSCRIPT", 8) == 0) {
		freeReplyObject(r);
		argv[0] = "EVAL";
		argv[1] = sc->text;
		if (asking_first(rc, asking, fail) == -1 ||
		    (r = send_argv(rc, argc, argv, fail)) == NULL)
			return NULL;
	}
	if (r->type == REDIS_REPLY_ERROR) {
		*fail = error_reply(rc, sc->name, r);
		return NULL;
	}
	return r;
}

redisReply *
redis_conn_eval(struct redis_conn *rc, const struct lua_script *sc, int nkeys,
    int nargs, const char **args, int asking, enum redis_fail *fail)
{
	const char **argv;
	char	     nk[16];
	redisReply  *r;

	if (nkeys < 0 || nargs < nkeys ||
	    (argv = calloc((size_t)nargs + 3, sizeof(*argv))) == NULL) {
		snprintf(rc->err, rc->errlen, "redis: bad script call");
		*fail = REDIS_FAIL_OTHER;
		return NULL;
	}
	snprintf(nk, sizeof(nk), "%d", nkeys);
	argv[2] = nk;
	memcpy(argv + 3, args, (size_t)nargs * sizeof(*args));
	r = eval_argv(rc, sc, nargs + 3, argv, asking, fail);
	free(argv);
	return r;
}

/* ASKING, then a command, on an ASK target. */
redisReply *
redis_conn_asking(struct redis_conn *rc, int argc, const char **argv,
    enum redis_fail *fail)
{
	if (asking_first(rc, 1, fail) == -1)
		return NULL;
	return redis_conn_argv(rc, argc, argv, fail);
}

/* A setup command whose error ends the connection. */
static int
setup(struct redis_conn *rc, int argc, const char **argv)
{
	enum redis_fail f;
	redisReply     *r;

	if ((r = redis_conn_argv(rc, argc, argv, &f)) == NULL) {
		redis_conn_close(rc);
		return -1;
	}
	freeReplyObject(r);
	return 0;
}

int
redis_conn_login(struct redis_conn *rc, const char *user, const char *password,
    int db)
{
	const char *argv[3];
	char	    n[16];

	if (password[0] != '\0') {
		argv[0] = "AUTH";
		argv[1] = user[0] != '\0' ? user : password;
		argv[2] = password;
		if (setup(rc, user[0] != '\0' ? 3 : 2, argv) == -1)
			return -1;
	}
	if (db != 0) {
		snprintf(n, sizeof(n), "%d", db);
		argv[0] = "SELECT";
		argv[1] = n;
		if (setup(rc, 2, argv) == -1)
			return -1;
	}
	return 0;
}

int
redis_conn_role(struct redis_conn *rc, char *role, size_t rolelen)
{
	const char     *argv[1] = { "ROLE" };
	enum redis_fail f;
	redisReply     *r;
	int		rv = -1;

	if ((r = redis_conn_argv(rc, 1, argv, &f)) == NULL)
		return -1;
	if (r->type == REDIS_REPLY_ARRAY && r->elements > 0 &&
	    r->element[0]->type == REDIS_REPLY_STRING &&
	    r->element[0]->len < rolelen) {
		memcpy(role, r->element[0]->str, r->element[0]->len);
		role[r->element[0]->len] = '\0';
		rv = 0;
	} else
		snprintf(rc->err, rc->errlen, "redis %s ROLE: unexpected reply",
		    rc->node);
	freeReplyObject(r);
	return rv;
}
