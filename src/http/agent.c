/*
 * agent.c: what the sessions page calls a browser. A User-Agent header is
 * long, identifying and the client's to write: sessgate keeps none of it,
 * only a family and a platform from two fixed tables, so that what is
 * stored and shown is one of a few dozen constant strings. The tables are
 * searched in order, first match wins: browsers built on another one name
 * it too (Edge and Opera say "Chrome/", Chrome says "Safari/"; an iPhone
 * says "like Mac OS X", Android says "Linux"), so the specific come first.
 */
#include "http/agent.h"

#include <stdio.h>
#include <string.h>

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

struct family {
	const char *token; /* a substring of the header */
	const char *name;  /* what the page shows */
};

static const struct family browsers[] = {
	{ "Edg/", "Edge" }, /* Chromium-based Edge, desktop */
	{ "EdgA/", "Edge" },
	{ "EdgiOS/", "Edge" },
	{ "Edge/", "Edge" }, /* EdgeHTML */
	{ "OPR/", "Opera" },
	{ "OPT/", "Opera" },
	{ "OPiOS/", "Opera" },
	{ "Opera", "Opera" }, /* Presto */
	{ "SamsungBrowser/", "Samsung Internet" },
	{ "YaBrowser/", "Yandex Browser" },
	{ "Vivaldi/", "Vivaldi" },
	{ "DuckDuckGo/", "DuckDuckGo" },
	{ "FxiOS/", "Firefox" },
	{ "Firefox/", "Firefox" },
	{ "CriOS/", "Chrome" },
	{ "Chromium/", "Chromium" },
	{ "HeadlessChrome/", "Chrome" },
	{ "Chrome/", "Chrome" },
	{ "Safari/", "Safari" },
	{ "Trident/", "Internet Explorer" },
	{ "MSIE ", "Internet Explorer" },
	{ "curl/", "curl" },
	{ "Wget/", "Wget" },
};

static const struct family platforms[] = {
	{ "Windows Phone", "Windows Phone" },
	{ "Windows", "Windows" },
	{ "iPhone", "iPhone" },
	{ "iPad", "iPad" },
	{ "iPod", "iPod" },
	{ "Android", "Android" },
	{ "CrOS", "ChromeOS" },
	{ "Macintosh", "macOS" },
	{ "Mac OS X", "macOS" },
	{ "FreeBSD", "FreeBSD" },
	{ "OpenBSD", "OpenBSD" },
	{ "NetBSD", "NetBSD" },
	{ "Linux", "Linux" },
	{ "X11", "Unix" },
};

/* The name of the first family whose token ua holds, or NULL. */
static const char *
family_find(const struct family *t, size_t n, const char *ua)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strstr(ua, t[i].token) != NULL)
			return t[i].name;
	return NULL;
}

void
agent_describe(const char *ua, char *out, size_t outlen)
{
	const char *b = NULL, *p = NULL;

	if (ua != NULL) {
		b = family_find(browsers, nitems(browsers), ua);
		p = family_find(platforms, nitems(platforms), ua);
	}
	if (b != NULL && p != NULL)
		snprintf(out, outlen, "%s on %s", b, p);
	else if (b != NULL)
		snprintf(out, outlen, "%s", b);
	else if (p != NULL)
		snprintf(out, outlen, "%s on %s", AGENT_UNKNOWN, p);
	else
		snprintf(out, outlen, "%s", AGENT_UNKNOWN);
}
