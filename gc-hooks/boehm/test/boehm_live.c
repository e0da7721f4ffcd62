/* SPDX-License-Identifier: MIT */
/*
 * boehm_live SHM_NAME COLLECTIONS READY_FIFO QUIT_FIFO - a live target for
 * `mprof top --gc shm:SHM_NAME`.
 *
 * Opens its own region as a POSIX shm object (small packets, so that its
 * GC events fill complete packets quickly: a live consumer reads only
 * complete ones), installs the Boehm hooks, runs COLLECTIONS collections
 * with allocation in between, writes "ready" to READY_FIFO and waits for
 * a line on QUIT_FIFO.  While it waits, its region holds at least
 * COLLECTIONS collections' worth of events for top to drain.  It removes
 * the shm object when it exits.
 */
#define GC_THREADS
#include <gc.h>

#include <stdio.h>
#include <stdlib.h>

#include "mprof_gc_boehm.h"
#include "profile/profile.h"

int main(int argc, char **argv)
{
	struct prof_region_config cfg;
	struct prof_region *region = NULL;
	struct prof_error err;
	char buf[600], line[64];
	FILE *ready, *quit;
	long n, i, j;

	if (argc != 5 || (n = atol(argv[2])) < 1) {
		fprintf(stderr, "usage: boehm_live SHM_NAME COLLECTIONS READY_FIFO QUIT_FIFO\n");
		return 2;
	}
	prof_region_config_init(&cfg);
	cfg.backing = PROF_BACKING_SHM;
	cfg.name = argv[1];
	cfg.packet_size = 4096;
	cfg.packets_per_stream = 256;
	cfg.attach = 1;
	if (prof_region_open(&region, &cfg, &err) != 0) {
		fprintf(stderr, "boehm_live: %s\n", prof_error_format(&err, buf, sizeof(buf)));
		return 1;
	}
	GC_INIT();
	mprof_gc_boehm_install();
	for (i = 0; i < n; i++) {
		void *keep = NULL;

		for (j = 0; j < 2000; j++) {
			void **p = GC_MALLOC(64);

			if (!p)
				return 1;
			p[0] = keep;
			keep = j % 100 ? keep : p;
		}
		GC_gcollect();
	}
	ready = fopen(argv[3], "w");
	if (!ready || fputs("ready\n", ready) < 0 || fclose(ready) != 0) {
		fprintf(stderr, "boehm_live: %s: cannot write\n", argv[3]);
		return 1;
	}
	quit = fopen(argv[4], "r");
	if (!quit) {
		fprintf(stderr, "boehm_live: %s: cannot read\n", argv[4]);
		return 1;
	}
	if (!fgets(line, sizeof(line), quit))
		line[0] = 0;
	fclose(quit);
	prof_region_close(region);
	return 0;
}
