/*
 * cookie.c: the Cookie and Set-Cookie headers (RFC 6265).
 *
 * Parsing is lenient where browsers are (spaces, quoted values, empty
 * values, pairs without '=' are skipped) and strict where it matters:
 * control bytes or an oversized header make the whole header malformed.
 * Every cookie with the wanted name is returned in turn, so that a stale
 * duplicate (set for another Path or by a sibling site) does not hide the
 * live one.
 */
#include "http/cookie.h"

#include <stdio.h>
#include <string.h>

int
cookie_valid(const char *hdr, size_t len)
{
	size_t i;

	if (len > COOKIE_HEADER_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (((unsigned char)hdr[i] < 0x20 && hdr[i] != '\t') ||
		    hdr[i] == 0x7f)
			return 0;
	return 1;
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t';
}

int
cookie_next(const char *hdr, size_t len, const char *name, size_t *pos,
    const char **val, size_t *vlen)
{
	const char *semi;
	size_t	    nlen = strlen(name), i = *pos, end, eq, vs, ve;

	if (i == 0 && !cookie_valid(hdr, len))
		return -1;
	while (i < len) {
		semi = memchr(hdr + i, ';', len - i);
		end = semi != NULL ? (size_t)(semi - hdr) : len;
		while (i < end && is_space(hdr[i]))
			i++;
		for (eq = i; eq < end && hdr[eq] != '='; eq++)
			;
		*pos = end < len ? end + 1 : len;
		if (eq < end) {
			ve = eq;
			while (ve > i && is_space(hdr[ve - 1]))
				ve--;
			if (ve - i == nlen &&
			    memcmp(hdr + i, name, nlen) == 0) {
				vs = eq + 1;
				ve = end;
				while (vs < ve && is_space(hdr[vs]))
					vs++;
				while (ve > vs && is_space(hdr[ve - 1]))
					ve--;
				if (ve - vs >= 2 && hdr[vs] == '"' &&
				    hdr[ve - 1] == '"') {
					vs++;
					ve--;
				}
				*val = hdr + vs;
				*vlen = ve - vs;
				return 1;
			}
		}
		i = *pos;
	}
	*pos = len;
	return 0;
}

static int
format(char *buf, size_t len, const struct cookie_attrs *a, const char *value,
    long long max_age)
{
	char age[40] = "";
	int  n;

	if (max_age >= 0) /* else a browser-session cookie */
		snprintf(age, sizeof(age), "; Max-Age=%lld", max_age);
	n = snprintf(buf, len,
	    "%s=%s; Path=/%s%s; HttpOnly; "
	    "SameSite=%s",
	    a->name, value, age, a->secure ? "; Secure" : "", a->samesite);
	return (n < 0 || (size_t)n >= len) ? -1 : 0;
}

int
cookie_set(char *buf, size_t len, const struct cookie_attrs *a,
    const char *value, int64_t max_age)
{
	return format(buf, len, a, value, (long long)max_age);
}

int
cookie_clear(char *buf, size_t len, const struct cookie_attrs *a)
{
	return format(buf, len, a, "", 0);
}
