/*
 * sessgate: the FastCGI daemon, both roles in one program. Reads the
 * configuration, finds its listening socket (fd 0 when a web server or
 * systemd started it with one, else `listen`), and runs the supervisor,
 * which runs the worker processes on it.
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
#include "daemon/preflight.h"
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

/* The listening socket: fd 0 if we were given one, else `listen`. */
static int
open_listener(const struct config *cfg, int *spawned)
{
	if ((*spawned = listen_is_socket(0)))
		return 0;
	return listen_open(&cfg->listen_addr, cfg->socket_mode, BACKLOG);
}

/* The path of the Unix socket we made ourselves, to remove at exit. */
static char *
unix_socket_path(const struct config *cfg, int spawned)
{
	if (spawned || !cfg->listen_addr.is_unix)
		return NULL;
	return strdup(cfg->listen_addr.path);
}

int
main(int argc, char **argv)
{
	struct config cfg;
	const char   *file = SYSCONFDIR "/sessgate.conf";
	char	      err[CONFIG_ERRLEN];
	char	     *unix_path, abs_file[PATH_MAX];
	int	      ch, check_only = 0, foreground = 0, fd, spawned, rv;

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
		printf("configuration OK\n");
		config_free(&cfg);
		return 0;
	}
	/* SIGHUP reads it again, after daemon() moved us to / */
	if (realpath(file, abs_file) == NULL) {
		fprintf(stderr, "sessgate: %s: %s\n", file, strerror(errno));
		return 1;
	}
	file = abs_file;
	log_init(foreground);
	if (!cfg.keys.secret)
		log_warnx("no secret_file: a cookie's user tag is a public "
			  "hash of the user name (see sessgate.conf(5))");
	if (preflight_redis(&cfg) == -1) { /* logged */
		if (!foreground)
			fprintf(stderr,
			    "sessgate: Redis may evict keys "
			    "(maxmemory-policy): not started\n");
		return 1;
	}
	if ((fd = open_listener(&cfg, &spawned)) == -1)
		return 1;
	/* Detach only when we opened our own socket and were not told -d. */
	if (!foreground && !spawned && daemon(0, 0) == -1) {
		log_warn("daemon");
		return 1;
	}
	unix_path = unix_socket_path(&cfg, spawned);
	rv = supervisor_run(fd, spawned, file, &cfg);
	if (unix_path != NULL) { /* ours: leave no stale socket behind */
		unlink(unix_path);
		free(unix_path);
	}
	return rv;
}
