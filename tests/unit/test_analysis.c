/* SPDX-License-Identifier: MIT */
/*
 * The shared analysis (profile/analysis.h) on synthetic event sequences
 * whose right answer is known: pairing, unmatched begins and ends, nesting
 * deeper than 64, gaps where a stream lost events (a grown events_discarded,
 * a missing packet), a stream slot passed from thread to thread, nested and
 * overlapping GC spans (time counted once), exact counter values, and
 * percentiles.  The clock is 1 GHz from 0, so ticks are nanoseconds.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/check.h"
#include "profile/profile.h"

enum {
	A_B, A_E, B_B, B_E, MINOR_B, MINOR_E, SLICE_B, SLICE_E, MARK_B, MARK_E, FIN_B, FIN_E, CNT_U, CNT_S, CNT_F,
	NEV
};

static struct prof_schema_event evs[NEV];
static struct prof_clock_desc clk;

static void def(int id, const char *name, uint16_t kind, uint8_t type)
{
	memset(&evs[id], 0, sizeof(evs[id]));
	snprintf(evs[id].name, sizeof(evs[id].name), "%s", name);
	evs[id].id = (uint32_t)id;
	evs[id].kind = kind;
	if (type) {
		evs[id].nfields = 1;
		snprintf(evs[id].fields[0].name, sizeof(evs[id].fields[0].name), "value");
		evs[id].fields[0].type = type;
	}
}

static void setup(void)
{
	def(A_B, "a.begin", PROF_KIND_SPAN_BEGIN, 0);
	def(A_E, "a.end", PROF_KIND_SPAN_END, 0);
	def(B_B, "b.begin", PROF_KIND_SPAN_BEGIN, 0);
	def(B_E, "b.end", PROF_KIND_SPAN_END, 0);
	def(MINOR_B, "gc.minor.begin", PROF_KIND_SPAN_BEGIN, 0);
	def(MINOR_E, "gc.minor.end", PROF_KIND_SPAN_END, 0);
	def(SLICE_B, "gc.major_slice.begin", PROF_KIND_SPAN_BEGIN, 0);
	def(SLICE_E, "gc.major_slice.end", PROF_KIND_SPAN_END, 0);
	def(MARK_B, "gc.mark.begin", PROF_KIND_SPAN_BEGIN, 0);
	def(MARK_E, "gc.mark.end", PROF_KIND_SPAN_END, 0);
	def(FIN_B, "gc.finalise.begin", PROF_KIND_SPAN_BEGIN, 0);
	def(FIN_E, "gc.finalise.end", PROF_KIND_SPAN_END, 0);
	def(CNT_U, "c.u", PROF_KIND_COUNTER, PROF_TYPE_U64);
	def(CNT_S, "c.s", PROF_KIND_COUNTER, PROF_TYPE_S64);
	def(CNT_F, "c.f", PROF_KIND_COUNTER, PROF_TYPE_F64);
	memset(&clk, 0, sizeof(clk));
	clk.source = PROF_CLOCK_MONOTONIC;
	clk.freq_hz = 1000000000ull;
}

/* Where the next events come from: stream, thread, packet, and the trace
 * (process) of a directory of traces. */
struct where {
	uint32_t stream, tid;
	uint64_t seq, discarded;
	uint32_t trace;
};

static void feed(struct prof_analysis *a, const struct where *w, int id, uint64_t ts)
{
	struct prof_decoded_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.timestamp = ts;
	ev.id = (uint32_t)id;
	ev.stream = w->stream;
	ev.tid = w->tid;
	ev.desc = &evs[id];
	ev.nfields = evs[id].nfields;
	ev.packet_seq = w->seq;
	ev.packet_discarded = w->discarded;
	ev.trace = w->trace;
	CHECK_OK(prof_analysis_add(a, &ev));
}

static struct prof_span_stats *span(struct prof_analysis *a, const char *name)
{
	struct prof_span_stats *s = prof_analysis_span_find(a, name);

	if (!s)
		CHECK_FAIL("no span %s", name);
	return s;
}

