/* SPDX-License-Identifier: MIT */
/*
 * profile/analysis.h - the one analysis of decoded events, shared by
 * `mprof stats`, `mprof top`, compare and the viewer: per-event counts,
 * counters' last values, span durations (begin/end pairs) and their
 * percentiles, and GC time.  Fed one decoded event at a time (from
 * prof_trace_next() or a packet cursor), so it works on a finished trace
 * and on a live region alike.  Presentation (units, tables, JSON) is the
 * caller's.
 *
 * How spans pair (docs/ARCHITECTURE.md, "Analysis"):
 *  - by (trace, stream, thread): a stream slot passes from thread to
 *    thread, and each packet says which thread wrote it;
 *  - an end pops the innermost open begin of the same span name; begins of
 *    other names above it never ended (counted unmatched_begin);
 *  - the stack of open spans grows as needed: no depth limit, so no
 *    overflow and no span is paired with the wrong begin;
 *  - never across a gap where the stream lost events (a growth of its
 *    packets' events_discarded, a missing packet_seq_num): a span open
 *    across such a gap is counted broken_by_loss, not timed;
 *  - spans still open at prof_analysis_finish() never ended:
 *    unmatched_begin.
 *
 * Not thread-safe: one analysis per thread.
 */
#ifndef PROFILE_ANALYSIS_H
#define PROFILE_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>

#include "profile/export.h"
#include "profile/format.h"
#include "profile/gc.h"
#include "profile/read.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Durations of one span name (the event names without ".begin"/".end"). */
struct prof_span_stats {
	char name[PROF_NAME_MAX];
	uint64_t count;           /* paired spans, timed */
	uint64_t total_ns;        /* their summed durations (saturates at UINT64_MAX) */
	uint64_t unmatched_begin; /* begins never ended (open at the finish, or left open inside an outer end) */
	uint64_t unmatched_end;   /* ends with no begin, on a stream that lost nothing before them */
	uint64_t broken_by_loss;  /* not paired because their stream lost events between begin and end
				   * (or before an end with no begin) */
	uint64_t *durations;      /* count values in ns; sorted by prof_span_percentile() */
	uint64_t cap;
	int sorted;
	int gc_time;              /* a GC collection or phase kind: counted in GC time */
};

/* One event name. */
struct prof_event_stats {
	char name[PROF_NAME_MAX];
	uint16_t kind;            /* enum prof_event_kind */
	uint64_t count;
	int has_last;             /* counters: the last numeric value seen */
	struct prof_value last;   /* its type and value, exact (never a string) */
};

/*
 * Time in GC.  Collections and phases may nest (OCaml empties the minor
 * heap inside a major slice when it compacts; Boehm's phases in incremental
 * mode have no enclosing collection) and several threads of one process may
 * be in GC at once: gc_ns is the union of the collection and phase spans
 * per process (each instant counted once), summed over processes.
 * summed_ns is the plain sum of the same spans, so summed_ns - gc_ns is
 * the nested or overlapping time not counted twice.
 */
struct prof_gc_totals {
	uint64_t count[PROF_GC_KIND_COUNT]; /* paired spans per kind */
	uint64_t collections;               /* paired spans of the collection kinds */
	uint64_t collection_ns;             /* their summed durations */
	uint64_t gc_ns;                     /* union of collection and phase spans */
	uint64_t summed_ns;                 /* sum of the same spans' durations */
	uint64_t wall_ns;                   /* time the events cover */
	double counter[PROF_GC_COUNTER_COUNT]; /* the heap counters' last values */
	uint8_t has_counter[PROF_GC_COUNTER_COUNT];
};

struct prof_analysis;

/**
 * prof_analysis_new() - start an analysis.
 * @clock: the events' clock (to convert ticks to ns), or NULL to set it
 *         later with prof_analysis_set_clock().
 *
 * Return: the analysis, or NULL if out of memory.
 */
PROF_EXPORT struct prof_analysis *prof_analysis_new(const struct prof_clock_desc *clock);

