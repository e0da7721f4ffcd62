/* SPDX-License-Identifier: MIT */
/*
 * tools/mprof/gcreport.h - presentation shared by `mprof stats` and
 * `mprof top --gc`: the GC section (collections per kind, pause
 * percentiles, share of wall time in GC, heap counters) and the units.
 * Every number comes from the shared analysis (profile/analysis.h); this
 * file only lays it out.
 */
#ifndef MPROF_GCREPORT_H
#define MPROF_GCREPORT_H

#include <stdint.h>
#include <stdio.h>

#include "profile/analysis.h"

/* Print the GC section if the analysis saw GC events. */
void gc_report_print(FILE *f, struct prof_analysis *a);

/*
 * top's table: the same, plus, against @prev (the totals of the previous
 * refresh, or NULL), the collections new since then and the share of GC
 * in that last interval.
 */
void gc_report_print_live(FILE *f, struct prof_analysis *a, const struct prof_gc_totals *prev);

/* Format ns as "12ns" / "12.30us" / "4.56ms" / "1.230s" into buf. */
const char *format_ns(uint64_t ns, char *buf, size_t size);

/* Format a byte count as "123 B" / "12.3 KiB" / "4.56 MiB" / "1.23 GiB". */
const char *format_bytes(double bytes, char *buf, size_t size);

#endif
