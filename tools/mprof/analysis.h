/* SPDX-License-Identifier: MIT */
/*
 * tools/mprof/analysis.h - what stats, top and compare compute from a
 * stream of decoded events: per-event counts, span durations (begin/end
 * pairs, nested, per stream), counter last values, and percentiles.
 * Fed one event at a time, so it works on a finished trace and on a live
 * region alike.
 */
#ifndef MPROF_ANALYSIS_H
#define MPROF_ANALYSIS_H

#include <stdint.h>
#include <stdio.h>

#include "profile/profile.h"

/* Durations of one span name, in nanoseconds. */
struct span_stats {
	char name[PROF_NAME_MAX];   /* without ".begin"/".end" */
	uint64_t count;
	uint64_t unmatched;         /* ends without a begin, begins never ended */
	uint64_t total_ns;
	uint64_t *durations;        /* count values, unsorted until percentiles */
	uint64_t cap;
	int sorted;
};

struct event_stats {
	char name[PROF_NAME_MAX];
	uint16_t kind;
	uint64_t count;
	int has_last;               /* counters: last value seen */
	double last_value;
};

struct analysis;

struct analysis *analysis_new(const struct prof_clock_desc *clock);
void analysis_free(struct analysis *a);
/* The clock may change (a region's clock is known only once it is read). */
void analysis_set_clock(struct analysis *a, const struct prof_clock_desc *clock);
/* Feed one decoded event (its desc must be set). */
int analysis_add(struct analysis *a, const struct prof_decoded_event *ev);
/* Time covered: first and last timestamp seen, in ns. */
uint64_t analysis_wall_ns(const struct analysis *a);

size_t analysis_span_count(const struct analysis *a);
struct span_stats *analysis_span(struct analysis *a, size_t i);
struct span_stats *analysis_span_find(struct analysis *a, const char *name);
size_t analysis_event_count(const struct analysis *a);
const struct event_stats *analysis_event(const struct analysis *a, size_t i);

/* The q-quantile (0..1) of a span's durations (nearest rank), in ns. */
uint64_t span_percentile(struct span_stats *s, double q);
uint64_t span_max(struct span_stats *s);

/* Reset every count (top's per-refresh window keeps span names). */
void analysis_reset(struct analysis *a);

/* Format ns as "12.3us" / "4.56ms" / "1.23s" into buf. */
const char *format_ns(uint64_t ns, char *buf, size_t size);

#endif
