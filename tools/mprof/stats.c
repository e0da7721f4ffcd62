/* SPDX-License-Identifier: MIT */
/*
 * tools/mprof/stats.c - `mprof stats [--json] DIR`: per-event counts, span
 * duration percentiles, counters, and what was lost (discarded events,
 * lost packets, invalid packets).
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "analysis.h"
#include "commands.h"
#include "gcreport.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: mprof stats [--json] DIR\n"
		   "  --json   print the summary as JSON on stdout\n");
}

static const char *clock_name(const struct prof_clock_desc *c)
{
	switch (c->source) {
	case PROF_CLOCK_TSC: return "TSC";
	case PROF_CLOCK_MONOTONIC: return "CLOCK_MONOTONIC";
	default: return "platform";
	}
}

static void print_text(const char *dir, const struct prof_trace_desc *desc, const struct prof_trace_stats *ts,
		       struct analysis *a)
{
	char b[5][32];
	size_t i;
	int headed, gc = gc_report_has_gc(a);

	printf("trace %s\n", dir);
	printf("  clock %s %.6f GHz%s, duration %s\n", clock_name(&desc->clock), (double)desc->clock.freq_hz / 1e9,
	       desc->clock.calibrated ? " (calibrated)" : "", format_ns(analysis_wall_ns(a), b[0], sizeof(b[0])));
	printf("  %llu streams, %llu packets, %llu events\n", (unsigned long long)ts->streams,
	       (unsigned long long)ts->packets, (unsigned long long)ts->events);
	if (ts->incomplete)
		printf("  INCOMPLETE: the recording did not finish (its writer stopped or failed): the trace may end early\n");
	printf("  dropped: %llu events discarded, %llu packets lost, %llu invalid packets skipped\n",
	       (unsigned long long)ts->events_discarded, (unsigned long long)ts->packets_lost,
	       (unsigned long long)ts->invalid_packets);
	if (ts->packets_out_of_order || ts->packets_misplaced)
		printf("  of the invalid packets: %llu out of sequence (duplicated or reordered), %llu in another "
		       "stream's file\n", (unsigned long long)ts->packets_out_of_order,
		       (unsigned long long)ts->packets_misplaced);
	printf("  region: %llu events without a stream slot, %llu event types refused (schema full), "
	       "%llu definitions refused as invalid, %llu schema records skipped, %llu strings truncated\n",
	       (unsigned long long)desc->counts.dropped_no_slot, (unsigned long long)desc->counts.refused_events,
	       (unsigned long long)desc->counts.refused_invalid, (unsigned long long)desc->counts.schema_errors,
	       (unsigned long long)desc->counts.strings_truncated);
	if (ts->traces > 1)
		printf("  %llu traces (one per process)\n", (unsigned long long)ts->traces);

	printf("\n%-40s %12s\n", "event", "count");
	for (i = 0; i < analysis_event_count(a); i++) {
		const struct event_stats *e = analysis_event(a, i);

		printf("%-40s %12llu\n", e->name, (unsigned long long)e->count);
	}
	for (i = 0, headed = 0; i < analysis_span_count(a); i++)
		if (!gc || strncmp(analysis_span(a, i)->name, "gc.", 3))
			headed = 1;
	if (headed) {
		printf("\n%-28s %9s %10s %10s %10s %10s %10s %9s\n", "span", "count", "total", "p50", "p90", "p99",
		       "max", "unmatched");
		for (i = 0; i < analysis_span_count(a); i++) {
			struct span_stats *s = analysis_span(a, i);

			if (gc && !strncmp(s->name, "gc.", 3))
				continue; /* in the GC section below */
			printf("%-28s %9llu %10s %10s %10s %10s %10s %9llu\n", s->name, (unsigned long long)s->count,
			       format_ns(s->total_ns, b[0], sizeof(b[0])),
			       format_ns(span_percentile(s, 0.50), b[1], sizeof(b[1])),
			       format_ns(span_percentile(s, 0.90), b[2], sizeof(b[2])),
			       format_ns(span_percentile(s, 0.99), b[3], sizeof(b[3])),
			       format_ns(span_max(s), b[4], sizeof(b[4])), (unsigned long long)s->unmatched);
		}
	}
	for (i = 0, headed = 0; i < analysis_event_count(a); i++) {
		const struct event_stats *e = analysis_event(a, i);

		if (e->kind != PROF_KIND_COUNTER || !e->has_last || (gc && !strncmp(e->name, "gc.", 3)))
			continue;
		if (!headed++)
			printf("\n%-40s %16s\n", "counter", "last value");
		printf("%-40s %16.6g\n", e->name, e->last_value);
	}
	gc_report_print(stdout, a);
}

static int print_json(const char *dir, const struct prof_trace_desc *desc, const struct prof_trace_stats *ts,
		      struct analysis *a)
{
	json_t *root = json_object(), *events = json_object(), *spans = json_object(), *counters = json_object();
	size_t i;
	int ret;

