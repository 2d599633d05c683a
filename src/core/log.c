/*
 * log.c: one line per event, to syslog (LOG_DAEMON) or to stderr with -d.
 * Callers never pass a cookie value, a token, a password or a session
 * record: at most a user name, a path and a status.
 */
#include "core/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

static int to_stderr = 1;

void
log_init(int foreground)
{
	to_stderr = foreground;
	if (!foreground)
		openlog("sessgate", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

/*
 * Control characters become '?': a message may quote what a client sent
 * (a Content-Type, a path), and a newline there would forge a line.
 */
static void
defang(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			*s = '?';
}

static void
vlog(int pri, const char *fmt, va_list ap, const char *suffix)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	defang(msg);
	if (to_stderr)
		fprintf(stderr, "sessgate: %s%s%s\n", msg, suffix ? ": " : "",
		    suffix ? suffix : "");
	else
		syslog(pri, "%s%s%s", msg, suffix ? ": " : "",
		    suffix ? suffix : "");
}

void
log_warn(const char *fmt, ...)
{
	char	err[128];
	va_list ap;
	int	saved = errno;

	/* GNU strerror_r may return a static string instead of filling err. */
	const char *s = strerror_r(saved, err, sizeof(err));

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, s);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap, NULL);
	va_end(ap);
}
