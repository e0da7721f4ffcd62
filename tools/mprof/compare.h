/* SPDX-License-Identifier: MIT */
/*
 * tools/mprof/compare.h - `mprof compare`: its options, parsed apart from
 * running (docs/mprof.1, docs/COMPARE-JSON.md).
 */
#ifndef MPROF_COMPARE_H
#define MPROF_COMPARE_H

#include <stddef.h>
#include <stdint.h>

#define COMPARE_MAX_RULES 32

/* Statistics a --fail-on rule may name. */
enum compare_stat { STAT_P50, STAT_P90, STAT_P99, STAT_MAX, STAT_COUNT, STAT_COUNT_ALL };

/* --fail-on METRIC.STAT>+X% (or <-X%): METRIC is a glob (fnmatch). */
struct compare_rule {
	char text[128];
	char metric[96];
	enum compare_stat stat;
	int up;           /* '>': a rise beyond the threshold fails; '<': a fall */
	double threshold; /* relative: +0.10 for +10% */
	int builtin;      /* the default rule: duration metrics only */
};

struct compare_opts {
	const char **base, **newer; /* trace paths (into argv) */
	size_t nbase, nnew;
	int json;
	int allow_loss;
	double alpha;              /* family-wise level (Holm) */
	double level;              /* bootstrap interval level */
	unsigned int iterations;   /* bootstrap resamples */
	uint64_t seed;
	int have_from, have_to;
	uint64_t from_ns, to_ns;   /* since each run's first event */
	char phase_start[64], phase_end[64]; /* marker event names, or empty */
	struct compare_rule rules[COMPARE_MAX_RULES];
	size_t nrules;
};

/*
 * Parse `mprof compare` arguments (argv[0] is "compare").  On success the
 * caller frees opts->base and opts->newer.  Return: 0, 1 for --help
 * (printed), or -1 after a message naming the bad option (usage error).
 */
int compare_parse_options(int argc, char **argv, struct compare_opts *opts);

/* Parse one --fail-on rule; return 0 or -1 (no message). */
int compare_parse_rule(const char *text, struct compare_rule *out);

const char *compare_stat_name(enum compare_stat s);

#endif
