/* Unit tests of fcgi_scan.c: when a request is whole, what is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/fcgi_scan.h"

#define BODY_MAX 8192

/* A growing byte string of records. */
struct msg {
	unsigned char b[FCGI_SCAN_MAX + 64];
	size_t	      n;
};

static void
put(struct msg *m, const void *p, size_t n)
{
	assert_true(m->n + n <= sizeof(m->b));
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

static void
rec_id(struct msg *m, int type, int id, const void *c, size_t clen, int pad)
{
	unsigned char h[8] = { 1, (unsigned char)type, (unsigned char)(id >> 8),
		(unsigned char)id, (unsigned char)(clen >> 8),
		(unsigned char)clen, (unsigned char)pad, 0 };
	static const unsigned char zeros[255];

	put(m, h, sizeof(h));
	put(m, c, clen);
	put(m, zeros, (size_t)pad);
}

static void
rec(struct msg *m, int type, const void *c, size_t clen)
{
	rec_id(m, type, 1, c, clen, 0);
}

static void
begin(struct msg *m, int role, int keep)
{
	unsigned char b[8] = { 0, (unsigned char)role, (unsigned char)keep };

	rec(m, 1, b, sizeof(b));
}

/* One name-value pair, with 1- or 4-byte lengths as needed. */
static size_t
pair(unsigned char *out, const char *name, const char *value)
{
	size_t n = 0, len[2] = { strlen(name), strlen(value) };
	int    i;

	for (i = 0; i < 2; i++) {
		if (len[i] < 128)
			out[n++] = (unsigned char)len[i];
		else {
			out[n++] = (unsigned char)(0x80 | (len[i] >> 24));
			out[n++] = (unsigned char)(len[i] >> 16);
			out[n++] = (unsigned char)(len[i] >> 8);
			out[n++] = (unsigned char)len[i];
		}
	}
	memcpy(out + n, name, len[0]);
	memcpy(out + n + len[0], value, len[1]);
	return n + len[0] + len[1];
}

static void
params(struct msg *m, const char *method)
{
	unsigned char p[256];
	size_t	      n = pair(p, "REQUEST_URI", "/x");

	if (method != NULL)
		n += pair(p + n, "REQUEST_METHOD", method);
	rec(m, 4, p, n);
	rec(m, 4, "", 0);
}

static enum fcgi_scan_status
scan(const struct msg *m, struct fcgi_scan *s)
{
	return fcgi_scan(m->b, m->n, BODY_MAX, s);
}

/* Every prefix of a ready request is MORE, never BAD. */
static void
assert_prefixes_wait(const struct msg *m, size_t upto)
{
	struct fcgi_scan s;
	size_t		 i;

	for (i = 0; i < upto; i++)
		assert_int_equal(fcgi_scan(m->b, i, BODY_MAX, &s),
		    FCGI_SCAN_MORE);
}

static void
test_authorizer_ready_at_params_end(void **state)
{
	static struct msg m;
	struct fcgi_scan  s;

	(void)state;
	m.n = 0;
	begin(&m, 2, 0);
	params(&m, "POST"); /* an authorizer never reads stdin */
	assert_int_equal(scan(&m, &s), FCGI_SCAN_READY);
	assert_int_equal(s.role, FCGI_SCAN_AUTHORIZER);
	assert_int_equal(s.len, m.n);
	assert_false(s.keep_conn);
	assert_false(s.stdin_seen);
	assert_prefixes_wait(&m, m.n);
	/* stdin that follows is counted, not waited for */
	rec(&m, 5, "abc", 3);
	assert_int_equal(scan(&m, &s), FCGI_SCAN_READY);
	assert_true(s.stdin_seen);
	assert_false(s.stdin_done);
	assert_int_equal(s.len, m.n);
}

static void
test_responder_get_needs_no_stdin(void **state)
{
	static struct msg m;
	struct fcgi_scan  s;

	(void)state;
	m.n = 0;
	begin(&m, 1, 1);
	params(&m, "GET");
	assert_int_equal(scan(&m, &s), FCGI_SCAN_READY);
	assert_true(s.keep_conn);
	rec(&m, 5, "", 0);
	assert_int_equal(scan(&m, &s), FCGI_SCAN_READY);
	assert_true(s.stdin_done);
	assert_int_equal(s.len, m.n);
	/* a pipelined request after it is not part of it */
	begin(&m, 1, 1);
	assert_int_equal(scan(&m, &s), FCGI_SCAN_READY);
	assert_int_equal(s.len, m.n - 16);
}

static void
test_responder_post_waits_for_stdin(void **state)
{
	static struct msg m;
	static char	  big[BODY_MAX + 1];
	struct fcgi_scan  s;
	size_t		  upto;

	(void)state;
	m.n = 0;
	begin(&m, 1, 0);
	params(&m, "POST");
	rec(&m, 5, "a=b", 3);
	assert_int_equal(scan(&m, &s), FCGI_SCAN_MORE);
	upto = m.n;
	rec(&m, 5, "", 0);
	assert_int_equal(scan(&m, &s), FCGI_SCAN_READY);
	assert_true(s.stdin_done);
	assert_prefixes_wait(&m, upto);
	/* a body past body_max is ready before its end: it gets 413 */
	m.n = 0;
	begin(&m, 1, 0);
	params(&m, "POST");
	memset(big, 'x', sizeof(big));
	rec(&m, 5, big, BODY_MAX);
	assert_int_equal(scan(&m, &s), FCGI_SCAN_MORE);
	rec(&m, 5, big, 1);
	assert_int_equal(scan(&m, &s), FCGI_SCAN_READY);
	assert_false(s.stdin_done);
}

static void
test_method_as_libfcgi_sees_it(void **state)
{
	static struct msg m;
	struct fcgi_scan  s;
	unsigned char	  p[128];
	size_t		  n;

	(void)state;
	/* the first REQUEST_METHOD wins, as in FCGX_GetParam */
	m.n = 0;
	begin(&m, 1, 0);
	n = pair(p, "REQUEST_METHOD", "GET");
	n += pair(p + n, "REQUEST_METHOD", "POST");
	rec(&m, 4, p, n);
	rec(&m, 4, "", 0);
	assert_int_equal(scan(&m, &s), FCGI_SCAN_READY);
	/* "POST" up to a NUL is POST; a pair split over records too */
	m.n = 0;
	begin(&m, 1, 0);
	n = pair(p, "X", "y");
	memcpy(p + n, "\016\006REQUEST_METHODPOST\0z", 22);
	rec(&m, 4, p, n + 9);
	rec(&m, 4, p + n + 9, 13);
	rec(&m, 4, "", 0);
	assert_int_equal(scan(&m, &s), FCGI_SCAN_MORE);
	/* no method: not a POST */
	m.n = 0;
	begin(&m, 1, 0);
	params(&m, NULL);
	assert_int_equal(scan(&m, &s), FCGI_SCAN_READY);
}

static const struct {
	const char   *name;
	unsigned char bytes[64];
	size_t	      len;
	const char   *why;
} bad[] = {
	{ "version 2", { 2, 1, 0, 1, 0, 8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0 }, 16,
	    "not FastCGI version 1" },
	{ "stdin first", { 1, 5, 0, 1, 0, 0, 0, 0 }, 8,
	    "the first record is not FCGI_BEGIN_REQUEST" },
	{ "short begin", { 1, 1, 0, 1, 0, 4, 0, 0, 0, 1, 0, 0 }, 12,
	    "malformed FCGI_BEGIN_REQUEST" },
	{ "filter role", { 1, 1, 0, 1, 0, 8, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0 }, 16,
	    "a role other than Responder or Authorizer" },
	{ "get values", { 1, 9, 0, 0, 0, 0, 0, 0 }, 8,
	    "a management record (FCGI_GET_VALUES or other)" },
};

static void
test_refused(void **state)
{
	struct fcgi_scan s;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(
		    fcgi_scan(bad[i].bytes, bad[i].len, BODY_MAX, &s),
		    FCGI_SCAN_BAD);
		assert_string_equal(s.why, bad[i].why);
	}
}

