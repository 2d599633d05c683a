/*
 * redis_cluster.c: Redis Cluster, kept small (hiredis 0.14 has no cluster
 * client).
 *
 * Every key of one user carries the user's tag in braces, so one script
 * touches one hash slot, and the slot of its first key names the master
 * to send it to. The slot map comes from CLUSTER SLOTS (asked of any node
 * we know, then of the URL's nodes); it is read on first use, again after
 * a node fails or the cluster says it is down, and a MOVED answer moves
 * one slot at once (the whole map is read again when MOVED names a node
 * we did not know). Each master gets one connection of its own, kept.
 * Replicas are never used: they would only answer MOVED, and a check
 * writes (it slides the idle expiry).
 */
#include "store/redis_cluster.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/metrics.h"

/* CRC16-CCITT (XMODEM), as the Redis Cluster specification defines it. */
static unsigned int
crc16(const char *s, size_t len)
{
	unsigned int crc = 0;
	size_t	     i;
	int	     b;

	for (i = 0; i < len; i++) {
		crc ^= (unsigned int)(unsigned char)s[i] << 8;
		for (b = 0; b < 8; b++)
			crc = (crc & 0x8000) ? ((crc << 1) ^ 0x1021) : crc << 1;
		crc &= 0xffff;
	}
	return crc;
}

unsigned int
redis_cluster_slot(const char *key)
{
	const char *open = strchr(key, '{'), *close;

	if (open != NULL && (close = strchr(open + 1, '}')) != NULL &&
	    close > open + 1)
		return crc16(open + 1, (size_t)(close - open - 1)) &
		    (CLUSTER_SLOTS - 1);
	return crc16(key, strlen(key)) & (CLUSTER_SLOTS - 1);
}

void
redis_cluster_init(struct redis_cluster *c, const struct redis_url *url,
    const struct timeval *timeout, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->url = url;
	c->timeout = *timeout;
	c->err = err;
	c->errlen = errlen;
	memset(c->slots, 0xff, sizeof(c->slots));
	c->stale = 1;
}

void
redis_cluster_close(struct redis_cluster *c)
{
	int i;

	for (i = 0; i < c->nnodes; i++)
		redis_conn_close(&c->nodes[i].conn);
	c->nnodes = 0;
}

void
redis_cluster_stale(struct redis_cluster *c)
{
	c->stale = 1;
}

static int
find_node(const struct cluster_node *nodes, int n, const char *host, int port)
{
	int i;

	for (i = 0; i < n; i++)
		if (nodes[i].port == port && strcmp(nodes[i].host, host) == 0)
			return i;
	return -1;
}

/* The node's index in the list, added (not connected) if new; or -1. */
static int
add_node(struct redis_cluster *c, const char *host, int port)
{
	struct cluster_node *n;
	int		     i;

	if ((i = find_node(c->nodes, c->nnodes, host, port)) != -1)
		return i;
	if (c->nnodes == CLUSTER_MAXNODES) {
		snprintf(c->err, c->errlen, "cluster: more than %d masters",
		    CLUSTER_MAXNODES);
		return -1;
	}
	n = &c->nodes[c->nnodes];
	snprintf(n->host, sizeof(n->host), "%s", host);
	n->port = port;
	redis_conn_init(&n->conn, &c->timeout, c->err, c->errlen);
	return c->nnodes++;
}

/* Connect (and log in) to node i unless its kept connection is alive. */
static struct redis_conn *
node_conn(struct redis_cluster *c, int i)
{
	struct cluster_node *n = &c->nodes[i];

	if (redis_conn_alive(&n->conn))
		return &n->conn;
	if (redis_conn_open(&n->conn, n->host, n->port, NULL) == -1 ||
	    redis_conn_login(&n->conn, c->url->user, c->url->password, 0) ==
		-1) {
		c->stale = 1;
		return NULL;
	}
	return &n->conn;
}

/* One CLUSTER SLOTS entry: start, end, then the master's host and port. */
static int
slot_range(const redisReply *e, const char *asked, long long *lo, long long *hi,
    const char **host, int *port)
{
	const redisReply *m;

	if (e->type != REDIS_REPLY_ARRAY || e->elements < 3 ||
	    e->element[0]->type != REDIS_REPLY_INTEGER ||
	    e->element[1]->type != REDIS_REPLY_INTEGER ||
	    (m = e->element[2])->type != REDIS_REPLY_ARRAY || m->elements < 2 ||
	    m->element[0]->type != REDIS_REPLY_STRING ||
	    m->element[1]->type != REDIS_REPLY_INTEGER ||
	    m->element[0]->len >= 256)
		return -1;
	*lo = e->element[0]->integer;
	*hi = e->element[1]->integer;
	*host = m->element[0]->len > 0 ? m->element[0]->str : asked;
	*port = (int)m->element[1]->integer;
	if (*lo < 0 || *hi >= CLUSTER_SLOTS || *lo > *hi || *port <= 0 ||
	    *port > 65535 || strcmp(*host, "?") == 0)
		return -1;
	return 0;
}

