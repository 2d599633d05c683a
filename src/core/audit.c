/*
 * audit.c: the audit log. The line builder is pure (audit_format, tested
 * from tables); the writer keeps one file descriptor per process, opened
 * on first use, so that a worker started after a log rotation (SIGHUP
 * replaces the workers) writes to the new file.
 */
#include "core/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/log.h"
#include "core/token.h"

static const char *const names[] = {
	[AUDIT_LOGIN] = "login",
	[AUDIT_LOGIN_FAILED] = "login_failed",
	[AUDIT_LOGIN_THROTTLED] = "login_throttled",
	[AUDIT_LOGOUT] = "logout",
	[AUDIT_LOGOUT_ALL] = "logout_all",
	[AUDIT_PASSWORD_CHANGE] = "password_change",
	[AUDIT_EVICT] = "evict",
	[AUDIT_REVOKE] = "revoke",
	[AUDIT_USER_ADD] = "user_add",
	[AUDIT_USER_PASSWD] = "user_passwd",
	[AUDIT_USER_DEL] = "user_del",
	[AUDIT_REKEY] = "rekey",
	[AUDIT_REAUTH] = "reauth",
};
_Static_assert(sizeof(names) / sizeof(names[0]) == AUDIT_NEVENTS,
    "a name for every audit event");

const char *
audit_event_name(enum audit_event e)
{
	return (unsigned)e < AUDIT_NEVENTS ? names[e] : "unknown";
}

/* RFC 3339, UTC, milliseconds: 2026-12-06T17:31:09.123Z */
static void
rfc3339(char buf[32], int64_t ms)
{
	time_t	  t = (time_t)(ms / 1000);
	struct tm tm;
	char	  s[24];

	gmtime_r(&t, &tm);
	strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, 32, "%s.%03dZ", s, (int)(ms % 1000));
}

/* v, at most max bytes of it, or null if NULL or empty. */
static int
add_text(cJSON *o, const char *k, const char *v, size_t max)
{
	char  *cut;
	cJSON *item;

	if (v == NULL || v[0] == '\0')
		return cJSON_AddNullToObject(o, k) == NULL ? -1 : 0;
	if (strlen(v) <= max)
		return cJSON_AddStringToObject(o, k, v) == NULL ? -1 : 0;
	if ((cut = strndup(v, max)) == NULL)
		return -1;
	item = cJSON_AddStringToObject(o, k, cut);
	free(cut);
	return item == NULL ? -1 : 0;
}

char *
audit_format(const struct audit *a, int64_t now_ms)
{
	cJSON *o;
	char   t[32], *line = NULL;

	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	rfc3339(t, now_ms);
	if (cJSON_AddStringToObject(o, "time", t) == NULL ||
	    cJSON_AddStringToObject(o, "event", audit_event_name(a->event)) ==
		NULL ||
	    add_text(o, "user", a->user, 64) == -1 ||
	    add_text(o, "session", a->session, TOKEN_REFLEN) == -1 ||
	    add_text(o, "addr", a->addr, 64) == -1 ||
	    add_text(o, "host", a->host, AUDIT_HOST_MAX) == -1 ||
	    (a->reason != NULL &&
		cJSON_AddStringToObject(o, "reason", a->reason) == NULL))
		goto fail;
	line = cJSON_PrintUnformatted(o);
fail:
	cJSON_Delete(o);
	return line;
}

static int
is_file(const char *dest)
{
	return strcmp(dest, "syslog") != 0 && strcmp(dest, "stderr") != 0 &&
	    strcmp(dest, "off") != 0;
}

static int
open_file(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
}

int
audit_check(const char *dest)
{
	int fd;

	if (!is_file(dest))
		return 0;
	if ((fd = open_file(dest)) == -1)
		return -1;
	close(fd);
	return 0;
}

/* This process's file: opened once, on first use. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int	       file_fd = -1;
static char	      *file_path;

static int
file_get(const char *dest)
{
	int fd;

	pthread_mutex_lock(&lock);
	if (file_fd == -1 || strcmp(file_path, dest) != 0) {
		if (file_fd != -1)
			close(file_fd);
		free(file_path);
		file_path = strdup(dest);
		file_fd = file_path != NULL ? open_file(dest) : -1;
	}
	fd = file_fd;
	pthread_mutex_unlock(&lock);
	return fd;
}

/* line and its newline, in one write(). */
static int
write_line(int fd, char *line, size_t len)
{
	ssize_t n;

	line[len] = '\n';
	do
		n = write(fd, line, len + 1);
	while (n == -1 && errno == EINTR);
	line[len] = '\0';
	if (n == (ssize_t)(len + 1))
		return 0;
	if (n >= 0)
		errno = EIO;
	return -1;
}

void
audit_write(const char *dest, const struct audit *a)
{
	struct timespec ts;
	char	       *line, *buf;
	size_t		len;
	int		fd = -1;

	if (strcmp(dest, "off") == 0)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	line =
	    audit_format(a, (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
	if (line == NULL) {
		log_warnx("audit: out of memory (event %s)",
		    audit_event_name(a->event));
		return;
	}
	len = strlen(line);
	if (strcmp(dest, "stderr") == 0)
		fd = STDERR_FILENO;
	else if (is_file(dest) && (fd = file_get(dest)) == -1)
		log_warn("audit: %s", dest);
	if (fd != -1 && (buf = realloc(line, len + 2)) != NULL) {
		line = buf;
		if (write_line(fd, line, len) == 0) {
			free(line);
			return;
		}
		log_warn("audit: writing to %s", dest);
	}
	syslog(LOG_AUTHPRIV | LOG_INFO, "%s", line);
	free(line);
}
