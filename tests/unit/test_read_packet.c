/* SPDX-License-Identifier: MIT */
/*
 * test_read_packet - prof_packet_check() and the cursor on hand-built
 * packets: every field type decodes to its exact value (signed, doubles,
 * strings empty, under and at their bound); each kind of corruption is
 * rejected with the right code, offset and text; the cursor stays within
 * the content on packets that were never checked.
 */
#include <errno.h>
#include <math.h>
#include <stddef.h>

#include "lib/check.h"
#include "lib/read_builder.h"
#include "profile/read.h"

#define PSIZE 512u

static struct rb_schema S;
static uint8_t pkt[PSIZE];

/* A good packet with three events, closed at ts 400. */
static void build_good(struct rb_pkt *w)
{
	rb_pkt_begin(w, pkt, PSIZE, 3, 7, 100, 5);
	rb_ev(w, 100, RB_EV_ALL);
	rb_u8(w, 0xfe);
	rb_u16(w, 0xfedc);
	rb_u32(w, 0xfedcba98u);
	rb_u64(w, 0xfedcba9876543210ull);
	rb_u8(w, 0x80);                 /* s8 -128 */
	rb_u16(w, 0xffff);              /* s16 -1 */
	rb_u32(w, 0x80000000u);         /* s32 INT32_MIN */
	rb_u64(w, (uint64_t)-42);       /* s64 -42 */
	rb_f64(w, -1.5e300);
	rb_str(w, "12345678");          /* at its bound (8) */
	rb_msg(w, 200, "", 9);          /* empty string */
	rb_ev(w, 200, RB_EV_TICK);      /* same timestamp: allowed */
	rb_msg(w, 399, "abc", 0xffffffffu);
	rb_pkt_close(w, 400);
}

