/*
 * redisurl.c: parsing the `redis` configuration value, so that a bad URL
 * is a configuration error (with its line) rather than a runtime surprise.
 */
#include "config/redisurl.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"

static int
fail(char *err, size_t errlen, const char *msg)
{
	snprintf(err, errlen, "%s", msg);
	return -1;
}

/* A number of at most max into an int; -1 if it is not one. */
static int
parse_num(const char *s, size_t len, int max, int *out)
{
	unsigned long long v;

	if (text_number(s, len, 10, (unsigned long long)max, &v) == -1)
		return -1;
	*out = (int)v;
	return 0;
}

static int
parse_unix(struct redis_url *u, const char *s, char *err, size_t errlen)
{
	const char *q = strchr(s, '?');
	size_t	    plen = q != NULL ? (size_t)(q - s) : strlen(s);

	if (plen == 0 || s[0] != '/')
		return fail(err, errlen, "unix: needs an absolute path");
	if (plen >= sizeof(u->path))
		return fail(err, errlen, "unix: path too long");
	memcpy(u->path, s, plen);
	u->path[plen] = '\0';
	u->is_unix = 1;
	if (q != NULL &&
	    (strncmp(q, "?db=", 4) != 0 ||
		parse_num(q + 4, strlen(q + 4), 1000000, &u->db) == -1))
		return fail(err, errlen, "unix: expected ?db=N after the path");
	return 0;
}

/* [USER]:PASSWORD, percent-decoded into user and password. */
static int
parse_auth(char user[128], char password[256], const char *s, size_t len,
    char *err, size_t errlen)
{
	const char *colon = memchr(s, ':', len);

	if (colon == NULL)
		return fail(err, errlen, "expected [USER]:PASSWORD@");
	if (text_pct_decode(user, 128, s, (size_t)(colon - s), 0) == -1 ||
	    text_pct_decode(password, 256, colon + 1,
		len - (size_t)(colon - s) - 1, 0) == -1)
		return fail(err, errlen, "bad user or password");
	return 0;
}

/* HOST[:PORT] or [ADDR][:PORT] into n; a missing port is defport. */
static int
parse_hostport(struct redis_node *n, int defport, const char *s, size_t len,
    char *err, size_t errlen)
{
	const char *hend, *port = NULL, *end = s + len;

	if (len > 0 && s[0] == '[') {
		if ((hend = memchr(s, ']', len)) == NULL)
			return fail(err, errlen, "unterminated [address]");
		if (hend + 1 < end && hend[1] == ':')
			port = hend + 2;
		else if (hend + 1 != end)
			return fail(err, errlen, "junk after [address]");
		s++;
	} else {
		hend = memchr(s, ':', len);
		if (hend != NULL)
			port = hend + 1;
		else
			hend = s + len;
	}
	if (hend == s || (size_t)(hend - s) >= sizeof(n->host))
		return fail(err, errlen, "missing or too long host");
	memcpy(n->host, s, (size_t)(hend - s));
	n->host[hend - s] = '\0';
	n->port = defport;
	if (port != NULL &&
	    (parse_num(port, (size_t)(end - port), 65535, &n->port) == -1 ||
		n->port == 0))
		return fail(err, errlen, "bad port");
	return 0;
}

/* The userinfo before '@' in s[0..len), if any; *p moves past it. */
static int
parse_userinfo(char user[128], char password[256], const char **p, size_t len,
    char *err, size_t errlen)
{
	const char *at = memchr(*p, '@', len);

	if (at == NULL)
		return 0;
	if (parse_auth(user, password, *p, (size_t)(at - *p), err, errlen) ==
	    -1)
		return -1;
	*p = at + 1;
	return 0;
}

static int
parse_redis(struct redis_url *u, const char *p, char *err, size_t errlen)
{
	struct redis_node n;
	const char	 *slash = strchr(p, '/');
	size_t		  len = slash != NULL ? (size_t)(slash - p) : strlen(p);
	const char	 *start = p;

	if (parse_userinfo(u->user, u->password, &p, len, err, errlen) == -1 ||
	    parse_hostport(&n, 6379, p, len - (size_t)(p - start), err,
		errlen) == -1)
		return -1;
	/* only the name and its terminator: u is zeroed past them */
	memcpy(u->host, n.host, strlen(n.host) + 1);
	u->port = n.port;
	if (slash != NULL && slash[1] != '\0' &&
	    parse_num(slash + 1, strlen(slash + 1), 1000000, &u->db) == -1)
		return fail(err, errlen, "bad database number");
	return 0;
}

