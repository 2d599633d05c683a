/* url.h: URLs as sessgate meets them: targets to go back to, origins. */
#ifndef SG_HTTP_URL_H
#define SG_HTTP_URL_H

#include <stddef.h>

/*
 * The longest URL sessgate puts in a Location header or carries as next
 * (encoded); it leaves room for the other headers of a response.
 */
#define URL_MAX 2048

/* 1 if next is a local path (starts with /, not // or /\), else 0. */
int url_local_path(const char *next);
/* Percent-encode s as a query value (login_redirect?next=); 0 or -1. */
int url_encode_query(char out[URL_MAX], const char *s);
/* Encode a decoded local path for a Location header; 0, or -1 if too long. */
int url_encode_location(char out[URL_MAX], const char *path);
/*
 * 1 if url (an Origin or Referer value) names the request's origin: the
 * same scheme (from HTTPS/REQUEST_SCHEME; "" matches nothing) and
 * host[:port] (from Host), the scheme's default port aside; 0 otherwise
 * ("null", junk, userinfo, another scheme, host or port).
 */
int url_same_origin(const char *url, const char *scheme, const char *host);

#endif
