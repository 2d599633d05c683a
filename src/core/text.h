/*
 * text.h: the small text codecs every layer shares: hex digits, one
 * percent-encoding codec, one parser of decimal (or octal) numbers, and
 * the words of a list value.
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
/*
 * The next word of a list value (words apart by spaces, tabs or commas,
 * as login_trusted_addresses and the path lists take them) from *p: its
 * start, with its length in *len and *p past it; NULL at the end.
 */
const char *text_list_word(const char **p, size_t *len);

#endif
