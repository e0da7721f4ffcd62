/* SPDX-License-Identifier: MIT */
/*
 * read_builder.h - build regions, schema records and packets by hand, per
 * profile/format.h, for the reader's tests and fuzz targets.
 *
 * Header-only (static functions) so that it adds nothing to the other
 * tests linked with tests/unit/lib/.  It computes the layout itself, not
 * with the library, so the reader's own layout code is checked against an
 * independent reading of the format.
 */
#ifndef MPROF_TEST_READ_BUILDER_H
#define MPROF_TEST_READ_BUILDER_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "profile/format.h"
#include "profile/read.h"

static const uint8_t rb_uuid[16] = {
	0x6d, 0x70, 0x72, 0x6f, 0x66, 0x2d, 0x74, 0x65, 0x73, 0x74, 0x2d, 0x75, 0x75, 0x69, 0x64, 0x01,
};

static inline uint64_t rb_round_page(uint64_t v)
{
	return (v + PROF_PAGE_SIZE - 1) / PROF_PAGE_SIZE * PROF_PAGE_SIZE;
}

/* The geometry, as format.h and the reader's contract describe it. */
static inline void rb_layout(struct prof_region_header *h, uint32_t mode, uint32_t packet_size,
			     uint32_t npackets, uint32_t slots, uint32_t max_events)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->magic, PROF_REGION_MAGIC, 8);
	h->version = PROF_REGION_VERSION;
	h->header_size = sizeof(*h);
	h->byte_order = PROF_BYTE_ORDER_LE;
	h->page_size = PROF_PAGE_SIZE;
	h->mode = mode;
	h->packet_size = packet_size;
	h->packets_per_stream = npackets;
	h->stream_slots = slots;
	h->max_events = max_events;
	h->schema_record_size = sizeof(struct prof_schema_record);
	h->schema_offset = PROF_PAGE_SIZE;
	h->slots_offset = h->schema_offset + rb_round_page((uint64_t)max_events * sizeof(struct prof_schema_record));
	h->consumer_offset = h->slots_offset + rb_round_page((uint64_t)slots * 64);
	h->rings_offset = h->consumer_offset + rb_round_page((uint64_t)slots * 64);
	h->region_size = h->rings_offset + (uint64_t)slots * npackets * packet_size;
	memcpy(h->uuid, rb_uuid, 16);
	h->clock.source = PROF_CLOCK_MONOTONIC;
	h->clock.freq_hz = 1000000000ull;
}

struct rb_region {
	uint8_t *mem;
	uint64_t size;
	struct prof_region_header h; /* what was written (geometry) */
};

/* A zeroed, page-aligned region of exactly region_size bytes (so ASan
 * catches any access past it). */
static inline int rb_region_init(struct rb_region *reg, uint32_t mode, uint32_t packet_size,
				 uint32_t npackets, uint32_t slots, uint32_t max_events)
{
	void *p = NULL;

	rb_layout(&reg->h, mode, packet_size, npackets, slots, max_events);
	reg->size = reg->h.region_size;
	if (posix_memalign(&p, PROF_PAGE_SIZE, reg->size) != 0)
		return -1;
	memset(p, 0, reg->size);
	memcpy(p, &reg->h, sizeof(reg->h));
	reg->mem = p;
	return 0;
}

static inline void rb_region_free(struct rb_region *reg)
{
	free(reg->mem);
	reg->mem = NULL;
}

static inline struct prof_region_header *rb_hdr(struct rb_region *reg)
{
	return (struct prof_region_header *)(void *)reg->mem;
}

static inline struct prof_slot *rb_slot(struct rb_region *reg, uint32_t s)
{
	return (struct prof_slot *)(void *)(reg->mem + reg->h.slots_offset + 64ull * s);
}

static inline struct prof_consumer_pos *rb_cons(struct rb_region *reg, uint32_t s)
{
	return (struct prof_consumer_pos *)(void *)(reg->mem + reg->h.consumer_offset + 64ull * s);
}

static inline uint8_t *rb_packet(struct rb_region *reg, uint32_t s, uint64_t seq)
{
	uint64_t n = reg->h.packets_per_stream;

	return reg->mem + reg->h.rings_offset + ((uint64_t)s * n + seq % n) * reg->h.packet_size;
}

