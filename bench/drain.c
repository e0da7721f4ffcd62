/* SPDX-License-Identifier: MIT */
/*
 * bench/drain.c - collector throughput, beside memcpy bandwidth measured
 * in the same run.
 *
 * Three measurements, each repeated (median, min - max):
 *
 *   memcpy      the reference: copy a 16 MiB buffer (the size of one
 *               stream's ring) packet by packet into a packet-sized
 *               buffer, the access pattern of a collector; and one large
 *               64 MiB -> 64 MiB copy.
 *   capacity    what the reader can take: a producer thread fills the
 *               ring (all but two packets), stops, and the collector
 *               drains it; only the drain call is timed.  Bytes are the
 *               packets' content bytes delivered to the sink.
 *   sustained   one producer thread emits flat out for a while in
 *               discard mode with a collector thread draining
 *               concurrently: throughput over the producer's wall time,
 *               and the drop rate (events discarded / emitted).
 *
 * The sink copies each packet into a buffer ("copy") or appends it to a
 * CTF trace directory under /tmp ("ctf", profile/ctf.h's writer); or the
 * reader drains into that writer as its store ("ctf store",
 * prof_region_reader_drain_into(): the kernel's copy into the page cache
 * is the only copy, validated there, as `mprof record` drains).
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

PROF_EVENT(drain_ev, "bench.emit", (u64, a), (u32, b));

#define MAX_RUNS 101

struct options {
	unsigned runs;
	double seconds;       /* sustained: producer run time */
	uint32_t packet_size;
	uint32_t packets;
	const char *tmpdir;
	const char *json_file;
	const char *table_file;
	const char *only;     /* memcpy, capacity or sustained; NULL: all */
	int smoke;
	int verbose;
};

static struct options opt;

struct series {
	double v[MAX_RUNS];
	unsigned n;
	struct bench_summary s;
};

static void series_add(struct series *s, double v)
{
	if (s->n < MAX_RUNS)
		s->v[s->n++] = v;
}

static void series_done(struct series *s)
{
	double tmp[MAX_RUNS];

	memcpy(tmp, s->v, sizeof(tmp));
	bench_summarise(tmp, s->n, &s->s);
}

/* ---- memcpy ---- */

static struct series memcpy_chunked, memcpy_large;

static int measure_memcpy(void)
{
	size_t ring = (size_t)opt.packet_size * opt.packets, big = opt.smoke ? ring : (size_t)64 << 20;
	uint8_t *src = malloc(big), *dst = malloc(big);
	uint64_t t0, t1, bytes = 0;
	size_t off;
	int rep, reps = opt.smoke ? 1 : 8;

	if (!src || !dst) {
		free(src);
		free(dst);
		return -ENOMEM;
	}
	memset(src, 0x5a, big);
	memset(dst, 0, big);
	/* Packet-sized chunks out of a ring-sized buffer into one packet. */
	t0 = bench_now_ns();
	for (rep = 0; rep < reps; rep++)
		for (off = 0; off + opt.packet_size <= ring; off += opt.packet_size) {
			memcpy(dst, src + off, opt.packet_size);
			__asm__ volatile("" : : "r"(dst) : "memory");
			bytes += opt.packet_size;
		}
	t1 = bench_now_ns();
	series_add(&memcpy_chunked, (double)bytes / (double)(t1 - t0));
	/* One large copy, beyond any cache. */
	t0 = bench_now_ns();
	memcpy(dst, src, big);
	__asm__ volatile("" : : "r"(dst) : "memory");
	t1 = bench_now_ns();
	series_add(&memcpy_large, (double)big / (double)(t1 - t0));
	free(src);
	free(dst);
	return 0;
}

/* ---- A producer thread ---- */

struct producer {
	pthread_t thread;
	_Atomic uint64_t request;  /* capacity: events to emit next, then 0 */
	_Atomic int stop;
	_Atomic int flat_out;      /* sustained: emit until stop */
	uint64_t emitted;
	uint64_t ns;               /* sustained: wall time emitting */
};

