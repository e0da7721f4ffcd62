/* SPDX-License-Identifier: MIT */
/*
 * src/analysis/analysis.c - counts, span pairing and percentiles from a
 * stream of decoded events (the contract is in profile/analysis.h).
 *
 * State, per key (struct prof__akey):
 *
 *   streams  (trace, stream)       last packet_seq, last events_discarded,
 *                                  "lost before", "gap at the next packet"
 *   threads  (trace, stream, tid)  stack of open spans, growing:
 *
 *       stack:  [0] gc.major  [1] gc.mark  [2] io.read  ...  [depth-1]
 *               |<--- broken_below --->|
 *               opened before a gap: never timed
 *
 * A gap (events lost on a stream) is seen from the packet each event came
 * from: its packet_seq must follow the previous one, and its
 * events_discarded must not grow.  The producer counts a drop in the open
 * packet, so a packet whose count grew lost events somewhere between its
 * first event and the next packet's first event (usually at its end, when
 * the ring was full; a signal handler's nested drop may be inside it): a
 * gap is marked before its first event and again before the next packet's
 * first event.  At a gap every open span of that stream, whichever thread,
 * is marked broken (broken_below = depth); its end, when it comes, counts
 * broken_by_loss and is not timed.  An end with no begin on a stream that
 * lost events before it counts broken_by_loss too (its begin may be among
 * the lost), otherwise unmatched_end.
 *
 * Keys live in one open-addressing hash table per kind (linear probing,
 * grown at half load), holding indices into the state arrays.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis_private.h"
#include "profile/ctf.h"

enum { AKEY_THREAD = 1, AKEY_STREAM = 2 };

struct open_span {
	uint32_t span;   /* index into spans */
	uint64_t begin;  /* ticks */
};

struct thread_state {
	struct prof__akey key;
	uint32_t depth, cap;
	uint32_t broken_below; /* stack[0..broken_below) were open at a gap */
	struct open_span *stack;
};

struct stream_state {
	struct prof__akey key;
	uint64_t seq;          /* packet_seq of its last event */
	uint64_t discarded;    /* the largest events_discarded seen */
	int pending_gap;       /* the last packet's count grew: gap at the next packet */
	int lost;              /* it lost events before the current event */
};

struct key_map {
	uint32_t *slot;        /* index + 1 into the states, 0 = empty */
	size_t cap;            /* a power of two, or 0 */
	size_t used;
};

struct prof_analysis {
	struct prof_clock_desc clock;
	struct prof_span_stats *spans;
	size_t nspans, capspans;
	struct prof_event_stats *events;
	size_t nevents, capevents;
	struct thread_state *threads;
	size_t nthreads, capthreads;
	struct stream_state *streams;
	size_t nstreams, capstreams;
	struct key_map thread_map, stream_map;
	/* The last state found, index + 1 (0: none): consecutive events are
	 * mostly of one packet, so this spares most hash probes. */
	uint32_t last_thread, last_stream;
	/* Schema id -> (event index, span index) cache; checked by name, so
	 * traces whose ids mean other events only cost a lookup. */
	int64_t *ev_index, *span_index;
	size_t nids;
	struct prof__gc_union *gc;
	size_t ngc, capgc;
	uint64_t first_ts, last_ts;
	int have_ts;
	uint64_t gaps;
	prof_analysis_observer_fn observer;
	void *observer_arg;
	int drop_durations;  /* prof_analysis_keep_durations(a, 0) */
	struct prof__net *net; /* the socket exchanges of the GC join (net.c) */
};

struct prof__net **prof__analysis_net(struct prof_analysis *a)
{
	return &a->net;
}

uint64_t prof__analysis_ns(const struct prof_analysis *a, uint64_t ticks)
{
	return prof_clock_to_ns(&a->clock, ticks);
}

int prof__analysis_grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t ncap;
	void *n;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	while (ncap < need)
		ncap *= 2;
	if (ncap > SIZE_MAX / elem)
		return -ENOMEM;
	n = realloc(*arr, ncap * elem);
	if (!n)
		return -ENOMEM;
	memset((char *)n + *cap * elem, 0, (ncap - *cap) * elem);
	*arr = n;
	*cap = ncap;
	return 0;
}

/* ---- Keys ---- */

static struct prof__akey key_of(const struct prof_decoded_event *ev, uint32_t what)
{
	struct prof__akey k;

