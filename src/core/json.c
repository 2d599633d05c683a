/* json.c: what cJSON lacks for building answers and listings. */
#include "core/json.h"

cJSON *
json_append_object(cJSON *array)
{
	cJSON *o;

	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	if (!cJSON_AddItemToArray(array, o)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}
