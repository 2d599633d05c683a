/*
 * redis_link.c: the way from the Redis store to its data.
 *
 * Connecting: to the URL's node, or, for sentinel://, to the address the
 * Sentinels give for the master, used only once the node itself answers
 * ROLE "master" (a Sentinel's view can lag; a replica is never written
 * to). While a connection is kept, the Sentinels are asked again at most
 * every LINK_RECHECK_MS, when a command is about to go out; a master
 * that moved is followed at once. A connection loss or a READONLY reply
 * asks them again too, since every new connection starts by asking.
 *
 * Restarts: a kept connection that the server closed is found before
 * anything is sent into it (redis_conn_alive) and replaced, so a restart
 * of Redis costs nothing once it is back. If the connection dies after a
 * command was sent, the command is sent once more on a new connection
 * only if it may run twice (LINK_IDEMPOTENT); a command the server
 * refused before running it (READONLY, LOADING, ...) is sent once more
 * whatever it is.
 *
 * Replicas: with redis_replicas_ack = n, a write flagged LINK_DURABLE (a
 * login, a revocation) is followed, on the same connection, by WAIT n
 * redis_timeout: Redis answers once n replicas acknowledged every write
 * of this connection so far, or at the timeout with how many did. If too
 * few confirmed, the operation fails (503), although it ran on the
 * master: nobody is told that a session ended when a failover could
 * bring it back, or handed a cookie for a session a failover could lose.
 *
 * Failures are logged by the outage (outage.c), not one by one: every
 * command's end is reported there, but for a write that ran and that too
 * few replicas confirmed, which is not Redis failing to answer.
 */
#include "store/redis_link.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/metrics.h"
#include "store/outage.h"

/* One command or script to run. */
struct request {
	const struct lua_script *sc; /* NULL: argv is a command */
	int			 nkeys;
	int			 argc;
	const char	       **argv;
};

int
redis_link_init(struct redis_link *l, const struct redis_url *url,
    int64_t timeout_ms, unsigned int replicas_ack, char *err, size_t errlen)
{
	memset(l, 0, sizeof(*l));
	l->url = url;
	l->timeout_ms = timeout_ms;
	l->timeout.tv_sec = timeout_ms / 1000;
	l->timeout.tv_usec = (timeout_ms % 1000) * 1000;
	l->replicas_ack = replicas_ack;
	l->err = err;
	l->errlen = errlen;
	redis_conn_init(&l->conn, &l->timeout, err, errlen);
	redis_sentinel_init(&l->sentinel, &l->timeout, err, errlen);
	if (url->is_cluster) {
		if ((l->cluster = malloc(sizeof(*l->cluster))) == NULL)
			return -1;
		redis_cluster_init(l->cluster, url, &l->timeout, err, errlen);
	}
	return 0;
}

void
redis_link_close(struct redis_link *l)
{
	redis_conn_close(&l->conn);
	redis_sentinel_close(&l->sentinel);
	if (l->cluster != NULL) {
		redis_cluster_close(l->cluster);
		free(l->cluster);
		l->cluster = NULL;
	}
}

/* Connect to host:port as the master, if the node agrees it is one. */
static int
connect_verified(struct redis_link *l, const char *host, int port)
{
	const struct redis_url *u = l->url;
	char			role[32];

	if (redis_conn_open(&l->conn, host, port, NULL) == -1 ||
	    redis_conn_login(&l->conn, u->user, u->password, u->db) == -1)
		return -1;
	if (redis_conn_role(&l->conn, role, sizeof(role)) == -1) {
		redis_conn_close(&l->conn);
		return -1;
	}
	if (strcmp(role, "master") != 0) {
		snprintf(l->err, l->errlen,
		    "redis %s: Sentinel names it master of %s, but its role "
		    "is %s",
		    l->conn.node, u->master, role);
		redis_conn_close(&l->conn);
		return -1;
	}
	snprintf(l->master, sizeof(l->master), "%s", host);
	l->master_port = port;
	return 0;
}

/*
 * Connect to the master the Sentinels name. Right after a failover some
 * Sentinels still name the old master: if the one asked names a node
 * that is down or no master, the next ones are asked, and a different
 * address is tried, until each Sentinel has had its turn.
 */
static int
connect_master(struct redis_link *l)
{
	const struct redis_url *u = l->url;
	char			host[256], tried[256] = "";
	int			port, tried_port = 0, k;

	l->asked_at = clock_ms();
	for (k = 0; k < u->nnodes; k++) {
		if (redis_sentinel_master(&l->sentinel, u, host, &port) == -1)
			return -1;
		if (strcmp(host, tried) != 0 || port != tried_port) {
			if (connect_verified(l, host, port) == 0)
				return 0;
			snprintf(tried, sizeof(tried), "%s", host);
			tried_port = port;
		}
		redis_sentinel_next(&l->sentinel, u);
	}
	return -1;
}

