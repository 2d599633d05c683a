/* server.h: the FastCGI loop: threads, accept, signals, reloads. */
#ifndef SG_DAEMON_SERVER_H
#define SG_DAEMON_SERVER_H

#include "config/config.h"

/* Start libfcgi; 0, or -1 (logged). */
int server_init(void);
/*
 * Serve listen_fd with cfg->threads workers until SIGTERM (or SIGINT);
 * SIGHUP re-reads file. Takes ownership of cfg. Returns the exit status.
 */
int server_run(int listen_fd, const char *file, struct config *cfg);

#endif
