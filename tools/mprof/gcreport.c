/* SPDX-License-Identifier: MIT */
/*
 * tools/mprof/gcreport.c - the GC summary of `mprof stats` and `mprof top
 * --gc`: presentation only; the counts and GC time (a union: each instant
 * once, however spans nest) come from prof_analysis_gc_totals().
 *
 * Everything keys on the names of profile/gc.h: a span "gc.<kind>" per
 * collection or phase, a counter "gc.<name>_bytes" per heap counter.  The
 * collection kinds (prof_gc_kind_is_pause()) are the pauses: their count
 * and percentiles make the headline; phases and finalisation are listed
 * under them (docs/GC.md).
 *
 *   GC: 1534 collections, 210.4ms in GC = 12.9% of 1.63s
 *   GC time counts each instant once: 1.2ms of nested or overlapping spans ...
 *   kind              count    +new     total      p50      p90 ...
 *   gc.minor           1234     412  120.33ms  80.10us 120.00us ...
 *   gc.major_slice      300     100   90.07ms ...
 *     gc.mark            ...                 (phases, indented)
 *   heap               value   change
 *   gc.heap_bytes   12.3 MiB  +1.0 MiB
 */
#include <string.h>

#include "gcreport.h"

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

static double percent(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static void span_row(FILE *f, struct prof_span_stats *s, int indent, int live, uint64_t new_count)
{
	char b[5][32], name[PROF_NAME_MAX + 2];

	snprintf(name, sizeof(name), "%s%s", indent ? "  " : "", s->name);
	fprintf(f, "%-20s %9llu", name, (unsigned long long)s->count);
	if (live)
		fprintf(f, " %7llu", (unsigned long long)new_count);
	fprintf(f, " %10s %10s %10s %10s %10s", format_ns(s->total_ns, b[0], sizeof(b[0])),
		format_ns(prof_span_percentile(s, 0.50), b[1], sizeof(b[1])),
		format_ns(prof_span_percentile(s, 0.90), b[2], sizeof(b[2])),
		format_ns(prof_span_percentile(s, 0.99), b[3], sizeof(b[3])),
		format_ns(prof_span_max(s), b[4], sizeof(b[4])));
	if (!live)
		fprintf(f, " %9llu %9llu", (unsigned long long)(s->unmatched_begin + s->unmatched_end),
			(unsigned long long)s->broken_by_loss);
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

static void print_table(FILE *f, struct prof_analysis *a, const struct prof_gc_totals *now, const struct prof_gc_totals *prev,
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
		fprintf(f, " %9s %9s", "unmatched", "lost");
	fputc('\n', f);
	/* Collections first, then the phases inside them, then the rest. */
	for (pass = 0; pass < 2; pass++) {
		for (k = 0; k < PROF_GC_KIND_COUNT; k++) {
			struct prof_span_stats *s;

			if (prof_gc_kind_is_pause((enum prof_gc_kind)k) != !pass)
				continue;
			s = prof_analysis_span_find(a, prof_gc_kind_name((enum prof_gc_kind)k));
			if (!s || (!s->count && !s->unmatched_begin && !s->unmatched_end && !s->broken_by_loss && !live))
				continue;
			if (live && !s->count && !(prev && prev->count[k]))
				continue;
			span_row(f, s, pass, live, now->count[k] - (prev && prev->count[k] <= now->count[k] ? prev->count[k] : 0));
		}
	}
	/* Spans of a runtime's own under "gc." (not in profile/gc.h). */
	for (i = 0; i < prof_analysis_span_count(a); i++) {
		struct prof_span_stats *s = prof_analysis_span(a, i);

		if (!strncmp(s->name, "gc.", 3) && !is_known_kind(s->name) &&
		    (s->count || s->unmatched_begin || s->unmatched_end || s->broken_by_loss))
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

static void headline(FILE *f, const struct prof_gc_totals *t)
{
	char b[2][32];

	fprintf(f, "GC: %llu collections, %s in GC = %.2f%% of %s", (unsigned long long)t->collections,
		format_ns(t->gc_ns, b[0], sizeof(b[0])), percent(t->gc_ns, t->wall_ns),
		format_ns(t->wall_ns, b[1], sizeof(b[1])));
}

/* How nesting was handled, in one line. */
static void nesting_note(FILE *f, const struct prof_gc_totals *t)
{
	char b[2][32];

	fprintf(f, "GC time counts each instant once (union of collection and phase spans per process): "
		   "%s of nested or overlapping spans not counted twice (plain sum %s)\n",
		format_ns(t->summed_ns - t->gc_ns, b[0], sizeof(b[0])), format_ns(t->summed_ns, b[1], sizeof(b[1])));
}

void gc_report_print(FILE *f, struct prof_analysis *a)
{
	struct prof_gc_totals t;

	if (!prof_analysis_gc_totals(a, &t))
		return;
	fputc('\n', f);
	headline(f, &t);
	fputc('\n', f);
	nesting_note(f, &t);
	print_table(f, a, &t, NULL, 0);
}

void gc_report_print_live(FILE *f, struct prof_analysis *a, const struct prof_gc_totals *prev)
{
	struct prof_gc_totals t;

	prof_analysis_gc_totals(a, &t);
	headline(f, &t);
	if (prev && t.wall_ns > prev->wall_ns && t.gc_ns >= prev->gc_ns) {
		char b[32];

		fprintf(f, " (last %s: %.2f%%)", format_ns(t.wall_ns - prev->wall_ns, b, sizeof(b)),
			percent(t.gc_ns - prev->gc_ns, t.wall_ns - prev->wall_ns));
	}
	fputc('\n', f);
	print_table(f, a, &t, prev, 1);
}
