/* SPDX-License-Identifier: MIT */
/*
 * bench/lttng_tp.h - the LTTng-UST tracepoints the benchmarks compare
 * against: emit has the same two integer fields (u64, u32) as the mprof
 * event; counter (one u32) and span_begin/span_end (no fields) are the
 * other kinds bench/evsize measures (bench/evsize_lttng.c).
 */
#undef LTTNG_UST_TRACEPOINT_PROVIDER
#define LTTNG_UST_TRACEPOINT_PROVIDER mprof_bench

#undef LTTNG_UST_TRACEPOINT_INCLUDE
#define LTTNG_UST_TRACEPOINT_INCLUDE "./lttng_tp.h"

#if !defined(BENCH_LTTNG_TP_H) || defined(LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ)
#define BENCH_LTTNG_TP_H

#include <stdint.h>
#include <lttng/tracepoint.h>

LTTNG_UST_TRACEPOINT_EVENT(
	mprof_bench, emit,
	LTTNG_UST_TP_ARGS(uint64_t, a, uint32_t, b),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(uint64_t, a, a)
		lttng_ust_field_integer(uint32_t, b, b)))

LTTNG_UST_TRACEPOINT_EVENT(
	mprof_bench, counter,
	LTTNG_UST_TP_ARGS(uint32_t, v),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(uint32_t, v, v)))

LTTNG_UST_TRACEPOINT_EVENT(
	mprof_bench, span_begin,
	LTTNG_UST_TP_ARGS(void),
	LTTNG_UST_TP_FIELDS())

LTTNG_UST_TRACEPOINT_EVENT(
	mprof_bench, span_end,
	LTTNG_UST_TP_ARGS(void),
	LTTNG_UST_TP_FIELDS())

#endif

#include <lttng/tracepoint-event.h>