static void test_pairing_and_percentiles(void)
{
	struct prof_analysis *a = prof_analysis_new(&clk);
	struct where w = { 0, 1, 0, 0, 0 };
	struct prof_span_stats *s;

	CHECK(a);
	for (uint64_t i = 1; i <= 100; i++) {
		feed(a, &w, A_B, i * 1000);
		feed(a, &w, A_E, i * 1000 + i);
	}
	s = span(a, "a");
	CHECK_EQ_U(s->count, 100);
	CHECK_EQ_U(s->total_ns, 5050);
	CHECK_EQ_U(prof_span_percentile(s, 0.5), 50);
	CHECK_EQ_U(prof_span_percentile(s, 0.9), 90);
	CHECK_EQ_U(prof_span_percentile(s, 0.99), 99);
	CHECK_EQ_U(prof_span_percentile(s, 0.999), 100);
	CHECK_EQ_U(prof_span_percentile(s, 0.0), 1);
	CHECK_EQ_U(prof_span_max(s), 100);
	CHECK_EQ_U(prof_analysis_wall_ns(a), 100100 - 1000);
	CHECK_EQ_U(prof_analysis_event(a, 0)->count, 100);
	prof_analysis_free(a);
}

static void test_unmatched(void)
{
	struct prof_analysis *a = prof_analysis_new(&clk);
	struct where w = { 0, 1, 0, 0, 0 };
	struct prof_decoded_event bad;
	struct prof_span_stats *s;

	feed(a, &w, A_E, 5);    /* an end with no begin */
	feed(a, &w, A_B, 10);
	feed(a, &w, B_B, 20);   /* never ended: closed inside a's end */
	feed(a, &w, A_E, 30);
	feed(a, &w, B_B, 40);   /* never ended: open at the finish */
	s = span(a, "a");
	CHECK_EQ_U(s->count, 1);
	CHECK_EQ_U(s->total_ns, 20);
	CHECK_EQ_U(s->unmatched_end, 1);
	s = span(a, "b");
	CHECK_EQ_U(s->unmatched_begin, 1); /* the one inside a; the open one is still running */
	prof_analysis_finish(a);
	CHECK_EQ_U(s->unmatched_begin, 2);
	prof_analysis_finish(a); /* nothing counted twice */
	CHECK_EQ_U(s->unmatched_begin, 2);
	CHECK_EQ_U(s->count, 0);
	CHECK_EQ_U(s->broken_by_loss, 0);

	memset(&bad, 0, sizeof(bad));
	CHECK_EQ(prof_analysis_add(a, &bad), -EINVAL);
	prof_analysis_reset(a);
	CHECK_EQ_U(span(a, "a")->count, 0);
	CHECK_EQ_U(span(a, "b")->unmatched_begin, 0);
	prof_analysis_free(a);
}

/* Deeper than the old 64-entry stack: every span pairs with its own begin. */
static void test_deep_nesting(void)
{
	struct prof_analysis *a = prof_analysis_new(&clk);
	struct where w = { 0, 1, 0, 0, 0 };
	const uint64_t depth = 1000;
	struct prof_span_stats *s;

	feed(a, &w, A_B, 1);
	for (uint64_t i = 0; i < depth; i++)
		feed(a, &w, B_B, 10 + i);
	feed(a, &w, A_B, 5000);  /* at depth 1001 */
	feed(a, &w, A_E, 5001);  /* pairs with the begin at 5000, not the one at 1 */
	s = span(a, "a");
	CHECK_EQ_U(s->count, 1);
	CHECK_EQ_U(prof_span_max(s), 1);
	CHECK_EQ_U(span(a, "b")->unmatched_begin, 0);
	for (uint64_t i = depth; i-- > 0;)
		feed(a, &w, B_E, 10000 + (depth - 1 - i));
	s = span(a, "b");
	CHECK_EQ_U(s->count, depth);
	CHECK_EQ_U(s->unmatched_begin + s->unmatched_end, 0);
	/* The innermost b began at 10 + 999 and ended at 10000. */
	CHECK_EQ_U(prof_span_percentile(s, 0.0), 10000 - (10 + depth - 1));
	CHECK_EQ_U(prof_span_max(s), 10000 + depth - 1 - 10);
	feed(a, &w, A_E, 20000);
	CHECK_EQ_U(span(a, "a")->count, 2);
	CHECK_EQ_U(prof_span_max(span(a, "a")), 20000 - 1);
	prof_analysis_finish(a);
	CHECK_EQ_U(span(a, "a")->unmatched_begin + span(a, "b")->unmatched_begin, 0);
	prof_analysis_free(a);
}

