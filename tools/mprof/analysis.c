/* SPDX-License-Identifier: MIT */
/*
 * tools/mprof/analysis.c - counts, span durations and percentiles from a
 * stream of decoded events (see analysis.h).
 *
 * Spans pair per stream: a ".begin" pushes onto that stream's stack, an
 * ".end" pops the innermost begin of the same span name (inner spans of
 * other names that never ended are counted unmatched and dropped).  Events
 * arrive in timestamp order across streams, and within one stream they are
 * in program order, which is all pairing needs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"

#define MAX_DEPTH 64

struct open_span {
	uint32_t span;   /* index into spans */
	uint64_t begin;  /* ticks */
};

struct stream_state {
	uint32_t stream;
	uint32_t depth;
	struct open_span stack[MAX_DEPTH];
};

struct analysis {
	struct prof_clock_desc clock;
	struct span_stats *spans;
	size_t nspans, capspans;
	struct event_stats *events;
	size_t nevents, capevents;
	struct stream_state *streams;
	size_t nstreams, capstreams;
	/* Event-id -> (event index, span index) caches, by schema id. */
	int64_t *ev_index, *span_index;
	size_t nids;
	uint64_t first_ts, last_ts;
	int have_ts;
};

struct analysis *analysis_new(const struct prof_clock_desc *clock)
{
	struct analysis *a = calloc(1, sizeof(*a));

	if (a && clock)
		a->clock = *clock;
	return a;
}

void analysis_set_clock(struct analysis *a, const struct prof_clock_desc *clock)
{
	a->clock = *clock;
}

void analysis_free(struct analysis *a)
{
	size_t i;

	if (!a)
		return;
	for (i = 0; i < a->nspans; i++)
		free(a->spans[i].durations);
	free(a->spans);
	free(a->events);
	free(a->streams);
	free(a->ev_index);
	free(a->span_index);
	free(a);
}

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t ncap;
	void *n;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	while (ncap < need)
		ncap *= 2;
	n = realloc(*arr, ncap * elem);
	if (!n)
		return -ENOMEM;
	memset((char *)n + *cap * elem, 0, (ncap - *cap) * elem);
	*arr = n;
	*cap = ncap;
	return 0;
}

/* The span name of a ".begin"/".end" event: its name without the suffix. */
static void span_name(const char *event_name, uint16_t kind, char *out, size_t size)
{
	size_t n = strlen(event_name);
	size_t cut = kind == PROF_KIND_SPAN_BEGIN ? 6 : 4;

	if (n >= cut && (strcmp(event_name + n - cut, ".begin") == 0 || strcmp(event_name + n - cut, ".end") == 0))
		n -= cut;
	if (n >= size)
		n = size - 1;
	memcpy(out, event_name, n);
	out[n] = 0;
}

struct span_stats *analysis_span_find(struct analysis *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->nspans; i++)
		if (strcmp(a->spans[i].name, name) == 0)
			return &a->spans[i];
	return NULL;
}

static int64_t span_lookup_or_add(struct analysis *a, const char *name)
{
	struct span_stats *s = analysis_span_find(a, name);

	if (s)
		return s - a->spans;
	if (grow((void **)&a->spans, &a->capspans, a->nspans + 1, sizeof(*a->spans)))
		return -ENOMEM;
	s = &a->spans[a->nspans];
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	return (int64_t)a->nspans++;
}

static int64_t event_lookup_or_add(struct analysis *a, const struct prof_schema_event *d)
{
	size_t i;

	for (i = 0; i < a->nevents; i++)
		if (strcmp(a->events[i].name, d->name) == 0)
			return (int64_t)i;
	if (grow((void **)&a->events, &a->capevents, a->nevents + 1, sizeof(*a->events)))
		return -ENOMEM;
	memset(&a->events[a->nevents], 0, sizeof(a->events[0]));
	snprintf(a->events[a->nevents].name, sizeof(a->events[0].name), "%s", d->name);
	a->events[a->nevents].kind = d->kind;
	return (int64_t)a->nevents++;
}

/* Cache per schema id; ids are dense and small. */
static int resolve(struct analysis *a, const struct prof_decoded_event *ev, int64_t *evi, int64_t *spi)
{
	const struct prof_schema_event *d = ev->desc;

	if (ev->id >= a->nids) {
		size_t n = a->nids, want = ev->id + 1;
		size_t cap = a->nids;

		if (grow((void **)&a->ev_index, &cap, want, sizeof(int64_t)))
			return -ENOMEM;
		cap = n;
		if (grow((void **)&a->span_index, &cap, want, sizeof(int64_t)))
			return -ENOMEM;
		for (; n < cap; n++)
			a->ev_index[n] = a->span_index[n] = -2; /* unresolved */
		a->nids = cap;
	}
	if (a->ev_index[ev->id] == -2) {
		a->ev_index[ev->id] = event_lookup_or_add(a, d);
		if (a->ev_index[ev->id] < 0)
			return -ENOMEM;
		a->span_index[ev->id] = -1;
		if (d->kind == PROF_KIND_SPAN_BEGIN || d->kind == PROF_KIND_SPAN_END) {
			char name[PROF_NAME_MAX];

			span_name(d->name, d->kind, name, sizeof(name));
			a->span_index[ev->id] = span_lookup_or_add(a, name);
			if (a->span_index[ev->id] < 0)
				return -ENOMEM;
		}
	}
	*evi = a->ev_index[ev->id];
	*spi = a->span_index[ev->id];
	return 0;
}

