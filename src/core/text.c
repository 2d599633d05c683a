/*
 * text.c: hex digits, percent-encoding and numbers, written once.
 *
 * Everything here takes explicit lengths and refuses rather than
 * truncates: a value that does not fit is an error, never a shorter value.
 */
#include "core/text.h"

#include <string.h>

int
text_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The byte at s[*i] decoded; *i moves past an escape. -1 if bad. */
static int
decode_one(const char *s, size_t len, size_t *i, int flags)
{
	int c = (unsigned char)s[*i], hi, lo;

	if (c == '+' && (flags & TEXT_PLUS_SPACE))
		return ' ';
	if (c != '%')
		return c;
	if (*i + 2 >= len || (hi = text_hexval(s[*i + 1])) < 0 ||
	    (lo = text_hexval(s[*i + 2])) < 0)
		return -1;
	*i += 2;
	return hi * 16 + lo;
}

int
text_pct_decode(char *out, size_t outlen, const char *s, size_t len, int flags)
{
	size_t i, o = 0;
	int    c;

	for (i = 0; i < len; i++) {
		if ((c = decode_one(s, len, &i, flags)) <= 0)
			return -1;
		if ((flags & TEXT_NO_CTRL) && (c < 0x20 || c == 0x7f))
			return -1;
		if (out == NULL)
			continue;
		if (o + 1 >= outlen)
			return -1;
		out[o++] = (char)c;
	}
	if (out != NULL) {
		if (outlen == 0)
			return -1;
		out[o] = '\0';
	}
	return 0;
}

int
text_pct_encode(char *out, size_t outlen, const char *s, const char *keep)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t		  o = 0, w;
	unsigned char	  c;
	int		  plain;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') ||
		    (c < 0x80 && strchr(keep, c) != NULL);
		w = plain ? 1 : 3;
		/* this byte's encoding and, after it, the terminator */
		if (w + 1 > outlen - o)
			return -1;
		if (plain)
			out[o++] = (char)c;
		else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	if (o + 1 > outlen)
		return -1;
	out[o] = '\0';
	return 0;
}

int
text_number(const char *s, size_t len, int base, unsigned long long max,
    unsigned long long *out)
{
	unsigned long long v = 0;
	size_t		   i;
	int		   d;

	if (len == 0)
		return -1;
	for (i = 0; i < len; i++) {
		d = s[i] - '0';
		if (d < 0 || d >= base || d > 9)
			return -1;
		if (v >
		    (max - (unsigned long long)d) / (unsigned long long)base)
			return -1;
		v = v * (unsigned long long)base + (unsigned long long)d;
	}
	*out = v;
	return 0;
}

const char *
text_list_word(const char **p, size_t *len)
{
	const char *w = *p + strspn(*p, " \t,");

	if (*w == '\0')
		return NULL;
	*len = strcspn(w, " \t,");
	*p = w + *len;
	return w;
}
