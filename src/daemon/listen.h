/* listen.h: the listening socket. */
#ifndef SG_DAEMON_LISTEN_H
#define SG_DAEMON_LISTEN_H

#include "config/listen_addr.h"

/* 1 if fd is a listening socket (we were spawned with it on fd 0). */
int listen_is_socket(int fd);
/* Open the listening socket (validated first: libfcgi exit()s on errors). */
int listen_open(const struct listen_addr *, unsigned int mode, int backlog);

#endif
