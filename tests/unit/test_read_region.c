/* SPDX-License-Identifier: MIT */
/*
 * test_read_region - the region reader on hand-built regions:
 *  - its layout agrees with an independent reading of format.h;
 *  - every bad header field is refused with the field's offset, name and
 *    value, a foreign byte order with -ENOTSUP;
 *  - discard mode: conservation (delivered + discarded == emitted, every
 *    sequence number exactly once, in order) against a simulated producer
 *    that follows the protocol, tails released as packets are taken;
 *  - overwrite mode: overwritten_packets is exact when head runs ahead, and
 *    a slot reused under the copy is dropped as torn;
 *  - scrape delivers open packets once, normalised;
 *  - each corruption of a packet, a position or the schema is counted and
 *    the reader goes on.
 */
#include <errno.h>
#include <stddef.h>

#include "lib/check.h"
#include "lib/read_builder.h"
#include "profile/platform.h"
#include "profile/read.h"
#include "read/read_private.h"

#define MAXS 8

/* ---- A sink that checks what it is given ---- */

struct got {
	struct prof_region_reader *r;
	uint64_t packets, events, partial;
	uint64_t last_seq[MAXS];
	int seen[MAXS];
	int gapless;          /* require seq == previous + 1 */
	int stop_at;          /* return -EIO on this delivery (1-based), 0: never */
	uint64_t seqs[256];   /* delivered (stream << 32 | seq), in order */
	uint64_t nseqs;
	uint64_t last_end, last_begin, last_discarded;
};

static int sink(void *arg, uint32_t stream, const uint8_t *pkt, size_t len,
		const struct prof_packet_info *info)
{
	struct got *g = arg;
	const struct prof_schema *schema = prof_region_reader_schema(g->r);
	struct prof_packet_header h;
	struct prof_packet_info again;
	struct prof_packet_cursor c;
	struct prof_decoded_event ev;
	uint64_t n = 0;
	int rc;

	if (g->stop_at && (uint64_t)g->stop_at == g->packets + 1) {
		g->stop_at = 0;
		return -EIO;
	}
	CHECK_LT(stream, MAXS);
	memcpy(&h, pkt, sizeof(h));
	/* Normalised: packet_size == content_size == 8 * len, end set. */
	CHECK_EQ_U(h.packet_size, h.content_size);
	CHECK_EQ_U(h.content_size, 8 * (uint64_t)len);
	CHECK_EQ_U(info->content_bytes, len);
	CHECK(memcmp(&h, &info->hdr, sizeof(h)) == 0);
	CHECK_EQ_U(h.stream_instance_id, stream);
	CHECK_GE(h.timestamp_end, h.timestamp_begin);
	if (info->nevents)
		CHECK_GE(h.timestamp_end, info->last_timestamp);
	/* It checks again as delivered, and decodes to nevents events. */
	CHECK_EQ(prof_packet_check(pkt, len, schema, rb_uuid, &again, NULL), 0);
	CHECK_EQ_U(again.nevents, info->nevents);
	prof_packet_cursor_init(&c, pkt, info, schema);
	while ((rc = prof_packet_next(&c, &ev)) == 1)
		n++;
	CHECK_EQ(rc, 0);
	CHECK_EQ_U(n, info->nevents);
	/* Never twice, always in order. */
	if (g->seen[stream]) {
		if (g->gapless)
			CHECK_EQ_U(h.packet_seq_num, g->last_seq[stream] + 1);
		else
			CHECK_GT(h.packet_seq_num, g->last_seq[stream]);
	}
	g->seen[stream] = 1;
	g->last_seq[stream] = h.packet_seq_num;
	if (g->nseqs < 256)
		g->seqs[g->nseqs++] = (uint64_t)stream << 32 | h.packet_seq_num;
	g->packets++;
	g->events += n;
	g->last_end = h.timestamp_end;
	g->last_begin = h.timestamp_begin;
	g->last_discarded = h.events_discarded;
	return 0;
}

/* ---- A store (prof_region_reader_drain_into()) in memory ---- */

/* Its copies, checked and counted at keep by the same sink as the sink
 * path's deliveries. */
struct mem_store {
	struct got g;
	uint8_t copy[MAXS][4096];
	size_t put_len[MAXS];  /* 0: nothing put */
	uint64_t puts, keeps, drops;
	int fail_put_at;       /* return -EIO on this put (1-based), 0: never */
	int fail_keep_at;      /* ... on this keep */
	int grow_cs;           /* the copy's content_size is 8 bytes past what was copied */
	struct rb_sim *sim;    /* with lap_to: the producer laps during the copy */
	uint64_t lap_to;
};

static int store_put(void *arg, uint32_t stream, const uint8_t *src, size_t len, uint8_t **copy)
{
	struct mem_store *m = arg;

	m->puts++;
	if (m->fail_put_at && (uint64_t)m->fail_put_at == m->puts)
		return -EIO;
	CHECK_LT(stream, MAXS);
	CHECK_EQ_U(m->put_len[stream], 0);  /* every put was kept or dropped */
	CHECK_LE(len, sizeof(m->copy[0]));
	memcpy(m->copy[stream], src, len);
	if (m->grow_cs) {
		/* The producer raised content_size between the reader's read
		 * of it and the store's copy. */
		uint64_t cs = 8 * (uint64_t)len + 64;

		memcpy(m->copy[stream] + offsetof(struct prof_packet_header, content_size), &cs, sizeof(cs));
	}
	if (m->sim)
		while (m->sim->st[0].head < m->lap_to)
			rb_sim_emit(m->sim, 0);
	m->put_len[stream] = len;
	*copy = m->copy[stream];
	return 0;
}

static int store_keep(void *arg, uint32_t stream, size_t len, const struct prof_packet_info *info)
{
	struct mem_store *m = arg;

	m->keeps++;
	if (m->fail_keep_at && (uint64_t)m->fail_keep_at == m->keeps)
		return -EIO;
	CHECK_GT(m->put_len[stream], 0);
	CHECK_LE(len, m->put_len[stream]);
	m->put_len[stream] = 0;
	return sink(&m->g, stream, m->copy[stream], len, info);
}

static void store_drop(void *arg, uint32_t stream)
{
	struct mem_store *m = arg;

	if (m->put_len[stream])
		m->drops++;
	m->put_len[stream] = 0;
}

