/* SPDX-License-Identifier: MIT */
/*
 * tools/mprof/top.c - `mprof top --gc TARGET [--interval S] [--count N]`:
 * live GC timing of a running program.
 *
 * TARGET is either
 *  - a trace directory that `mprof record` is still writing (or a
 *    directory of them, one per process): top follows it like `tail -f`
 *    through libprofile's trace reader in follow mode (prof_trace_next()
 *    picks up a replaced `metadata`, new stream files and the whole
 *    packets appended since the last refresh);
 *  - a live region ("shm:/name", "fd:N" or a region file) of a program
 *    that opened its own: top is then the region's consumer; it peeks
 *    (prof_region_reader_peek), so each thread's events appear as soon as
 *    they are complete, before their packet fills.
 * Either way every byte goes through libprofile's reader (prof_trace_*,
 * the region reader) and every event into the shared analysis; gcreport.c
 * prints the table.  Invalid packets are reported as they are found and
 * make the exit status 3.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "profile/analysis.h"
#include "commands.h"
#include "gcreport.h"
#include "profile/profile.h"

struct top {
	const char *target;
	struct prof_analysis *a;
	uint64_t events;
	/* Trace directory (or directory of traces), followed. */
	struct prof_trace *trace;
	int clock_set;
	uint64_t invalid_reported;
	int bad_input;       /* invalid packets were skipped: exit 3 */
	/* Live region. */
	struct prof_region *region;
	struct prof_region_reader *reader;
	int failed;          /* a fatal error was reported */
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mprof top --gc TARGET [--interval SECONDS] [--count N]\n"
		"  TARGET              a trace directory (or a directory of them) being\n"
		"                      written by `mprof record`, or\n"
		"                      a live region: shm:/NAME, fd:N or a region file\n"
		"  --gc                show garbage-collector timing (the only view so far)\n"
		"  -i, --interval S    seconds between refreshes (default 1; decimals allowed)\n"
		"  -n, --count N       stop after N refreshes (default: until interrupted)\n"
		"Every refresh prints collections per kind, pause p50/p90/p99/max, the\n"
		"share of wall time in GC and the heap counters (docs/GC.md).\n");
}

/* ---- Trace directory ---- */

/*
 * Everything the writer completed since the last refresh, through
 * libprofile's reader in follow mode (prof_trace_next() says -EAGAIN when
 * it has delivered it all).  A signal ends the loop early.
 */
static int dir_refresh(struct top *t)
{
	const struct prof_error *e;
	struct prof_decoded_event ev;
	struct prof_trace_stats st;
	char b[600];
	int r = 0;

	while (!stop && (r = prof_trace_next(t->trace, &ev)) == 1) {
		if (!t->clock_set) {
			/* Known once there is an event (a followed directory may
			 * have had no metadata yet). */
			prof_analysis_set_clock(t->a, &prof_trace_get_desc(t->trace)->clock);
			t->clock_set = 1;
		}
		if (prof_analysis_add(t->a, &ev) != 0) {
			mprof_error("top", "out of memory");
			return -1;
		}
		t->events++;
	}
	if (r < 0 && r != -EAGAIN) {
		e = prof_trace_last_error(t->trace);
		mprof_error("top", "%s", e ? prof_error_format(e, b, sizeof(b)) : prof_strerror(r));
		return -1;
	}
	prof_trace_get_stats(t->trace, &st);
	if (st.invalid_packets > t->invalid_reported && (e = prof_trace_last_error(t->trace))) {
		mprof_error("top", "warning: %llu invalid packets skipped; last: %s",
			    (unsigned long long)st.invalid_packets, prof_error_format(e, b, sizeof(b)));
		t->invalid_reported = st.invalid_packets;
		t->bad_input = 1;
	}
	return 0;
}

static int feed_packet(struct top *t, const uint8_t *pkt, const struct prof_packet_info *info,
		       const struct prof_schema *schema)
{
	struct prof_packet_cursor c;
	struct prof_decoded_event ev;
	int r;

	prof_packet_cursor_init(&c, pkt, info, schema);
	while ((r = prof_packet_next(&c, &ev)) > 0) {
		if (prof_analysis_add(t->a, &ev) != 0) {
			mprof_error("top", "out of memory");
			return -ENOMEM;
		}
		t->events++;
	}
	return r;
}

/* ---- Live region ---- */

static int region_sink(void *arg, uint32_t stream, const uint8_t *pkt, size_t len,
		       const struct prof_packet_info *info)
{
	struct top *t = arg;

	(void)stream;
	(void)len;
	/* The reader checked the packet against its schema; a refresh only
	 * appends to it, so the current one decodes it too. */
	return feed_packet(t, pkt, info, prof_region_reader_schema(t->reader)) == -ENOMEM ? -ENOMEM : 0;
}

static int region_open(struct top *t)
{
	struct prof_error err;
	char buf[600];

	if (prof_region_map(&t->region, t->target, &err) != 0) {
		mprof_error("top", "%s", prof_error_format(&err, buf, sizeof(buf)));
		return -1;
	}
	if (prof_region_reader_open(&t->reader, prof_region_memory(t->region), prof_region_size(t->region),
				    t->target, &err) != 0) {
		mprof_error("top", "%s", prof_error_format(&err, buf, sizeof(buf)));
		return -1;
	}
	prof_analysis_set_clock(t->a, &prof_region_reader_header(t->reader)->clock);
	return 0;
}

