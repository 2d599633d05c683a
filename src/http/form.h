/* form.h: application/x-www-form-urlencoded data. */
#ifndef SG_HTTP_FORM_H
#define SG_HTTP_FORM_H

#include <stddef.h>

/*
 * Find field name in data (a body or a query string), percent-decode it
 * ('+' is a space) into out. 1: found; 0: absent; -1: malformed data (bad
 * escape, NUL or control byte after decoding) or the value does not fit.
 */
int form_get(const char *data, size_t len, const char *name, char *out,
    size_t outlen);
/* How many fields of data are named name (as form_get matches names). */
size_t form_count(const char *data, size_t len, const char *name);
/* 1 if data is well-formed as a whole, 0 if not. */
int form_valid(const char *data, size_t len);

#endif