	memset(&k, 0, sizeof(k));
	k.trace = ev->trace; /* the process, in a directory of traces */
	k.stream = ev->stream;
	k.tid = what == AKEY_THREAD ? ev->tid : 0;
	k.what = what;
	return k;
}

static uint64_t key_hash(const struct prof__akey *k)
{
	uint64_t h = 0xcbf29ce484222325ull;
	const unsigned char *p = (const unsigned char *)k;

	for (size_t i = 0; i < sizeof(*k); i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h ^ (h >> 29);
}

static const struct prof__akey *state_key(const struct prof_analysis *a, uint32_t what, uint32_t idx)
{
	return what == AKEY_THREAD ? &a->threads[idx].key : &a->streams[idx].key;
}

/* The slot of @k in @m: where it is, or the empty slot where it goes. */
static size_t map_probe(const struct prof_analysis *a, const struct key_map *m, const struct prof__akey *k)
{
	size_t i = (size_t)key_hash(k) & (m->cap - 1);

	while (m->slot[i] && memcmp(state_key(a, k->what, m->slot[i] - 1), k, sizeof(*k)) != 0)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static int map_rehash(struct prof_analysis *a, struct key_map *m, uint32_t what, size_t count)
{
	size_t ncap = m->cap ? m->cap * 2 : 64;
	struct key_map n = { NULL, ncap, 0 };

	n.slot = calloc(ncap, sizeof(*n.slot));
	if (!n.slot)
		return -ENOMEM;
	for (size_t i = 0; i < count; i++) {
		size_t s = map_probe(a, &n, state_key(a, what, (uint32_t)i));

		n.slot[s] = (uint32_t)i + 1;
		n.used++;
	}
	free(m->slot);
	*m = n;
	return 0;
}

static struct stream_state *stream_get(struct prof_analysis *a, const struct prof__akey *k, int *seen)
{
	size_t s;

	*seen = 1;
	if (a->last_stream && !memcmp(&a->streams[a->last_stream - 1].key, k, sizeof(*k)))
		return &a->streams[a->last_stream - 1];
	if (a->stream_map.cap && a->stream_map.slot[s = map_probe(a, &a->stream_map, k)]) {
		a->last_stream = a->stream_map.slot[s];
		return &a->streams[a->stream_map.slot[s] - 1];
	}
	*seen = 0;
	if ((a->stream_map.used + 1) * 2 > a->stream_map.cap &&
	    map_rehash(a, &a->stream_map, AKEY_STREAM, a->nstreams))
		return NULL;
	if (a->nstreams >= UINT32_MAX - 1 ||
	    prof__analysis_grow((void **)&a->streams, &a->capstreams, a->nstreams + 1, sizeof(*a->streams)))
		return NULL;
	memset(&a->streams[a->nstreams], 0, sizeof(a->streams[0]));
	a->streams[a->nstreams].key = *k;
	s = map_probe(a, &a->stream_map, k);
	a->stream_map.slot[s] = (uint32_t)a->nstreams + 1;
	a->stream_map.used++;
	return &a->streams[a->nstreams++];
}

static struct thread_state *thread_get(struct prof_analysis *a, const struct prof__akey *k)
{
	size_t s;

	if (a->last_thread && !memcmp(&a->threads[a->last_thread - 1].key, k, sizeof(*k)))
		return &a->threads[a->last_thread - 1];
	if (a->thread_map.cap && a->thread_map.slot[s = map_probe(a, &a->thread_map, k)]) {
		a->last_thread = a->thread_map.slot[s];
		return &a->threads[a->thread_map.slot[s] - 1];
	}
	if ((a->thread_map.used + 1) * 2 > a->thread_map.cap &&
	    map_rehash(a, &a->thread_map, AKEY_THREAD, a->nthreads))
		return NULL;
	if (a->nthreads >= UINT32_MAX - 1 ||
	    prof__analysis_grow((void **)&a->threads, &a->capthreads, a->nthreads + 1, sizeof(*a->threads)))
		return NULL;
	memset(&a->threads[a->nthreads], 0, sizeof(a->threads[0]));
	a->threads[a->nthreads].key = *k;
	s = map_probe(a, &a->thread_map, k);
	a->thread_map.slot[s] = (uint32_t)a->nthreads + 1;
	a->thread_map.used++;
	return &a->threads[a->nthreads++];
}

/* ---- Life ---- */

PROF_EXPORT struct prof_analysis *prof_analysis_new(const struct prof_clock_desc *clock)
{
	struct prof_analysis *a = calloc(1, sizeof(*a));

	if (a && clock)
		a->clock = *clock;
	return a;
}

PROF_EXPORT void prof_analysis_set_clock(struct prof_analysis *a, const struct prof_clock_desc *clock)
{
	a->clock = *clock;
}

PROF_EXPORT void prof_analysis_free(struct prof_analysis *a)
{
	size_t i;

	if (!a)
		return;
	for (i = 0; i < a->nspans; i++)
		free(a->spans[i].durations);
	for (i = 0; i < a->nthreads; i++)
		free(a->threads[i].stack);
	for (i = 0; i < a->ngc; i++)
		free(a->gc[i].iv);
	free(a->spans);
	free(a->events);
	free(a->threads);
	free(a->streams);
	free(a->thread_map.slot);
	free(a->stream_map.slot);
	free(a->ev_index);
	free(a->span_index);
	free(a->gc);
	prof__net_free(a->net);
	free(a);
}

/* ---- Names ---- */

/* The span name of a ".begin"/".end" event: its name without the suffix. */
static void span_name(const char *event_name, uint16_t kind, char *out, size_t size)
{
	size_t n = strnlen(event_name, PROF_NAME_MAX - 1);
	const char *suffix = kind == PROF_KIND_SPAN_BEGIN ? ".begin" : ".end";
	size_t cut = strlen(suffix);

	if (n >= cut && strncmp(event_name + n - cut, suffix, cut) == 0)
		n -= cut;
	if (n >= size)
		n = size - 1;
	memcpy(out, event_name, n);
	out[n] = 0;
}

PROF_EXPORT struct prof_span_stats *prof_analysis_span_find(struct prof_analysis *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->nspans; i++)
		if (strcmp(a->spans[i].name, name) == 0)
			return &a->spans[i];
	return NULL;
}

static int64_t span_lookup_or_add(struct prof_analysis *a, const char *name)
{
	struct prof_span_stats *s = prof_analysis_span_find(a, name);

	if (s)
		return s - a->spans;
	if (prof__analysis_grow((void **)&a->spans, &a->capspans, a->nspans + 1, sizeof(*a->spans)))
		return -ENOMEM;
	s = &a->spans[a->nspans];
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->gc_time = prof__analysis_is_gc_time(name);
	return (int64_t)a->nspans++;
}

static int64_t event_lookup_or_add(struct prof_analysis *a, const struct prof_schema_event *d)
{
	size_t i;

	for (i = 0; i < a->nevents; i++)
		if (strncmp(a->events[i].name, d->name, PROF_NAME_MAX) == 0)
			return (int64_t)i;
	if (prof__analysis_grow((void **)&a->events, &a->capevents, a->nevents + 1, sizeof(*a->events)))
		return -ENOMEM;
	memset(&a->events[a->nevents], 0, sizeof(a->events[0]));
	snprintf(a->events[a->nevents].name, sizeof(a->events[0].name), "%.*s", PROF_NAME_MAX - 1, d->name);
	a->events[a->nevents].kind = d->kind;
	return (int64_t)a->nevents++;
}

/* The event and span indices of @ev (span -1 if it is no span event). */
static int resolve(struct prof_analysis *a, const struct prof_decoded_event *ev, int64_t *evi, int64_t *spi)
{
	const struct prof_schema_event *d = ev->desc;
	int64_t e, s = -1;

	if (ev->id < a->nids && a->ev_index[ev->id] >= 0 &&
	    strncmp(a->events[a->ev_index[ev->id]].name, d->name, PROF_NAME_MAX) == 0 &&
	    a->events[a->ev_index[ev->id]].kind == d->kind) {
		*evi = a->ev_index[ev->id];
		*spi = a->span_index[ev->id];
		return 0;
	}
	if (ev->id >= a->nids) {
		size_t n = a->nids, cap = a->nids;

		if (ev->id >= (1u << 24)) /* ids are dense: do not cache a huge one */
			goto lookup;
		if (prof__analysis_grow((void **)&a->ev_index, &cap, (size_t)ev->id + 1, sizeof(int64_t)))
			return -ENOMEM;
		cap = n;
		if (prof__analysis_grow((void **)&a->span_index, &cap, (size_t)ev->id + 1, sizeof(int64_t)))
			return -ENOMEM;
		for (; n < cap; n++)
			a->ev_index[n] = a->span_index[n] = -1;
		a->nids = cap;
	}
lookup:
	e = event_lookup_or_add(a, d);
	if (e < 0)
		return -ENOMEM;
	if (d->kind == PROF_KIND_SPAN_BEGIN || d->kind == PROF_KIND_SPAN_END) {
		char name[PROF_NAME_MAX];

		span_name(d->name, d->kind, name, sizeof(name));
		s = span_lookup_or_add(a, name);
		if (s < 0)
			return -ENOMEM;
	}
	if (ev->id < a->nids) {
		a->ev_index[ev->id] = e;
		a->span_index[ev->id] = s;
	}
	*evi = e;
	*spi = s;
	return 0;
}

/* ---- Gaps ---- */

/* Every span open on the stream of @k (any thread) is broken. */
static void mark_gap(struct prof_analysis *a, const struct prof__akey *k, const struct prof_decoded_event *ev)
{
	a->gaps++;
	if (a->observer) {
		uint64_t ns = prof_clock_to_ns(&a->clock, ev->timestamp);

		a->observer(a->observer_arg, PROF_ANALYSIS_GAP, NULL, ev, ns, ns);
	}
	for (size_t i = 0; i < a->nthreads; i++) {
		struct thread_state *t = &a->threads[i];

		if (t->key.trace == k->trace && t->key.stream == k->stream)
			t->broken_below = t->depth;
	}
}

/* Notes where the stream of @ev lost events; returns its state. */
static struct stream_state *track_stream(struct prof_analysis *a, const struct prof_decoded_event *ev)
{
	struct prof__akey k = key_of(ev, AKEY_STREAM);
	int gap = 0, seen;
	struct stream_state *ss = stream_get(a, &k, &seen);

	if (!ss)
		return NULL;
	if (!seen) {
		/* mprof streams number packets from 0 and count from 0: anything
		 * else lost events before this one. */
		gap = ev->packet_seq != 0 || ev->packet_discarded != 0;
		ss->pending_gap = ev->packet_discarded != 0;
	} else if (ev->packet_seq != ss->seq) {
		gap = ss->pending_gap || ev->packet_seq != ss->seq + 1 || ev->packet_discarded > ss->discarded;
		ss->pending_gap = ev->packet_discarded > ss->discarded;
	} else if (ev->packet_discarded > ss->discarded) {
		/* A live view: the open packet counted drops since its last piece. */
		gap = 1;
		ss->pending_gap = 1;
	}
	ss->seq = ev->packet_seq;
	if (ev->packet_discarded > ss->discarded)
		ss->discarded = ev->packet_discarded;
	if (gap) {
		ss->lost = 1;
		mark_gap(a, &k, ev);
	}
	return ss;
}

/* ---- Spans ---- */

/* Record a duration; the caller made room. */
static void span_add(struct prof_span_stats *s, uint64_t ns)
{
	s->durations[s->count++] = ns;
	s->total_ns = s->total_ns > UINT64_MAX - ns ? UINT64_MAX : s->total_ns + ns;
	s->sorted = 0;
}

/* A span of @t's stack at depth @d closes without being timed. */
static void span_untimed(struct prof_analysis *a, const struct thread_state *t, uint32_t d)
{
	struct prof_span_stats *s = &a->spans[t->stack[d].span];

	if (d < t->broken_below)
		s->broken_by_loss++;
	else
		s->unmatched_begin++;
}

static int span_event(struct prof_analysis *a, const struct prof_decoded_event *ev, int64_t spi,
		      const struct stream_state *ss)
{
	struct prof__akey k = key_of(ev, AKEY_THREAD);
	struct thread_state *t = thread_get(a, &k);
	uint64_t b, e;
	uint32_t d;

	if (!t)
		return -ENOMEM;
	if (ev->desc->kind == PROF_KIND_SPAN_BEGIN) {
		if (t->depth == t->cap) {
			size_t cap = t->cap;

			if (t->cap >= UINT32_MAX / 2 ||
			    prof__analysis_grow((void **)&t->stack, &cap, (size_t)t->depth + 1, sizeof(*t->stack)))
				return -ENOMEM;
			t->cap = (uint32_t)cap;
		}
		t->stack[t->depth].span = (uint32_t)spi;
		t->stack[t->depth].begin = ev->timestamp;
		t->depth++;
		return 0;
	}
	/* An end: the innermost begin of the same span. */
	for (d = t->depth; d-- > 0;)
		if (t->stack[d].span == (uint32_t)spi)
			break;
	if (d == UINT32_MAX) {
		if (ss->lost)
			a->spans[spi].broken_by_loss++;
		else
			a->spans[spi].unmatched_end++;
		return 0;
	}
	b = prof_clock_to_ns(&a->clock, t->stack[d].begin);
	e = prof_clock_to_ns(&a->clock, ev->timestamp);
	if (e < b)
		e = b;
	if (d >= t->broken_below) {
		struct prof_span_stats *s = &a->spans[spi];

		/* Room first, so that a failure changes nothing. */
		if (!a->drop_durations &&
		    prof__analysis_grow((void **)&s->durations, &s->cap, s->count + 1, sizeof(uint64_t)))
			return -ENOMEM;
		if (s->gc_time && prof__analysis_gc_add(a, k.trace, b, e) != 0)
			return -ENOMEM;
		if (a->drop_durations) {
			s->count++;
			s->total_ns = s->total_ns > UINT64_MAX - (e - b) ? UINT64_MAX : s->total_ns + (e - b);
		} else {
			span_add(s, e - b);
		}
		if (a->observer)
			a->observer(a->observer_arg, PROF_ANALYSIS_SPAN, s, ev, b, e);
	} else {
		a->spans[spi].broken_by_loss++;
	}
	for (uint32_t i = d + 1; i < t->depth; i++)
		span_untimed(a, t, i);
	t->depth = d;
	if (t->broken_below > d)
		t->broken_below = d;
	return 0;
}

/* ---- Feeding ---- */

PROF_EXPORT int prof_analysis_add(struct prof_analysis *a, const struct prof_decoded_event *ev)
{
	struct stream_state *ss;
	int64_t evi, spi;
	int ret;

	if (!a || !ev || !ev->desc)
		return -EINVAL;
	ret = resolve(a, ev, &evi, &spi);
	if (ret)
		return ret;
	ss = track_stream(a, ev);
	if (!ss)
		return -ENOMEM;
	if (spi >= 0 && (ret = span_event(a, ev, spi, ss)) != 0)
		return ret;
	if (ev->desc->name[0] == 's' && !strncmp(ev->desc->name, "sock.", 5) &&
	    (ret = prof__net_add(a, &a->net, ev)) != 0)
		return ret;
	if (!a->have_ts || ev->timestamp < a->first_ts)
		a->first_ts = ev->timestamp;
	if (!a->have_ts || ev->timestamp > a->last_ts)
		a->last_ts = ev->timestamp;
	a->have_ts = 1;
	a->events[evi].count++;
	if (ev->desc->kind == PROF_KIND_COUNTER && ev->nfields > 0 && ev->values[0].type != PROF_TYPE_STRING) {
		a->events[evi].has_last = 1;
		a->events[evi].last = ev->values[0];
	}
	return 0;
}

PROF_EXPORT void prof_analysis_finish(struct prof_analysis *a)
{
	for (size_t i = 0; i < a->nthreads; i++) {
		struct thread_state *t = &a->threads[i];

		for (uint32_t d = 0; d < t->depth; d++)
			span_untimed(a, t, d);
		t->depth = 0;
		t->broken_below = 0;
	}
}

PROF_EXPORT void prof_analysis_reset(struct prof_analysis *a)
{
	size_t i;

	for (i = 0; i < a->nspans; i++) {
		struct prof_span_stats *s = &a->spans[i];

		s->count = s->total_ns = s->unmatched_begin = s->unmatched_end = s->broken_by_loss = 0;
		s->sorted = 0;
	}
	for (i = 0; i < a->nevents; i++) {
		a->events[i].count = 0;
		a->events[i].has_last = 0;
	}
	for (i = 0; i < a->nthreads; i++)
		a->threads[i].depth = a->threads[i].broken_below = 0;
	for (i = 0; i < a->nstreams; i++) {
		a->streams[i].pending_gap = 0;
		a->streams[i].lost = 0;
	}
	for (i = 0; i < a->ngc; i++)
		a->gc[i].n = a->gc[i].total_ns = a->gc[i].summed_ns = 0;
	a->have_ts = 0;
	a->gaps = 0;
	prof__net_reset(a->net);
}

/* ---- Results ---- */

PROF_EXPORT uint64_t prof_analysis_wall_ns(const struct prof_analysis *a)
{
	uint64_t first, last;

	if (!a->have_ts)
		return 0;
	first = prof_clock_to_ns(&a->clock, a->first_ts);
	last = prof_clock_to_ns(&a->clock, a->last_ts);
	return last > first ? last - first : 0;
}

PROF_EXPORT uint64_t prof_analysis_gaps(const struct prof_analysis *a) { return a->gaps; }
PROF_EXPORT size_t prof_analysis_span_count(const struct prof_analysis *a) { return a->nspans; }
PROF_EXPORT size_t prof_analysis_event_count(const struct prof_analysis *a) { return a->nevents; }

PROF_EXPORT struct prof_span_stats *prof_analysis_span(struct prof_analysis *a, size_t i)
{
	return i < a->nspans ? &a->spans[i] : NULL;
}

PROF_EXPORT const struct prof_event_stats *prof_analysis_event(const struct prof_analysis *a, size_t i)
{
	return i < a->nevents ? &a->events[i] : NULL;
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

PROF_EXPORT void prof_analysis_set_observer(struct prof_analysis *a, prof_analysis_observer_fn fn, void *arg)
{
	a->observer = fn;
	a->observer_arg = arg;
}

PROF_EXPORT void prof_analysis_keep_durations(struct prof_analysis *a, int keep)
{
	a->drop_durations = !keep;
}

PROF_EXPORT size_t prof_quantile_rank(size_t n, double q)
{
	size_t rank;

	if (!n)
		return 0;
	if (!(q > 0.0)) /* also NaN */
		return 1;
	if (q >= 1.0)
		return n;
	/* Nearest rank: ceil(q * n), at least 1. */
	rank = (size_t)(q * (double)n);
	if ((double)rank < q * (double)n)
		rank++;
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return rank;
}

PROF_EXPORT uint64_t prof_span_percentile(struct prof_span_stats *s, double q)
{
	if (!s->count || !s->durations)
		return 0;
	if (!s->sorted) {
		qsort(s->durations, s->count, sizeof(uint64_t), cmp_u64);
		s->sorted = 1;
	}
	return s->durations[prof_quantile_rank(s->count, q) - 1];
}

PROF_EXPORT uint64_t prof_span_max(struct prof_span_stats *s)
{
	return prof_span_percentile(s, 1.0);
}

/* ---- GC unions (the totals are in gc.c) ---- */

int prof__analysis_gc_add(struct prof_analysis *a, uint32_t trace, uint64_t begin_ns, uint64_t end_ns)
{
	struct prof__gc_union *u = NULL;
	size_t lo, hi, i, j;
	uint64_t nb = begin_ns, ne = end_ns, removed = 0;

	for (i = 0; i < a->ngc; i++)
		if (a->gc[i].trace == trace)
			u = &a->gc[i];
	if (!u) {
		if (prof__analysis_grow((void **)&a->gc, &a->capgc, a->ngc + 1, sizeof(*a->gc)))
			return -ENOMEM;
		u = &a->gc[a->ngc++];
		memset(u, 0, sizeof(*u));
		u->trace = trace;
	}
	if (end_ns <= begin_ns)
		return 0; /* adds nothing to either */
	/* Room for one more first, so nothing below can fail half-way. */
	if (prof__analysis_grow((void **)&u->iv, &u->cap, u->n + 1, sizeof(*u->iv)))
		return -ENOMEM;
	/* The first interval that ends at or after begin_ns (ends are sorted,
	 * the intervals being disjoint and sorted). */
	lo = 0;
	hi = u->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (u->iv[mid].end < begin_ns)
			lo = mid + 1;
		else
			hi = mid;
	}
	i = lo;
	for (j = i; j < u->n && u->iv[j].begin <= end_ns; j++) {
		if (u->iv[j].begin < nb)
			nb = u->iv[j].begin;
		if (u->iv[j].end > ne)
			ne = u->iv[j].end;
		removed += u->iv[j].end - u->iv[j].begin;
	}
	/* Replace iv[i..j) by [nb, ne). */
	if (j == i) {
		memmove(&u->iv[i + 1], &u->iv[i], (u->n - i) * sizeof(*u->iv));
		u->n++;
	} else if (j > i + 1) {
		memmove(&u->iv[i + 1], &u->iv[j], (u->n - j) * sizeof(*u->iv));
		u->n -= j - i - 1;
	}
	u->iv[i].begin = nb;
	u->iv[i].end = ne;
	u->total_ns += (ne - nb) - removed;
	u->summed_ns += end_ns - begin_ns;
	return 0;
}

void prof__analysis_gc_unions(const struct prof_analysis *a, const struct prof__gc_union **u, size_t *n)
{
	*u = a->gc;
	*n = a->ngc;
}
