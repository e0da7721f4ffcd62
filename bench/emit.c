/* SPDX-License-Identifier: MIT */
/*
 * bench/emit.c - the per-event cost of mprof against the hand-written
 * floor and LTTng-UST, measured in one process run.
 *
 * Each variant is a function running BENCH_LOOP (bench.h) n times; a
 * measurement runs it on 1 or 2 threads started together and takes the
 * slowest thread's time over n: its CPU time by default, which leaves out
 * the time it spent descheduled on a shared machine (--wall for wall
 * time).  Every thread first runs n / 10 untimed iterations.  Runs are
 * interleaved (run 1 of every variant, then run 2, ...) so that slow
 * drifts of a noisy machine hit every variant alike; each figure is the
 * median of the runs, with min and max.  Ratios are taken between medians
 * of this same run.
 *
 *   variant           what one iteration does
 *   empty             nothing (the loop and its compiler barrier)
 *   rdtsc             read the TSC
 *   floor             store {tsc, a, b} (16 bytes) in a per-thread ring
 *   mprof_discard     PROF_EMIT, discard mode, a collector draining
 *   mprof_overwrite   PROF_EMIT, overwrite mode (flight recorder)
 *   mprof_disabled    PROF_EMIT of an event disabled at run time
 *   mprof_compiled_out PROF_EMIT built with -DPROF_DISABLE
 *   lttng_session     lttng_ust_tracepoint, session active (discard mode)
 *   lttng_nosession   lttng_ust_tracepoint, no session
 *
 * The LTTng session is driven by a hook script (--lttng-hook, see
 * bench/lttng-session.sh): "HOOK start" before each lttng_session
 * measurement, "HOOK stop" after it, which prints the session's
 * discarded-event count.  Instruction counts come from a separate run of
 * this program under callgrind (--callgrind), fed back with --instr.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "emit.h"

PROF_EVENT(bench_ev, "bench.emit", (u64, a), (u32, b));

/* ---- Baselines ---- */

BENCH_FN static void loop_empty(uint64_t n)
{
	BENCH_LOOP(n, );
}

BENCH_FN static void loop_rdtsc(uint64_t n)
{
	BENCH_LOOP(n, {
		uint64_t t = bench_tsc();
		__asm__ volatile("" : : "r"(t));
	});
}

/* The floor: what a hand-written tracer with a 16-byte record, a
 * per-thread ring of the same 16 MiB as an mprof stream, and no reader
 * protocol at all costs. */
#define FLOOR_RECORDS (1u << 20)

struct floor_rec {
	uint64_t ts;
	uint32_t a;
	uint32_t b;
};

struct floor_ring {
	struct floor_rec *rec;
	uint64_t pos;
};

_Static_assert(sizeof(struct floor_rec) == 16, "the floor stores 16 bytes");

static __thread struct floor_ring floor_tls __attribute__((tls_model("initial-exec")));

static int floor_thread_init(void)
{
	if (floor_tls.rec)
		return 0;
	floor_tls.rec = aligned_alloc(4096, FLOOR_RECORDS * sizeof(struct floor_rec));
	if (!floor_tls.rec)
		return -ENOMEM;
	memset(floor_tls.rec, 0, FLOOR_RECORDS * sizeof(struct floor_rec)); /* fault it in */
	floor_tls.pos = 0;
	return 0;
}

static void floor_thread_fini(void)
{
	free(floor_tls.rec);
	floor_tls.rec = NULL;
}

BENCH_FN static void loop_floor(uint64_t n)
{
	BENCH_LOOP(n, {
		struct floor_ring *r = &floor_tls;
		uint64_t p = r->pos;
		struct floor_rec *e = &r->rec[p & (FLOOR_RECORDS - 1)];

		e->ts = bench_tsc();
		e->a = (uint32_t)a;
		e->b = b;
		r->pos = p + 1;
	});
}

/* ---- mprof: one event, three identical loops (one per configuration,
 * so that callgrind names them apart). ---- */

BENCH_FN static void loop_mprof_discard(uint64_t n)
{
	BENCH_LOOP(n, PROF_EMIT(bench_ev, a, b));
}

BENCH_FN static void loop_mprof_overwrite(uint64_t n)
{
	BENCH_LOOP(n, PROF_EMIT(bench_ev, a, b));
}

BENCH_FN static void loop_mprof_disabled(uint64_t n)
{
	BENCH_LOOP(n, PROF_EMIT(bench_ev, a, b));
}

/* ---- The variants ---- */

