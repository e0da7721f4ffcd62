/* SPDX-License-Identifier: MIT */
/*
 * tools/mprof/compare_opts.c - `mprof compare`'s command line, parsed
 * apart from running it.
 *
 *   mprof compare [options] BASE NEW
 *   mprof compare [options] BASE... -- NEW...
 *   mprof compare [options] --base B1 --base B2 --new N1 --new N2
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "compare.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mprof compare [options] BASE NEW\n"
		"       mprof compare [options] BASE... -- NEW...\n"
		"       mprof compare [options] --base DIR... --new DIR...\n"
		"  --json              the report as JSON on stdout (docs/COMPARE-JSON.md)\n"
		"  --fail-on RULE      METRIC.STAT>+X%% or METRIC.STAT<-X%% (STAT: p50 p90 p99 max count;\n"
		"                      METRIC may be a glob); repeatable.  Default: '*.p50>+5%%' on durations\n"
		"  --from T, --to T    compare only [T1, T2] after each run's first event (suffix ns us ms s)\n"
		"  --phase START,END   compare only between the marker events START and END\n"
		"  --alpha A           family-wise significance level, Holm-corrected (0.05)\n"
		"  --allow-loss        judge metrics even where a run lost events in the window\n"
		"  --seed N            the bootstrap's seed (1); --iterations N its resamples (1000)\n"
		"exit: 0 no regression, %d regression, %d undecided (a rule would fail on lossy data),\n"
		"      %d usage, %d bad input, %d system error\n",
		MPROF_EXIT_REGRESSED, MPROF_EXIT_UNDECIDED, MPROF_EXIT_USAGE, MPROF_EXIT_INPUT, MPROF_EXIT_SYSTEM);
}

const char *compare_stat_name(enum compare_stat s)
{
	static const char *const names[] = { "p50", "p90", "p99", "max", "count" };

	return s < STAT_COUNT_ALL ? names[s] : "?";
}

int compare_parse_rule(const char *text, struct compare_rule *out)
{
	const char *op = strpbrk(text, "<>"), *dot;
	char *end;
	double v;
	int s;

	memset(out, 0, sizeof(*out));
	if (!op || strlen(text) >= sizeof(out->text))
		return -1;
	snprintf(out->text, sizeof(out->text), "%s", text);
	/* The statistic is after the last dot before the operator. */
	for (dot = op; dot > text && dot[-1] != '.'; dot--)
		;
	if (dot == text || dot - 1 == text || (size_t)(dot - 1 - text) >= sizeof(out->metric))
		return -1;
	memcpy(out->metric, text, (size_t)(dot - 1 - text));
	for (s = 0; s < STAT_COUNT_ALL; s++)
		if (strlen(compare_stat_name((enum compare_stat)s)) == (size_t)(op - dot) &&
		    !strncmp(dot, compare_stat_name((enum compare_stat)s), (size_t)(op - dot)))
			break;
	if (s == STAT_COUNT_ALL)
		return -1;
	out->stat = (enum compare_stat)s;
	out->up = *op == '>';
	errno = 0;
	v = strtod(op + 1, &end);
	if (errno || end == op + 1 || strcmp(end, "%") || !isfinite(v))
		return -1;
	if ((out->up && v < 0) || (!out->up && v > 0))
		return -1; /* '>-5%' or '<+5%' would fire on no change */
	out->threshold = v / 100.0;
	return 0;
}

/* A time: digits and a unit (ns, us, ms, s; ns if none). */
static int parse_time(const char *text, uint64_t *out)
{
	char *end;
	double v, mul = 1.0;

	errno = 0;
	v = strtod(text, &end);
	if (errno || end == text || !(v >= 0.0))
		return -1;
	if (!strcmp(end, "s"))
		mul = 1e9;
	else if (!strcmp(end, "ms"))
		mul = 1e6;
	else if (!strcmp(end, "us"))
		mul = 1e3;
	else if (*end && strcmp(end, "ns"))
		return -1;
	if (v * mul >= 18446744073709551615.0)
		return -1;
	*out = (uint64_t)(v * mul);
	return 0;
}

static int add_path(const char ***arr, size_t *n, const char *path)
{
	const char **a = realloc(*arr, (*n + 1) * sizeof(**arr));

	if (!a)
		return -1;
	a[(*n)++] = path;
	*arr = a;
	return 0;
}