static const struct prof_packet_store mem_store_ops = { store_put, store_keep, store_drop };

static struct prof_region_reader *open_ok(struct rb_region *reg, struct got *g)
{
	struct prof_region_reader *r = NULL;
	struct prof_error err;
	int rc = prof_region_reader_open(&r, reg->mem, reg->size, "test", &err);

	if (rc != 0)
		CHECK_FAIL("open: %d: %s", rc, err.text);
	if (g) {
		memset(g, 0, sizeof(*g));
		g->r = r;
	}
	return r;
}

static void stats(struct prof_region_reader *r, struct prof_drain_stats *st)
{
	prof_region_reader_stats(r, st);
}

static int last_error_has(struct prof_region_reader *r, const char *needle)
{
	const struct prof_error *e = prof__region_reader_last_error(r);

	if (!strstr(e->text, needle)) {
		fprintf(stderr, "last error \"%s\" lacks \"%s\"\n", e->text, needle);
		return 0;
	}
	return 1;
}

/* ---- Layout ---- */

static void test_layout(void)
{
	static const uint32_t psizes[] = { 256, 4096, 65536, 64u << 20 };
	static const uint32_t npkts[] = { 2, 3, 16, 1000 };
	static const uint32_t slots[] = { 1, 63, 64, 65, 4096 };
	static const uint32_t maxev[] = { 1, 7, 8, 256, 65536 };
	size_t a, b, c, d;

	for (a = 0; a < 4; a++)
		for (b = 0; b < 4; b++)
			for (c = 0; c < 5; c++)
				for (d = 0; d < 5; d++) {
					struct prof_region_header want, got;

					rb_layout(&want, 1, psizes[a], npkts[b], slots[c], maxev[d]);
					memset(&got, 0, sizeof(got));
					CHECK_EQ(prof_region_layout(1, psizes[a], npkts[b], slots[c], maxev[d], &got), 0);
					CHECK_EQ_U(got.schema_offset, want.schema_offset);
					CHECK_EQ_U(got.slots_offset, want.slots_offset);
					CHECK_EQ_U(got.consumer_offset, want.consumer_offset);
					CHECK_EQ_U(got.rings_offset, want.rings_offset);
					CHECK_EQ_U(got.region_size, want.region_size);
					CHECK_EQ_U(got.schema_offset % PROF_PAGE_SIZE, 0);
					CHECK_EQ_U(got.rings_offset % PROF_PAGE_SIZE, 0);
				}
}

/* ---- Header validation ---- */

static void expect_open_fail(struct rb_region *reg, uint64_t size, int code, uint64_t offset,
			     const char *needle, int line)
{
	struct prof_region_reader *r = (void *)1;
	struct prof_error err;
	int rc;

	memset(&err, 0, sizeof(err));
	rc = prof_region_reader_open(&r, reg->mem, size, "mem:test", &err);
	if (rc != code)
		CHECK_FAIL("line %d: open returned %d (%s), expected %d", line, rc, err.text, code);
	if (r != NULL)
		CHECK_FAIL("line %d: *out not NULL on failure", line);
	CHECK_STREQ(err.file, "mem:test");
	CHECK_EQ(err.code, code);
	if (err.offset != offset)
		CHECK_FAIL("line %d: offset %llu, expected %llu (%s)", line,
			   (unsigned long long)err.offset, (unsigned long long)offset, err.text);
	if (!strstr(err.text, needle))
		CHECK_FAIL("line %d: text \"%s\" lacks \"%s\"", line, err.text, needle);
}

#define HO(f) offsetof(struct prof_region_header, f)

/* Set a header field of @size bytes at @off, expect failure, restore. */
#define BAD_FIELD(f, value, code, needle)                                            \
	do {                                                                         \
		struct prof_region_header save_ = *rb_hdr(&reg);                     \
		uint64_t v_ = (value);                                               \
		memcpy(reg.mem + HO(f), &v_, sizeof(rb_hdr(&reg)->f));               \
		expect_open_fail(&reg, reg.size, code, HO(f), needle, __LINE__);      \
		*rb_hdr(&reg) = save_;                                               \
	} while (0)

