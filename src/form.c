/*
 * form.c: url-encoded forms and query strings (WHATWG URL standard,
 * application/x-www-form-urlencoded), strict about escapes: a malformed
 * body is a 400, never a silently truncated value.
 */
#include "form.h"

#include <string.h>

int
form_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode s[0..len) into out (may be NULL to only validate); -1 if bad. */
static int
decode(const char *s, size_t len, char *out, size_t outlen)
{
	size_t	 i, o = 0;
	int	 hi, lo, c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '+')
			c = ' ';
		else if (c == '%') {
			if (i + 2 >= len)
				return -1;
			if ((hi = form_hexval(s[i + 1])) < 0 ||
			    (lo = form_hexval(s[i + 2])) < 0)
				return -1;
			c = hi * 16 + lo;
			i += 2;
		}
		if (c < 0x20 || c == 0x7f)
			return -1;
		if (out != NULL) {
			if (o + 1 >= outlen)
				return -1;
			out[o++] = (char)c;
		}
	}
	if (out != NULL)
		out[o] = '\0';
	return 0;
}

int
form_get(const char *data, size_t len, const char *name, char *out,
    size_t outlen)
{
	const char	*p = data, *end = data + len, *amp, *eq;
	size_t		 nlen = strlen(name);

	while (p < end) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq == NULL)
			eq = amp;
		if ((size_t)(eq - p) == nlen && memcmp(p, name, nlen) == 0)
			return decode(eq < amp ? eq + 1 : amp,
			    (size_t)(amp - (eq < amp ? eq + 1 : amp)), out,
			    outlen) == 0 ? 1 : -1;
		p = amp + 1;
	}
	return 0;
}

int
form_valid(const char *data, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (data[i] != '&' && data[i] != '=' &&
		    ((unsigned char)data[i] <= 0x20 ||
		    (unsigned char)data[i] >= 0x7f))
			return 0;
	return decode(data, len, NULL, 0) == 0;
}

int
form_encode(const char *s, char *out, size_t outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t		 o = 0;
	unsigned char	 c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (o + 4 > outlen)
			return -1;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || strchr("-._~/", c) != NULL)
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
