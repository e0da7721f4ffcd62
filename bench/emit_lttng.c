/* SPDX-License-Identifier: MIT */
/*
 * bench/emit_lttng.c - the LTTng-UST variants of the emit benchmark, and
 * the tracepoint provider they use (built into the benchmark, as an
 * application with its own tracepoints would be).
 *
 * The two loops are identical; they are separate functions so that
 * callgrind counts them separately.  Whether the tracepoint records
 * depends only on whether an LTTng session enabled it.
 */
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#define LTTNG_UST_TRACEPOINT_DEFINE
#include "lttng_tp.h"

#include "bench.h"
#include "emit.h"

BENCH_FN void loop_lttng_session(uint64_t n)
{
	BENCH_LOOP(n, lttng_ust_tracepoint(mprof_bench, emit, a, b));
}

BENCH_FN void loop_lttng_nosession(uint64_t n)
{
	BENCH_LOOP(n, lttng_ust_tracepoint(mprof_bench, emit, a, b));
}

int bench_lttng_enabled(void)
{
	return lttng_ust_tracepoint_enabled(mprof_bench, emit) ? 1 : 0;
}