enum setup {
	SETUP_NONE,
	SETUP_FLOOR,
	SETUP_DISCARD,
	SETUP_OVERWRITE,
	SETUP_DISABLED,
	SETUP_LTTNG_SESSION,
	SETUP_LTTNG_NONE,
};

struct variant {
	const char *name;
	const char *label;
	const char *fn_name; /* for callgrind */
	bench_fn fn;
	enum setup setup;
};

static const struct variant variants[] = {
	{ "empty", "empty loop", "loop_empty", loop_empty, SETUP_NONE },
	{ "rdtsc", "rdtsc alone", "loop_rdtsc", loop_rdtsc, SETUP_NONE },
	{ "floor", "floor (16 B ring + rdtsc)", "loop_floor", loop_floor, SETUP_FLOOR },
	{ "mprof_discard", "mprof discard + collector", "loop_mprof_discard", loop_mprof_discard,
	  SETUP_DISCARD },
	{ "mprof_overwrite", "mprof overwrite", "loop_mprof_overwrite", loop_mprof_overwrite,
	  SETUP_OVERWRITE },
	{ "mprof_disabled", "mprof disabled at run time", "loop_mprof_disabled", loop_mprof_disabled,
	  SETUP_DISABLED },
	{ "mprof_compiled_out", "mprof compiled out", "loop_mprof_compiled_out", loop_mprof_compiled_out,
	  SETUP_NONE },
#ifdef BENCH_HAVE_LTTNG
	{ "lttng_session", "LTTng-UST session (discard)", "loop_lttng_session", loop_lttng_session,
	  SETUP_LTTNG_SESSION },
	{ "lttng_nosession", "LTTng-UST no session", "loop_lttng_nosession", loop_lttng_nosession,
	  SETUP_LTTNG_NONE },
#endif
};
#define NVARIANTS (sizeof(variants) / sizeof(variants[0]))
#define MAX_THREADS 2
#define MAX_RUNS 101

struct options {
	uint64_t n;
	unsigned runs;
	unsigned threads[MAX_THREADS];
	unsigned nthreads;
	uint32_t packet_size;
	uint32_t packets;
	const char *lttng_hook;
	const char *instr_file;
	const char *json_file;
	const char *table_file;
	const char *only;
	int callgrind;
	int populate;
	int wall;               /* time with the wall clock, not thread CPU time */
	const char *merge[8];   /* KEY=FILE: JSON files to nest in ours */
	unsigned nmerge;
	const char *note[8];    /* KEY=TEXT: notes for the JSON */
	unsigned nnote;
};

/* Results of one variant at one thread count. */
struct result {
	double samples[MAX_RUNS];
	unsigned nsamples;
	struct bench_summary ns;
	uint64_t emitted;
	uint64_t dropped;       /* mprof: discarded + no slot; LTTng: discarded */
	uint64_t delivered;     /* mprof discard: events the collector got */
	uint64_t trace_bytes;   /* LTTng: bytes its consumer wrote */
	int conservation_ok;    /* delivered + dropped == emitted */
	int dropped_known;
	double instr;           /* callgrind instructions per event, < 0 if unknown */
	const char *skipped;    /* why it did not run, or NULL */
};

static struct result results[NVARIANTS][MAX_THREADS];
static struct options opt;

/* ---- Threads ---- */

/* The start line: workers check in, then wait for go (or abort). */
struct start_line {
	_Atomic unsigned ready;
	_Atomic int go;     /* 1: run, -1: abort */
};

struct worker {
	bench_fn fn;
	uint64_t n;
	uint64_t warm;          /* untimed iterations first */
	int floor;
	struct start_line *start;
	uint64_t ns;            /* wall time of the timed loop */
	uint64_t cpu_ns;        /* the thread's CPU time in it */
	int err;
};

static void worker_run(struct worker *w)
{
	uint64_t t0, c0;

	c0 = bench_thread_cpu_ns();
	t0 = bench_now_ns();
	w->fn(w->n);
	w->ns = bench_now_ns() - t0;
	w->cpu_ns = bench_thread_cpu_ns() - c0;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	int go;

	if (w->floor)
		w->err = floor_thread_init();
	if (!w->err && w->warm)
		w->fn(w->warm);
	/* Pairs with the acquire load of ready in run_threads(). */
	atomic_fetch_add_explicit(&w->start->ready, 1, memory_order_release);
	/* Pairs with the release store of go in run_threads(). */
	while ((go = atomic_load_explicit(&w->start->go, memory_order_acquire)) == 0)
		sched_yield();
	if (!w->err && go > 0)
		worker_run(w);
	if (w->floor)
		floor_thread_fini();
	return NULL;
}

