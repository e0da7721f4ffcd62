/* SPDX-License-Identifier: MIT */
/*
 * bench/bench.h - what the benchmark programs share: the loop every
 * variant runs, clocks, summary statistics, and the collector thread.
 *
 * Every timed variant is a function `loop_<variant>(n)` running
 * BENCH_LOOP: the same two arguments (the loop counter and a value derived
 * from it) and the same compiler barrier each iteration, so the variants
 * differ only in what they do with the arguments.  The function names
 * matter: bench/run.sh counts instructions with callgrind's
 * --toggle-collect=loop_*, one function per variant; nothing else may be
 * called loop_*.
 */
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <profile/profile.h>

/*
 * The loop of every variant.  a and b are the event's two fields (u64,
 * u32).  The empty asm with a memory clobber keeps the loop (an empty
 * body would otherwise be deleted) and stops the compiler from keeping
 * any thread-local or global state in registers across iterations, as
 * real code between two probe sites would.
 */
#define BENCH_LOOP(n, BODY)                                          \
	do {                                                         \
		for (uint64_t bench_i_ = 0; bench_i_ < (n); bench_i_++) { \
			uint64_t a = bench_i_;                       \
			uint32_t b = (uint32_t)bench_i_ ^ 0x5a5au;   \
			(void)a;                                     \
			(void)b;                                     \
			BODY;                                        \
			__asm__ volatile("" ::: "memory");           \
		}                                                    \
	} while (0)

/* Keep each variant a separate function callgrind can name: no inlining,
 * cloning or merging of identical bodies (GCC's noipa; clang merges none
 * of them unless asked). */
#if defined(__clang__)
#define BENCH_FN __attribute__((noinline))
#else
#define BENCH_FN __attribute__((noipa))
#endif

typedef void (*bench_fn)(uint64_t n);

static inline uint64_t bench_tsc(void)
{
#if defined(__x86_64__) || defined(__i386__)
	return __builtin_ia32_rdtsc();
#else
	return 0;
#endif
}

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t bench_now_ns(void);
/* The calling thread's CPU time in nanoseconds. */
uint64_t bench_thread_cpu_ns(void);

struct bench_summary {
	double median, min, max;
};

/* Summarise @n samples (sorted in place). */
void bench_summarise(double *samples, size_t n, struct bench_summary *out);

/* Machine description for reports: CPU model (from /proc/cpuinfo). */
void bench_cpu_model(char *buf, size_t size);

/*
 * The collector: libprofile's reader on a region, with a sink that either
 * copies each packet into a buffer (COPY) or appends it to a CTF trace
 * directory (CTF), or with the CTF writer as the reader's store (STORE:
 * prof_region_reader_drain_into(), as `mprof record` drains).  It drains from the calling thread
 * (bench_collector_drain()) or from a thread of its own that loops,
 * sleeping briefly when there is nothing to take, as `mprof record` does.
 */
enum bench_sink { BENCH_SINK_COPY = 0, BENCH_SINK_CTF = 1, BENCH_SINK_STORE = 2, BENCH_NSINKS = 3 };

struct bench_collector {
	struct prof_region_reader *rd;
	enum bench_sink sink;
	struct prof_ctf_writer *ctf;
	uint8_t *copy;          /* COPY: one packet */
	size_t copy_size;
	uint32_t poll_us;       /* sleep when a drain found nothing */
	pthread_t thread;
	int threaded;
	_Atomic int stop;
	int err;                /* first error, negative errno */
	/* Written by whoever drains (the thread, until it is joined). */
	uint64_t packets, bytes, events;
	uint64_t busy_ns;       /* thread: wall time inside drains that delivered */
	uint64_t cpu_ns;        /* thread: its CPU time */
	uint64_t drains, empty_drains;
};

/**
 * bench_collector_open() - open a reader on @mem and prepare the sink.
 * @c: the collector (zeroed by the call).
 * @mem: the region's memory.
 * @size: its size.
 * @sink: what to do with each packet.
 * @dir: CTF: a new or empty trace directory; COPY: ignored.
 *
 * Return: 0 or a negative errno (with a message on stderr).
 */
/* Write @root (consumed) to @file as indented JSON; -EIO after a message. */
int bench_json_write(json_t *root, const char *file, const char *who);

/* An attached in-process region for a benchmark; prints errors as "who: ...". */
int bench_region_open(struct prof_region **r, uint32_t mode, uint32_t packet_size, uint32_t packets,
		      uint32_t streams, int populate, const char *who);

int bench_collector_open(struct bench_collector *c, void *mem, uint64_t size, enum bench_sink sink,
			 const char *dir);

/** bench_collector_drain() - one drain from the calling thread: packets or -errno. */
int bench_collector_drain(struct bench_collector *c);

/**
 * bench_collector_start() - drain in a new thread until closed.
 * @c: an open collector.
 * @poll_us: microseconds to sleep after a drain that found nothing.
 *
 * Return: 0 or a negative errno.
 */
int bench_collector_start(struct bench_collector *c, uint32_t poll_us);

/**
 * bench_collector_close() - stop the thread (if any), drain and scrape what
 * is left, write the CTF metadata (if any), return the reader's totals and
 * free everything.
 * @c: the collector.
 * @st: filled with the reader's totals.
 *
 * Return: 0 or the first error.
 */
int bench_collector_close(struct bench_collector *c, struct prof_drain_stats *st);

#endif
