/* SPDX-License-Identifier: MIT */
/*
 * tools/mprof/stats.c - `mprof stats [--json] DIR`: per-event counts, span
 * duration percentiles, counters, GC time, and everything that was lost
 * (discarded events, lost and invalid packets, the region-level counts the
 * trace carries, spans broken by loss).  Presentation only: the numbers
 * come from the shared analysis (profile/analysis.h).  The JSON form is
 * documented in docs/STATS-JSON.md: integers exact (a u64 above INT64_MAX
 * as a decimal string), non-finite doubles as strings.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "jsonout.h"
#include "gcreport.h"
#include "lossreport.h"
#include "profile/analysis.h"

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

/* A counter's last value, exact. */
static void print_value(const struct prof_value *v)
{
	switch (v->type) {
	case PROF_TYPE_F64: printf("%20.6g\n", v->v.f); break;
	case PROF_TYPE_S8: case PROF_TYPE_S16: case PROF_TYPE_S32: case PROF_TYPE_S64:
		printf("%20lld\n", (long long)v->v.s);
		break;
	default: printf("%20llu\n", (unsigned long long)v->v.u); break;
	}
}

static void print_text(const char *dir, const struct prof_trace_desc *desc, const struct loss_report *lr,
		       struct prof_analysis *a)
{
	const struct prof_trace_stats *ts = &lr->trace;
	struct prof_gc_totals gct;
	char b[5][32];
	size_t i;
	int headed, gc = prof_analysis_gc_totals(a, &gct);

	printf("trace %s\n", dir);
	printf("  clock %s %.6f GHz%s, duration %s (%llu ns)\n", clock_name(&desc->clock),
	       (double)desc->clock.freq_hz / 1e9, desc->clock.calibrated ? " (calibrated)" : "",
	       format_ns(prof_analysis_wall_ns(a), b[0], sizeof(b[0])), (unsigned long long)prof_analysis_wall_ns(a));
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
	if (ts->traces > 1)
		printf("  %llu traces (one per process)\n", (unsigned long long)ts->traces);
	putchar('\n');
	loss_report_print(stdout, lr);

	printf("\n%-40s %20s\n", "event", "count");
	for (i = 0; i < prof_analysis_event_count(a); i++) {
		const struct prof_event_stats *e = prof_analysis_event(a, i);

		printf("%-40s %20llu\n", e->name, (unsigned long long)e->count);
	}
	for (i = 0, headed = 0; i < prof_analysis_span_count(a); i++)
		if (!gc || strncmp(prof_analysis_span(a, i)->name, "gc.", 3))
			headed = 1;
	if (headed) {
		printf("\n%-28s %9s %10s %10s %10s %10s %10s %9s %9s\n", "span", "count", "total", "p50", "p90", "p99",
		       "max", "unmatched", "lost");
		for (i = 0; i < prof_analysis_span_count(a); i++) {
			struct prof_span_stats *s = prof_analysis_span(a, i);

			if (gc && !strncmp(s->name, "gc.", 3))
				continue; /* in the GC section below */
			printf("%-28s %9llu %10s %10s %10s %10s %10s %9llu %9llu\n", s->name,
			       (unsigned long long)s->count, format_ns(s->total_ns, b[0], sizeof(b[0])),
			       format_ns(prof_span_percentile(s, 0.50), b[1], sizeof(b[1])),
			       format_ns(prof_span_percentile(s, 0.90), b[2], sizeof(b[2])),
			       format_ns(prof_span_percentile(s, 0.99), b[3], sizeof(b[3])),
			       format_ns(prof_span_max(s), b[4], sizeof(b[4])),
			       (unsigned long long)(s->unmatched_begin + s->unmatched_end),
			       (unsigned long long)s->broken_by_loss);
		}
	}
	for (i = 0, headed = 0; i < prof_analysis_event_count(a); i++) {
		const struct prof_event_stats *e = prof_analysis_event(a, i);

		if (e->kind != PROF_KIND_COUNTER || !e->has_last || (gc && !strncmp(e->name, "gc.", 3)))
			continue;
		if (!headed++)
			printf("\n%-40s %20s\n", "counter", "last value");
		printf("%-40s ", e->name);
		print_value(&e->last);
	}
	gc_report_print(stdout, a);
}