static int region_refresh(struct top *t)
{
	int r = prof_region_reader_peek(t->reader, region_sink, t);

	if (r < 0) {
		mprof_error("top", "%s: %s", t->target, prof_strerror(r));
		return -1;
	}
	return 0;
}

/* ---- The loop ---- */

static int parse_interval(const char *text, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(text, &end);
	if (errno || end == text || *end || !isfinite(v) || v < 0.01 || v > 3600) {
		mprof_error("top", "--interval: '%s' is not a number of seconds in [0.01, 3600]", text);
		return -1;
	}
	*out = v;
	return 0;
}

static void print_refresh(struct top *t, unsigned long n, const struct prof_gc_totals *prev, int clear)
{
	struct prof_drain_stats ds;
	uint64_t discarded;

	if (clear)
		fputs("\033[H\033[2J", stdout);
	if (t->reader) {
		prof_region_reader_stats(t->reader, &ds);
		discarded = ds.events_discarded + ds.dropped_no_slot;
	} else {
		struct prof_trace_stats st;

		prof_trace_get_stats(t->trace, &st);
		discarded = st.events_discarded + prof_trace_get_desc(t->trace)->counts.dropped_no_slot;
	}
	printf("mprof top --gc %s  refresh %lu  events %llu  dropped %llu\n", t->target, n,
	       (unsigned long long)t->events, (unsigned long long)discarded);
	if (!t->reader && prof_trace_part_count(t->trace) == 0)
		printf("(no %s/metadata yet: waiting for mprof record to write it)\n", t->target);
	gc_report_print_live(stdout, t->a, prev);
	if (!clear)
		putchar('\n');
	fflush(stdout);
}

int cmd_top(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "gc", no_argument, NULL, 'g' },
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct top t = { 0 };
	struct prof_error err;
	char ebuf[600];
	struct prof_gc_totals prev, now;
	struct sigaction sa;
	struct timespec next;
	struct stat st;
	double interval = 1.0;
	uint32_t count = 0;
	unsigned long n;
	int gc = 0, c, clear, ret = MPROF_EXIT_INPUT;

	optind = 1;
	while ((c = getopt_long(argc, argv, "gi:n:h", opts, NULL)) != -1) {
		switch (c) {
		case 'g': gc = 1; break;
		case 'i': if (parse_interval(optarg, &interval)) return MPROF_EXIT_USAGE; break;
		case 'n':
			if (mprof_parse_u32("top", "--count", optarg, 0, &count))
				return MPROF_EXIT_USAGE;
			if (count == 0) {
				mprof_error("top", "--count must be at least 1");
				return MPROF_EXIT_USAGE;
			}
			break;
		case 'h': usage(stdout); return MPROF_EXIT_OK;
		default: usage(stderr); return MPROF_EXIT_USAGE;
		}
	}
	if (!gc || optind != argc - 1) {
		mprof_error("top", "%s", !gc ? "--gc (GC timing) is the only view: add --gc" : "expected one TARGET");
		usage(stderr);
		return MPROF_EXIT_USAGE;
	}
	t.target = argv[optind];
	t.a = prof_analysis_new(NULL);
	if (!t.a) {
		mprof_error("top", "out of memory");
		return MPROF_EXIT_SYSTEM;
	}
	if (strncmp(t.target, "shm:", 4) && strncmp(t.target, "fd:", 3) && stat(t.target, &st) == 0 &&
	    S_ISDIR(st.st_mode)) {
		if (prof_trace_open_flags(&t.trace, t.target, PROF_TRACE_FOLLOW, &err) != 0) {
			mprof_error("top", "%s", prof_error_format(&err, ebuf, sizeof(ebuf)));
			if (err.code == -ENOMEM)
				ret = MPROF_EXIT_SYSTEM;
			goto out;
		}
	} else if (region_open(&t) != 0) {
		goto out;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	clear = isatty(STDOUT_FILENO);
	clock_gettime(CLOCK_MONOTONIC, &next);
	memset(&prev, 0, sizeof(prev));
	/* Refresh 1 right away, then one every interval. */
	for (n = 1; !stop; n++) {
		if ((t.trace ? dir_refresh(&t) : region_refresh(&t)) != 0)
			goto out;
		print_refresh(&t, n, n > 1 ? &prev : NULL, clear);
		prof_analysis_gc_totals(t.a, &now);
		prev = now;
		if (count && n >= count)
			break;
		next.tv_sec += (time_t)interval;
		next.tv_nsec += (long)((interval - floor(interval)) * 1e9);
		if (next.tv_nsec >= 1000000000L) {
			next.tv_sec++;
			next.tv_nsec -= 1000000000L;
		}
		/* The refresh period; a signal ends it early (EINTR). */
		while (!stop && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			;
	}
	ret = t.bad_input ? MPROF_EXIT_INPUT : MPROF_EXIT_OK;
out:
	prof_trace_close(t.trace);
	prof_region_reader_close(t.reader);
	prof_region_close(t.region);
	prof_analysis_free(t.a);
	return ret;
}
