/* SPDX-License-Identifier: MIT */
/*
 * The statistics `mprof compare` computes through the analysis library
 * (profile/analysis.h), on inputs whose answer is known: the nearest rank,
 * Mann-Whitney U with ties (worked by hand), Holm's adjustment, the
 * seeded bootstrap (reproducible; its 95% interval of a quantile change
 * covers the truth about 95% of the time, one run and several), and the
 * analysis' observer (each timed span with its times, each gap) and
 * keep_durations(0).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/check.h"
#include "profile/profile.h"

#define CHECK_NEAR(a, b, eps)                                                             \
	do {                                                                              \
		double a__ = (a), b__ = (b);                                              \
		if (!(fabs(a__ - b__) <= (eps)))                                          \
			CHECK_FAIL("check failed: %s ~ %s (%.17g vs %.17g)", #a, #b, a__, b__); \
	} while (0)

static void test_rank(void)
{
	double v[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };

	CHECK_EQ(prof_quantile_rank(0, 0.5), 0);
	CHECK_EQ(prof_quantile_rank(10, 0.5), 5);
	CHECK_EQ(prof_quantile_rank(10, 0.51), 6);
	CHECK_EQ(prof_quantile_rank(10, 0.99), 10);
	CHECK_EQ(prof_quantile_rank(10, 0.0), 1);
	CHECK_EQ(prof_quantile_rank(10, NAN), 1);
	CHECK_EQ(prof_quantile_rank(10, 1.5), 10);
	CHECK_NEAR(prof_quantile(v, 10, 0.9), 9.0, 0);
	CHECK(isnan(prof_quantile(v, 0, 0.5)));
}

static int cmp_ref(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	if (isnan(a) || isnan(b))
		return isnan(b) - isnan(a);
	return a < b ? -1 : a > b;
}

/* The radix sort (large inputs) agrees with qsort, NaNs first. */
static void test_sort(void)
{
	enum { N = 100000 };
	double *v = malloc(N * sizeof(double)), *w = malloc(N * sizeof(double));
	struct prof_rng r;

	CHECK(v && w);
	prof_rng_seed(&r, 3);
	for (size_t i = 0; i < N; i++) {
		uint64_t k = prof_rng_next(&r) % 8;

		v[i] = k == 0 ? NAN : k == 1 ? -(double)(prof_rng_next(&r) % 1000) : k == 2 ? 1e300 * prof_rng_uniform(&r)
		       : k == 3 ? -1e-300 * prof_rng_uniform(&r) : (double)(prof_rng_next(&r) % 100000);
	}
	memcpy(w, v, N * sizeof(double));
	prof_sort_doubles(v, N);
	qsort(w, N, sizeof(double), cmp_ref);
	for (size_t i = 0; i < N; i++)
		if (!(v[i] == w[i] || (isnan(v[i]) && isnan(w[i]))))
			CHECK_FAIL("sorted[%zu]: %.17g vs qsort's %.17g", i, v[i], w[i]);
	free(v);
	free(w);
}

static void test_mann_whitney(void)
{
	/* Worked by hand: ranks 1 | 2 2 2 -> 3 | 3 3 3 -> 6 | 8; R_x = 13,
	 * U_x = 3; ties 2 groups of 3: var = 16/12 (9 - 48/56); z with the
	 * continuity correction = -4.5 / sqrt(var). */
	const double x[] = { 1, 2, 2, 3 }, y[] = { 2, 3, 3, 4 };
	const double a[] = { 1, 2, 3 }, b[] = { 4, 5, 6 };
	const double t[] = { 7, 7, 7 };
	struct prof_mwu r;

	prof_mann_whitney(x, 4, y, 4, &r);
	CHECK_NEAR(r.u, 3.0, 1e-12);
	CHECK_NEAR(r.auc, 3.0 / 16.0, 1e-12);
	CHECK_NEAR(r.z, -1.365698202000489, 1e-12);
	CHECK_NEAR(r.p, 0.17203370892182296, 1e-12);
	/* Symmetric: swapping the samples gives U' = n1 n2 - U, the same p. */
	prof_mann_whitney(y, 4, x, 4, &r);
	CHECK_NEAR(r.u, 13.0, 1e-12);
	CHECK_NEAR(r.p, 0.17203370892182296, 1e-12);
	prof_mann_whitney(a, 3, b, 3, &r);
	CHECK_NEAR(r.u, 0.0, 0);
	CHECK(r.z < 0);
	prof_mann_whitney(b, 3, a, 3, &r);
	CHECK_NEAR(r.u, 9.0, 0);
	CHECK_NEAR(r.auc, 1.0, 0);
	/* Every value tied: no evidence; an empty side: none either. */
	prof_mann_whitney(t, 3, t, 3, &r);
	CHECK_NEAR(r.p, 1.0, 0);
	prof_mann_whitney(a, 3, b, 0, &r);
	CHECK_NEAR(r.p, 1.0, 0);
	CHECK_NEAR(r.auc, 0.5, 0);
}

