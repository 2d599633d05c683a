/* form.h: application/x-www-form-urlencoded data. */
#ifndef SG_FORM_H
#define SG_FORM_H

#include <stddef.h>

/*
 * Find field name in data (a body or a query string), percent-decode it
 * ('+' is a space) into out. 1: found; 0: absent; -1: malformed data (bad
 * escape, NUL or control byte after decoding) or the value does not fit.
 */
int	form_get(const char *data, size_t len, const char *name, char *out,
	    size_t outlen);
/* 1 if data is well-formed as a whole, 0 if not. */
int	form_valid(const char *data, size_t len);
/* The value of a hex digit, or -1. */
int	form_hexval(char c);
/* Percent-encode s for a URL query value into out; 0, or -1 (too long). */
int	form_encode(const char *s, char *out, size_t outlen);

#endif
