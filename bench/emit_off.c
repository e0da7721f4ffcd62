/* SPDX-License-Identifier: MIT */
/*
 * bench/emit_off.c - the "compiled out" variant: the same event and probe
 * site as bench_mprof_* in emit.c, in a translation unit built with
 * -DPROF_DISABLE, so PROF_EMIT expands to nothing.
 */
#ifndef PROF_DISABLE
#error "build bench/emit_off.c with -DPROF_DISABLE"
#endif

#include "bench.h"
#include "emit.h"

PROF_EVENT(bench_ev_off, "bench.emit", (u64, a), (u32, b));

BENCH_FN void loop_mprof_compiled_out(uint64_t n)
{
	BENCH_LOOP(n, PROF_EMIT(bench_ev_off, a, b));
}
