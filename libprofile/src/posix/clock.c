/* SPDX-License-Identifier: MIT */
/*
 * posix/clock.c - choose and describe the trace clock.
 *
 * The invariant TSC (CPUID 0x80000007 EDX bit 8) is read with one
 * instruction and needs no system call, so it is the clock wherever the
 * CPU has it.  Its frequency is measured against CLOCK_MONOTONIC over a
 * short window, and the calibration (the window and a reference point on
 * both clocks and on CLOCK_REALTIME) is recorded in the region, so a
 * reader converts ticks to nanoseconds and wall time.  Elsewhere the clock
 * is CLOCK_MONOTONIC in nanoseconds.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "posix/posix.h"

static uint64_t ts_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t prof__posix_monotonic_ns(void *ctx)
{
	(void)ctx;
	return ts_ns(CLOCK_MONOTONIC);
}

static int tsc_invariant(void)
{
#if defined(__x86_64__) || defined(__i386__)
	unsigned int a, b, c, d;
	const char *force = getenv("MPROF_CLOCK");

	if (force && strcmp(force, "monotonic") == 0)
		return 0;
	if (!__get_cpuid(0x80000000, &a, &b, &c, &d) || a < 0x80000007)
		return 0;
	__get_cpuid(0x80000007, &a, &b, &c, &d);
	return (d >> 8) & 1;
#else
	return 0;
#endif
}

/* A (tsc, monotonic) pair read as close together as the two reads allow. */
static void pair_now(uint64_t *tsc, uint64_t *mono)
{
	uint64_t best = UINT64_MAX;
	int i;

	for (i = 0; i < 5; i++) {
		uint64_t m0 = ts_ns(CLOCK_MONOTONIC);
		uint64_t t = __builtin_ia32_rdtsc();
		uint64_t m1 = ts_ns(CLOCK_MONOTONIC);

		if (m1 - m0 < best) {
			best = m1 - m0;
			*tsc = t;
			*mono = m0 + (m1 - m0) / 2;
		}
	}
}

PROF_EXPORT int prof_clock_calibrate(struct prof_clock_desc *clock)
{
	memset(clock, 0, sizeof(*clock));
	if (tsc_invariant()) {
#if defined(__x86_64__) || defined(__i386__)
		uint64_t t0, m0, t1, m1;
		struct timespec pause = { 0, 10 * 1000 * 1000 };

		pair_now(&t0, &m0);
		nanosleep(&pause, NULL); /* the calibration window, not synchronisation */
		pair_now(&t1, &m1);
		if (m1 > m0 && t1 > t0) {
			clock->source = PROF_CLOCK_TSC;
			clock->calibrated = 1;
			clock->freq_hz = (uint64_t)((double)(t1 - t0) * 1e9 / (double)(m1 - m0) + 0.5);
			clock->ref_ticks = t1;
			clock->ref_monotonic_ns = m1;
			clock->ref_realtime_ns = ts_ns(CLOCK_REALTIME) - (ts_ns(CLOCK_MONOTONIC) - m1);
			clock->calib_window_ns = m1 - m0;
			return 0;
		}
#endif
	}
	clock->source = PROF_CLOCK_MONOTONIC;
	clock->calibrated = 0;
	clock->freq_hz = 1000000000u;
	clock->ref_monotonic_ns = ts_ns(CLOCK_MONOTONIC);
	clock->ref_ticks = clock->ref_monotonic_ns;
	clock->ref_realtime_ns = ts_ns(CLOCK_REALTIME);
	return 0;
}