/*
 * A kept connection in Sentinel mode: has the master moved? If the
 * Sentinels cannot be asked, the kept master stays in use: it was a
 * master when connected, and READONLY would tell if it stopped being one.
 */
static void
recheck(struct redis_link *l)
{
	char host[256];
	int  port;

	if (clock_ms() - l->asked_at < LINK_RECHECK_MS)
		return;
	l->asked_at = clock_ms();
	if (redis_sentinel_master(&l->sentinel, l->url, host, &port) == -1)
		return;
	if (strcmp(host, l->master) == 0 && port == l->master_port)
		return;
	log_info("redis: Sentinel names %s:%d master of %s (was %s:%d)", host,
	    port, l->url->master, l->master, l->master_port);
	metrics_add(M_REDIS_TOPOLOGY, 1);
	redis_conn_close(&l->conn);
}

static int
link_connect(struct redis_link *l)
{
	const struct redis_url *u = l->url;

	if (redis_conn_alive(&l->conn)) {
		if (!u->is_sentinel)
			return 0;
		recheck(l);
		if (l->conn.c != NULL)
			return 0;
	}
	if (u->is_sentinel)
		return connect_master(l);
	if (redis_conn_open(&l->conn, u->host, u->port,
		u->is_unix ? u->path : NULL) == -1)
		return -1;
	return redis_conn_login(&l->conn, u->user, u->password, u->db);
}

/* WAIT for the replicas: how many confirmed, or -1 with the error set. */
static long long
wait_replicas(struct redis_link *l, struct redis_conn *conn)
{
	char		n[16], ms[24];
	const char     *argv[3] = { "WAIT", n, ms };
	struct timeval	longer;
	enum redis_fail f;
	redisReply     *r;
	long long	v = -1;

	snprintf(n, sizeof(n), "%u", l->replicas_ack);
	snprintf(ms, sizeof(ms), "%lld", (long long)l->timeout_ms);
	/* the socket must outwait WAIT's own timeout: twice it, plus 1 s */
	longer.tv_sec = (2 * l->timeout_ms + 1000) / 1000;
	longer.tv_usec = ((2 * l->timeout_ms + 1000) % 1000) * 1000;
	(void)redisSetTimeout(conn->c, longer);
	r = redis_conn_argv(conn, 3, argv, &f);
	if (conn->c != NULL)
		(void)redisSetTimeout(conn->c, l->timeout);
	if (r == NULL)
		return -1;
	if (r->type == REDIS_REPLY_INTEGER)
		v = r->integer;
	else
		snprintf(l->err, l->errlen, "redis WAIT: unexpected reply");
	freeReplyObject(r);
	return v;
}

/* After a write that must reach replicas: r, or NULL if it did not. */
static redisReply *
replicated(struct redis_link *l, struct redis_conn *conn, redisReply *r,
    int flags)
{
	char	  why[160];
	long long n;

	if (l->replicas_ack == 0 || !(flags & LINK_DURABLE))
		return r;
	if ((n = wait_replicas(l, conn)) >= (long long)l->replicas_ack)
		return r;
	if (n < 0)
		snprintf(why, sizeof(why), "WAIT failed (%s)", l->err);
	else
		snprintf(why, sizeof(why),
		    "%lld of %u replicas confirmed it in %lld ms", n,
		    l->replicas_ack, (long long)l->timeout_ms);
	snprintf(l->err, l->errlen,
	    "redis: the write ran on the master, but %s", why);
	l->unconfirmed = n >= 0;
	freeReplyObject(r);
	return NULL;
}

/* May a command that failed so be sent once more? */
static int
resend(enum redis_fail f, int flags)
{
	return f == REDIS_FAIL_NOT_RUN ||
	    (f == REDIS_FAIL_LOST && (flags & LINK_IDEMPOTENT));
}

/* Send a request; asking: on a Redis Cluster ASK target (ASKING first). */
static redisReply *
send_request(struct redis_conn *conn, const struct request *rq, int asking,
    enum redis_fail *f)
{
	if (rq->sc != NULL)
		return redis_conn_eval(conn, rq->sc, rq->nkeys, rq->argc,
		    rq->argv, asking, f);
	if (asking)
		return redis_conn_asking(conn, rq->argc, rq->argv, f);
	return redis_conn_argv(conn, rq->argc, rq->argv, f);
}