static void test_holm(void)
{
	double p[] = { 0.01, 0.04, 0.03, 0.005 }, one[] = { 0.7 };

	/* Sorted 0.005 0.01 0.03 0.04 times 4 3 2 1 = 0.02 0.03 0.06 0.04,
	 * then the running maximum: 0.02 0.03 0.06 0.06. */
	CHECK_OK(prof_holm(p, 4));
	CHECK_NEAR(p[0], 0.03, 1e-15);
	CHECK_NEAR(p[1], 0.06, 1e-15);
	CHECK_NEAR(p[2], 0.06, 1e-15);
	CHECK_NEAR(p[3], 0.02, 1e-15);
	CHECK_OK(prof_holm(one, 1));
	CHECK_NEAR(one[0], 0.7, 0);
	CHECK_OK(prof_holm(NULL, 0));
}

static double lognormal(struct prof_rng *r, double median, double sigma)
{
	double u = prof_rng_uniform(r), v = prof_rng_uniform(r);

	return median * exp(sigma * sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v));
}

/* @nruns runs of @n values each, for one side; pooled too. */
struct side {
	double *run[4];
	size_t nrun[4];
	double *pooled;
	struct prof_sample_set set;
};

static void make_side(struct side *s, struct prof_rng *r, size_t nruns, size_t n, double scale)
{
	size_t k = 0;

	memset(s, 0, sizeof(*s));
	s->pooled = malloc(nruns * n * sizeof(double));
	CHECK(s->pooled != NULL);
	for (size_t i = 0; i < nruns; i++) {
		s->run[i] = malloc(n * sizeof(double));
		CHECK(s->run[i] != NULL);
		for (size_t j = 0; j < n; j++)
			s->pooled[k++] = s->run[i][j] = lognormal(r, 100.0, 0.5) * scale;
		prof_sort_doubles(s->run[i], n);
		s->nrun[i] = n;
	}
	prof_sort_doubles(s->pooled, k);
	s->set.nruns = nruns;
	s->set.run = (const double *const *)s->run;
	s->set.nrun = s->nrun;
	s->set.pooled = s->pooled;
	s->set.npooled = k;
}

static void free_side(struct side *s)
{
	for (size_t i = 0; i < 4; i++)
		free(s->run[i]);
	free(s->pooled);
}

/* How often the 95% interval of the p50 change covers the true change. */
static void coverage(size_t nruns, double scale)
{
	struct prof_rng r;
	int covered = 0, trials = 200;

	prof_rng_seed(&r, 42 + nruns);
	for (int t = 0; t < trials; t++) {
		struct side b, n;
		struct prof_bootstrap_ci ci;

		make_side(&b, &r, nruns, 400, 1.0);
		make_side(&n, &r, nruns, 400, scale);
		CHECK_OK(prof_bootstrap_quantile_change(&b.set, &n.set, 0.5, 0.95, 400, (uint64_t)t, &ci));
		CHECK(ci.lo <= ci.change + 1e-12 && ci.change <= ci.hi + 1e-12);
		covered += ci.lo <= scale - 1.0 && scale - 1.0 <= ci.hi;
		free_side(&b);
		free_side(&n);
	}
	printf("bootstrap: %zu run(s) a side, change %+.0f%%: the 95%% interval covered it %d of %d times\n",
	       nruns, (scale - 1.0) * 100.0, covered, trials);
	CHECK_GE(covered, trials * 88 / 100);
	CHECK_LE(covered, trials * 995 / 1000);
}

