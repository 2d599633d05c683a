/*
 * sessgate: the FastCGI daemon, both roles in one program. Reads the
 * configuration, finds its listening socket (fd 0 when a web server or
 * systemd started it with one, else `listen`), becomes `user` if started
 * as root, and runs the supervisor, which runs the worker processes on it.
 * What stops it before it serves is one line on stderr and exit 1.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "config/config.h"
#include "core/log.h"
#include "daemon/listen.h"
#include "daemon/notify.h"
#include "daemon/preflight.h"
#include "daemon/privs.h"
#include "daemon/supervisor.h"

#define BACKLOG 128

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: sessgate [-c FILE] [-d] [-n] [-V] [-h]\n"
	    "  -c FILE  configuration file (default: %s/sessgate.conf)\n"
	    "  -n       check the configuration and exit\n"
	    "  -d       stay in the foreground and log to stderr\n"
	    "  -V       print the version\n",
	    SYSCONFDIR);
	exit(status);
}

/* A reason not to start: on stderr, and in syslog if that is the log. */
static int
fatal(int foreground, const char *msg)
{
	if (!foreground)
		fprintf(stderr, "sessgate: %s\n", msg);
	log_errx("%s", msg);
	return 1;
}

/* The listening socket: fd 0 if we were given one, else `listen`. */
static int
open_listener(const struct config *cfg, const struct privs *p, int *spawned,
    char *err, size_t errlen)
{
	struct listen_opts o = { cfg->socket_mode, BACKLOG, p->sock_uid,
		p->sock_gid, p->uid, p->gid };

	if ((*spawned = listen_is_socket(0)))
		return 0;
	return listen_open(&cfg->listen_addr, &o, err, errlen);
}

/*
 * sessgate -n: the file, and what can be checked without Redis: the
 * accounts, that the socket's directory is there or can be made, and,
 * started as root with `user`, that the user can read what a reload reads.
 */
static int
check_offline(const struct config *cfg, const char *file)
{
	struct privs p;
	char	     err[CONFIG_ERRLEN];

	if (privs_resolve(cfg, &p, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s:0: %s\n", file, err);
		return 1;
	}
	if (!listen_is_socket(0) &&
	    listen_check_dir(&cfg->listen_addr, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s:%u: listen %s\n", file, cfg->listen_line,
		    err);
		return 1;
	}
	if (privs_check_as_user(&p, file, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s (as user %s)\n", err,
		    cfg->user ? cfg->user : "root");
		return 1;
	}
	printf("configuration OK\n");
	return 0;
}

/*
 * Give up root once the socket is bound; then what a reload reads must be
 * readable as the user we became, or the first SIGHUP would fail.
 */
static int
become_user(const struct config *cfg, const struct privs *p, const char *file,
    int foreground)
{
	struct config again;
	char	      err[CONFIG_ERRLEN], msg[CONFIG_ERRLEN + 64];
	int	      rv;

	if ((rv = privs_drop(p, err, sizeof(err))) == -1)
		return fatal(foreground, err);
	if (rv == 1 && config_load(&again, file, err, sizeof(err)) == -1) {
		snprintf(msg, sizeof(msg), "%s (as user %s)", err, cfg->user);
		return fatal(foreground, msg);
	}
	if (rv == 1)
		config_free(&again);
	if (geteuid() == 0)
		log_warnx("running as root: set user (and group) in %s to run "
			  "as an unprivileged user once the socket is bound",
		    file);
	return 0;
}

/* The path of the Unix socket we made ourselves, to remove at exit. */
static char *
unix_socket_path(const struct config *cfg, int spawned)
{
	if (spawned || !cfg->listen_addr.is_unix)
		return NULL;
	return strdup(cfg->listen_addr.path);
}

/* Open the socket, become the user, check Redis, and serve until stopped. */
static int
serve(struct config *cfg, const char *file, int foreground)
{
	struct privs privs;
	char	     err[CONFIG_ERRLEN], *unix_path;
	int	     fd, spawned, rv = 1;

	if (privs_resolve(cfg, &privs, err, sizeof(err)) == -1)
		return fatal(foreground, err);
	if ((fd = open_listener(cfg, &privs, &spawned, err, sizeof(err))) == -1)
		return fatal(foreground, err);
	unix_path = unix_socket_path(cfg, spawned);
	if (become_user(cfg, &privs, file, foreground) != 0)
		goto out;
	if (preflight_redis(cfg) == -1) { /* logged */
		if (!foreground)
			fprintf(stderr,
			    "sessgate: Redis may evict keys "
			    "(maxmemory-policy): not started\n");
		goto out;
	}
	if (!cfg->keys.secret)
		log_warnx("no secret_file: a cookie's user tag is a public "
			  "hash of the user name (see sessgate.conf(5))");
	/* Detach only when we opened our own socket and were not told -d. */
	if (!foreground && !spawned && daemon(0, 0) == -1) {
		log_err("daemon");
		goto out;
	}
	rv = supervisor_run(fd, spawned, file, cfg); /* frees cfg */
out:
	if (unix_path != NULL) { /* ours: leave no stale socket behind */
		unlink(unix_path);
		free(unix_path);
	}
	return rv;
}

int
main(int argc, char **argv)
{
	struct config cfg;
	const char   *file = SYSCONFDIR "/sessgate.conf";
	char	      err[CONFIG_ERRLEN], abs_file[PATH_MAX];
	int	      ch, check_only = 0, foreground = 0, rv;

	while ((ch = getopt(argc, argv, "c:dnVh")) != -1) {
		switch (ch) {
		case 'c':
			file = optarg;
			break;
		case 'd':
			foreground = 1;
			break;
		case 'n':
			check_only = 1;
			break;
		case 'V':
			printf("sessgate %s\n", PACKAGE_VERSION_STR);
			return 0;
		case 'h':
			usage(0);
			break;
		default:
			usage(2);
		}
	}
	if (optind != argc)
		usage(2);
	if (sodium_init() == -1) {
		fprintf(stderr, "sessgate: libsodium failed to start\n");
		return 1;
	}
	if (config_load(&cfg, file, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (check_only) {
		rv = check_offline(&cfg, file);
		config_free(&cfg);
		return rv;
	}
	/* SIGHUP reads it again, after daemon() moved us to / */
	if (realpath(file, abs_file) == NULL) {
		fprintf(stderr, "sessgate: %s: %s\n", file, strerror(errno));
		return 1;
	}
	file = abs_file;
	log_init(foreground);
	notify_init(); /* before giving up root: the socket may be root's */
	rv = serve(&cfg, file, foreground);
	config_free(&cfg);
	return rv;
}
