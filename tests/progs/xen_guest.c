/* SPDX-License-Identifier: MIT */
/*
 * A program for the Xen tests (run under `mprof share --xen`): emits
 * xg.seq events carrying seq = 0, 1, 2 ... and check = seq * 3 + 7, so a
 * test can prove every event arrived exactly once with its values.
 *
 *   xen_guest N                      emit N events, exit
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
		fprintf(stderr, "usage: xen_guest N [READY hang | READY wait GO M]\n");
		return 2;
	}
	n = strtoull(argv[1], NULL, 10);
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
