/* SPDX-License-Identifier: MIT */
/*
 * bench/common.c - clocks, statistics and the collector thread shared by
 * the benchmark programs.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t bench_thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void bench_summarise(double *samples, size_t n, struct bench_summary *out)
{
	out->median = out->min = out->max = 0;
	if (!n)
		return;
	qsort(samples, n, sizeof(*samples), cmp_double);
	out->min = samples[0];
	out->max = samples[n - 1];
	out->median = n % 2 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
}

void bench_cpu_model(char *buf, size_t size)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];

	snprintf(buf, size, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "model name", 10) != 0 || !colon)
			continue;
		colon++;
		while (*colon == ' ' || *colon == '\t')
			colon++;
		colon[strcspn(colon, "\n")] = 0;
		snprintf(buf, size, "%s", colon);
		break;
	}
	fclose(f);
}

/* ---- The collector ---- */

static int sink_copy(void *arg, uint32_t stream, const uint8_t *pkt, size_t len,
		     const struct prof_packet_info *info)
{
	struct bench_collector *c = arg;

	(void)stream;
	if (len > c->copy_size) {
		uint8_t *p = realloc(c->copy, len);

		if (!p)
			return -ENOMEM;
		c->copy = p;
		c->copy_size = len;
	}
	memcpy(c->copy, pkt, len);
	c->packets++;
	c->bytes += len;
	c->events += info->nevents;
	return 0;
}

/* Count a packet the writer took (after @ret, its return). */
static int counted(struct bench_collector *c, int ret, size_t len, const struct prof_packet_info *info)
{
	if (ret)
		return ret;
	c->packets++;
	c->bytes += len;
	c->events += info->nevents;
	return 0;
}

static int sink_ctf(void *arg, uint32_t stream, const uint8_t *pkt, size_t len,
		    const struct prof_packet_info *info)
{
	struct bench_collector *c = arg;

	return counted(c, prof_ctf_writer_packet(c->ctf, stream, pkt, len), len, info);
}

static int store_put(void *arg, uint32_t stream, const uint8_t *src, size_t len, uint8_t **copy)
{
	struct bench_collector *c = arg;

	return prof_ctf_writer_put(c->ctf, stream, src, len, copy);
}

static int store_keep(void *arg, uint32_t stream, size_t len, const struct prof_packet_info *info)
{
	struct bench_collector *c = arg;

	return counted(c, prof_ctf_writer_keep(c->ctf, stream, len), len, info);
}

static void store_drop(void *arg, uint32_t stream)
{
	struct bench_collector *c = arg;

	prof_ctf_writer_drop(c->ctf, stream);
}

static const struct prof_packet_store bench_store = { store_put, store_keep, store_drop };

/* The sink for what a store does not take (scraped open packets). */
static prof_packet_sink_fn collector_sink(const struct bench_collector *c)
{
	return c->sink == BENCH_SINK_COPY ? sink_copy : sink_ctf;
}

int bench_collector_drain(struct bench_collector *c)
{
	if (c->sink == BENCH_SINK_STORE)
		return prof_region_reader_drain_into(c->rd, &bench_store, c);
	return prof_region_reader_drain(c->rd, collector_sink(c), c);
}

static void *collector_main(void *arg)
{
	struct bench_collector *c = arg;
	uint64_t cpu0 = bench_thread_cpu_ns();

	/* Pairs with the release store of stop in bench_collector_close(). */
	while (!atomic_load_explicit(&c->stop, memory_order_acquire)) {
		uint64_t t0 = bench_now_ns();
		int ret = bench_collector_drain(c);

		c->drains++;
		if (ret < 0) {
			c->err = ret;
			break;
		}
		if (ret > 0) {
			c->busy_ns += bench_now_ns() - t0;
		} else {
			struct timespec ts = { 0, (long)c->poll_us * 1000 };

			c->empty_drains++;
			nanosleep(&ts, NULL);
		}
	}
	c->cpu_ns = bench_thread_cpu_ns() - cpu0;
	return NULL;
}

