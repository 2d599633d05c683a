/*
 * fuzz_fcgi_scan: fcgi_scan(), the acceptor's verdict on the bytes a
 * connection queued, before libfcgi ever reads them. Its promises: one of
 * the three verdicts; a refusal says why; a request found whole names a
 * role sessgate serves, lies within the bytes given, and is still whole
 * when only those bytes are scanned again (what a worker will read).
 */
#include "daemon/fcgi_scan.h"

#include "fuzz.h"

#define BODY_MAX 8192

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fcgi_scan      sc, again;
	enum fcgi_scan_status st;

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
