/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the producer side, reading the region's bytes directly:
 * packet switching, wrap-around, discard and overwrite modes, exact drop
 * counts, schema publication, run-time enabling, nesting, slot hand-over.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/check.h"
#include "profile/profile.h"

PROF_EVENT(ev_pair, "test.pair", (u64, a), (u32, b));
PROF_EVENT(ev_str, "test.str", (str(8), s));
PROF_EVENT(ev_pair_again, "test.pair", (u64, a), (u32, b)); /* same event, second site */
PROF_EVENT(ev_other, "other.thing", (u8, x));

/* Descriptors TSDL cannot carry are never registered as recordable; each
 * is refused, counted and published as a PROF_KIND_REFUSED record. */
static const struct prof_field bad_name_fields[] = { { "a.b", PROF_TYPE_U8, 0 } };
static const struct prof_field dup_fields[] = { { "x", PROF_TYPE_U8, 0 }, { "x", PROF_TYPE_U16, 0 } };
static const struct prof_field unbounded_fields[] = { { "s", PROF_TYPE_STRING, 0 } };
static const struct prof_field big_fields[] = { { "s", PROF_TYPE_STRING, 65537 } };
static const struct prof_field dash_fields[] = { { "ok", PROF_TYPE_U8, 0 }, { "a-b", PROF_TYPE_U8, 0 } };
static const struct prof_event_desc bad_descs[] = {
	{ "bad.name", PROF_KIND_PLAIN, 1, bad_name_fields },
	{ "bad.dup", PROF_KIND_PLAIN, 2, dup_fields },
	{ "bad.bound", PROF_KIND_PLAIN, 1, unbounded_fields },
	{ "", PROF_KIND_PLAIN, 0, NULL },
	{ "bad.kind", 9, 0, NULL },
	{ "this.name.is.far.too.long.for.the.sixty.four.byte.schema.record.name", PROF_KIND_PLAIN, 0, NULL },
	{ "bad.str65537", PROF_KIND_PLAIN, 1, big_fields },
	{ "bad\001dash", PROF_KIND_PLAIN, 2, dash_fields },
};
/* What the reader is told: printable name, field index + 1, field name. */
static const struct {
	const char *name;
	uint32_t field1;
	const char *field;
} bad_expect[] = {
	{ "bad.name", 1, "a.b" },
	{ "bad.dup", 2, "x" },
	{ "bad.bound", 1, "s" },
	{ "", 0, "" },
	{ "bad.kind", 0, "" },
	{ "this.name.is.far.too.long.for.the.sixty.four.byte.schema.record", 0, "" },
	{ "bad.str65537", 1, "s" },
	{ "bad?dash", 2, "a-b" },
};

/* Each ev_pair event: a header (4 bytes compact, 12 extended) + 8 + 4. */
#define PAIR_PAYLOAD 12u
#define PAIR_SIZE (PROF_EVENT_EXTENDED_SIZE + PAIR_PAYLOAD)

/* Decode the event header at @p (profile/format.h): its id, its
 * timestamp from the stream's clock @ts (updated), its size. */
static uint32_t header_at(const uint8_t *p, uint64_t *ts, uint32_t *id)
{
	if (p[0] == PROF_EVENT_EXTENDED) {
		*id = (uint32_t)p[1] | (uint32_t)p[2] << 8 | (uint32_t)p[3] << 16;
		memcpy(ts, p + 4, 8);
		return PROF_EVENT_EXTENDED_SIZE;
	} else {
		uint64_t low = (uint64_t)p[1] | (uint64_t)p[2] << 8 | (uint64_t)p[3] << 16;
		uint64_t next = (*ts & ~0xffffffull) | low;

		*ts = low < (*ts & 0xffffff) ? next + 0x1000000 : next;
		*id = p[0];
		return PROF_EVENT_COMPACT_SIZE;
	}
}

struct view {
	struct prof_region *r;
	struct prof_region_header *hdr;
	uint8_t *base;
};

static struct view open_region(uint32_t mode, uint32_t packet_size, uint32_t packets, uint32_t slots)
{
	struct prof_region_config cfg;
	struct prof_error err;
	struct view v;

	prof_region_config_init(&cfg);
	cfg.mode = mode;
	cfg.packet_size = packet_size;
	cfg.packets_per_stream = packets;
	cfg.stream_slots = slots;
	cfg.max_events = 16;
	cfg.attach = 1;
	CHECK_OK(prof_region_open(&v.r, &cfg, &err));
	v.base = prof_region_memory(v.r);
	v.hdr = (struct prof_region_header *)(void *)v.base;
	return v;
}