static void *producer_main(void *arg)
{
	struct producer *p = arg;

	for (;;) {
		uint64_t n;

		if (atomic_load_explicit(&p->flat_out, memory_order_acquire)) {
			uint64_t t0 = bench_now_ns(), i = 0;

			while (!atomic_load_explicit(&p->stop, memory_order_relaxed)) {
				uint64_t end = i + 4096;

				for (; i < end; i++)
					PROF_EMIT(drain_ev, i, (uint32_t)i ^ 0x5a5au);
			}
			p->ns = bench_now_ns() - t0;
			p->emitted += i;
			break;
		}
		n = atomic_load_explicit(&p->request, memory_order_acquire);
		if (n) {
			uint64_t i;

			for (i = 0; i < n; i++)
				PROF_EMIT(drain_ev, i, (uint32_t)i ^ 0x5a5au);
			p->emitted += n;
			/* Pairs with the acquire load in producer_fill(). */
			atomic_store_explicit(&p->request, 0, memory_order_release);
			continue;
		}
		if (atomic_load_explicit(&p->stop, memory_order_relaxed))
			break;
		sched_yield();
	}
	return NULL;
}

static void producer_fill(struct producer *p, uint64_t n)
{
	/* Pairs with the acquire load in producer_main(). */
	atomic_store_explicit(&p->request, n, memory_order_release);
	while (atomic_load_explicit(&p->request, memory_order_acquire))
		sched_yield();
}

/* A fresh, empty CTF directory under the temporary directory. */
static int ctf_dir(char *buf, size_t size, const char *what)
{
	static unsigned seq;

	snprintf(buf, size, "%s/drain-%ld-%s-%u", opt.tmpdir, (long)getpid(), what, seq++);
	return 0;
}

static void rm_dir(const char *dir)
{
	char cmd[1200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "drain: could not remove %s\n", dir);
}

/* ---- Capacity and sustained throughput ---- */

struct sink_result {
	struct series gbps, mevps;  /* GB/s, millions of events/s */
	uint64_t events, dropped, emitted;
	int conservation_ok;
	int measured;
};

static struct sink_result capacity[BENCH_NSINKS], sustained[BENCH_NSINKS];
static struct series sustained_cpu_gbps[BENCH_NSINKS]; /* bytes per collector CPU-second */
static const char *sink_name[BENCH_NSINKS] = { "copy", "ctf", "ctf store" };

/* Account one collector's totals against what the producer emitted. */
static void account(struct sink_result *res, const struct prof_drain_stats *st, uint64_t emitted)
{
	uint64_t dropped = st->events_discarded + st->dropped_no_slot;

	res->emitted += emitted;
	res->events += st->events;
	res->dropped += dropped;
	if (st->events + dropped != emitted) {
		fprintf(stderr, "drain: delivered %llu + dropped %llu != emitted %llu\n",
			(unsigned long long)st->events, (unsigned long long)dropped, (unsigned long long)emitted);
		res->conservation_ok = 0;
	}
	if (st->invalid_packets) {
		fprintf(stderr, "drain: %llu invalid packets\n", (unsigned long long)st->invalid_packets);
		res->conservation_ok = 0;
	}
}

/*
 * Capacity: a producer thread fills all but two packets of the ring and
 * stops; the drain that takes them is timed.  Round 0 only warms up.
 */
/* The region a measurement drains and its collector, writing (CTF sink)
 * to a fresh directory named after @what. */
static int setup(struct prof_region **region, struct bench_collector *c, enum bench_sink sink, char *dir,
		 size_t dir_size, const char *what)
{
	int ret = bench_region_open(region, PROF_MODE_DISCARD, opt.packet_size, opt.packets, 4, 1, "drain");

	if (ret)
		return ret;
	ctf_dir(dir, dir_size, what);
	return bench_collector_open(c, prof_region_memory(*region), prof_region_size(*region), sink, dir);
}

