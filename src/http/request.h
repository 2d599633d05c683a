/* request.h: the request as sessgate sees it, read once from the params. */
#ifndef SG_HTTP_REQUEST_H
#define SG_HTTP_REQUEST_H

#include <stddef.h>

#include "core/result.h"

#define REQUEST_BODY_MAX 8192 /* larger bodies get 413 */

enum request_role {
	REQUEST_AUTHORIZER,
	REQUEST_RESPONDER
};

struct request {
	enum request_role role;
	const char	 *method;	/* never NULL ("" if absent) */
	const char	 *uri;		/* REQUEST_URI, never NULL */
	const char	 *document_uri; /* DOCUMENT_URI or NULL */
	const char	 *script_name;	/* SCRIPT_NAME or NULL */
	const char	 *cookie;	/* HTTP_COOKIE or NULL */
	const char	 *accept;
	const char	 *content_type;
	const char	 *origin;
	const char	 *referer;
	const char	 *host;
	const char	 *user_agent;  /* HTTP_USER_AGENT or NULL */
	const char	 *scheme;      /* "https" or "http" */
	const char	 *remote_addr; /* never NULL ("" if absent) */
	const char	 *redirect_status;
	int		  auth_subrequest; /* SESSGATE_AUTH set (nginx) */
	int		  passive; /* SESSGATE_PASSIVE set and not empty */
	long long	  content_length; /* -1: not given */
	const char	 *body;		  /* after request_read_body() */
	size_t		  body_len;
	int		  body_too_large;
	char		 *body_buf; /* owned */
	long (*read)(void *, char *, size_t);
	void *arg;
};

/* The value of a FastCGI param, or NULL. */
typedef const char *(*request_param_fn)(const char *name, void *arg);
/* Read at most len bytes of the body; the bytes read, 0 at its end. */
typedef long (*request_read_fn)(void *arg, char *buf, size_t len);

/* Fill the request view from a param lookup; the body is read later. */
void request_init(struct request *, request_param_fn, request_read_fn,
    void *arg);
/* Read the body (once; never for a check); 0, or -1 out of memory. */
int request_read_body(struct request *) SG_MUST;
/* Wipe and free the body. */
void request_free(struct request *);
/* Length of the path part of uri (up to '?'). */
size_t request_path_len(const char *uri);
/* 1 if the request's path is exactly path. */
int request_path_is(const struct request *, const char *path);
/* The value of query parameter name, decoded, into out; 1/0/-1 bad. */
int request_query(const struct request *, const char *name, char *out,
    size_t outlen);
/* 1 if Apache serves this as an ErrorDocument for a 401. */
int request_is_error_page(const struct request *);
/* 1 if an Origin (else Referer) names another host than Host. */
int request_cross_site(const struct request *);

#endif
