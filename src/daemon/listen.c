/*
 * listen.c: the listening socket. libfcgi's FCGX_OpenSocket calls exit()
 * when it cannot bind, and takes permissions from the umask, so the
 * address is checked here first and the socket made with a tight umask
 * before it gets socket_mode (and, for a Unix socket, its name).
 */
#include "daemon/listen.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "core/log.h"

int
listen_is_socket(int fd)
{
	int	  v = 0;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == -1)
		return 0;
	return v != 0;
}

/*
 * The name to bind: PATH~, renamed into place once the socket listens
 * with its mode, so that a client never finds the path refusing
 * connections; PATH itself if PATH~ does not fit or is something else.
 */
static const char *
unix_tmp_name(const char *path, char *tmp, size_t len)
{
	struct stat st;

	if ((size_t)snprintf(tmp, len, "%s~", path) >= len)
		return path;
	if (lstat(tmp, &st) == 0 && !S_ISSOCK(st.st_mode))
		return path;
	unlink(tmp); /* a stale one of an earlier run */
	return tmp;
}

static int
open_unix(const struct listen_addr *a, unsigned int mode, int backlog)
{
	struct stat st;
	char	    tmp[sizeof(a->path)];
	const char *at;
	mode_t	    old;
	int	    fd;

	if (lstat(a->path, &st) == 0 && !S_ISSOCK(st.st_mode)) {
		log_warnx("listen %s: exists and is not a socket", a->path);
		return -1;
	}
	at = unix_tmp_name(a->path, tmp, sizeof(tmp));
	if (at == a->path)
		unlink(a->path); /* a stale socket of an earlier run */
	old = umask(0177);
	fd = FCGX_OpenSocket(at, backlog);
	umask(old);
	if (fd == -1) {
		log_warn("listen %s", at);
		return -1;
	}
	if (chmod(at, mode) == -1 || (at != a->path && rename(at, a->path))) {
		log_warn("listen %s", a->path);
		unlink(at);
		close(fd);
		return -1;
	}
	return fd;
}

static int
open_tcp(const struct listen_addr *a, int backlog)
{
	struct addrinfo hints, *res;
	char		spec[300];
	int		fd, rv;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	if ((rv = getaddrinfo(a->host[0] ? a->host : NULL, a->port, &hints,
		 &res)) != 0) {
		log_warnx("listen %s:%s: %s", a->host, a->port,
		    gai_strerror(rv));
		return -1;
	}
	/* Can we bind it? libfcgi would exit() instead of failing. */
	fd = socket(res->ai_family, SOCK_STREAM, 0);
	rv = 1;
	if (fd != -1)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &rv, sizeof(rv));
	rv = fd == -1 ? -1 : bind(fd, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	if (rv == -1) {
		log_warn("listen %s:%s", a->host, a->port);
		if (fd != -1)
			close(fd);
		return -1;
	}
	close(fd);
	snprintf(spec, sizeof(spec), "%s:%s", a->host, a->port);
	if ((fd = FCGX_OpenSocket(spec, backlog)) == -1)
		log_warn("listen %s", spec);
	return fd;
}

int
listen_open(const struct listen_addr *a, unsigned int mode, int backlog)
{
	return a->is_unix ? open_unix(a, mode, backlog) : open_tcp(a, backlog);
}
