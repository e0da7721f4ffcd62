/* SPDX-License-Identifier: MIT */
/*
 * bench/emit.h - the variants of the emit benchmark that live in their
 * own translation units: the compiled-out one (built with -DPROF_DISABLE)
 * and the LTTng-UST ones (built only when liblttng-ust is there).
 */
#ifndef BENCH_EMIT_H
#define BENCH_EMIT_H

#include <stdint.h>

void loop_mprof_compiled_out(uint64_t n);

#ifdef BENCH_HAVE_LTTNG
void loop_lttng_session(uint64_t n);
void loop_lttng_nosession(uint64_t n);
/* Whether an LTTng session has enabled the tracepoint in this process. */
int bench_lttng_enabled(void);
#endif

#endif