static int measure_capacity(enum bench_sink sink)
{
	struct sink_result *res = &capacity[sink];
	struct prof_region *region = NULL;
	struct bench_collector c;
	struct prof_drain_stats st;
	struct producer p;
	char dir[1024];
	uint64_t per_packet = (opt.packet_size - PROF_PACKET_HEADER_SIZE) / 24;
	uint64_t fill = per_packet * (opt.packets - 2), drain_ns = 0, bytes = 0, events = 0;
	int rounds = opt.smoke ? 2 : 9, round, ret, started = 0, collecting = 0;

	memset(&p, 0, sizeof(p));
	ret = setup(&region, &c, sink, dir, sizeof(dir), "capacity");
	if (ret)
		goto out;
	collecting = 1;
	ret = -pthread_create(&p.thread, NULL, producer_main, &p);
	if (ret)
		goto out;
	started = 1;
	for (round = 0; round < rounds; round++) {
		uint64_t b0 = c.bytes, e0 = c.events, t0, t1;

		producer_fill(&p, fill);
		t0 = bench_now_ns();
		ret = bench_collector_drain(&c);
		t1 = bench_now_ns();
		if (ret < 0)
			goto out;
		ret = 0;
		if (round > 0) {
			drain_ns += t1 - t0;
			bytes += c.bytes - b0;
			events += c.events - e0;
		}
	}
	series_add(&res->gbps, (double)bytes / (double)drain_ns);
	series_add(&res->mevps, (double)events * 1e3 / (double)drain_ns);
	res->measured = 1;
out:
	if (started) {
		atomic_store(&p.stop, 1);
		pthread_join(p.thread, NULL);
	}
	if (collecting) {
		int r2 = bench_collector_close(&c, &st);

		if (!ret)
			ret = r2;
		account(res, &st, p.emitted);
		if (sink != BENCH_SINK_COPY)
			rm_dir(dir);
	}
	prof_region_close(region);
	return ret;
}

/*
 * Sustained: the producer emits flat out for opt.seconds while the
 * collector thread drains.
 */
static int measure_sustained(enum bench_sink sink)
{
	struct sink_result *res = &sustained[sink];
	struct prof_region *region = NULL;
	struct bench_collector c;
	struct prof_drain_stats st;
	struct producer p;
	char dir[1024];
	int ret, started = 0, collecting = 0;

	memset(&p, 0, sizeof(p));
	ret = setup(&region, &c, sink, dir, sizeof(dir), "sustained");
	if (ret)
		goto out;
	collecting = 1;
	ret = bench_collector_start(&c, 100);
	if (ret)
		goto out;
	atomic_store(&p.flat_out, 1);
	ret = -pthread_create(&p.thread, NULL, producer_main, &p);
	if (ret)
		goto out;
	started = 1;
	{
		struct timespec ts = { (time_t)opt.seconds,
				       (long)((opt.seconds - (double)(time_t)opt.seconds) * 1e9) };

		nanosleep(&ts, NULL);
	}
out:
	if (started) {
		atomic_store(&p.stop, 1);
		pthread_join(p.thread, NULL);
	}
	if (collecting) {
		uint64_t cpu_ns, bytes;
		int r2 = bench_collector_close(&c, &st);

		if (!ret)
			ret = r2;
		cpu_ns = c.cpu_ns;
		if (opt.verbose)
			fprintf(stderr,
				"sustained %s: producer %.3f s, %llu events; collector %llu drains (%llu empty), "
				"busy %.3f s, CPU %.3f s, dropped %llu\n",
				sink_name[sink], (double)p.ns / 1e9, (unsigned long long)p.emitted,
				(unsigned long long)c.drains, (unsigned long long)c.empty_drains, (double)c.busy_ns / 1e9,
				(double)c.cpu_ns / 1e9, (unsigned long long)(st.events_discarded + st.dropped_no_slot));
		bytes = c.bytes;
		account(res, &st, p.emitted);
		if (!ret && p.ns) {
			series_add(&res->gbps, (double)bytes / (double)p.ns);
			series_add(&res->mevps, (double)st.events * 1e3 / (double)p.ns);
			if (cpu_ns)
				series_add(&sustained_cpu_gbps[sink], (double)bytes / (double)cpu_ns);
			res->measured = 1;
		}
		if (sink != BENCH_SINK_COPY)
			rm_dir(dir);
	}
	prof_region_close(region);
	return ret;
}