/* ---- Requests and GC (the join of profile/analysis.h, docs/PROBES.md) ---- */

/* The name of part @trace of @t: its directory's last component. */
static const char *part_name(const struct prof_trace *t, uint32_t trace)
{
	const char *d = prof_trace_part_dir(t, trace), *slash;

	if (!d)
		return "?";
	slash = strrchr(d, '/');
	return slash && slash[1] ? slash + 1 : d;
}

/* How many delayed exchanges the text lists (JSON lists them all). */
#define NET_TEXT_DELAYED_MAX 20

/* Return: 0, or -ENOMEM. */
static int print_net_gc(const struct prof_trace *t, struct prof_analysis *a)
{
	struct prof_net_gc n;
	struct prof_span_stats *rows[3];
	const char *labels[3] = { "every exchange", "no GC overlap", "GC overlap" };
	char b[5][32];
	size_t i, listed = 0;
	int r = prof_analysis_net_gc(a, &n);

	if (r <= 0)
		return r;
	rows[0] = n.all;
	rows[1] = n.clean;
	rows[2] = n.delayed_lat;
	printf("\nrequests and GC (request/response exchanges of sock.* connections, joined with GC time of the "
	       "same process)\n");
	printf("  %llu connections, %llu exchanges timed, %llu delayed by GC (%.1f%%), GC time absorbed %s\n",
	       (unsigned long long)n.connections, (unsigned long long)n.exchanges, (unsigned long long)n.delayed,
	       n.exchanges ? 100.0 * (double)n.delayed / (double)n.exchanges : 0.0,
	       format_ns(n.gc_ns, b[0], sizeof(b[0])));
	printf("  not timed: %llu unanswered requests, %llu exchanges open while events were lost\n",
	       (unsigned long long)n.unanswered, (unsigned long long)n.broken_by_loss);
	printf("  %-16s %9s %10s %10s %10s %10s\n", "latency", "count", "p50", "p90", "p99", "max");
	for (i = 0; i < 3; i++)
		printf("  %-16s %9llu %10s %10s %10s %10s\n", labels[i], (unsigned long long)rows[i]->count,
		       format_ns(prof_span_percentile(rows[i], 0.50), b[1], sizeof(b[1])),
		       format_ns(prof_span_percentile(rows[i], 0.90), b[2], sizeof(b[2])),
		       format_ns(prof_span_percentile(rows[i], 0.99), b[3], sizeof(b[3])),
		       format_ns(prof_span_max(rows[i]), b[4], sizeof(b[4])));
	for (i = 0; i < prof_analysis_net_exchange_count(a); i++) {
		const struct prof_net_exchange *x = prof_analysis_net_exchange(a, i);

		if (!x->gc_ns)
			continue;
		if (listed++ == 0)
			printf("  delayed exchanges (trace, connection, exchange number: latency, GC inside):\n");
		if (listed > NET_TEXT_DELAYED_MAX)
			continue;
		printf("    %s conn %llu #%llu: %s, GC %s\n", part_name(t, x->trace), (unsigned long long)x->conn,
		       (unsigned long long)x->index, format_ns(x->end_ns - x->begin_ns, b[0], sizeof(b[0])),
		       format_ns(x->gc_ns, b[1], sizeof(b[1])));
	}
	if (listed > NET_TEXT_DELAYED_MAX)
		printf("    ... %zu more (mprof stats --json lists every one)\n", listed - NET_TEXT_DELAYED_MAX);
	return 0;
}

/* ---- JSON (docs/STATS-JSON.md) ---- */

/* A double: a number if finite, else "NaN", "Infinity" or "-Infinity". */
static json_t *json_f64(double v)
{
	if (isnan(v))
		return json_string("NaN");
	if (isinf(v))
		return json_string(v > 0 ? "Infinity" : "-Infinity");
	return json_real(v);
}

static json_t *json_value(const struct prof_value *v)
{
	switch (v->type) {
	case PROF_TYPE_F64: return json_f64(v->v.f);
	case PROF_TYPE_S8: case PROF_TYPE_S16: case PROF_TYPE_S32: case PROF_TYPE_S64:
		return json_integer((json_int_t)v->v.s);
	default: return mprof_json_u64(v->v.u);
	}
}


