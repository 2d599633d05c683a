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

/*
 * An optional text member into out (absent: ""): 0, or -1 unless it is
 * what record_text_ok() allows.
 */
static int
get_text(const cJSON *obj, const char *name, char *out, size_t max)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	out[0] = '\0';
	if (v == NULL)
		return 0;
	if (!cJSON_IsString(v) || !record_text_ok(v->valuestring, max))
		return -1;
	memcpy(out, v->valuestring, strlen(v->valuestring) + 1);
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
	if (cJSON_GetObjectItemCaseSensitive(root, "p") == NULL)
		r->confirmed = r->created;
	else if (get_ms(root, "p", &r->confirmed) == -1)
		goto fail;
	if (get_text(root, "ip", r->addr, RECORD_ADDR_MAX) == -1 ||
	    get_text(root, "ua", r->agent, RECORD_AGENT_MAX) == -1)
		goto fail;
	memcpy(r->user, u->valuestring, strlen(u->valuestring) + 1);
	rv = 0;
fail:
	cJSON_Delete(root);
	return rv;
}

int
record_text_ok(const char *s, size_t max)
{
	size_t i;

	if (s == NULL)
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (i == max || s[i] < 0x20 || s[i] > 0x7e || s[i] == '"' ||
		    s[i] == '\\')
			return 0;
	return 1;
}

int
record_encode(const struct record *r, char *out, size_t outlen)
{
	int n;

	if (!user_name_valid(r->user, strlen(r->user)))
		return -1;
	if (!record_text_ok(r->addr, RECORD_ADDR_MAX) ||
	    !record_text_ok(r->agent, RECORD_AGENT_MAX))
		return -1;
	n = snprintf(out, outlen,
	    "{\"u\":\"%s\",\"c\":%lld,\"a\":%lld,\"p\":%lld,\"ip\":\"%s\","
	    "\"ua\":\"%s\"}",
	    r->user, (long long)r->created, (long long)r->deadline,
	    (long long)r->confirmed, r->addr, r->agent);
	return (n < 0 || (size_t)n >= outlen) ? -1 : 0;
}
