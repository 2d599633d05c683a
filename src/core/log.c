/*
 * log.c: one line per event, to syslog (LOG_DAEMON) or to stderr with -d.
 * Callers never pass a cookie value, a token, a password or a session
 * record: at most a user name, a path and a status.
 *
 * On stderr, when stderr is the systemd journal (JOURNAL_STREAM names its
 * device and inode: systemd sets it for StandardError=journal), each line
 * starts with its priority as sd-daemon(3) has it ("<3>" error, "<4>"
 * warning, "<6>" info), which the journal takes off and keeps as the
 * line's priority, and without the program name, which the journal adds.
 */
#include "core/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static int to_stderr = 1;
static int to_journal;

/* Is stderr the stream JOURNAL_STREAM ("DEV:INO") names? */
static int
stderr_is_journal(void)
{
	const char	  *v = getenv("JOURNAL_STREAM");
	struct stat	   st;
	unsigned long long dev, ino;
	int		   n = 0;

	if (v == NULL || sscanf(v, "%llu:%llu%n", &dev, &ino, &n) != 2 ||
	    v[n] != '\0' || fstat(STDERR_FILENO, &st) == -1)
		return 0;
	return (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino;
}

void
log_init(int foreground)
{
	to_stderr = foreground;
	to_journal = foreground && stderr_is_journal();
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
	if (to_journal)
		fprintf(stderr, "<%d>%s%s%s\n", pri, msg, suffix ? ": " : "",
		    suffix ? suffix : "");
	else if (to_stderr)
		fprintf(stderr, "sessgate: %s%s%s\n", msg, suffix ? ": " : "",
		    suffix ? suffix : "");
	else
		syslog(pri, "%s%s%s", msg, suffix ? ": " : "",
		    suffix ? suffix : "");
}

/* vlog() with strerror(errno) appended, errno kept. */
static void
vlog_errno(int pri, const char *fmt, va_list ap)
{
	char err[128];
	int  saved = errno;

	/* GNU strerror_r may return a static string instead of filling err. */
	const char *s = strerror_r(saved, err, sizeof(err));

	vlog(pri, fmt, ap, s);
	errno = saved;
}

void
log_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog_errno(LOG_ERR, fmt, ap);
	va_end(ap);
}

void
log_errx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, fmt, ap, NULL);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog_errno(LOG_WARNING, fmt, ap);
	va_end(ap);
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
