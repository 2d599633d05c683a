/* server.h: a worker process: the acceptor and the FastCGI threads. */
#ifndef SG_DAEMON_SERVER_H
#define SG_DAEMON_SERVER_H

#include "config/config.h"

/* Exit status of a worker whose listening socket failed. */
#define SERVER_EXIT_LISTEN 3

/*
 * Serve listen_fd with cfg->threads threads until SIGTERM (or SIGINT);
 * on_ready is called once connections are taken, on_stop once no new
 * connection is accepted. Returns the
 * worker's exit status: 0, 1 if it could not start, or
 * SERVER_EXIT_LISTEN. If threads still hold requests after the grace
 * period, it _exit()s with that status instead of returning.
 */
int server_run(int listen_fd, const struct config *cfg, void (*on_ready)(void),
    void (*on_stop)(void));

#endif
