/*
 * audit.h: the audit log, one JSON object per line, to syslog, stderr or
 * a file (the configuration's audit key). Its lines hold who did what,
 * when and from where, and a session's short reference (token_ref), never
 * a token, a password, a cookie or a session record.
 */
#ifndef SG_CORE_AUDIT_H
#define SG_CORE_AUDIT_H

#include <stdint.h>

enum audit_event {
	AUDIT_LOGIN,
	AUDIT_LOGIN_FAILED,
	AUDIT_LOGIN_THROTTLED,
	AUDIT_LOGOUT,
	AUDIT_LOGOUT_ALL,
	AUDIT_PASSWORD_CHANGE,
	AUDIT_EVICT,
	AUDIT_REVOKE,
	AUDIT_USER_ADD,
	AUDIT_USER_PASSWD,
	AUDIT_USER_DEL,
	AUDIT_REKEY,
	AUDIT_REAUTH, /* the password confirmed in a live session (step-up) */
	AUDIT_NEVENTS
};

/* One event. NULL (or "") fields are written as null; reason is left out. */
struct audit {
	enum audit_event event;
	const char	*user;
	const char	*session; /* a reference: cut to TOKEN_REFLEN */
	const char	*addr;	  /* the client's address */
	const char	*host;	  /* the Host the request named */
	const char	*reason;
};

#define AUDIT_HOST_MAX 255 /* a longer Host is cut */

/* The event's name in the log ("login", "login_failed", ...). */
const char *audit_event_name(enum audit_event);
/* The line for a, at now_ms, without a newline; NULL if out of memory. */
char *audit_format(const struct audit *a, int64_t now_ms);
/*
 * Whether dest ("syslog", "stderr", "off" or a file path) can be written:
 * 0, or -1 with errno set (a file that cannot be opened for appending;
 * it is created, mode 0640, if missing).
 */
int audit_check(const char *dest);
/*
 * Write one event to dest. A file is opened once per process, on first
 * use (O_APPEND, O_CLOEXEC), and each line is one write(): lines of
 * several processes never interleave. A line that cannot be written is
 * logged (log.c) and sent to syslog instead.
 */
void audit_write(const char *dest, const struct audit *a);

#endif