/*
 * Run @fn on @threads threads, each @warm untimed iterations and then @n
 * timed ones, started together; return the slowest thread's nanoseconds,
 * in the thread's CPU time or (opt.wall) in wall time.
 */
static int run_threads(bench_fn fn, unsigned threads, uint64_t n, uint64_t warm, int floor, uint64_t *ns)
{
	struct worker w[MAX_THREADS];
	pthread_t th[MAX_THREADS];
	struct start_line start;
	unsigned i, started = 0;
	int ret = 0;

	*ns = 0;
	if (threads == 1) {
		memset(&w[0], 0, sizeof(w[0]));
		w[0].fn = fn;
		w[0].n = n;
		if (floor && (ret = floor_thread_init()) != 0)
			return ret;
		if (warm)
			fn(warm);
		worker_run(&w[0]);
		*ns = opt.wall ? w[0].ns : w[0].cpu_ns;
		return 0;
	}
	atomic_init(&start.ready, 0);
	atomic_init(&start.go, 0);
	for (i = 0; i < threads; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].fn = fn;
		w[i].n = n;
		w[i].warm = warm;
		w[i].floor = floor;
		w[i].start = &start;
		ret = -pthread_create(&th[i], NULL, worker_main, &w[i]);
		if (ret) {
			fprintf(stderr, "emit: pthread_create: %s\n", strerror(-ret));
			break;
		}
		started++;
	}
	while (!ret && atomic_load_explicit(&start.ready, memory_order_acquire) < started)
		sched_yield();
	/* Pairs with the acquire loads of go in worker_main(). */
	atomic_store_explicit(&start.go, ret ? -1 : 1, memory_order_release);
	for (i = 0; i < started; i++) {
		pthread_join(th[i], NULL);
		if (w[i].err && !ret)
			ret = w[i].err;
		if ((opt.wall ? w[i].ns : w[i].cpu_ns) > *ns)
			*ns = opt.wall ? w[i].ns : w[i].cpu_ns;
	}
	return ret;
}

/* ---- mprof regions ---- */

/* ---- The LTTng hook ---- */

#ifdef BENCH_HAVE_LTTNG
/*
 * Run "HOOK verb"; parse "discarded N" (required) and "trace_bytes N" from
 * its output if @discarded is not NULL.
 */
static int lttng_hook(const char *verb, uint64_t *discarded, uint64_t *trace_bytes)
{
	char cmd[4096], line[512];
	FILE *p;
	int st, found = 0;

	snprintf(cmd, sizeof(cmd), "%s %s", opt.lttng_hook, verb);
	p = popen(cmd, "r");
	if (!p)
		return -errno;
	while (fgets(line, sizeof(line), p)) {
		unsigned long long v;

		if (discarded && sscanf(line, "discarded %llu", &v) == 1) {
			*discarded = v;
			found = 1;
		}
		if (trace_bytes && sscanf(line, "trace_bytes %llu", &v) == 1)
			*trace_bytes = v;
	}
	st = pclose(p);
	if (st != 0) {
		fprintf(stderr, "emit: '%s' failed (status %d)\n", cmd, st);
		return -EIO;
	}
	if (discarded && !found) {
		fprintf(stderr, "emit: '%s' printed no 'discarded N' line\n", cmd);
		return -EIO;
	}
	return 0;
}

static int lttng_wait_enabled(int want)
{
	int i;

	for (i = 0; i < 1000; i++) {
		if (bench_lttng_enabled() == want)
			return 0;
		usleep(10000);
	}
	return -ETIMEDOUT;
}
#endif

/* ---- One measurement ---- */

