/* SPDX-License-Identifier: MIT */
/*
 * bench/viewer/viewer_bench.c - the viewer's costs on one trace:
 *   viewer_bench TRACE [FRAMES [MAX_RATIO [THREADS]]]
 * prints one line "key value" each:
 *   events, trace_bytes          what was read
 *   load_threads                 threads loading (prof_model_load_threads(); THREADS, or
 *                                0 and the default: one a processor)
 *   ready_s                      opening the trace to a ready index (prof_model_load():
 *                                reading, lanes, merging, the LOD index), wall time: on a
 *                                shared machine other work stretches it
 *   ready_cpu_s                  the CPU time of all threads meanwhile
 *   ready_thread_cpu_s           ... and of the loading thread alone (its shard, the merge,
 *                                the index): an idle machine's ready_s when the other
 *                                threads finish no later
 *   load_s                       ready_s without the index (index_s)
 *   index_s                      building the LOD summaries (prof_model_index())
 *   frame_ms_<zoom>              mean time of one 1600x900 frame (cairo image surface)
 *                                showing 1/zoom of the trace, at its middle (FRAMES 0:
 *                                no frames, no surface: the load's memory alone)
 *   frame_groups_<zoom>          the items and summaries the first of those frames
 *                                looked at (prof_render_draw_stats())
 *   model_bytes                  the model's memory (prof_model_bytes())
 *   model_items                  the rows' items (spans, instants, samples), and of
 *   model_item_bytes             model_bytes: the items and their time and fields
 *   model_field_bytes            blocks' words, the field values (the rows' arenas),
 *   model_lod_bytes              the LOD summaries (the rest: names, strings, lanes)
 *   peak_anon_bytes              the process's peak anonymous memory (RssAnon of
 *                                /proc/self/status: the heap and private mappings,
 *                                not the mapped trace's page cache), sampled every
 *                                65536 events while loading, after each phase, and
 *                                by a thread of its own every 1 ms from opening to
 *                                a ready index (so inside the merge of the loading
 *                                threads' models too)
 *   base_anon_bytes              RssAnon before loading (libraries, stack)
 *   peak_file_bytes              the peak of RssFile while loading: the trace's stream
 *                                files the reader maps, counted as page cache
 *   peak_rss_bytes               the process's peak RSS (VmHWM: anon + file)
 *   model_ratio, anon_ratio, rss_ratio  model, peak anon and peak RSS over the trace's size
 * With MAX_RATIO, it exits 1 if model_ratio or anon_ratio is above it,
 * naming both sides (memory is a count, not a time: t_viewer_memory.sh
 * asserts it).
 * Under callgrind (valgrind --tool=callgrind --instr-atstart=no), loading
 * is dumped alone ("load": prof_model_load(), reading and indexing), then
 * the frames of each zoom ("frames_<zoom>": FRAMES frames, the warm one
 * excluded), so their instruction counts are exact.
 * No time is asserted: bench/viewer/run.sh collects the figures for
 * docs/PERFORMANCE.md.
 */
#include <cairo.h>
#include <dirent.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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

static double cpu(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A "Key:  N kB" line of /proc/self/status, in bytes (0 if absent). */
static uint64_t status_bytes(const char *key)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	size_t len = strlen(key);
	uint64_t v = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == ':') {
			v = strtoull(line + len + 1, NULL, 10) * 1024;
			break;
		}
	fclose(f);
	return v;
}

static uint64_t peak_anon, peak_file;
static pthread_mutex_t peak_lock = PTHREAD_MUTEX_INITIALIZER;

static void sample(void)
{
	uint64_t a = status_bytes("RssAnon"), f = status_bytes("RssFile");

	pthread_mutex_lock(&peak_lock);
	peak_anon = a > peak_anon ? a : peak_anon;
	peak_file = f > peak_file ? f : peak_file;
	pthread_mutex_unlock(&peak_lock);
}

/* The sampling thread: sample() every millisecond until told to stop. */
static atomic_int sampling_stop;

static void *sampler(void *arg)
{
	const struct timespec gap = { 0, 1000000 };

	(void)arg;
	/* Relaxed: a stop flag, ordering nothing (pthread_join() follows). */
	while (!atomic_load_explicit(&sampling_stop, memory_order_relaxed)) {
		sample();
		nanosleep(&gap, NULL);
	}
	return NULL;
}

