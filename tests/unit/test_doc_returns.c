/* SPDX-License-Identifier: MIT */
/*
 * test_doc_returns - the return values the public headers' kernel-doc
 * promises are the ones the code returns.
 *
 * The kernel-doc lives in the headers only (tests/t_kerneldoc.sh checks
 * where it is); this test holds the code to what it says, for each return
 * value the review of issue 7 found undocumented or documented wrongly:
 * an unknown region version is -EINVAL (the .c copy said so, the header
 * said -ENOTSUP), the other byte order -ENOTSUP; NULL arguments; the
 * sink's return passing through drain; -ENOTDIR from prof_trace_open();
 * NULL from the analysis accessors out of range; a clock calibration that
 * cannot fail.  A change of behaviour fails here until its doc changes.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <unistd.h>

#include "lib/check.h"
#include "lib/read_builder.h"
#include "profile/analysis.h"
#include "profile/ctf.h"
#include "profile/event.h"
#include "profile/gc.h"
#include "profile/platform.h"
#include "profile/read.h"
#include "profile/region.h"

static int sink_count(void *arg, uint32_t stream, const uint8_t *pkt, size_t len,
		      const struct prof_packet_info *info)
{
	(void)stream, (void)pkt, (void)len, (void)info;
	++*(int *)arg;
	return 0;
}

static int sink_refuse(void *arg, uint32_t stream, const uint8_t *pkt, size_t len,
		       const struct prof_packet_info *info)
{
	(void)stream, (void)pkt, (void)len, (void)info;
	++*(int *)arg;
	return -EIO;
}

/* One complete packet (seq 0) of one event on stream 0, head 2. */
static void one_packet(struct rb_region *reg)
{
	struct rb_pkt w;

	rb_std_schema(reg, RB_NEVENTS);
	rb_pkt_begin(&w, rb_packet(reg, 0, 0), reg->h.packet_size, 0, 0, 100, 0);
	rb_ev(&w, 150, RB_EV_TICK);
	rb_commit(&w);
	rb_pkt_close(&w, 200);
	rb_set_head(reg, 0, 2);
}

/* read.h: prof_region_reader_open() and the drains. */
static void test_region_reader(void)
{
	struct prof_region_reader *r = (struct prof_region_reader *)1;
	struct rb_region reg;
	struct prof_error err;
	int n = 0, rc;

	CHECK_EQ(rb_region_init(&reg, PROF_MODE_DISCARD, 4096, 4, 2, 8), 0);

	/* An unknown version is a bad header (-EINVAL), not -ENOTSUP. */
	rb_hdr(&reg)->version = PROF_REGION_VERSION + 1;
	rc = prof_region_reader_open(&r, reg.mem, reg.size, "t", &err);
	CHECK_EQ(rc, -EINVAL);
	CHECK(r == NULL);
	CHECK_EQ_U(err.offset, offsetof(struct prof_region_header, version));
	rb_hdr(&reg)->version = PROF_REGION_VERSION;

	/* The other byte order is -ENOTSUP (the builder writes little-endian
	 * regions, for a little-endian host). */
	rb_hdr(&reg)->byte_order = PROF_BYTE_ORDER_BE;
	rc = prof_region_reader_open(&r, reg.mem, reg.size, "t", &err);
	CHECK_EQ(rc, -ENOTSUP);
	rb_hdr(&reg)->byte_order = PROF_BYTE_ORDER_LE;

	/* NULL arguments, a misaligned mapping, a mapping smaller than the
	 * header: -EINVAL. */
	CHECK_EQ(prof_region_reader_open(NULL, reg.mem, reg.size, "t", NULL), -EINVAL);
	CHECK_EQ(prof_region_reader_open(&r, NULL, reg.size, "t", NULL), -EINVAL);
	CHECK_EQ(prof_region_reader_open(&r, reg.mem + 4, reg.size - 4, "t", NULL), -EINVAL);
	CHECK_EQ(prof_region_reader_open(&r, reg.mem, 64, "t", NULL), -EINVAL);
	/* A region_size over the mapping: -EINVAL. */
	CHECK_EQ(prof_region_reader_open(&r, reg.mem, reg.size - 8, "t", NULL), -EINVAL);

	/* The accessors on NULL. */
	CHECK(prof_region_reader_header(NULL) == NULL);
	CHECK(prof_region_reader_schema(NULL) == NULL);
	CHECK_EQ_U(prof_region_reader_schema_problems(NULL, NULL, 0), 0);

	one_packet(&reg);
	CHECK_EQ(prof_region_reader_open(&r, reg.mem, reg.size, NULL, &err), 0);
	CHECK(r != NULL);
	CHECK(prof_region_reader_header(r) != NULL);

	/* NULL sink: -EINVAL, for each of the three. */
	CHECK_EQ(prof_region_reader_drain(r, NULL, NULL), -EINVAL);
	CHECK_EQ(prof_region_reader_scrape(r, NULL, NULL), -EINVAL);
	CHECK_EQ(prof_region_reader_peek(r, NULL, NULL), -EINVAL);
	CHECK_EQ(prof_region_reader_drain(NULL, sink_count, &n), -EINVAL);

	/* The sink's negative return is the drain's, and the packet it
	 * refused is offered again. */
	CHECK_EQ(prof_region_reader_drain(r, sink_refuse, &n), -EIO);
	CHECK_EQ(n, 1);
	n = 0;
	CHECK_EQ(prof_region_reader_drain(r, sink_count, &n), 1);
	CHECK_EQ(n, 1);
	/* Nothing left: 0 packets. */
	CHECK_EQ(prof_region_reader_drain(r, sink_count, &n), 0);
	prof_region_reader_close(r);
	prof_region_reader_close(NULL);
	rb_region_free(&reg);
}

