/* listen.h: the listening socket. */
#ifndef SG_DAEMON_LISTEN_H
#define SG_DAEMON_LISTEN_H

#include <sys/types.h>

#include "config/listen_addr.h"

/* How to make a socket; (uid_t)-1 and (gid_t)-1 leave an owner as is. */
struct listen_opts {
	unsigned int mode; /* socket_mode */
	int	     backlog;
	uid_t	     sock_uid; /* socket_owner */
	gid_t	     sock_gid; /* socket_group */
	uid_t	     dir_uid;  /* a directory made for the socket: user */
	gid_t	     dir_gid;  /* and group */
};

/* 1 if fd is a listening socket (we were spawned with it on fd 0). */
int listen_is_socket(int fd);
/*
 * Open the listening socket, making a Unix socket's directory if needed:
 * the descriptor, or -1 with "ADDRESS: reason" in err.
 */
int listen_open(const struct listen_addr *, const struct listen_opts *,
    char *err, size_t errlen);
/*
 * Could a Unix socket's directory be made, if it is missing, by this
 * process (sessgate -n)? 0, or -1 with a message in err.
 */
int listen_check_dir(const struct listen_addr *, char *err, size_t errlen);

#endif