static inline void rb_set_head(struct rb_region *reg, uint32_t s, uint64_t head)
{
	__atomic_store_n(&rb_slot(reg, s)->head, head, __ATOMIC_RELEASE);
}

static inline uint64_t rb_tail(struct rb_region *reg, uint32_t s)
{
	return __atomic_load_n(&rb_cons(reg, s)->tail, __ATOMIC_ACQUIRE);
}

/* ---- Schema records ---- */

struct rb_field {
	const char *name;
	uint8_t type;
	uint16_t bound;
};

static inline void rb_record(struct prof_schema_record *rec, uint32_t id, const char *name,
			     uint16_t kind, uint16_t nfields, const struct rb_field *fields)
{
	uint16_t i;

	memset(rec, 0, sizeof(*rec));
	strncpy(rec->name, name, sizeof(rec->name) - 1);
	rec->id = id;
	rec->kind = kind;
	rec->nfields = nfields;
	for (i = 0; i < nfields && i < PROF_MAX_FIELDS; i++) {
		strncpy(rec->fields[i].name, fields[i].name, sizeof(rec->fields[i].name) - 1);
		rec->fields[i].type = fields[i].type;
		rec->fields[i].bound = fields[i].bound;
	}
}

/* The test schema: every field type, strings with small bounds. */
enum {
	RB_EV_ALL = 0,  /* u8 u16 u32 u64 s8 s16 s32 s64 f64 str(8) */
	RB_EV_TICK = 1, /* no fields */
	RB_EV_MSG = 2,  /* str(4) m, u32 n */
	RB_EV_BEGIN = 3,/* u64 id */
	RB_EV_END = 4,  /* no fields */
	RB_NEVENTS = 5,
};

static const struct rb_field rb_all_fields[] = {
	{ "a", PROF_TYPE_U8, 0 }, { "b", PROF_TYPE_U16, 0 }, { "c", PROF_TYPE_U32, 0 },
	{ "d", PROF_TYPE_U64, 0 }, { "e", PROF_TYPE_S8, 0 }, { "f", PROF_TYPE_S16, 0 },
	{ "g", PROF_TYPE_S32, 0 }, { "h", PROF_TYPE_S64, 0 }, { "x", PROF_TYPE_F64, 0 },
	{ "s", PROF_TYPE_STRING, 8 },
};
static const struct rb_field rb_msg_fields[] = {
	{ "m", PROF_TYPE_STRING, 4 }, { "n", PROF_TYPE_U32, 0 },
};
static const struct rb_field rb_begin_fields[] = {
	{ "id", PROF_TYPE_U64, 0 },
};

static inline void rb_std_record(struct prof_schema_record *rec, uint32_t id)
{
	switch (id) {
	case RB_EV_ALL:
		rb_record(rec, id, "all.types", PROF_KIND_PLAIN, 10, rb_all_fields);
		break;
	case RB_EV_TICK:
		rb_record(rec, id, "tick", PROF_KIND_INSTANT, 0, NULL);
		break;
	case RB_EV_MSG:
		rb_record(rec, id, "msg", PROF_KIND_PLAIN, 2, rb_msg_fields);
		break;
	case RB_EV_BEGIN:
		rb_record(rec, id, "work.begin", PROF_KIND_SPAN_BEGIN, 1, rb_begin_fields);
		break;
	default:
		rb_record(rec, id, "work.end", PROF_KIND_SPAN_END, 0, NULL);
		break;
	}
}

/* Write record @id at its index, then publish count = @count. */
static inline void rb_put_record(struct rb_region *reg, const struct prof_schema_record *rec, uint32_t index)
{
	memcpy(reg->mem + reg->h.schema_offset + (uint64_t)index * sizeof(*rec), rec, sizeof(*rec));
}

static inline void rb_publish(struct rb_region *reg, uint32_t count)
{
	__atomic_store_n(&rb_hdr(reg)->schema_count, count, __ATOMIC_RELEASE);
}