static void test_header(void)
{
	struct rb_region reg;
	struct prof_region_reader *r;
	struct prof_error err;

	CHECK_EQ(rb_region_init(&reg, PROF_MODE_DISCARD, 256, 4, 3, 10), 0);
	r = open_ok(&reg, NULL);
	CHECK(memcmp(prof_region_reader_header(r), &reg.h, offsetof(struct prof_region_header, schema_count)) == 0);
	prof_region_reader_close(r);

	memcpy(reg.mem, "MPROFRX", 8);
	expect_open_fail(&reg, reg.size, -EINVAL, 0, "magic 4d 50 52 4f 46 52 58 00 is not", __LINE__);
	memcpy(reg.mem, PROF_REGION_MAGIC, 8);

	BAD_FIELD(version, 3, -EINVAL, "version 3, expected 2");
	BAD_FIELD(version, 1, -EINVAL, "version 1 (12-byte event headers, an older libprofile), expected 2");
	BAD_FIELD(header_size, 200, -EINVAL, "header_size 200");
	BAD_FIELD(byte_order, PROF_BYTE_ORDER_BE, -ENOTSUP, "big-endian");
	BAD_FIELD(byte_order, __builtin_bswap32(PROF_BYTE_ORDER_BE), -ENOTSUP, "not supported");
	BAD_FIELD(byte_order, 7, -EINVAL, "byte_order 7");
	BAD_FIELD(page_size, 8192, -EINVAL, "page_size 8192");
	BAD_FIELD(mode, 2, -EINVAL, "mode 2");
	BAD_FIELD(packet_size, 128, -EINVAL, "packet_size 128");
	BAD_FIELD(packet_size, 384, -EINVAL, "packet_size 384");
	BAD_FIELD(packet_size, 128u << 20, -EINVAL, "packet_size 134217728");
	BAD_FIELD(packets_per_stream, 1, -EINVAL, "packets_per_stream 1");
	BAD_FIELD(packets_per_stream, 0xffffffffu, -EINVAL, "packets_per_stream 4294967295");
	BAD_FIELD(stream_slots, 0, -EINVAL, "stream_slots 0");
	BAD_FIELD(stream_slots, PROF_MAX_STREAMS + 1, -EINVAL, "stream_slots 4097");
	BAD_FIELD(max_events, 0, -EINVAL, "max_events 0");
	BAD_FIELD(max_events, PROF_MAX_EVENTS + 1, -EINVAL, "max_events 65537");
	BAD_FIELD(schema_record_size, 512, -EINVAL, "schema_record_size 512");
	BAD_FIELD(schema_offset, 8192, -EINVAL, "schema_offset 8192, expected 4096");
	BAD_FIELD(slots_offset, reg.h.slots_offset + 4096, -EINVAL, "slots_offset");
	BAD_FIELD(consumer_offset, 0, -EINVAL, "consumer_offset 0");
	BAD_FIELD(rings_offset, 1ull << 63, -EINVAL, "rings_offset 9223372036854775808");
	BAD_FIELD(region_size, reg.size - 1, -EINVAL, "region_size");
	/* Consistent geometry, but more than is mapped. */
	{
		struct prof_region_header save = *rb_hdr(&reg), big;

		rb_layout(&big, PROF_MODE_DISCARD, 256, 5, 3, 10);
		memcpy(reg.mem, &big, offsetof(struct prof_region_header, uuid));
		expect_open_fail(&reg, reg.size, -EINVAL, HO(region_size), "exceeds the", __LINE__);
		*rb_hdr(&reg) = save;
	}
	/* The mapping is shorter than the region, or than the header. */
	expect_open_fail(&reg, reg.size - 1, -EINVAL, HO(region_size), "exceeds the", __LINE__);
	expect_open_fail(&reg, 100, -EINVAL, 0, "smaller than the", __LINE__);
	/* Misaligned mapping, NULL arguments. */
	CHECK_EQ(prof_region_reader_open(&r, reg.mem + 4, reg.size - 4, "x", &err), -EINVAL);
	CHECK(strstr(err.text, "aligned") != NULL);
	CHECK_EQ(prof_region_reader_open(NULL, reg.mem, reg.size, "x", &err), -EINVAL);
	CHECK_EQ(prof_region_reader_open(&r, NULL, reg.size, NULL, NULL), -EINVAL);

	/* Still good after all that. */
	r = open_ok(&reg, NULL);
	prof_region_reader_close(r);
	prof_region_reader_close(NULL);
	CHECK(prof_region_reader_header(NULL) == NULL);
	CHECK(prof_region_reader_schema(NULL) == NULL);
	{
		struct prof_drain_stats st;

		memset(&st, 0xff, sizeof(st));
		prof_region_reader_stats(NULL, &st);
		CHECK_EQ(st.packets, 0);
	}
	rb_region_free(&reg);
}

/* ---- Discard mode ---- */

/* Stream 0: packets 0..4 complete, 5 open (head 6), 3 events each. */
static void build_discard(struct rb_region *reg)
{
	uint64_t k;

	CHECK_EQ(rb_region_init(reg, PROF_MODE_DISCARD, 256, 8, 3, 16), 0);
	rb_std_schema(reg, RB_NEVENTS);
	for (k = 0; k < 6; k++) {
		struct rb_pkt w;

		rb_pkt_begin(&w, rb_packet(reg, 0, k), 256, 0, k, 100 * k, k);
		rb_msg(&w, 100 * k + 1, "ab", (uint32_t)k);
		rb_ev(&w, 100 * k + 2, RB_EV_TICK);
		rb_msg(&w, 100 * k + 3, "abcd", 7);
		if (k < 5)
			rb_pkt_close(&w, 100 * k + 99);
		else
			rb_commit(&w);
	}
	rb_set_head(reg, 0, 6);
}

static void test_discard_basic(void)
{
	struct rb_region reg;
	struct prof_region_reader *r;
	struct prof_drain_stats st;
	struct got g;

	build_discard(&reg);
	/* Stream 1 used, one empty open packet; stream 2 never used. */
	{
		struct rb_pkt w;

		rb_pkt_begin(&w, rb_packet(&reg, 1, 0), 256, 1, 0, 55, 0);
		rb_commit(&w);
		rb_set_head(&reg, 1, 1);
	}
	__atomic_store_n(&rb_hdr(&reg)->dropped_no_slot, 42, __ATOMIC_RELAXED);

	r = open_ok(&reg, &g);
	g.gapless = 1;
	CHECK_EQ(prof_region_reader_schema(r)->count, RB_NEVENTS);
	CHECK_EQ(prof_region_reader_drain(r, sink, &g), 5);
	CHECK_EQ(g.packets, 5);
	CHECK_EQ(g.events, 15);
	CHECK_EQ(g.last_end, 499);       /* the producer's timestamp_end kept */
	CHECK_EQ(rb_tail(&reg, 0), 5);   /* released */
	CHECK_EQ(rb_tail(&reg, 1), 0);
	CHECK_EQ(prof_region_reader_drain(r, sink, &g), 0);   /* nothing new */
	CHECK_EQ(g.packets, 5);

	/* Scrape: the open packets of streams 0 and 1, once. */
	CHECK_EQ(prof_region_reader_scrape(r, sink, &g), 2);
	CHECK_EQ(g.packets, 7);
	CHECK_EQ(g.events, 18);
	CHECK_EQ(rb_tail(&reg, 0), 6);
	CHECK_EQ(rb_tail(&reg, 1), 1);
	CHECK_EQ(g.seqs[5], 5);
	CHECK_EQ(g.seqs[6], 1ull << 32);
	CHECK_EQ(g.last_end, 55);        /* empty open packet: end = begin */
	CHECK_EQ(prof_region_reader_scrape(r, sink, &g), 0);
	CHECK_EQ(prof_region_reader_drain(r, sink, &g), 0);

	stats(r, &st);
	CHECK_EQ(st.packets, 7);
	CHECK_EQ(st.events, 18);
	CHECK_EQ(st.partial_packets, 2);
	CHECK_EQ(st.bytes, 6 * (88 + 19 + 12 + 21) + 88);
	CHECK_EQ(st.invalid_packets, 0);
	CHECK_EQ(st.events_discarded, 5);   /* stream 0's last packet said 5 */
	CHECK_EQ(st.dropped_no_slot, 42);
	CHECK_EQ(st.schema_errors, 0);
	prof_region_reader_close(r);

	/* The scraped open packet's timestamp_end is its last event's. */
	r = open_ok(&reg, &g);     /* tails say everything was taken */
	CHECK_EQ(prof_region_reader_scrape(r, sink, &g), 0);
	prof_region_reader_close(r);
	__atomic_store_n(&rb_cons(&reg, 0)->tail, 5, __ATOMIC_RELAXED);
	r = open_ok(&reg, &g);
	CHECK_EQ(prof_region_reader_scrape(r, sink, &g), 1);
	CHECK_EQ(g.last_end, 503);
	CHECK_EQ(g.last_begin, 500);
	prof_region_reader_close(r);
	rb_region_free(&reg);
}

