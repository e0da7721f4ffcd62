/* SPDX-License-Identifier: MIT */
/*
 * viewer/test/gen_trace.h - mprof traces for the viewer's tests and
 * benchmark, written with libprofile's CTF writer and packets built as
 * format.h lays them out (test_ctf_util.h).  The clock is plain
 * nanoseconds from 0, so a trace's times are the numbers below.
 *
 * The fixed trace (gen_fixed()), in ms:
 *   stream 0 tid 100  work [0, 5] "request A"  with gc.minor [2, 3] inside
 *                     tick at 6; gc.major [7, 9]; msg "hello world" at 10
 *                     gc.heap_bytes 100 at 1, 300 at 9.5
 *   stream 1 tid 101  work [1, 4] "request B"; tick at 8
 */
#ifndef MPROF_VIEWER_GEN_TRACE_H
#define MPROF_VIEWER_GEN_TRACE_H

#include "test_ctf_util.h"

enum {
	GEN_WORK_B, GEN_WORK_E, GEN_MINOR_B, GEN_MINOR_E, GEN_MAJOR_B, GEN_MAJOR_E,
	GEN_TICK, GEN_HEAP, GEN_MSG, GEN_NEVENTS
};

static inline void gen_schema(struct prof_schema_event ev[GEN_NEVENTS])
{
	test_event(&ev[GEN_WORK_B], GEN_WORK_B, "work.begin", PROF_KIND_SPAN_BEGIN);
	test_field(&ev[GEN_WORK_B], "what", PROF_TYPE_STRING, 32);
	test_event(&ev[GEN_WORK_E], GEN_WORK_E, "work.end", PROF_KIND_SPAN_END);
	test_event(&ev[GEN_MINOR_B], GEN_MINOR_B, "gc.minor.begin", PROF_KIND_SPAN_BEGIN);
	test_event(&ev[GEN_MINOR_E], GEN_MINOR_E, "gc.minor.end", PROF_KIND_SPAN_END);
	test_event(&ev[GEN_MAJOR_B], GEN_MAJOR_B, "gc.major.begin", PROF_KIND_SPAN_BEGIN);
	test_event(&ev[GEN_MAJOR_E], GEN_MAJOR_E, "gc.major.end", PROF_KIND_SPAN_END);
	test_event(&ev[GEN_TICK], GEN_TICK, "tick", PROF_KIND_INSTANT);
	test_field(&ev[GEN_TICK], "n", PROF_TYPE_U32, 0);
	test_event(&ev[GEN_HEAP], GEN_HEAP, "gc.heap_bytes", PROF_KIND_COUNTER);
	test_field(&ev[GEN_HEAP], "value", PROF_TYPE_U64, 0);
	test_event(&ev[GEN_MSG], GEN_MSG, "msg", PROF_KIND_PLAIN);
	test_field(&ev[GEN_MSG], "text", PROF_TYPE_STRING, 32);
}

/* One stream being written: its packet, sequence and discarded count. */
struct gen_stream {
	struct prof_ctf_writer *w;
	struct test_pkt p;
	uint32_t slot, tid;
	uint64_t seq, discarded;
	int open;
	int compact;            /* compact (4-byte) event headers, as mprof record writes them */
};

static inline void gen_flush(struct gen_stream *s)
{
	if (!s->open)
		return;
	pkt_end(&s->p);
	CHECK_OK(prof_ctf_writer_packet(s->w, s->slot, s->p.buf, s->p.len));
	s->open = 0;
	s->seq++;
}

/* Room for an event of up to 64 bytes, in a new packet if need be. */
static inline void gen_room(struct gen_stream *s)
{
	if (s->open && s->p.len + 64 > sizeof(s->p.buf))
		gen_flush(s);
	if (!s->open) {
		pkt_begin(&s->p, s->slot, s->seq, s->discarded, s->tid);
		s->open = 1;
	}
}

static inline void gen_ev(struct gen_stream *s, uint64_t ts, uint32_t id)
{
	gen_room(s);
	/* Compact: the low 24 bits of the time, the reader carrying the
	 * rest over from the previous event (gaps here are far below 2^24). */
	if (s->compact && id < PROF_EVENT_COMPACT_IDS)
		pkt_event_compact(&s->p, ts, id);
	else
		pkt_event(&s->p, ts, id);
}

/* A gap: the current packet ends, @packets are missing, @events discarded. */
static inline void gen_loss(struct gen_stream *s, uint64_t packets, uint64_t events)
{
	gen_flush(s);
	s->seq += packets;
	s->discarded += events;
}

static inline void gen_desc(struct prof_trace_desc *d, struct prof_schema_event ev[GEN_NEVENTS])
{
	gen_schema(ev);
	test_desc(d, ev, GEN_NEVENTS);
	memset(&d->clock, 0, sizeof(d->clock));
	d->clock.source = PROF_CLOCK_MONOTONIC;
	d->clock.freq_hz = 1000000000u;
	memset(&d->counts, 0, sizeof(d->counts));
}

static inline struct prof_ctf_writer *gen_open(const char *dir, struct prof_trace_desc *d,
					       struct prof_schema_event ev[GEN_NEVENTS])
{
	struct prof_ctf_writer *w;
	struct prof_error err;

	gen_desc(d, ev);
	CHECK_OK(prof_ctf_writer_open(&w, dir, &err));
	CHECK_OK(prof_ctf_writer_metadata(w, d, &err));
	return w;
}