/**
 * prof_analysis_free() - free an analysis.
 * @a: the analysis, may be NULL.
 */
PROF_EXPORT void prof_analysis_free(struct prof_analysis *a);

/**
 * prof_analysis_set_clock() - set the clock (a region's clock is known
 * only once its header is read).
 * @a: the analysis.
 * @clock: the clock (copied); not NULL.
 */
PROF_EXPORT void prof_analysis_set_clock(struct prof_analysis *a, const struct prof_clock_desc *clock);

/**
 * prof_analysis_add() - feed one decoded event.
 * @a: the analysis.
 * @ev: the event; its desc must be set.  Its packet_seq and
 *      packet_discarded tell where its stream lost events.
 *
 * Events of one stream must come in stream order; streams may interleave
 * in any way (GC time is exact in any order).
 *
 * Return: 0, -EINVAL (@a or @ev is NULL, or @ev has no desc), or -ENOMEM
 * (the event is not counted and no span is half-recorded).
 */
PROF_EXPORT int prof_analysis_add(struct prof_analysis *a, const struct prof_decoded_event *ev);

/**
 * prof_analysis_finish() - the events have ended: every span still open
 * never ended and is counted (unmatched_begin, or broken_by_loss if its
 * stream lost events since its begin).  Not for a live view, whose open
 * spans are still running.  Calling it again counts nothing twice.
 * @a: the analysis.
 */
PROF_EXPORT void prof_analysis_finish(struct prof_analysis *a);

/**
 * prof_analysis_reset() - clear every count, duration and open span (span
 * and event names, and their order, are kept).
 * @a: the analysis.
 */
PROF_EXPORT void prof_analysis_reset(struct prof_analysis *a);

/**
 * prof_analysis_wall_ns() - the time the events cover.
 * @a: the analysis.
 *
 * Return: the latest minus the earliest timestamp seen, converted to ns
 * with the analysis's clock; 0 before any event.
 */
PROF_EXPORT uint64_t prof_analysis_wall_ns(const struct prof_analysis *a);

/**
 * prof_analysis_gaps() - where streams lost events.
 * @a: the analysis.
 *
 * Return: how many places a stream was seen to lose events (a packet_seq
 * gap, or a growth of events_discarded).
 */
PROF_EXPORT uint64_t prof_analysis_gaps(const struct prof_analysis *a);

/**
 * prof_analysis_span_count() - the number of span names seen.
 * @a: the analysis.
 *
 * Return: the count (prof_analysis_reset() keeps the names).
 */
PROF_EXPORT size_t prof_analysis_span_count(const struct prof_analysis *a);

/**
 * prof_analysis_span() - one span name's statistics.
 * @a: the analysis.
 * @i: its index, below prof_analysis_span_count(), in order of first sight.
 *
 * Return: the statistics, valid until the next prof_analysis_add(), or
 * NULL if @i is out of range.
 */
PROF_EXPORT struct prof_span_stats *prof_analysis_span(struct prof_analysis *a, size_t i);

/**
 * prof_analysis_span_find() - a span's statistics by name.
 * @a: the analysis.
 * @name: the span name, without ".begin"/".end".
 *
 * Return: the statistics, or NULL if never seen.
 */
PROF_EXPORT struct prof_span_stats *prof_analysis_span_find(struct prof_analysis *a, const char *name);

/**
 * prof_analysis_event_count() - the number of event names seen.
 * @a: the analysis.
 *
 * Return: the count (prof_analysis_reset() keeps the names).
 */
PROF_EXPORT size_t prof_analysis_event_count(const struct prof_analysis *a);

/**
 * prof_analysis_event() - one event name's statistics.
 * @a: the analysis.
 * @i: its index, below prof_analysis_event_count(), in order of first sight.
 *
 * Return: the statistics, valid until the next prof_analysis_add(), or
 * NULL if @i is out of range.
 */
PROF_EXPORT const struct prof_event_stats *prof_analysis_event(const struct prof_analysis *a, size_t i);

