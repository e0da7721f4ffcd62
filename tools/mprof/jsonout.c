/* SPDX-License-Identifier: MIT */
/* tools/mprof/jsonout.c - building the JSON reports of stats and compare. */
#include "jsonout.h"

#include <stdio.h>

int mprof_json_set(json_t *obj, const char *key, json_t *v)
{
	return obj && v ? json_object_set_new(obj, key, v) : (json_decref(v), -1);
}

json_t *mprof_json_u64(uint64_t v)
{
	char buf[24];

	if (v <= (uint64_t)INT64_MAX)
		return json_integer((json_int_t)v);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	return json_string(buf);
}