static struct stream_state *stream_state(struct analysis *a, uint32_t stream)
{
	size_t i;

	for (i = 0; i < a->nstreams; i++)
		if (a->streams[i].stream == stream)
			return &a->streams[i];
	if (grow((void **)&a->streams, &a->capstreams, a->nstreams + 1, sizeof(*a->streams)))
		return NULL;
	a->streams[a->nstreams].stream = stream;
	a->streams[a->nstreams].depth = 0;
	return &a->streams[a->nstreams++];
}

static int span_add(struct span_stats *s, uint64_t ns)
{
	if (grow((void **)&s->durations, &s->cap, s->count + 1, sizeof(uint64_t)))
		return -ENOMEM;
	s->durations[s->count++] = ns;
	s->total_ns += ns;
	s->sorted = 0;
	return 0;
}

static double first_numeric(const struct prof_decoded_event *ev)
{
	const struct prof_value *v = &ev->values[0];

	switch (v->type) {
	case PROF_TYPE_F64: return v->v.f;
	case PROF_TYPE_S8: case PROF_TYPE_S16: case PROF_TYPE_S32: case PROF_TYPE_S64: return (double)v->v.s;
	default: return (double)v->v.u;
	}
}

int analysis_add(struct analysis *a, const struct prof_decoded_event *ev)
{
	struct stream_state *st;
	int64_t evi, spi;
	int ret = resolve(a, ev, &evi, &spi);

	if (ret)
		return ret;
	if (!a->have_ts || ev->timestamp < a->first_ts)
		a->first_ts = ev->timestamp;
	if (!a->have_ts || ev->timestamp > a->last_ts)
		a->last_ts = ev->timestamp;
	a->have_ts = 1;
	a->events[evi].count++;
	if (ev->desc->kind == PROF_KIND_COUNTER && ev->nfields > 0 && ev->values[0].type != PROF_TYPE_STRING) {
		a->events[evi].has_last = 1;
		a->events[evi].last_value = first_numeric(ev);
	}
	if (spi < 0)
		return 0;
	st = stream_state(a, ev->stream);
	if (!st)
		return -ENOMEM;
	if (ev->desc->kind == PROF_KIND_SPAN_BEGIN) {
		if (st->depth == MAX_DEPTH) {
			a->spans[spi].unmatched++;
			return 0;
		}
		st->stack[st->depth].span = (uint32_t)spi;
		st->stack[st->depth].begin = ev->timestamp;
		st->depth++;
		return 0;
	}
	/* An end: pop to the innermost begin of the same span. */
	for (uint32_t d = st->depth; d-- > 0;) {
		if (st->stack[d].span != (uint32_t)spi)
			continue;
		for (uint32_t k = d + 1; k < st->depth; k++)
			a->spans[st->stack[k].span].unmatched++;
		st->depth = d;
		return span_add(&a->spans[spi], prof_clock_to_ns(&a->clock, ev->timestamp) -
						prof_clock_to_ns(&a->clock, st->stack[d].begin));
	}
	a->spans[spi].unmatched++;
	return 0;
}

uint64_t analysis_wall_ns(const struct analysis *a)
{
	if (!a->have_ts)
		return 0;
	return prof_clock_to_ns(&a->clock, a->last_ts) - prof_clock_to_ns(&a->clock, a->first_ts);
}

size_t analysis_span_count(const struct analysis *a) { return a->nspans; }
struct span_stats *analysis_span(struct analysis *a, size_t i) { return &a->spans[i]; }
size_t analysis_event_count(const struct analysis *a) { return a->nevents; }
const struct event_stats *analysis_event(const struct analysis *a, size_t i) { return &a->events[i]; }

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

uint64_t span_percentile(struct span_stats *s, double q)
{
	uint64_t rank;

	if (!s->count)
		return 0;
	if (!s->sorted) {
		qsort(s->durations, s->count, sizeof(uint64_t), cmp_u64);
		s->sorted = 1;
	}
	/* Nearest rank: the smallest value with at least q of the data at or below it. */
	rank = (uint64_t)(q * (double)s->count + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > s->count)
		rank = s->count;
	return s->durations[rank - 1];
}

uint64_t span_max(struct span_stats *s)
{
	return span_percentile(s, 1.0);
}

void analysis_reset(struct analysis *a)
{
	size_t i;

	for (i = 0; i < a->nspans; i++) {
		a->spans[i].count = a->spans[i].unmatched = a->spans[i].total_ns = 0;
		a->spans[i].sorted = 0;
	}
	for (i = 0; i < a->nevents; i++)
		a->events[i].count = 0;
	a->have_ts = 0;
}

const char *format_ns(uint64_t ns, char *buf, size_t size)
{
	if (ns < 1000)
		snprintf(buf, size, "%lluns", (unsigned long long)ns);
	else if (ns < 1000000)
		snprintf(buf, size, "%.2fus", (double)ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, size, "%.2fms", (double)ns / 1e6);
	else
		snprintf(buf, size, "%.3fs", (double)ns / 1e9);
	return buf;
}
