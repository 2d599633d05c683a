/* json.h: what cJSON lacks for building answers and listings. */
#ifndef SG_CORE_JSON_H
#define SG_CORE_JSON_H

#include <cjson/cJSON.h>

/* A new empty object appended to array: the object, or NULL (no memory). */
cJSON *json_append_object(cJSON *array);

#endif