/* A sink that refuses a packet: the drain stops, returns its value and
 * offers the same packet again next time. */
static void test_sink_stop(void)
{
	struct rb_region reg;
	struct prof_region_reader *r;
	struct got g;

	build_discard(&reg);
	r = open_ok(&reg, &g);
	g.gapless = 1;
	g.stop_at = 3;
	CHECK_EQ(prof_region_reader_drain(r, sink, &g), -EIO);
	CHECK_EQ(g.packets, 2);
	CHECK_EQ(rb_tail(&reg, 0), 2);
	CHECK_EQ(prof_region_reader_drain(r, sink, &g), 3);
	CHECK_EQ(g.packets, 5);
	CHECK_EQ(g.seqs[2], 2);
	CHECK_EQ(prof_region_reader_drain(NULL, sink, &g), -EINVAL);
	CHECK_EQ(prof_region_reader_drain(r, NULL, &g), -EINVAL);
	prof_region_reader_close(r);
	rb_region_free(&reg);
}

/* Conservation against the simulated producer: every event emitted is
 * either delivered or counted as discarded, exactly. */
static void test_discard_conservation(void)
{
	struct rb_region reg;
	struct prof_region_reader *r;
	struct prof_drain_stats st;
	struct got g;
	struct rb_sim sim;
	uint32_t s;
	int round, i;

	CHECK_EQ(rb_region_init(&reg, PROF_MODE_DISCARD, 256, 4, 5, 8), 0);
	rb_std_schema(&reg, RB_NEVENTS);
	rb_sim_init(&sim, &reg, 0x9e3779b97f4a7c15ull);
	for (s = 0; s < 5; s++)
		sim.st[s].ts = 1000 * s;
	r = open_ok(&reg, &g);
	g.gapless = 1;
	for (round = 0; round < 400; round++) {
		/* Streams run at different rates; stream 4 stays unused. */
		for (s = 0; s < 4; s++)
			for (i = 0; i < (int)(rb_rnd(&sim.rng) % (8u << s)); i++)
				rb_sim_emit(&sim, s);
		/* Drain irregularly so the rings sometimes fill. */
		if (rb_rnd(&sim.rng) % 3 == 0)
			CHECK_GE(prof_region_reader_drain(r, sink, &g), 0);
	}
	CHECK_GE(prof_region_reader_scrape(r, sink, &g), 0);
	stats(r, &st);
	CHECK_GT(sim.dropped, 0);                       /* the rings did fill */
	CHECK_GT(g.events, sim.emitted / 4);
	CHECK_EQ_U(g.events + st.events_discarded, sim.emitted);
	CHECK_EQ_U(st.events_discarded, sim.dropped);
	CHECK_EQ_U(st.events, g.events);
	CHECK_EQ(st.invalid_packets, 0);
	CHECK_EQ(st.torn_packets, 0);
	CHECK_EQ(st.overwritten_packets, 0);
	for (s = 0; s < 4; s++) {
		/* Every packet ever opened was delivered, once, in order. */
		CHECK_EQ_U(g.last_seq[s] + 1, sim.st[s].head);
		CHECK_EQ_U(rb_tail(&reg, s), sim.st[s].head);
	}
	CHECK(!g.seen[4]);
	CHECK_EQ(st.partial_packets, 4);
	prof_region_reader_close(r);
	rb_region_free(&reg);
}

/* ---- Overwrite mode ---- */

static void test_overwrite(void)
{
	struct rb_region reg;
	struct prof_region_reader *r;
	struct prof_drain_stats st;
	struct got g;
	struct rb_sim sim;
	uint64_t before;
	const uint64_t N = 4;

	CHECK_EQ(rb_region_init(&reg, PROF_MODE_OVERWRITE, 256, (uint32_t)N, 2, 8), 0);
	rb_std_schema(&reg, RB_NEVENTS);
	rb_sim_init(&sim, &reg, 12345);
	r = open_ok(&reg, &g);

	/* Open 11 packets (head 11): 0..9 complete, 0..6 reused. */
	while (sim.st[0].head < 11)
		rb_sim_emit(&sim, 0);
	CHECK_EQ(sim.st[0].head, 11);
	CHECK_EQ(prof_region_reader_drain(r, sink, &g), 3);
	stats(r, &st);
	CHECK_EQ(st.overwritten_packets, 11 - N);   /* 0..6 */
	CHECK_EQ(g.seqs[0], 7);
	CHECK_EQ(g.seqs[2], 9);
	CHECK_EQ(rb_tail(&reg, 0), 10);             /* informational */
	CHECK_EQ(sim.dropped, 0);                   /* overwrite never drops */

	/* Within the ring: nothing lost. */
	while (sim.st[0].head < 13)
		rb_sim_emit(&sim, 0);
	CHECK_EQ(prof_region_reader_drain(r, sink, &g), 2);
	stats(r, &st);
	CHECK_EQ(st.overwritten_packets, 7);

	/* Exactly N ahead: the oldest complete one is still there. */
	while (sim.st[0].head < 12 + N)
		rb_sim_emit(&sim, 0);
	CHECK_EQ(prof_region_reader_drain(r, sink, &g), (int)N - 1);
	stats(r, &st);
	CHECK_EQ(st.overwritten_packets, 7);
	/* Head N + 1 past the reader's position: packet 15 was reused. */
	before = sim.st[0].head;
	while (sim.st[0].head < before + N)
		rb_sim_emit(&sim, 0);
	CHECK_EQ(prof_region_reader_drain(r, sink, &g), (int)N - 1);
	stats(r, &st);
	CHECK_EQ(st.overwritten_packets, 8);

	/* Conservation of packets: delivered + overwritten + torn + invalid
	 * == complete packets; then the open one by scrape. */
	CHECK_EQ_U(st.packets + st.overwritten_packets + st.torn_packets + st.invalid_packets,
		   sim.st[0].head - 1);
	CHECK_EQ(prof_region_reader_scrape(r, sink, &g), 1);
	stats(r, &st);
	CHECK_EQ(st.partial_packets, 1);
	CHECK_EQ_U(g.last_seq[0], sim.st[0].head - 1);
	CHECK_EQ(prof_region_reader_scrape(r, sink, &g), 0);
	prof_region_reader_close(r);
	rb_region_free(&reg);
}