static void test_bootstrap(void)
{
	struct prof_rng r;
	struct side b, n;
	struct prof_bootstrap_ci c1, c2, c3;

	prof_rng_seed(&r, 7);
	make_side(&b, &r, 2, 300, 1.0);
	make_side(&n, &r, 2, 300, 1.2);
	CHECK_OK(prof_bootstrap_quantile_change(&b.set, &n.set, 0.9, 0.95, 500, 99, &c1));
	CHECK_OK(prof_bootstrap_quantile_change(&b.set, &n.set, 0.9, 0.95, 500, 99, &c2));
	CHECK_OK(prof_bootstrap_quantile_change(&b.set, &n.set, 0.9, 0.95, 500, 100, &c3));
	/* The same seed gives the same interval, bit for bit; another seed
	 * another interval around the same observed change. */
	CHECK(memcmp(&c1, &c2, sizeof(c1)) == 0);
	CHECK(c1.lo != c3.lo || c1.hi != c3.hi);
	CHECK_NEAR(c1.change, c3.change, 0);
	CHECK_NEAR(c1.change, prof_quantile(n.pooled, 600, 0.9) / prof_quantile(b.pooled, 600, 0.9) - 1.0, 1e-12);
	/* An empty side: undefined, not a crash. */
	b.set.npooled = 0;
	CHECK_OK(prof_bootstrap_quantile_change(&b.set, &n.set, 0.5, 0.95, 100, 1, &c1));
	CHECK(isnan(c1.change) && isnan(c1.lo));
	free_side(&b);
	free_side(&n);
	coverage(1, 1.0);
	coverage(1, 1.15);
	coverage(3, 1.0);
}

/* ---- The observer ---- */

static struct prof_schema_event evs[3];
static int nspans, ngaps;
static uint64_t seen_begin, seen_end, gap_at;

static void observer(void *arg, enum prof_analysis_what what, const struct prof_span_stats *s,
		     const struct prof_decoded_event *end, uint64_t begin_ns, uint64_t end_ns)
{
	CHECK(arg == &nspans);
	if (what == PROF_ANALYSIS_GAP) {
		ngaps++;
		gap_at = begin_ns;
		CHECK(s == NULL && begin_ns == end_ns && end->timestamp == begin_ns);
		return;
	}
	CHECK_EQ(what, PROF_ANALYSIS_SPAN);
	CHECK_STREQ(s->name, "w");
	nspans++;
	seen_begin = begin_ns;
	seen_end = end_ns;
}

static void feed(struct prof_analysis *a, int id, uint64_t ts, uint64_t seq, uint64_t discarded)
{
	struct prof_decoded_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.timestamp = ts;
	ev.id = (uint32_t)id;
	ev.tid = 1;
	ev.desc = &evs[id];
	ev.packet_seq = seq;
	ev.packet_discarded = discarded;
	CHECK_OK(prof_analysis_add(a, &ev));
}

static void test_observer(void)
{
	struct prof_clock_desc clk;
	struct prof_analysis *a;
	struct prof_span_stats *s;

	memset(evs, 0, sizeof(evs));
	snprintf(evs[0].name, sizeof(evs[0].name), "w.begin");
	evs[0].kind = PROF_KIND_SPAN_BEGIN;
	snprintf(evs[1].name, sizeof(evs[1].name), "w.end");
	evs[1].id = 1;
	evs[1].kind = PROF_KIND_SPAN_END;
	snprintf(evs[2].name, sizeof(evs[2].name), "tick");
	evs[2].id = 2;
	evs[2].kind = PROF_KIND_INSTANT;
	memset(&clk, 0, sizeof(clk));
	clk.source = PROF_CLOCK_MONOTONIC;
	clk.freq_hz = 1000000000ull;
	a = prof_analysis_new(&clk);
	CHECK(a != NULL);
	prof_analysis_set_observer(a, observer, &nspans);
	prof_analysis_keep_durations(a, 0);
	feed(a, 0, 100, 0, 0);
	feed(a, 1, 350, 0, 0);
	CHECK_EQ(nspans, 1);
	CHECK_EQ(seen_begin, 100);
	CHECK_EQ(seen_end, 350);
	/* The next packet says 3 events were lost: a gap at its first event;
	 * the span open across it is not timed (and not observed). */
	feed(a, 0, 400, 1, 0);
	feed(a, 2, 500, 2, 3);
	feed(a, 1, 600, 2, 3);
	CHECK_EQ(ngaps, 1);
	CHECK_EQ(gap_at, 500);
	CHECK_EQ(nspans, 1);
	s = prof_analysis_span_find(a, "w");
	CHECK(s != NULL);
	CHECK_EQ(s->count, 1);
	CHECK_EQ(s->total_ns, 250);
	CHECK_EQ(s->broken_by_loss, 1);
	/* Without durations kept, no percentile (and no crash). */
	CHECK_EQ(prof_span_percentile(s, 0.5), 0);
	prof_analysis_free(a);
}

int main(void)
{
	test_rank();
	test_sort();
	test_mann_whitney();
	test_holm();
	test_bootstrap();
	test_observer();
	printf("test_compare_stats: ok\n");
	return 0;
}