static int measure(const struct variant *v, unsigned threads, uint64_t n, struct result *res)
{
	struct prof_region *region = NULL;
	struct bench_collector col;
	struct prof_drain_stats st;
	int collecting = 0, ret = 0;
	/* A tenth as many untimed iterations first (none under callgrind,
	 * which counts whole calls). */
	uint64_t warm = opt.callgrind ? 0 : n / 10;
	uint64_t ns = 0, emitted = (n + warm) * threads;

	switch (v->setup) {
	case SETUP_DISCARD:
	case SETUP_DISABLED:
		ret = bench_region_open(&region, PROF_MODE_DISCARD, opt.packet_size, opt.packets, 8, opt.populate, "emit");
		if (ret)
			goto out;
		if (v->setup == SETUP_DISABLED) {
			prof_event_set_enabled(&bench_ev, 0);
			break;
		}
		ret = bench_collector_open(&col, prof_region_memory(region), prof_region_size(region),
					   BENCH_SINK_COPY, NULL);
		if (ret)
			goto out;
		collecting = 1;
		ret = bench_collector_start(&col, 200);
		if (ret)
			goto out;
		break;
	case SETUP_OVERWRITE:
		ret = bench_region_open(&region, PROF_MODE_OVERWRITE, opt.packet_size, opt.packets, 8, opt.populate, "emit");
		if (ret)
			goto out;
		break;
#ifdef BENCH_HAVE_LTTNG
	case SETUP_LTTNG_SESSION:
		if (!opt.lttng_hook) {
			res->skipped = "no LTTng session daemon (run through bench/run.sh)";
			return 0;
		}
		ret = lttng_hook("start", NULL, NULL);
		if (ret)
			goto out;
		ret = lttng_wait_enabled(1);
		if (ret) {
			fprintf(stderr, "emit: the LTTng session did not enable the tracepoint in 10 s\n");
			lttng_hook("stop", NULL, NULL);
			goto out;
		}
		break;
	case SETUP_LTTNG_NONE:
		if (lttng_wait_enabled(0) != 0) {
			/* Not ours: some other session daemon's session. */
			res->skipped = "a session outside this benchmark enables mprof_bench:emit";
			return 0;
		}
		break;
#else
	case SETUP_LTTNG_SESSION:
	case SETUP_LTTNG_NONE:
		break;
#endif
	case SETUP_NONE:
	case SETUP_FLOOR:
		break;
	}

	ret = run_threads(v->fn, threads, n, warm, v->setup == SETUP_FLOOR, &ns);

	if (collecting) {
		int r2;

		collecting = 0;
		r2 = bench_collector_close(&col, &st);
		if (!ret)
			ret = r2;
		res->dropped += st.events_discarded + st.dropped_no_slot;
		res->delivered += st.events;
		res->dropped_known = 1;
		if (st.events + st.events_discarded + st.dropped_no_slot != emitted) {
			fprintf(stderr,
				"emit: %s: delivered %llu + discarded %llu + no slot %llu != emitted %llu\n",
				v->name, (unsigned long long)st.events, (unsigned long long)st.events_discarded,
				(unsigned long long)st.dropped_no_slot, (unsigned long long)emitted);
			res->conservation_ok = 0;
		}
	}
#ifdef BENCH_HAVE_LTTNG
	if (v->setup == SETUP_LTTNG_SESSION) {
		uint64_t d = 0, bytes = 0;
		int r2 = lttng_hook("stop", &d, &bytes);

		if (!ret)
			ret = r2;
		res->dropped += d;
		res->trace_bytes += bytes;
		res->dropped_known = !r2;
		if (!ret)
			ret = lttng_wait_enabled(0);
	}
#endif
	if (v->setup == SETUP_DISABLED)
		prof_event_set_enabled(&bench_ev, 1);
	if (!ret) {
		res->samples[res->nsamples++] = (double)ns / (double)n;
		res->emitted += emitted;
	}
out:
	if (collecting)
		bench_collector_close(&col, &st);
	prof_region_close(region);
	return ret;
}

/* ---- Instruction counts (from a callgrind run, see run.sh) ---- */

static int read_instr(const char *file)
{
	FILE *f = fopen(file, "r");
	char line[512], name[256];
	unsigned long long n = 0, ir;
	size_t i;

	if (!f) {
		fprintf(stderr, "emit: %s: %s\n", file, strerror(errno));
		return -errno;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "n %llu", &n) == 1)
			continue;
		if (sscanf(line, "%255s %llu", name, &ir) != 2 || !n)
			continue;
		for (i = 0; i < NVARIANTS; i++)
			if (strcmp(variants[i].fn_name, name) == 0)
				results[i][0].instr = (double)ir / (double)n;
	}
	fclose(f);
	return 0;
}

/* ---- Reporting ---- */

static int variant_index(const char *name)
{
	size_t i;

	for (i = 0; i < NVARIANTS; i++)
		if (strcmp(variants[i].name, name) == 0)
			return (int)i;
	return -1;
}

static const struct result *result_of(const char *name, unsigned ti)
{
	int i = variant_index(name);

	if (i < 0 || !results[i][ti].nsamples)
		return NULL;
	return &results[i][ti];
}

struct target {
	const char *what;
	const char *num, *den; /* variants */
	int kind;              /* 0: num/den <= limit, 1: den/num >= limit, 2: num - den <= limit (ns),
				* 3: instr <= limit, 4: instr(num) - instr(den) <= limit */
	double limit;
};