/*
 * Cluster: send to the master of the first key's slot; follow MOVED (the
 * map learns it) and ASK (ASKING on the target, this once; for a script,
 * before its EVAL after a NOSCRIPT too: redis_conn_eval), wait out
 * TRYAGAIN (a slot's keys half moved) for up to redis_timeout, and send
 * once more after a failure as run() does, with the map read again.
 */
static redisReply *
run_cluster(struct redis_link *l, const struct request *rq, int flags)
{
	struct redis_cluster *c = l->cluster;
	struct redis_conn    *conn;
	const char	     *key = rq->sc != NULL ? rq->argv[0] : rq->argv[1];
	unsigned int	      slot = redis_cluster_slot(key);
	enum redis_fail	      f = REDIS_FAIL_OTHER;
	redisReply	     *r;
	int64_t		      until = clock_ms() + l->timeout_ms;
	int		      hops = 0, resent = 0, asking = 0;
	struct timespec	      pause = { 0, 20 * 1000000 };

	conn = redis_cluster_conn(c, slot);
	while (conn != NULL && hops++ < 16) {
		if ((r = send_request(conn, rq, asking, &f)) != NULL)
			return replicated(l, conn, r, flags);
		asking = 0;
		if (f == REDIS_FAIL_MOVED) {
			redis_cluster_moved(c, conn->redirect.slot,
			    conn->redirect.host, conn->redirect.port);
			conn = redis_cluster_conn(c, slot);
		} else if (f == REDIS_FAIL_ASK) {
			asking = 1;
			conn = redis_cluster_node(c, conn->redirect.host,
			    conn->redirect.port);
		} else if (f == REDIS_FAIL_TRYAGAIN && clock_ms() < until)
			nanosleep(&pause, NULL);
		else if (resend(f, flags) && !resent++) {
			redis_cluster_stale(c);
			conn = redis_cluster_conn(c, slot);
		} else
			return NULL;
	}
	return NULL;
}

static redisReply *
run(struct redis_link *l, const struct request *rq, int flags)
{
	enum redis_fail f = REDIS_FAIL_OTHER;
	redisReply     *r;
	int		tries;

	if (l->cluster != NULL)
		return run_cluster(l, rq, flags);
	for (tries = 0; tries < 2; tries++) {
		if (tries > 0 && !resend(f, flags))
			break;
		if (link_connect(l) == -1)
			return NULL;
		if ((r = send_request(&l->conn, rq, 0, &f)) != NULL)
			return replicated(l, &l->conn, r, flags);
	}
	return NULL;
}

/* run(), and a failure counted (sessgate_redis_errors_total). */
static redisReply *
counted(struct redis_link *l, const struct request *rq, int flags)
{
	redisReply *r;

	l->unconfirmed = 0;
	if ((r = run(l, rq, flags)) != NULL)
		outage_answered();
	else {
		metrics_add(M_REDIS_ERROR, 1);
		if (!l->unconfirmed)
			outage_failed(l->err);
	}
	return r;
}

redisReply *
redis_link_command(struct redis_link *l, int argc, const char **argv, int flags)
{
	struct request rq = { NULL, 0, argc, argv };

	return counted(l, &rq, flags);
}

redisReply *
redis_link_eval(struct redis_link *l, const struct lua_script *sc, int nkeys,
    int nargs, const char **args, int flags)
{
	struct request rq = { sc, nkeys, nargs, args };

	return counted(l, &rq, flags);
}

int
redis_link_masters(struct redis_link *l)
{
	if (l->cluster == NULL)
		return 1;
	if (redis_cluster_conn(l->cluster, 0) == NULL)
		return -1;
	return l->cluster->nnodes;
}

redisReply *
redis_link_command_master(struct redis_link *l, int i, int argc,
    const char **argv)
{
	struct redis_cluster *c = l->cluster;
	struct redis_conn    *conn;
	enum redis_fail	      f;
	char		      host[sizeof(c->nodes[0].host)];
	int		      port;

	if (c == NULL)
		return redis_link_command(l, argc, argv, LINK_IDEMPOTENT);
	if (i < 0 || i >= c->nnodes) {
		snprintf(l->err, l->errlen,
		    "cluster: the masters changed during a scan");
		return NULL;
	}
	snprintf(host, sizeof(host), "%s", c->nodes[i].host);
	port = c->nodes[i].port;
	if ((conn = redis_cluster_node(c, host, port)) == NULL)
		return NULL;
	return redis_conn_argv(conn, argc, argv, &f);
}