/* Torn: the sink of packet k - 1 plays the producer lapping the ring, so
 * head moves past k + N between the reader's copy of k and its re-check. */
struct torn_ctx {
	struct got g;
	struct rb_sim *sim;
	uint64_t trigger_seq;
	uint64_t lap_to;
};

static int torn_sink(void *arg, uint32_t stream, const uint8_t *pkt, size_t len,
		     const struct prof_packet_info *info)
{
	struct torn_ctx *t = arg;

	if (info->hdr.packet_seq_num == t->trigger_seq)
		while (t->sim->st[0].head < t->lap_to)
			rb_sim_emit(t->sim, 0);
	return sink(&t->g, stream, pkt, len, info);
}

static void test_torn(void)
{
	struct rb_region reg;
	struct prof_region_reader *r;
	struct prof_drain_stats st;
	struct torn_ctx t;
	struct rb_sim sim;
	const uint64_t N = 4;

	CHECK_EQ(rb_region_init(&reg, PROF_MODE_OVERWRITE, 256, (uint32_t)N, 1, 8), 0);
	rb_std_schema(&reg, RB_NEVENTS);
	rb_sim_init(&sim, &reg, 777);
	while (sim.st[0].head < 4)
		rb_sim_emit(&sim, 0);      /* 0..2 complete, 3 open */
	r = open_ok(&reg, &t.g);
	t.sim = &sim;
	t.trigger_seq = 0;          /* while delivering 0, the producer */
	t.lap_to = 7;               /* opens 4, 5, 6: slots of 0, 1, 2 reused */
	/* The drain saw head 4: it delivers 0, then copies 1 and 2 and finds
	 * head 7 > k + N for both: torn, whatever the copies hold. */
	CHECK_EQ(prof_region_reader_drain(r, torn_sink, &t), 1);
	prof_region_reader_stats(r, &st);
	CHECK_EQ(st.torn_packets, 2);
	CHECK_EQ(st.invalid_packets, 0);
	CHECK_EQ(st.overwritten_packets, 0);
	CHECK_EQ(t.g.seqs[0], 0);
	/* The next drain resumes at 3: head 7 == 3 + N, nothing lost. */
	CHECK_EQ(prof_region_reader_drain(r, torn_sink, &t), 3);
	prof_region_reader_stats(r, &st);
	CHECK_EQ(st.overwritten_packets, 0);
	CHECK_EQ(t.g.last_seq[0], 5);
	CHECK_EQ_U(st.packets + st.torn_packets, 6);
	prof_region_reader_close(r);
	rb_region_free(&reg);
}

/* ---- Draining into a store ---- */

/* The store's copy is what is checked, normalised and kept: the same
 * packets as through a sink, and a failed put or keep leaves the packet
 * for the next drain, put back (dropped) in the store. */
static void test_store(void)
{
	struct rb_region reg;
	struct prof_region_reader *r;
	struct prof_drain_stats st;
	struct mem_store m;

	build_discard(&reg);
	memset(&m, 0, sizeof(m));
	r = open_ok(&reg, &m.g);
	m.g.gapless = 1;
	m.fail_put_at = 2;
	CHECK_EQ(prof_region_reader_drain_into(r, &mem_store_ops, &m), -EIO);
	CHECK_EQ(m.g.packets, 1);
	CHECK_EQ(rb_tail(&reg, 0), 1);
	m.fail_keep_at = 3;  /* the keep of packet 2 */
	CHECK_EQ(prof_region_reader_drain_into(r, &mem_store_ops, &m), -EIO);
	CHECK_EQ(m.g.packets, 2);
	CHECK_EQ(m.drops, 1);
	CHECK_EQ(rb_tail(&reg, 0), 2);
	CHECK_EQ(prof_region_reader_drain_into(r, &mem_store_ops, &m), 3);
	CHECK_EQ(m.g.packets, 5);
	CHECK_EQ(m.g.seqs[2], 2);
	/* Content bytes only: 140 of the 256-byte packets. */
	CHECK_EQ_U(m.g.last_end, 499);
	prof_region_reader_stats(r, &st);
	CHECK_EQ_U(st.bytes, 5 * 140);
	CHECK_EQ_U(st.invalid_packets, 0);
	CHECK_EQ(prof_region_reader_drain_into(NULL, &mem_store_ops, &m), -EINVAL);
	CHECK_EQ(prof_region_reader_drain_into(r, NULL, &m), -EINVAL);
	prof_region_reader_close(r);
	rb_region_free(&reg);

	/* content_size raised under the copy: the copy holds less than it
	 * claims, so it is invalid and dropped, never kept. */
	build_discard(&reg);
	memset(&m, 0, sizeof(m));
	r = open_ok(&reg, &m.g);
	m.grow_cs = 1;
	CHECK_EQ(prof_region_reader_drain_into(r, &mem_store_ops, &m), 0);
	prof_region_reader_stats(r, &st);
	CHECK_EQ_U(st.invalid_packets, 5);
	CHECK_EQ_U(m.drops, 5);
	CHECK_EQ_U(m.keeps, 0);
	CHECK(last_error_has(r, "content_size"));
	prof_region_reader_close(r);
	rb_region_free(&reg);
}

/* Overwrite mode into a store: the producer laps the reader while the
 * store copies packet 1: torn, dropped from the store, not kept. */
