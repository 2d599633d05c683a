/*
 * redis_conn.h: one connection to one Redis node (a data node or a
 * Sentinel), for the Redis store only: connect, log in, send a command or
 * a script, and say how a failure failed, so that the caller knows
 * whether sending again is safe.
 */
#ifndef SG_STORE_REDIS_CONN_H
#define SG_STORE_REDIS_CONN_H

#include <stddef.h>
#include <sys/time.h>

#include <hiredis/hiredis.h>

#include "store/lua_scripts.h"

/* How a command failed. */
enum redis_fail {
	REDIS_FAIL_NOT_RUN, /* never ran (refused, not sent): resend is safe */
	REDIS_FAIL_LOST,    /* the connection died after sending: it may have
			       run; resend only what may run twice */
	REDIS_FAIL_OTHER,   /* a timeout or a real error: do not resend */
	/* Redis Cluster: never run here, see redirect */
	REDIS_FAIL_MOVED,   /* the slot is served by redirect's node */
	REDIS_FAIL_ASK,	    /* this once, ask redirect's node (ASKING) */
	REDIS_FAIL_TRYAGAIN /* the slot's keys are being moved: retry */
};

/* Where a MOVED or ASK error sends a command. */
struct redis_redirect {
	unsigned int slot;
	char	     host[256];
	int	     port;
};

struct redis_conn {
	redisContext  *c; /* NULL: not connected */
	struct timeval timeout;
	char	       node[300]; /* "HOST:PORT" or the socket path, for logs */
	char	       host[256]; /* the TCP host, "" for a socket */
	int	       port;
	struct redis_redirect redirect; /* after REDIS_FAIL_MOVED or _ASK */
	char		     *err;	/* the owner's last-error buffer */
	size_t		      errlen;
	int		      opened; /* connected at least once */
};

/* Set up a closed connection that reports errors into err. */
void redis_conn_init(struct redis_conn *, const struct timeval *timeout,
    char *err, size_t errlen);
/* Connect to host:port, or to the Unix socket path if path is not NULL. */
int redis_conn_open(struct redis_conn *, const char *host, int port,
    const char *path) __attribute__((warn_unused_result));
/* AUTH (if password is set) and SELECT (if db is not 0); 0 or -1. */
int redis_conn_login(struct redis_conn *, const char *user,
    const char *password, int db) __attribute__((warn_unused_result));
/*
 * Is the connection open, and not closed by the server while it was kept
 * (a restart, a killed client)? A dead one is closed here: 1 or 0.
 */
int redis_conn_alive(struct redis_conn *);
/*
 * Send a command; its reply, or NULL with the error set and *fail saying
 * how it failed. Error replies are failures too.
 */
redisReply *redis_conn_argv(struct redis_conn *, int argc, const char **argv,
    enum redis_fail *fail);
/*
 * Run a script: EVALSHA, then EVAL if Redis answers NOSCRIPT; with asking
 * (on a Redis Cluster ASK target), ASKING before each of them.
 */
redisReply *redis_conn_eval(struct redis_conn *, const struct lua_script *,
    int nkeys, int nargs, const char **args, int asking, enum redis_fail *fail);
/* ASKING, then a command (on a Redis Cluster ASK target). */
redisReply *redis_conn_asking(struct redis_conn *, int argc, const char **argv,
    enum redis_fail *fail);
/* The node's replication role ("master", "slave", "sentinel"); 0 or -1. */
int  redis_conn_role(struct redis_conn *, char *role, size_t rolelen);
void redis_conn_close(struct redis_conn *);

#endif
