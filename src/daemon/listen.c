/*
 * listen.c: the listening socket, made here with socket(), bind() and
 * listen() (libfcgi's FCGX_OpenSocket calls exit() when it cannot bind,
 * and takes permissions from the umask). Every failure is one message,
 * "ADDRESS: reason", for the caller to print.
 *
 * A Unix socket's directory is made if it is missing (mode 0755, owned by
 * `user` and `group` when set), so that `listen = unix:/run/sessgate/...`
 * works on a fresh boot where /run is a new tmpfs. The socket is bound
 * under a tight umask, gets socket_mode and socket_owner/socket_group,
 * and only then its name.
 */
#include "daemon/listen.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int
listen_is_socket(int fd)
{
	int	  v = 0;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == -1)
		return 0;
	return v != 0;
}

static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* The directory part of path ("." if none) into dir. */
static void
parent_dir(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(dir, len, ".");
	else if (slash == path)
		snprintf(dir, len, "/");
	else
		snprintf(dir, len, "%.*s", (int)(slash - path), path);
}

/* Make one directory of the socket's path, or accept the one there. */
static int
make_one(const char *dir, const struct listen_opts *o, char *err, size_t errlen)
{
	struct stat st;

	if (mkdir(dir, 0755) == 0) {
		/* 0755 whatever the umask: the web server must reach in */
		if (chmod(dir, 0755) == -1 ||
		    ((o->dir_uid != (uid_t)-1 || o->dir_gid != (gid_t)-1) &&
			chown(dir, o->dir_uid, o->dir_gid) == -1))
			return fail(err, errlen, "%s: %s", dir,
			    strerror(errno));
		return 0;
	}
	if (errno != EEXIST)
		return fail(err, errlen, "cannot create %s: %s", dir,
		    strerror(errno));
	if (stat(dir, &st) == -1 || !S_ISDIR(st.st_mode))
		return fail(err, errlen, "%s: not a directory", dir);
	return 0;
}

/* mkdir -p of the directory that will hold the socket path. */
static int
make_parent(const char *path, const struct listen_opts *o, char *err,
    size_t errlen)
{
	char	    dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char	   *p;
	struct stat st;

	parent_dir(path, dir, sizeof(dir));
	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	for (p = dir + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (make_one(dir, o, err, errlen) == -1)
			return -1;
		*p = '/';
	}
	return make_one(dir, o, err, errlen);
}

int
listen_check_dir(const struct listen_addr *a, char *err, size_t errlen)
{
	char	    dir[sizeof(a->path)];
	struct stat st;
	char	   *slash;

	if (!a->is_unix)
		return 0;
	parent_dir(a->path, dir, sizeof(dir));
	for (;;) { /* the first directory on the way that exists */
		if (stat(dir, &st) == 0)
			break;
		if (errno != ENOENT && errno != ENOTDIR)
			return fail(err, errlen, "unix:%s: %s: %s", a->path,
			    dir, strerror(errno));
		if ((slash = strrchr(dir, '/')) == NULL)
			snprintf(dir, sizeof(dir), ".");
		else
			slash[slash == dir] = '\0';
	}
	if (!S_ISDIR(st.st_mode))
		return fail(err, errlen, "unix:%s: %s: not a directory",
		    a->path, dir);
	if (access(dir, W_OK | X_OK) == -1)
		return fail(err, errlen, "unix:%s: %s: %s", a->path, dir,
		    strerror(errno));
	return 0;
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

/* Bind and listen on a Unix socket named at: the descriptor, or -1. */
static int
bind_unix(const char *at, int backlog)
{
	struct sockaddr_un sun;
	mode_t		   old;
	int		   fd, rv, saved;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", at);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	old = umask(0177);
	rv = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rv == -1 || listen(fd, backlog) == -1) {
		saved = errno;
		if (rv == 0)
			unlink(at);
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/* socket_mode, socket_owner and socket_group of the socket named at. */
static int
set_owner(const char *at, const struct listen_opts *o)
{
	if (chmod(at, o->mode) == -1)
		return -1;
	if (o->sock_uid == (uid_t)-1 && o->sock_gid == (gid_t)-1)
		return 0;
	return chown(at, o->sock_uid, o->sock_gid);
}

static int
open_unix(const struct listen_addr *a, const struct listen_opts *o, char *err,
    size_t errlen)
{
	struct stat st;
	char	    tmp[sizeof(a->path)], why[300];
	const char *at;
	int	    fd;

	if (lstat(a->path, &st) == 0 && !S_ISSOCK(st.st_mode))
		return fail(err, errlen, "unix:%s: exists and is not a socket",
		    a->path);
	if (make_parent(a->path, o, why, sizeof(why)) == -1)
		return fail(err, errlen, "unix:%s: %s", a->path, why);
	at = unix_tmp_name(a->path, tmp, sizeof(tmp));
	if (at == a->path)
		unlink(a->path); /* a stale socket of an earlier run */
	if ((fd = bind_unix(at, o->backlog)) == -1)
		return fail(err, errlen, "unix:%s: %s", at, strerror(errno));
	if (set_owner(at, o) == -1 ||
	    (at != a->path && rename(at, a->path) == -1)) {
		fail(err, errlen, "unix:%s: %s", a->path, strerror(errno));
		unlink(at);
		close(fd);
		return -1;
	}
	return fd;
}

static int
open_tcp(const struct listen_addr *a, int backlog, char *err, size_t errlen)
{
	struct addrinfo hints, *res;
	int		fd, rv, one = 1, saved;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	if ((rv = getaddrinfo(a->host, a->port, &hints, &res)) != 0)
		return fail(err, errlen, "%s:%s: %s", a->host, a->port,
		    gai_strerror(rv));
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    bind(fd, res->ai_addr, res->ai_addrlen) == -1 ||
	    listen(fd, backlog) == -1) {
		saved = errno;
		if (fd != -1)
			close(fd);
		freeaddrinfo(res);
		return fail(err, errlen, "%s:%s: %s", a->host, a->port,
		    strerror(saved));
	}
	freeaddrinfo(res);
	return fd;
}

int
listen_open(const struct listen_addr *a, const struct listen_opts *o, char *err,
    size_t errlen)
{
	return a->is_unix ? open_unix(a, o, err, errlen) :
			    open_tcp(a, o->backlog, err, errlen);
}