static struct prof_slot *slot(struct view *v, uint32_t s)
{
	return (struct prof_slot *)(void *)(v->base + v->hdr->slots_offset) + s;
}

static struct prof_consumer_pos *consumer(struct view *v, uint32_t s)
{
	return (struct prof_consumer_pos *)(void *)(v->base + v->hdr->consumer_offset) + s;
}

static struct prof_packet_header *packet(struct view *v, uint32_t s, uint64_t seq)
{
	uint64_t i = (uint64_t)s * v->hdr->packets_per_stream + seq % v->hdr->packets_per_stream;

	return (struct prof_packet_header *)(void *)(v->base + v->hdr->rings_offset + i * v->hdr->packet_size);
}

/* The slot the calling thread owns (exactly one must be owned). */
static uint32_t my_slot(struct view *v)
{
	uint64_t tid = (uint64_t)syscall(SYS_gettid);
	uint32_t s, found = UINT32_MAX;

	for (s = 0; s < v->hdr->stream_slots; s++)
		if (slot(v, s)->owner == tid) {
			CHECK(found == UINT32_MAX);
			found = s;
		}
	CHECK(found != UINT32_MAX);
	return found;
}

/* Walk a packet's ev_pair events; returns how many, checks values ascend
 * (from *next_a on: dropped events leave gaps) and that the first one is
 * extended or in timestamp_begin's epoch. */
static uint64_t walk_pairs(struct prof_packet_header *ph, uint64_t *next_a)
{
	uint8_t *p = (uint8_t *)ph + PROF_PACKET_HEADER_SIZE, *end = (uint8_t *)ph + ph->content_bytes;
	uint64_t n = 0, ts = ph->timestamp_begin, last_ts = ts, a;
	uint32_t id, b, hs;

	while (p < end) {
		hs = header_at(p, &ts, &id);
		memcpy(&a, p + hs, 8);
		memcpy(&b, p + hs + 8, 4);
		CHECK_EQ(id, 0);
		CHECK_GE(ts, last_ts);
		if (ph->timestamp_end)
			CHECK_LE(ts, ph->timestamp_end);
		CHECK_GE(a, *next_a);
		CHECK_EQ_U(b, (uint32_t)(a * 3));
		*next_a = a + 1;
		last_ts = ts;
		p += hs + PAIR_PAYLOAD;
		n++;
	}
	CHECK(p == end);
	return n;
}

