/*
 * fuzz_token: token_decode(), the strict parser of a cookie value. A
 * value it accepts is the one canonical spelling of its token: encoding
 * the token again gives the same bytes.
 */
#include "core/token.h"

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct token t;
	char	     out[TOKEN_COOKIELEN + 1], id[TOKEN_IDLEN + 1];

	if (token_decode(&t, (const char *)data, size) != 0)
		return 0;
	FUZZ_ASSERT(size == TOKEN_COOKIELEN);
	FUZZ_ASSERT(token_encode(&t, out, sizeof(out)) == 0);
	FUZZ_ASSERT(memcmp(out, data, size) == 0 && out[size] == '\0');
	token_id(&t, id);
	FUZZ_ASSERT(strlen(id) == TOKEN_IDLEN);
	token_wipe(&t);
	return 0;
}