static void
test_libfcgi_crashes_are_refused(void **state)
{
	static struct msg	   m;
	struct fcgi_scan	   s;
	static const char	   mpxs[] = "\017\000FCGI_MPXS_CONNS";
	unsigned char		   gv[8 * 17];
	static const unsigned char huge[] = { 0xff, 0xff, 0xff, 0xf0, 0xff,
		0xff, 0xff, 0xf0 };
	int			   i;

	(void)state;
	/* name and value lengths adding up past INT_MAX */
	m.n = 0;
	begin(&m, 2, 0);
	rec(&m, 4, huge, sizeof(huge));
	assert_int_equal(scan(&m, &s), FCGI_SCAN_BAD);
	assert_string_equal(s.why, "a parameter longer than its stream");
	/* FCGI_GET_VALUES naming FCGI_MPXS_CONNS eight times */
	for (i = 0; i < 8; i++)
		memcpy(gv + i * 17, mpxs, 17);
	m.n = 0;
	rec_id(&m, 9, 0, gv, sizeof(gv), 0);
	assert_int_equal(scan(&m, &s), FCGI_SCAN_BAD);
	/* ... also in the middle of a request */
	m.n = 0;
	begin(&m, 1, 0);
	rec_id(&m, 9, 0, gv, sizeof(gv), 0);
	assert_int_equal(scan(&m, &s), FCGI_SCAN_BAD);
}

