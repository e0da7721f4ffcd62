/* SPDX-License-Identifier: MIT */
/*
 * bench/evsize.c - bytes per event in an mprof packet, by kind of event.
 *
 * Records n events of each kind on one thread into a region of its own
 * (discard mode, a ring that holds them all) with the events spaced as a
 * busy thread spaces them (back to back), reads the region back through
 * the reader and divides the content bytes of its packets (packet headers
 * excluded) by the events read.  Exact, not timed: the figure depends only
 * on the format and on how often the clock leaves a 2^24-tick epoch (one
 * extended header per epoch and per packet).
 *
 *   bench      PROF_EVENT (u64, u32): the emit benchmark's event
 *   counter    PROF_COUNTER u32
 *   span       PROF_SPAN begin (no fields) and end, per event
 *
 * LTTng-UST's figure for the same events (its consumer's bytes written
 * divided by events) comes from bench/run.sh's LTTng session when it runs;
 * see docs/PERFORMANCE.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/profile.h"
#include "profile/read.h"

PROF_EVENT(sz_bench, "evsize.bench", (u64, a), (u32, b));
PROF_COUNTER(sz_counter, "evsize.counter", u32);
PROF_SPAN(sz_span, "evsize.span");

struct tally {
	uint64_t bytes, events;
};

static int sink(void *arg, uint32_t stream, const uint8_t *pkt, size_t len, const struct prof_packet_info *info)
{
	struct tally *t = arg;

	(void)stream;
	(void)pkt;
	(void)len;
	t->bytes += info->content_bytes - PROF_PACKET_HEADER_SIZE;
	t->events += info->nevents;
	return 0;
}

static int measure(int kind, uint64_t n, double *bytes_per_event)
{
	struct prof_region_config cfg;
	struct prof_region *r = NULL;
	struct prof_region_reader *rd = NULL;
	struct prof_error err;
	struct tally t = { 0, 0 };
	uint64_t i;
	int ret;

	prof_region_config_init(&cfg);
	cfg.mode = PROF_MODE_DISCARD;
	cfg.packet_size = 256 * 1024;
	cfg.packets_per_stream = 128; /* 32 MiB: n events of <= 24 bytes fit */
	cfg.stream_slots = 1;
	cfg.attach = 1;
	ret = prof_region_open(&r, &cfg, &err);
	if (ret) {
		fprintf(stderr, "evsize: region: %s\n", err.text);
		return ret;
	}
	for (i = 0; i < n; i++) {
		if (kind == 0) {
			PROF_EMIT(sz_bench, i, (uint32_t)i);
		} else if (kind == 1) {
			PROF_EMIT(sz_counter, (uint32_t)i);
		} else {
			PROF_SPAN_BEGIN(sz_span);
			PROF_SPAN_END(sz_span);
		}
	}
	prof_thread_release();
	ret = prof_region_reader_open(&rd, prof_region_memory(r), prof_region_size(r), "evsize", &err);
	if (!ret)
		ret = prof_region_reader_drain(rd, sink, &t);
	if (ret >= 0)
		ret = prof_region_reader_scrape(rd, sink, &t);
	if (rd)
		prof_region_reader_close(rd);
	prof_region_close(r);
	if (ret < 0)
		return ret;
	if (t.events != (kind == 2 ? 2 * n : n)) {
		fprintf(stderr, "evsize: read %llu events, emitted %llu\n", (unsigned long long)t.events,
			(unsigned long long)(kind == 2 ? 2 * n : n));
		return -EIO;
	}
	*bytes_per_event = (double)t.bytes / (double)t.events;
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "bench (u64, u32)", "counter (u32)", "span begin/end" };
	static const char *const keys[] = { "bench", "counter", "span" };
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
	FILE *json = argc > 2 ? fopen(argv[2], "w") : NULL;
	int k;

	if (argc > 2 && !json) {
		perror(argv[2]);
		return 1;
	}
	printf("bytes per event in an mprof packet (%llu events of each, back to back; headers "
	       "compact 4 B, extended 12 B)\n", (unsigned long long)n);
	if (json)
		fprintf(json, "{");
	for (k = 0; k < 3; k++) {
		double b;

		if (measure(k, n, &b) != 0)
			return 1;
		printf("  %-28s %6.2f B/event\n", names[k], b);
		if (json)
			fprintf(json, "%s\"%s\": %.4f", k ? ", " : "", keys[k], b);
	}
	if (json) {
		fprintf(json, "}\n");
		fclose(json);
	}
	return 0;
}
