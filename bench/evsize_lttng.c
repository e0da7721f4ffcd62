/* SPDX-License-Identifier: MIT */
/*
 * bench/evsize_lttng.c - the LTTng-UST side of bench/evsize: emits N
 * events of one kind through LTTng-UST tracepoints, back to back on one
 * thread, for bench/run.sh to divide its consumer's bytes written by.
 *
 *   evsize_lttng bench|counter|span N
 *
 *   bench      mprof_bench:emit (u64, u32), N events
 *   counter    mprof_bench:counter (u32), N events
 *   span       mprof_bench:span_begin and span_end, N of each (2N events)
 *
 * run.sh creates the session (bench/lttng-session.sh DIR start EVENT)
 * before and stops it after; this program waits until the session has
 * enabled the kind's tracepoint (at most 10 s: LTTNG_UST_REGISTER_TIMEOUT
 * may be 0, so registration can complete after main starts), emits, and
 * prints "events N".  It exits 1 if the tracepoint never gets enabled.
 */
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#define LTTNG_UST_TRACEPOINT_DEFINE
#include "lttng_tp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int enabled(int kind)
{
	if (kind == 0)
		return lttng_ust_tracepoint_enabled(mprof_bench, emit) ? 1 : 0;
	if (kind == 1)
		return lttng_ust_tracepoint_enabled(mprof_bench, counter) ? 1 : 0;
	return lttng_ust_tracepoint_enabled(mprof_bench, span_begin) &&
	       lttng_ust_tracepoint_enabled(mprof_bench, span_end) ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const char *const kinds[] = { "bench", "counter", "span" };
	uint64_t n, i;
	int kind, tries;

	if (argc != 3) {
		fprintf(stderr, "usage: evsize_lttng bench|counter|span N\n");
		return 2;
	}
	for (kind = 0; kind < 3; kind++)
		if (strcmp(argv[1], kinds[kind]) == 0)
			break;
	n = strtoull(argv[2], NULL, 10);
	if (kind == 3 || n == 0) {
		fprintf(stderr, "evsize_lttng: bad kind '%s' or count '%s'\n", argv[1], argv[2]);
		return 2;
	}
	for (tries = 0; tries < 1000 && !enabled(kind); tries++)
		usleep(10000);
	if (!enabled(kind)) {
		fprintf(stderr, "evsize_lttng: no LTTng session enabled the %s tracepoint\n", argv[1]);
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (kind == 0) {
			lttng_ust_tracepoint(mprof_bench, emit, i, (uint32_t)i);
		} else if (kind == 1) {
			lttng_ust_tracepoint(mprof_bench, counter, (uint32_t)i);
		} else {
			lttng_ust_tracepoint(mprof_bench, span_begin);
			lttng_ust_tracepoint(mprof_bench, span_end);
		}
	}
	printf("events %llu\n", (unsigned long long)(kind == 2 ? 2 * n : n));
	return 0;
}