static const struct target targets[] = {
	{ "mprof discard / floor", "mprof_discard", "floor", 0, 1.3 },
	{ "mprof overwrite / floor", "mprof_overwrite", "floor", 0, 1.3 },
	{ "LTTng session / mprof discard", "mprof_discard", "lttng_session", 1, 6.0 },
	{ "mprof disabled - empty loop (ns)", "mprof_disabled", "empty", 2, 0.2 },
	{ "mprof compiled out - empty loop (ns)", "mprof_compiled_out", "empty", 2, 0.2 },
	{ "mprof discard instructions/event", "mprof_discard", NULL, 3, 30 },
	/* The probe of a disabled event, without the loop's own
	 * instructions: one load, one sign test, one branch; beside
	 * LTTng-UST's tracepoint with no session, the same three. */
	{ "mprof disabled probe instructions", "mprof_disabled", "empty", 4, 3 },
	{ "LTTng no-session probe instructions", "lttng_nosession", "empty", 4, 3 },
	{ "mprof disabled - LTTng probe (instr)", "mprof_disabled", "lttng_nosession", 4, 0 },
};
#define NTARGETS (sizeof(targets) / sizeof(targets[0]))

/*
 * Evaluate a target; return 0 if its variants were not measured.  *invalid
 * is set when the figure does not measure what the target is about (a
 * discard-mode run that dropped events); such a target fails.
 */
static int target_eval(const struct target *t, unsigned ti, double *value, int *pass, int *invalid)
{
	const struct result *a = result_of(t->num, ti);
	const struct result *b = t->den ? result_of(t->den, ti) : NULL;

	*invalid = 0;
	if (t->kind == 4) {
		int i = variant_index(t->num), j = variant_index(t->den);

		if (i < 0 || j < 0 || results[i][0].instr < 0 || results[j][0].instr < 0 || ti != 0)
			return 0;
		/* Whole instructions: rounded, so that 3 - 3 prints as 0. */
		*value = (double)(long long)((results[i][0].instr - results[j][0].instr) * 100.0 +
					     (results[i][0].instr >= results[j][0].instr ? 0.5 : -0.5)) / 100.0 + 0.0;
		*pass = *value <= t->limit;
		return 1;
	}
	if (t->kind == 3) {
		int i = variant_index(t->num);

		if (i < 0 || results[i][0].instr < 0 || ti != 0)
			return 0;
		*value = results[i][0].instr;
		*pass = *value <= t->limit;
		return 1;
	}
	if (!a || !b)
		return 0;
	/* A discard-mode figure counts only if nothing was dropped: a
	 * dropped event costs the drop path, not the recording path. */
	if (strcmp(t->num, "mprof_discard") == 0 && (a->dropped || !a->conservation_ok))
		*invalid = 1;
	switch (t->kind) {
	case 0:
		*value = a->ns.median / b->ns.median;
		*pass = *value <= t->limit;
		break;
	case 1:
		*value = b->ns.median / a->ns.median;
		*pass = *value >= t->limit;
		break;
	default:
		*value = a->ns.median - b->ns.median;
		*pass = *value <= t->limit;
		break;
	}
	if (*invalid)
		*pass = 0;
	return 1;
}