static void test_store_torn(void)
{
	struct rb_region reg;
	struct prof_region_reader *r;
	struct prof_drain_stats st;
	struct mem_store m;
	struct rb_sim sim;

	CHECK_EQ(rb_region_init(&reg, PROF_MODE_OVERWRITE, 256, 4, 1, 8), 0);
	rb_std_schema(&reg, RB_NEVENTS);
	rb_sim_init(&sim, &reg, 777);
	while (sim.st[0].head < 4)
		rb_sim_emit(&sim, 0);      /* 0..2 complete, 3 open */
	memset(&m, 0, sizeof(m));
	r = open_ok(&reg, &m.g);
	m.sim = &sim;
	m.lap_to = 7;  /* during the first put: 4, 5, 6 reuse the slots of 0, 1, 2 */
	CHECK_EQ(prof_region_reader_drain_into(r, &mem_store_ops, &m), 0);
	prof_region_reader_stats(r, &st);
	CHECK_EQ_U(st.torn_packets, 3);
	CHECK_EQ_U(m.drops, 3);
	CHECK_EQ_U(m.keeps, 0);
	CHECK_EQ_U(st.invalid_packets, 0);
	/* The next drain resumes at 3: nothing lost, nothing torn. */
	m.sim = NULL;
	CHECK_EQ(prof_region_reader_drain_into(r, &mem_store_ops, &m), 3);
	CHECK_EQ_U(m.g.last_seq[0], 5);
	prof_region_reader_stats(r, &st);
	CHECK_EQ_U(st.overwritten_packets, 0);
	CHECK_EQ_U(st.packets + st.torn_packets, 6);
	prof_region_reader_close(r);
	rb_region_free(&reg);
}

/* ---- Corruption, counted ---- */

/* Build the discard region, apply @mutate, drain (into a store if
 * @via_store) + scrape, return stats. */
static void run_corrupt(void (*mutate)(struct rb_region *), struct prof_drain_stats *st,
			struct got *g, const char *needle, int via_store, int line)
{
	static struct mem_store m;
	struct rb_region reg;
	struct prof_region_reader *r;

	build_discard(&reg);
	mutate(&reg);
	r = open_ok(&reg, g);
	if (via_store) {
		memset(&m, 0, sizeof(m));
		m.g = *g;
		CHECK_GE(prof_region_reader_drain_into(r, &mem_store_ops, &m), 0);
		CHECK_GE(prof_region_reader_drain_into(r, &mem_store_ops, &m), 0);
		/* Every packet put was kept or dropped: the invalid one dropped. */
		CHECK_EQ_U(m.puts, m.keeps + m.drops);
		*g = m.g;
	} else {
		CHECK_GE(prof_region_reader_drain(r, sink, g), 0);
		CHECK_GE(prof_region_reader_drain(r, sink, g), 0);
	}
	CHECK_GE(prof_region_reader_scrape(r, sink, g), 0);
	CHECK_GE(prof_region_reader_scrape(r, sink, g), 0);
	prof_region_reader_stats(r, st);
	if (needle && !last_error_has(r, needle))
		CHECK_FAIL("line %d: wrong error", line);
	prof_region_reader_close(r);
	rb_region_free(&reg);
}

#define PKT_FIELD(reg, k, f, v) \
	rb_poke(rb_packet(reg, 0, k), offsetof(struct prof_packet_header, f), (v), \
		sizeof(((struct prof_packet_header *)0)->f))

static void c_magic(struct rb_region *reg) { PKT_FIELD(reg, 2, magic, 0); }
static void c_uuid(struct rb_region *reg) { rb_packet(reg, 0, 2)[5] ^= 0x40; }
static void c_seq(struct rb_region *reg) { PKT_FIELD(reg, 2, packet_seq_num, 10); }
static void c_stream(struct rb_region *reg) { PKT_FIELD(reg, 2, stream_instance_id, 1); }
static void c_psize(struct rb_region *reg) { PKT_FIELD(reg, 2, packet_size, 8 * 192); }
static void c_psize_big(struct rb_region *reg) { PKT_FIELD(reg, 2, packet_size, 8 * 512); }
static void c_cs_big(struct rb_region *reg) { PKT_FIELD(reg, 2, content_size, 8 * 257); }
static void c_cs_odd(struct rb_region *reg) { PKT_FIELD(reg, 2, content_size, 8 * 100 + 1); }
static void c_discarded(struct rb_region *reg) { PKT_FIELD(reg, 3, events_discarded, 1); }
static void c_unknown_id(struct rb_region *reg) { rb_poke(rb_packet(reg, 0, 2), 88 + 1, 200, 3); }
/* Packets hold: msg "ab" at 88 (19 bytes), tick at 107, msg "abcd" at 119
 * (its string at 131..135), content 140 bytes. */
static void c_trunc(struct rb_region *reg) { PKT_FIELD(reg, 2, content_size, 8 * (140 - 2)); }
static void c_unterminated(struct rb_region *reg) { rb_packet(reg, 0, 2)[135] = 'x'; }
static void c_ts_back(struct rb_region *reg) { rb_poke(rb_packet(reg, 0, 2), 107 + 4, 150, 8); }
/* The open packet's live byte count runs past the packet. */
static void c_open_cs(struct rb_region *reg) { PKT_FIELD(reg, 5, content_bytes, UINT32_MAX); }

/* Through a sink and through a store: the same counts and messages. */
#define CORRUPT(mut, needle, invalid, delivered)                                        \
	do {                                                                            \
		for (int via_ = 0; via_ < 2; via_++) {                                  \
			struct prof_drain_stats st_;                                    \
			struct got g_;                                                  \
			run_corrupt(mut, &st_, &g_, needle, via_, __LINE__);            \
			if (st_.invalid_packets != (invalid) || g_.packets != (delivered)) \
				CHECK_FAIL("line %d (%s, %s): invalid %llu, expected %d; delivered %llu, expected %d", \
					   __LINE__, #mut, via_ ? "store" : "sink",     \
					   (unsigned long long)st_.invalid_packets, (invalid), \
					   (unsigned long long)g_.packets, (delivered)); \
		}                                                                       \
	} while (0)

