/* server.h: the FastCGI loop: threads, accept, signals, reloads. */
#ifndef SG_SERVER_H
#define SG_SERVER_H

#include "config.h"

/*
 * Serve listen_fd with cfg->threads workers until SIGTERM (or SIGINT);
 * SIGHUP re-reads file. Takes ownership of cfg. Returns the exit status.
 */
int	server_run(int listen_fd, const char *file, struct config *cfg);

#endif