static inline void rb_std_schema(struct rb_region *reg, uint32_t count)
{
	struct prof_schema_record rec;
	uint32_t i;

	for (i = 0; i < count; i++) {
		rb_std_record(&rec, i);
		rb_put_record(reg, &rec, i);
	}
	rb_publish(reg, count);
}

/* A struct prof_schema of the standard events, for packet-only tests. */
struct rb_schema {
	struct prof_schema schema;
	struct prof_schema_event events[RB_NEVENTS];
};

static inline int rb_std_prof_schema(struct rb_schema *s)
{
	struct prof_schema_record rec;
	uint32_t i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < RB_NEVENTS; i++) {
		rb_std_record(&rec, i);
		if (prof_schema_record_check(&rec, i, &s->events[i], NULL) != 0)
			return -1;
	}
	s->schema.count = RB_NEVENTS;
	s->schema.events = s->events;
	return 0;
}

/* ---- Packets ---- */

struct rb_pkt {
	uint8_t *base;
	uint64_t cap;  /* packet_size in bytes */
	uint64_t off;  /* content so far */
};

static inline void rb_pkt_begin(struct rb_pkt *w, uint8_t *base, uint64_t cap, uint64_t stream,
				uint64_t seq, uint64_t ts_begin, uint64_t discarded)
{
	struct prof_packet_header h;

	memset(&h, 0, sizeof(h));
	h.magic = PROF_CTF_MAGIC;
	memcpy(h.uuid, rb_uuid, 16);
	h.stream_id = 0;
	h.stream_instance_id = stream;
	h.timestamp_begin = ts_begin;
	h.timestamp_end = 0;
	h.content_size = 8ull * PROF_PACKET_HEADER_SIZE;
	h.content_bytes = PROF_PACKET_HEADER_SIZE;
	h.packet_size = 8 * cap;
	h.events_discarded = discarded;
	h.packet_seq_num = seq;
	h.tid = 1000 + (uint32_t)stream;
	memcpy(base, &h, sizeof(h));
	w->base = base;
	w->cap = cap;
	w->off = PROF_PACKET_HEADER_SIZE;
}

static inline void rb_bytes(struct rb_pkt *w, const void *p, size_t n)
{
	memcpy(w->base + w->off, p, n);
	w->off += n;
}

/* An event header, extended: 255, id u24, timestamp u64 (12 bytes). */
static inline void rb_ev(struct rb_pkt *w, uint64_t ts, uint32_t id)
{
	uint8_t h[4] = { PROF_EVENT_EXTENDED, (uint8_t)id, (uint8_t)(id >> 8), (uint8_t)(id >> 16) };

	rb_bytes(w, h, 4);
	rb_bytes(w, &ts, 8);
}

/* An event header, compact: id (< 255), the low 24 bits of @ts (4 bytes). */
static inline void rb_ev_compact(struct rb_pkt *w, uint64_t ts, uint32_t id)
{
	uint8_t h[4] = { (uint8_t)id, (uint8_t)ts, (uint8_t)(ts >> 8), (uint8_t)(ts >> 16) };

	rb_bytes(w, h, 4);
}

static inline void rb_u8(struct rb_pkt *w, uint8_t v) { rb_bytes(w, &v, 1); }
static inline void rb_u16(struct rb_pkt *w, uint16_t v) { rb_bytes(w, &v, 2); }
static inline void rb_u32(struct rb_pkt *w, uint32_t v) { rb_bytes(w, &v, 4); }
static inline void rb_u64(struct rb_pkt *w, uint64_t v) { rb_bytes(w, &v, 8); }
static inline void rb_f64(struct rb_pkt *w, double v) { rb_bytes(w, &v, 8); }
static inline void rb_str(struct rb_pkt *w, const char *s) { rb_bytes(w, s, strlen(s) + 1); }

/* Publish the content so far: the live byte count, as prof__commit()
 * does after each event, and content_size, as a close does. */
static inline void rb_commit(struct rb_pkt *w)
{
	uint64_t cs = w->off * 8;

	__atomic_store_n((uint64_t *)(void *)(w->base + offsetof(struct prof_packet_header, content_size)), cs,
			 __ATOMIC_RELAXED);
	__atomic_store_n((uint32_t *)(void *)(w->base + offsetof(struct prof_packet_header, content_bytes)),
			 (uint32_t)w->off, __ATOMIC_RELEASE);
}

