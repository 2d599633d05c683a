/*
 * fcgi_scan.h: is a whole, well-formed FastCGI request waiting in a
 * connection's buffer? Pure: bytes in, a verdict out.
 */
#ifndef SG_DAEMON_FCGI_SCAN_H
#define SG_DAEMON_FCGI_SCAN_H

#include <stddef.h>

/*
 * The most a connection may queue before its request is complete (a web
 * server's Unix socket can hold about 208 KiB).
 */
#define FCGI_SCAN_MAX_KIB 128
#define FCGI_SCAN_MAX	  (FCGI_SCAN_MAX_KIB * 1024)

enum fcgi_scan_status {
	FCGI_SCAN_MORE,	 /* well-formed so far; wait for more bytes */
	FCGI_SCAN_READY, /* a worker can serve it without waiting */
	FCGI_SCAN_BAD	 /* refuse the connection (why says what) */
};

enum fcgi_scan_role {
	FCGI_SCAN_RESPONDER = 1,
	FCGI_SCAN_AUTHORIZER = 2
};

/* The walk's place in the params stream (fcgi_scan.c's business). */
struct fcgi_scan_params {
	int	      phase;
	unsigned char lenbuf[4];
	size_t	      lenhave, lenneed;
	size_t	      name, value; /* bytes still to come */
	size_t	      pos;	   /* in "name=value" */
	int	      matching, found, mdone, mlong;
	char	      method[8];
	size_t	      mlen;
};

struct fcgi_scan {
	size_t	    len;	/* bytes of the request's records scanned */
	size_t	    need;	/* fcgi_scan_more: no news before this many */
	int	    role;	/* enum fcgi_scan_role */
	int	    keep_conn;	/* FCGI_KEEP_CONN */
	int	    stdin_seen; /* an FCGI_STDIN record came */
	int	    stdin_done; /* ... and the empty one that ends it */
	const char *why;	/* FCGI_SCAN_BAD: what was wrong */
	/* where the walk stands at len */
	int			state;
	unsigned		id;
	size_t			stdin_bytes;
	int			need_stdin;
	struct fcgi_scan_params params;
};

/*
 * Scan the first len bytes a connection queued. READY once the params
 * are complete and, for a Responder POST (the only request whose body
 * sessgate reads), FCGI_STDIN is complete or holds more than body_max
 * bytes. Management records, other roles, multiplexing, a parameter
 * that does not fit its stream, records out of order and padding that
 * libfcgi would read as a header are BAD: they never reach libfcgi.
 */
enum fcgi_scan_status fcgi_scan(const unsigned char *buf, size_t len,
    size_t body_max, struct fcgi_scan *out);

/*
 * The same, going on from where the last call on the same connection
 * (same out; zeroed before the first) stopped: buf holds the connection's
 * queued bytes from its start again, len of them, and only the records
 * past out->len are walked. The verdict is the one fcgi_scan() gives on
 * the same bytes. Once out->need is set, nothing can change before len
 * reaches it: the caller may wait for that many bytes before calling.
 */
enum fcgi_scan_status fcgi_scan_more(const unsigned char *buf, size_t len,
    size_t body_max, struct fcgi_scan *out);

#endif