/**
 * prof_span_percentile() - a quantile of a span's durations (nearest rank:
 * the smallest value with at least @q of the durations at or below it).
 * @s: the span (its durations get sorted).
 * @q: the quantile, 0 to 1: 0 or less (or NaN) gives the shortest
 *     duration, 1 or more the longest.
 *
 * Return: the duration in ns, or 0 if the span has none.
 */
PROF_EXPORT uint64_t prof_span_percentile(struct prof_span_stats *s, double q);

/**
 * prof_span_max() - the longest duration of a span.
 * @s: the span (its durations get sorted).
 *
 * Return: the duration in ns, or 0 if the span has none.
 */
PROF_EXPORT uint64_t prof_span_max(struct prof_span_stats *s);

/**
 * prof_analysis_gc_totals() - GC counts and time (the names of
 * profile/gc.h, docs/GC.md).
 * @a: the analysis.
 * @out: filled.
 *
 * Return: 1 if the analysis saw any GC span or counter ("gc." names), else 0.
 */
PROF_EXPORT int prof_analysis_gc_totals(struct prof_analysis *a, struct prof_gc_totals *out);

/* ---- Observing spans and losses as they happen ---- */

/*
 * Called by prof_analysis_add() for each span it times (@begin_ns,
 * @end_ns: the begin's and the end's timestamps in ns; @end: the end
 * event, for its trace, stream and tid) and for each place a stream lost
 * events (@what == PROF_ANALYSIS_GAP: @end is the first event after the
 * gap, @s NULL, @begin_ns == @end_ns its time).  Consumers that need the
 * spans themselves (export's complete events, compare's time windows)
 * take them from here instead of pairing begins and ends again.
 */
enum prof_analysis_what {
	PROF_ANALYSIS_SPAN = 1,
	PROF_ANALYSIS_GAP = 2,
};
typedef void (*prof_analysis_observer_fn)(void *arg, enum prof_analysis_what what,
					  const struct prof_span_stats *s,
					  const struct prof_decoded_event *end, uint64_t begin_ns,
					  uint64_t end_ns);

/**
 * prof_analysis_set_observer() - be told of each timed span and each gap.
 * @a: the analysis.
 * @fn: the observer, or NULL to stop.
 * @arg: passed to @fn.
 */
PROF_EXPORT void prof_analysis_set_observer(struct prof_analysis *a, prof_analysis_observer_fn fn, void *arg);

/**
 * prof_analysis_keep_durations() - whether to keep each span's durations
 * (the default, 1) for prof_span_percentile().  A consumer that takes the
 * spans from its observer (export) turns it off to save 8 bytes a span;
 * the percentiles are then 0.
 * @a: the analysis.
 * @keep: 1 or 0.
 */
PROF_EXPORT void prof_analysis_keep_durations(struct prof_analysis *a, int keep);

/* ---- Statistics on samples (compare) ---- */

/**
 * prof_quantile_rank() - the nearest rank of quantile @q among @n sorted
 * values: the smallest rank with at least @q of the values at or below
 * it, 1-based (1 for @q <= 0 or NaN, @n for @q >= 1).  The one definition
 * of a percentile: prof_span_percentile() and compare use it.
 * @n: the number of values (0 gives 0).
 * @q: the quantile, 0 to 1.
 *
 * Return: the rank, 1 to @n, or 0 if @n is 0.
 */
PROF_EXPORT size_t prof_quantile_rank(size_t n, double q);

/**
 * prof_quantile() - quantile @q (nearest rank) of @n sorted doubles.
 * @sorted: the values, ascending.
 * @n: how many.
 * @q: the quantile, 0 to 1.
 *
 * Return: the value, or NaN if @n is 0.
 */
PROF_EXPORT double prof_quantile(const double *sorted, size_t n, double q);

/**
 * prof_sort_doubles() - sort doubles ascending (NaN first), in place: an
 * LSD radix sort, for compare's samples.
 * @v: the values.
 * @n: how many.
 */
PROF_EXPORT void prof_sort_doubles(double *v, size_t n);

/* A Mann-Whitney U test of two samples (two-sided, normal approximation
 * with the tie correction and a continuity correction). */
