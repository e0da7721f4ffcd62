/* SPDX-License-Identifier: MIT */
/*
 * GC hooks' drops are counted like any other emit's:
 *  - prof_gc_thread_event() on a thread with no stream (it must not lock
 *    with the world stopped) records nothing and counts dropped_no_slot;
 *  - GC spans and counters into a full discard-mode ring count in
 *    events_discarded: recorded + discarded == emitted, exactly.
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "lib/check.h"
#include "profile/profile.h"
#include "profile/gc.h"

#define NO_STREAM_EVENTS 37

static void *no_stream_thread(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < NO_STREAM_EVENTS; i++)
		CHECK_EQ(prof_gc_thread_event(i & 1, 1000 + (uint64_t)i), -PROF_ENOENT);
	return NULL;
}

struct counts {
	const struct prof_schema *schema;
	uint64_t recorded, discarded;
};

static int sink(void *arg, uint32_t stream, const uint8_t *pkt, size_t len, const struct prof_packet_info *info)
{
	struct counts *c = arg;
	struct prof_packet_cursor cur;
	struct prof_decoded_event ev;

	(void)stream;
	(void)len;
	c->discarded = info->hdr.events_discarded;
	prof_packet_cursor_init(&cur, pkt, info, c->schema);
	while (prof_packet_next(&cur, &ev) > 0)
		c->recorded++;
	return 0;
}

int main(void)
{
	struct prof_region_config cfg;
	struct prof_region *r;
	struct prof_region_reader *rd;
	struct prof_drain_stats ds;
	struct prof_error err;
	struct counts c;
	pthread_t th;
	uint64_t emitted = 0, i;

	prof_region_config_init(&cfg);
	cfg.packet_size = 256;
	cfg.packets_per_stream = 2;
	cfg.stream_slots = 2;
	cfg.attach = 1;
	CHECK_OK(prof_region_open(&r, &cfg, &err));
	CHECK_OK(prof_gc_register());

	CHECK_EQ(pthread_create(&th, NULL, no_stream_thread, NULL), 0);
	CHECK_EQ(pthread_join(th, NULL), 0);

	/* This thread: a stream, then far more GC events than 2 packets hold. */
	CHECK_OK(prof_gc_thread_prepare());
	for (i = 0; i < 1000; i++) {
		CHECK_OK(prof_gc_begin(PROF_GC_MINOR));
		CHECK_OK(prof_gc_counter(PROF_GC_HEAP_BYTES, i));
		CHECK_OK(prof_gc_thread_event(0, i));
		CHECK_EQ(prof_gc_end(), PROF_GC_MINOR);
		emitted += 4;
	}

	memset(&c, 0, sizeof(c));
	CHECK_OK(prof_region_reader_open(&rd, prof_region_memory(r), prof_region_size(r), "gc", &err));
	c.schema = prof_region_reader_schema(rd);
	CHECK_OK(prof_region_reader_drain(rd, sink, &c));
	CHECK_OK(prof_region_reader_scrape(rd, sink, &c));
	prof_region_reader_stats(rd, &ds);
	printf("no stream: %llu dropped_no_slot (want %d); with a stream: emitted %llu, recorded %llu, "
	       "discarded %llu\n", (unsigned long long)ds.dropped_no_slot, NO_STREAM_EVENTS,
	       (unsigned long long)emitted, (unsigned long long)c.recorded, (unsigned long long)c.discarded);
	CHECK_EQ_U(ds.dropped_no_slot, NO_STREAM_EVENTS);
	CHECK_GT(c.discarded, 0);
	CHECK_EQ_U(c.recorded + c.discarded, emitted);
	prof_region_reader_close(rd);
	prof_region_close(r);
	printf("test_gc_drops: ok\n");
	return 0;
}