static void print_table(FILE *f, const char *cpu)
{
	unsigned ti;
	size_t i, k;

	fprintf(f, "emit: %llu events per run, %u runs per figure, %ld CPUs, %s\n",
		(unsigned long long)opt.n, opt.runs, sysconf(_SC_NPROCESSORS_ONLN), cpu);
	fprintf(f, "(ns/event: the slowest thread's %s over the events, median [min - max] of the runs)\n",
		opt.wall ? "wall time" : "CPU time");
	fprintf(f, "%-30s %3s %9s %19s %8s %8s %14s\n", "variant", "thr", "ns/event", "[min - max]", "x floor",
		"instr/ev", "dropped");
	for (ti = 0; ti < opt.nthreads; ti++) {
		const struct result *fl = result_of("floor", ti);

		for (i = 0; i < NVARIANTS; i++) {
			const struct result *r = &results[i][ti];
			char range[40], ratio[16], instr[16], dropped[24];

			if (!r->nsamples) {
				if (r->skipped)
					fprintf(f, "%-30s %3u   not run: %s\n", variants[i].label, opt.threads[ti],
						r->skipped);
				continue;
			}
			snprintf(range, sizeof(range), "[%.2f - %.2f]", r->ns.min, r->ns.max);
			if (fl)
				snprintf(ratio, sizeof(ratio), "%.2f", r->ns.median / fl->ns.median);
			else
				snprintf(ratio, sizeof(ratio), "-");
			if (ti == 0 && r->instr >= 0)
				snprintf(instr, sizeof(instr), "%.1f", r->instr);
			else
				snprintf(instr, sizeof(instr), "-");
			if (r->dropped_known && r->trace_bytes)
				snprintf(dropped, sizeof(dropped), "%llu (%.0f B/ev)", (unsigned long long)r->dropped,
					 (double)r->trace_bytes / (double)r->emitted);
			else if (r->dropped_known)
				snprintf(dropped, sizeof(dropped), "%llu%s", (unsigned long long)r->dropped,
					 r->conservation_ok ? "" : " (!)");
			else
				snprintf(dropped, sizeof(dropped), "-");
			fprintf(f, "%-30s %3u %9.2f %19s %8s %8s %14s\n", variants[i].label, opt.threads[ti],
				r->ns.median, range, ratio, instr, dropped);
		}
	}
	for (ti = 0; ti < opt.nthreads; ti++) {
		fprintf(f, "targets at %u thread%s:\n", opt.threads[ti], opt.threads[ti] > 1 ? "s" : "");
		for (k = 0; k < NTARGETS; k++) {
			const struct target *t = &targets[k];
			double value;
			int pass, invalid;
			const char *op = t->kind == 1 ? ">=" : "<=";

			if (!target_eval(t, ti, &value, &pass, &invalid))
				continue;
			fprintf(f, "  %-38s %8.2f  target %s %-5g %s\n", t->what, value, op, t->limit,
				invalid ? "FAIL (events dropped: the figure is the drop path's)" : pass ? "PASS" : "FAIL");
		}
	}
	fprintf(f, "(dropped: events lost over all runs; (!) marks a conservation failure: "
		   "delivered + dropped != emitted;\n B/ev: bytes LTTng's consumer wrote per event emitted)\n");
}

static json_t *json_summary(const struct bench_summary *s)
{
	return json_pack("{s:f, s:f, s:f}", "median", s->median, "min", s->min, "max", s->max);
}

static int write_json(const char *file, const char *cpu, int argc, char **argv)
{
	json_t *root = json_object(), *vs = json_array(), *ts = json_array(), *cmd = json_array();
	struct utsname u;
	unsigned ti;
	size_t i, k;
	int a;

	for (a = 0; a < argc; a++)
		json_array_append_new(cmd, json_string(argv[a]));
	uname(&u);
	json_object_set_new(root, "benchmark", json_string("emit"));
	json_object_set_new(root, "command", cmd);
	json_object_set_new(root, "machine",
			    json_pack("{s:i, s:s, s:s, s:s}", "nproc", (int)sysconf(_SC_NPROCESSORS_ONLN), "cpu",
				      cpu, "kernel", u.release, "machine", u.machine));
	json_object_set_new(root, "events_per_run", json_integer((json_int_t)opt.n));
	json_object_set_new(root, "runs", json_integer(opt.runs));
	json_object_set_new(root, "packet_size", json_integer(opt.packet_size));
	json_object_set_new(root, "packets_per_stream", json_integer(opt.packets));
	for (ti = 0; ti < opt.nthreads; ti++) {
		for (i = 0; i < NVARIANTS; i++) {
			const struct result *r = &results[i][ti];
			json_t *o, *samples;
			unsigned s;

			if (!r->nsamples && !r->skipped)
				continue;
			o = json_pack("{s:s, s:s, s:i}", "name", variants[i].name, "label", variants[i].label,
				      "threads", opt.threads[ti]);
			if (!r->nsamples) {
				json_object_set_new(o, "skipped", json_string(r->skipped));
				json_array_append_new(vs, o);
				continue;
			}
			samples = json_array();
			for (s = 0; s < r->nsamples; s++)
				json_array_append_new(samples, json_real(r->samples[s]));
			json_object_set_new(o, "ns_per_event", json_summary(&r->ns));
			json_object_set_new(o, "samples_ns", samples);
			json_object_set_new(o, "events_emitted", json_integer((json_int_t)r->emitted));
			if (r->dropped_known) {
				json_object_set_new(o, "events_dropped", json_integer((json_int_t)r->dropped));
				json_object_set_new(o, "conservation_ok", json_boolean(r->conservation_ok));
			}
			if (ti == 0 && r->instr >= 0)
				json_object_set_new(o, "instructions_per_event", json_real(r->instr));
			if (r->trace_bytes)
				json_object_set_new(o, "trace_bytes_per_event",
						    json_real((double)r->trace_bytes / (double)r->emitted));
			if (r->delivered)
				json_object_set_new(o, "events_delivered", json_integer((json_int_t)r->delivered));
			json_array_append_new(vs, o);
		}
		for (k = 0; k < NTARGETS; k++) {
			double value;
			int pass, invalid;

			if (!target_eval(&targets[k], ti, &value, &pass, &invalid))
				continue;
			json_array_append_new(ts, json_pack("{s:s, s:i, s:f, s:s, s:f, s:b, s:b}", "what",
							   targets[k].what, "threads", opt.threads[ti], "value",
							   value, "op", targets[k].kind == 1 ? ">=" : "<=", "limit",
							   targets[k].limit, "pass", pass, "dropped_events", invalid));
		}
	}
	json_object_set_new(root, "clock", json_string(opt.wall ? "wall (CLOCK_MONOTONIC)"
								: "thread CPU time (CLOCK_THREAD_CPUTIME_ID)"));
	json_object_set_new(root, "variants", vs);
	json_object_set_new(root, "targets", ts);
	if (opt.nnote) {
		json_t *notes = json_object();
		unsigned m;

		for (m = 0; m < opt.nnote; m++) {
			const char *eq = strchr(opt.note[m], '=');
			char key[64];

			snprintf(key, sizeof(key), "%.*s", (int)(eq - opt.note[m]), opt.note[m]);
			json_object_set_new(notes, key, json_string(eq + 1));
		}
		json_object_set_new(root, "notes", notes);
	}
	for (k = 0; k < opt.nmerge; k++) {
		const char *eq = strchr(opt.merge[k], '=');
		json_error_t jerr;
		json_t *sub = json_load_file(eq + 1, 0, &jerr);
		char key[64];

		if (!sub) {
			fprintf(stderr, "emit: %s: line %d: %s\n", eq + 1, jerr.line, jerr.text);
			json_decref(root);
			return -EINVAL;
		}
		snprintf(key, sizeof(key), "%.*s", (int)(eq - opt.merge[k]), opt.merge[k]);
		json_object_set_new(root, key, sub);
	}
	return bench_json_write(root, file, "emit");
}

