/*
 * privs.h: who sessgate runs as. Started as root, it binds its socket
 * and then becomes `user` and `group`; the socket and a directory made
 * for it get their owners from the configuration.
 */
#ifndef SG_DAEMON_PRIVS_H
#define SG_DAEMON_PRIVS_H

#include <sys/types.h>

#include "config/config.h"

/* The configuration's accounts, resolved; (uid_t)-1, (gid_t)-1: unset. */
struct privs {
	uid_t uid; /* user */
	gid_t gid; /* group, or user's primary group */
	uid_t sock_uid;
	gid_t sock_gid;
};

/* Resolve user, group, socket_owner, socket_group: 0, or -1 with err. */
int privs_resolve(const struct config *, struct privs *, char *err,
    size_t errlen);
/*
 * Become user and group (as root: supplementary groups, gid, uid), or,
 * not root, make sure we are them already. 1 if the process changed who
 * it is, 0 if not, -1 with err.
 */
int privs_drop(const struct privs *, char *err, size_t errlen);
/*
 * sessgate -n as root: can user and group read what a reload reads (the
 * configuration file and the files it names)? A child process becomes
 * them and loads file. 0, or -1 with "FILE:LINE: message" in err.
 */
int privs_check_as_user(const struct privs *, const char *file, char *err,
    size_t errlen);

#endif