struct prof_mwu {
	double u;      /* U of the first sample: pairs (x, y) with x > y, plus half the ties */
	double z;      /* standardised U (positive: the first sample tends to be larger) */
	double p;      /* two-sided p-value; 1 when either sample is empty or every value ties */
	double auc;    /* u / (n1 n2): the probability that a value of the first exceeds one
			* of the second (ties half); 0.5 means no shift */
};

/**
 * prof_mann_whitney() - Mann-Whitney U test.
 * @x: the first sample, sorted ascending.
 * @nx: its size.
 * @y: the second sample, sorted ascending.
 * @ny: its size.
 * @out: filled.
 *
 * One merge of the two sorted samples: O(nx + ny), no allocation.  Tied
 * values share their mean rank, and the variance is reduced by
 * sum(t^3 - t) / ((n)(n - 1)) over the groups of t ties.
 */
PROF_EXPORT void prof_mann_whitney(const double *x, size_t nx, const double *y, size_t ny, struct prof_mwu *out);

/**
 * prof_holm() - Holm's step-down adjustment of @n p-values, in place:
 * each becomes the smallest family-wise level at which its hypothesis
 * is rejected (monotone, at most 1).
 * @p: the p-values.
 * @n: how many.
 *
 * Return: 0, or -ENOMEM.
 */
PROF_EXPORT int prof_holm(double *p, size_t n);

/* A seeded generator (xoshiro256**, seeded by splitmix64): reproducible. */
struct prof_rng {
	uint64_t s[4];
};

/**
 * prof_rng_seed() - seed a generator.
 * @r: the generator.
 * @seed: any value: equal seeds give equal sequences.
 */
PROF_EXPORT void prof_rng_seed(struct prof_rng *r, uint64_t seed);
/**
 * prof_rng_next() - the next 64 random bits.
 * @r: the generator.
 *
 * Return: the bits.
 */
PROF_EXPORT uint64_t prof_rng_next(struct prof_rng *r);
/**
 * prof_rng_uniform() - the next uniform double.
 * @r: the generator.
 *
 * Return: a double in (0, 1).
 */
PROF_EXPORT double prof_rng_uniform(struct prof_rng *r);

/*
 * One side of a comparison for the bootstrap: one or more runs, each a
 * sorted sample.  pooled is every run's values, sorted.
 */
struct prof_sample_set {
	size_t nruns;
	const double *const *run;  /* run[i]: sorted ascending */
	const size_t *nrun;        /* its size */
	const double *pooled;      /* all values, sorted */
	size_t npooled;
};

/* The bootstrap's answer for one quantile. */
struct prof_bootstrap_ci {
	double change;  /* observed: quantile(new) / quantile(base) - 1 */
	double lo, hi;  /* the percentile interval of the change at the level asked */
};

/**
 * prof_bootstrap_quantile_change() - a bootstrap confidence interval of
 * the relative change of quantile @q from @base to @newer.
 * @base: the base runs.
 * @newer: the new runs.
 * @q: the quantile (0 to 1).
 * @level: the interval's level (0.95).
 * @iters: resamples (1000).
 * @seed: the generator's seed: equal inputs and seed give equal answers.
 * @out: filled (NaN where a side is empty or its quantile is 0).
 *
 * Each resample draws the runs of a side with replacement (so run-to-run
 * noise widens the interval), then the quantile of a resample of the
 * drawn runs' values: the r-th smallest of N draws from a distribution F
 * is F^-1 of a Beta(r, N - r + 1) variate, so one Beta draw and a search
 * of the sorted values replace resampling N values (exact, O(runs log N)
 * per resample).
 *
 * Return: 0, or -ENOMEM.
 */
PROF_EXPORT int prof_bootstrap_quantile_change(const struct prof_sample_set *base, const struct prof_sample_set *newer,
					       double q, double level, unsigned int iters, uint64_t seed,
					       struct prof_bootstrap_ci *out);