static void test_good(void)
{
	struct rb_pkt w;
	struct prof_packet_info info;
	struct prof_packet_cursor c;
	struct prof_decoded_event ev;
	struct prof_error err;

	build_good(&w);
	memset(&info, 0, sizeof(info));
	CHECK_EQ(prof_packet_check(pkt, sizeof(pkt), &S.schema, rb_uuid, &info, &err), 0);
	CHECK_EQ(info.nevents, 4);
	CHECK_EQ(info.content_bytes, w.off);
	CHECK_EQ(info.first_timestamp, 100);
	CHECK_EQ(info.last_timestamp, 399);
	CHECK_EQ(info.hdr.stream_instance_id, 3);
	CHECK_EQ(info.hdr.packet_seq_num, 7);
	CHECK_EQ(info.hdr.events_discarded, 5);
	CHECK_EQ(info.hdr.tid, 1003);
	/* A NULL uuid skips that check; a NULL info is allowed. */
	CHECK_EQ(prof_packet_check(pkt, sizeof(pkt), &S.schema, NULL, NULL, NULL), 0);

	prof_packet_cursor_init(&c, pkt, &info, &S.schema);
	CHECK_EQ(prof_packet_next(&c, &ev), 1);
	CHECK_EQ(ev.timestamp, 100);
	CHECK_EQ(ev.id, RB_EV_ALL);
	CHECK_EQ(ev.stream, 3);
	CHECK_EQ(ev.tid, 1003);
	CHECK_EQ(ev.nfields, 10);
	CHECK_STREQ(ev.desc->name, "all.types");
	CHECK_EQ_U(ev.values[0].v.u, 0xfe);
	CHECK_EQ_U(ev.values[1].v.u, 0xfedc);
	CHECK_EQ_U(ev.values[2].v.u, 0xfedcba98u);
	CHECK_EQ_U(ev.values[3].v.u, 0xfedcba9876543210ull);
	CHECK_EQ(ev.values[4].v.s, -128);
	CHECK_EQ(ev.values[5].v.s, -1);
	CHECK_EQ(ev.values[6].v.s, INT32_MIN);
	CHECK_EQ(ev.values[7].v.s, -42);
	CHECK_EQ(ev.values[4].type, PROF_TYPE_S8);
	CHECK(ev.values[8].v.f == -1.5e300);
	CHECK_EQ(ev.values[8].type, PROF_TYPE_F64);
	CHECK_EQ(ev.values[9].type, PROF_TYPE_STRING);
	CHECK_EQ(ev.values[9].v.str.len, 8);
	CHECK_STREQ(ev.values[9].v.str.ptr, "12345678");

	CHECK_EQ(prof_packet_next(&c, &ev), 1);
	CHECK_EQ(ev.id, RB_EV_MSG);
	CHECK_EQ(ev.timestamp, 200);
	CHECK_EQ(ev.values[0].v.str.len, 0);
	CHECK_STREQ(ev.values[0].v.str.ptr, "");
	CHECK_EQ_U(ev.values[1].v.u, 9);

	CHECK_EQ(prof_packet_next(&c, &ev), 1);
	CHECK_EQ(ev.id, RB_EV_TICK);
	CHECK_EQ(ev.nfields, 0);

	CHECK_EQ(prof_packet_next(&c, &ev), 1);
	CHECK_EQ(ev.timestamp, 399);
	CHECK_STREQ(ev.values[0].v.str.ptr, "abc");
	CHECK_EQ(ev.values[0].v.str.len, 3);
	CHECK_EQ_U(ev.values[1].v.u, 0xffffffffu);

	CHECK_EQ(prof_packet_next(&c, &ev), 0);
	CHECK_EQ(prof_packet_next(&c, &ev), 0);

	/* An empty packet, timestamp_end left 0 (an open packet). */
	rb_pkt_begin(&w, pkt, PSIZE, 0, 0, 50, 0);
	rb_commit(&w);
	CHECK_EQ(prof_packet_check(pkt, sizeof(pkt), &S.schema, rb_uuid, &info, &err), 0);
	CHECK_EQ(info.nevents, 0);
	CHECK_EQ(info.content_bytes, PROF_PACKET_HEADER_SIZE);
	CHECK_EQ(info.first_timestamp, 0);
	prof_packet_cursor_init(&c, pkt, &info, &S.schema);
	CHECK_EQ(prof_packet_next(&c, &ev), 0);

	/* Content filling the packet exactly. */
	rb_pkt_begin(&w, pkt, PSIZE, 0, 0, 50, 0);
	while (w.off + 12 <= PSIZE)
		rb_ev(&w, 60, RB_EV_TICK);
	CHECK_EQ(w.off, 88 + 35 * 12);   /* 508: room for no 36th event */
	rb_u32(&w, 0);                   /* pad with a partial event ... */
	rb_pkt_close(&w, 0);
	CHECK_EQ(prof_packet_check(pkt, sizeof(pkt), &S.schema, rb_uuid, &info, &err), -EPROTO);
	w.off -= 4;                      /* ... and without it */
	rb_pkt_close(&w, 0);
	CHECK_EQ(prof_packet_check(pkt, sizeof(pkt), &S.schema, rb_uuid, &info, &err), 0);
	CHECK_EQ(info.nevents, 35);
}

/*
 * Corrupt a fresh good packet with @mutate, expect @code at @offset with
 * @needle in the text.
 */
static void expect_bad(void (*mutate)(struct rb_pkt *), size_t len, int code, uint64_t offset,
		       const char *needle, int line)
{
	struct rb_pkt w;
	struct prof_packet_info info;
	struct prof_error err;
	int rc;

	build_good(&w);
	mutate(&w);
	memset(&err, 0, sizeof(err));
	rc = prof_packet_check(pkt, len, &S.schema, rb_uuid, &info, &err);
	if (rc != code)
		CHECK_FAIL("line %d: rc %d (%s), expected %d", line, rc, err.text, code);
	if (err.offset != offset)
		CHECK_FAIL("line %d: offset %llu, expected %llu (%s)", line,
			   (unsigned long long)err.offset, (unsigned long long)offset, err.text);
	if (!strstr(err.text, needle))
		CHECK_FAIL("line %d: text \"%s\" lacks \"%s\"", line, err.text, needle);
}

#define EXPECT_BAD(mut, code, off, needle) expect_bad(mut, sizeof(pkt), code, off, needle, __LINE__)

#define HOFF(f) offsetof(struct prof_packet_header, f)
#define EV1 88u                         /* first event */
#define EV2 (88u + 12 + 39 + 8)         /* second: after all.types with an 8-byte string */
#define EV3 (EV2 + 12 + 1 + 4)
#define EV4 (EV3 + 12)

