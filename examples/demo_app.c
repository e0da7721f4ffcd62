/* SPDX-License-Identifier: MIT */
/*
 * The demo program: a small request-processing service.  Worker threads
 * take requests from a shared queue, "handle" them (checksum a buffer
 * whose size depends on the route), and trace it: a span per request, an
 * event with the route and size, and a queue-depth counter.
 *
 *   demo_app [REQUESTS] [WORKERS]
 *
 * MPROF_DEMO_SLOWDOWN=N (an integer, 1 to 100; default 1) makes every
 * request checksum its buffer N times: a real, repeatable regression of
 * the "request" span for `mprof compare` to find (tests/t_compare_demo.sh).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/profile.h"

PROF_SPAN(req_span, "request", (u64, id));
PROF_EVENT(req_info, "request.info", (str(32), route), (u32, bytes), (u32, worker));
PROF_COUNTER(queue_depth, "queue.depth", u32);

static const char *const routes[] = { "/index.html", "/api/items", "/api/search?q=unikernel", "/static/app.js" };
static const uint32_t route_bytes[] = { 4096, 16384, 131072, 65536 };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t next_request, total_requests;
static unsigned int slowdown = 1;

static uint32_t checksum(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;

	while (n--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

static void *worker(void *arg)
{
	uint32_t me = (uint32_t)(uintptr_t)arg, sink = 0;
	uint8_t *buf = malloc(131072);

	memset(buf, (int)me, 131072);
	for (;;) {
		uint64_t id;

		pthread_mutex_lock(&lock);
		id = next_request++;
		if (id < total_requests)
			PROF_EMIT(queue_depth, (uint32_t)(total_requests - id - 1));
		pthread_mutex_unlock(&lock);
		if (id >= total_requests)
			break;
		PROF_SPAN_BEGIN(req_span, id);
		PROF_EMIT(req_info, routes[id % 4], route_bytes[id % 4], me);
		for (unsigned int k = 0; k < slowdown; k++)
			sink ^= checksum(buf, route_bytes[(id * 7) % 4]) + k;
		PROF_SPAN_END(req_span);
	}
	free(buf);
	return (void *)(uintptr_t)sink;
}

int main(int argc, char **argv)
{
	uint32_t workers = argc > 2 ? (uint32_t)atoi(argv[2]) : 4, i;
	pthread_t th[64];
	const char *slow = getenv("MPROF_DEMO_SLOWDOWN");

	total_requests = argc > 1 ? strtoull(argv[1], NULL, 10) : 20000;
	if (workers < 1 || workers > 64)
		workers = 4;
	if (slow && *slow) {
		char *end;
		unsigned long v = strtoul(slow, &end, 10);

		if (*end || v < 1 || v > 100) {
			fprintf(stderr, "demo_app: MPROF_DEMO_SLOWDOWN='%s': expected an integer from 1 to 100\n", slow);
			return 2;
		}
		slowdown = (unsigned int)v;
	}
	for (i = 0; i < workers; i++)
		pthread_create(&th[i], NULL, worker, (void *)(uintptr_t)i);
	for (i = 0; i < workers; i++)
		pthread_join(th[i], NULL);
	printf("demo_app: handled %llu requests with %u workers\n", (unsigned long long)total_requests, workers);
	return 0;
}
