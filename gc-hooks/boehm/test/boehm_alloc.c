/* SPDX-License-Identifier: MIT */
/*
 * boehm_alloc THREADS ROUNDS - a Boehm GC program for the GC hooks' test.
 *
 * THREADS threads (registered with the collector through GC_THREADS'
 * pthread_create redirection) each build and drop linked lists for ROUNDS
 * rounds, keeping a few alive, so the collector runs many times, from
 * whichever thread runs out.  The main thread then forces one last
 * collection and prints how many collections GC_get_gc_no() counted since
 * the hooks were installed:
 *
 *   gc_no_delta 42
 *
 * GC_get_gc_no() is read before the threads start and after they are
 * joined, with no other thread that could collect (the collector's
 * parallel markers never start a collection), so both reads are exact.
 */
#define GC_THREADS
#include <gc.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "mprof_gc_boehm.h"

#define MAX_THREADS 16
#define KEEP 8

struct node {
	struct node *next;
	long value;
	char pad[48];
};

static struct node *kept[MAX_THREADS][KEEP];

struct job {
	int index;
	long rounds;
	long sum;
};

static void *worker(void *arg)
{
	struct job *job = arg;
	long r, i;

	for (r = 0; r < job->rounds; r++) {
		struct node *head = NULL;

		for (i = 0; i < 4000; i++) {
			struct node *n = GC_MALLOC(sizeof(*n));

			if (!n) {
				fprintf(stderr, "boehm_alloc: out of memory\n");
				exit(1);
			}
			n->next = head;
			n->value = i ^ r;
			head = n;
		}
		for (struct node *n = head; n; n = n->next)
			job->sum += n->value & 3;
		/* One list in KEEP survives a while. */
		kept[job->index][r % KEEP] = head;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t tids[MAX_THREADS];
	struct job jobs[MAX_THREADS];
	int nthreads = argc > 1 ? atoi(argv[1]) : 1;
	long rounds = argc > 2 ? atol(argv[2]) : 200;
	GC_word gc0, gc1;
	long sum = 0;
	int i;

	if (nthreads < 1 || nthreads > MAX_THREADS || rounds < 1) {
		fprintf(stderr, "usage: boehm_alloc THREADS(1-%d) ROUNDS\n", MAX_THREADS);
		return 2;
	}
	GC_INIT();
	if (mprof_gc_boehm_install() != 0) {
		fprintf(stderr, "boehm_alloc: hooks already installed\n");
		return 1;
	}
	gc0 = GC_get_gc_no();
	for (i = 0; i < nthreads; i++) {
		jobs[i].index = i;
		jobs[i].rounds = rounds;
		jobs[i].sum = 0;
		if (pthread_create(&tids[i], NULL, worker, &jobs[i]) != 0) {
			fprintf(stderr, "boehm_alloc: pthread_create failed\n");
			return 1;
		}
	}
	for (i = 0; i < nthreads; i++) {
		pthread_join(tids[i], NULL);
		sum += jobs[i].sum;
	}
	GC_gcollect();
	gc1 = GC_get_gc_no();
	printf("threads %d sum %ld\ngc_no_delta %lu\n", nthreads, sum, (unsigned long)(gc1 - gc0));
	return 0;
}
