/* log.h: logging to syslog, or to stderr in the foreground (-d). */
#ifndef SG_CORE_LOG_H
#define SG_CORE_LOG_H

void log_init(int foreground);
/* log_warn appends strerror(errno); log_warnx does not. */
void log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif
