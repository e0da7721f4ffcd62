/* SPDX-License-Identifier: MIT */
/*
 * tools/source/test/lttng_tp.h - the LTTng-UST tracepoints of
 * source_lttng_emit.c: every field type the trace source maps (signed and
 * unsigned integers of several sizes, a double, a string, an enumeration)
 * and one it skips (an array).
 */
#undef LTTNG_UST_TRACEPOINT_PROVIDER
#define LTTNG_UST_TRACEPOINT_PROVIDER mprof_src

#undef LTTNG_UST_TRACEPOINT_INCLUDE
#define LTTNG_UST_TRACEPOINT_INCLUDE "./lttng_tp.h"

#if !defined(SOURCE_LTTNG_TP_H) || defined(LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ)
#define SOURCE_LTTNG_TP_H

#include <stdint.h>
#include <lttng/tracepoint.h>

LTTNG_UST_TRACEPOINT_ENUM(mprof_src, color,
	LTTNG_UST_TP_ENUM_VALUES(
		lttng_ust_field_enum_value("RED", 0)
		lttng_ust_field_enum_value("GREEN", 1)
		lttng_ust_field_enum_value("BLUE", 2)))

LTTNG_UST_TRACEPOINT_EVENT(
	mprof_src, sample,
	LTTNG_UST_TP_ARGS(int, i, const char *, label, const int *, arr),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(int64_t, neg, -(int64_t)i * 1000003)
		lttng_ust_field_integer(uint32_t, idx, i)
		lttng_ust_field_integer(uint8_t, small, (uint8_t)(i * 7))
		lttng_ust_field_integer(int16_t, s16, (int16_t)(-i))
		lttng_ust_field_float(double, ratio, i / 4.0)
		lttng_ust_field_string(label, label)
		lttng_ust_field_enum(mprof_src, color, int, color, i % 3)
		lttng_ust_field_array(int, arr, arr, 3)))

LTTNG_UST_TRACEPOINT_EVENT(
	mprof_src, tick,
	LTTNG_UST_TP_ARGS(uint64_t, n),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(uint64_t, n, n)))

#endif

#include <lttng/tracepoint-event.h>