static void test_discard_mode(void)
{
	struct view v = open_region(PROF_MODE_DISCARD, 256, 4, 2);
	/* A packet holds 7 (all extended) to 10 (compact) events. */
	uint32_t per_packet = 10, min_per_packet = (256 - PROF_PACKET_HEADER_SIZE) / PAIR_SIZE;
	uint64_t i, n, next_a = 0, seen = 0, emitted = 0, s;
	uint32_t sl;

	/* Fill all 4 packets, then at least 10 more events that must drop. */
	for (i = 0; i < 4 * per_packet + 10; i++, emitted++)
		PROF_EMIT(ev_pair, i, (uint32_t)(i * 3));
	sl = my_slot(&v);
	CHECK_EQ(slot(&v, sl)->head, 4);
	/* Every event of this file was registered at load, in definition
	 * order; the second site of test.pair shares its id. */
	CHECK_EQ(v.hdr->schema_count, 3);
	CHECK_STREQ(((struct prof_schema_record *)(void *)(v.base + v.hdr->schema_offset))->name, "test.pair");
	for (s = 0; s < 4; s++) {
		struct prof_packet_header *ph = packet(&v, sl, s);

		CHECK_EQ_U(ph->magic, PROF_CTF_MAGIC);
		CHECK_EQ(ph->packet_seq_num, s);
		CHECK_EQ(ph->stream_instance_id, sl);
		CHECK_EQ(ph->packet_size, 256 * 8);
		CHECK_EQ(ph->tid, syscall(SYS_gettid));
		CHECK(memcmp(ph->uuid, v.hdr->uuid, 16) == 0);
		n = walk_pairs(ph, &next_a);
		CHECK_GE(n, min_per_packet);
		CHECK_LE(n, per_packet);
		if (s < 3) /* closed: content_size (bits) set, agreeing */
			CHECK_EQ(ph->content_size, 8 * (uint64_t)ph->content_bytes);
		else
			CHECK_EQ(ph->content_size, 0);
		seen += n;
		CHECK(s == 3 ? ph->events_discarded >= 10 : ph->events_discarded == 0);
		CHECK(s == 3 ? ph->timestamp_end == 0 : ph->timestamp_end >= ph->timestamp_begin);
	}
	CHECK_EQ(seen + packet(&v, sl, 3)->events_discarded, emitted);
	/* The consumer takes packets 0 and 1: two more packets open, wrapping
	 * (the second one filled only as far as the first left room for). */
	__atomic_store_n(&consumer(&v, sl)->tail, 2, __ATOMIC_RELEASE);
	for (i = 0; i < per_packet + min_per_packet; i++, emitted++)
		PROF_EMIT(ev_pair, 1000 + i, (uint32_t)((1000 + i) * 3));
	CHECK_EQ(slot(&v, sl)->head, 6);
	next_a = 1000;
	CHECK(packet(&v, sl, 3)->timestamp_end != 0); /* closed now */
	n = walk_pairs(packet(&v, sl, 4), &next_a);
	CHECK_GE(n, min_per_packet);
	CHECK_EQ(packet(&v, sl, 4)->packet_seq_num, 4);
	CHECK(packet(&v, sl, 4) == packet(&v, sl, 0)); /* wrapped into ring index 0 */
	CHECK_EQ(packet(&v, sl, 4)->events_discarded, packet(&v, sl, 3)->events_discarded); /* cumulative */
	seen += n + walk_pairs(packet(&v, sl, 5), &next_a);
	/* Conservation: every emitted event is recorded or counted, exactly. */
	CHECK_EQ(seen + packet(&v, sl, 5)->events_discarded, emitted);
	/* A consumer position beyond head is hostile: it must not unlock slots. */
	__atomic_store_n(&consumer(&v, sl)->tail, 1000, __ATOMIC_RELEASE);
	for (i = 0; i < 3 * per_packet; i++)
		PROF_EMIT(ev_pair, 5000 + i, 0);
	CHECK_LE(slot(&v, sl)->head, 6 + 4);
	prof_region_close(v.r);
}

static void test_overwrite_mode(void)
{
	struct view v = open_region(PROF_MODE_OVERWRITE, 256, 4, 1);
	uint32_t per_packet = (256 - PROF_PACKET_HEADER_SIZE) / PAIR_SIZE; /* at least */
	uint64_t i, next_a, s, head;
	uint32_t sl;

	for (i = 0; i < 10 * per_packet + 3; i++)
		PROF_EMIT(ev_pair, i, (uint32_t)(i * 3));
	sl = my_slot(&v);
	head = slot(&v, sl)->head;
	CHECK_GE(head, 8);
	/* The newest four packets are intact, in order, and consecutive:
	 * nothing is dropped in overwrite mode. */
	next_a = 0;
	for (s = head - 4; s < head; s++) {
		uint64_t first = next_a;

		CHECK_EQ(packet(&v, sl, s)->packet_seq_num, s);
		CHECK_EQ(packet(&v, sl, s)->events_discarded, 0);
		walk_pairs(packet(&v, sl, s), &next_a);
		CHECK_GT(next_a, first);
	}
	CHECK_EQ(next_a, 10 * per_packet + 3);
	prof_region_close(v.r);
}

