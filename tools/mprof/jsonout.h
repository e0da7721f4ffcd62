/* SPDX-License-Identifier: MIT */
/* tools/mprof/jsonout.h - building the JSON reports of stats and compare. */
#ifndef MPROF_JSONOUT_H
#define MPROF_JSONOUT_H

#include <stdint.h>

#include <jansson.h>

/* Set @key of @obj to @v (taking it); returns 0, or -1 if @obj or @v is
 * NULL (out of memory), which the caller reports. */
int mprof_json_set(json_t *obj, const char *key, json_t *v);

/* A u64, exact (docs/STATS-JSON.md "Numbers are exact"): a JSON integer up
 * to INT64_MAX, else a string of its decimal digits; NULL if out of memory. */
json_t *mprof_json_u64(uint64_t v);

#endif
