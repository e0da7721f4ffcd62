/* SPDX-License-Identifier: MIT */
/*
 * tests/gc/test_gc_api.c - profile/gc.h as a runtime author uses it.
 *
 * Plays a runtime: opens and attaches a region, registers the GC events,
 * runs "collections" with phases and counters, an abandoned collection and
 * an unbalanced end, then reads the region back through libprofile's
 * reader and compares the exact event sequence.  Also: the name tables,
 * the argument checks, thread events only from a thread with a stream,
 * and that disabled GC events keep the per-thread nesting balanced.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "lib/check.h"
#include "profile/gc.h"
#include "profile/profile.h"

#define MAX_SEEN 128

static char seen[MAX_SEEN][PROF_NAME_MAX + 32];
static uint32_t seen_stream[MAX_SEEN];
static int nseen;

static int sink(void *arg, uint32_t stream, const uint8_t *pkt, size_t len, const struct prof_packet_info *info)
{
	struct prof_region_reader *r = arg;
	struct prof_packet_cursor c;
	struct prof_decoded_event ev;

	(void)stream;
	(void)len;
	prof_packet_cursor_init(&c, pkt, info, prof_region_reader_schema(r));
	while (prof_packet_next(&c, &ev) > 0) {
		CHECK_LT(nseen, MAX_SEEN);
		seen_stream[nseen] = ev.stream;
		if (ev.nfields > 0)
			snprintf(seen[nseen++], sizeof(seen[0]), "%s=%llu", ev.desc->name,
				 (unsigned long long)ev.values[0].v.u);
		else
			snprintf(seen[nseen++], sizeof(seen[0]), "%s", ev.desc->name);
	}
	return 0;
}

static void *other_thread(void *arg)
{
	int *results = arg;

	/* No stream yet: never claimed from a thread event. */
	results[0] = prof_gc_thread_event(0, 7);
	results[1] = prof_gc_thread_prepare();
	results[2] = prof_gc_thread_event(1, 8);
	return NULL;
}

