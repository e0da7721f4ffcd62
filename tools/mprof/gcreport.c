/* SPDX-License-Identifier: MIT */
/*
 * tools/mprof/gcreport.c - the GC summary of `mprof stats` and `mprof top
 * --gc`, from the shared analysis.
 *
 * Everything keys on the names of profile/gc.h: a span "gc.<kind>" per
 * collection or phase, a counter "gc.<name>_bytes" per heap counter.  The
 * collection kinds (prof_gc_kind_is_pause()) are the pauses: their count,
 * percentiles and summed time make the headline; phases and finalisation
 * are listed under them and not added to GC time again (docs/GC.md).
 *
 *   GC: 1534 collections, 210.4ms in GC = 12.9% of 1.63s
 *   kind              count    +new     total      p50      p90 ...
 *   gc.minor           1234     412  120.33ms  80.10us 120.00us ...
 *   gc.major_slice      300     100   90.07ms ...
 *     gc.mark            ...                 (phases, indented)
 *   heap               value   change
 *   gc.heap_bytes   12.3 MiB  +1.0 MiB
 */
#include <string.h>

#include "gcreport.h"

const char *format_bytes(double bytes, char *buf, size_t size)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = bytes < 0 ? -bytes : bytes;
	size_t u = 0;

	while (v >= 1024.0 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024.0;
		u++;
	}
	if (u == 0)
		snprintf(buf, size, "%s%.0f B", bytes < 0 ? "-" : "", v);
	else
		snprintf(buf, size, "%s%.*f %s", bytes < 0 ? "-" : "", v < 10 ? 2 : v < 100 ? 1 : 0, v, units[u]);
	return buf;
}

static int counter_index(const char *name)
{
	int c;

	for (c = 0; c < PROF_GC_COUNTER_COUNT; c++)
		if (!strcmp(name, prof_gc_counter_name((enum prof_gc_counter)c)))
			return c;
	return -1;
}

void gc_totals_get(struct analysis *a, struct gc_totals *out)
{
	size_t i;
	int k;

	memset(out, 0, sizeof(*out));
	for (k = 0; k < PROF_GC_KIND_COUNT; k++) {
		struct span_stats *s = analysis_span_find(a, prof_gc_kind_name((enum prof_gc_kind)k));

		if (!s)
			continue;
		out->count[k] = s->count;
		if (prof_gc_kind_is_pause((enum prof_gc_kind)k)) {
			out->pauses += s->count;
			out->pause_ns += s->total_ns;
		}
	}
	out->wall_ns = analysis_wall_ns(a);
	for (i = 0; i < analysis_event_count(a); i++) {
		const struct event_stats *e = analysis_event(a, i);
		int c = counter_index(e->name);

		if (c >= 0 && e->has_last) {
			out->counter[c] = e->last_value;
			out->has_counter[c] = 1;
		}
	}
}

int gc_report_has_gc(struct analysis *a)
{
	size_t i;

	for (i = 0; i < analysis_span_count(a); i++)
		if (!strncmp(analysis_span(a, i)->name, "gc.", 3))
			return 1;
	for (i = 0; i < analysis_event_count(a); i++)
		if (!strncmp(analysis_event(a, i)->name, "gc.", 3))
			return 1;
	return 0;
}

