/* SPDX-License-Identifier: MIT */
/*
 * tools/mprof/lossreport.c - the "lost" section of `mprof stats`
 * (presentation only: the counts come from the trace reader and the
 * analysis).
 *
 *   lost:
 *     events discarded (ring full)               120  hint: record -s (packet size), -n (packets) or -p (period)
 *     ...
 */
#include "lossreport.h"

struct row {
	const char *what;
	uint64_t n;
	const char *hint; /* for a non-zero count */
	int loss;         /* events lost (not a consequence or a partial value) */
};

int loss_report_print(FILE *f, const struct loss_report *r)
{
	const struct row rows[] = {
		{ "events discarded (ring full)", r->trace.events_discarded,
		  "bigger or more packets, or drain more often: record -s, -n, -p", 1 },
		{ "packets lost (sequence gaps)", r->trace.packets_lost,
		  "overwrite mode reuses packets: record -m discard, or more packets: -n", 1 },
		{ "invalid packets skipped", r->trace.invalid_packets, "the trace files are damaged", 1 },
		{ "events without a stream slot", r->region.dropped_no_slot,
		  "more threads than stream slots: record -t", 1 },
		{ "event types refused (schema full)", r->region.refused_events,
		  "more distinct events than allowed: record -e", 1 },
		{ "event definitions refused (invalid)", r->region.refused_invalid,
		  "fix them: record's summary names them", 1 },
		{ "schema records unusable", r->region.schema_errors,
		  "their events were skipped: record's summary names them", 1 },
		{ "strings truncated", r->region.strings_truncated,
		  "values cut at their str(N) bound; raise N", 0 },
		{ "spans broken by loss", r->spans_broken, "not timed: their stream lost events", 0 },
	};
	int lossy = 0;

	fprintf(f, "lost:\n");
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		fprintf(f, "  %-38s %20llu", rows[i].what, (unsigned long long)rows[i].n);
		if (rows[i].n)
			fprintf(f, "  hint: %s", rows[i].hint);
		fputc('\n', f);
		if (rows[i].n && rows[i].loss)
			lossy++;
	}
	if (r->gaps)
		fprintf(f, "  (streams lost events at %llu places; no span is paired across one)\n",
			(unsigned long long)r->gaps);
	return lossy;
}