static void test_schema_and_enable(void)
{
	struct view v;
	struct prof_schema_record *rec;
	uint32_t sl;

	/* Registered at load: republished in this region at attach. */
	v = open_region(PROF_MODE_DISCARD, 4096, 2, 1);
	CHECK_EQ(v.hdr->schema_count, 3);
	PROF_EMIT(ev_pair_again, 1, 3); /* same name and fields: same id */
	CHECK_EQ(v.hdr->schema_count, 3);
	PROF_EMIT(ev_str, "abcdefghijk"); /* bounded to 8 bytes */
	CHECK_EQ(v.hdr->schema_count, 3);
	rec = (struct prof_schema_record *)(void *)(v.base + v.hdr->schema_offset);
	CHECK_STREQ(rec[1].name, "test.str");
	CHECK_EQ(rec[1].nfields, 1);
	CHECK_EQ(rec[1].fields[0].type, PROF_TYPE_STRING);
	CHECK_EQ(rec[1].fields[0].bound, 8);
	CHECK_STREQ(rec[1].fields[0].name, "s");
	sl = my_slot(&v);
	{
		struct prof_packet_header *ph = packet(&v, sl, 0);
		uint8_t *p = (uint8_t *)ph + PROF_PACKET_HEADER_SIZE;
		uint64_t ts = ph->timestamp_begin;
		uint32_t id, hs1, hs2;

		hs1 = header_at(p, &ts, &id);
		CHECK_EQ(id, 0);
		p += hs1 + PAIR_PAYLOAD;
		hs2 = header_at(p, &ts, &id);
		CHECK_EQ(id, 1);
		CHECK(memcmp(p + hs2, "abcdefgh", 9) == 0); /* 8 bytes and the NUL */
		CHECK_EQ(ph->content_bytes, PROF_PACKET_HEADER_SIZE + hs1 + PAIR_PAYLOAD + hs2 + 9);
	}
	/* Disabled at run time: nothing is written. */
	{
		uint64_t before = packet(&v, sl, 0)->content_bytes;

		CHECK_OK(prof_event_set_enabled(&ev_pair, 0));
		PROF_EMIT(ev_pair, 9, 9);
		CHECK_EQ(packet(&v, sl, 0)->content_bytes, before);
		/* Enabling applies to the name: the other site is off too. */
		PROF_EMIT(ev_pair_again, 9, 9);
		CHECK_EQ(packet(&v, sl, 0)->content_bytes, before);
		/* ... and on again through either site. */
		CHECK_OK(prof_event_set_enabled(&ev_pair_again, 1));
		PROF_EMIT(ev_pair, 9, 9);
		PROF_EMIT(ev_pair_again, 9, 9);
		CHECK_GE(packet(&v, sl, 0)->content_bytes, before + 2 * (PROF_EVENT_COMPACT_SIZE + PAIR_PAYLOAD));
		CHECK_LE(packet(&v, sl, 0)->content_bytes, before + 2 * PAIR_SIZE);
		/* Prefix rules: applied now, and to events first used later. */
		CHECK_EQ(prof_events_set_enabled("test.", 0), 3);
		before = packet(&v, sl, 0)->content_bytes;
		PROF_EMIT(ev_pair, 9, 9);
		PROF_EMIT(ev_other, 1); /* first use: not matched, recorded */
		/* A 1-byte payload after a compact or an extended header. */
		CHECK(packet(&v, sl, 0)->content_bytes == before + PROF_EVENT_COMPACT_SIZE + 1 ||
		      packet(&v, sl, 0)->content_bytes == before + PROF_EVENT_EXTENDED_SIZE + 1);
		CHECK_EQ(prof_events_set_enabled("", 1), 4);
	}
	prof_region_close(v.r);
	/* Without a region, an emit is a no-op (and no crash). */
	PROF_EMIT(ev_pair, 1, 2);
}

static void test_nested_emit_is_dropped(void)
{
	struct view v = open_region(PROF_MODE_DISCARD, 4096, 2, 1);
	struct prof__writer *w = &prof__tls_writer;
	uint32_t sl;

	PROF_EMIT(ev_pair, 1, 3);
	sl = my_slot(&v);
	/* What a signal handler sees when it interrupts an emit: busy writer,
	 * in the fast path (the gate shut) or in the slow path (nest). */
	w->gate = 0;
	PROF_EMIT(ev_pair, 2, 6);
	w->gate = PROF_EVENT_COMPACT_IDS;
	CHECK_EQ(packet(&v, sl, 0)->events_discarded, 1);
	w->nest = 1;
	w->gate = 0;
	PROF_EMIT(ev_pair, 2, 6);
	w->nest = 0;
	w->gate = PROF_EVENT_COMPACT_IDS;
	CHECK_EQ(packet(&v, sl, 0)->events_discarded, 2);
	{
		uint64_t cb = packet(&v, sl, 0)->content_bytes, next_a = 0;

		CHECK_EQ(walk_pairs(packet(&v, sl, 0), &next_a), 1);
		PROF_EMIT(ev_pair, 3, 9);
		CHECK_GT(packet(&v, sl, 0)->content_bytes, cb);
		next_a = 0;
		CHECK_EQ(walk_pairs(packet(&v, sl, 0), &next_a), 2);
	}
	prof_region_close(v.r);
}

static void *emit_some(void *arg)
{
	uint64_t i, n = (uint64_t)(uintptr_t)arg;

	for (i = 0; i < n; i++)
		PROF_EMIT(ev_pair, i, (uint32_t)(i * 3));
	return (void *)(uintptr_t)syscall(SYS_gettid);
}

