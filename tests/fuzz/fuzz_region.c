/* SPDX-License-Identifier: MIT */
/*
 * fuzz_region - libFuzzer target for the region reader (open, schema
 * refresh, drain, scrape, stats).
 *
 * Input: a geometry byte, then a program of operations run against a
 * region that a simulated producer (read_builder.h) fills correctly:
 *
 *   byte 0   bit 0 mode, bits 1-2 packets_per_stream - 2, bits 3-4
 *            stream slots - 1, bit 5 packet size 256/512, bit 6 "raw
 *            header": the next 248 bytes replace the region's header
 *   then     opcode byte, operands:
 *     0 off16 val8        poke a byte anywhere in the region
 *     1 off16 val64       poke 8 bytes (offset rounded down to 8)
 *     2 s8 n8             the producer emits n events on stream s
 *     3                   drain (every other one into a store:
 *                         prof_region_reader_drain_into())
 *     4                   scrape
 *     5                   close and reopen the reader
 *     6 s8 val64          set stream s's head     7 s8 val64  set its tail
 *     8 val32             set schema_count
 *     9 s8 k8 f8 val64    poke 8 bytes of packet k's header at f % 81
 *     10 s8 k8 o16 val8   poke a byte of packet k's events
 *
 * The region is allocated to its exact size, so ASan catches any access
 * past it.  Properties: the reader never crashes or loops; what it
 * delivers checks again as delivered, normalised, in strictly increasing
 * sequence order per stream and reader; stats agree with the sink.
 * Seeds: corpus/fuzz_region/, made by gen_seeds.c.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/lib/read_builder.h"
#include "profile/read.h"
#include "fuzz.h"

struct seen {
	struct prof_region_reader *r;
	uint32_t nstreams;            /* as the reader's header says */
	uint64_t last[PROF_MAX_STREAMS];
	uint8_t any[PROF_MAX_STREAMS];
	uint64_t packets, events;
};

static int sink(void *arg, uint32_t stream, const uint8_t *pkt, size_t len,
		const struct prof_packet_info *info)
{
	struct seen *sn = arg;
	const struct prof_schema *schema = prof_region_reader_schema(sn->r);
	struct prof_packet_info again;
	struct prof_packet_cursor c;
	struct prof_decoded_event ev;
	uint64_t n = 0;

	FUZZ_ASSERT(stream < sn->nstreams);
	FUZZ_ASSERT(len == info->content_bytes && len >= PROF_PACKET_HEADER_SIZE);
	FUZZ_ASSERT(info->hdr.content_size == 8 * (uint64_t)len);
	FUZZ_ASSERT(info->hdr.packet_size == info->hdr.content_size);
	FUZZ_ASSERT(info->hdr.stream_instance_id == stream);
	FUZZ_ASSERT(info->hdr.timestamp_end >= info->hdr.timestamp_begin);
	FUZZ_ASSERT(memcmp(pkt, &info->hdr, sizeof(info->hdr)) == 0);
	FUZZ_ASSERT(prof_packet_check(pkt, len, schema, prof_region_reader_header(sn->r)->uuid,
				      &again, NULL) == 0);
	FUZZ_ASSERT(again.nevents == info->nevents);
	prof_packet_cursor_init(&c, pkt, info, schema);
	while (prof_packet_next(&c, &ev) == 1)
		n++;
	FUZZ_ASSERT(n == info->nevents);
	FUZZ_ASSERT(!sn->any[stream] || info->hdr.packet_seq_num > sn->last[stream]);
	sn->any[stream] = 1;
	sn->last[stream] = info->hdr.packet_seq_num;
	sn->packets++;
	sn->events += n;
	return 0;
}

/* The store: each packet put is copied into a heap block of exactly its
 * size (ASan sees any access past it), checked at keep by the sink. */
struct store {
	struct seen *sn;
	uint8_t *copy;
	size_t len;
	uint32_t stream;
};

static int store_put(void *arg, uint32_t stream, const uint8_t *src, size_t len, uint8_t **copy)
{
	struct store *st = arg;

	FUZZ_ASSERT(!st->copy);  /* the last one was kept or dropped */
	FUZZ_ASSERT(stream < st->sn->nstreams && len >= PROF_PACKET_HEADER_SIZE);
	/* One packet at most, whatever its header claims. */
	FUZZ_ASSERT(len <= prof_region_reader_header(st->sn->r)->packet_size);
	st->copy = malloc(len);
	if (!st->copy)
		return -ENOMEM;
	memcpy(st->copy, src, len);
	st->len = len;
	st->stream = stream;
	*copy = st->copy;
	return 0;
}

static int store_keep(void *arg, uint32_t stream, size_t len, const struct prof_packet_info *info)
{
	struct store *st = arg;
	int rc;

	FUZZ_ASSERT(st->copy && stream == st->stream && len <= st->len);
	rc = sink(st->sn, stream, st->copy, len, info);
	free(st->copy);
	st->copy = NULL;
	return rc;
}

static void store_drop(void *arg, uint32_t stream)
{
	struct store *st = arg;

	FUZZ_ASSERT(!st->copy || stream == st->stream);
	free(st->copy);
	st->copy = NULL;
}

static const struct prof_packet_store store_ops = { store_put, store_keep, store_drop };

struct input {
	const uint8_t *p;
	size_t left;
};

static uint64_t take(struct input *in, size_t n)
{
	uint64_t v = 0;

	if (n > in->left)
		n = in->left;
	memcpy(&v, in->p, n);
	in->p += n;
	in->left -= n;
	return v;
}

