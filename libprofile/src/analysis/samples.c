/* SPDX-License-Identifier: MIT */
/*
 * src/analysis/samples.c - statistics on samples for `mprof compare`: the
 * Mann-Whitney U test, Holm's adjustment, a seeded generator and the
 * bootstrap of a quantile's relative change (contracts in
 * profile/analysis.h).
 *
 * The bootstrap never builds a resample.  One resample of a side is:
 *
 *   runs:   [r0 r1 r2]  --draw 3 with replacement-->  weights w = (2, 0, 1)
 *   values: N = 2 n0 + n2 draws from F_w, the weighted empirical CDF
 *   the r-th smallest of those N draws  =  F_w^-1(U),  U ~ Beta(r, N - r + 1)
 *
 * so a quantile of a resample is one Beta variate and a binary search of
 * the pooled sorted values for the first v with sum_i w_i #{run_i <= v}
 * >= ceil(U N).  Exact, and O(runs log^2 n) instead of O(N log N).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis_private.h"

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	if (isnan(a) || isnan(b))
		return isnan(b) - isnan(a);
	return a < b ? -1 : a > b;
}

/* A double's bits, mapped so that unsigned order is numeric order. */
static uint64_t radix_key(double d)
{
	uint64_t u;

	memcpy(&u, &d, sizeof(u));
	return u >> 63 ? ~u : u | (1ull << 63);
}

/*
 * LSD radix sort, 16 bits a pass, passes where every key has the same
 * digit skipped: compare sorts millions of samples a metric, where
 * qsort's comparator calls were most of its time.  Returns -ENOMEM if it
 * could not get its buffer (the caller falls back to qsort).
 */
