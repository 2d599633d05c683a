/*
 * fuzz_record: record_decode(), the session record as Redis hands it
 * back (cJSON underneath). A record it accepts is sane, and encodes and
 * decodes again to the same values.
 */
#include "core/record.h"
#include "core/user.h"

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct record r, again;
	char	      out[RECORD_MAX + 1];

	memset(&r, 0, sizeof(r));
	if (record_decode(&r, (const char *)data, size) != 0)
		return 0;
	FUZZ_ASSERT(size <= RECORD_MAX);
	FUZZ_ASSERT(fuzz_terminated(r.user, sizeof(r.user)));
	FUZZ_ASSERT(user_name_valid(r.user, strlen(r.user)));
	FUZZ_ASSERT(r.created >= 0 && r.deadline >= r.created);
	FUZZ_ASSERT(record_encode(&r, out, sizeof(out)) == 0);
	FUZZ_ASSERT(record_decode(&again, out, strlen(out)) == 0);
	FUZZ_ASSERT(record_text_ok(r.addr, RECORD_ADDR_MAX) &&
	    record_text_ok(r.agent, RECORD_AGENT_MAX));
	FUZZ_ASSERT(strcmp(again.user, r.user) == 0 &&
	    again.created == r.created && again.deadline == r.deadline &&
	    again.confirmed == r.confirmed && strcmp(again.addr, r.addr) == 0 &&
	    strcmp(again.agent, r.agent) == 0);
	return 0;
}
