/*
 * fcgi_scan.c: the gate in front of libfcgi.
 *
 * The acceptor peeks at what a connection has queued and asks this module
 * whether a whole request is there. Only then does a worker thread hand
 * the connection to libfcgi, which can then read it without ever waiting
 * for the client: idle and trickling clients cost a file descriptor, not
 * a thread. The same walk refuses what libfcgi 2.4.2 mishandles: a
 * parameter whose name and value lengths add up past INT_MAX (Malloc
 * aborts), FCGI_GET_VALUES (a stack overflow with repeated names), a
 * params stream cut short (handed over as if complete), and padding that
 * libfcgi does not skip.
 *
 * Padding: libfcgi skips a record's padding only when its reader asks for
 * the next record of the same stream. After FCGI_BEGIN_REQUEST, and after
 * the empty record that ends FCGI_PARAMS or FCGI_STDIN, it starts the
 * next stream with the padding length reset to zero, so that the padding
 * is read as the next record header. A header hidden there would reach
 * libfcgi unseen by this walk (a length pair that makes it abort, a
 * length it then blocks in read() for). Such padding is refused; no web
 * server sends it (they pad to 8-byte multiples, and these records hold 8
 * bytes or none). tests/fuzz/fuzz_fcgi_libfcgi.c holds this walk against
 * libfcgi itself.
 *
 * The acceptor peeks, it never consumes: each call sees the connection's
 * bytes from the start. The walk keeps its place in struct fcgi_scan, so
 * that fcgi_scan_more() walks only the records that came since, and says
 * how many bytes it needs before there can be news.
 */
#include "daemon/fcgi_scan.h"

#include <string.h>

#define FCGI_VERSION_1 1
#define HEADER_LEN     8

enum {
	T_BEGIN = 1,
	T_ABORT = 2,
	T_PARAMS = 4,
	T_STDIN = 5
};

enum phase {
	P_NAMELEN,
	P_VALUELEN,
	P_NAME,
	P_VALUE
};

/*
 * The params stream is decoded a chunk at a time (a pair may span
 * records), in struct fcgi_scan_params. Each pair is also matched as
 * libfcgi's FCGX_GetParam will see it, the string "name=value": the first
 * that starts with "REQUEST_METHOD=" is the method, up to its first NUL.
 */
static const char method_key[] = "REQUEST_METHOD=";

static void
match_byte(struct fcgi_scan_params *p, unsigned char c)
{
	size_t klen = sizeof(method_key) - 1;

	if (!p->matching)
		return;
	if (p->pos < klen) {
		if (c != (unsigned char)method_key[p->pos])
			p->matching = 0;
	} else if (!p->mdone) {
		if (c == '\0')
			p->mdone = 1;
		else if (p->mlen < sizeof(p->method) - 1)
			p->method[p->mlen++] = (char)c;
		else
			p->mlong = 1;
	}
	p->pos++;
}

/* Move past a finished name or value. */
static void
pair_settle(struct fcgi_scan_params *p)
{
	if (p->phase == P_NAME && p->name == 0) {
		match_byte(p, '=');
		p->phase = P_VALUE;
	}
	if (p->phase == P_VALUE && p->value == 0) {
		if (p->matching && p->pos >= sizeof(method_key) - 1)
			p->found = 1;
		p->matching = 0;
		p->phase = P_NAMELEN;
	}
}

/* One length byte; 0, or -1 if the pair cannot fit in FCGI_SCAN_MAX. */
static int
length_byte(struct fcgi_scan_params *p, unsigned char c)
{
	const unsigned char *b = p->lenbuf;
	size_t		     v;

	if (p->lenhave == 0)
		p->lenneed = (c & 0x80) ? 4 : 1;
	p->lenbuf[p->lenhave++] = c;
	if (p->lenhave < p->lenneed)
		return 0;
	v = b[0];
	if (p->lenneed == 4)
		v = ((size_t)(b[0] & 0x7f) << 24) | ((size_t)b[1] << 16) |
		    ((size_t)b[2] << 8) | b[3];
	p->lenhave = 0;
	if (p->phase == P_NAMELEN) {
		p->name = v;
		p->phase = P_VALUELEN;
		return 0;
	}
	p->value = v;
	if (p->name > FCGI_SCAN_MAX || v > FCGI_SCAN_MAX - p->name)
		return -1;
	p->phase = P_NAME;
	p->pos = 0;
	p->matching = !p->found;
	pair_settle(p);
	return 0;
}

/* Bytes of name or value: matched while they may be the method. */
static size_t
pair_bytes(struct fcgi_scan_params *p, const unsigned char *b, size_t n)
{
	size_t *left = p->phase == P_NAME ? &p->name : &p->value;
	size_t	i, take = n < *left ? n : *left;

	for (i = 0; i < take && p->matching; i++)
		match_byte(p, b[i]);
	*left -= take;
	pair_settle(p);
	return take;
}

static int
params_feed(struct fcgi_scan_params *p, const unsigned char *b, size_t n)
{
	size_t used;

	while (n > 0) {
		if (p->phase == P_NAMELEN || p->phase == P_VALUELEN) {
			if (length_byte(p, *b) == -1)
				return -1;
			used = 1;
		} else
			used = pair_bytes(p, b, n);
		b += used;
		n -= used;
	}
	return 0;
}

static int
params_complete(const struct fcgi_scan_params *p)
{
	return p->phase == P_NAMELEN && p->lenhave == 0;
}

static int
is_post(const struct fcgi_scan_params *p)
{
	return p->found && !p->mlong && strcmp(p->method, "POST") == 0;
}