static int on_progress(void *arg, uint64_t events)
{
	(void)arg;
	(void)events;
	sample();
	return 0;
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
	uint64_t base_anon;
	double max_ratio = argc > 3 ? atof(argv[3]) : 0, model_ratio, anon_ratio;
	unsigned int threads = argc > 4 ? (unsigned int)atoi(argv[4]) : 0;
	cairo_surface_t *s;
	cairo_t *cr;
	double t, t_load, t_index, c_proc, c_thread;
	uint64_t bytes;
	pthread_t sampling;
	int frames = argc > 2 ? atoi(argv[2]) : 20, ret, sampling_started;

	if (argc < 2) {
		fprintf(stderr, "usage: viewer_bench TRACE [FRAMES [MAX_RATIO [THREADS]]]\n");
		return 2;
	}
	bytes = dir_bytes(argv[1]);
	prof_model_init(&m);
	base_anon = status_bytes("RssAnon");
	sample();
	/* prof_model_load() reads and indexes; the index is then rebuilt alone to time it. */
	CALLGRIND_START_INSTRUMENTATION;
	c_proc = cpu(CLOCK_PROCESS_CPUTIME_ID);
	c_thread = cpu(CLOCK_THREAD_CPUTIME_ID);
	sampling_started = pthread_create(&sampling, NULL, sampler, NULL) == 0;
	t = now();
	ret = prof_model_load_threads(&m, argv[1], threads, on_progress, NULL, &err);
	t_load = now() - t;
	atomic_store_explicit(&sampling_stop, 1, memory_order_relaxed);
	if (sampling_started)
		pthread_join(sampling, NULL);
	c_proc = cpu(CLOCK_PROCESS_CPUTIME_ID) - c_proc;
	c_thread = cpu(CLOCK_THREAD_CPUTIME_ID) - c_thread;
	CALLGRIND_DUMP_STATS_AT("load");
	sample();
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
	sample();
	if (!threads) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		threads = cpus > 1 ? (unsigned int)(cpus < 8 ? cpus : 8) : 1;
	}
	printf("events %" PRIu64 "\n", m.events);
	printf("load_threads %u\n", threads);
	printf("trace_bytes %" PRIu64 "\n", bytes);
	printf("ready_s %.3f\n", t_load);
	printf("ready_cpu_s %.3f\n", c_proc);
	printf("ready_thread_cpu_s %.3f\n", c_thread);
	printf("load_s %.3f\n", t_load - t_index);
	printf("index_s %.3f\n", t_index);

	s = frames > 0 ? cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1600, 900) : NULL;
	cr = s ? cairo_create(s) : NULL;
	for (size_t z = 0; s && z < sizeof(zooms) / sizeof(zooms[0]); z++) {
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
		{
			struct prof_render_stats st = { 0 };

			prof_render_draw_stats(cr, &m, &vp, &st); /* warm */
			printf("frame_groups_%u %" PRIu64 "\n", zooms[z], st.groups);
		}
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
	if (s) {
		cairo_destroy(cr);
		cairo_surface_destroy(s);
		sample();
	}
	model_ratio = bytes ? (double)prof_model_bytes(&m) / (double)bytes : 0;
	anon_ratio = bytes ? (double)peak_anon / (double)bytes : 0;
	printf("model_bytes %zu\n", prof_model_bytes(&m));
	{
		size_t items = 0, ib = 0, fb = 0, lb = 0;

		for (size_t i = 0; i < m.nlanes; i++)
			for (size_t r = 0; r <= m.lanes[i]->nrows; r++) {
				const struct prof_model_row *row =
					r < m.lanes[i]->nrows ? &m.lanes[i]->rows[r] : &m.lanes[i]->instants;

				items += row->n;
				ib += row->cap * sizeof(*row->items) + row->durs_cap * sizeof(*row->durs) + row->t0_base_cap * sizeof(*row->t0_base) +
				      row->fields_cap * sizeof(*row->fields) + row->longs_cap * sizeof(*row->longs) +
				      row->fars_cap * sizeof(*row->fars);
				fb += row->arena_cap * sizeof(*row->arena);
				for (unsigned int k = 0; k < row->nlevels; k++)
					lb += row->level_n[k] * sizeof(struct prof_model_summary);
			}
		printf("model_items %zu\n", items);
		printf("model_item_bytes %zu\n", ib);
		printf("model_field_bytes %zu\n", fb);
		printf("model_lod_bytes %zu\n", lb);
	}
	printf("peak_anon_bytes %" PRIu64 "\n", peak_anon);
	printf("base_anon_bytes %" PRIu64 "\n", base_anon);
	printf("peak_file_bytes %" PRIu64 "\n", peak_file);
	printf("peak_rss_bytes %" PRIu64 "\n", status_bytes("VmHWM"));
	printf("model_ratio %.3f\n", model_ratio);
	printf("anon_ratio %.3f\n", anon_ratio);
	printf("rss_ratio %.3f\n", bytes ? (double)status_bytes("VmHWM") / (double)bytes : 0);
	ret = 0;
	if (max_ratio > 0 && model_ratio > max_ratio) {
		fprintf(stderr, "viewer_bench: %s: model %zu bytes is %.3f times the trace's %" PRIu64 " bytes, above %.3f\n",
			argv[1], prof_model_bytes(&m), model_ratio, bytes, max_ratio);
		ret = 1;
	}
	if (max_ratio > 0 && anon_ratio > max_ratio) {
		fprintf(stderr, "viewer_bench: %s: peak anonymous memory %" PRIu64
			" bytes is %.3f times the trace's %" PRIu64 " bytes, above %.3f\n",
			argv[1], peak_anon, anon_ratio, bytes, max_ratio);
		ret = 1;
	}
	prof_model_free(&m);
	return ret;
}
