/*
 * ctl_check.c: sessgatectl check. Connects to Redis the way sessgate
 * does, with the configured credentials, and says step by step what
 * works: connected, authenticated, database selected, PING, the
 * maxmemory-policy (sessgate refuses anything but noeviction), and how
 * many keys lie under key_prefix, and whether the users in Redis were
 * made under the configured secret_file (its fingerprint, secret_id.c:
 * under another one, every login fails). For sentinel:// and cluster:// the
 * store itself is asked (PING of every master, the policy); the steps of
 * one connection are then the store's business and keys are not counted.
 * Exit 0 if sessgate could run on it, 1 at the first step that fails.
 */
#include "ctl_check.h"

#include <stdio.h>
#include <string.h>

#include "session/secret_id.h"
#include "store/redis_conn.h"

#define SCAN_BATCH "1000"

static int
failed(const char *what, const char *why)
{
	fflush(stdout); /* the steps that worked come first */
	fprintf(stderr, "FAILED: %s: %s\n", what, why);
	return 1;
}

/* key_prefix as a SCAN MATCH pattern: its glob characters escaped, '*'. */
static void
prefix_pattern(const char *prefix, char *out, size_t len)
{
	size_t o = 0;

	for (; *prefix != '\0' && o + 3 < len; prefix++) {
		if (strchr("*?[]\\", *prefix) != NULL)
			out[o++] = '\\';
		out[o++] = *prefix;
	}
	out[o++] = '*';
	out[o] = '\0';
}

/* The keys under key_prefix, by SCAN; -1 with err set. */
static long long
count_keys(struct redis_conn *rc, const char *prefix)
{
	char		cursor[32] = "0", pattern[160];
	const char     *argv[6] = { "SCAN", cursor, "MATCH", pattern, "COUNT",
		    SCAN_BATCH };
	enum redis_fail f;
	redisReply     *r;
	long long	n = 0;

	prefix_pattern(prefix, pattern, sizeof(pattern));
	do {
		if ((r = redis_conn_argv(rc, 6, argv, &f)) == NULL)
			return -1;
		if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
		    r->element[0]->type != REDIS_REPLY_STRING ||
		    r->element[1]->type != REDIS_REPLY_ARRAY) {
			freeReplyObject(r);
			snprintf(rc->err, rc->errlen, "unexpected SCAN reply");
			return -1;
		}
		snprintf(cursor, sizeof(cursor), "%s", r->element[0]->str);
		n += (long long)r->element[1]->elements;
		freeReplyObject(r);
	} while (strcmp(cursor, "0") != 0);
	return n;
}

/* One command that must answer (PING: its answer printed). */
static int
step(struct redis_conn *rc, const char *what, int argc, const char **argv)
{
	enum redis_fail f;
	redisReply     *r;

	if ((r = redis_conn_argv(rc, argc, argv, &f)) == NULL)
		return failed(what, rc->err);
	if (strcmp(what, "PING") == 0)
		printf("ok: PING answered %s\n",
		    r->type == REDIS_REPLY_STATUS ? r->str : "(unexpected)");
	freeReplyObject(r);
	return 0;
}

/* Connect, AUTH, SELECT and PING on one connection, saying each. */
static int
login_steps(const struct redis_url *u, struct redis_conn *rc)
{
	char	    db[16];
	const char *sel[2] = { "SELECT", db }, *ping[1] = { "PING" };

	if (redis_conn_open(rc, u->host, u->port,
		u->is_unix ? u->path : NULL) == -1)
		return failed("connect", rc->err);
	printf("ok: connected to %s\n", rc->node);
	if (u->password[0] == '\0')
		printf("ok: no password configured: none sent\n");
	else if (redis_conn_login(rc, u->user, u->password, 0) == -1)
		return failed("authenticate", rc->err);
	else
		printf("ok: authenticated as %s\n",
		    u->user[0] ? u->user : "default");
	snprintf(db, sizeof(db), "%d", u->db);
	if (u->db != 0) {
		if (step(rc, "SELECT", 2, sel) != 0)
			return 1;
		printf("ok: database %d selected\n", u->db);
	}
	return step(rc, "PING", 1, ping);
}

/* The policy: noeviction, or why sessgate will not start (exit 1). */
static int
policy_step(struct store *s)
{
	char policy[64];

	if (store_maxmemory_policy(s, policy, sizeof(policy)) != SG_OK) {
		printf("warning: maxmemory-policy not readable (%s): make "
		       "sure it is noeviction\n",
		    store_error(s));
		return 0;
	}
	if (strcmp(policy, "noeviction") != 0) {
		fflush(stdout);
		fprintf(stderr,
		    "FAILED: maxmemory-policy is %s, not noeviction: sessgate "
		    "refuses to start (README, \"Redis must not evict\")\n",
		    policy);
		return 1;
	}
	printf("ok: maxmemory-policy noeviction\n");
	return 0;
}

/* The secret's fingerprint in Redis: this configuration's, or none yet. */
static int
secret_step(const struct config *cfg, struct store *s)
{
	char mine[USER_SECRET_IDLEN + 1], theirs[USER_SECRET_IDLEN + 1];
	char msg[SECRET_ID_MSGLEN], line[SECRET_ID_MSGLEN + 64];

	switch (secret_id_match(s, &cfg->keys, mine, theirs)) {
	case SECRET_ID_SAME:
		printf("ok: secret_file: the users in Redis were made under it "
		       "(fingerprint %s)\n",
		    mine);
		return 0;
	case SECRET_ID_NONE:
		printf("ok: secret_file: no fingerprint in Redis yet "
		       "(%ssecret-id; the next login or user add writes it)\n",
		    cfg->key_prefix);
		return 0;
	case SECRET_ID_OTHER:
		secret_id_mismatch(msg, sizeof(msg), cfg->key_prefix,
		    "this configuration's", mine, theirs);
		snprintf(line, sizeof(line),
		    "%s: logins will fail (README, \"Troubleshooting\")", msg);
		return failed("secret_file", line);
	default:
		return failed("secret_file fingerprint", store_error(s));
	}
}

int
ctl_check(const struct config *cfg, struct store *s)
{
	const struct redis_url *u = &cfg->redis_url;
	struct redis_conn	rc;
	struct timeval		tv;
	char			err[512];
	long long		n;
	int			rv;

	if (u->is_sentinel || u->is_cluster) {
		if (store_ping(s) != SG_OK)
			return failed("PING of every master", store_error(s));
		printf("ok: every master answers PING\n");
		if (policy_step(s) != 0)
			return 1;
		return secret_step(cfg, s);
	}
	tv.tv_sec = cfg->redis_timeout / 1000;
	tv.tv_usec = (cfg->redis_timeout % 1000) * 1000;
	redis_conn_init(&rc, &tv, err, sizeof(err));
	if ((rv = login_steps(u, &rc)) == 0 && (rv = policy_step(s)) == 0) {
		if ((n = count_keys(&rc, cfg->key_prefix)) < 0)
			rv = failed("SCAN", err);
		else
			printf("ok: %lld key%s under %s\n", n,
			    n == 1 ? "" : "s", cfg->key_prefix);
	}
	redis_conn_close(&rc);
	if (rv == 0)
		rv = secret_step(cfg, s);
	return rv;
}