/* Never pair across a place where the stream lost events. */
static void test_loss_gaps(void)
{
	struct prof_analysis *a = prof_analysis_new(&clk);
	struct where w = { 0, 1, 0, 0, 0 }, other = { 1, 2, 0, 0, 0 };
	struct prof_span_stats *s;

	/* Packet 0 (nothing lost): a opens; on stream 1, b opens. */
	feed(a, &w, A_B, 10);
	feed(a, &other, B_B, 15);
	/* Packet 1's events_discarded grew (5 lost around it): a, open
	 * across that, is broken and not timed (the 42.81 ms span). */
	w.seq = 1;
	w.discarded = 5;
	feed(a, &w, A_E, 42810000);
	s = span(a, "a");
	CHECK_EQ_U(s->count, 0);
	CHECK_EQ_U(s->broken_by_loss, 1);
	CHECK_EQ_U(prof_span_max(s), 0);
	/* Inside packet 1, after its first event, spans pair. */
	feed(a, &w, A_B, 42810100);
	feed(a, &w, A_E, 42810130);
	CHECK_EQ_U(s->count, 1);
	CHECK_EQ_U(prof_span_max(s), 30);
	/* Open at packet 1's end: its count grew, so the loss may be at its
	 * end: broken at packet 2. */
	feed(a, &w, A_B, 42810200);
	w.seq = 2;
	feed(a, &w, A_E, 42810260);
	CHECK_EQ_U(s->count, 1);
	CHECK_EQ_U(s->broken_by_loss, 2);
	/* Packet 2 -> 3, nothing lost: pairs. */
	feed(a, &w, A_B, 42810300);
	w.seq = 3;
	feed(a, &w, A_E, 42810320);
	CHECK_EQ_U(s->count, 2);
	/* Packet 4 missing (3 -> 5): broken. */
	feed(a, &w, A_B, 42810400);
	w.seq = 5;
	feed(a, &w, A_E, 42810450);
	CHECK_EQ_U(s->count, 2);
	CHECK_EQ_U(s->broken_by_loss, 3);
	/* An end with no begin after a loss: its begin may be among the lost. */
	feed(a, &w, A_E, 42810500);
	CHECK_EQ_U(s->broken_by_loss, 4);
	CHECK_EQ_U(s->unmatched_end, 0);
	/* Stream 1 lost nothing: its span pairs. */
	feed(a, &other, B_E, 42810600);
	CHECK_EQ_U(span(a, "b")->count, 1);
	CHECK_EQ_U(span(a, "b")->broken_by_loss, 0);
	CHECK_EQ_U(prof_span_max(span(a, "b")), 42810600 - 15);
	/* A begin before a gap never ended: broken, not unmatched. */
	feed(a, &w, A_B, 42810700);
	w.seq = 6;
	w.discarded = 9;
	feed(a, &w, B_B, 42810800);
	prof_analysis_finish(a);
	CHECK_EQ_U(s->broken_by_loss, 5);
	CHECK_EQ_U(s->unmatched_begin, 0);
	CHECK_EQ_U(span(a, "b")->unmatched_begin, 1);
	CHECK_EQ_U(prof_analysis_gaps(a), 4); /* packets 1, 2, 5, 6 */
	prof_analysis_free(a);

	/* A stream whose first packet is not 0 (overwritten): an end with no
	 * begin is a loss, not a mismatch. */
	a = prof_analysis_new(&clk);
	w.seq = 7;
	w.discarded = 0;
	feed(a, &w, A_E, 10);
	CHECK_EQ_U(span(a, "a")->broken_by_loss, 1);
	CHECK_EQ_U(span(a, "a")->unmatched_end, 0);
	prof_analysis_free(a);

	/* A live view: the open packet's count grows between two pieces. */
	a = prof_analysis_new(&clk);
	w.seq = 0;
	feed(a, &w, A_B, 10);
	w.discarded = 1;
	feed(a, &w, A_E, 20);
	CHECK_EQ_U(span(a, "a")->broken_by_loss, 1);
	CHECK_EQ_U(span(a, "a")->count, 0);
	prof_analysis_free(a);
}

