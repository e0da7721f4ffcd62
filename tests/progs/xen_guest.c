/* SPDX-License-Identifier: MIT */
/*
 * A program for the Xen tests (run under `mprof share --xen`): emits
 * xg.seq events carrying seq = 0, 1, 2 ... and check = seq * 3 + 7, so a
 * test can prove every event arrived exactly once with its values.
 *
 *   xen_guest N                      emit N events, exit
 *   xen_guest N pace SECONDS [GO]    emit N events spread over SECONDS
 *                                    (bursts of 1000, each at its time:
 *                                    a steady producer for the bench),
 *                                    once GO exists if given
 *   xen_guest N READY hang           emit N, create READY, wait to be killed
 *   xen_guest N READY wait GO M      emit N, create READY, wait for GO to
 *                                    exist, emit M more (seq N..N+M-1), exit
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "profile/profile.h"

PROF_EVENT(xg_seq, "xg.seq", (u64, seq), (u64, check));

static void emit(uint64_t from, uint64_t n)
{
	uint64_t i;

	for (i = from; i < from + n; i++)
		PROF_EMIT(xg_seq, i, i * 3 + 7);
}

static void touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT, 0644);

	if (fd >= 0)
		close(fd);
}

int main(int argc, char **argv)
{
	uint64_t n;

	if (argc < 2) {
		fprintf(stderr, "usage: xen_guest N [pace SECONDS [GO] | READY hang | READY wait GO M]\n");
		return 2;
	}
	n = strtoull(argv[1], NULL, 10);
	if ((argc == 4 || argc == 5) && !strcmp(argv[2], "pace")) {
		double secs = strtod(argv[3], NULL);
		struct timespec t0, at, poll = { 0, 5 * 1000 * 1000 };
		uint64_t done;

		while (argc == 5 && access(argv[4], F_OK) != 0)
			nanosleep(&poll, NULL); /* polls for the bench's go-ahead */
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (done = 0; done < n; done += 1000) {
			double due = n ? secs * (double)done / (double)n : 0;

			at.tv_sec = t0.tv_sec + (time_t)due;
			at.tv_nsec = t0.tv_nsec + (long)((due - (double)(time_t)due) * 1e9);
			if (at.tv_nsec >= 1000000000L) {
				at.tv_sec++;
				at.tv_nsec -= 1000000000L;
			}
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL);
			emit(done, n - done < 1000 ? n - done : 1000);
		}
		return 0;
	}
	emit(0, n);
	if (argc == 4 && !strcmp(argv[3], "hang")) {
		touch(argv[2]);
		for (;;)
			pause();
	}
	if (argc == 6 && !strcmp(argv[3], "wait")) {
		struct timespec ts = { 0, 5 * 1000 * 1000 };

		touch(argv[2]);
		while (access(argv[4], F_OK) != 0)
			nanosleep(&ts, NULL); /* polls for the test's go-ahead */
		emit(n, strtoull(argv[5], NULL, 10));
	}
	return 0;
}
