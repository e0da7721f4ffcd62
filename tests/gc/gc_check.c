/* SPDX-License-Identifier: MIT */
/*
 * tests/gc/gc_check.c - what the GC tests assert about a trace directory.
 *
 *   gc_check DIR
 *
 * Reads the trace through libprofile's reader (prof_trace_open/next) and
 * checks the GC spans independently of mprof's own analysis, per stream:
 * every end closes the innermost open span of the same name, every phase
 * (gc.mark, gc.sweep, gc.stop_world, gc.start_world) lies inside a
 * collection, and no collection lies inside another.  It prints one
 * "key value" line per fact for the test scripts to compare:
 *
 *   span gc.minor begins 987 ends 987 complete 987 nonpositive 0 total_ns 73430000
 *   nest_errors 0  orphan_phases 0  nested_pauses 0  unended 0
 *   pause_total_ns ...  wall_ns ...  events ...  invalid_packets 0  discarded 0
 *
 * Exit status: 0 when the trace was read (the facts are for the script to
 * judge), 3 when it could not be.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/profile.h"
#include "profile/gc.h"

#define MAX_STREAMS 4096
#define MAX_DEPTH 64

struct open_span {
	int kind;
	uint64_t begin_ns;
};

struct stream {
	int used;
	int depth;
	struct open_span stack[MAX_DEPTH];
};

struct kind_stats {
	uint64_t begins, ends, complete, nonpositive, total_ns;
};

static struct stream streams[MAX_STREAMS];
static struct kind_stats kinds[PROF_GC_KIND_COUNT];

/* The kind and whether it begins, from an event name; -1 if not a GC span. */
static int span_kind(const char *name, int *begin)
{
	int k;

	for (k = 0; k < PROF_GC_KIND_COUNT; k++) {
		const char *kn = prof_gc_kind_name((enum prof_gc_kind)k);
		size_t n = strlen(kn);

		if (strncmp(name, kn, n) != 0)
			continue;
		if (!strcmp(name + n, ".begin")) {
			*begin = 1;
			return k;
		}
		if (!strcmp(name + n, ".end")) {
			*begin = 0;
			return k;
		}
	}
	return -1;
}

static int pause_open(const struct stream *s)
{
	int i;

	for (i = 0; i < s->depth; i++)
		if (prof_gc_kind_is_pause((enum prof_gc_kind)s->stack[i].kind))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	struct prof_trace *t = NULL;
	struct prof_decoded_event ev;
	struct prof_trace_stats ts;
	struct prof_error err;
	const struct prof_clock_desc *clock;
	uint64_t nest_errors = 0, orphan_phases = 0, nested_pauses = 0, unended = 0, too_deep = 0;
	uint64_t pause_total = 0, first = 0, last = 0, events = 0;
	char buf[600];
	int r, k;
	size_t i;

	if (argc != 2) {
		fprintf(stderr, "usage: gc_check DIR\n");
		return 2;
	}
	if (prof_trace_open(&t, argv[1], &err) != 0) {
		fprintf(stderr, "gc_check: %s\n", prof_error_format(&err, buf, sizeof(buf)));
		return 3;
	}
	clock = &prof_trace_get_desc(t)->clock;
	while ((r = prof_trace_next(t, &ev)) > 0) {
		uint64_t ns = prof_clock_to_ns(clock, ev.timestamp);
		struct stream *s;
		int begin;

		if (!events++)
			first = ns;
		last = ns;
		k = span_kind(ev.desc->name, &begin);
		if (k < 0)
			continue;
		if (ev.stream >= MAX_STREAMS) {
			fprintf(stderr, "gc_check: stream %u out of range\n", ev.stream);
			return 3;
		}
		s = &streams[ev.stream];
		s->used = 1;
		if (begin) {
			kinds[k].begins++;
			if (prof_gc_kind_is_pause((enum prof_gc_kind)k) && pause_open(s))
				nested_pauses++;
			if (!prof_gc_kind_is_pause((enum prof_gc_kind)k) && k != PROF_GC_FINALISE && !pause_open(s))
				orphan_phases++;
			if (s->depth == MAX_DEPTH) {
				too_deep++;
				continue;
			}
			s->stack[s->depth].kind = k;
			s->stack[s->depth].begin_ns = ns;
			s->depth++;
			continue;
		}
		kinds[k].ends++;
		if (s->depth == 0 || s->stack[s->depth - 1].kind != k) {
			nest_errors++;
			continue;
		}
		s->depth--;
		kinds[k].complete++;
		if (ns <= s->stack[s->depth].begin_ns)
			kinds[k].nonpositive++;
		else
			kinds[k].total_ns += ns - s->stack[s->depth].begin_ns;
		if (prof_gc_kind_is_pause((enum prof_gc_kind)k))
			pause_total += ns > s->stack[s->depth].begin_ns ? ns - s->stack[s->depth].begin_ns : 0;
	}
	if (r < 0) {
		fprintf(stderr, "gc_check: %s: reading: %s\n", argv[1], prof_strerror(r));
		prof_trace_close(t);
		return 3;
	}
	for (i = 0; i < MAX_STREAMS; i++)
		unended += (uint64_t)streams[i].depth;
	prof_trace_get_stats(t, &ts);
	for (k = 0; k < PROF_GC_KIND_COUNT; k++)
		printf("span %s begins %llu ends %llu complete %llu nonpositive %llu total_ns %llu\n",
		       prof_gc_kind_name((enum prof_gc_kind)k), (unsigned long long)kinds[k].begins,
		       (unsigned long long)kinds[k].ends, (unsigned long long)kinds[k].complete,
		       (unsigned long long)kinds[k].nonpositive, (unsigned long long)kinds[k].total_ns);
	printf("nest_errors %llu\norphan_phases %llu\nnested_pauses %llu\nunended %llu\ntoo_deep %llu\n",
	       (unsigned long long)nest_errors, (unsigned long long)orphan_phases, (unsigned long long)nested_pauses,
	       (unsigned long long)unended, (unsigned long long)too_deep);
	printf("pause_total_ns %llu\nwall_ns %llu\nevents %llu\ninvalid_packets %llu\ndiscarded %llu\n",
	       (unsigned long long)pause_total, (unsigned long long)(last - first), (unsigned long long)events,
	       (unsigned long long)ts.invalid_packets, (unsigned long long)ts.events_discarded);
	prof_trace_close(t);
	return 0;
}
