/* SPDX-License-Identifier: MIT */
/* viewer/render/timearg.h - times on the viewer's command lines. */
#ifndef PROF_VIEWER_TIMEARG_H
#define PROF_VIEWER_TIMEARG_H

#include <stdint.h>

/**
 * prof_parse_time() - parse a time such as "1.5ms", "200us", "10ns" or
 * "2" (seconds when no unit is given).
 * @text: the text.
 * @ns: receives the time in nanoseconds.
 *
 * Return: 0, or -EINVAL (not a non-negative number with a known unit, or
 * too large).
 */
int prof_parse_time(const char *text, uint64_t *ns);

#endif
