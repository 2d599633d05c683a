/* supervisor.h: the parent process, which holds the socket and the workers. */
#ifndef SG_DAEMON_SUPERVISOR_H
#define SG_DAEMON_SUPERVISOR_H

#include "config/config.h"

/*
 * Run cfg->workers worker processes on listen_fd until SIGTERM (or
 * SIGINT), replacing any that dies; SIGHUP re-reads file and replaces
 * the workers with ones that run the new configuration. spawned: the
 * socket came on fd 0 (the listen keys do not apply). Takes ownership of
 * cfg. Returns the exit status.
 */
int supervisor_run(int listen_fd, int spawned, const char *file,
    struct config *cfg);

#endif
