/*
 * fuzz_fcgi_scan: fcgi_scan(), the acceptor's verdict on the bytes a
 * connection queued, before libfcgi ever reads them. Its promises: one of
 * the three verdicts; a refusal says why; a request found whole names a
 * role sessgate serves, lies within the bytes given, and is still whole
 * when only those bytes are scanned again (what a worker will read).
 * And fcgi_scan_more(), fed the same bytes a piece at a time as they
 * would arrive (cut where the input's last byte says), gives at each cut
 * the verdict fcgi_scan() gives on those bytes from the start, and
 * nothing changes before the length it says it needs.
 */
#include "daemon/fcgi_scan.h"

#include "fuzz.h"

#define BODY_MAX 8192

static void
same(enum fcgi_scan_status a, const struct fcgi_scan *x,
    enum fcgi_scan_status b, const struct fcgi_scan *y)
{
	FUZZ_ASSERT(a == b);
	if (a != FCGI_SCAN_READY)
		return;
	FUZZ_ASSERT(x->len == y->len && x->role == y->role &&
	    x->keep_conn == y->keep_conn && x->stdin_seen == y->stdin_seen &&
	    x->stdin_done == y->stdin_done);
}

/* The pieces: cut every step bytes, step from the last byte (1..64). */
static void
incremental(const uint8_t *data, size_t size)
{
	struct fcgi_scan      inc, once;
	enum fcgi_scan_status a = FCGI_SCAN_MORE, b;
	size_t		      step, cut = 0;

	if (size == 0)
		return;
	step = (size_t)(data[size - 1] % 64) + 1;
	memset(&inc, 0, sizeof(inc));
	while (a == FCGI_SCAN_MORE && cut < size) {
		cut = cut + step < size ? cut + step : size;
		a = fcgi_scan_more(data, cut, BODY_MAX, &inc);
		b = fcgi_scan(data, cut, BODY_MAX, &once);
		same(a, &inc, b, &once);
		if (a != FCGI_SCAN_MORE)
			break;
		FUZZ_ASSERT(inc.need > cut);
		/* nothing changes before need */
		if (inc.need - 1 <= size && inc.need - 1 > cut)
			FUZZ_ASSERT(fcgi_scan(data, inc.need - 1, BODY_MAX,
					&once) == FCGI_SCAN_MORE);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fcgi_scan      sc, again;
	enum fcgi_scan_status st;

	incremental(data, size);
	memset(&sc, 0, sizeof(sc));
	st = fcgi_scan(data, size, BODY_MAX, &sc);
	FUZZ_ASSERT(st == FCGI_SCAN_MORE || st == FCGI_SCAN_READY ||
	    st == FCGI_SCAN_BAD);
	if (st == FCGI_SCAN_BAD)
		FUZZ_ASSERT(sc.why != NULL && sc.why[0] != '\0');
	if (st == FCGI_SCAN_MORE)
		FUZZ_ASSERT(size <= FCGI_SCAN_MAX);
	if (st != FCGI_SCAN_READY)
		return 0;
	FUZZ_ASSERT(sc.len > 0 && sc.len <= size);
	FUZZ_ASSERT(
	    sc.role == FCGI_SCAN_RESPONDER || sc.role == FCGI_SCAN_AUTHORIZER);
	memset(&again, 0, sizeof(again));
	FUZZ_ASSERT(
	    fcgi_scan(data, sc.len, BODY_MAX, &again) == FCGI_SCAN_READY);
	FUZZ_ASSERT(again.len == sc.len && again.role == sc.role);
	return 0;
}
