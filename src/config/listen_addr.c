/*
 * listen_addr.c: the `listen` configuration value, parsed once when the
 * configuration is read (the daemon opens the socket from the result).
 */
#include "config/listen_addr.h"

#include <stdio.h>
#include <string.h>

#include "core/text.h"

int
listen_addr_parse(struct listen_addr *a, const char *s, char *err,
    size_t errlen)
{
	const char	  *colon;
	unsigned long long port;
	size_t		   hlen;

	memset(a, 0, sizeof(*a));
	if (strncmp(s, "unix:", 5) == 0) {
		if (s[5] != '/' || strlen(s + 5) >= sizeof(a->path)) {
			snprintf(err, errlen,
			    "unix: needs an absolute path "
			    "shorter than %zu bytes",
			    sizeof(a->path));
			return -1;
		}
		a->is_unix = 1;
		memcpy(a->path, s + 5, strlen(s + 5) + 1);
		return 0;
	}
	if ((colon = strrchr(s, ':')) == NULL || colon[1] == '\0' ||
	    strlen(colon + 1) >= sizeof(a->port) || strchr(s, '[') != NULL ||
	    (hlen = (size_t)(colon - s)) >= sizeof(a->host) ||
	    memchr(s, ':', hlen) != NULL) {
		snprintf(err, errlen,
		    "expected unix:PATH or HOST:PORT "
		    "(IPv4 address or name)");
		return -1;
	}
	if (hlen == 0) {
		/* ":PORT" would listen on every address, unasked */
		snprintf(err, errlen,
		    "HOST:PORT needs a host "
		    "(0.0.0.0:PORT for every address)");
		return -1;
	}
	if (text_number(colon + 1, strlen(colon + 1), 10, 65535, &port) == -1 ||
	    port == 0) {
		snprintf(err, errlen, "bad port");
		return -1;
	}
	memcpy(a->host, s, hlen);
	a->host[hlen] = '\0';
	memcpy(a->port, colon + 1, strlen(colon + 1) + 1);
	return 0;
}
