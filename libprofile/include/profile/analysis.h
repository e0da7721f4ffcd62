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

/** prof_analysis_free() - free an analysis (NULL is ignored). */
PROF_EXPORT void prof_analysis_free(struct prof_analysis *a);

/**
 * prof_analysis_set_clock() - set the clock (a region's clock is known
 * only once its header is read).
 * @a: the analysis.
 * @clock: the clock.
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
 * Return: 0, -EINVAL (@ev has no desc), or -ENOMEM (the event is not
 * counted and no span is half-recorded).
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

/** prof_analysis_wall_ns() - the time covered: last minus first timestamp, in ns. */
PROF_EXPORT uint64_t prof_analysis_wall_ns(const struct prof_analysis *a);

/** prof_analysis_gaps() - how many places a stream was seen to lose events. */
PROF_EXPORT uint64_t prof_analysis_gaps(const struct prof_analysis *a);

/** prof_analysis_span_count() - the number of span names seen. */
PROF_EXPORT size_t prof_analysis_span_count(const struct prof_analysis *a);

/**
 * prof_analysis_span() - one span name's statistics.
 * @a: the analysis.
 * @i: its index, below prof_analysis_span_count(), in order of first sight.
 *
 * Return: the statistics, valid until the next prof_analysis_add().
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

/** prof_analysis_event_count() - the number of event names seen. */
PROF_EXPORT size_t prof_analysis_event_count(const struct prof_analysis *a);

/**
 * prof_analysis_event() - one event name's statistics.
 * @a: the analysis.
 * @i: its index, below prof_analysis_event_count(), in order of first sight.
 *
 * Return: the statistics.
 */
PROF_EXPORT const struct prof_event_stats *prof_analysis_event(const struct prof_analysis *a, size_t i);

/**
 * prof_span_percentile() - a quantile of a span's durations (nearest rank:
 * the smallest value with at least @q of the durations at or below it).
 * @s: the span (its durations get sorted).
 * @q: the quantile, 0 to 1.
 *
 * Return: the duration in ns, or 0 if the span has none.
 */
PROF_EXPORT uint64_t prof_span_percentile(struct prof_span_stats *s, double q);

/** prof_span_max() - the longest duration of a span, in ns (0 if none). */
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

/** prof_analysis_net_exchange_count() - exchanges timed so far (set by prof_analysis_net_gc()). */
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

/** prof_analysis_net_conn_count() - connections seen (with data). */
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
