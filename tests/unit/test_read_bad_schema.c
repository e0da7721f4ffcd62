/* SPDX-License-Identifier: MIT */
/*
 * One bad schema record in a hand-built region (a field named "a-b") does
 * not stop the reader: the record is skipped (its id has no event), counted
 * once in schema_errors, listed with its printable name and the reason,
 * packets that use its id are invalid and counted, and every other event
 * is delivered, now and in later drains.  A PROF_KIND_REFUSED record (the
 * producer naming a definition it refused) is listed too, but it is the
 * producer's count (refused_invalid), not a reader error.  The CTF
 * metadata of such a schema is written and read back with the holes.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "lib/check.h"
#include "lib/read_builder.h"
#include "profile/profile.h"

struct got {
	struct prof_region_reader *r;
	uint64_t events, by_id[8];
};

static int sink(void *arg, uint32_t stream, const uint8_t *pkt, size_t len, const struct prof_packet_info *info)
{
	struct got *g = arg;
	struct prof_packet_cursor c;
	struct prof_decoded_event ev;

	(void)stream;
	(void)len;
	prof_packet_cursor_init(&c, pkt, info, prof_region_reader_schema(g->r));
	while (prof_packet_next(&c, &ev) == 1) {
		g->events++;
		if (ev.id < 8)
			g->by_id[ev.id]++;
	}
	return 0;
}

static const struct rb_field good_fields[] = { { "x", PROF_TYPE_U32, 0 } };
static const struct rb_field bad_fields[] = { { "a-b", PROF_TYPE_U32, 0 } };

/* One closed packet of stream 0, sequence @seq, with @n events of @id
 * (each with a u32). */
static void put_packet(struct rb_region *reg, uint64_t seq, uint32_t id, uint32_t n)
{
	struct rb_pkt w;
	uint32_t i;

	rb_pkt_begin(&w, rb_packet(reg, 0, seq), reg->h.packet_size, 0, seq, 100 * seq + 1, 0);
	for (i = 0; i < n; i++) {
		rb_ev(&w, 100 * seq + 1 + i, id);
		rb_u32(&w, i);
	}
	rb_pkt_close(&w, 100 * seq + 50);
}

int main(void)
{
	struct rb_region reg;
	struct prof_schema_record rec;
	struct prof_region_reader *r;
	struct prof_region_counts counts;
	struct prof_drain_stats st;
	struct prof_schema_problem pr[4];
	struct prof_error err;
	struct got g;
	const struct prof_schema *schema;

	CHECK_EQ(rb_region_init(&reg, PROF_MODE_DISCARD, 4096, 8, 1, 16), 0);
	rb_record(&rec, 0, "good.a", PROF_KIND_PLAIN, 1, good_fields);
	rb_put_record(&reg, &rec, 0);
	rb_record(&rec, 1, "bad\x01.dash", PROF_KIND_PLAIN, 1, bad_fields);
	rb_put_record(&reg, &rec, 1);
	rb_record(&rec, 2, "good.b", PROF_KIND_INSTANT, 1, good_fields);
	rb_put_record(&reg, &rec, 2);
	rb_record(&rec, 3, "refused.one", PROF_KIND_REFUSED, 0, NULL);
	rec.reserved[0] = 12; /* the string bound */
	rec.reserved[1] = 1;  /* field 0 */
	strcpy(rec.fields[0].name, "s");
	rb_put_record(&reg, &rec, 3);
	rb_publish(&reg, 4);
	rb_hdr(&reg)->refused_invalid = 1;

	put_packet(&reg, 0, 0, 10);
	put_packet(&reg, 1, 1, 3); /* uses the bad record's id */
	put_packet(&reg, 2, 2, 7);
	rb_set_head(&reg, 0, 4);   /* packets 0..2 complete, 3 open (empty) */
	{
		struct rb_pkt w;

		rb_pkt_begin(&w, rb_packet(&reg, 0, 3), reg.h.packet_size, 0, 3, 400, 0);
		rb_commit(&w);
	}

	CHECK_OK(prof_region_reader_open(&r, reg.mem, reg.size, "hand-built", &err));
	memset(&g, 0, sizeof(g));
	g.r = r;
	CHECK_EQ(prof_region_reader_drain(r, sink, &g), 2);
	CHECK_EQ(g.by_id[0], 10);
	CHECK_EQ(g.by_id[2], 7);
	CHECK_EQ(g.by_id[1], 0);
	prof_region_reader_stats(r, &st);
	CHECK_EQ(st.invalid_packets, 1);
	CHECK_EQ(st.schema_errors, 1);
	schema = prof_region_reader_schema(r);
	CHECK_EQ(schema->count, 4);
	CHECK_STREQ(schema->events[1].name, "");
	CHECK_STREQ(schema->events[3].name, "");

	/* What the unusable records were. */
	CHECK_EQ(prof_region_reader_schema_problems(r, NULL, 0), 2);
	CHECK_EQ(prof_region_reader_schema_problems(r, pr, 4), 2);
	CHECK_EQ(pr[0].id, 1);
	CHECK_EQ(pr[0].refused, 0);
	CHECK_STREQ(pr[0].name, "bad?.dash");
	if (!strstr(pr[0].reason, "event 'bad?.dash' (id 1): field 0 ('a-b'): the field name is not a C identifier"))
		CHECK_FAIL("reason \"%s\"", pr[0].reason);
	CHECK_EQ(pr[1].id, 3);
	CHECK_EQ(pr[1].refused, 1);
	CHECK_STREQ(pr[1].name, "refused.one");
	if (!strstr(pr[1].reason, "refused by the producer: field 0 ('s'): the string bound is not 1 to 4095"))
		CHECK_FAIL("reason \"%s\"", pr[1].reason);
	prof_region_reader_counts(r, &counts);
	CHECK_EQ_U(counts.schema_errors, 1);
	CHECK_EQ_U(counts.refused_invalid, 1);

	/* The drain goes on: a later packet of a good event is delivered, and
	 * the bad record is not counted again. */
	put_packet(&reg, 3, 0, 5);
	rb_set_head(&reg, 0, 5);
	CHECK_EQ(prof_region_reader_drain(r, sink, &g), 1);
	CHECK_EQ(g.by_id[0], 15);
	prof_region_reader_stats(r, &st);
	CHECK_EQ(st.schema_errors, 1);
	CHECK_EQ(st.invalid_packets, 1);

	/* The trace metadata of this schema: the holes keep the ids. */
	{
		struct prof_trace_desc d, back;
		int n;
		char *text;

		memset(&d, 0, sizeof(d));
		memcpy(d.uuid, rb_uuid, 16);
		d.byte_order = PROF_BYTE_ORDER_LE;
		d.clock = rb_hdr(&reg)->clock;
		d.schema = *prof_region_reader_schema(r);
		n = prof_ctf_metadata(&d, NULL, 0);
		CHECK_OK(n);
		text = malloc((size_t)n + 1);
		CHECK(text != NULL);
		CHECK_EQ(prof_ctf_metadata(&d, text, (size_t)n + 1), n);
		CHECK_OK(prof_ctf_metadata_parse(text, (size_t)n, "metadata", &back, &err));
		CHECK_EQ(back.schema.count, 4);
		CHECK_STREQ(back.schema.events[2].name, "good.b");
		CHECK_STREQ(back.schema.events[1].name, "");
		prof_trace_desc_free(&back);
		free(text);
	}
	prof_region_reader_close(r);
	rb_region_free(&reg);
	printf("test_read_bad_schema: ok\n");
	return 0;
}
