/* SPDX-License-Identifier: MIT */
/*
 * tools/mprof/gcreport.h - the GC summary shared by `mprof stats` and
 * `mprof top --gc`: collections per kind, pause percentiles, share of wall
 * time in GC, heap counters.  It reads only the shared analysis
 * (analysis.h) and the GC event names of profile/gc.h (docs/GC.md).
 */
#ifndef MPROF_GCREPORT_H
#define MPROF_GCREPORT_H

#include <stdint.h>
#include <stdio.h>

#include "analysis.h"
#include "profile/gc.h"

/* What a GC report totals, kept by `top` to show what changed since. */
struct gc_totals {
	uint64_t count[PROF_GC_KIND_COUNT]; /* completed spans per kind */
	uint64_t pauses;                    /* completed collections (pause kinds) */
	uint64_t pause_ns;                  /* their summed durations */
	uint64_t wall_ns;                   /* time the events cover */
	double counter[PROF_GC_COUNTER_COUNT];
	uint8_t has_counter[PROF_GC_COUNTER_COUNT];
};

/* Fill @out from @a. */
void gc_totals_get(struct analysis *a, struct gc_totals *out);

/* Non-zero if @a saw any GC span or counter. */
int gc_report_has_gc(struct analysis *a);

/* Print the GC section (collections per kind, pause percentiles, share of
 * wall time in GC, heap counters) if the analysis saw GC events. */
void gc_report_print(FILE *f, struct analysis *a);

/*
 * top's table: the same, plus, against @prev (the totals of the previous
 * refresh, or NULL), the collections new since then and the share of GC
 * in that last interval.
 */
void gc_report_print_live(FILE *f, struct analysis *a, const struct gc_totals *prev);

/* Format a byte count as "123 B" / "12.3 KiB" / "4.56 MiB" / "1.23 GiB". */
const char *format_bytes(double bytes, char *buf, size_t size);

#endif