/* A stream slot passes from thread 100 to thread 200 (each packet says
 * its thread): 200's end does not close 100's begin. */
static void test_slot_handover(void)
{
	struct prof_analysis *a = prof_analysis_new(&clk);
	struct where t1 = { 3, 100, 0, 0, 0 }, t2 = { 3, 200, 1, 0, 0 };
	struct prof_span_stats *s;

	feed(a, &t1, A_B, 10);
	feed(a, &t2, A_B, 20);
	feed(a, &t2, A_E, 25);
	feed(a, &t2, A_E, 30);
	s = span(a, "a");
	CHECK_EQ_U(s->count, 1);
	CHECK_EQ_U(prof_span_max(s), 5);
	CHECK_EQ_U(s->unmatched_end, 1);
	prof_analysis_finish(a);
	CHECK_EQ_U(s->unmatched_begin, 1);
	prof_analysis_free(a);
}

/* Two processes (traces of one directory) with the same slot and thread
 * numbers: their spans interleave in time but never pair with each other. */
static void test_two_processes(void)
{
	struct prof_analysis *a = prof_analysis_new(&clk);
	struct where p0 = { 0, 7, 0, 0, 0 }, p1 = { 0, 7, 0, 0, 1 };
	struct prof_span_stats *s;

	feed(a, &p0, A_B, 10);
	feed(a, &p1, A_B, 12);
	feed(a, &p0, A_E, 20);  /* p0: 10 */
	feed(a, &p1, A_B, 30);
	feed(a, &p1, A_E, 31);  /* p1: the inner one, 1 */
	feed(a, &p1, A_E, 112); /* p1: 100 */
	s = span(a, "a");
	CHECK_EQ_U(s->count, 3);
	CHECK_EQ_U(prof_span_max(s), 100);
	CHECK_EQ_U(s->unmatched_begin + s->unmatched_end, 0);
	prof_analysis_free(a);
}

/*
 * Nested and overlapping GC spans, known answer:
 *   stream 0: gc.major_slice [100,200] with gc.minor [120,150] inside
 *             (OCaml compacting), then gc.mark [300,350] alone (Boehm
 *             incremental), then gc.finalise [400,500] with gc.minor
 *             [420,430] inside (finalisation is not GC time, the minor is);
 *   stream 1: gc.minor [180,260], overlapping the slice.
 * Union: [100,260] + [300,350] + [420,430] = 160 + 50 + 10 = 220.
 * Plain sum of collections and phases: 100 + 30 + 50 + 10 + 80 = 270.
 */
static void feed_gc(struct prof_analysis *a, int order)
{
	struct where s0 = { 0, 1, 0, 0, 0 }, s1 = { 1, 2, 0, 0, 0 };

	if (order) { /* stream 1 first: the union does not need time order */
		feed(a, &s1, MINOR_B, 180);
		feed(a, &s1, MINOR_E, 260);
	}
	feed(a, &s0, SLICE_B, 100);
	feed(a, &s0, MINOR_B, 120);
	feed(a, &s0, MINOR_E, 150);
	if (!order)
		feed(a, &s1, MINOR_B, 180);
	feed(a, &s0, SLICE_E, 200);
	if (!order)
		feed(a, &s1, MINOR_E, 260);
	feed(a, &s0, MARK_B, 300);
	feed(a, &s0, MARK_E, 350);
	feed(a, &s0, FIN_B, 400);
	feed(a, &s0, MINOR_B, 420);
	feed(a, &s0, MINOR_E, 430);
	feed(a, &s0, FIN_E, 500);
}