static void reader_open(struct rb_region *reg, struct prof_region_reader **r, struct seen *sn)
{
	struct prof_error err;
	int rc;

	memset(sn, 0, sizeof(*sn));
	rc = prof_region_reader_open(r, reg->mem, reg->size, "fuzz", &err);
	if (rc == 0) {
		const struct prof_region_header *h = prof_region_reader_header(*r);

		/* A header that validates (maybe forged) fits the mapping. */
		FUZZ_ASSERT(h->region_size <= reg->size);
		FUZZ_ASSERT(h->stream_slots >= 1 && h->stream_slots <= PROF_MAX_STREAMS);
		sn->r = *r;
		sn->nstreams = h->stream_slots;
	} else {
		*r = NULL;
		FUZZ_ASSERT(rc == -EINVAL || rc == -ENOTSUP);
		FUZZ_ASSERT(err.text[0] != '\0');
		FUZZ_ASSERT(!strcmp(err.file, "fuzz"));
	}
}

static void reader_check(struct prof_region_reader *r, const struct seen *sn)
{
	struct prof_drain_stats st;

	if (!r)
		return;
	prof_region_reader_stats(r, &st);
	FUZZ_ASSERT(st.packets == sn->packets);
	FUZZ_ASSERT(st.events == sn->events);
	FUZZ_ASSERT(st.partial_packets <= st.packets);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	struct prof_region_reader *r = NULL;
	struct rb_region reg;
	struct rb_sim sim;
	static struct seen sn;
	uint32_t mode, npk, slots, psize, s;
	uint8_t g;
	int ops = 0, drains = 0, rc;

	if (size < 1)
		return 0;
	g = (uint8_t)take(&in, 1);
	mode = g & 1;
	npk = 2 + ((g >> 1) & 3);
	slots = 1 + ((g >> 3) & 3);
	psize = (g & 0x20) ? 512 : 256;
	if (rb_region_init(&reg, mode, psize, npk, slots, 8) != 0)
		return 0;
	rb_std_schema(&reg, RB_NEVENTS);
	rb_sim_init(&sim, &reg, 0x1234567 + g);
	for (s = 0; s < slots; s++) {
		int i;

		for (i = 0; i < 12; i++)
			rb_sim_emit(&sim, s);
	}
	if (g & 0x40) {
		size_t n = in.left < sizeof(struct prof_region_header) ? in.left : sizeof(struct prof_region_header);

		memcpy(reg.mem, in.p, n);
		in.p += n;
		in.left -= n;
	}

	reader_open(&reg, &r, &sn);
	while (in.left && ops++ < 256) {
		uint8_t op = (uint8_t)take(&in, 1);
		uint64_t a, b, c, v;

		switch (op % 11) {
		case 0:
			a = take(&in, 2) % reg.size;
			reg.mem[a] = (uint8_t)take(&in, 1);
			break;
		case 1:
			a = (take(&in, 2) % reg.size) & ~7ull;
			v = take(&in, 8);
			memcpy(reg.mem + a, &v, 8);
			break;
		case 2:
			a = take(&in, 1) % slots;
			b = take(&in, 1) % 64;
			while (b--)
				rb_sim_emit(&sim, (uint32_t)a);
			break;
		case 3:
			if (r && drains++ % 2) {
				struct store st = { &sn, NULL, 0, 0 };

				rc = prof_region_reader_drain_into(r, &store_ops, &st);
				FUZZ_ASSERT(rc >= 0 && !st.copy);
			} else if (r) {
				rc = prof_region_reader_drain(r, sink, &sn);
				FUZZ_ASSERT(rc >= 0);
			}
			break;
		case 4:
			if (r) {
				rc = prof_region_reader_scrape(r, sink, &sn);
				FUZZ_ASSERT(rc >= 0);
			}
			break;
		case 5:
			reader_check(r, &sn);
			prof_region_reader_close(r);
			reader_open(&reg, &r, &sn);
			break;
		case 6:
			a = take(&in, 1) % slots;
			rb_set_head(&reg, (uint32_t)a, take(&in, 8));
			break;
		case 7:
			a = take(&in, 1) % slots;
			__atomic_store_n(&rb_cons(&reg, (uint32_t)a)->tail, take(&in, 8), __ATOMIC_RELAXED);
			break;
		case 8:
			rb_publish(&reg, (uint32_t)take(&in, 4));
			break;
		case 9:
			a = take(&in, 1) % slots;
			b = take(&in, 1);
			c = take(&in, 1) % (PROF_PACKET_HEADER_SIZE - 7);
			v = take(&in, 8);
			memcpy(rb_packet(&reg, (uint32_t)a, b) + c, &v, 8);
			break;
		default:
			a = take(&in, 1) % slots;
			b = take(&in, 1);
			c = PROF_PACKET_HEADER_SIZE + take(&in, 2) % (psize - PROF_PACKET_HEADER_SIZE);
			rb_packet(&reg, (uint32_t)a, b)[c] = (uint8_t)take(&in, 1);
			break;
		}
	}
	if (r) {
		FUZZ_ASSERT(prof_region_reader_drain(r, sink, &sn) >= 0);
		FUZZ_ASSERT(prof_region_reader_scrape(r, sink, &sn) >= 0);
		FUZZ_ASSERT(prof_region_reader_scrape(r, sink, &sn) == 0);
		reader_check(r, &sn);
		/* Within the validated header's max_events (which a corrupt
		 * header may raise as far as the schema pages allow: 8 records
		 * and 15 take the same two pages, so both are consistent). */
		FUZZ_ASSERT(prof_region_reader_schema(r)->count <= prof_region_reader_header(r)->max_events);
		FUZZ_ASSERT((uint64_t)prof_region_reader_header(r)->max_events * sizeof(struct prof_schema_record) <=
			    prof_region_reader_header(r)->slots_offset - prof_region_reader_header(r)->schema_offset);
	}
	prof_region_reader_close(r);
	rb_region_free(&reg);
	return 0;
}