/* ---- Reporting ---- */

static void print_series(FILE *f, const char *what, const struct series *s, const char *unit)
{
	if (!s->n)
		return;
	fprintf(f, "  %-44s %8.2f %s  [%.2f - %.2f]\n", what, s->s.median, unit, s->s.min, s->s.max);
}

static double reference_gbps(void)
{
	/* The stricter of the two memcpy figures. */
	return memcpy_chunked.s.median > memcpy_large.s.median ? memcpy_chunked.s.median : memcpy_large.s.median;
}

static void print_table(FILE *f, const char *cpu)
{
	double ref = reference_gbps();
	int k;

	fprintf(f, "drain: %u runs per figure, %u packets of %u KiB per stream (%u KiB), %ld CPUs, %s\n", opt.runs,
		opt.packets, opt.packet_size / 1024, (unsigned)((uint64_t)opt.packets * opt.packet_size >> 10),
		sysconf(_SC_NPROCESSORS_ONLN), cpu);
	fprintf(f, "(GB/s = 1e9 bytes/s; median [min - max])\n");
	print_series(f, "memcpy, packet chunks from a ring-sized buffer", &memcpy_chunked, "GB/s");
	print_series(f, "memcpy, 64 MiB at once", &memcpy_large, "GB/s");
	for (k = 0; k < BENCH_NSINKS; k++) {
		char what[128];

		if (!capacity[k].measured)
			continue;
		snprintf(what, sizeof(what), "capacity (%s sink): drain a full ring", sink_name[k]);
		print_series(f, what, &capacity[k].gbps, "GB/s");
		print_series(f, "", &capacity[k].mevps, "Mevents/s");
		if (ref > 0)
			fprintf(f, "  %-44s %8.2f x memcpy\n", "", capacity[k].gbps.s.median / ref);
	}
	for (k = 0; k < BENCH_NSINKS; k++) {
		char what[128];

		if (!sustained[k].measured)
			continue;
		snprintf(what, sizeof(what), "sustained (%s sink): producer flat out", sink_name[k]);
		print_series(f, what, &sustained[k].gbps, "GB/s");
		print_series(f, "", &sustained[k].mevps, "Mevents/s");
		print_series(f, "  per collector CPU-second", &sustained_cpu_gbps[k], "GB/s");
		fprintf(f, "  %-44s %llu of %llu (%.3g%%)%s\n", "  dropped", (unsigned long long)sustained[k].dropped,
			(unsigned long long)sustained[k].emitted,
			sustained[k].emitted ? 100.0 * (double)sustained[k].dropped / (double)sustained[k].emitted : 0.0,
			sustained[k].conservation_ok ? "" : "  CONSERVATION FAILED");
	}
	fprintf(f, "targets:\n");
	if (capacity[BENCH_SINK_COPY].measured && ref > 0)
		fprintf(f, "  %-44s %8.2f  target >= 0.33 %s\n", "drain capacity (copy) / memcpy",
			capacity[BENCH_SINK_COPY].gbps.s.median / ref,
			capacity[BENCH_SINK_COPY].gbps.s.median / ref >= 1.0 / 3 ? "PASS" : "FAIL");
	if (sustained[BENCH_SINK_COPY].measured) {
		char what[80];

		snprintf(what, sizeof(what), "dropped, discard, %u KiB/stream, flat out",
			 (unsigned)((uint64_t)opt.packets * opt.packet_size >> 10));
		fprintf(f, "  %-44s %8llu  target == 0    %s\n", what,
			(unsigned long long)sustained[BENCH_SINK_COPY].dropped,
			sustained[BENCH_SINK_COPY].dropped == 0 ? "PASS" : "FAIL");
	}
}

