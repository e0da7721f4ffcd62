/* SPDX-License-Identifier: MIT */
/* tools/mprof/gcreport.h - GC pause summary shared by `stats` and `top`. */
#ifndef MPROF_GCREPORT_H
#define MPROF_GCREPORT_H

#include <stdio.h>

#include "analysis.h"

/* Print the GC section (collections per kind, pause percentiles, share of
 * wall time in GC, heap counters) if the analysis saw GC events. */
void gc_report_print(FILE *f, struct analysis *a);

#endif