static json_t *span_json(struct prof_span_stats *s)
{
	json_t *o = json_object();
	int bad = 0;

	bad |= mprof_json_set(o, "count", mprof_json_u64(s->count));
	bad |= mprof_json_set(o, "total_ns", mprof_json_u64(s->total_ns));
	bad |= mprof_json_set(o, "p50_ns", mprof_json_u64(prof_span_percentile(s, 0.5)));
	bad |= mprof_json_set(o, "p90_ns", mprof_json_u64(prof_span_percentile(s, 0.9)));
	bad |= mprof_json_set(o, "p99_ns", mprof_json_u64(prof_span_percentile(s, 0.99)));
	bad |= mprof_json_set(o, "max_ns", mprof_json_u64(prof_span_max(s)));
	if (!strncmp(s->name, "net.exchange", 12)) { /* the GC join's latencies: no pairing counts */
		if (bad) {
			json_decref(o);
			return NULL;
		}
		return o;
	}
	bad |= mprof_json_set(o, "unmatched", mprof_json_u64(s->unmatched_begin + s->unmatched_end));
	bad |= mprof_json_set(o, "unmatched_begin", mprof_json_u64(s->unmatched_begin));
	bad |= mprof_json_set(o, "unmatched_end", mprof_json_u64(s->unmatched_end));
	bad |= mprof_json_set(o, "broken_by_loss", mprof_json_u64(s->broken_by_loss));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *gc_json(struct prof_analysis *a)
{
	struct prof_gc_totals t;
	json_t *o, *kinds;
	int bad = 0;

	if (!prof_analysis_gc_totals(a, &t))
		return json_null();
	o = json_object();
	kinds = json_object();
	for (int k = 0; k < PROF_GC_KIND_COUNT; k++)
		bad |= mprof_json_set(kinds, prof_gc_kind_name((enum prof_gc_kind)k), mprof_json_u64(t.count[k]));
	bad |= mprof_json_set(o, "collections", mprof_json_u64(t.collections));
	bad |= mprof_json_set(o, "gc_ns", mprof_json_u64(t.gc_ns));
	bad |= mprof_json_set(o, "summed_ns", mprof_json_u64(t.summed_ns));
	bad |= mprof_json_set(o, "collection_ns", mprof_json_u64(t.collection_ns));
	bad |= mprof_json_set(o, "wall_ns", mprof_json_u64(t.wall_ns));
	bad |= mprof_json_set(o, "nesting", json_string("union"));
	bad |= mprof_json_set(o, "count", kinds);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The "net_gc" member: null without socket events; NULL if out of memory. */
static json_t *net_gc_json(const struct prof_trace *t, struct prof_analysis *a)
{
	struct prof_net_gc n;
	json_t *o, *lat, *conns, *delayed;
	size_t i;
	int bad = 0, r = prof_analysis_net_gc(a, &n);

	if (r < 0)
		return NULL;
	if (r == 0)
		return json_null();
	o = json_object();
	lat = json_object();
	conns = json_array();
	delayed = json_array();
	bad |= !o || !lat || !conns || !delayed;
	bad |= mprof_json_set(o, "connections", mprof_json_u64(n.connections));
	bad |= mprof_json_set(o, "exchanges", mprof_json_u64(n.exchanges));
	bad |= mprof_json_set(o, "delayed", mprof_json_u64(n.delayed));
	bad |= mprof_json_set(o, "gc_ns", mprof_json_u64(n.gc_ns));
	bad |= mprof_json_set(o, "unanswered", mprof_json_u64(n.unanswered));
	bad |= mprof_json_set(o, "broken_by_loss", mprof_json_u64(n.broken_by_loss));
	bad |= mprof_json_set(lat, "all", span_json(n.all));
	bad |= mprof_json_set(lat, "clean", span_json(n.clean));
	bad |= mprof_json_set(lat, "delayed", span_json(n.delayed_lat));
	for (i = 0; i < prof_analysis_net_conn_count(a); i++) {
		const struct prof_net_conn *c = prof_analysis_net_conn(a, i);
		json_t *co = json_object();

		bad |= mprof_json_set(co, "trace", json_string(part_name(t, c->trace)));
		bad |= mprof_json_set(co, "conn", mprof_json_u64(c->conn));
		bad |= mprof_json_set(co, "exchanges", mprof_json_u64(c->exchanges));
		bad |= mprof_json_set(co, "delayed", mprof_json_u64(c->delayed));
		bad |= mprof_json_set(co, "gc_ns", mprof_json_u64(c->gc_ns));
		bad |= mprof_json_set(co, "unanswered", mprof_json_u64(c->unanswered));
		bad |= !co || json_array_append_new(conns, co) != 0;
	}
	for (i = 0; i < prof_analysis_net_exchange_count(a); i++) {
		const struct prof_net_exchange *x = prof_analysis_net_exchange(a, i);
		json_t *xo;

		if (!x->gc_ns)
			continue;
		xo = json_object();
		bad |= mprof_json_set(xo, "trace", json_string(part_name(t, x->trace)));
		bad |= mprof_json_set(xo, "conn", mprof_json_u64(x->conn));
		bad |= mprof_json_set(xo, "index", mprof_json_u64(x->index));
		bad |= mprof_json_set(xo, "latency_ns", mprof_json_u64(x->end_ns - x->begin_ns));
		bad |= mprof_json_set(xo, "gc_ns", mprof_json_u64(x->gc_ns));
		bad |= !xo || json_array_append_new(delayed, xo) != 0;
	}
	bad |= mprof_json_set(o, "latency", lat);
	bad |= mprof_json_set(o, "per_connection", conns);
	bad |= mprof_json_set(o, "delayed_exchanges", delayed);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* Return: 0, or -ENOMEM. */
static int print_json(const char *dir, const struct prof_trace_desc *desc, const struct loss_report *lr,
		      struct prof_analysis *a, const struct prof_trace *t)
{
	const struct prof_trace_stats *ts = &lr->trace;
	json_t *root = json_object(), *events = json_object(), *spans = json_object(), *counters = json_object();
	json_t *clock = json_object();
	size_t i;
	int bad = !root || !events || !spans || !counters || !clock;

	bad |= mprof_json_set(clock, "source", json_string(clock_name(&desc->clock)));
	bad |= mprof_json_set(clock, "freq_hz", mprof_json_u64(desc->clock.freq_hz));
	bad |= mprof_json_set(clock, "calibrated", json_boolean(desc->clock.calibrated));
	bad |= mprof_json_set(root, "clock", json_incref(clock));
	bad |= mprof_json_set(root, "trace", json_string(dir));
	bad |= mprof_json_set(root, "duration_ns", mprof_json_u64(prof_analysis_wall_ns(a)));
	bad |= mprof_json_set(root, "streams", mprof_json_u64(ts->streams));
	bad |= mprof_json_set(root, "packets", mprof_json_u64(ts->packets));
	bad |= mprof_json_set(root, "events", mprof_json_u64(ts->events));
	bad |= mprof_json_set(root, "events_discarded", mprof_json_u64(ts->events_discarded));
	bad |= mprof_json_set(root, "packets_lost", mprof_json_u64(ts->packets_lost));
	bad |= mprof_json_set(root, "invalid_packets", mprof_json_u64(ts->invalid_packets));
	bad |= mprof_json_set(root, "incomplete", json_boolean(ts->incomplete));
	bad |= mprof_json_set(root, "packets_out_of_order", mprof_json_u64(ts->packets_out_of_order));
	bad |= mprof_json_set(root, "packets_misplaced", mprof_json_u64(ts->packets_misplaced));
	bad |= mprof_json_set(root, "traces", mprof_json_u64(ts->traces));
	bad |= mprof_json_set(root, "dropped_no_slot", mprof_json_u64(lr->region.dropped_no_slot));
	bad |= mprof_json_set(root, "refused_events", mprof_json_u64(lr->region.refused_events));
	bad |= mprof_json_set(root, "refused_invalid", mprof_json_u64(lr->region.refused_invalid));
	bad |= mprof_json_set(root, "schema_errors", mprof_json_u64(lr->region.schema_errors));
	bad |= mprof_json_set(root, "strings_truncated", mprof_json_u64(lr->region.strings_truncated));
	bad |= mprof_json_set(root, "spans_broken_by_loss", mprof_json_u64(lr->spans_broken));
	bad |= mprof_json_set(root, "loss_gaps", mprof_json_u64(lr->gaps));
	for (i = 0; i < prof_analysis_event_count(a); i++) {
		const struct prof_event_stats *e = prof_analysis_event(a, i);

		bad |= mprof_json_set(events, e->name, mprof_json_u64(e->count));
		if (e->kind == PROF_KIND_COUNTER && e->has_last)
			bad |= mprof_json_set(counters, e->name, json_value(&e->last));
	}
	for (i = 0; i < prof_analysis_span_count(a); i++) {
		struct prof_span_stats *s = prof_analysis_span(a, i);

		bad |= mprof_json_set(spans, s->name, span_json(s));
	}
	bad |= mprof_json_set(root, "event_counts", json_incref(events));
	bad |= mprof_json_set(root, "spans", json_incref(spans));
	bad |= mprof_json_set(root, "counters", json_incref(counters));
	bad |= mprof_json_set(root, "gc", gc_json(a));
	bad |= mprof_json_set(root, "net_gc", net_gc_json(t, a));
	if (!bad) {
		/* A write error shows in ferror(stdout), checked by the caller. */
		json_dumpf(root, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		fputc('\n', stdout);
	}
	json_decref(clock);
	json_decref(events);
	json_decref(spans);
	json_decref(counters);
	json_decref(root);
	return bad ? -ENOMEM : 0;
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
	struct prof_analysis *a = NULL;
	struct loss_report lr;
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
	a = prof_analysis_new(&prof_trace_get_desc(t)->clock);
	if (!a) {
		ret = MPROF_EXIT_SYSTEM;
		goto out;
	}
	while ((r = prof_trace_next(t, &ev)) > 0) {
		if (prof_analysis_add(a, &ev) != 0) {
			mprof_error("stats", "out of memory");
			ret = MPROF_EXIT_SYSTEM;
			goto out;
		}
	}
	if (r < 0) {
		mprof_error("stats", "%s: reading the trace: %s", argv[optind], prof_strerror(r));
		goto out;
	}
	prof_analysis_finish(a);
	prof_trace_get_stats(t, &ts);
	if (ts.invalid_packets && prof_trace_last_error(t))
		mprof_error("stats", "warning: %llu invalid packets skipped; last: %s",
			    (unsigned long long)ts.invalid_packets,
			    prof_error_format(prof_trace_last_error(t), buf, sizeof(buf)));
	if (ts.incomplete)
		mprof_error("stats", "warning: %s: the recording did not finish (%s is there): the trace may end early",
			    argv[optind], PROF_CTF_INCOMPLETE_MARKER);
	memset(&lr, 0, sizeof(lr));
	lr.trace = ts;
	lr.region = prof_trace_get_desc(t)->counts;
	lr.gaps = prof_analysis_gaps(a);
	for (size_t i = 0; i < prof_analysis_span_count(a); i++)
		lr.spans_broken += prof_analysis_span(a, i)->broken_by_loss;
	if (json) {
		if (print_json(argv[optind], prof_trace_get_desc(t), &lr, a, t) != 0) {
			mprof_error("stats", "out of memory");
			ret = MPROF_EXIT_SYSTEM;
			goto out;
		}
	} else {
		print_text(argv[optind], prof_trace_get_desc(t), &lr, a);
		if (print_net_gc(t, a) != 0) {
			mprof_error("stats", "out of memory");
			ret = MPROF_EXIT_SYSTEM;
			goto out;
		}
	}
	/* A report that did not reach its reader (full disk, closed pipe) is a
	 * failure, not success. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		mprof_error("stats", "writing the report: %s", strerror(errno ? errno : EIO));
		ret = MPROF_EXIT_SYSTEM;
		goto out;
	}
	ret = ts.invalid_packets || ts.incomplete ? MPROF_EXIT_INPUT : MPROF_EXIT_OK;
out:
	prof_analysis_free(a);
	prof_trace_close(t);
	return ret;
}
