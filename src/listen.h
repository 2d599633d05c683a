/* listen.h: the `listen` address, and the listening socket. */
#ifndef SG_LISTEN_H
#define SG_LISTEN_H

#include <stddef.h>

struct listen_addr {
	int	 is_unix;
	char	 path[108];	/* unix: */
	char	 host[256];	/* HOST:PORT; "" means every address */
	char	 port[8];
};

/* Parse unix:PATH or HOST:PORT (IPv4 or a name); 0, or -1 with err set. */
int	listen_parse(struct listen_addr *, const char *s, char *err,
	    size_t errlen);
/* 1 if fd is a listening socket (we were spawned with it on fd 0). */
int	listen_is_socket(int fd);
/* Open the listening socket (validated first: libfcgi exit()s on errors). */
int	listen_open(const struct listen_addr *, unsigned int mode, int backlog);

#endif
