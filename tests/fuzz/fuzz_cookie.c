/*
 * fuzz_cookie: the Cookie header (cookie_valid, cookie_next) and the
 * token in each value, as session_find() walks them. The header is the
 * input as it is, no NUL added: cookie_next() takes a length.
 */
#include "core/token.h"
#include "http/cookie.h"

#include "fuzz.h"

/* Walk every cookie called name; each value lies inside the header. */
static void
walk(const char *hdr, size_t len, const char *name)
{
	struct token t;
	const char  *val;
	size_t	     pos = 0, vlen, steps = 0, last = 0;
	int	     rv;

	while ((rv = cookie_next(hdr, len, name, &pos, &val, &vlen)) == 1) {
		FUZZ_ASSERT(val >= hdr && vlen <= len &&
		    (size_t)(val - hdr) <= len - vlen);
		FUZZ_ASSERT(pos > last && pos <= len);
		FUZZ_ASSERT(++steps <= len + 1);
		last = pos;
		if (token_decode(&t, val, vlen) == 0)
			token_wipe(&t);
	}
	FUZZ_ASSERT(rv == 0 || (rv == -1 && steps == 0));
	FUZZ_ASSERT((rv == -1) == !cookie_valid(hdr, len));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *hdr = (const char *)data;

	walk(hdr, size, "__Host-sid");
	walk(hdr, size, "sid");
	walk(hdr, size, "a");
	return 0;
}