static void test_corrupt_packets(void)
{
	/* One bad complete packet of six: counted, the rest delivered. */
	CORRUPT(c_magic, "magic 0x00000000", 1, 5);
	CORRUPT(c_uuid, "uuid differs", 1, 5);
	CORRUPT(c_seq, "packet_seq_num 10, expected 2", 1, 5);
	CORRUPT(c_stream, "stream_instance_id 1, expected 0", 1, 5);
	CORRUPT(c_psize, "packet_size 1536 bits, expected 2048", 1, 5);
	CORRUPT(c_psize_big, "packet_size 4096 bits", 1, 5);
	CORRUPT(c_cs_big, "content_size 2056 bits", 1, 5);
	CORRUPT(c_cs_odd, "not a multiple of 8", 1, 5);
	CORRUPT(c_discarded, "events_discarded 1 decreased from 2", 1, 5);
	CORRUPT(c_unknown_id, "event id 200 unknown", 1, 5);
	CORRUPT(c_trunc, "field n (u32) truncated: 2 bytes left", 1, 5);
	CORRUPT(c_unterminated, "string longer than its bound 4", 1, 5);
	CORRUPT(c_ts_back, "timestamp 150 is before the previous event's 201", 1, 5);
	/* The open packet: counted once over two scrapes, left in place. */
	CORRUPT(c_open_cs, "open packet: event all.types payload truncated", 1, 5);
}

/* Positions: head far ahead, head behind, tail ahead of head. */
static void test_corrupt_positions(void)
{
	struct rb_region reg;
	struct prof_region_reader *r;
	struct prof_drain_stats st;
	struct got g;

	/* Discard: head 20 with N = 8 and tail 0: counted, resynchronised
	 * to the newest N - 1 complete packets (12..18), which are not in
	 * the ring (their slots hold 4, 5, nothing, nothing, 0, 1, 2): each
	 * is invalid, and each slot is released. */
	build_discard(&reg);
	r = open_ok(&reg, &g);
	rb_set_head(&reg, 0, 20);
	CHECK_EQ(prof_region_reader_drain(r, sink, &g), 0);
	prof_region_reader_stats(r, &st);
	CHECK_EQ(st.invalid_packets, 1 + 7);
	CHECK_EQ(rb_tail(&reg, 0), 19);
	CHECK(last_error_has(r, "packet_seq_num"));
	prof_region_reader_close(r);
	rb_region_free(&reg);

	/* Discard: tail 6 at open, head 6 + N + 1: one too far ahead. */
	build_discard(&reg);
	__atomic_store_n(&rb_cons(&reg, 0)->tail, 6, __ATOMIC_RELAXED);
	r = open_ok(&reg, &g);
	rb_set_head(&reg, 0, 15);
	CHECK_EQ(prof_region_reader_drain(r, sink, &g), 0);
	prof_region_reader_stats(r, &st);
	CHECK_EQ(st.invalid_packets, 1 + 7);
	CHECK(g.packets == 0);
	prof_region_reader_close(r);
	rb_region_free(&reg);

	/* Head behind the reader: counted once however often we poll, the
	 * stream waits, nothing is delivered twice. */
	build_discard(&reg);
	r = open_ok(&reg, &g);
	g.gapless = 1;
	CHECK_EQ(prof_region_reader_drain(r, sink, &g), 5);
	rb_set_head(&reg, 0, 2);
	CHECK_EQ(prof_region_reader_drain(r, sink, &g), 0);
	CHECK_EQ(prof_region_reader_drain(r, sink, &g), 0);
	CHECK_EQ(prof_region_reader_scrape(r, sink, &g), 0);
	prof_region_reader_stats(r, &st);
	CHECK_EQ(st.invalid_packets, 1);
	CHECK(last_error_has(r, "head 2 is behind the reader's position 5"));
	rb_set_head(&reg, 0, 6);      /* restored: goes on */
	CHECK_EQ(prof_region_reader_scrape(r, sink, &g), 1);
	CHECK_EQ(g.packets, 6);
	prof_region_reader_close(r);
	rb_region_free(&reg);

	/* Tail ahead of head at open: counted, clamped to head. */
	build_discard(&reg);
	__atomic_store_n(&rb_cons(&reg, 0)->tail, 9, __ATOMIC_RELAXED);
	r = open_ok(&reg, &g);
	prof_region_reader_stats(r, &st);
	CHECK_EQ(st.invalid_packets, 1);
	CHECK(last_error_has(r, "tail 9 is ahead of head 6"));
	CHECK_EQ(prof_region_reader_drain(r, sink, &g), 0);
	CHECK_EQ(prof_region_reader_scrape(r, sink, &g), 0);
	prof_region_reader_close(r);
	rb_region_free(&reg);

	/* Positions at the very top of the range: no wrap-around (this once
	 * looped 2^64 times), in both modes, tail and head equal or not. */
	{
		static const uint64_t tops[][2] = {
			{ UINT64_MAX, UINT64_MAX }, { UINT64_MAX - 1, UINT64_MAX },
			{ UINT64_MAX, UINT64_MAX - 1 }, { UINT64_MAX - 3, UINT64_MAX },
		};
		uint32_t mode;
		size_t i;

		for (mode = 0; mode < 2; mode++)
			for (i = 0; i < sizeof(tops) / sizeof(tops[0]); i++) {
				CHECK_EQ(rb_region_init(&reg, mode, 256, 4, 1, 8), 0);
				rb_std_schema(&reg, RB_NEVENTS);
				__atomic_store_n(&rb_cons(&reg, 0)->tail, tops[i][0], __ATOMIC_RELAXED);
				rb_set_head(&reg, 0, tops[i][1]);
				r = open_ok(&reg, &g);
				CHECK_EQ(prof_region_reader_drain(r, sink, &g), 0);
				CHECK_EQ(prof_region_reader_scrape(r, sink, &g), 0);
				CHECK_EQ(prof_region_reader_scrape(r, sink, &g), 0);
				prof_region_reader_stats(r, &st);
				CHECK_LE(st.invalid_packets, 4);
				prof_region_reader_close(r);
				rb_region_free(&reg);
			}
	}

	/* Overwrite: a head behind is corruption too; a huge head counts
	 * the overwritten packets and stays inside the ring. */
	CHECK_EQ(rb_region_init(&reg, PROF_MODE_OVERWRITE, 256, 4, 1, 8), 0);
	rb_std_schema(&reg, RB_NEVENTS);
	rb_set_head(&reg, 0, UINT64_MAX);
	r = open_ok(&reg, &g);
	CHECK_EQ(prof_region_reader_drain(r, sink, &g), 0);
	prof_region_reader_stats(r, &st);
	CHECK_EQ_U(st.overwritten_packets, UINT64_MAX - 4);
	CHECK_EQ(st.invalid_packets, 3);   /* empty slots */
	rb_set_head(&reg, 0, 3);
	CHECK_EQ(prof_region_reader_drain(r, sink, &g), 0);
	prof_region_reader_stats(r, &st);
	CHECK_EQ(st.invalid_packets, 4);
	prof_region_reader_close(r);
	rb_region_free(&reg);
}

