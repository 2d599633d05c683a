/*
 * store_backend.c: what backends share besides the ops table: the last
 * error, kept for the caller's one log line.
 */
#include "store/store_backend.h"

#include <stdarg.h>
#include <stdio.h>

void
store_seterr(struct store *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->err, sizeof(s->err), fmt, ap);
	va_end(ap);
}
