/* SPDX-License-Identifier: MIT */
/* viewer/render/timearg.c - times on the viewer's command lines. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "timearg.h"

int prof_parse_time(const char *text, uint64_t *ns)
{
	static const struct { const char *unit; double scale; } units[] = {
		{ "", 1e9 }, { "s", 1e9 }, { "ms", 1e6 }, { "us", 1e3 }, { "ns", 1 },
	};
	char *end;
	double v;

	if (!text[0] || text[0] == '-' || text[0] == '+')
		return -EINVAL;
	v = strtod(text, &end);
	if (end == text || !isfinite(v) || v < 0)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit))
			continue;
		v *= units[i].scale;
		if (v >= 1.8e19)
			return -EINVAL;
		*ns = (uint64_t)llround(v);
		return 0;
	}
	return -EINVAL;
}