static int radix_sort(double *v, size_t n)
{
	uint64_t *a = malloc(n * sizeof(*a)), *b = malloc(n * sizeof(*b)), *t;
	size_t *count = calloc(65536, sizeof(*count));

	if (!a || !b || !count) {
		free(a);
		free(b);
		free(count);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		a[i] = radix_key(v[i]);
	for (int shift = 0; shift < 64; shift += 16) {
		size_t sum = 0;

		memset(count, 0, 65536 * sizeof(*count));
		for (size_t i = 0; i < n; i++)
			count[a[i] >> shift & 0xffff]++;
		if (count[a[0] >> shift & 0xffff] == n)
			continue; /* one digit for all: nothing to move */
		for (size_t d = 0; d < 65536; d++) {
			size_t c = count[d];

			count[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			b[count[a[i] >> shift & 0xffff]++] = a[i];
		t = a;
		a = b;
		b = t;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t u = a[i] >> 63 ? a[i] & ~(1ull << 63) : ~a[i];

		memcpy(&v[i], &u, sizeof(u));
	}
	free(a);
	free(b);
	free(count);
	return 0;
}

PROF_EXPORT void prof_sort_doubles(double *v, size_t n)
{
	size_t nan = 0;

	if (n < 4096) {
		if (n > 1)
			qsort(v, n, sizeof(*v), cmp_double);
		return;
	}
	/* NaNs first (as the comparator puts them), the rest by radix. */
	for (size_t i = 0; i < n; i++)
		if (isnan(v[i])) {
			double t = v[nan];

			v[nan++] = v[i];
			v[i] = t;
		}
	if (radix_sort(v + nan, n - nan) != 0)
		qsort(v + nan, n - nan, sizeof(*v), cmp_double);
}

PROF_EXPORT double prof_quantile(const double *sorted, size_t n, double q)
{
	if (!n)
		return NAN;
	return sorted[prof_quantile_rank(n, q) - 1];
}

/* ---- Mann-Whitney U ---- */

PROF_EXPORT void prof_mann_whitney(const double *x, size_t nx, const double *y, size_t ny, struct prof_mwu *out)
{
	double n = (double)nx + (double)ny, rank_sum = 0.0, ties = 0.0, mean, var, d;
	size_t i = 0, j = 0, done = 0;

	memset(out, 0, sizeof(*out));
	out->p = 1.0;
	out->auc = 0.5;
	if (!nx || !ny)
		return;
	/* One merge: each group of equal values (from either sample) takes
	 * the mean of the ranks it spans. */
	while (i < nx || j < ny) {
		double v = j >= ny || (i < nx && x[i] <= y[j]) ? x[i] : y[j];
		size_t cx = 0, cy = 0;
		double t, mid;

		while (i < nx && x[i] == v)
			i++, cx++;
		while (j < ny && y[j] == v)
			j++, cy++;
		t = (double)(cx + cy);
		mid = (double)done + (t + 1.0) / 2.0;
		rank_sum += (double)cx * mid;
		ties += t * t * t - t;
		done += cx + cy;
	}
	out->u = rank_sum - (double)nx * ((double)nx + 1.0) / 2.0;
	out->auc = out->u / ((double)nx * (double)ny);
	mean = (double)nx * (double)ny / 2.0;
	var = (double)nx * (double)ny / 12.0 * ((n + 1.0) - ties / (n * (n - 1.0)));
	if (!(var > 0.0))
		return; /* every value ties: no evidence either way */
	d = out->u - mean;
	/* Continuity correction: half a step towards the mean. */
	d = d > 0.5 ? d - 0.5 : d < -0.5 ? d + 0.5 : 0.0;
	out->z = d / sqrt(var);
	out->p = erfc(fabs(out->z) / sqrt(2.0));
	if (out->p > 1.0)
		out->p = 1.0;
}

/* ---- Holm ---- */

struct pidx {
	double p;
	size_t i;
};

static int cmp_pidx(const void *x, const void *y)
{
	const struct pidx *a = x, *b = y;

	if (a->p != b->p)
		return a->p < b->p ? -1 : 1;
	return a->i < b->i ? -1 : a->i > b->i;
}

PROF_EXPORT int prof_holm(double *p, size_t n)
{
	struct pidx *v;
	double run = 0.0;

	if (!n)
		return 0;
	v = calloc(n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t k = 0; k < n; k++) {
		v[k].p = isnan(p[k]) ? 1.0 : p[k];
		v[k].i = k;
	}
	qsort(v, n, sizeof(*v), cmp_pidx);
	/* The k-th smallest (from 0) is multiplied by n - k; the running
	 * maximum keeps the adjusted values in the order of the raw ones. */
	for (size_t k = 0; k < n; k++) {
		double adj = v[k].p * (double)(n - k);

		if (adj > 1.0)
			adj = 1.0;
		if (adj > run)
			run = adj;
		p[v[k].i] = run;
	}
	free(v);
	return 0;
}

/* ---- Generator ---- */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

PROF_EXPORT void prof_rng_seed(struct prof_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

PROF_EXPORT uint64_t prof_rng_next(struct prof_rng *r)
{
	uint64_t *s = r->s, out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

PROF_EXPORT double prof_rng_uniform(struct prof_rng *r)
{
	/* 53 bits, shifted half a step off 0: never 0, never 1. */
	return ((double)(prof_rng_next(r) >> 11) + 0.5) * 0x1.0p-53;
}

static double rng_normal(struct prof_rng *r)
{
	double u = prof_rng_uniform(r), v = prof_rng_uniform(r);

	return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

/* Gamma(a), a >= 1: Marsaglia and Tsang's method. */
static double rng_gamma(struct prof_rng *r, double a)
{
	double d = a - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);

	for (;;) {
		double x = rng_normal(r), v = 1.0 + c * x, u;

		if (v <= 0.0)
			continue;
		v = v * v * v;
		u = prof_rng_uniform(r);
		if (log(u) < 0.5 * x * x + d - d * v + d * log(v))
			return d * v;
	}
}

static double rng_beta(struct prof_rng *r, double a, double b)
{
	double x = rng_gamma(r, a), y = rng_gamma(r, b);

	return x / (x + y);
}

/* ---- Bootstrap ---- */

/* Values of a sorted run at or below @v. */
static size_t count_le(const double *run, size_t n, double v)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (run[mid] <= v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* One resample's quantile @q of @set, with @w as scratch (nruns). */
static double resample_quantile(const struct prof_sample_set *set, double q, struct prof_rng *r, size_t *w)
{
	double n = 0.0, u, target;
	size_t rank, lo, hi, total;

	memset(w, 0, set->nruns * sizeof(*w));
	for (size_t k = 0; k < set->nruns; k++)
		w[prof_rng_next(r) % set->nruns]++;
	total = 0;
	for (size_t k = 0; k < set->nruns; k++)
		total += w[k] * set->nrun[k];
	if (!total)
		return NAN;
	n = (double)total;
	rank = prof_quantile_rank(total, q);
	u = rng_beta(r, (double)rank, n - (double)rank + 1.0);
	target = ceil(u * n);
	if (target < 1.0)
		target = 1.0;
	if (set->nruns == 1)
		return set->run[0][(size_t)target - 1];
	/* The first pooled value whose weighted count reaches the target. */
	lo = 0;
	hi = set->npooled - 1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		double c = 0.0;

		for (size_t k = 0; k < set->nruns; k++)
			if (w[k])
				c += (double)w[k] * (double)count_le(set->run[k], set->nrun[k], set->pooled[mid]);
		if (c >= target)
			hi = mid;
		else
			lo = mid + 1;
	}
	return set->pooled[lo];
}

PROF_EXPORT int prof_bootstrap_quantile_change(const struct prof_sample_set *base, const struct prof_sample_set *newer,
					       double q, double level, unsigned int iters, uint64_t seed,
					       struct prof_bootstrap_ci *out)
{
	double qb, qn, *changes = NULL;
	size_t *w = NULL, nchanges = 0, maxruns;
	struct prof_rng r;
	int ret = 0;

	out->change = out->lo = out->hi = NAN;
	if (!base->npooled || !newer->npooled)
		return 0;
	qb = prof_quantile(base->pooled, base->npooled, q);
	qn = prof_quantile(newer->pooled, newer->npooled, q);
	if (!(qb > 0.0))
		return 0; /* a relative change of 0 is undefined */
	out->change = qn / qb - 1.0;
	if (!iters)
		return 0;
	maxruns = base->nruns > newer->nruns ? base->nruns : newer->nruns;
	changes = malloc(iters * sizeof(*changes));
	w = malloc(maxruns * sizeof(*w));
	if (!changes || !w) {
		ret = -ENOMEM;
		goto out;
	}
	prof_rng_seed(&r, seed);
	for (unsigned int it = 0; it < iters; it++) {
		double b = resample_quantile(base, q, &r, w), n = resample_quantile(newer, q, &r, w);

		if (b > 0.0 && !isnan(n))
			changes[nchanges++] = n / b - 1.0;
	}
	if (nchanges) {
		prof_sort_doubles(changes, nchanges);
		out->lo = prof_quantile(changes, nchanges, (1.0 - level) / 2.0);
		out->hi = prof_quantile(changes, nchanges, 1.0 - (1.0 - level) / 2.0);
	}
out:
	free(changes);
	free(w);
	return ret;
}
