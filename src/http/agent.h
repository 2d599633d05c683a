/* agent.h: a short description of a browser from its User-Agent. */
#ifndef SG_HTTP_AGENT_H
#define SG_HTTP_AGENT_H

#include <stddef.h>

#define AGENT_UNKNOWN "Unknown browser"

/*
 * "Firefox on Linux", "Chrome on Android", "Safari on iPhone" from a
 * User-Agent header (NULL: none), from a small table of known families;
 * AGENT_UNKNOWN when no browser family matches. Never any part of the
 * header itself. Into out (at least 41 bytes: RECORD_AGENT_MAX + 1).
 */
void agent_describe(const char *ua, char *out, size_t outlen);

#endif
