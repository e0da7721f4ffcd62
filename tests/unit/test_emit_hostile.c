/* SPDX-License-Identifier: MIT */
/*
 * The producer trusts only itself.  A hostile "collector" thread scribbles
 * on every shared word it can reach (each slot's head, owner and claims,
 * each consumer tail, each packet's header words content_bytes,
 * content_size, events_discarded and packet_seq_num, the region header,
 * the schema records, and random words anywhere) while waves of threads
 * claim the few stream slots, hand them over at exit, fill the rings and
 * register new events.  The region lives in caller memory between two
 * PROT_NONE guard pages: an emit that wrote outside it would fault.
 *
 * Passes if every thread finishes every emit (no crash, no hang) in both
 * modes, and the process can still detach and record into a fresh region
 * afterwards, exactly (the producer's state was never the region's).
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "lib/check.h"
#include "profile/profile.h"

PROF_EVENT(h_num, "hostile.num", (u32, thread), (u64, seq));
PROF_EVENT(h_str, "hostile.str", (u32, thread), (str(40), text));
PROF_EVENT(h_late1, "hostile.late1", (u64, a));
PROF_EVENT(h_late2, "hostile.late2", (u64, a), (u64, b));
PROF_EVENT(h_late3, "hostile.late3", (u8, a));

#define ROUNDS 6 /* regions per mode: each slot's first claim reads it once */
#define WAVES 8
#define THREADS_PER_WAVE 6
#define EVENTS_PER_THREAD 300

static _Atomic int stop;
static _Atomic uint64_t passes;
static _Atomic uint64_t emits_done;
static uint8_t *region;
static struct prof_region_header geo; /* the geometry, from our own layout */

static uint64_t rng_next(uint64_t *s)
{
	/* xorshift64*: deterministic, no libc state shared between threads. */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

/* A value chosen to hurt: huge, just past a bound, zero, or random. */
static uint64_t hostile_value(uint64_t *s)
{
	switch (rng_next(s) % 8) {
	case 0: return 0;
	case 1: return UINT64_MAX;
	case 2: return 0xffffffffu;
	case 3: return (uint64_t)geo.packet_size + 8192;
	case 4: return geo.region_size;
	case 5: return (uint64_t)geo.packet_size * 64;
	case 6: return rng_next(s) % 16;
	default: return rng_next(s);
	}
}

static void put64(uint64_t off, uint64_t v)
{
	__atomic_store_n((uint64_t *)(void *)(region + off), v, __ATOMIC_RELAXED);
}

static void put32(uint64_t off, uint32_t v)
{
	__atomic_store_n((uint32_t *)(void *)(region + off), v, __ATOMIC_RELAXED);
}

static void *scribbler_main(void *arg)
{
	uint64_t s = 0x9e3779b97f4a7c15ull ^ (uintptr_t)arg;
	uint64_t npackets = (uint64_t)geo.stream_slots * geo.packets_per_stream;

	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		uint32_t i;
		uint64_t k;

		for (i = 0; i < geo.stream_slots; i++) {
			uint64_t slot = geo.slots_offset + (uint64_t)i * sizeof(struct prof_slot);

			put64(slot + offsetof(struct prof_slot, head), hostile_value(&s));
			put64(slot + offsetof(struct prof_slot, owner), rng_next(&s) % 3 ? 0 : hostile_value(&s));
			put64(slot + offsetof(struct prof_slot, claims), hostile_value(&s));
			/* Often 0: a ring that looks full, so claims park. */
			put64(geo.consumer_offset + (uint64_t)i * sizeof(struct prof_consumer_pos),
			      rng_next(&s) % 2 ? 0 : hostile_value(&s));
		}
		for (k = 0; k < npackets; k++) {
			uint64_t p = geo.rings_offset + k * geo.packet_size;

			put32(p + offsetof(struct prof_packet_header, content_bytes), (uint32_t)hostile_value(&s));
			put64(p + offsetof(struct prof_packet_header, content_size), hostile_value(&s));
			put64(p + offsetof(struct prof_packet_header, events_discarded), hostile_value(&s));
			put64(p + offsetof(struct prof_packet_header, packet_seq_num), hostile_value(&s));
			put64(p + offsetof(struct prof_packet_header, packet_size), hostile_value(&s));
		}
		/* The header's geometry and counts, and the schema. */
		put32(offsetof(struct prof_region_header, packet_size), (uint32_t)hostile_value(&s));
		put32(offsetof(struct prof_region_header, packets_per_stream), (uint32_t)hostile_value(&s));
		put32(offsetof(struct prof_region_header, stream_slots), (uint32_t)hostile_value(&s));
		put32(offsetof(struct prof_region_header, max_events), (uint32_t)hostile_value(&s));
		put32(offsetof(struct prof_region_header, schema_count), (uint32_t)hostile_value(&s));
		put64(offsetof(struct prof_region_header, rings_offset), hostile_value(&s));
		put64(offsetof(struct prof_region_header, slots_offset), hostile_value(&s));
		put64(offsetof(struct prof_region_header, dropped_no_slot), hostile_value(&s));
		/* And random words anywhere. */
		for (i = 0; i < 64; i++)
			put64((rng_next(&s) % (geo.region_size / 8)) * 8, hostile_value(&s));
		atomic_fetch_add(&passes, 1);
	}
	return NULL;
}

