/* SPDX-License-Identifier: MIT */
/*
 * stats_trace DIR KIND - write a small trace directory whose `mprof stats`
 * answer is known, for tests/t_stats_json.sh:
 *
 *   exact  counters at the edges of exactness (UINT64_MAX, INT64_MAX,
 *          2^53 + 1, 0, INT64_MIN, NaN, +-Infinity, 0.5), one span, and
 *          region-level counts in the description (UINT64_MAX, INT64_MAX,
 *          3, 4, 2^53 + 1; they reach `stats` once the metadata env
 *          carries them);
 *   gap    a span across a place where its stream discarded 5 events
 *          (packet 1's events_discarded grew), then a 100 ns span inside
 *          packet 1: stats must time only the second; then a begin
 *          that never ends (unmatched).
 *
 * The clock is test_clock()'s 3 GHz TSC: 300 ticks are 100 ns.
 */
#include <math.h>

#include "test_ctf_util.h"

enum { C_U64MAX, C_I64MAX, C_BIG, C_ZERO, C_S64MIN, C_SBIG, C_NAN, C_INF, C_NINF, C_HALF, W_B, W_E, NEV };

static struct prof_schema_event evs[NEV];

static void counter(int id, const char *name, uint8_t type)
{
	test_event(&evs[id], (uint32_t)id, name, PROF_KIND_COUNTER);
	test_field(&evs[id], "value", type, 0);
}

int main(int argc, char **argv)
{
	const uint64_t t0 = 5000000000000ull; /* the clock's reference */
	struct prof_ctf_writer *w = NULL;
	struct prof_trace_desc desc;
	struct prof_error err;
	struct test_pkt p = { .swap = false };
	int gap;

	if (argc != 3 || (strcmp(argv[2], "exact") && strcmp(argv[2], "gap"))) {
		fprintf(stderr, "usage: stats_trace DIR exact|gap\n");
		return 2;
	}
	gap = !strcmp(argv[2], "gap");
	counter(C_U64MAX, "c.u64_max", PROF_TYPE_U64);
	counter(C_I64MAX, "c.i64_max", PROF_TYPE_U64);
	counter(C_BIG, "c.two53_plus1", PROF_TYPE_U64);
	counter(C_ZERO, "c.zero", PROF_TYPE_U64);
	counter(C_S64MIN, "c.s64_min", PROF_TYPE_S64);
	counter(C_SBIG, "c.minus_two53_plus1", PROF_TYPE_S64);
	counter(C_NAN, "c.nan", PROF_TYPE_F64);
	counter(C_INF, "c.inf", PROF_TYPE_F64);
	counter(C_NINF, "c.ninf", PROF_TYPE_F64);
	counter(C_HALF, "c.half", PROF_TYPE_F64);
	test_event(&evs[W_B], W_B, "w.begin", PROF_KIND_SPAN_BEGIN);
	test_event(&evs[W_E], W_E, "w.end", PROF_KIND_SPAN_END);
	test_desc(&desc, evs, NEV);
	desc.counts.dropped_no_slot = UINT64_MAX;
	desc.counts.refused_events = (uint64_t)INT64_MAX;
	desc.counts.refused_invalid = 3;
	desc.counts.schema_errors = 4;
	desc.counts.strings_truncated = (1ull << 53) + 1;

	CHECK_OK(prof_ctf_writer_open(&w, argv[1], &err));
	CHECK_OK(prof_ctf_writer_metadata(w, &desc, &err));
	if (!gap) {
		pkt_begin(&p, 0, 0, 0, 1000);
		pkt_event(&p, t0 + 10, C_U64MAX); pkt_put(&p, UINT64_MAX, 8);
		pkt_event(&p, t0 + 20, C_I64MAX); pkt_put(&p, (uint64_t)INT64_MAX, 8);
		pkt_event(&p, t0 + 30, C_BIG); pkt_put(&p, (1ull << 53) + 1, 8);
		pkt_event(&p, t0 + 40, C_ZERO); pkt_put(&p, 0, 8);
		pkt_event(&p, t0 + 50, C_S64MIN); pkt_put(&p, (uint64_t)INT64_MIN, 8);
		pkt_event(&p, t0 + 60, C_SBIG); pkt_put(&p, (uint64_t)-(int64_t)((1ull << 53) + 1), 8);
		pkt_event(&p, t0 + 70, C_NAN); pkt_f64(&p, NAN);
		pkt_event(&p, t0 + 80, C_INF); pkt_f64(&p, INFINITY);
		pkt_event(&p, t0 + 90, C_NINF); pkt_f64(&p, -INFINITY);
		pkt_event(&p, t0 + 100, C_HALF); pkt_f64(&p, 0.5);
		pkt_event(&p, t0 + 300, W_B);
		pkt_event(&p, t0 + 600, W_E);
		pkt_end(&p);
		CHECK_OK(prof_ctf_writer_packet(w, 0, p.buf, p.len));
	} else {
		pkt_begin(&p, 0, 0, 0, 1000);
		pkt_event(&p, t0 + 300, W_B);
		pkt_end(&p);
		CHECK_OK(prof_ctf_writer_packet(w, 0, p.buf, p.len));
		/* 5 events discarded: the ring was full.  42.81 ms later. */
		pkt_begin(&p, 0, 1, 5, 1000);
		pkt_event(&p, t0 + 300 + 128430000ull, W_E);
		pkt_event(&p, t0 + 300 + 128430300ull, W_B);
		pkt_event(&p, t0 + 300 + 128430600ull, W_E);
		pkt_event(&p, t0 + 300 + 128430900ull, W_B); /* never ends */
		pkt_end(&p);
		CHECK_OK(prof_ctf_writer_packet(w, 0, p.buf, p.len));
	}
	CHECK_OK(prof_ctf_writer_close(w));
	return 0;
}