static void
test_out_of_order(void **state)
{
	static struct msg m;
	struct fcgi_scan  s;
	unsigned char	  p[64];
	size_t		  n;

	(void)state;
	/* a params stream that ends inside a pair */
	m.n = 0;
	begin(&m, 2, 0);
	n = pair(p, "REQUEST_URI", "/x");
	rec(&m, 4, p, n - 1);
	rec(&m, 4, "", 0);
	assert_int_equal(scan(&m, &s), FCGI_SCAN_BAD);
	assert_string_equal(s.why,
	    "a parameter cut short by the end of the params");
	/* an abort before the end of the params */
	m.n = 0;
	begin(&m, 2, 0);
	rec(&m, 2, "", 0);
	assert_int_equal(scan(&m, &s), FCGI_SCAN_BAD);
	/* stdin before the params ended */
	m.n = 0;
	begin(&m, 1, 0);
	rec(&m, 5, "", 0);
	assert_int_equal(scan(&m, &s), FCGI_SCAN_BAD);
	/* another request id, or a second begin */
	m.n = 0;
	begin(&m, 1, 0);
	rec_id(&m, 4, 2, "", 0, 0);
	assert_int_equal(scan(&m, &s), FCGI_SCAN_BAD);
	m.n = 0;
	begin(&m, 1, 0);
	begin(&m, 1, 0);
	assert_int_equal(scan(&m, &s), FCGI_SCAN_BAD);
	/* a POST's params, then something other than stdin */
	m.n = 0;
	begin(&m, 1, 0);
	params(&m, "POST");
	rec(&m, 8, "x", 1);
	assert_int_equal(scan(&m, &s), FCGI_SCAN_BAD);
}

static void
test_padding_and_big_params(void **state)
{
	static struct msg    m;
	static char	     value[40000];
	static unsigned char p[40100];
	struct fcgi_scan     s;
	size_t		     n, off;

	(void)state;
	memset(value, 'c', sizeof(value) - 1);
	n = pair(p, "HTTP_COOKIE", value);
	m.n = 0;
	begin(&m, 2, 0);
	for (off = 0; off < n; off += 65535)
		rec_id(&m, 4, 1, p + off, n - off < 65535 ? n - off : 65535, 7);
	rec_id(&m, 4, 1, "", 0, 0);
	assert_int_equal(scan(&m, &s), FCGI_SCAN_READY);
	assert_int_equal(s.len, m.n);
}

/*
 * libfcgi reads the padding of FCGI_BEGIN_REQUEST and of the empty record
 * that ends FCGI_PARAMS or FCGI_STDIN as the next record header: a header
 * hidden there (here the length pair that makes libfcgi abort) is refused
 * with the padding, whatever it holds.
 */