#define MS 1000000ull

/*
 * The fixed trace written in two steps, for the live view: first stream 0's
 * events up to 5 ms and stream 1's, then @between() (which waits for the
 * test), then the rest of stream 0, then the trace is closed.
 */
static inline void gen_fixed_live(const char *dir, void (*between)(void *), void *arg)
{
	struct prof_schema_event ev[GEN_NEVENTS];
	struct prof_trace_desc d;
	struct gen_stream a = { .slot = 0, .tid = 100 }, b = { .slot = 1, .tid = 101 };

	a.w = b.w = gen_open(dir, &d, ev);
	gen_ev(&a, 0, GEN_WORK_B);
	pkt_str(&a.p, "request A");
	gen_ev(&a, 1 * MS, GEN_HEAP);
	pkt_put(&a.p, 100, 8);
	gen_ev(&a, 2 * MS, GEN_MINOR_B);
	gen_ev(&a, 3 * MS, GEN_MINOR_E);
	gen_ev(&a, 5 * MS, GEN_WORK_E);
	gen_flush(&a);
	gen_ev(&b, 1 * MS, GEN_WORK_B);
	pkt_str(&b.p, "request B");
	gen_ev(&b, 4 * MS, GEN_WORK_E);
	gen_ev(&b, 8 * MS, GEN_TICK);
	pkt_put(&b.p, 2, 4);
	gen_flush(&b);
	between(arg);
	gen_ev(&a, 6 * MS, GEN_TICK);
	pkt_put(&a.p, 1, 4);
	gen_ev(&a, 7 * MS, GEN_MAJOR_B);
	gen_ev(&a, 9 * MS, GEN_MAJOR_E);
	gen_ev(&a, 9 * MS + MS / 2, GEN_HEAP);
	pkt_put(&a.p, 300, 8);
	gen_ev(&a, 10 * MS, GEN_MSG);
	pkt_str(&a.p, "hello world");
	gen_flush(&a);
	CHECK_OK(prof_ctf_writer_close(a.w));
}

static inline void gen_nothing(void *arg)
{
	(void)arg;
}

static inline void gen_fixed(const char *dir)
{
	gen_fixed_live(dir, gen_nothing, NULL);
}

/* A small deterministic PRNG (xorshift64*). */
static inline uint64_t gen_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

/*
 * About @n events over @threads streams: nested work spans (depth up to
 * 3) with GC spans inside, ticks, heap counter samples and messages;
 * every 50th packet of a stream is followed by a loss when @loss is set;
 * with compact (4-byte) event headers when @compact is, else extended
 * (12-byte) ones.
 */
static inline uint64_t gen_bulk_headers(const char *dir, uint64_t n, unsigned int threads, int loss, uint64_t seed,
					int compact)
{
	struct prof_schema_event ev[GEN_NEVENTS];
	struct prof_trace_desc d;
	struct gen_stream *s = calloc(threads, sizeof(*s));
	struct prof_ctf_writer *w = gen_open(dir, &d, ev);
	uint64_t written = 0;

	CHECK(s != NULL);
	for (unsigned int t = 0; t < threads; t++) {
		uint64_t ts = 1000 + t, rnd = seed * 7919 + t + 1, per = n / threads, k = 0, heap = 1 << 20;
		unsigned int depth = 0;
		uint32_t open[4];

		s[t].w = w;
		s[t].compact = compact;
		s[t].slot = t;
		s[t].tid = 1000 + t;
		while (k < per) {
			uint64_t r = gen_rand(&rnd);

			ts += 1 + r % 2000;
			if (depth < 3 && r % 7 < 3) {
				uint32_t id = depth > 0 && r % 5 == 0 ? (r % 2 ? GEN_MINOR_B : GEN_MAJOR_B) : GEN_WORK_B;

				gen_ev(&s[t], ts, id);
				if (id == GEN_WORK_B)
					pkt_str(&s[t].p, r % 3 ? "request" : "batch job");
				open[depth++] = id + 1;
			} else if (depth > 0 && r % 7 < 5) {
				gen_ev(&s[t], ts, open[--depth]);
			} else if (r % 7 == 5) {
				gen_ev(&s[t], ts, GEN_HEAP);
				heap += r % 4096;
				pkt_put(&s[t].p, heap, 8);
			} else if (r % 3 == 0) {
				gen_ev(&s[t], ts, GEN_MSG);
				pkt_str(&s[t].p, r % 2 ? "cache miss" : "hello");
			} else {
				gen_ev(&s[t], ts, GEN_TICK);
				pkt_put(&s[t].p, (uint32_t)k, 4);
			}
			k++;
			if (loss && s[t].p.len + 64 > sizeof(s[t].p.buf) && s[t].seq % 50 == 49)
				gen_loss(&s[t], 1, 10);
		}
		while (depth > 0)
			gen_ev(&s[t], ts += 10, open[--depth]);
		gen_flush(&s[t]);
		written += k;
	}
	CHECK_OK(prof_ctf_writer_close(w));
	free(s);
	return written;
}

/* gen_bulk_headers() with extended headers. */
static inline uint64_t gen_bulk(const char *dir, uint64_t n, unsigned int threads, int loss, uint64_t seed)
{
	return gen_bulk_headers(dir, n, threads, loss, seed, 0);
}

#endif
