/* SPDX-License-Identifier: MIT */
/*
 * The producer the crash test kills: THREADS threads emit numbered events
 * forever and, after each PROF_EMIT returns, publish how many they have
 * completed in a shared file (release store).  An event counted there was
 * complete before the kill, so it must be in the trace.
 *
 *   crashy ACKFILE THREADS CAP   ACKFILE: u64 pid, then u64 acks[THREADS]
 *
 * Each thread stops after CAP events and waits to be killed, so a slow
 * collector on a loaded machine can never make the ring overflow: the test
 * is about crash survival, not about drops (which are tested elsewhere).
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "profile/profile.h"

PROF_EVENT(cr_seq, "crash.seq", (u32, thread), (u64, seq));
PROF_EVENT(cr_note, "crash.note", (u32, thread), (str(40), text), (u64, seq));

static uint64_t *shared;
static uint64_t cap;

static void *run(void *arg)
{
	uint32_t t = (uint32_t)(uintptr_t)arg;
	uint64_t i;

	for (i = 0; i < cap; i++) {
		/* Two event shapes, so kills land at varied packet offsets. */
		if (i % 7 == 3)
			PROF_EMIT(cr_note, t, "a note of some length", i);
		else
			PROF_EMIT(cr_seq, t, i);
		/* Pairs with the driver's acquire load of the ack. */
		__atomic_store_n(&shared[1 + t], i + 1, __ATOMIC_RELEASE);
	}
	for (;;)
		pause(); /* done: wait for the kill */
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th[8];
	uint32_t n, t;
	int fd;

	if (argc != 4 || (n = (uint32_t)atoi(argv[2])) < 1 || n > 8 || (cap = strtoull(argv[3], NULL, 10)) == 0) {
		fprintf(stderr, "usage: crashy ACKFILE THREADS(1-8) CAP\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR);
	if (fd < 0)
		return 3;
	shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (shared == MAP_FAILED)
		return 3;
	for (t = 0; t < n; t++)
		pthread_create(&th[t], NULL, run, (void *)(uintptr_t)t);
	/* Ready: the driver starts counting once the pid is there. */
	__atomic_store_n(&shared[0], (uint64_t)getpid(), __ATOMIC_RELEASE);
	for (t = 0; t < n; t++)
		pthread_join(th[t], NULL);
	return 0;
}
