/* SPDX-License-Identifier: MIT */
/*
 * The trace source's timestamps equal prof_clock_to_ns() of the trace's
 * ticks whatever the clock: a 3 GHz TSC (the division), and clocks of a
 * whole number of nanoseconds a tick (1 GHz, 1 MHz: a multiply), with
 * ticks before the reference (a negative offset), a result that clamps
 * to 0 and one that clamps to UINT64_MAX.
 */
#include "test_ctf_util.h"
#include "mprof_source.h"

static void check_clock(const char *tmp, const char *name, uint64_t freq, uint64_t ref_ticks, uint64_t ref_ns,
			const uint64_t *ticks, size_t n)
{
	struct prof_schema_event ev[TEST_NEVENTS];
	struct prof_trace_desc desc;
	struct prof_ctf_writer *w;
	struct mprof_source *s;
	struct prof_decoded_event e;
	struct prof_error err;
	struct test_pkt p = { .swap = false };
	char dir[512];

	snprintf(dir, sizeof(dir), "%s/%s", tmp, name);
	test_schema(ev);
	test_desc(&desc, ev, TEST_NEVENTS);
	desc.clock.freq_hz = freq;
	desc.clock.ref_ticks = ref_ticks;
	desc.clock.ref_monotonic_ns = ref_ns;
	CHECK_OK(prof_ctf_writer_open(&w, dir, &err));
	CHECK_OK(prof_ctf_writer_metadata(w, &desc, &err));
	pkt_begin(&p, 0, 0, 0, 10);
	for (size_t i = 0; i < n; i++)
		pkt_event(&p, ticks[i], 2);
	pkt_end(&p);
	CHECK_OK(prof_ctf_writer_packet(w, 0, p.buf, p.len));
	CHECK_OK(prof_ctf_writer_close(w));
	CHECK_OK(mprof_source_open(&s, dir, 0, &err));
	for (size_t i = 0; i < n; i++) {
		uint64_t want = prof_clock_to_ns(&desc.clock, ticks[i]);

		CHECK_EQ(mprof_source_next(s, &e), 1);
		if (e.timestamp != want)
			CHECK_FAIL("%s: tick %" PRIu64 " is %" PRIu64 " ns, prof_clock_to_ns() says %" PRIu64, name,
				   ticks[i], e.timestamp, want);
	}
	CHECK_EQ(mprof_source_next(s, &e), 0);
	mprof_source_close(s);
}

int main(void)
{
	char *tmp = test_tmpdir("source-clock");
	static const uint64_t tsc[] = { 1, 4999999999999ull, 5000000000000ull, 5000000003001ull, UINT64_MAX / 2 };
	static const uint64_t ns[] = { 0, 999, 1000, 1001, 123456789012ull, UINT64_MAX - 5, UINT64_MAX };
	static const uint64_t us[] = { 0, 7, 1000000, 18446744073709551ull, 18446744073709552ull, UINT64_MAX };

	check_clock(tmp, "tsc", 3000000000ull, 5000000000000ull, 1666666666666ull, tsc, 5);
	/* 1 GHz: the reference at tick 1000 is 500 ns, so ticks below 500
	 * clamp to 0; near UINT64_MAX the sum clamps. */
	check_clock(tmp, "ns", 1000000000ull, 1000, 500, ns, 7);
	/* 1 MHz: 1000 ns a tick; past UINT64_MAX / 1000 ticks it clamps. */
	check_clock(tmp, "us", 1000000ull, 7, 3000, us, 6);
	CHECK_EQ_U(prof_clock_to_ns(&(struct prof_clock_desc){ .freq_hz = 1000000ull, .ref_ticks = 7,
						  .ref_monotonic_ns = 3000 }, UINT64_MAX), UINT64_MAX);
	rm_rf(tmp);
	free(tmp);
	printf("test_source_clock: ok\n");
	return 0;
}
