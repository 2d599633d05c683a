/* log.h: logging to syslog, or to stderr in the foreground (-d). */
#ifndef SG_CORE_LOG_H
#define SG_CORE_LOG_H

void log_init(int foreground);
/*
 * Priorities: log_err* (LOG_ERR) for what stops sessgate or a reload,
 * log_warn* (LOG_WARNING), log_info (LOG_INFO). The ones without x append
 * strerror(errno).
 */
void log_err(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_errx(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif
