/* cookie.h: reading the Cookie header, writing Set-Cookie. */
#ifndef SG_HTTP_COOKIE_H
#define SG_HTTP_COOKIE_H

#include <stddef.h>
#include <stdint.h>

#define COOKIE_HEADER_MAX 32768 /* larger Cookie headers are refused */
#define COOKIE_SET_MAX	  512	/* room for one Set-Cookie value */

struct cookie_attrs {
	const char *name;
	int	    secure;
	const char *samesite; /* Strict, Lax or None */
};

/*
 * Find the next cookie called name in a Cookie header, starting at *pos.
 * 1: found, *val and *vlen point into hdr (quotes removed) and *pos moves on;
 * 0: no more; -1: the header is malformed (control bytes) or too large.
 */
int cookie_next(const char *hdr, size_t len, const char *name, size_t *pos,
    const char **val, size_t *vlen);
/* 1 if a Cookie header is well-formed (no control bytes, not too large). */
int cookie_valid(const char *hdr, size_t len);
/*
 * Build a Set-Cookie value; max_age in seconds, or < 0 for none (the
 * cookie ends with the browser session). 0, or -1 if it does not fit.
 */
int cookie_set(char *buf, size_t len, const struct cookie_attrs *a,
    const char *value, int64_t max_age);
/* The Set-Cookie value that clears the cookie (same name, Path, flags). */
int cookie_clear(char *buf, size_t len, const struct cookie_attrs *a);

#endif