/* read.h: the packet check and cursor. */
static void test_packets(void)
{
	struct rb_schema s;
	struct prof_schema holes = { 3, NULL };
	uint8_t pkt[512];
	struct rb_pkt w;
	struct prof_packet_info info;
	struct prof_packet_cursor c;
	struct prof_decoded_event ev;
	struct prof_schema_record rec;
	struct prof_schema_event out;

	CHECK_EQ(rb_std_prof_schema(&s), 0);
	rb_pkt_begin(&w, pkt, sizeof(pkt), 0, 0, 100, 0);
	rb_ev(&w, 150, RB_EV_TICK);
	rb_commit(&w);
	rb_pkt_close(&w, 200);

	CHECK_EQ(prof_packet_check(NULL, sizeof(pkt), &s.schema, NULL, NULL, NULL), -EINVAL);
	CHECK_EQ(prof_packet_check(pkt, sizeof(pkt), NULL, NULL, NULL, NULL), -EINVAL);
	CHECK_EQ(prof_packet_check(pkt, sizeof(pkt), &holes, NULL, NULL, NULL), -EINVAL);
	/* @info may be NULL. */
	CHECK_EQ(prof_packet_check(pkt, sizeof(pkt), &s.schema, rb_uuid, NULL, NULL), 0);
	CHECK_EQ(prof_packet_check(pkt, sizeof(pkt), &s.schema, rb_uuid, &info, NULL), 0);

	/* The cursor: NULL arguments are -EPROTO; events carry trace 0. */
	CHECK_EQ(prof_packet_next(NULL, &ev), -EPROTO);
	prof_packet_cursor_init(&c, pkt, &info, &s.schema);
	CHECK_EQ(prof_packet_next(&c, NULL), -EPROTO);
	ev.trace = 7;
	CHECK_EQ(prof_packet_next(&c, &ev), 1);
	CHECK_EQ(ev.trace, 0);
	CHECK_EQ(prof_packet_next(&c, &ev), 0);

	/* An event id beyond the schema (the extended header's u24 id, after
	 * its 255 marker byte): -EPROTO, and the cursor stays. */
	rb_poke(pkt, PROF_PACKET_HEADER_SIZE + 1, 200, 3);
	CHECK_EQ(prof_packet_check(pkt, sizeof(pkt), &s.schema, rb_uuid, NULL, NULL), -EPROTO);
	prof_packet_cursor_init(&c, pkt, &info, &s.schema);
	CHECK_EQ(prof_packet_next(&c, &ev), -EPROTO);
	CHECK_EQ(prof_packet_next(&c, &ev), -EPROTO);

	/* Schema records: NULL, a wrong id: -EINVAL. */
	rb_std_record(&rec, 0);
	CHECK_EQ(prof_schema_record_check(NULL, 0, &out, NULL), -EINVAL);
	CHECK_EQ(prof_schema_record_check(&rec, 0, NULL, NULL), -EINVAL);
	CHECK_EQ(prof_schema_record_check(&rec, 1, &out, NULL), -EINVAL);
	CHECK_EQ(prof_schema_event_check(NULL, NULL), -EINVAL);
}

