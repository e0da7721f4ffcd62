/* SPDX-License-Identifier: MIT */
/*
 * bench/flatout.c - a producer running flat out, for `mprof record`:
 *
 *   mprof record -s 262144 -n 64 -o DIR -- build/bench/flatout SECONDS
 *
 * One thread emits the emit benchmark's event (u64, u32) back to back for
 * SECONDS (default 1) and prints how many it emitted; record's summary
 * says how many reached the trace and how many were dropped, the figure
 * docs/PERFORMANCE.md reports for 16 and 64 MiB per stream.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "profile/profile.h"

PROF_EVENT(flat_ev, "bench.emit", (u64, a), (u32, b));

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 1.0;
	struct timespec t0, t;
	uint64_t i = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		uint64_t k;

		for (k = 0; k < 4096; k++, i++)
			PROF_EMIT(flat_ev, i, (uint32_t)i ^ 0x5a5au);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((double)(t.tv_sec - t0.tv_sec) + 1e-9 * (double)(t.tv_nsec - t0.tv_nsec) < seconds);
	printf("flatout: %llu events emitted\n", (unsigned long long)i);
	return 0;
}