int bench_collector_open(struct bench_collector *c, void *mem, uint64_t size, enum bench_sink sink,
			 const char *dir)
{
	struct prof_error err;
	char buf[600];
	int ret;

	memset(c, 0, sizeof(*c));
	c->sink = sink;
	ret = prof_region_reader_open(&c->rd, mem, size, "bench region", &err);
	if (ret) {
		fprintf(stderr, "bench: reader: %s\n", prof_error_format(&err, buf, sizeof(buf)));
		goto fail;
	}
	if (sink != BENCH_SINK_COPY) {
		ret = prof_ctf_writer_open(&c->ctf, dir, &err);
		if (ret) {
			fprintf(stderr, "bench: ctf writer: %s\n", prof_error_format(&err, buf, sizeof(buf)));
			goto fail;
		}
	}
	return 0;
fail:
	if (c->rd)
		prof_region_reader_close(c->rd);
	c->rd = NULL;
	return ret;
}

int bench_collector_start(struct bench_collector *c, uint32_t poll_us)
{
	int ret;

	c->poll_us = poll_us;
	ret = pthread_create(&c->thread, NULL, collector_main, c);
	if (ret) {
		fprintf(stderr, "bench: pthread_create: %s\n", strerror(ret));
		return -ret;
	}
	c->threaded = 1;
	return 0;
}

int bench_collector_close(struct bench_collector *c, struct prof_drain_stats *st)
{
	int ret;

	if (c->threaded) {
		/* Pairs with the acquire load of stop in collector_main(). */
		atomic_store_explicit(&c->stop, 1, memory_order_release);
		pthread_join(c->thread, NULL);
		c->threaded = 0;
	}
	ret = c->err;
	if (!ret) {
		ret = bench_collector_drain(c);
		if (ret >= 0)
			ret = prof_region_reader_scrape(c->rd, collector_sink(c), c);
		ret = ret < 0 ? ret : 0;
	}
	prof_region_reader_stats(c->rd, st);
	if (c->ctf) {
		const struct prof_region_header *h = prof_region_reader_header(c->rd);
		struct prof_trace_desc desc;
		struct prof_error err;
		int r2;

		memset(&desc, 0, sizeof(desc));
		memcpy(desc.uuid, h->uuid, sizeof(desc.uuid));
		desc.byte_order = h->byte_order;
		desc.clock = h->clock;
		desc.schema = *prof_region_reader_schema(c->rd);
		r2 = prof_ctf_writer_metadata(c->ctf, &desc, &err);
		if (!ret)
			ret = r2;
		r2 = prof_ctf_writer_close(c->ctf);
		if (!ret)
			ret = r2;
		c->ctf = NULL;
	}
	prof_region_reader_close(c->rd);
	c->rd = NULL;
	free(c->copy);
	c->copy = NULL;
	return ret;
}

int bench_region_open(struct prof_region **r, uint32_t mode, uint32_t packet_size, uint32_t packets,
		      uint32_t streams, int populate, const char *who)
{
	struct prof_region_config cfg;
	struct prof_error err;
	char buf[600];
	int ret;

	prof_region_config_init(&cfg);
	cfg.mode = mode;
	cfg.packet_size = packet_size;
	cfg.packets_per_stream = packets;
	cfg.stream_slots = streams;
	cfg.attach = 1;
	ret = prof_region_open(r, &cfg, &err);
	if (ret) {
		fprintf(stderr, "%s: %s\n", who, prof_error_format(&err, buf, sizeof(buf)));
		return ret;
	}
#ifdef MADV_POPULATE_WRITE
	/* Fault the rings in, as the floor's ring is: measure the steady
	 * state, not the first pass's page faults. */
	if (populate)
		madvise(prof_region_memory(*r), prof_region_size(*r), MADV_POPULATE_WRITE);
#else
	(void)populate;
#endif
	return 0;
}

int bench_json_write(json_t *root, const char *file, const char *who)
{
	int ret = json_dump_file(root, file, JSON_INDENT(2) | JSON_SORT_KEYS);

	json_decref(root);
	if (ret) {
		fprintf(stderr, "%s: cannot write %s\n", who, file);
		return -EIO;
	}
	return 0;
}
