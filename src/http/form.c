/*
 * form.c: url-encoded forms and query strings (WHATWG URL standard,
 * application/x-www-form-urlencoded), strict about escapes: a malformed
 * body is a 400, never a silently truncated value.
 */
#include "http/form.h"

#include <string.h>

#include "core/text.h"

#define FORM_FLAGS (TEXT_PLUS_SPACE | TEXT_NO_CTRL)

int
form_get(const char *data, size_t len, const char *name, char *out,
    size_t outlen)
{
	const char *p = data, *end = data + len, *amp, *eq, *v;
	size_t	    nlen = strlen(name);

	while (p < end) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq == NULL)
			eq = amp;
		if ((size_t)(eq - p) == nlen && memcmp(p, name, nlen) == 0) {
			v = eq < amp ? eq + 1 : amp;
			if (text_pct_decode(out, outlen, v, (size_t)(amp - v),
				FORM_FLAGS) == -1)
				return -1;
			return 1;
		}
		p = amp + 1;
	}
	return 0;
}

size_t
form_count(const char *data, size_t len, const char *name)
{
	const char *p = data, *end = data + len, *amp, *eq;
	size_t	    nlen = strlen(name), n = 0;

	while (p < end) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if ((eq = memchr(p, '=', (size_t)(amp - p))) == NULL)
			eq = amp;
		if ((size_t)(eq - p) == nlen && memcmp(p, name, nlen) == 0)
			n++;
		p = amp + 1;
	}
	return n;
}

int
form_valid(const char *data, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (data[i] != '&' && data[i] != '=' &&
		    ((unsigned char)data[i] <= 0x20 ||
			(unsigned char)data[i] >= 0x7f))
			return 0;
	return text_pct_decode(NULL, 0, data, len, FORM_FLAGS) == 0;
}
