/*
 * text.h: the small text codecs every layer shares: hex digits, one
 * percent-encoding codec, and one parser of decimal (or octal) numbers.
 */
#ifndef SG_CORE_TEXT_H
#define SG_CORE_TEXT_H

#include <stddef.h>

#define TEXT_PLUS_SPACE 0x1 /* decode '+' as a space (forms) */
#define TEXT_NO_CTRL	0x2 /* refuse control bytes, raw or decoded */

/* The value of a hex digit, or -1. */
int text_hexval(char c);
/*
 * Percent-decode s[0..len) into out (NUL-terminated; NULL only validates).
 * A bad escape, a decoded NUL or a value that does not fit: -1.
 */
int text_pct_decode(char *out, size_t outlen, const char *s, size_t len,
    int flags);
/*
 * Percent-encode s into out, keeping ASCII letters, digits and the bytes
 * in keep as they are; 0, or -1 if it does not fit.
 */
int text_pct_encode(char *out, size_t outlen, const char *s, const char *keep);
/*
 * Parse s[0..len), digits of base (8 or 10) only, into *out; -1 if empty,
 * not a number, or over max.
 */
int text_number(const char *s, size_t len, int base, unsigned long long max,
    unsigned long long *out);

#endif
