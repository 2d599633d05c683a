/*
 * fuzz_listen: listen_addr_parse(), the `listen` configuration value,
 * checked before libfcgi (which exits on a bad one) ever sees it.
 */
#include "config/listen_addr.h"
#include "core/text.h"

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct listen_addr a;
	unsigned long long port;
	char		   err[128], *s;

	if ((s = fuzz_string(data, size)) == NULL)
		return 0;
	err[0] = '\0';
	if (listen_addr_parse(&a, s, err, sizeof(err)) == 0) {
		FUZZ_ASSERT(fuzz_terminated(a.path, sizeof(a.path)) &&
		    fuzz_terminated(a.host, sizeof(a.host)) &&
		    fuzz_terminated(a.port, sizeof(a.port)));
		if (a.is_unix)
			FUZZ_ASSERT(a.path[0] == '/');
		else {
			/* a host, always: never every address unasked */
			FUZZ_ASSERT(
			    a.host[0] != '\0' && strchr(a.host, ':') == NULL);
			FUZZ_ASSERT(text_number(a.port, strlen(a.port), 10,
					65535, &port) == 0 &&
			    port >= 1);
		}
	} else
		FUZZ_ASSERT(err[0] != '\0');
	free(s);
	return 0;
}
