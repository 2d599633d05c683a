/* listen_addr.h: the `listen` address. */
#ifndef SG_CONFIG_LISTEN_ADDR_H
#define SG_CONFIG_LISTEN_ADDR_H

#include <stddef.h>
#include <sys/un.h>

struct listen_addr {
	int  is_unix;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)]; /* unix: */
	char host[256]; /* HOST:PORT; never empty (0.0.0.0: every address) */
	char port[8];
};

/* Parse unix:PATH or HOST:PORT (IPv4 or a name); 0, or -1 with err set. */
int listen_addr_parse(struct listen_addr *, const char *s, char *err,
    size_t errlen);

#endif
