/* SPDX-License-Identifier: MIT */
/*
 * Crash test driver: RUNS times, record `crashy` under `mprof record`,
 * SIGKILL it at a random point (a random number of completed events,
 * 1 to 3 threads), then check that every event it completed is in the
 * trace, in order, with nothing discarded, and that babeltrace2 reads
 * the trace and counts the same events.
 *
 *   crash_driver MPROF CRASHY WORKDIR RUNS [SEED]
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/check.h"
#include "profile/profile.h"

static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static uint64_t babeltrace_count(const char *dir)
{
	char cmd[4200], line[64];
	uint64_t n = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "bash -c 'babeltrace2 \"$1\" 2>/dev/null | wc -l; exit ${PIPESTATUS[0]}' _ '%s'", dir);
	p = popen(cmd, "r");
	CHECK(p != NULL);
	if (fgets(line, sizeof(line), p))
		n = strtoull(line, NULL, 10);
	CHECK_EQ(pclose(p), 0); /* babeltrace2 exit status */
	return n;
}

static void one_run(const char *mprof, const char *crashy, const char *workdir, int run)
{
	char ack_path[4096], dir[4096], threads_s[8], cap_s[24];
	uint32_t threads = 1 + (uint32_t)(rng() % 3), t;
	/* At most CAP events a thread (~27 bytes each): 16 MiB rings never fill. */
	uint64_t cap = 200000, target = 1 + rng() % (cap * threads), total, acks[8], seen[8][2] = { { 0 } };
	uint64_t *shared;
	struct prof_trace *trace;
	struct prof_trace_stats st;
	struct prof_decoded_event ev;
	struct prof_error err;
	pid_t rec, victim;
	int fd, status, r;

	snprintf(ack_path, sizeof(ack_path), "%s/ack-%d", workdir, run);
	snprintf(dir, sizeof(dir), "%s/trace-%d", workdir, run);
	snprintf(threads_s, sizeof(threads_s), "%u", threads);
	snprintf(cap_s, sizeof(cap_s), "%llu", (unsigned long long)cap);
	fd = open(ack_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0);
	CHECK_EQ(ftruncate(fd, 4096), 0);
	shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(shared != MAP_FAILED);
	close(fd);

	rec = fork();
	CHECK(rec >= 0);
	if (rec == 0) {
		/* 16 MiB per stream: no event may be discarded in this test. */
		execl(mprof, mprof, "record", "-q", "-o", dir, "--packet-size", "64K", "--packets", "256",
		      "--streams", "4", "--", crashy, ack_path, threads_s, cap_s, (char *)NULL);
		_exit(127);
	}
	/* Wait (by polling shared memory, not sleeping) for the kill point. */
	do {
		sched_yield();
		victim = (pid_t)__atomic_load_n(&shared[0], __ATOMIC_ACQUIRE);
		total = 0;
		for (t = 0; t < threads; t++)
			total += __atomic_load_n(&shared[1 + t], __ATOMIC_ACQUIRE);
		if (waitpid(rec, &status, WNOHANG) == rec)
			CHECK_FAIL("run %d: mprof record ended early (status %d)", run, status);
	} while (victim == 0 || total < target);
	CHECK_EQ(kill(victim, SIGKILL), 0);
	CHECK_EQ(waitpid(rec, &status, 0), rec);
	CHECK(WIFEXITED(status));
	CHECK_EQ(WEXITSTATUS(status), 128 + SIGKILL);
	for (t = 0; t < threads; t++)
		acks[t] = __atomic_load_n(&shared[1 + t], __ATOMIC_ACQUIRE);
	munmap(shared, 4096);

	/* mprof record writes one trace per process: DIR/<name>-<pid>. */
	CHECK(strlen(dir) + 32 < sizeof(dir));
	snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/crashy-%d", (int)victim);
	CHECK_OK(prof_trace_open(&trace, dir, &err));
	while ((r = prof_trace_next(trace, &ev)) > 0) {
		uint32_t th = (uint32_t)ev.values[0].v.u;
		uint64_t seq = ev.values[ev.nfields - 1].v.u;

		CHECK_LT(th, threads);
		/* In order and contiguous per thread: seq 0, 1, 2, ... */
		CHECK_EQ_U(seq, seen[th][0]);
		seen[th][0]++;
	}
	CHECK_EQ(r, 0);
	prof_trace_get_stats(trace, &st);
	CHECK_EQ(st.invalid_packets, 0);
	CHECK_EQ(st.events_discarded, 0);
	CHECK_EQ(st.packets_lost, 0);
	total = 0;
	for (t = 0; t < threads; t++) {
		/* Every acknowledged event is there; at most the one in flight more. */
		if (seen[t][0] < acks[t] || seen[t][0] > acks[t] + 1)
			CHECK_FAIL("run %d thread %u: trace has %" PRIu64 " events, %" PRIu64 " were completed",
				   run, t, seen[t][0], acks[t]);
		total += seen[t][0];
	}
	prof_trace_close(trace);
	CHECK_EQ(babeltrace_count(dir), total);
	printf("run %2d: %u threads, killed after %" PRIu64 " events: all in the trace\n", run, threads, total);
}

int main(int argc, char **argv)
{
	int runs, i;

	if (argc < 5) {
		fprintf(stderr, "usage: crash_driver MPROF CRASHY WORKDIR RUNS [SEED]\n");
		return 2;
	}
	runs = atoi(argv[4]);
	rng_state = argc > 5 ? strtoull(argv[5], NULL, 10) : (uint64_t)getpid() * 2654435761u;
	if (!rng_state)
		rng_state = 1;
	printf("seed %" PRIu64 "\n", rng_state);
	for (i = 0; i < runs; i++)
		one_run(argv[1], argv[2], argv[3], i);
	printf("crash_driver: ok (%d runs)\n", runs);
	return 0;
}