static void test_slot_handover_and_exhaustion(void)
{
	struct view v = open_region(PROF_MODE_DISCARD, 4096, 4, 1);
	pthread_t t;
	void *tid1, *tid2;

	/* One slot: thread 1 takes it and exits; thread 2 takes it over. */
	CHECK_EQ(pthread_create(&t, NULL, emit_some, (void *)(uintptr_t)5), 0);
	pthread_join(t, &tid1);
	CHECK_EQ(slot(&v, 0)->owner, 0);
	CHECK_EQ(slot(&v, 0)->head, 1);
	CHECK_EQ(pthread_create(&t, NULL, emit_some, (void *)(uintptr_t)5), 0);
	pthread_join(t, &tid2);
	CHECK_EQ(slot(&v, 0)->head, 2);
	CHECK_EQ(slot(&v, 0)->claims, 2);
	CHECK_EQ(packet(&v, 0, 0)->tid, (uintptr_t)tid1);
	CHECK_EQ(packet(&v, 0, 1)->tid, (uintptr_t)tid2);
	CHECK(packet(&v, 0, 0)->timestamp_end != 0);
	/* This thread takes the slot and keeps it: a second thread finds none. */
	PROF_EMIT(ev_pair, 0, 0);
	CHECK_EQ(pthread_create(&t, NULL, emit_some, (void *)(uintptr_t)7), 0);
	pthread_join(t, NULL);
	CHECK_EQ(v.hdr->dropped_no_slot, 7);
	prof_region_close(v.r);
}

static void test_bad_descriptors(void)
{
	struct view v = open_region(PROF_MODE_DISCARD, 4096, 2, 1);
	uint32_t before = v.hdr->schema_count;
	struct prof_schema_record *rec = (struct prof_schema_record *)(void *)(v.base + v.hdr->schema_offset);
	size_t i, n = sizeof(bad_descs) / sizeof(bad_descs[0]);

	CHECK_EQ(v.hdr->refused_invalid, 0);
	for (i = 0; i < n; i++) {
		struct prof_event ev = { PROF__UNREGISTERED, &bad_descs[i], NULL };
		uint32_t st = prof__event_first_use(&ev);
		const struct prof_schema_record *r = &rec[before + i];

		CHECK((st & PROF__OFF) != 0);
		CHECK((st & PROF__REFUSED) != 0);
		CHECK_OK(prof_event_set_enabled(&ev, 1)); /* cannot enable it either */
		CHECK((atomic_load(&ev.state) & PROF__OFF) != 0);
		CHECK_EQ(prof_events_set_enabled("", 1), 4); /* nor by prefix: only the 4 good sites change */
		CHECK((atomic_load(&ev.state) & PROF__OFF) != 0);
		/* Named for a collector in another process. */
		CHECK_EQ(v.hdr->schema_count, before + i + 1);
		CHECK_EQ(r->kind, PROF_KIND_REFUSED);
		CHECK_EQ(r->nfields, 0);
		CHECK_STREQ(r->name, bad_expect[i].name);
		CHECK_EQ(r->reserved[1], bad_expect[i].field1);
		CHECK_STREQ(r->fields[0].name, bad_expect[i].field);
		CHECK_NE(r->reserved[0], 0);
		CHECK_EQ(v.hdr->refused_invalid, i + 1);
	}
	prof_region_close(v.r);
}

static void test_bad_config(void)
{
	struct prof_region_config cfg;
	struct prof_region *r;
	struct prof_error err;

	prof_region_config_init(&cfg);
	cfg.packet_size = 1000; /* not a power of two */
	CHECK_EQ(prof_region_open(&r, &cfg, &err), -EINVAL);
	CHECK(strstr(err.text, "power of two") != NULL);
	prof_region_config_init(&cfg);
	cfg.packets_per_stream = 1;
	CHECK_EQ(prof_region_open(&r, &cfg, &err), -EINVAL);
	prof_region_config_init(&cfg);
	cfg.attach = 1;
	CHECK_OK(prof_region_open(&r, &cfg, &err));
	{
		struct prof_region *r2;

		CHECK_EQ(prof_region_open(&r2, &cfg, &err), -EBUSY); /* one attached region */
	}
	prof_region_close(r);
}

int main(void)
{
	test_discard_mode();
	test_overwrite_mode();
	test_schema_and_enable();
	test_nested_emit_is_dropped();
	test_slot_handover_and_exhaustion();
	test_bad_descriptors();
	test_bad_config();
	printf("test_core: ok\n");
	return 0;
}