static void m_none(struct rb_pkt *w) { (void)w; }
static void m_magic(struct rb_pkt *w) { rb_poke(w->base, HOFF(magic), 0xC1FC1FC0u, 4); }
static void m_uuid(struct rb_pkt *w) { w->base[HOFF(uuid) + 15] ^= 1; }
static void m_stream_id(struct rb_pkt *w) { rb_poke(w->base, HOFF(stream_id), 1, 4); }
static void m_psize_odd(struct rb_pkt *w) { rb_poke(w->base, HOFF(packet_size), 8 * PSIZE - 1, 8); }
static void m_psize_big(struct rb_pkt *w) { rb_poke(w->base, HOFF(packet_size), 8 * PSIZE + 8, 8); }
static void m_cs_big(struct rb_pkt *w) { rb_poke(w->base, HOFF(content_size), 8 * PSIZE + 8, 8); }
static void m_cs_odd(struct rb_pkt *w) { rb_poke(w->base, HOFF(content_size), 8 * w->off - 3, 8); }
static void m_cs_small(struct rb_pkt *w) { rb_poke(w->base, HOFF(content_size), 8 * 87, 8); }
static void m_cs_huge(struct rb_pkt *w) { rb_poke(w->base, HOFF(content_size), UINT64_MAX - 7, 8); }
static void m_end_early(struct rb_pkt *w) { rb_poke(w->base, HOFF(timestamp_end), 99, 8); }
static void m_unknown_id(struct rb_pkt *w) { rb_poke(w->base, EV3 + 1, RB_NEVENTS, 3); }
static void m_huge_id(struct rb_pkt *w) { rb_poke(w->base, EV1 + 1, 0xffffffu, 3); }
static void m_ts_back(struct rb_pkt *w) { rb_poke(w->base, EV3 + 4, 199, 8); }
static void m_ts_before_begin(struct rb_pkt *w) { rb_poke(w->base, EV1 + 4, 99, 8); }
static void m_ts_after_end(struct rb_pkt *w) { rb_poke(w->base, EV4 + 4, 401, 8); }
/* Content ends inside the last event's u32: truncated field. */
static void m_trunc_field(struct rb_pkt *w) { rb_poke(w->base, HOFF(content_size), 8 * (w->off - 2), 8); }
/* Content ends 5 bytes into the first event's 8-byte string (the payload
 * is still longer than its minimum). */
static void m_trunc_string(struct rb_pkt *w) { rb_poke(w->base, HOFF(content_size), 8 * (EV2 - 4), 8); }
/* Content ends inside an event header. */
static void m_trunc_header(struct rb_pkt *w) { rb_poke(w->base, HOFF(content_size), 8 * (EV4 + 6), 8); }
/* The 8-byte string of event 1 loses its NUL: now 9+ bytes long. */
static void m_over_bound(struct rb_pkt *w) { w->base[EV2 - 1] = 'X'; }
/* The "msg" string (bound 4) is 5 bytes long, then its NUL. */
static void m_over_bound4(struct rb_pkt *w)
{
	rb_pkt_begin(w, pkt, PSIZE, 3, 7, 100, 5);
	rb_msg(w, 100, "abcde", 1);
	rb_pkt_close(w, 400);
}
/* A string whose NUL is the content's last byte but one past the bound. */
static void m_unterminated(struct rb_pkt *w)
{
	rb_pkt_begin(w, pkt, PSIZE, 3, 7, 100, 5);
	rb_ev(w, 100, RB_EV_MSG);
	rb_bytes(w, "ab", 2);     /* no NUL before the content ends */
	rb_pkt_close(w, 400);
}