static double percent(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static void span_row(FILE *f, struct span_stats *s, int indent, int live, uint64_t new_count)
{
	char b[5][32], name[PROF_NAME_MAX + 2];

	snprintf(name, sizeof(name), "%s%s", indent ? "  " : "", s->name);
	fprintf(f, "%-20s %9llu", name, (unsigned long long)s->count);
	if (live)
		fprintf(f, " %7llu", (unsigned long long)new_count);
	fprintf(f, " %10s %10s %10s %10s %10s", format_ns(s->total_ns, b[0], sizeof(b[0])),
		format_ns(span_percentile(s, 0.50), b[1], sizeof(b[1])),
		format_ns(span_percentile(s, 0.90), b[2], sizeof(b[2])),
		format_ns(span_percentile(s, 0.99), b[3], sizeof(b[3])),
		format_ns(span_max(s), b[4], sizeof(b[4])));
	if (!live)
		fprintf(f, " %9llu", (unsigned long long)s->unmatched);
	fputc('\n', f);
}

static int is_known_kind(const char *name)
{
	int k;

	for (k = 0; k < PROF_GC_KIND_COUNT; k++)
		if (!strcmp(name, prof_gc_kind_name((enum prof_gc_kind)k)))
			return 1;
	return 0;
}

static void print_table(FILE *f, struct analysis *a, const struct gc_totals *now, const struct gc_totals *prev,
			int live)
{
	char b[3][32];
	size_t i;
	int k, pass;

	fprintf(f, "%-20s %9s", "kind", "count");
	if (live)
		fprintf(f, " %7s", "+new");
	fprintf(f, " %10s %10s %10s %10s %10s", "total", "p50", "p90", "p99", "max");
	if (!live)
		fprintf(f, " %9s", "unmatched");
	fputc('\n', f);
	/* Collections first, then the phases inside them, then the rest. */
	for (pass = 0; pass < 2; pass++) {
		for (k = 0; k < PROF_GC_KIND_COUNT; k++) {
			struct span_stats *s;

			if (prof_gc_kind_is_pause((enum prof_gc_kind)k) != !pass)
				continue;
			s = analysis_span_find(a, prof_gc_kind_name((enum prof_gc_kind)k));
			if (!s || (!s->count && !s->unmatched && !live))
				continue;
			if (live && !s->count && !(prev && prev->count[k]))
				continue;
			span_row(f, s, pass, live, now->count[k] - (prev && prev->count[k] <= now->count[k] ? prev->count[k] : 0));
		}
	}
	/* Spans of a runtime's own under "gc." (not in profile/gc.h). */
	for (i = 0; i < analysis_span_count(a); i++) {
		struct span_stats *s = analysis_span(a, i);

		if (!strncmp(s->name, "gc.", 3) && !is_known_kind(s->name) && (s->count || s->unmatched))
			span_row(f, s, 1, live, 0);
	}

	for (k = 0; k < PROF_GC_COUNTER_COUNT; k++)
		if (now->has_counter[k])
			break;
	if (k == PROF_GC_COUNTER_COUNT)
		return;
	fprintf(f, "%-20s %12s", "heap (last)", "value");
	if (live)
		fprintf(f, " %12s", "change");
	fputc('\n', f);
	for (k = 0; k < PROF_GC_COUNTER_COUNT; k++) {
		if (!now->has_counter[k])
			continue;
		fprintf(f, "%-20s %12s", prof_gc_counter_name((enum prof_gc_counter)k),
			format_bytes(now->counter[k], b[0], sizeof(b[0])));
		if (live) {
			double d = prev && prev->has_counter[k] ? now->counter[k] - prev->counter[k] : 0.0;

			snprintf(b[2], sizeof(b[2]), "%s%s", d > 0 ? "+" : "", format_bytes(d, b[1], sizeof(b[1])));
			fprintf(f, " %12s", b[2]);
		}
		fputc('\n', f);
	}
}

static void headline(FILE *f, const struct gc_totals *t)
{
	char b[2][32];

	fprintf(f, "GC: %llu collections, %s in GC = %.2f%% of %s", (unsigned long long)t->pauses,
		format_ns(t->pause_ns, b[0], sizeof(b[0])), percent(t->pause_ns, t->wall_ns),
		format_ns(t->wall_ns, b[1], sizeof(b[1])));
}

void gc_report_print(FILE *f, struct analysis *a)
{
	struct gc_totals t;

	if (!gc_report_has_gc(a))
		return;
	gc_totals_get(a, &t);
	fputc('\n', f);
	headline(f, &t);
	fputc('\n', f);
	print_table(f, a, &t, NULL, 0);
}

void gc_report_print_live(FILE *f, struct analysis *a, const struct gc_totals *prev)
{
	struct gc_totals t;

	gc_totals_get(a, &t);
	headline(f, &t);
	if (prev && t.wall_ns > prev->wall_ns && t.pause_ns >= prev->pause_ns) {
		char b[32];

		fprintf(f, " (last %s: %.2f%%)", format_ns(t.wall_ns - prev->wall_ns, b, sizeof(b)),
			percent(t.pause_ns - prev->pause_ns, t.wall_ns - prev->wall_ns));
	}
	fputc('\n', f);
	print_table(f, a, &t, prev, 1);
}
