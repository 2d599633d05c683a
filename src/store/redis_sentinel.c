/*
 * redis_sentinel.c: master discovery through Redis Sentinel.
 *
 * SENTINEL GET-MASTER-ADDR-BY-NAME answers the address the Sentinel
 * holds for the master now: the old master until a failover is decided,
 * the promoted replica from then on, and nil for a name it does not
 * monitor. A Sentinel that cannot be reached, or that does not know the
 * name, is passed over for the next one; the one that answered is asked
 * first next time, over the same connection. The caller still checks the
 * node's ROLE before it writes: a Sentinel's view can be stale.
 */
#include "store/redis_sentinel.h"

#include <stdio.h>
#include <string.h>

void
redis_sentinel_init(struct redis_sentinel *st, const struct timeval *timeout,
    char *err, size_t errlen)
{
	memset(st, 0, sizeof(*st));
	redis_conn_init(&st->conn, timeout, err, errlen);
}

void
redis_sentinel_close(struct redis_sentinel *st)
{
	redis_conn_close(&st->conn);
}

void
redis_sentinel_next(struct redis_sentinel *st, const struct redis_url *u)
{
	redis_conn_close(&st->conn);
	st->cur = (st->cur + 1) % u->nnodes;
}

/* Connect to Sentinel i of u and log in with the Sentinels' login. */
static int
connect_sentinel(struct redis_sentinel *st, const struct redis_url *u, int i)
{
	const struct redis_node *n = &u->nodes[i];

	if (redis_conn_open(&st->conn, n->host, n->port, NULL) == -1 ||
	    redis_conn_login(&st->conn, u->sentinel_user, u->sentinel_password,
		0) == -1)
		return -1;
	st->cur = i;
	return 0;
}

/* 1 with the address, 0 if this Sentinel does not know the master, -1. */
static int
ask(struct redis_sentinel *st, const struct redis_url *u, char host[256],
    int *port)
{
	const char     *argv[3] = { "SENTINEL", "get-master-addr-by-name",
		    u->master };
	enum redis_fail f;
	redisReply     *r;
	int		rv = -1;

	if ((r = redis_conn_argv(&st->conn, 3, argv, &f)) == NULL)
		return -1;
	if (r->type == REDIS_REPLY_NIL ||
	    (r->type == REDIS_REPLY_ARRAY && r->elements == 0)) {
		snprintf(st->conn.err, st->conn.errlen,
		    "sentinel %s does not know master %s", st->conn.node,
		    u->master);
		rv = 0;
	} else if (r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
	    r->element[0]->type == REDIS_REPLY_STRING &&
	    r->element[1]->type == REDIS_REPLY_STRING &&
	    r->element[0]->len > 0 && r->element[0]->len < 256 &&
	    sscanf(r->element[1]->str, "%d", port) == 1 && *port > 0 &&
	    *port < 65536) {
		memcpy(host, r->element[0]->str, r->element[0]->len);
		host[r->element[0]->len] = '\0';
		rv = 1;
	} else
		snprintf(st->conn.err, st->conn.errlen,
		    "sentinel %s: unexpected reply", st->conn.node);
	freeReplyObject(r);
	return rv;
}

int
redis_sentinel_master(struct redis_sentinel *st, const struct redis_url *u,
    char host[256], int *port)
{
	char last[256] = "";
	int  i, k, rv, unknown = 0;

	for (k = 0; k < u->nnodes; k++) {
		i = (st->cur + k) % u->nnodes;
		if (k > 0 || !redis_conn_alive(&st->conn)) {
			if (connect_sentinel(st, u, i) == -1) {
				snprintf(last, sizeof(last), "%s",
				    st->conn.err);
				continue;
			}
		}
		if ((rv = ask(st, u, host, port)) == 1)
			return 0;
		unknown += rv == 0;
		snprintf(last, sizeof(last), "%s", st->conn.err);
		redis_conn_close(&st->conn);
	}
	if (unknown > 0)
		snprintf(st->conn.err, st->conn.errlen,
		    "sentinel: no Sentinel knows master %s (%d asked, %d "
		    "answered)",
		    u->master, u->nnodes, unknown);
	else
		snprintf(st->conn.err, st->conn.errlen,
		    "sentinel: no Sentinel answered for master %s (last: %s)",
		    u->master, last);
	return -1;
}
