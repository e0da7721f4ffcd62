/* SPDX-License-Identifier: MIT */
/*
 * tools/source/test/source_lttng_emit.c - emits known LTTng-UST events for
 * t_source_lttng.sh: `source_lttng_emit N` emits N mprof_src:sample
 * events (i = 0..N-1, every field a function of i), N mprof_src:tick
 * events and N lttng_ust_tracef:event messages, alternating, from two
 * threads (the main thread and one more), so that vtid tells them apart.
 */
/* The tracepoints are defined in source_lttng_tp.c: a unit that defines
 * them must not include tracef.h, whose provider lives in liblttng-ust. */
#include "lttng_tp.h"

#include <lttng/tracef.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static int n;

static void *ticks(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < n; i++)
		lttng_ust_tracepoint(mprof_src, tick, (uint64_t)i * 0x100000001ull);
	return NULL;
}

int main(int argc, char **argv)
{
	char label[32];
	pthread_t t;
	int i, arr[3];

	if (argc != 2 || (n = atoi(argv[1])) <= 0) {
		fprintf(stderr, "usage: source_lttng_emit N\n");
		return 2;
	}
	if (!lttng_ust_tracepoint_enabled(mprof_src, sample)) {
		fprintf(stderr, "source_lttng_emit: mprof_src:sample is not enabled (no session?)\n");
		return 1;
	}
	if (pthread_create(&t, NULL, ticks, NULL))
		return 1;
	for (i = 0; i < n; i++) {
		snprintf(label, sizeof(label), "label %d", i);
		arr[0] = i;
		arr[1] = i + 1;
		arr[2] = i + 2;
		lttng_ust_tracepoint(mprof_src, sample, i, label, arr);
		lttng_ust_tracef("tracef %d", i);
	}
	pthread_join(t, NULL);
	return 0;
}