/* ---- main ---- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: emit [options]\n"
		"  -n N              events per thread per run (default 10000000)\n"
		"  -r RUNS           runs per figure (default 7, at most %d)\n"
		"  -t 1,2            thread counts (default 1,2)\n"
		"  --only a,b        only these variants (and the baselines)\n"
		"  --packet-size B   mprof packet size (default 262144)\n"
		"  --packets K       mprof packets per stream (default 64: 16 MiB)\n"
		"  --no-populate     do not pre-fault the mprof region\n"
		"  --lttng-hook CMD  'CMD start' / 'CMD stop' drive an LTTng session\n"
		"  --instr FILE      instruction counts from a callgrind run\n"
		"  --callgrind       run each 1-thread variant once (for callgrind)\n"
		"  --wall            time with the wall clock (default: the thread's CPU time)\n"
		"  --json FILE       write the results as JSON\n"
		"  --merge KEY=FILE  nest the JSON in FILE under KEY in ours\n"
		"  --note KEY=TEXT   add a note to the JSON\n"
		"  --table FILE      also write the table to FILE\n",
		MAX_RUNS);
}

static int parse_threads(const char *s)
{
	char *end;

	opt.nthreads = 0;
	while (*s && opt.nthreads < MAX_THREADS) {
		unsigned long t = strtoul(s, &end, 10);

		if (end == s || t < 1 || t > MAX_THREADS)
			return -EINVAL;
		opt.threads[opt.nthreads++] = (unsigned)t;
		s = *end == ',' ? end + 1 : end;
		if (*end && *end != ',')
			return -EINVAL;
	}
	return opt.nthreads ? 0 : -EINVAL;
}

static int wanted(const struct variant *v)
{
	const char *p;
	size_t len = strlen(v->name);

	if (!opt.only || v->setup == SETUP_FLOOR || strcmp(v->name, "empty") == 0)
		return 1;
	for (p = opt.only; (p = strstr(p, v->name)) != NULL; p += len)
		if ((p == opt.only || p[-1] == ',') && (p[len] == ',' || p[len] == 0))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "only", required_argument, NULL, 'o' },
		{ "packet-size", required_argument, NULL, 'P' },
		{ "packets", required_argument, NULL, 'K' },
		{ "no-populate", no_argument, NULL, 'F' },
		{ "lttng-hook", required_argument, NULL, 'L' },
		{ "instr", required_argument, NULL, 'I' },
		{ "callgrind", no_argument, NULL, 'C' },
		{ "json", required_argument, NULL, 'J' },
		{ "table", required_argument, NULL, 'T' },
		{ "wall", no_argument, NULL, 'W' },
		{ "merge", required_argument, NULL, 'M' },
		{ "note", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char cpu[256];
	unsigned run, ti;
	size_t i;
	int c, ret = 0;

	opt.n = 10000000;
	opt.runs = 7;
	opt.threads[0] = 1;
	opt.threads[1] = 2;
	opt.nthreads = 2;
	opt.packet_size = 256 * 1024;
	opt.packets = 64;
	opt.populate = 1;
	while ((c = getopt_long(argc, argv, "n:r:t:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			opt.n = strtoull(optarg, NULL, 0);
			break;
		case 'r':
			opt.runs = (unsigned)strtoul(optarg, NULL, 0);
			break;
		case 't':
			if (parse_threads(optarg)) {
				fprintf(stderr, "emit: -t: expected thread counts 1 to %d, like 1,2\n", MAX_THREADS);
				return 2;
			}
			break;
		case 'o':
			opt.only = optarg;
			break;
		case 'P':
			opt.packet_size = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'K':
			opt.packets = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'F':
			opt.populate = 0;
			break;
		case 'L':
			opt.lttng_hook = optarg;
			break;
		case 'I':
			opt.instr_file = optarg;
			break;
		case 'C':
			opt.callgrind = 1;
			break;
		case 'J':
			opt.json_file = optarg;
			break;
		case 'T':
			opt.table_file = optarg;
			break;
		case 'W':
			opt.wall = 1;
			break;
		case 'M':
			if (opt.nmerge == 8 || !strchr(optarg, '=')) {
				fprintf(stderr, "emit: --merge KEY=FILE, at most 8\n");
				return 2;
			}
			opt.merge[opt.nmerge++] = optarg;
			break;
		case 'N':
			if (opt.nnote == 8 || !strchr(optarg, '=')) {
				fprintf(stderr, "emit: --note KEY=TEXT, at most 8\n");
				return 2;
			}
			opt.note[opt.nnote++] = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || !opt.n || !opt.runs || opt.runs > MAX_RUNS) {
		usage(stderr);
		return 2;
	}
	for (i = 0; i < NVARIANTS; i++)
		for (ti = 0; ti < MAX_THREADS; ti++) {
			results[i][ti].instr = -1;
			results[i][ti].conservation_ok = 1;
		}
	if (opt.callgrind) {
		opt.runs = 1;
		opt.threads[0] = 1;
		opt.nthreads = 1;
	}
	if (opt.instr_file && read_instr(opt.instr_file) != 0)
		return 1;
	bench_cpu_model(cpu, sizeof(cpu));

	/* Register the event (and warm every code path) before timing. */
	prof_event_set_enabled(&bench_ev, 1);
	PROF_EMIT(bench_ev, 0, 0);

	for (run = 0; run < opt.runs; run++) {
		for (ti = 0; ti < opt.nthreads; ti++) {
			for (i = 0; i < NVARIANTS; i++) {
				struct result *r = &results[i][ti];

				if (!wanted(&variants[i]) || r->skipped)
					continue;
				ret = measure(&variants[i], opt.threads[ti], opt.n, r);
				if (ret) {
					fprintf(stderr, "emit: %s at %u threads failed: %s\n", variants[i].name,
						opt.threads[ti], prof_strerror(ret));
					goto out;
				}
			}
		}
	}
	for (ti = 0; ti < opt.nthreads; ti++)
		for (i = 0; i < NVARIANTS; i++) {
			struct result *r = &results[i][ti];
			double tmp[MAX_RUNS];

			memcpy(tmp, r->samples, sizeof(tmp));
			bench_summarise(tmp, r->nsamples, &r->ns);
		}
	if (opt.callgrind) {
		for (i = 0; i < NVARIANTS; i++)
			if (results[i][0].dropped_known)
				printf("%s dropped %llu\n", variants[i].fn_name,
				       (unsigned long long)results[i][0].dropped);
		goto out;
	}
	print_table(stdout, cpu);
	if (opt.table_file) {
		FILE *f = fopen(opt.table_file, "w");

		if (!f) {
			fprintf(stderr, "emit: %s: %s\n", opt.table_file, strerror(errno));
			ret = -errno;
			goto out;
		}
		print_table(f, cpu);
		fclose(f);
	}
	if (opt.json_file)
		ret = write_json(opt.json_file, cpu, argc, argv);
out:
	return ret ? 1 : 0;
}
