/* SPDX-License-Identifier: MIT */
/* tools/mprof/jsonout.h - building the JSON reports of stats and compare. */
#ifndef MPROF_JSONOUT_H
#define MPROF_JSONOUT_H

#include <jansson.h>

/* Set @key of @obj to @v (taking it); returns 0, or -1 if @obj or @v is
 * NULL (out of memory), which the caller reports. */
int mprof_json_set(json_t *obj, const char *key, json_t *v);

#endif