static void
test_padding_libfcgi_reads_is_refused(void **state)
{
	static struct msg	   m;
	static const unsigned char hidden[8] = { 1, 4, 0, 1, 0, 8, 0, 0 };
	static const unsigned char pairs[8] = { 0xff, 0xff, 0xff, 0xf0, 0xff,
		0xff, 0xff, 0xf0 };
	unsigned char		   b[8] = { 0, 2, 0 };
	struct fcgi_scan	   s;

	(void)state;
	/* a BEGIN_REQUEST whose 16 bytes of padding hold a PARAMS record */
	m.n = 0;
	put(&m, (const unsigned char[]){ 1, 1, 0, 1, 0, 8, 16, 0 }, 8);
	put(&m, b, sizeof(b));
	put(&m, hidden, sizeof(hidden));
	put(&m, pairs, sizeof(pairs));
	params(&m, "GET");
	assert_int_equal(scan(&m, &s), FCGI_SCAN_BAD);
	assert_non_null(strstr(s.why, "padding"));
	/* zero padding of any length, on the params' terminator */
	m.n = 0;
	begin(&m, 2, 0);
	rec_id(&m, 4, 1, "", 0, 1);
	assert_int_equal(scan(&m, &s), FCGI_SCAN_BAD);
	/* on the empty STDIN record of a POST */
	m.n = 0;
	begin(&m, 1, 0);
	params(&m, "POST");
	rec(&m, 5, "a=b", 3);
	rec_id(&m, 5, 1, "", 0, 8);
	assert_int_equal(scan(&m, &s), FCGI_SCAN_BAD);
	/* libfcgi skips it on records with content: still whole */
	m.n = 0;
	begin(&m, 1, 0);
	params(&m, "POST");
	rec_id(&m, 5, 1, "a=b", 3, 5);
	rec(&m, 5, "", 0);
	assert_int_equal(scan(&m, &s), FCGI_SCAN_READY);
	assert_int_equal(s.len, m.n);
}

/*
 * fcgi_scan_more() goes on where it stopped: fed a request a byte at a
 * time it agrees with fcgi_scan() at every length, and the length it
 * says it needs is where the next record ends.
 */
static void
test_scan_more_goes_on(void **state)
{
	static struct msg m;
	struct fcgi_scan  inc, once;
	size_t		  i;

	(void)state;
	m.n = 0;
	begin(&m, 1, 1);
	params(&m, "POST");
	rec(&m, 5, "a=b", 3);
	rec(&m, 5, "", 0);
	memset(&inc, 0, sizeof(inc));
	for (i = 1; i < m.n; i++) {
		assert_int_equal(fcgi_scan_more(m.b, i, BODY_MAX, &inc),
		    FCGI_SCAN_MORE);
		assert_int_equal(fcgi_scan(m.b, i, BODY_MAX, &once),
		    FCGI_SCAN_MORE);
		assert_int_equal(inc.len, once.len);
		assert_true(inc.need > i && inc.need <= m.n);
	}
	assert_int_equal(fcgi_scan_more(m.b, m.n, BODY_MAX, &inc),
	    FCGI_SCAN_READY);
	assert_int_equal(inc.len, m.n);
	assert_int_equal(inc.role, 1);
	assert_true(inc.keep_conn && inc.stdin_done);
	/* 3 bytes into the first header: the header is needed (8) */
	memset(&inc, 0, sizeof(inc));
	assert_int_equal(fcgi_scan_more(m.b, 3, BODY_MAX, &inc),
	    FCGI_SCAN_MORE);
	assert_int_equal(inc.need, 8);
	/* the header: then its content too */
	assert_int_equal(fcgi_scan_more(m.b, 8, BODY_MAX, &inc),
	    FCGI_SCAN_MORE);
	assert_int_equal(inc.need, 16);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_authorizer_ready_at_params_end),
		cmocka_unit_test(test_responder_get_needs_no_stdin),
		cmocka_unit_test(test_responder_post_waits_for_stdin),
		cmocka_unit_test(test_method_as_libfcgi_sees_it),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_libfcgi_crashes_are_refused),
		cmocka_unit_test(test_out_of_order),
		cmocka_unit_test(test_padding_and_big_params),
		cmocka_unit_test(test_padding_libfcgi_reads_is_refused),
		cmocka_unit_test(test_scan_more_goes_on),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
