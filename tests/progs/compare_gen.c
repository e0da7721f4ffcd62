/* SPDX-License-Identifier: MIT */
/*
 * compare_gen DIR SEED N SCALE [MODE] - write a trace with known
 * distributions for tests/t_compare.sh:
 *
 *   work      N spans, log-normal durations (median 100 us * SCALE, sigma 0.5)
 *   gc.minor  N/4 spans, log-normal (median 40 us, sigma 0.3), never scaled
 *   tick      an instant after every span
 *   heap      a counter (u64): uniform 1000..2000
 *   phase.start / phase.end  markers around the first half of the spans
 *
 * MODE: "all" (default) scales every work span; "tail" scales only those
 * after phase.end (so a --phase comparison sees no change); "loss" is
 * "all" plus a packet whose events_discarded grew by 7 in the middle;
 * "mismatch" is "all" with heap an s64 (a schema compare must refuse).
 * One stream, packets of 400 events, the clock test_clock()'s 3 GHz TSC.
 */
#include <math.h>

#include "test_ctf_util.h"

enum { WB, WE, GB, GE, TICK, HEAP, PS, PE, NEV };

static struct prof_schema_event evs[NEV];
static struct prof_ctf_writer *w;
static struct test_pkt p;
static uint64_t seq, discarded, in_pkt;

static void flush(void)
{

	if (!in_pkt)
		return;
	pkt_end(&p);
	CHECK_OK(prof_ctf_writer_packet(w, 0, p.buf, p.len));
	in_pkt = 0;
}

static void event(uint64_t ts, uint32_t id)
{
	if (in_pkt == 400)
		flush();
	if (!in_pkt)
		pkt_begin(&p, 0, seq++, discarded, 1000);
	in_pkt++;
	pkt_event(&p, ts, id);
}

static double lognormal(struct prof_rng *r, double median, double sigma)
{
	double u = prof_rng_uniform(r), v = prof_rng_uniform(r);

	return median * exp(sigma * sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v));
}

int main(int argc, char **argv)
{
	const uint64_t t0 = 5000000000000ull;
	struct prof_trace_desc desc;
	struct prof_error err;
	struct prof_rng r;
	const char *mode = argc > 5 ? argv[5] : "all";
	uint64_t n, t = t0;
	double scale;

	if (argc < 5 || argc > 6 || (strcmp(mode, "all") && strcmp(mode, "tail") && strcmp(mode, "loss") && strcmp(mode, "mismatch"))) {
		fprintf(stderr, "usage: compare_gen DIR SEED N SCALE [all|tail|loss|mismatch]\n");
		return 2;
	}
	prof_rng_seed(&r, strtoull(argv[2], NULL, 10));
	n = strtoull(argv[3], NULL, 10);
	scale = strtod(argv[4], NULL);
	test_event(&evs[WB], WB, "work.begin", PROF_KIND_SPAN_BEGIN);
	test_event(&evs[WE], WE, "work.end", PROF_KIND_SPAN_END);
	test_event(&evs[GB], GB, "gc.minor.begin", PROF_KIND_SPAN_BEGIN);
	test_event(&evs[GE], GE, "gc.minor.end", PROF_KIND_SPAN_END);
	test_event(&evs[TICK], TICK, "tick", PROF_KIND_INSTANT);
	test_event(&evs[HEAP], HEAP, "heap", PROF_KIND_COUNTER);
	test_field(&evs[HEAP], "value", strcmp(mode, "mismatch") ? PROF_TYPE_U64 : PROF_TYPE_S64, 0);
	test_event(&evs[PS], PS, "phase.start", PROF_KIND_INSTANT);
	test_event(&evs[PE], PE, "phase.end", PROF_KIND_INSTANT);
	test_desc(&desc, evs, NEV);
	memset(&desc.counts, 0, sizeof(desc.counts));
	CHECK_OK(prof_ctf_writer_open(&w, argv[1], &err));
	CHECK_OK(prof_ctf_writer_metadata(w, &desc, &err));
	event(t, PS);
	for (uint64_t i = 0; i < n; i++) {
		int scaled = strcmp(mode, "tail") || i >= n / 2;
		double us = lognormal(&r, 100.0, 0.5) * (scaled ? scale : 1.0);

		if (i == n / 2) {
			event(t += 3000, PE);
			if (!strcmp(mode, "loss")) {
				flush();
				discarded += 7; /* the ring was full: 7 events lost here */
			}
		}
		event(t += 3000, WB);
		event(t += (uint64_t)(us * 3000.0) + 1, WE);
		event(t += 300, TICK);
		event(t += 300, HEAP);
		pkt_put(&p, 1000 + prof_rng_next(&r) % 1001, 8);
		if (i % 4 == 0) {
			event(t += 3000, GB);
			event(t += (uint64_t)(lognormal(&r, 40.0, 0.3) * 3000.0) + 1, GE);
		}
	}
	flush();
	CHECK_OK(prof_ctf_writer_close(w));
	return 0;
}