/* platform.h: layout bounds, attach and detach. */
static void test_core(void)
{
	struct prof_region_header h;
	struct prof_platform none = { 0 };
	uint8_t page[64];

	CHECK_EQ(prof_region_layout(PROF_MODE_DISCARD, 4096, 1u << 20, 1, 1, &h), 0);
	CHECK_EQ(prof_region_layout(PROF_MODE_DISCARD, 4096, (1u << 20) + 1, 1, 1, &h), -EINVAL);
	CHECK_EQ(prof_region_layout(PROF_MODE_DISCARD, PROF_MAX_PACKET_SIZE * 2, 2, 1, 1, &h), -EINVAL);
	CHECK_EQ(prof_region_format(NULL, 0, &h), -EINVAL);
	CHECK_EQ(prof_region_attach(page, sizeof(page), NULL), -EINVAL);
	CHECK_EQ(prof_region_attach(page, sizeof(page), &none), -EINVAL);
	CHECK_EQ(prof_region_detach(), -ENOENT);
	CHECK_EQ(prof_thread_attach(), -ENOENT);
	CHECK_EQ(prof_gc_thread_prepare(), -ENOENT);
	CHECK_EQ(prof_events_set_enabled(NULL, 1), -EINVAL);
	CHECK_EQ(prof_event_set_enabled(NULL, 1), -EINVAL);
	CHECK_EQ(prof_gc_end(), -ENOENT);
	CHECK(prof_gc_kind_name((enum prof_gc_kind)PROF_GC_KIND_COUNT) == NULL);
	CHECK_EQ(prof_gc_kind_is_pause((enum prof_gc_kind)PROF_GC_KIND_COUNT), 0);
}

/* ctf.h: metadata and trace opening. */
static void test_ctf(void)
{
	struct prof_trace *t = (struct prof_trace *)1;
	struct prof_trace_desc d;
	struct prof_decoded_event ev;
	struct prof_error err;
	char path[] = "/tmp/test_doc_returns.XXXXXX";
	int fd;

	CHECK_EQ(prof_ctf_metadata(NULL, NULL, 0), -EINVAL);
	CHECK_EQ(prof_ctf_metadata_parse("x", 1, "m", NULL, NULL), -EINVAL);
	CHECK_EQ(prof_ctf_metadata_parse(NULL, 0, "m", &d, NULL), -EINVAL);

	/* A regular file where a directory is expected: -ENOTDIR. */
	fd = mkstemp(path);
	CHECK(fd >= 0);
	close(fd);
	CHECK_EQ(prof_trace_open(&t, path, &err), -ENOTDIR);
	CHECK(t == NULL);
	unlink(path);
	CHECK_EQ(prof_trace_open(NULL, "/", NULL), -EINVAL);
	CHECK_EQ(prof_trace_open_flags(&t, "/", 0x80, NULL), -EINVAL);
	CHECK_EQ(prof_trace_open(&t, "/nonexistent-doc-returns", NULL), -ENOENT);
	CHECK_EQ(prof_trace_next(NULL, &ev), -EINVAL);
	CHECK(prof_trace_get_desc(NULL) == NULL);
	CHECK(prof_trace_last_error(NULL) == NULL);
	CHECK_EQ(prof_trace_part_count(NULL), 0);
	prof_trace_close(NULL);

	/* The writer's argument checks. */
	CHECK_EQ(prof_ctf_writer_open(NULL, "/tmp", NULL), -EINVAL);
	CHECK_EQ(prof_ctf_writer_metadata(NULL, &d, NULL), -EINVAL);
	CHECK_EQ(prof_ctf_writer_packet(NULL, 0, (const uint8_t *)"", 0), -EINVAL);
	CHECK_EQ(prof_ctf_writer_close(NULL), 0);
}

/* analysis.h, region.h, error.h. */
static void test_misc(void)
{
	struct prof_analysis *a = prof_analysis_new(NULL);
	struct prof_clock_desc clk;
	struct prof_span_stats none;

	CHECK(a != NULL);
	CHECK(prof_analysis_span(a, 0) == NULL);
	CHECK(prof_analysis_event(a, 0) == NULL);
	CHECK(prof_analysis_span_find(a, "x") == NULL);
	CHECK_EQ(prof_analysis_add(NULL, NULL), -EINVAL);
	CHECK_EQ(prof_analysis_wall_ns(a), 0);
	prof_analysis_free(a);
	prof_analysis_free(NULL);

	memset(&none, 0, sizeof(none));
	CHECK_EQ_U(prof_span_percentile(&none, 0.5), 0);
	CHECK_EQ_U(prof_span_max(&none), 0);
	{
		uint64_t d[3] = { 30, 10, 20 };

		none.durations = d;
		none.count = 3;
		CHECK_EQ_U(prof_span_percentile(&none, -1.0), 10);
		CHECK_EQ_U(prof_span_percentile(&none, NAN), 10);
		CHECK_EQ_U(prof_span_percentile(&none, 2.0), 30);
		CHECK_EQ_U(prof_span_max(&none), 30);
	}

	CHECK_EQ(prof_clock_calibrate(&clk), 0);
	CHECK(clk.freq_hz != 0);

	CHECK_STREQ(prof_strerror(5), "unknown error");
	CHECK(prof_strerror(-ECANCELED) != NULL);
}

int main(void)
{
	test_region_reader();
	test_packets();
	test_core();
	test_ctf();
	test_misc();
	printf("test_doc_returns: ok\n");
	return 0;
}
