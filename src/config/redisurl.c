/*
 * redisurl.c: parsing the `redis` configuration value, so that a bad URL
 * is a configuration error (with its line) rather than a runtime surprise.
 */
#include "config/redisurl.h"

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

static int
parse_auth(struct redis_url *u, const char *s, size_t len, char *err,
    size_t errlen)
{
	const char *colon = memchr(s, ':', len);

	if (colon == NULL)
		return fail(err, errlen, "expected [USER]:PASSWORD@");
	if (text_pct_decode(u->user, sizeof(u->user), s, (size_t)(colon - s),
		0) == -1 ||
	    text_pct_decode(u->password, sizeof(u->password), colon + 1,
		len - (size_t)(colon - s) - 1, 0) == -1)
		return fail(err, errlen, "bad user or password");
	return 0;
}

static int
parse_hostport(struct redis_url *u, const char *s, size_t len, char *err,
    size_t errlen)
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
	if (hend == s || (size_t)(hend - s) >= sizeof(u->host))
		return fail(err, errlen, "missing or too long host");
	memcpy(u->host, s, (size_t)(hend - s));
	u->host[hend - s] = '\0';
	u->port = 6379;
	if (port != NULL &&
	    (parse_num(port, (size_t)(end - port), 65535, &u->port) == -1 ||
		u->port == 0))
		return fail(err, errlen, "bad port");
	return 0;
}

int
redis_url_parse(struct redis_url *u, const char *s, char *err, size_t errlen)
{
	const char *p, *at, *slash;

	memset(u, 0, sizeof(*u));
	if (strncmp(s, "unix:", 5) == 0)
		return parse_unix(u, s + 5, err, errlen);
	if (strncmp(s, "redis://", 8) != 0)
		return fail(err, errlen,
		    "expected redis://HOST:PORT[/DB] or unix:PATH");
	p = s + 8;
	slash = strchr(p, '/');
	at = memchr(p, '@', slash != NULL ? (size_t)(slash - p) : strlen(p));
	if (at != NULL) {
		if (parse_auth(u, p, (size_t)(at - p), err, errlen) == -1)
			return -1;
		p = at + 1;
	}
	if (parse_hostport(u, p,
		slash != NULL ? (size_t)(slash - p) : strlen(p), err,
		errlen) == -1)
		return -1;
	if (slash != NULL && slash[1] != '\0' &&
	    parse_num(slash + 1, strlen(slash + 1), 1000000, &u->db) == -1)
		return fail(err, errlen, "bad database number");
	return 0;
}

int
redis_url_password(struct redis_url *u, const char *line)
{
	const char *sp = strchr(line, ' ');
	int	    n;

	if (sp == NULL)
		n = snprintf(u->password, sizeof(u->password), "%s", line);
	else {
		if ((size_t)(sp - line) >= sizeof(u->user))
			return -1;
		memcpy(u->user, line, (size_t)(sp - line));
		u->user[sp - line] = '\0';
		n = snprintf(u->password, sizeof(u->password), "%s", sp + 1);
	}
	return (n < 0 || (size_t)n >= sizeof(u->password)) ? -1 : 0;
}
