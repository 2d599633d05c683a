/*
 * record.c: session records.
 *
 * The store's create script writes each record in Redis with the times of
 * Redis's own clock (one clock for every sessgate process); C code reads
 * records back with cJSON and trusts nothing in them: types, ranges and the
 * user name are checked before use.
 */
#include "core/record.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#define MS_MAX 253402300800000.0 /* year 10000 */

static int
get_ms(const cJSON *obj, const char *name, int64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
	double	     d;

	if (!cJSON_IsNumber(v))
		return -1;
	d = v->valuedouble;
	if (!(d >= 0 && d <= MS_MAX) || floor(d) != d)
		return -1;
	*out = (int64_t)d;
	return 0;
}

int
record_decode(struct record *r, const char *json, size_t len)
{
	cJSON	    *root;
	const cJSON *u;
	int	     rv = -1;

	if (len > RECORD_MAX)
		return -1;
	if ((root = cJSON_ParseWithLength(json, len)) == NULL)
		return -1;
	if (!cJSON_IsObject(root))
		goto fail;
	u = cJSON_GetObjectItemCaseSensitive(root, "u");
	if (!cJSON_IsString(u) || u->valuestring == NULL ||
	    !user_name_valid(u->valuestring, strlen(u->valuestring)))
		goto fail;
	if (get_ms(root, "c", &r->created) == -1 ||
	    get_ms(root, "a", &r->deadline) == -1 || r->deadline < r->created)
		goto fail;
	memcpy(r->user, u->valuestring, strlen(u->valuestring) + 1);
	rv = 0;
fail:
	cJSON_Delete(root);
	return rv;
}

int
record_encode(const struct record *r, char *out, size_t outlen)
{
	int n;

	if (!user_name_valid(r->user, strlen(r->user)))
		return -1;
	n = snprintf(out, outlen, "{\"u\":\"%s\",\"c\":%lld,\"a\":%lld}",
	    r->user, (long long)r->created, (long long)r->deadline);
	return (n < 0 || (size_t)n >= outlen) ? -1 : 0;
}