	json_object_set_new(root, "trace", json_string(dir));
	json_object_set_new(root, "clock", json_pack("{s:s, s:I, s:b}", "source", clock_name(&desc->clock), "freq_hz",
						    (json_int_t)desc->clock.freq_hz, "calibrated",
						    desc->clock.calibrated));
	json_object_set_new(root, "duration_ns", json_integer((json_int_t)analysis_wall_ns(a)));
	json_object_set_new(root, "streams", json_integer((json_int_t)ts->streams));
	json_object_set_new(root, "packets", json_integer((json_int_t)ts->packets));
	json_object_set_new(root, "events", json_integer((json_int_t)ts->events));
	json_object_set_new(root, "events_discarded", json_integer((json_int_t)ts->events_discarded));
	json_object_set_new(root, "packets_lost", json_integer((json_int_t)ts->packets_lost));
	json_object_set_new(root, "invalid_packets", json_integer((json_int_t)ts->invalid_packets));
	json_object_set_new(root, "incomplete", json_boolean(ts->incomplete));
	json_object_set_new(root, "packets_out_of_order", json_integer((json_int_t)ts->packets_out_of_order));
	json_object_set_new(root, "packets_misplaced", json_integer((json_int_t)ts->packets_misplaced));
	json_object_set_new(root, "traces", json_integer((json_int_t)ts->traces));
	json_object_set_new(root, "region_counts",
			    json_pack("{s:I, s:I, s:I, s:I, s:I}", "dropped_no_slot",
				      (json_int_t)desc->counts.dropped_no_slot, "refused_events",
				      (json_int_t)desc->counts.refused_events, "refused_invalid",
				      (json_int_t)desc->counts.refused_invalid, "schema_errors",
				      (json_int_t)desc->counts.schema_errors, "strings_truncated",
				      (json_int_t)desc->counts.strings_truncated));
	for (i = 0; i < analysis_event_count(a); i++) {
		const struct event_stats *e = analysis_event(a, i);

		json_object_set_new(events, e->name, json_integer((json_int_t)e->count));
		if (e->kind == PROF_KIND_COUNTER && e->has_last)
			json_object_set_new(counters, e->name, json_real(e->last_value));
	}
	for (i = 0; i < analysis_span_count(a); i++) {
		struct span_stats *s = analysis_span(a, i);

		json_object_set_new(spans, s->name,
				    json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "count", (json_int_t)s->count,
					      "total_ns", (json_int_t)s->total_ns, "p50_ns",
					      (json_int_t)span_percentile(s, 0.5), "p90_ns",
					      (json_int_t)span_percentile(s, 0.9), "p99_ns",
					      (json_int_t)span_percentile(s, 0.99), "max_ns", (json_int_t)span_max(s),
					      "unmatched", (json_int_t)s->unmatched));
	}
	json_object_set_new(root, "event_counts", events);
	json_object_set_new(root, "spans", spans);
	json_object_set_new(root, "counters", counters);
	ret = json_dumpf(root, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
	fputc('\n', stdout);
	json_decref(root);
	return ret;
}

int cmd_stats(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct prof_trace *t = NULL;
	struct prof_trace_stats ts;
	struct prof_decoded_event ev;
	struct analysis *a = NULL;
	struct prof_error err;
	int json = 0, c, r, ret = MPROF_EXIT_INPUT;
	char buf[600];

	optind = 1;
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'h': usage(stdout); return MPROF_EXIT_OK;
		default: usage(stderr); return MPROF_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		mprof_error("stats", "expected one trace directory");
		usage(stderr);
		return MPROF_EXIT_USAGE;
	}
	if (prof_trace_open(&t, argv[optind], &err) != 0) {
		mprof_error("stats", "%s", prof_error_format(&err, buf, sizeof(buf)));
		return err.code == -ENOMEM ? MPROF_EXIT_SYSTEM : MPROF_EXIT_INPUT;
	}
	a = analysis_new(&prof_trace_get_desc(t)->clock);
	if (!a) {
		ret = MPROF_EXIT_SYSTEM;
		goto out;
	}
	while ((r = prof_trace_next(t, &ev)) > 0) {
		if (analysis_add(a, &ev) != 0) {
			mprof_error("stats", "out of memory");
			ret = MPROF_EXIT_SYSTEM;
			goto out;
		}
	}
	if (r < 0) {
		mprof_error("stats", "%s: reading the trace: %s", argv[optind], prof_strerror(r));
		goto out;
	}
	prof_trace_get_stats(t, &ts);
	if (ts.invalid_packets && prof_trace_last_error(t))
		mprof_error("stats", "warning: %llu invalid packets skipped; last: %s",
			    (unsigned long long)ts.invalid_packets,
			    prof_error_format(prof_trace_last_error(t), buf, sizeof(buf)));
	if (ts.incomplete)
		mprof_error("stats", "warning: %s: the recording did not finish (%s is there): the trace may end early",
			    argv[optind], PROF_CTF_INCOMPLETE_MARKER);
	if (json)
		print_json(argv[optind], prof_trace_get_desc(t), &ts, a);
	else
		print_text(argv[optind], prof_trace_get_desc(t), &ts, a);
	ret = ts.invalid_packets || ts.incomplete ? MPROF_EXIT_INPUT : MPROF_EXIT_OK;
out:
	analysis_free(a);
	prof_trace_close(t);
	return ret;
}