/*
 * "Which requests did GC delay" (docs/PROBES.md, "The GC join").  The
 * socket events (sock.read, sock.write: probes/sockets, or any probe of the
 * vocabulary) are cut into request/response exchanges per connection: the
 * direction of a connection's first data is its request direction (a
 * server reads first, a client writes first); an exchange runs from the
 * first request-direction event after a response (or the connection's
 * start) to the last response-direction event before the next request.
 * Each is joined with the GC time (the union of prof_analysis_gc_totals())
 * of the same process: it was delayed if a GC collection or phase overlaps
 * it, and the overlap is the GC time it absorbed.
 */
struct prof_net_exchange {
	uint32_t trace;    /* the process (trace of a directory of traces) */
	uint64_t conn;     /* the connection id of the events */
	uint64_t index;    /* its number on the connection, from 0 */
	uint64_t begin_ns; /* the request's first data event */
	uint64_t end_ns;   /* the response's last data event */
	uint64_t gc_ns;    /* GC time of the same process inside [begin, end) */
};

/* One connection's exchanges. */
struct prof_net_conn {
	uint32_t trace;
	uint64_t conn;
	uint64_t exchanges;  /* timed */
	uint64_t delayed;    /* of them, overlapped by GC */
	uint64_t gc_ns;      /* the GC time they absorbed */
	uint64_t unanswered; /* requests closed (or still open at the end) with no response */
};

/* The whole join.  The span statistics hold latencies (the exchanges'
 * durations) for prof_span_percentile(); they belong to the analysis. */
struct prof_net_gc {
	uint64_t connections;       /* with at least one data event */
	uint64_t exchanges;         /* timed */
	uint64_t delayed;           /* overlapped by GC of the same process */
	uint64_t gc_ns;             /* GC time absorbed by the delayed exchanges */
	uint64_t unanswered;        /* requests with no response: not timed */
	uint64_t broken_by_loss;    /* exchanges open while a stream lost events: not timed */
	struct prof_span_stats *all;     /* every timed exchange */
	struct prof_span_stats *clean;   /* those no GC overlapped */
	struct prof_span_stats *delayed_lat; /* those GC overlapped */
};

/**
 * prof_analysis_net_gc() - join the connections' exchanges with GC time.
 * Call after prof_analysis_finish() (open exchanges are then closed:
 * answered ones timed, others counted unanswered).
 * @a: the analysis.
 * @out: filled; its span pointers stay valid until the next call or
 *       prof_analysis_add().
 *
 * Return: 1 if the analysis saw socket data events, 0 if not, -ENOMEM.
 */
PROF_EXPORT int prof_analysis_net_gc(struct prof_analysis *a, struct prof_net_gc *out);

/**
 * prof_analysis_net_exchange_count() - the exchanges prof_analysis_net_gc()
 * timed.
 * @a: the analysis.
 *
 * Return: their number.
 */
PROF_EXPORT size_t prof_analysis_net_exchange_count(const struct prof_analysis *a);

/**
 * prof_analysis_net_exchange() - one exchange, with its GC time as
 * prof_analysis_net_gc() computed it.
 * @a: the analysis.
 * @i: below prof_analysis_net_exchange_count(), in order of their ends per
 *     connection, connections in order of first sight.
 *
 * Return: the exchange, or NULL.
 */
PROF_EXPORT const struct prof_net_exchange *prof_analysis_net_exchange(const struct prof_analysis *a, size_t i);

/**
 * prof_analysis_net_conn_count() - the connections seen with data.
 * @a: the analysis.
 *
 * Return: their number.
 */
PROF_EXPORT size_t prof_analysis_net_conn_count(const struct prof_analysis *a);

/**
 * prof_analysis_net_conn() - one connection's totals (set by
 * prof_analysis_net_gc()).
 * @a: the analysis.
 * @i: below prof_analysis_net_conn_count(), in order of first sight.
 *
 * Return: the connection, or NULL.
 */
PROF_EXPORT const struct prof_net_conn *prof_analysis_net_conn(const struct prof_analysis *a, size_t i);

#ifdef __cplusplus
}
#endif
#endif /* PROFILE_ANALYSIS_H */