static void test_bad(void)
{
	EXPECT_BAD(m_magic, -EINVAL, 0, "magic 0xc1fc1fc0");
	EXPECT_BAD(m_uuid, -EINVAL, 4, "uuid");
	EXPECT_BAD(m_stream_id, -EINVAL, 20, "stream_id 1");
	EXPECT_BAD(m_psize_odd, -EINVAL, 56, "packet_size 4095 bits");
	EXPECT_BAD(m_psize_big, -EINVAL, 56, "packet_size 4104 bits");
	EXPECT_BAD(m_cs_big, -EINVAL, 48, "content_size 4104 bits");
	EXPECT_BAD(m_cs_odd, -EINVAL, 48, "not a multiple of 8");
	EXPECT_BAD(m_cs_small, -EINVAL, 48, "content_size 696 bits");
	EXPECT_BAD(m_cs_huge, -EINVAL, 48, "content_size 18446744073709551608");
	EXPECT_BAD(m_end_early, -EINVAL, 40, "timestamp_end 99 is before timestamp_begin 100");
	EXPECT_BAD(m_unknown_id, -EPROTO, EV3, "event id 5 unknown");
	EXPECT_BAD(m_huge_id, -EPROTO, EV1, "event id 16777215 unknown");
	EXPECT_BAD(m_ts_back, -EPROTO, EV3, "timestamp 199 is before the previous event's 200");
	EXPECT_BAD(m_ts_before_begin, -EPROTO, EV1, "timestamp 99 is before timestamp_begin 100");
	EXPECT_BAD(m_ts_after_end, -EPROTO, EV4, "timestamp 401 is after timestamp_end 400");
	EXPECT_BAD(m_trunc_string, -EPROTO, EV2 - 9, "field s: string not terminated before content end");
	EXPECT_BAD(m_trunc_header, -EPROTO, EV4, "extended event header truncated: 6 bytes left");
	EXPECT_BAD(m_over_bound, -EPROTO, EV2 - 9, "field s: string longer than its bound 8");
	EXPECT_BAD(m_over_bound4, -EPROTO, EV1 + 12, "field m: string longer than its bound 4");
	EXPECT_BAD(m_unterminated, -EPROTO, EV1 + 12, "payload truncated");
	/* Too short for a header; packet_size beyond the length given. */
	expect_bad(m_none, 87, -EINVAL, 0, "shorter than its 88-byte header", __LINE__);
	expect_bad(m_none, PSIZE - 8, -EINVAL, 56, "packet_size 4096 bits", __LINE__);
}

static void test_trunc_field_offset(void)
{
	struct rb_pkt w;
	struct prof_error err;

	build_good(&w);
	m_trunc_field(&w);
	CHECK_EQ(prof_packet_check(pkt, sizeof(pkt), &S.schema, rb_uuid, NULL, &err), -EPROTO);
	CHECK_EQ(err.offset, w.off - 4);
	CHECK(strstr(err.text, "field n (u32) truncated: 2 bytes left") != NULL);
}

static void test_unusable_record(void)
{
	struct rb_schema bad = S;
	struct rb_pkt w;
	struct prof_error err;

	bad.schema.events = bad.events;
	memset(&bad.events[RB_EV_TICK], 0, sizeof(bad.events[0]));
	bad.events[RB_EV_TICK].id = RB_EV_TICK;
	build_good(&w);
	CHECK_EQ(prof_packet_check(pkt, sizeof(pkt), &bad.schema, rb_uuid, NULL, &err), -EPROTO);
	CHECK_EQ(err.offset, EV3);
	CHECK(strstr(err.text, "unusable schema record") != NULL);

	/* An empty schema knows no event. */
	{
		struct prof_schema none = { 0, NULL };

		CHECK_EQ(prof_packet_check(pkt, sizeof(pkt), &none, rb_uuid, NULL, &err), -EPROTO);
		CHECK(strstr(err.text, "event id 0 unknown (schema has 0 events)") != NULL);
		/* But an empty packet is fine. */
		rb_pkt_begin(&w, pkt, PSIZE, 0, 0, 1, 0);
		rb_commit(&w);
		CHECK_EQ(prof_packet_check(pkt, sizeof(pkt), &none, rb_uuid, NULL, &err), 0);
	}
	CHECK_EQ(prof_packet_check(NULL, 88, &S.schema, NULL, NULL, &err), -EINVAL);
	CHECK_EQ(prof_packet_check(pkt, 88, NULL, NULL, NULL, &err), -EINVAL);
}

