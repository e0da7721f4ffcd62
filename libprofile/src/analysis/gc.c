/* SPDX-License-Identifier: MIT */
/*
 * src/analysis/gc.c - GC counts and time from the shared analysis, keyed on
 * the names of profile/gc.h (docs/GC.md).
 *
 * GC time is a union, not a sum: the collection and phase spans of one
 * process are merged into disjoint intervals as they pair (analysis.c,
 * prof__analysis_gc_add()), so an instant inside a minor collection inside
 * a major slice, or inside a phase inside its collection, or inside two
 * threads' collections at once, counts once.  A phase with no enclosing
 * collection (Boehm's incremental mode) is GC time too.  Finalisation runs
 * program code and is not.
 */
#include <string.h>

#include "analysis/analysis_private.h"

int prof__analysis_is_gc_time(const char *span_name)
{
	for (int k = 0; k < PROF_GC_KIND_COUNT; k++) {
		const char *n = prof_gc_kind_name((enum prof_gc_kind)k);

		if (n && strcmp(span_name, n) == 0)
			return k != PROF_GC_FINALISE;
	}
	return 0;
}

static int counter_index(const char *name)
{
	for (int c = 0; c < PROF_GC_COUNTER_COUNT; c++) {
		const char *n = prof_gc_counter_name((enum prof_gc_counter)c);

		if (n && strcmp(name, n) == 0)
			return c;
	}
	return -1;
}

static double value_double(const struct prof_value *v)
{
	switch (v->type) {
	case PROF_TYPE_F64: return v->v.f;
	case PROF_TYPE_S8: case PROF_TYPE_S16: case PROF_TYPE_S32: case PROF_TYPE_S64: return (double)v->v.s;
	default: return (double)v->v.u;
	}
}

PROF_EXPORT int prof_analysis_gc_totals(struct prof_analysis *a, struct prof_gc_totals *out)
{
	const struct prof__gc_union *u;
	size_t i, n;
	int seen = 0;

	memset(out, 0, sizeof(*out));
	for (int k = 0; k < PROF_GC_KIND_COUNT; k++) {
		struct prof_span_stats *s = prof_analysis_span_find(a, prof_gc_kind_name((enum prof_gc_kind)k));

		if (!s)
			continue;
		out->count[k] = s->count;
		if (prof_gc_kind_is_pause((enum prof_gc_kind)k)) {
			out->collections += s->count;
			out->collection_ns += s->total_ns;
		}
	}
	prof__analysis_gc_unions(a, &u, &n);
	for (i = 0; i < n; i++) {
		out->gc_ns += u[i].total_ns;
		out->summed_ns += u[i].summed_ns;
	}
	out->wall_ns = prof_analysis_wall_ns(a);
	for (i = 0; i < prof_analysis_span_count(a); i++)
		if (!strncmp(prof_analysis_span(a, i)->name, "gc.", 3))
			seen = 1;
	for (i = 0; i < prof_analysis_event_count(a); i++) {
		const struct prof_event_stats *e = prof_analysis_event(a, i);
		int c = counter_index(e->name);

		if (!strncmp(e->name, "gc.", 3))
			seen = 1;
		if (c >= 0 && e->has_last) {
			out->counter[c] = value_double(&e->last);
			out->has_counter[c] = 1;
		}
	}
	return seen;
}