enum state {
	S_BEGIN,
	S_PARAMS,
	S_STDIN,
	S_DONE
};

static const char *
begin_record(struct fcgi_scan *w, struct fcgi_scan *out, unsigned type,
    unsigned id, const unsigned char *c, size_t clen)
{
	if (type != T_BEGIN)
		return "the first record is not FCGI_BEGIN_REQUEST";
	if (clen != 8)
		return "malformed FCGI_BEGIN_REQUEST";
	out->role = (c[0] << 8) | c[1];
	if (out->role != FCGI_SCAN_RESPONDER &&
	    out->role != FCGI_SCAN_AUTHORIZER)
		return "a role other than Responder or Authorizer";
	out->keep_conn = c[2] & 1;
	w->id = id;
	w->state = S_PARAMS;
	return NULL;
}

static const char *
params_record(struct fcgi_scan *w, const struct fcgi_scan *out, unsigned type,
    const unsigned char *c, size_t clen)
{
	if (type == T_ABORT)
		return "FCGI_ABORT_REQUEST before the request was complete";
	if (type != T_PARAMS)
		return "a record other than FCGI_PARAMS in the params";
	if (clen > 0 && params_feed(&w->params, c, clen) == -1)
		return "a parameter longer than its stream";
	if (clen > 0)
		return NULL;
	if (!params_complete(&w->params))
		return "a parameter cut short by the end of the params";
	w->need_stdin = out->role == FCGI_SCAN_RESPONDER && is_post(&w->params);
	w->state = S_STDIN;
	return NULL;
}

static const char *
stdin_record(struct fcgi_scan *w, struct fcgi_scan *out, unsigned type,
    size_t clen)
{
	if (type == T_ABORT)
		return "FCGI_ABORT_REQUEST before the request was complete";
	if (type != T_STDIN)
		return "a record other than FCGI_STDIN after the params";
	out->stdin_seen = 1;
	w->stdin_bytes += clen;
	if (clen == 0) {
		out->stdin_done = 1;
		w->state = S_DONE;
	}
	return NULL;
}

/* Would libfcgi read this record's padding as the next header? */
static int
padding_unread(unsigned type, size_t clen)
{
	return type == T_BEGIN ||
	    ((type == T_PARAMS || type == T_STDIN) && clen == 0);
}

/* Check one whole record; NULL, or why the connection is refused. */
static const char *
record(struct fcgi_scan *w, struct fcgi_scan *out, const unsigned char *h)
{
	unsigned type = h[1], id = (h[2] << 8) | h[3];
	size_t	 clen = (size_t)((h[4] << 8) | h[5]);

	if (id == 0)
		return "a management record (FCGI_GET_VALUES or other)";
	if (h[6] != 0 && padding_unread(type, clen))
		return "padding that libfcgi would read as a record header";
	if (w->state == S_BEGIN)
		return begin_record(w, out, type, id, h + HEADER_LEN, clen);
	if (id != w->id || type == T_BEGIN)
		return "a second request on the connection (multiplexing)";
	if (w->state == S_PARAMS)
		return params_record(w, out, type, h + HEADER_LEN, clen);
	return stdin_record(w, out, type, clen);
}

static int
ready(const struct fcgi_scan *w, size_t body_max)
{
	if (w->state < S_STDIN)
		return 0;
	return !w->need_stdin || w->state == S_DONE ||
	    w->stdin_bytes > body_max;
}

/*
 * Once ready, the walk goes on only over whole FCGI_STDIN records of the
 * request (for keep-conn, the caller wants to know whether its stdin is
 * all there); anything else after it is not this request's business.
 */
static int
goes_on(const struct fcgi_scan *w, const unsigned char *h, size_t avail)
{
	size_t clen = (size_t)((h[4] << 8) | h[5]);

	if (w->state == S_DONE)
		return 0;
	return avail >= HEADER_LEN + clen + h[6] && h[0] == FCGI_VERSION_1 &&
	    h[1] == T_STDIN && (unsigned)((h[2] << 8) | h[3]) == w->id;
}

/* The bytes the record at pos needs, header included. */
static size_t
record_len(const unsigned char *buf, size_t len, size_t pos)
{
	if (len - pos < HEADER_LEN)
		return HEADER_LEN;
	return HEADER_LEN + (size_t)((buf[pos + 4] << 8) | buf[pos + 5]) +
	    buf[pos + 6];
}

enum fcgi_scan_status
fcgi_scan_more(const unsigned char *buf, size_t len, size_t body_max,
    struct fcgi_scan *out)
{
	size_t pos = out->len, rlen;

	out->why = NULL;
	while (len - pos >= HEADER_LEN) {
		if (ready(out, body_max) && !goes_on(out, buf + pos, len - pos))
			break;
		if (buf[pos] != FCGI_VERSION_1) {
			out->why = "not FastCGI version 1";
			return FCGI_SCAN_BAD;
		}
		if (len - pos < (rlen = record_len(buf, len, pos)))
			break;
		if ((out->why = record(out, out, buf + pos)) != NULL)
			return FCGI_SCAN_BAD;
		pos += rlen;
		out->len = pos;
	}
	out->need = pos + record_len(buf, len, pos);
	return ready(out, body_max) ? FCGI_SCAN_READY : FCGI_SCAN_MORE;
}

enum fcgi_scan_status
fcgi_scan(const unsigned char *buf, size_t len, size_t body_max,
    struct fcgi_scan *out)
{
	memset(out, 0, sizeof(*out));
	return fcgi_scan_more(buf, len, body_max, out);
}