/* Schema: a count beyond max_events, a bad record, a late record. */
static void test_corrupt_schema(void)
{
	struct rb_region reg;
	struct prof_region_reader *r;
	struct prof_drain_stats st;
	struct prof_schema_record rec;
	const struct prof_schema *schema;
	struct got g;

	/* schema_count > max_events: counted once, clamped. */
	build_discard(&reg);
	rb_publish(&reg, 17);
	r = open_ok(&reg, &g);
	schema = prof_region_reader_schema(r);
	CHECK_EQ(schema->count, 16);
	prof_region_reader_schema(r);
	prof_region_reader_stats(r, &st);
	/* 1 for the count, 11 for the records 5..15 that were never written. */
	CHECK_EQ(st.schema_errors, 1 + 11);
	CHECK_EQ(prof_region_reader_drain(r, sink, &g), 5);
	rb_publish(&reg, 0xffffffffu);
	prof_region_reader_schema(r);
	prof_region_reader_stats(r, &st);
	CHECK_EQ(st.schema_errors, 13);
	CHECK(last_error_has(r, "schema_count 4294967295 exceeds max_events 16"));
	prof_region_reader_close(r);
	rb_region_free(&reg);

	/* A bad record (RB_EV_TICK with a bad type): packets that use it are
	 * invalid, the others are fine. */
	build_discard(&reg);
	rb_std_record(&rec, RB_EV_TICK);
	rec.nfields = 1;
	rec.fields[0].type = 42;
	strcpy(rec.fields[0].name, "v");
	rb_put_record(&reg, &rec, RB_EV_TICK);
	r = open_ok(&reg, &g);
	prof_region_reader_stats(r, &st);
	CHECK_EQ(st.schema_errors, 1);
	CHECK(last_error_has(r, "field 0 ('v'): unknown field type"));
	CHECK_EQ(prof__region_reader_last_error(r)->offset,
		 reg.h.schema_offset + sizeof(rec) + offsetof(struct prof_schema_record, fields) +
		 offsetof(struct prof_schema_field, type));
	schema = prof_region_reader_schema(r);
	CHECK_EQ(schema->count, RB_NEVENTS);
	CHECK_EQ(schema->events[RB_EV_TICK].name[0], 0);
	CHECK_STREQ(schema->events[RB_EV_MSG].name, "msg");
	CHECK_EQ(prof_region_reader_scrape(r, sink, &g), 0);   /* every packet has a tick */
	prof_region_reader_stats(r, &st);
	CHECK_EQ(st.invalid_packets, 6);
	CHECK(last_error_has(r, "unusable schema record"));
	CHECK_EQ(st.schema_errors, 1);
	prof_region_reader_close(r);
	rb_region_free(&reg);

	/* Late publication: the reader opened with only "all.types", the
	 * packets use ids 1 and 2, published before the drain: one refresh
	 * finds them and every packet is delivered. */
	build_discard(&reg);
	rb_publish(&reg, 1);
	r = open_ok(&reg, &g);
	CHECK_EQ(prof_region_reader_schema(r)->count, 1);
	rb_publish(&reg, RB_NEVENTS);
	CHECK_EQ(prof_region_reader_drain(r, sink, &g), 5);
	prof_region_reader_stats(r, &st);
	CHECK_EQ(st.invalid_packets, 0);
	CHECK_EQ(st.schema_errors, 0);
	prof_region_reader_close(r);

	/* Never published: invalid, after one refresh per packet. */
	rb_publish(&reg, 1);
	memset(reg.mem + reg.h.schema_offset + sizeof(rec), 0, 4 * sizeof(rec));
	__atomic_store_n(&rb_cons(&reg, 0)->tail, 0, __ATOMIC_RELAXED);
	r = open_ok(&reg, &g);
	CHECK_EQ(prof_region_reader_drain(r, sink, &g), 0);
	prof_region_reader_stats(r, &st);
	CHECK_EQ(st.invalid_packets, 5);
	CHECK(last_error_has(r, "event id 2 unknown (schema has 1 events)"));
	CHECK_EQ(rb_tail(&reg, 0), 5);   /* released anyway: the producer goes on */
	prof_region_reader_close(r);
	rb_region_free(&reg);
}

/* events_discarded: summed over streams; an open packet's smaller count
 * is stale, not corrupt. */
static void test_discarded_sum(void)
{
	struct rb_region reg;
	struct prof_region_reader *r;
	struct prof_drain_stats st;
	struct got g;
	struct rb_pkt w;

	build_discard(&reg);
	rb_pkt_begin(&w, rb_packet(&reg, 2, 0), 256, 2, 0, 0, 0);
	rb_pkt_close(&w, 1);
	rb_pkt_begin(&w, rb_packet(&reg, 2, 1), 256, 2, 1, 1, 30);
	rb_pkt_close(&w, 2);
	rb_pkt_begin(&w, rb_packet(&reg, 2, 2), 256, 2, 2, 2, 0);   /* stale 0 */
	rb_commit(&w);
	rb_set_head(&reg, 2, 3);
	r = open_ok(&reg, &g);
	CHECK_EQ(prof_region_reader_scrape(r, sink, &g), 9);
	prof_region_reader_stats(r, &st);
	CHECK_EQ(st.invalid_packets, 0);
	CHECK_EQ(st.events_discarded, 5 + 30);
	CHECK_EQ(g.last_discarded, 30);   /* normalised up */
	prof_region_reader_close(r);
	rb_region_free(&reg);
}

int main(void)
{
	test_layout();
	test_header();
	test_discard_basic();
	test_sink_stop();
	test_discard_conservation();
	test_overwrite();
	test_torn();
	test_store();
	test_store_torn();
	test_corrupt_packets();
	test_corrupt_positions();
	test_corrupt_schema();
	test_discarded_sum();
	printf("test_read_region: ok\n");
	return 0;
}