/* HOST:PORT[,HOST:PORT...] in s[0..len) into the node list. */
static int
parse_nodes(struct redis_url *u, int defport, const char *s, size_t len,
    char *err, size_t errlen)
{
	const char *end = s + len, *comma;

	for (;;) {
		if ((comma = memchr(s, ',', (size_t)(end - s))) == NULL)
			comma = end;
		if (u->nnodes == REDIS_URL_MAXNODES)
			return fail(err, errlen, "too many nodes (16 at most)");
		if (parse_hostport(&u->nodes[u->nnodes], defport, s,
			(size_t)(comma - s), err, errlen) == -1)
			return -1;
		u->nnodes++;
		if (comma == end)
			return 0;
		s = comma + 1;
	}
}

/* A master name as Sentinel knows it: letters, digits, '.', '_', '-'. */
static int
parse_master(struct redis_url *u, const char *s, size_t len, char *err,
    size_t errlen)
{
	size_t i;

	if (len == 0 || len > REDIS_URL_MASTERNAME_MAX)
		return fail(err, errlen,
		    "sentinel: expected /MASTER (1-127 characters)");
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) &&
		    strchr("._-", s[i]) == NULL)
			return fail(err, errlen,
			    "sentinel: bad character in the master name");
	memcpy(u->master, s, len);
	u->master[len] = '\0';
	return 0;
}

static int
parse_sentinel(struct redis_url *u, const char *p, char *err, size_t errlen)
{
	const char *slash = strchr(p, '/'), *db;

	if (slash == NULL)
		return fail(err, errlen,
		    "sentinel: expected sentinel://HOST:PORT[,HOST:PORT...]/MASTER[/DB]");
	if (parse_userinfo(u->sentinel_user, u->sentinel_password, &p,
		(size_t)(slash - p), err, errlen) == -1 ||
	    parse_nodes(u, REDIS_SENTINEL_PORT, p, (size_t)(slash - p), err,
		errlen) == -1)
		return -1;
	db = strchr(slash + 1, '/');
	if (parse_master(u, slash + 1,
		db != NULL ? (size_t)(db - slash - 1) : strlen(slash + 1), err,
		errlen) == -1)
		return -1;
	if (db != NULL && db[1] != '\0' &&
	    parse_num(db + 1, strlen(db + 1), 1000000, &u->db) == -1)
		return fail(err, errlen, "bad database number");
	u->is_sentinel = 1;
	return 0;
}

/* cluster://[[USER]:PASSWORD@]HOST:PORT[,HOST:PORT...][/]: seed nodes. */
static int
parse_cluster(struct redis_url *u, const char *p, char *err, size_t errlen)
{
	const char *slash = strchr(p, '/');
	size_t	    len = slash != NULL ? (size_t)(slash - p) : strlen(p);
	const char *start = p;

	if (slash != NULL && slash[1] != '\0')
		return fail(err, errlen,
		    "cluster: no database number (a cluster has only 0)");
	if (parse_userinfo(u->user, u->password, &p, len, err, errlen) == -1 ||
	    parse_nodes(u, 6379, p, len - (size_t)(p - start), err, errlen) ==
		-1)
		return -1;
	u->is_cluster = 1;
	return 0;
}

int
redis_url_parse(struct redis_url *u, const char *s, char *err, size_t errlen)
{
	memset(u, 0, sizeof(*u));
	if (strncmp(s, "unix:", 5) == 0)
		return parse_unix(u, s + 5, err, errlen);
	if (strncmp(s, "redis://", 8) == 0)
		return parse_redis(u, s + 8, err, errlen);
	if (strncmp(s, "sentinel://", 11) == 0)
		return parse_sentinel(u, s + 11, err, errlen);
	if (strncmp(s, "cluster://", 10) == 0)
		return parse_cluster(u, s + 10, err, errlen);
	return fail(err, errlen,
	    "expected redis://HOST:PORT[/DB], unix:PATH, "
	    "sentinel://HOST:PORT[,...]/MASTER[/DB] or "
	    "cluster://HOST:PORT[,...]");
}

/*
 * "PASSWORD" (the user stays as it was, from the URL or empty) or
 * "USER PASSWORD" into user and password.
 */
static int
credentials(char user[128], char password[256], const char *line)
{
	const char *sp = strchr(line, ' ');
	int	    n;

	if (sp == NULL)
		n = snprintf(password, 256, "%s", line);
	else {
		if ((size_t)(sp - line) >= 128)
			return -1;
		memcpy(user, line, (size_t)(sp - line));
		user[sp - line] = '\0';
		n = snprintf(password, 256, "%s", sp + 1);
	}
	return (n < 0 || n >= 256) ? -1 : 0;
}

int
redis_url_password(struct redis_url *u, const char *line)
{
	return credentials(u->user, u->password, line);
}

int
redis_url_sentinel_password(struct redis_url *u, const char *line)
{
	return credentials(u->sentinel_user, u->sentinel_password, line);
}