/* The cursor on packets that were never checked stays in bounds. */
static void test_cursor_unchecked(void)
{
	struct rb_pkt w;
	struct prof_packet_info info;
	struct prof_packet_cursor c;
	struct prof_decoded_event ev;
	int n = 0, rc;

	build_good(&w);
	CHECK_EQ(prof_packet_check(pkt, sizeof(pkt), &S.schema, rb_uuid, &info, NULL), 0);
	/* Corrupt after the check: the cursor notices, never overruns. */
	rb_poke(pkt, EV3 + 1, 77, 3);
	prof_packet_cursor_init(&c, pkt, &info, &S.schema);
	while ((rc = prof_packet_next(&c, &ev)) == 1)
		n++;
	CHECK_EQ(n, 2);
	CHECK_EQ(rc, -EPROTO);
	CHECK_EQ(prof_packet_next(&c, &ev), -EPROTO);   /* stays there */

	/* A short content that cuts an event: -EPROTO, never past it. */
	info.content_bytes = EV2 + 3;
	prof_packet_cursor_init(&c, pkt, &info, &S.schema);
	CHECK_EQ(prof_packet_next(&c, &ev), 1);
	CHECK_EQ(prof_packet_next(&c, &ev), -EPROTO);

	/* Nonsense content sizes give no events. */
	info.content_bytes = 3;
	prof_packet_cursor_init(&c, pkt, &info, &S.schema);
	CHECK_EQ(prof_packet_next(&c, &ev), 0);
	CHECK_EQ(prof_packet_next(NULL, &ev), -EPROTO);
}

/* Every single-byte corruption of a good packet: accepted packets decode
 * to exactly nevents events, rejected ones say why; no crash either way. */
static void test_all_bytes(void)
{
	struct rb_pkt w;
	uint8_t good[PSIZE];
	size_t i, content;
	int v, accepted = 0, rejected = 0;

	build_good(&w);
	memcpy(good, pkt, sizeof(pkt));
	content = w.off;
	for (i = 0; i < content; i++) {
		for (v = 0; v < 256; v += 51) {
			struct prof_packet_info info;
			struct prof_error err;
			int rc;

			memcpy(pkt, good, sizeof(pkt));
			pkt[i] = (uint8_t)(pkt[i] + v + 1);
			rc = prof_packet_check(pkt, sizeof(pkt), &S.schema, rb_uuid, &info, &err);
			if (rc == 0) {
				struct prof_packet_cursor c;
				struct prof_decoded_event ev;
				uint64_t n = 0;

				prof_packet_cursor_init(&c, pkt, &info, &S.schema);
				while (prof_packet_next(&c, &ev) == 1)
					n++;
				CHECK_EQ(n, info.nevents);
				CHECK_EQ(c.offset, info.content_bytes);
				accepted++;
			} else {
				CHECK(rc == -EINVAL || rc == -EPROTO);
				CHECK(err.offset < sizeof(pkt));
				CHECK(err.text[0] != '\0');
				rejected++;
			}
		}
	}
	CHECK_GT(accepted, 0);
	CHECK_GT(rejected, 0);
}

/*
 * Compact headers: the reader's clock starts at timestamp_begin, an
 * extended header sets it, a compact one replaces its low 24 bits and
 * adds 2^24 when they go backwards (CTF 1.8's rule, which babeltrace2
 * applies), in both the check's fast loop (runs of fixed-size events) and
 * the cursor.  Timestamps around and across the wrap, mixed with extended
 * headers and a string event (the full decode).
 */
