/*
 * fuzz_form: url-encoded form bodies and query strings (form_valid,
 * form_get) and the percent codec under them. The data is the input as it
 * is, no NUL added; each output buffer is exactly as large as it says.
 */
#include "core/text.h"
#include "http/form.h"

#include "fuzz.h"

static const char *const names[] = { "username", "password", "next",
	"current_password", "new_password", "", "a", NULL };

/* A field into a buffer of outlen bytes; what it promises about it. */
static int
get(const char *data, size_t len, const char *name, size_t outlen)
{
	char  *out = malloc(outlen ? outlen : 1);
	int    rv;
	size_t i, n;

	if (out == NULL)
		abort();
	rv = form_get(data, len, name, out, outlen);
	FUZZ_ASSERT(rv >= -1 && rv <= 1);
	if (rv == 1) {
		n = strlen(out);
		FUZZ_ASSERT(n < outlen && n <= len);
		for (i = 0; i < n; i++) /* no control byte gets through */
			FUZZ_ASSERT(
			    (unsigned char)out[i] >= 0x20 && out[i] != 0x7f);
	}
	free(out);
	return rv;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *d = (const char *)data;
	size_t	    i, small = size > 0 ? data[0] % 16 : 0;
	int	    valid = form_valid(d, size), rv;
	char	   *out;

	for (i = 0; names[i] != NULL; i++) {
		/* room for any value: a valid form is never "malformed" */
		rv = get(d, size, names[i], size + 1);
		FUZZ_ASSERT(!valid || rv != -1);
		(void)get(d, size, names[i], small);
	}
	if ((out = malloc(small ? small : 1)) == NULL)
		abort();
	(void)text_pct_decode(out, small, d, size, 0);
	(void)text_pct_decode(out, small, d, size, TEXT_PLUS_SPACE);
	free(out);
	FUZZ_ASSERT(text_pct_decode(NULL, 0, d, size, TEXT_NO_CTRL) == -1 ||
	    text_pct_decode(NULL, 0, d, size, 0) == 0);
	return 0;
}