static json_t *json_series(const struct series *s)
{
	json_t *samples = json_array();
	unsigned i;

	for (i = 0; i < s->n; i++)
		json_array_append_new(samples, json_real(s->v[i]));
	return json_pack("{s:f, s:f, s:f, s:o}", "median", s->s.median, "min", s->s.min, "max", s->s.max,
			 "samples", samples);
}

static json_t *json_result(const struct sink_result *r)
{
	return json_pack("{s:o, s:o, s:I, s:I, s:I, s:b}", "gbytes_per_s", json_series(&r->gbps),
			 "mevents_per_s", json_series(&r->mevps), "events_emitted", (json_int_t)r->emitted,
			 "events_delivered", (json_int_t)r->events, "events_dropped", (json_int_t)r->dropped,
			 "conservation_ok", r->conservation_ok);
}

static int write_json(const char *file, const char *cpu, int argc, char **argv)
{
	json_t *root = json_object(), *cmd = json_array(), *cap = json_object(), *sus = json_object(), *targets;
	double ref = reference_gbps();
	struct utsname u;
	int k, a;

	for (a = 0; a < argc; a++)
		json_array_append_new(cmd, json_string(argv[a]));
	uname(&u);
	json_object_set_new(root, "benchmark", json_string("drain"));
	json_object_set_new(root, "command", cmd);
	json_object_set_new(root, "machine",
			    json_pack("{s:i, s:s, s:s, s:s}", "nproc", (int)sysconf(_SC_NPROCESSORS_ONLN), "cpu",
				      cpu, "kernel", u.release, "machine", u.machine));
	json_object_set_new(root, "runs", json_integer(opt.runs));
	json_object_set_new(root, "packet_size", json_integer(opt.packet_size));
	json_object_set_new(root, "packets_per_stream", json_integer(opt.packets));
	json_object_set_new(root, "sustained_seconds", json_real(opt.seconds));
	json_object_set_new(root, "memcpy_chunked_gbytes_per_s", json_series(&memcpy_chunked));
	json_object_set_new(root, "memcpy_large_gbytes_per_s", json_series(&memcpy_large));
	for (k = 0; k < BENCH_NSINKS; k++) {
		if (capacity[k].measured) {
			json_t *o = json_result(&capacity[k]);

			if (ref > 0)
				json_object_set_new(o, "ratio_to_memcpy", json_real(capacity[k].gbps.s.median / ref));
			json_object_set_new(cap, sink_name[k], o);
		}
		if (sustained[k].measured) {
			json_t *o = json_result(&sustained[k]);

			json_object_set_new(o, "collector_cpu_gbytes_per_s", json_series(&sustained_cpu_gbps[k]));
			json_object_set_new(sus, sink_name[k], o);
		}
	}
	json_object_set_new(root, "capacity", cap);
	json_object_set_new(root, "sustained", sus);
	targets = json_array();
	if (capacity[BENCH_SINK_COPY].measured && ref > 0)
		json_array_append_new(targets,
				      json_pack("{s:s, s:f, s:s, s:f, s:b}", "what", "drain capacity (copy) / memcpy",
						"value", capacity[BENCH_SINK_COPY].gbps.s.median / ref, "op", ">=",
						"limit", 1.0 / 3,
						"pass", capacity[BENCH_SINK_COPY].gbps.s.median / ref >= 1.0 / 3));
	if (sustained[BENCH_SINK_COPY].measured)
		json_array_append_new(targets,
				      json_pack("{s:s, s:I, s:s, s:i, s:b}", "what",
						"dropped, discard mode, producer flat out", "value",
						(json_int_t)sustained[BENCH_SINK_COPY].dropped, "op", "==", "limit", 0,
						"pass", sustained[BENCH_SINK_COPY].dropped == 0));
	json_object_set_new(root, "targets", targets);
	return bench_json_write(root, file, "drain");
}

