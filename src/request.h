/* request.h: the request as sessgate sees it, read once from the params. */
#ifndef SG_REQUEST_H
#define SG_REQUEST_H

#include <stddef.h>

#define REQUEST_BODY_MAX	8192	/* larger bodies get 413 */

enum request_role {
	REQUEST_AUTHORIZER,
	REQUEST_RESPONDER
};

struct request {
	enum request_role role;
	const char	*method;	/* never NULL ("" if absent) */
	const char	*uri;		/* REQUEST_URI, never NULL */
	const char	*cookie;	/* HTTP_COOKIE or NULL */
	const char	*accept;
	const char	*content_type;
	const char	*origin;
	const char	*referer;
	const char	*host;
	const char	*scheme;	/* "https" or "http" */
	const char	*remote_addr;	/* never NULL ("" if absent) */
	const char	*redirect_status;
	int		 auth_subrequest;	/* SESSGATE_AUTH set (nginx) */
	long long	 content_length;	/* -1: not given */
	const char	*body;
	size_t		 body_len;
	int		 body_too_large;
};

typedef const char *(*request_param_fn)(const char *name, void *arg);

/* Fill the request view from a param lookup; the body is set apart. */
void	request_init(struct request *, request_param_fn, void *arg);
/* Length of the path part of uri (up to '?'). */
size_t	request_path_len(const char *uri);
/* 1 if the request's path is exactly path. */
int	request_path_is(const struct request *, const char *path);
/* The value of query parameter name, decoded, into out; 1/0/-1 bad. */
int	request_query(const struct request *, const char *name, char *out,
	    size_t outlen);
/* 1 if an Origin (else Referer) names another host than Host. */
int	request_cross_site(const struct request *);

#endif