/*
 * Take a CLUSTER SLOTS reply as the map: the masters it names keep their
 * connections, the others are closed. 0, or -1 if it is malformed.
 */
static int
take_map(struct redis_cluster *c, const redisReply *r, const char *asked)
{
	struct cluster_node *old;
	const char	    *host;
	long long	     lo, hi, s;
	size_t		     i;
	int		     j, k, n = c->nnodes, port;

	if (r->type != REDIS_REPLY_ARRAY ||
	    (old = malloc(sizeof(c->nodes))) == NULL)
		return -1;
	memcpy(old, c->nodes, sizeof(c->nodes));
	c->nnodes = 0;
	memset(c->slots, 0xff, sizeof(c->slots));
	for (i = 0; i < r->elements; i++) {
		if (slot_range(r->element[i], asked, &lo, &hi, &host, &port) ==
			-1 ||
		    (j = add_node(c, host, port)) == -1)
			continue;
		for (s = lo; s <= hi; s++)
			c->slots[s] = (int16_t)j;
	}
	for (k = 0; k < n; k++) {
		j = find_node(c->nodes, c->nnodes, old[k].host, old[k].port);
		if (j != -1)
			c->nodes[j].conn = old[k].conn;
		else
			redis_conn_close(&old[k].conn);
	}
	free(old);
	metrics_add(M_REDIS_TOPOLOGY, 1);
	return 0;
}

/* CLUSTER SLOTS over conn; 0 with the map taken, or -1. */
static int
ask_map(struct redis_cluster *c, struct redis_conn *conn)
{
	const char     *argv[2] = { "CLUSTER", "SLOTS" };
	char		asked[256];
	enum redis_fail f;
	redisReply     *r;
	int		rv;

	snprintf(asked, sizeof(asked), "%s", conn->host);
	if ((r = redis_conn_argv(conn, 2, argv, &f)) == NULL)
		return -1;
	rv = take_map(c, r, asked);
	freeReplyObject(r);
	if (rv == -1)
		snprintf(c->err, c->errlen,
		    "cluster %s: unexpected CLUSTER SLOTS reply", asked);
	return rv;
}

/* Read the map from the masters we know, else from the URL's nodes. */
static int
load_map(struct redis_cluster *c)
{
	const struct redis_node *u;
	struct redis_conn	 seed, *conn;
	int			 i;

	for (i = 0; i < c->nnodes; i++)
		if ((conn = node_conn(c, i)) != NULL && ask_map(c, conn) == 0)
			goto done;
	redis_conn_init(&seed, &c->timeout, c->err, c->errlen);
	for (i = 0; i < c->url->nnodes; i++) {
		u = &c->url->nodes[i];
		if (redis_conn_open(&seed, u->host, u->port, NULL) == 0 &&
		    redis_conn_login(&seed, c->url->user, c->url->password,
			0) == 0 &&
		    ask_map(c, &seed) == 0) {
			redis_conn_close(&seed);
			goto done;
		}
		redis_conn_close(&seed);
	}
	return -1;
done:
	c->stale = 0;
	return 0;
}

struct redis_conn *
redis_cluster_conn(struct redis_cluster *c, unsigned int slot)
{
	char why[200];

	if (c->stale && load_map(c) == -1) {
		snprintf(why, sizeof(why), "%s", c->err);
		snprintf(c->err, c->errlen,
		    "cluster: no node answered CLUSTER SLOTS (last: %s)", why);
		return NULL;
	}
	if (c->slots[slot] < 0) {
		snprintf(c->err, c->errlen,
		    "cluster: hash slot %u is served by no master", slot);
		c->stale = 1;
		return NULL;
	}
	return node_conn(c, c->slots[slot]);
}

struct redis_conn *
redis_cluster_node(struct redis_cluster *c, const char *host, int port)
{
	int i;

	if ((i = add_node(c, host, port)) == -1)
		return NULL;
	return node_conn(c, i);
}

void
redis_cluster_moved(struct redis_cluster *c, unsigned int slot,
    const char *host, int port)
{
	int i = find_node(c->nodes, c->nnodes, host, port);

	if (i == -1) {
		c->stale = 1;
		if ((i = add_node(c, host, port)) == -1)
			return;
	}
	c->slots[slot] = (int16_t)i;
}