static void test_gc_nesting(void)
{
	for (int order = 0; order < 2; order++) {
		struct prof_analysis *a = prof_analysis_new(&clk);
		struct prof_gc_totals t;

		feed_gc(a, order);
		CHECK_EQ(prof_analysis_gc_totals(a, &t), 1);
		CHECK_EQ_U(t.gc_ns, 220);
		CHECK_EQ_U(t.summed_ns, 270);
		CHECK_EQ_U(t.collections, 4);              /* 3 minor + 1 slice */
		CHECK_EQ_U(t.count[PROF_GC_MINOR], 3);
		CHECK_EQ_U(t.count[PROF_GC_MARK], 1);
		CHECK_EQ_U(t.count[PROF_GC_FINALISE], 1);
		CHECK_EQ_U(t.collection_ns, 100 + 30 + 80 + 10);
		CHECK_EQ_U(t.wall_ns, 400);
		prof_analysis_free(a);
	}
}

/* The union against a brute-force one: random spans on 8 threads. */
static void test_gc_union_random(void)
{
	enum { SPAN = 2000, THREADS = 8 };
	static uint8_t covered[SPAN + 64];
	struct prof_analysis *a = prof_analysis_new(&clk);
	struct prof_gc_totals t;
	uint64_t seed = 12345, want = 0, sum = 0;

	memset(covered, 0, sizeof(covered));
	for (int round = 0; round < 300; round++) {
		struct where w = { (uint32_t)(round % THREADS), 1, 0, 0, 0 };
		uint64_t b, len;

		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		b = (seed >> 33) % SPAN;
		len = (seed >> 17) % 40;
		feed(a, &w, round % 3 ? MINOR_B : MARK_B, b);
		feed(a, &w, round % 3 ? MINOR_E : MARK_E, b + len);
		for (uint64_t i = b; i < b + len; i++)
			covered[i] = 1;
		sum += len;
	}
	for (size_t i = 0; i < sizeof(covered); i++)
		want += covered[i];
	prof_analysis_gc_totals(a, &t);
	CHECK_EQ_U(t.gc_ns, want);
	CHECK_EQ_U(t.summed_ns, sum);
	prof_analysis_free(a);
}

/* Counter values stay exact (no trip through a double). */
static void test_counters_exact(void)
{
	struct prof_analysis *a = prof_analysis_new(&clk);
	struct where w = { 0, 1, 0, 0, 0 };
	struct prof_decoded_event ev;
	const struct prof_event_stats *e;

	memset(&ev, 0, sizeof(ev));
	ev.desc = &evs[CNT_U];
	ev.id = CNT_U;
	ev.nfields = 1;
	ev.values[0].type = PROF_TYPE_U64;
	ev.values[0].v.u = UINT64_MAX - 1; /* not representable as a double */
	CHECK_OK(prof_analysis_add(a, &ev));
	ev.desc = &evs[CNT_S];
	ev.id = CNT_S;
	ev.values[0].type = PROF_TYPE_S64;
	ev.values[0].v.s = INT64_MIN + 1;
	CHECK_OK(prof_analysis_add(a, &ev));
	(void)w;
	e = prof_analysis_event(a, 0);
	CHECK_STREQ(e->name, "c.u");
	CHECK(e->has_last);
	CHECK_EQ_U(e->last.v.u, UINT64_MAX - 1);
	e = prof_analysis_event(a, 1);
	CHECK_EQ(e->last.v.s, INT64_MIN + 1);
	prof_analysis_free(a);
}

int main(void)
{
	setup();
	test_pairing_and_percentiles();
	test_unmatched();
	test_deep_nesting();
	test_loss_gaps();
	test_slot_handover();
	test_two_processes();
	test_gc_nesting();
	test_gc_union_random();
	test_counters_exact();
	printf("test_analysis: ok\n");
	return 0;
}