static void test_compact_wrap(void)
{
	static const struct {
		uint64_t ts;
		int form; /* 0 compact tick, 1 extended tick, 2 compact msg */
	} evs[] = {
		{ 0xfffff0, 0 },                 /* same 2^24 epoch as begin */
		{ 0xfffffe, 0 },
		{ 0x1000003, 0 },                /* low bits went back: wrapped */
		{ 0x1000003, 2 },                /* equal: no wrap */
		{ 0x1fffffe, 0 },                /* a gap of 2^24 - 5: still one wrap at most */
		{ 0x2000001, 2 },
		{ 0x123456789abull, 1 },         /* far: extended */
		{ 0x123456789abull + 0xffffff, 0 }, /* gap 2^24 - 1: the widest compact */
		{ 0x123456789abull + 0xffffff + 0xfffff0, 0 }, /* and again */
		{ 0x500000000000ull, 1 },
		{ 0x500000000001ull, 0 },
	};
	uint64_t begin = 0xffff00, t_end = 0x500000000001ull;
	struct rb_pkt w;
	struct prof_packet_info info;
	struct prof_packet_cursor c;
	struct prof_decoded_event ev;
	struct prof_error err;
	size_t i;

	rb_pkt_begin(&w, pkt, PSIZE, 0, 0, begin, 0);
	for (i = 0; i < sizeof(evs) / sizeof(evs[0]); i++) {
		if (evs[i].form == 1)
			rb_ev(&w, evs[i].ts, RB_EV_TICK);
		else if (evs[i].form == 0)
			rb_ev_compact(&w, evs[i].ts, RB_EV_TICK);
		else {
			rb_ev_compact(&w, evs[i].ts, RB_EV_MSG);
			rb_str(&w, "m");
			rb_u32(&w, (uint32_t)i);
		}
	}
	rb_pkt_close(&w, t_end);
	CHECK_EQ(prof_packet_check(pkt, sizeof(pkt), &S.schema, rb_uuid, &info, &err), 0);
	CHECK_EQ(info.nevents, sizeof(evs) / sizeof(evs[0]));
	CHECK_EQ_U(info.first_timestamp, evs[0].ts);
	CHECK_EQ_U(info.last_timestamp, t_end);
	prof_packet_cursor_init(&c, pkt, &info, &S.schema);
	for (i = 0; i < sizeof(evs) / sizeof(evs[0]); i++) {
		CHECK_EQ(prof_packet_next(&c, &ev), 1);
		CHECK_EQ_U(ev.timestamp, evs[i].ts);
		CHECK_EQ(ev.id, evs[i].form == 2 ? RB_EV_MSG : RB_EV_TICK);
	}
	CHECK_EQ(prof_packet_next(&c, &ev), 0);

	/* An inferred timestamp past timestamp_end is caught like any other. */
	rb_pkt_close(&w, 0x500000000000ull);
	CHECK_EQ(prof_packet_check(pkt, sizeof(pkt), &S.schema, rb_uuid, &info, &err), -EPROTO);
	CHECK(strstr(err.text, "after timestamp_end") != NULL);
	/* A compact header cut by the content end. */
	rb_pkt_begin(&w, pkt, PSIZE, 0, 0, begin, 0);
	rb_ev_compact(&w, begin + 1, RB_EV_TICK);
	w.off -= 1;
	rb_pkt_close(&w, 0);
	CHECK_EQ(prof_packet_check(pkt, sizeof(pkt), &S.schema, rb_uuid, &info, &err), -EPROTO);
	CHECK(strstr(err.text, "compact event header truncated: 3 bytes left") != NULL);
}

/*
 * A long run of one fixed-size compact event (the check's batched loop,
 * which looks at the run's last timestamp only): wraps counted exactly
 * over many periods, the last timestamp exact, and a run whose end is past
 * timestamp_end refused at the first event that is.
 */
static void test_compact_run(void)
{
	enum { N = 24 };
	uint64_t begin = 0x7fff000, ts[N], step[] = { 0x900000, 0xffffff, 1, 0x1000000 - 2, 0 };
	uint64_t offs[N];
	struct rb_pkt w;
	struct prof_packet_info info;
	struct prof_error err;
	size_t i;

	rb_pkt_begin(&w, pkt, PSIZE, 0, 0, begin, 0);
	for (i = 0; i < N; i++) {
		ts[i] = (i ? ts[i - 1] : begin) + step[i % (sizeof(step) / sizeof(step[0]))];
		offs[i] = w.off;
		rb_ev_compact(&w, ts[i], RB_EV_TICK);
	}
	rb_pkt_close(&w, 0);
	CHECK_EQ(prof_packet_check(pkt, sizeof(pkt), &S.schema, rb_uuid, &info, &err), 0);
	CHECK_EQ(info.nevents, N);
	CHECK_EQ_U(info.first_timestamp, ts[0]);
	CHECK_EQ_U(info.last_timestamp, ts[N - 1]);

	/* timestamp_end between two events of the run: the later ones are
	 * refused, the first of them named. */
	for (i = 2; i < N; i++) {
		if (ts[i] == ts[i - 1])
			continue;
		rb_pkt_close(&w, ts[i] - 1);
		CHECK_EQ(prof_packet_check(pkt, sizeof(pkt), &S.schema, rb_uuid, &info, &err), -EPROTO);
		CHECK(strstr(err.text, "after timestamp_end") != NULL);
		CHECK_EQ_U(err.offset, offs[i]);
	}
}

int main(void)
{
	CHECK_EQ(rb_std_prof_schema(&S), 0);
	test_compact_wrap();
	test_compact_run();
	test_good();
	test_bad();
	test_trunc_field_offset();
	test_unusable_record();
	test_cursor_unchecked();
	test_all_bytes();
	printf("test_read_packet: ok\n");
	return 0;
}