/* ---- main ---- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: drain [options]\n"
		"  -r RUNS           runs per figure (default 5, at most %d)\n"
		"  -s SECONDS        sustained: producer run time per run (default 1)\n"
		"  -v                print the collector's activity in each sustained run\n"
		"  --packet-size B   packet size (default 262144)\n"
		"  --packets K       packets per stream (default 64: 16 MiB)\n"
		"  --tmpdir DIR      where the CTF sink writes (default /tmp)\n"
		"  --smoke           one tiny run of each measurement\n"
		"  --only WHAT       only memcpy, capacity or sustained\n"
		"  --json FILE       write the results as JSON\n"
		"  --table FILE      also write the table to FILE\n",
		MAX_RUNS);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "packet-size", required_argument, NULL, 'P' },
		{ "packets", required_argument, NULL, 'K' },
		{ "tmpdir", required_argument, NULL, 'D' },
		{ "smoke", no_argument, NULL, 'S' },
		{ "only", required_argument, NULL, 'O' },
		{ "json", required_argument, NULL, 'J' },
		{ "table", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char cpu[256];
	unsigned run;
	int c, k, ret = 0;

	opt.runs = 5;
	opt.seconds = 1.0;
	opt.packet_size = 256 * 1024;
	opt.packets = 64;
	opt.tmpdir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	while ((c = getopt_long(argc, argv, "r:s:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			opt.runs = (unsigned)strtoul(optarg, NULL, 0);
			break;
		case 's':
			opt.seconds = strtod(optarg, NULL);
			break;
		case 'v':
			opt.verbose = 1;
			break;
		case 'P':
			opt.packet_size = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'K':
			opt.packets = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'D':
			opt.tmpdir = optarg;
			break;
		case 'S':
			opt.smoke = 1;
			break;
		case 'O':
			opt.only = optarg;
			break;
		case 'J':
			opt.json_file = optarg;
			break;
		case 'T':
			opt.table_file = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || !opt.runs || opt.runs > MAX_RUNS || opt.seconds <= 0 || opt.packets < 4) {
		usage(stderr);
		return 2;
	}
	if (opt.smoke) {
		opt.runs = 1;
		opt.seconds = 0.02;
		opt.packet_size = 4096;
		opt.packets = 16;
	}
	for (k = 0; k < BENCH_NSINKS; k++)
		capacity[k].conservation_ok = sustained[k].conservation_ok = 1;
	bench_cpu_model(cpu, sizeof(cpu));
	PROF_EMIT(drain_ev, 0, 0); /* register the event before any region */

	for (run = 0; run < opt.runs && !ret; run++) {
		if (!opt.only || strcmp(opt.only, "memcpy") == 0)
			ret = measure_memcpy();
		for (k = 0; k < BENCH_NSINKS && !ret && (!opt.only || strcmp(opt.only, "capacity") == 0); k++)
			ret = measure_capacity((enum bench_sink)k);
		for (k = 0; k < BENCH_NSINKS && !ret && (!opt.only || strcmp(opt.only, "sustained") == 0); k++)
			ret = measure_sustained((enum bench_sink)k);
	}
	if (ret) {
		fprintf(stderr, "drain: failed: %s\n", prof_strerror(ret));
		return 1;
	}
	series_done(&memcpy_chunked);
	series_done(&memcpy_large);
	for (k = 0; k < BENCH_NSINKS; k++) {
		series_done(&capacity[k].gbps);
		series_done(&capacity[k].mevps);
		series_done(&sustained[k].gbps);
		series_done(&sustained[k].mevps);
		series_done(&sustained_cpu_gbps[k]);
	}
	print_table(stdout, cpu);
	if (opt.table_file) {
		FILE *f = fopen(opt.table_file, "w");

		if (!f) {
			fprintf(stderr, "drain: %s: %s\n", opt.table_file, strerror(errno));
			return 1;
		}
		print_table(f, cpu);
		fclose(f);
	}
	if (opt.json_file && write_json(opt.json_file, cpu, argc, argv) != 0)
		return 1;
	for (k = 0; k < BENCH_NSINKS; k++)
		if (!capacity[k].conservation_ok || !sustained[k].conservation_ok)
			return 1;
	return 0;
}
