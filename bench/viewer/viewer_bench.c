/* SPDX-License-Identifier: MIT */
/*
 * bench/viewer/viewer_bench.c - the viewer's costs on one trace:
 *   viewer_bench TRACE [FRAMES]
 * prints one line "key value" each:
 *   events, trace_bytes          what was read
 *   load_s                       reading through the trace source and building the lanes
 *   index_s                      building the LOD summaries (prof_model_index())
 *   frame_ms_<zoom>              mean time of one 1600x900 frame (cairo image surface)
 *                                showing 1/zoom of the trace, at its middle
 *   model_bytes, peak_rss_bytes  the model's memory, the process's peak
 *   model_ratio, rss_ratio       those over the trace's size
 * Under callgrind (valgrind --tool=callgrind --instr-atstart=no), the
 * frames of each zoom are dumped alone ("frames_<zoom>": FRAMES frames,
 * the warm one excluded), so their instruction count over FRAMES is a
 * frame's, exact; loading and indexing are not instrumented.
 * No figure is asserted: bench/viewer/run.sh collects them for
 * docs/PERFORMANCE.md (and a test only checks that every line is there).
 */
#include <cairo.h>
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "model.h"
#include "render.h"

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#endif
#endif
#ifndef CALLGRIND_DUMP_STATS_AT
#define CALLGRIND_START_INSTRUMENTATION
#define CALLGRIND_ZERO_STATS
#define CALLGRIND_DUMP_STATS_AT(what) (void)(what)
#endif

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t dir_bytes(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	uint64_t n = 0;
	char path[4096];
	struct stat st;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (e->d_name[0] != '.' && stat(path, &st) == 0 && S_ISREG(st.st_mode))
			n += (uint64_t)st.st_size;
	}
	closedir(d);
	return n;
}

int main(int argc, char **argv)
{
	static const unsigned int zooms[] = { 1, 16, 1024, 65536 };
	struct prof_model m;
	struct prof_error err;
	struct prof_viewport vp;
	struct rusage ru;
	cairo_surface_t *s;
	cairo_t *cr;
	double t, t_load, t_index;
	uint64_t bytes;
	int frames = argc > 2 ? atoi(argv[2]) : 20, ret;

	if (argc < 2) {
		fprintf(stderr, "usage: viewer_bench TRACE [FRAMES]\n");
		return 2;
	}
	bytes = dir_bytes(argv[1]);
	prof_model_init(&m);
	/* prof_model_load() reads and indexes; the index is then rebuilt alone to time it. */
	t = now();
	ret = prof_model_load(&m, argv[1], NULL, NULL, &err);
	t_load = now() - t;
	if (ret) {
		char msg[600];

		fprintf(stderr, "viewer_bench: %s\n", prof_error_format(&err, msg, sizeof(msg)));
		return 3;
	}
	/* Index again from nothing, timed on its own. */
	for (size_t i = 0; i < m.nlanes; i++)
		for (size_t r = 0; r <= m.lanes[i]->nrows; r++) {
			struct prof_model_row *row = r < m.lanes[i]->nrows ? &m.lanes[i]->rows[r] : &m.lanes[i]->instants;

			row->indexed = 0;
			row->dirty = 0;
		}
	t = now();
	prof_model_index(&m);
	t_index = now() - t;
	printf("events %" PRIu64 "\n", m.events);
	printf("trace_bytes %" PRIu64 "\n", bytes);
	printf("load_s %.3f\n", t_load - t_index);
	printf("index_s %.3f\n", t_index);

	s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1600, 900);
	cr = cairo_create(s);
	for (size_t z = 0; z < sizeof(zooms) / sizeof(zooms[0]); z++) {
		uint64_t range, mid;

		memset(&vp, 0, sizeof(vp));
		vp.width = 1600;
		vp.height = 900;
		prof_render_fit(&m, &vp);
		range = (vp.t1 - vp.t0) / zooms[z];
		mid = vp.t0 + (vp.t1 - vp.t0) / 2;
		vp.t0 = mid - range / 2;
		vp.t1 = vp.t0 + (range ? range : 1);
		if (z == 0)
			CALLGRIND_START_INSTRUMENTATION;
		prof_render_draw(cr, &m, &vp); /* warm */
		CALLGRIND_ZERO_STATS;
		t = now();
		for (int f = 0; f < frames; f++) {
			vp.t0 += range / 1000; /* a slow pan: every frame different */
			vp.t1 += range / 1000;
			prof_render_draw(cr, &m, &vp);
		}
		cairo_surface_flush(s);
		printf("frame_ms_%u %.3f\n", zooms[z], (now() - t) * 1e3 / frames);
		{
			char what[32];

			snprintf(what, sizeof(what), "frames_%u", zooms[z]);
			CALLGRIND_DUMP_STATS_AT(what);
		}
	}
	cairo_destroy(cr);
	cairo_surface_destroy(s);
	getrusage(RUSAGE_SELF, &ru);
	printf("model_bytes %zu\n", prof_model_bytes(&m));
	printf("peak_rss_bytes %ld\n", ru.ru_maxrss * 1024L);
	printf("model_ratio %.2f\n", bytes ? (double)prof_model_bytes(&m) / (double)bytes : 0);
	printf("rss_ratio %.2f\n", bytes ? (double)ru.ru_maxrss * 1024.0 / (double)bytes : 0);
	prof_model_free(&m);
	return 0;
}
