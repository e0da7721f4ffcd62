/* SPDX-License-Identifier: MIT */
/* tools/mprof/jsonout.c - building the JSON reports of stats and compare. */
#include "jsonout.h"

int mprof_json_set(json_t *obj, const char *key, json_t *v)
{
	return obj && v ? json_object_set_new(obj, key, v) : (json_decref(v), -1);
}
