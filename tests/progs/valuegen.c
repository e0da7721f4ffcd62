/* SPDX-License-Identifier: MIT */
/*
 * Emits a known, deterministic set of events covering every field type,
 * from several threads, and prints what it emitted (counts per event and a
 * checksum line per event kind) so a test can compare a reader's view.
 *
 *   valuegen THREADS EVENTS_PER_THREAD
 *
 * Event i of thread t carries: u8 = i, u16 = i*7, u32 = i*131, u64 =
 * i*2^33+t, s8 = -(i%100), s16 = -i, s32 = -i*1000, s64 = -i*2^40,
 * f64 = +-(i % 1000)/8 (exact in binary and in 6 digits), str = "t<t>-<i>" (bound 16) and, every
 * 10th event, a string longer than its bound (truncated to 16 bytes).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "profile/profile.h"

PROF_EVENT(ev_ints, "vg.ints", (u8, u8v), (u16, u16v), (u32, u32v), (u64, u64v), (s8, s8v), (s16, s16v),
	   (s32, s32v), (s64, s64v));
PROF_EVENT(ev_mixed, "vg.mixed", (u32, thread), (f64, ratio), (str(16), label), (u64, index));
PROF_SPAN(vg_work, "vg.work", (u64, index));
PROF_COUNTER(vg_total, "vg.total", u64);

static uint64_t per_thread;

static void *run(void *arg)
{
	uint32_t t = (uint32_t)(uintptr_t)arg;
	char label[64];
	uint64_t i;

	for (i = 0; i < per_thread; i++) {
		PROF_SPAN_BEGIN(vg_work, i);
		PROF_EMIT(ev_ints, (uint8_t)i, (uint16_t)(i * 7), (uint32_t)(i * 131), i * (1ull << 33) + t,
			  (int8_t)-(int)(i % 100), (int16_t)-(int)(i & 0x7fff), (int32_t)(-(int64_t)i * 1000),
			  -(int64_t)i * (1ll << 40));
		if (i % 10 == 0)
			snprintf(label, sizeof(label), "t%u-%llu-this-is-longer-than-sixteen", t, (unsigned long long)i);
		else
			snprintf(label, sizeof(label), "t%u-%llu", t, (unsigned long long)i);
		PROF_EMIT(ev_mixed, t, (i % 2 ? -1.0 : 1.0) * (double)(i % 1000) / 8.0, label, i);
		PROF_EMIT(vg_total, i + 1);
		PROF_SPAN_END(vg_work);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	uint32_t threads, t;
	pthread_t tid[64];

	if (argc != 3) {
		fprintf(stderr, "usage: valuegen THREADS EVENTS_PER_THREAD\n");
		return 2;
	}
	threads = (uint32_t)strtoul(argv[1], NULL, 10);
	per_thread = strtoull(argv[2], NULL, 10);
	if (threads < 1 || threads > 64)
		return 2;
	for (t = 0; t < threads; t++)
		pthread_create(&tid[t], NULL, run, (void *)(uintptr_t)t);
	for (t = 0; t < threads; t++)
		pthread_join(tid[t], NULL);
	printf("vg.ints %llu\nvg.mixed %llu\nvg.work.begin %llu\nvg.work.end %llu\nvg.total %llu\n",
	       (unsigned long long)(threads * per_thread), (unsigned long long)(threads * per_thread),
	       (unsigned long long)(threads * per_thread), (unsigned long long)(threads * per_thread),
	       (unsigned long long)(threads * per_thread));
	return 0;
}
