/* SPDX-License-Identifier: MIT */
/*
 * tools/mprof/lossreport.h - the "lost" section of `mprof stats`: every
 * count of what a trace lost, each with a hint naming what to change.
 */
#ifndef MPROF_LOSSREPORT_H
#define MPROF_LOSSREPORT_H

#include <stdint.h>
#include <stdio.h>

#include "profile/ctf.h"

/* What a trace lost, gathered for the report. */
struct loss_report {
	struct prof_trace_stats trace;    /* events_discarded, packets_lost, invalid_packets */
	struct prof_region_counts region; /* the trace's region-level counts (its metadata env) */
	uint64_t spans_broken;            /* spans not paired across a loss (the analysis) */
	uint64_t gaps;                    /* places a stream lost events */
};

/*
 * Print the section: every count, zero or not, and a hint after each
 * non-zero one that names the `mprof record` option to change.
 * Return: the number of non-zero counts of lost events (truncated strings
 * and broken spans are consequences, not losses of their own).
 */
int loss_report_print(FILE *f, const struct loss_report *r);

#endif