int compare_parse_options(int argc, char **argv, struct compare_opts *o)
{
	enum { O_FROM = 256, O_TO, O_PHASE, O_ALPHA, O_ALLOW_LOSS, O_SEED, O_ITER, O_BASE, O_NEW, O_FAIL };
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "fail-on", required_argument, NULL, O_FAIL },
		{ "from", required_argument, NULL, O_FROM },
		{ "to", required_argument, NULL, O_TO },
		{ "phase", required_argument, NULL, O_PHASE },
		{ "alpha", required_argument, NULL, O_ALPHA },
		{ "allow-loss", no_argument, NULL, O_ALLOW_LOSS },
		{ "seed", required_argument, NULL, O_SEED },
		{ "iterations", required_argument, NULL, O_ITER },
		{ "base", required_argument, NULL, O_BASE },
		{ "new", required_argument, NULL, O_NEW },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, dashdash = -1, named = 0;
	char *end;

	memset(o, 0, sizeof(*o));
	o->alpha = 0.05;
	o->level = 0.95;
	o->iterations = 1000;
	o->seed = 1;
	/* "--" splits BASE... from NEW...: find it before getopt eats it. */
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			dashdash = i;
			break;
		}
	optind = 1;
	while ((c = getopt_long(dashdash > 0 ? dashdash : argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j': o->json = 1; break;
		case 'h': usage(stdout); goto help;
		case O_FAIL:
			if (o->nrules == COMPARE_MAX_RULES) {
				mprof_error("compare", "--fail-on: at most %d rules", COMPARE_MAX_RULES);
				goto bad;
			}
			if (compare_parse_rule(optarg, &o->rules[o->nrules]) != 0) {
				mprof_error("compare", "--fail-on '%s': expected METRIC.STAT>+X%% or METRIC.STAT<-X%% "
					    "(STAT: p50, p90, p99, max, count)", optarg);
				goto bad;
			}
			o->nrules++;
			break;
		case O_FROM:
		case O_TO:
			if (parse_time(optarg, c == O_FROM ? &o->from_ns : &o->to_ns) != 0) {
				mprof_error("compare", "--%s '%s': expected a time such as 250ms", c == O_FROM ? "from" : "to",
					    optarg);
				goto bad;
			}
			*(c == O_FROM ? &o->have_from : &o->have_to) = 1;
			break;
		case O_PHASE: {
			const char *comma = strchr(optarg, ',');

			if (!comma || comma == optarg || !comma[1] || (size_t)(comma - optarg) >= sizeof(o->phase_start) ||
			    strlen(comma + 1) >= sizeof(o->phase_end)) {
				mprof_error("compare", "--phase '%s': expected START,END (two event names)", optarg);
				goto bad;
			}
			memcpy(o->phase_start, optarg, (size_t)(comma - optarg));
			o->phase_start[comma - optarg] = '\0';
			snprintf(o->phase_end, sizeof(o->phase_end), "%s", comma + 1);
			break;
		}
		case O_ALPHA:
			o->alpha = strtod(optarg, &end);
			if (*end || !(o->alpha > 0.0 && o->alpha < 1.0)) {
				mprof_error("compare", "--alpha '%s': expected a number between 0 and 1", optarg);
				goto bad;
			}
			break;
		case O_ALLOW_LOSS: o->allow_loss = 1; break;
		case O_SEED:
			errno = 0;
			o->seed = strtoull(optarg, &end, 0);
			if (errno || end == optarg || *end) {
				mprof_error("compare", "--seed '%s': expected a number", optarg);
				goto bad;
			}
			break;
		case O_ITER: {
			uint32_t v;

			if (mprof_parse_u32("compare", "--iterations", optarg, 0, &v) != 0)
				goto bad;
			if (v > 1000000) {
				mprof_error("compare", "--iterations %u: at most 1000000", v);
				goto bad;
			}
			o->iterations = v;
			break;
		}
		case O_BASE:
		case O_NEW:
			named = 1;
			if (add_path(c == O_BASE ? &o->base : &o->newer, c == O_BASE ? &o->nbase : &o->nnew, optarg))
				goto nomem;
			break;
		default: usage(stderr); goto bad;
		}
	}
	if (o->have_from && o->have_to && o->to_ns <= o->from_ns) {
		mprof_error("compare", "--to must be after --from");
		goto bad;
	}
	if (named) {
		if (optind < argc && (dashdash < 0 || optind < dashdash)) {
			mprof_error("compare", "'%s': with --base/--new, name every trace with them", argv[optind]);
			goto bad;
		}
	} else if (dashdash > 0) {
		for (int i = optind; i < dashdash; i++)
			if (add_path(&o->base, &o->nbase, argv[i]))
				goto nomem;
		for (int i = dashdash + 1; i < argc; i++)
			if (add_path(&o->newer, &o->nnew, argv[i]))
				goto nomem;
	} else if (argc - optind == 2) {
		if (add_path(&o->base, &o->nbase, argv[optind]) || add_path(&o->newer, &o->nnew, argv[optind + 1]))
			goto nomem;
	}
	if (!o->nbase || !o->nnew) {
		mprof_error("compare", "expected BASE and NEW traces (BASE NEW, BASE... -- NEW..., or --base/--new)");
		usage(stderr);
		goto bad;
	}
	return 0;
nomem:
	mprof_error("compare", "out of memory");
bad:
	free(o->base);
	free(o->newer);
	o->base = o->newer = NULL;
	return -1;
help:
	free(o->base);
	free(o->newer);
	o->base = o->newer = NULL;
	return 1;
}