/* Close: content_size and timestamp_end (0 leaves it for the reader). */
static inline void rb_pkt_close(struct rb_pkt *w, uint64_t ts_end)
{
	memcpy(w->base + offsetof(struct prof_packet_header, timestamp_end), &ts_end, 8);
	rb_commit(w);
}

/* Set one header field of a packet (by offset and size). */
static inline void rb_poke(uint8_t *base, size_t off, uint64_t v, size_t size)
{
	memcpy(base + off, &v, size);
}

/* Events that fit: an "msg" event with a string of @len (<= 4) bytes. */
static inline void rb_msg(struct rb_pkt *w, uint64_t ts, const char *m, uint32_t n)
{
	rb_ev(w, ts, RB_EV_MSG);
	rb_str(w, m);
	rb_u32(w, n);
}

/* ---- A simulated producer that follows the protocol ---- */

#define RB_SIM_MAXS 8

struct rb_sim_stream {
	uint64_t head;
	struct rb_pkt w;
	uint64_t ts;
};

/*
 * Writes events into a region as src/core does, but single-threaded and
 * from its own copy of the geometry (reg->h), so it stays in bounds
 * whatever the region's bytes say.
 */
struct rb_sim {
	struct rb_region *reg;
	struct rb_sim_stream st[RB_SIM_MAXS];
	uint64_t emitted, dropped;
	uint64_t rng;
};

static inline uint64_t rb_rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Close the open packet and open the next; 0, or -1 (discard, full). */
static inline int rb_sim_switch(struct rb_sim *sim, uint32_t s)
{
	struct rb_sim_stream *st = &sim->st[s];
	uint64_t n = sim->reg->h.packets_per_stream, discarded = 0;

	if (sim->reg->h.mode == PROF_MODE_DISCARD) {
		uint64_t tail = rb_tail(sim->reg, s);

		if (tail > st->head)
			tail = st->head;
		if (st->head - tail >= n)
			return -1;
	}
	if (st->head) {
		memcpy(&discarded, st->w.base + offsetof(struct prof_packet_header, events_discarded), 8);
		rb_pkt_close(&st->w, st->ts);
	}
	rb_pkt_begin(&st->w, rb_packet(sim->reg, s, st->head), sim->reg->h.packet_size, s, st->head,
		     st->ts, discarded);
	rb_commit(&st->w);
	st->head++;
	rb_set_head(sim->reg, s, st->head);
	return 0;
}

/* Emit one random event ("tick" or "msg") on stream @s; 1 if recorded,
 * 0 if dropped (and counted in the open packet, as the producer does). */
static inline int rb_sim_emit(struct rb_sim *sim, uint32_t s)
{
	static const char *const strs[] = { "", "a", "ab", "abc", "abcd" };
	struct rb_sim_stream *st = &sim->st[s];
	uint64_t x = rb_rnd(&sim->rng), size;
	const char *m = strs[x % 5];

	st->ts += x % 3;   /* non-decreasing, with repeats */
	sim->emitted++;
	size = (x >> 8) % 2 ? 12 : 12 + strlen(m) + 1 + 4;
	if (!st->head || st->w.off + size > st->w.cap) {
		if (rb_sim_switch(sim, s) != 0) {
			uint64_t d;

			memcpy(&d, st->w.base + offsetof(struct prof_packet_header, events_discarded), 8);
			d++;
			memcpy(st->w.base + offsetof(struct prof_packet_header, events_discarded), &d, 8);
			sim->dropped++;
			return 0;
		}
	}
	if (size == 12)
		rb_ev(&st->w, st->ts, RB_EV_TICK);
	else
		rb_msg(&st->w, st->ts, m, (uint32_t)x);
	rb_commit(&st->w);
	return 1;
}

static inline void rb_sim_init(struct rb_sim *sim, struct rb_region *reg, uint64_t seed)
{
	memset(sim, 0, sizeof(*sim));
	sim->reg = reg;
	sim->rng = seed ? seed : 1;
}

#endif /* MPROF_TEST_READ_BUILDER_H */