static void *emitter_main(void *arg)
{
	uint32_t me = (uint32_t)(uintptr_t)arg;
	uint64_t i;

	for (i = 0; i < EVENTS_PER_THREAD; i++) {
		if (i % 7 == 3)
			PROF_EMIT(h_str, me, "\xc3\xa9t\xc3\xa9 hostile \xe2\x82\xac string of some length");
		else
			PROF_EMIT(h_num, me, i);
		atomic_fetch_add_explicit(&emits_done, 1, memory_order_relaxed);
	}
	/* First uses while the schema is being scribbled on. */
	if (me == 2)
		PROF_EMIT(h_late1, i);
	if (me == 3)
		PROF_EMIT(h_late2, i, i);
	if (me == 4)
		PROF_EMIT(h_late3, (uint8_t)i);
	return NULL;
}

static void run(uint32_t mode)
{
	struct prof_region_config cfg;
	struct prof_region *r;
	struct prof_error err;
	pthread_t scribbler, th[THREADS_PER_WAVE];
	uint8_t *map;
	size_t map_size;
	uint32_t wave, t;

	CHECK_OK(prof_region_layout(mode, 256, 2, 2, 8, &geo));
	/* guard page | region | guard page */
	map_size = geo.region_size + 2 * PROF_PAGE_SIZE;
	map = mmap(NULL, map_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(map != MAP_FAILED);
	region = map + PROF_PAGE_SIZE;
	CHECK_EQ(mprotect(region, geo.region_size, PROT_READ | PROT_WRITE), 0);

	prof_region_config_init(&cfg);
	cfg.mode = mode;
	cfg.packet_size = geo.packet_size;
	cfg.packets_per_stream = geo.packets_per_stream;
	cfg.stream_slots = geo.stream_slots;
	cfg.max_events = geo.max_events;
	cfg.backing = PROF_BACKING_MEMORY;
	cfg.memory = region;
	cfg.memory_size = geo.region_size;
	cfg.attach = 1;
	CHECK_OK(prof_region_open(&r, &cfg, &err));

	atomic_store(&stop, 0);
	atomic_store(&passes, 0);
	CHECK_EQ(pthread_create(&scribbler, NULL, scribbler_main, (void *)(uintptr_t)mode), 0);
	/* Every word scribbled at least once before the first claim. */
	while (atomic_load(&passes) == 0)
		sched_yield();
	for (wave = 0; wave < WAVES; wave++) {
		for (t = 0; t < THREADS_PER_WAVE; t++)
			CHECK_EQ(pthread_create(&th[t], NULL, emitter_main, (void *)(uintptr_t)t), 0);
		for (t = 0; t < THREADS_PER_WAVE; t++)
			CHECK_EQ(pthread_join(th[t], NULL), 0);
	}
	atomic_store(&stop, 1);
	CHECK_EQ(pthread_join(scribbler, NULL), 0);
	prof_region_close(r); /* detaches */
	CHECK_EQ(munmap(map, map_size), 0);
}

/* After the hostile runs, a clean region records exactly: nothing of the
 * scribbled state leaked into the producer's. */
static int count_sink(void *arg, uint32_t stream, const uint8_t *pkt, size_t len, const struct prof_packet_info *info)
{
	uint64_t *n = arg;
	struct prof_packet_cursor c;
	struct prof_decoded_event ev;
	const struct prof_schema *schema = (const struct prof_schema *)(uintptr_t)n[1];

	(void)stream;
	(void)len;
	prof_packet_cursor_init(&c, pkt, info, schema);
	while (prof_packet_next(&c, &ev) > 0)
		n[0]++;
	return 0;
}

static void clean_run(void)
{
	struct prof_region_config cfg;
	struct prof_region *r;
	struct prof_region_reader *rd;
	struct prof_drain_stats ds;
	struct prof_error err;
	uint64_t n[2] = { 0, 0 }, i;

	prof_region_config_init(&cfg);
	cfg.packet_size = 4096;
	cfg.packets_per_stream = 64;
	cfg.stream_slots = 4;
	cfg.attach = 1;
	CHECK_OK(prof_region_open(&r, &cfg, &err));
	for (i = 0; i < 1000; i++)
		PROF_EMIT(h_num, 99, i);
	CHECK_OK(prof_region_reader_open(&rd, prof_region_memory(r), prof_region_size(r), "clean", &err));
	n[1] = (uint64_t)(uintptr_t)prof_region_reader_schema(rd);
	CHECK_OK(prof_region_reader_drain(rd, count_sink, n));
	CHECK_OK(prof_region_reader_scrape(rd, count_sink, n));
	prof_region_reader_stats(rd, &ds);
	CHECK_EQ_U(n[0], 1000);
	CHECK_EQ_U(ds.invalid_packets, 0);
	CHECK_EQ_U(ds.events_discarded, 0);
	prof_region_reader_close(rd);
	prof_region_close(r);
}

int main(void)
{
	uint32_t mode, round;

	for (mode = PROF_MODE_DISCARD; mode <= PROF_MODE_OVERWRITE; mode++) {
		atomic_store(&emits_done, 0);
		for (round = 0; round < ROUNDS; round++)
			run(mode);
		printf("%s: %llu emits completed under a scribbling collector, %d regions\n",
		       mode == PROF_MODE_DISCARD ? "discard" : "overwrite",
		       (unsigned long long)atomic_load(&emits_done), ROUNDS);
		CHECK_EQ_U(atomic_load(&emits_done), (uint64_t)ROUNDS * WAVES * THREADS_PER_WAVE * EVENTS_PER_THREAD);
	}
	clean_run();
	printf("test_emit_hostile: ok\n");
	return 0;
}