int main(void)
{
	static const char *const want[] = {
		"gc.major.begin", "gc.stop_world.begin", "gc.thread_suspend=42", "gc.stop_world.end",
		"gc.mark.begin", "gc.mark.end", "gc.sweep.begin", "gc.sweep.end",
		"gc.heap_bytes=1048576", "gc.allocated_bytes=123", "gc.major.end",
		/* An abandoned collection: its begin stays unmatched... */
		"gc.major.begin", "gc.mark.begin",
		/* ...and the next begin of the kind starts afresh. */
		"gc.major.begin", "gc.major.end",
		"gc.minor.begin", "gc.minor_bytes=4096", "gc.minor.end",
		/* Finalisers that collect. */
		"gc.finalise.begin", "gc.minor.begin", "gc.minor.end", "gc.finalise.end",
		/* Re-enabled after a disabled collection. */
		"gc.major_slice.begin", "gc.major_slice.end",
	};
	struct prof_region_config cfg;
	struct prof_region *region = NULL;
	struct prof_region_reader *reader = NULL;
	struct prof_error err;
	pthread_t th;
	int other[3], k, other_events = 0;
	uint32_t main_stream;
	size_t i;

	/* The name tables: one name per kind and counter, pauses marked. */
	CHECK_STREQ(prof_gc_kind_name(PROF_GC_MINOR), "gc.minor");
	CHECK_STREQ(prof_gc_kind_name(PROF_GC_MAJOR_SLICE), "gc.major_slice");
	CHECK_STREQ(prof_gc_kind_name(PROF_GC_FINALISE), "gc.finalise");
	CHECK(prof_gc_kind_name(PROF_GC_KIND_COUNT) == NULL);
	CHECK_STREQ(prof_gc_counter_name(PROF_GC_HEAP_BYTES), "gc.heap_bytes");
	CHECK(prof_gc_counter_name(PROF_GC_COUNTER_COUNT) == NULL);
	for (k = 0; k < PROF_GC_KIND_COUNT; k++)
		CHECK_EQ(prof_gc_kind_is_pause((enum prof_gc_kind)k),
			 k == PROF_GC_MINOR || k == PROF_GC_MAJOR || k == PROF_GC_MAJOR_SLICE || k == PROF_GC_COMPACT);

	/* Before any region. */
	CHECK_EQ(prof_gc_thread_prepare(), -ENOENT);
	CHECK_EQ(prof_gc_begin((enum prof_gc_kind)PROF_GC_KIND_COUNT), -EINVAL);
	CHECK_EQ(prof_gc_counter((enum prof_gc_counter)PROF_GC_COUNTER_COUNT, 1), -EINVAL);
	CHECK_EQ(prof_gc_end(), -ENOENT);

	prof_region_config_init(&cfg);
	cfg.attach = 1;
	CHECK_OK(prof_region_open(&region, &cfg, &err));
	CHECK_OK(prof_gc_register());
	CHECK_EQ(prof_gc_thread_prepare(), 0);

	/* A Boehm-like collection. */
	CHECK_EQ(prof_gc_begin(PROF_GC_MAJOR), 0);
	CHECK_EQ(prof_gc_begin(PROF_GC_STOP_WORLD), 0);
	CHECK_EQ(prof_gc_thread_event(0, 42), 0);
	CHECK_EQ(prof_gc_end(), PROF_GC_STOP_WORLD);
	CHECK_EQ(prof_gc_begin(PROF_GC_MARK), 0);
	CHECK_EQ(prof_gc_end(), PROF_GC_MARK);
	CHECK_EQ(prof_gc_begin(PROF_GC_SWEEP), 0);
	CHECK_EQ(prof_gc_end(), PROF_GC_SWEEP);
	CHECK_EQ(prof_gc_counter(PROF_GC_HEAP_BYTES, 1 << 20), 0);
	CHECK_EQ(prof_gc_counter(PROF_GC_ALLOCATED_BYTES, 123), 0);
	CHECK_EQ(prof_gc_end(), PROF_GC_MAJOR);
	CHECK_EQ(prof_gc_end(), -ENOENT);

	/* Abandoned inside its mark phase; the next one closes it. */
	CHECK_EQ(prof_gc_begin(PROF_GC_MAJOR), 0);
	CHECK_EQ(prof_gc_begin(PROF_GC_MARK), 0);
	CHECK_EQ(prof_gc_begin(PROF_GC_MAJOR), 0);
	CHECK_EQ(prof_gc_end(), PROF_GC_MAJOR);
	CHECK_EQ(prof_gc_end(), -ENOENT);

	CHECK_EQ(prof_gc_begin(PROF_GC_MINOR), 0);
	CHECK_EQ(prof_gc_counter(PROF_GC_MINOR_BYTES, 4096), 0);
	CHECK_EQ(prof_gc_end(), PROF_GC_MINOR);

	CHECK_EQ(prof_gc_begin(PROF_GC_FINALISE), 0);
	CHECK_EQ(prof_gc_begin(PROF_GC_MINOR), 0);
	CHECK_EQ(prof_gc_end(), PROF_GC_MINOR);
	CHECK_EQ(prof_gc_end(), PROF_GC_FINALISE);

	CHECK_EQ(pthread_create(&th, NULL, other_thread, other), 0);
	CHECK_EQ(pthread_join(th, NULL), 0);
	CHECK_EQ(other[0], -ENOENT);
	CHECK_EQ(other[1], 0);
	CHECK_EQ(other[2], 0);

	/* Disabled: nothing recorded, nesting still kept. */
	CHECK_GT(prof_events_set_enabled("gc.", 0), 0);
	CHECK_EQ(prof_gc_begin(PROF_GC_MAJOR), 0);
	CHECK_EQ(prof_gc_end(), PROF_GC_MAJOR);
	CHECK_GT(prof_events_set_enabled("gc.", 1), 0);
	CHECK_EQ(prof_gc_begin(PROF_GC_MAJOR_SLICE), 0);
	CHECK_EQ(prof_gc_end(), PROF_GC_MAJOR_SLICE);

	/* Read everything back, open packets included (all threads stopped). */
	CHECK_OK(prof_region_reader_open(&reader, prof_region_memory(region), prof_region_size(region), "region", &err));
	CHECK_OK(prof_region_reader_drain(reader, sink, reader));
	CHECK_OK(prof_region_reader_scrape(reader, sink, reader));
	for (i = 0; i < (size_t)nseen; i++)
		printf("stream %u: %s\n", seen_stream[i], seen[i]);
	CHECK_GT(nseen, 0);
	main_stream = seen_stream[0];
	for (i = 0; i < (size_t)nseen; i++)
		if (!strcmp(seen[i], "gc.major.begin")) {
			main_stream = seen_stream[i];
			break;
		}
	/* The other thread's stream holds its two events; ours the rest, in order. */
	for (i = 0, k = 0; i < (size_t)nseen; i++) {
		if (seen_stream[i] != main_stream) {
			CHECK_STREQ(seen[i], "gc.thread_resume=8");
			other_events++;
			continue;
		}
		CHECK_LT(k, (int64_t)(sizeof(want) / sizeof(want[0])));
		CHECK_STREQ(seen[i], want[k]);
		k++;
	}
	CHECK_EQ(k, (int64_t)(sizeof(want) / sizeof(want[0])));
	CHECK_EQ(other_events, 1);
	prof_region_reader_close(reader);
	prof_region_close(region);
	printf("test_gc_api: ok\n");
	return 0;
}
