/*
 * notify.c: the sd_notify protocol (sd_notify(3), "Description"): a
 * datagram of newline-separated VARIABLE=VALUE assignments, sent to the
 * AF_UNIX socket named by $NOTIFY_SOCKET (a path, or with a leading '@'
 * an abstract name). systemd takes it from the service's main process
 * (NotifyAccess=main): the parent, which with -d is the process systemd
 * started, sends them all; workers never do.
 *
 * RELOADING=1 carries MONOTONIC_USEC, which systemd 253's Type=notify-
 * reload asks for and older versions ignore.
 */
#include "daemon/notify.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"

static int		  fd = -1;
static struct sockaddr_un to;
static socklen_t	  tolen;

void
notify_init(void)
{
	const char *v = getenv("NOTIFY_SOCKET");
	size_t	    len;

	if (v == NULL || v[0] == '\0')
		return;
	len = strlen(v);
	if ((v[0] != '/' && v[0] != '@') || len >= sizeof(to.sun_path)) {
		log_warnx("NOTIFY_SOCKET %s: not a socket path; systemd will "
			  "not hear from sessgate",
		    v);
		unsetenv("NOTIFY_SOCKET");
		return;
	}
	memset(&to, 0, sizeof(to));
	to.sun_family = AF_UNIX;
	memcpy(to.sun_path, v, len);
	if (v[0] == '@')
		to.sun_path[0] = '\0';
	tolen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len +
	    (v[0] == '/'));
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		log_warn("NOTIFY_SOCKET: socket");
	unsetenv("NOTIFY_SOCKET");
}

void
notify_send(const char *state)
{
	struct timespec ts;
	char		msg[256];
	int		n;

	if (fd == -1)
		return;
	if (strcmp(state, "RELOADING=1") == 0 &&
	    clock_gettime(CLOCK_MONOTONIC, &ts) == 0)
		n = snprintf(msg, sizeof(msg), "%s\nMONOTONIC_USEC=%llu", state,
		    (unsigned long long)ts.tv_sec * 1000000ULL +
			(unsigned long long)ts.tv_nsec / 1000);
	else
		n = snprintf(msg, sizeof(msg), "%s", state);
	if (n < 0 || (size_t)n >= sizeof(msg))
		return;
	if (sendto(fd, msg, (size_t)n, MSG_NOSIGNAL, (struct sockaddr *)&to,
		tolen) == -1)
		log_warn("telling systemd %s", state);
}
