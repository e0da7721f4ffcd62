/* SPDX-License-Identifier: MIT */
/*
 * tools/mprof/export.c - `mprof export --format chrome|csv DIR -o FILE`:
 * a trace for other tools (docs/mprof.1).
 *
 *   DIR --mprof_source--> events --analysis (observer)--> spans  --+
 *                            |                                     +--> FILE.tmp.XXXXXX --rename--> FILE
 *                            +--> counters, instants, metadata ----+
 *
 * Chrome trace-event JSON (Perfetto's UI and chrome://tracing open it):
 * spans as complete events ("X", paired by the shared analysis, emitted
 * when they end), counters as "C", instants and plain events as "i" with
 * their fields as args, processes and threads named by "M" metadata.
 * Times are microseconds (three decimals: exact ns) since the trace's
 * first event.  What the trace lost and what could not be paired is in
 * the top-level "otherData" and on stderr.  CSV: one row per event.
 *
 * Streamed: nothing but the open spans and the thread names is held, and
 * the output is written to a temporary file that is renamed over FILE only
 * once complete, so no partial file ever looks complete (a corrupt stream
 * gives no output at all).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "mprof_source.h"
#include "profile/analysis.h"

enum { FMT_CHROME = 1, FMT_CSV = 2 };

struct exporter {
	FILE *f;
	int format;
	uint64_t t0;              /* the first event's time (ns) */
	int have_t0;
	uint64_t written;         /* records written */
	uint64_t *seen;           /* (pid << 32 | tid) + 1 of named threads: open addressing */
	size_t seen_cap, seen_n;
	const struct mprof_source *src;
	int single_pid;           /* one process with a known pid: use it */
	uint64_t pid;
	int err;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: mprof export --format chrome|csv DIR -o FILE\n"
		   "  --format chrome  Chrome trace-event JSON (opens in Perfetto's UI and chrome://tracing)\n"
		   "  --format csv     one row per event: timestamp_ns,process,stream,tid,event,kind,fields\n"
		   "  -o FILE          the output, written to a temporary file and renamed when complete\n");
}

/* ---- Writing, without printf on the hot path ---- */

static void out_u64(FILE *f, uint64_t v)
{
	char buf[24], *p = buf + sizeof(buf);

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	fwrite_unlocked(p, 1, (size_t)(buf + sizeof(buf) - p), f);
}

static void out_s(FILE *f, const char *s)
{
	fputs_unlocked(s, f);
}

/* ns as microseconds with three decimals (exact). */
static void out_us(FILE *f, uint64_t ns)
{
	char frac[4] = { (char)('0' + ns / 100 % 10), (char)('0' + ns / 10 % 10), (char)('0' + ns % 10), 0 };

	out_u64(f, ns / 1000);
	putc_unlocked('.', f);
	out_s(f, frac);
}

/* The length of a valid UTF-8 sequence at @s (at most @n bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	len = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	if (len > n)
		return 0;
	cp = s[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* A JSON string: escapes, and U+FFFD for bytes that are not UTF-8. */
static void out_json_str(FILE *f, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	static const char hex[] = "0123456789abcdef";

	putc_unlocked('"', f);
	for (size_t i = 0; i < n;) {
		unsigned char ch = s[i];

		if (ch == '"' || ch == '\\') {
			putc_unlocked('\\', f);
			putc_unlocked((char)ch, f);
			i++;
		} else if (ch < 0x20 || ch == 0x7f) {
			char esc[7] = { '\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 15], 0 };

			out_s(f, esc);
			i++;
		} else if (ch < 0x80) {
			putc_unlocked((char)ch, f);
			i++;
		} else {
			size_t len = utf8_len(s + i, n - i);

			if (len) {
				fwrite_unlocked(s + i, 1, len, f);
				i += len;
			} else {
				out_s(f, "\\ufffd");
				i++;
			}
		}
	}
	putc_unlocked('"', f);
}

/* A CSV field: quoted, quotes doubled. */
static void out_csv_str(FILE *f, const char *s, size_t n)
{
	putc_unlocked('"', f);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			putc_unlocked('"', f);
		putc_unlocked(s[i], f);
	}
	putc_unlocked('"', f);
}

/* A value as a JSON number or string; non-finite doubles as strings. */
static void out_value(FILE *f, const struct prof_value *v, int json)
{
	char buf[40];

	switch (v->type) {
	case PROF_TYPE_F64:
		if (isfinite(v->v.f)) {
			snprintf(buf, sizeof(buf), "%.17g", v->v.f);
			out_s(f, buf);
		} else {
			out_s(f, isnan(v->v.f) ? "\"NaN\"" : v->v.f > 0 ? "\"Infinity\"" : "\"-Infinity\"");
		}
		break;
	case PROF_TYPE_S8: case PROF_TYPE_S16: case PROF_TYPE_S32: case PROF_TYPE_S64:
		if (v->v.s < 0) {
			putc_unlocked('-', f);
			out_u64(f, (uint64_t)0 - (uint64_t)v->v.s);
		} else {
			out_u64(f, (uint64_t)v->v.s);
		}
		break;
	case PROF_TYPE_STRING:
		if (json)
			out_json_str(f, v->v.str.ptr, v->v.str.len);
		else
			fwrite_unlocked(v->v.str.ptr, 1, v->v.str.len, f);
		break;
	default:
		/* Above 2^53 a JSON reader's double would round: a string. */
		if (json && v->v.u > (1ull << 53)) {
			putc_unlocked('"', f);
			out_u64(f, v->v.u);
			putc_unlocked('"', f);
		} else {
			out_u64(f, v->v.u);
		}
		break;
	}
}

/* ---- Chrome ---- */

static uint64_t pid_of(const struct exporter *x, uint32_t trace)
{
	return x->single_pid ? x->pid : (uint64_t)trace + 1;
}

static void chrome_sep(struct exporter *x)
{
	if (x->written++)
		out_s(x->f, ",\n");
}

/* Insert @key in the set of named threads: 1 if new, 0 if there, or -ENOMEM. */
static int seen_insert(struct exporter *x, uint64_t key)
{
	size_t i;

	if (x->seen_n * 2 >= x->seen_cap) {
		size_t ncap = x->seen_cap ? x->seen_cap * 2 : 64;
		uint64_t *n = calloc(ncap, sizeof(*n));

		if (!n)
			return -ENOMEM;
		for (size_t k = 0; k < x->seen_cap; k++)
			if (x->seen[k]) {
				for (i = x->seen[k] * 0x9e3779b97f4a7c15ull >> 7 & (ncap - 1); n[i]; i = (i + 1) & (ncap - 1))
					;
				n[i] = x->seen[k];
			}
		free(x->seen);
		x->seen = n;
		x->seen_cap = ncap;
	}
	for (i = key * 0x9e3779b97f4a7c15ull >> 7 & (x->seen_cap - 1); x->seen[i]; i = (i + 1) & (x->seen_cap - 1))
		if (x->seen[i] == key)
			return 0;
	x->seen[i] = key;
	x->seen_n++;
	return 1;
}

/* Name a thread, and its process the first time, on first sight. */
static int chrome_thread(struct exporter *x, uint32_t trace, uint64_t pid, uint32_t tid)
{
	const struct prof_trace_desc *d = mprof_source_desc(x->src);
	int r = seen_insert(x, ((uint64_t)trace << 32 | 0xffffffffu) + 1);

	if (r < 0)
		return r;
	if (r) {
		/* The source describes the first process of a directory of
		 * traces; the others are named by their number. */
		chrome_sep(x);
		out_s(x->f, "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":");
		out_u64(x->f, pid);
		out_s(x->f, ",\"tid\":0,\"args\":{\"name\":");
		if (trace == 0 && d->origin.procname[0]) {
			out_json_str(x->f, d->origin.procname, strlen(d->origin.procname));
		} else {
			out_s(x->f, "\"process ");
			out_u64(x->f, pid);
			putc_unlocked('"', x->f);
		}
		out_s(x->f, "}}");
	}
	r = seen_insert(x, ((uint64_t)trace << 32 | tid) + 1);
	if (r <= 0)
		return r;
	chrome_sep(x);
	out_s(x->f, "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":");
	out_u64(x->f, pid);
	out_s(x->f, ",\"tid\":");
	out_u64(x->f, tid);
	out_s(x->f, ",\"args\":{\"name\":\"thread ");
	out_u64(x->f, tid);
	out_s(x->f, "\"}}");
	return 0;
}

static void chrome_head(struct exporter *x, uint64_t pid, uint32_t tid, uint64_t ns)
{
	out_s(x->f, ",\"pid\":");
	out_u64(x->f, pid);
	out_s(x->f, ",\"tid\":");
	out_u64(x->f, tid);
	out_s(x->f, ",\"ts\":");
	out_us(x->f, ns - x->t0);
}

static void observe(void *arg, enum prof_analysis_what what, const struct prof_span_stats *s,
		    const struct prof_decoded_event *end, uint64_t begin_ns, uint64_t end_ns)
{
	struct exporter *x = arg;
	uint64_t pid = pid_of(x, end->trace);

	if (what != PROF_ANALYSIS_SPAN || x->format != FMT_CHROME)
		return;
	if (begin_ns < x->t0)
		begin_ns = x->t0;
	chrome_sep(x);
	out_s(x->f, "{\"name\":");
	out_json_str(x->f, s->name, strlen(s->name));
	out_s(x->f, s->gc_time ? ",\"cat\":\"gc\",\"ph\":\"X\"" : ",\"cat\":\"span\",\"ph\":\"X\"");
	chrome_head(x, pid, end->tid, begin_ns);
	out_s(x->f, ",\"dur\":");
	out_us(x->f, end_ns - begin_ns);
	putc_unlocked('}', x->f);
}

static void chrome_event(struct exporter *x, const struct prof_decoded_event *ev)
{
	const struct prof_schema_event *d = ev->desc;
	uint64_t pid = pid_of(x, ev->trace);

	if (chrome_thread(x, ev->trace, pid, ev->tid) != 0) {
		x->err = -ENOMEM;
		return;
	}
	if (d->kind == PROF_KIND_SPAN_BEGIN || d->kind == PROF_KIND_SPAN_END)
		return; /* the analysis' observer writes the paired span */
	chrome_sep(x);
	out_s(x->f, "{\"name\":");
	out_json_str(x->f, d->name, strlen(d->name));
	if (d->kind == PROF_KIND_COUNTER)
		out_s(x->f, ",\"ph\":\"C\"");
	else
		out_s(x->f, ",\"ph\":\"i\",\"s\":\"t\"");
	chrome_head(x, pid, ev->tid, ev->timestamp);
	out_s(x->f, ",\"args\":{");
	for (uint16_t i = 0; i < ev->nfields && i < d->nfields; i++) {
		if (i)
			putc_unlocked(',', x->f);
		out_json_str(x->f, d->fields[i].name, strlen(d->fields[i].name));
		putc_unlocked(':', x->f);
		out_value(x->f, &ev->values[i], 1);
	}
	out_s(x->f, "}}");
}

/* ---- CSV ---- */

static const char *kind_name(uint16_t kind)
{
	switch (kind) {
	case PROF_KIND_SPAN_BEGIN: return "begin";
	case PROF_KIND_SPAN_END: return "end";
	case PROF_KIND_COUNTER: return "counter";
	case PROF_KIND_INSTANT: return "instant";
	default: return "plain";
	}
}

static void csv_event(struct exporter *x, const struct prof_decoded_event *ev)
{
	const struct prof_schema_event *d = ev->desc;
	FILE *f = x->f;

	out_u64(f, ev->timestamp);
	putc_unlocked(',', f);
	out_u64(f, pid_of(x, ev->trace));
	putc_unlocked(',', f);
	out_u64(f, ev->stream);
	putc_unlocked(',', f);
	out_u64(f, ev->tid);
	putc_unlocked(',', f);
	out_csv_str(f, d->name, strlen(d->name));
	putc_unlocked(',', f);
	out_s(f, kind_name(d->kind));
	putc_unlocked(',', f);
	if (ev->nfields) {
		/* name=value;... in one quoted field (quotes doubled). */
		putc_unlocked('"', f);
		for (uint16_t i = 0; i < ev->nfields && i < d->nfields; i++) {
			if (i)
				putc_unlocked(';', f);
			out_s(f, d->fields[i].name);
			putc_unlocked('=', f);
			if (ev->values[i].type == PROF_TYPE_STRING) {
				for (uint32_t k = 0; k < ev->values[i].v.str.len; k++) {
					if (ev->values[i].v.str.ptr[k] == '"')
						putc_unlocked('"', f);
					putc_unlocked(ev->values[i].v.str.ptr[k], f);
				}
			} else {
				out_value(f, &ev->values[i], 0);
			}
		}
		putc_unlocked('"', f);
	}
	putc_unlocked('\n', f);
	x->written++;
}

/* ---- The command ---- */

int cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct exporter x;
	struct mprof_source *src = NULL;
	struct prof_analysis *a = NULL;
	struct prof_decoded_event ev;
	struct prof_trace_stats ts;
	struct prof_error err;
	const char *out = NULL, *dir;
	char *tmp = NULL, buf[600];
	uint64_t n = 0, unmatched = 0, broken = 0;
	int c, r, fd = -1, ret = MPROF_EXIT_INPUT, progress = isatty(2);

	memset(&x, 0, sizeof(x));
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			x.format = !strcmp(optarg, "chrome") ? FMT_CHROME : !strcmp(optarg, "csv") ? FMT_CSV : -1;
			if (x.format < 0) {
				mprof_error("export", "--format '%s': expected chrome or csv", optarg);
				return MPROF_EXIT_USAGE;
			}
			break;
		case 'o': out = optarg; break;
		case 'h': usage(stdout); return MPROF_EXIT_OK;
		default: usage(stderr); return MPROF_EXIT_USAGE;
		}
	}
	if (optind != argc - 1 || !x.format || !out || !*out) {
		mprof_error("export", "expected --format chrome|csv, one trace directory and -o FILE");
		usage(stderr);
		return MPROF_EXIT_USAGE;
	}
	dir = argv[optind];
	if (mprof_source_open(&src, dir, 0, &err) != 0) {
		mprof_error("export", "%s", prof_error_format(&err, buf, sizeof(buf)));
		return err.code == -ENOMEM ? MPROF_EXIT_SYSTEM : MPROF_EXIT_INPUT;
	}
	x.src = src;
	x.pid = mprof_source_desc(src)->origin.pid;
	/* A directory of several traces has several processes: number them
	 * by part; a single trace uses its pid. */
	mprof_source_stats(src, &ts);
	x.single_pid = ts.traces <= 1 && x.pid != 0;
	a = prof_analysis_new(&mprof_source_desc(src)->clock);
	if (!a || asprintf(&tmp, "%s.tmp.XXXXXX", out) < 0) {
		tmp = NULL;
		mprof_error("export", "out of memory");
		ret = MPROF_EXIT_SYSTEM;
		goto out;
	}
	prof_analysis_keep_durations(a, 0);
	prof_analysis_set_observer(a, observe, &x);
	fd = mkstemp(tmp);
	if (fd < 0 || !(x.f = fdopen(fd, "w"))) {
		mprof_error("export", "%s: cannot create: %s", tmp, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		ret = MPROF_EXIT_SYSTEM;
		goto out;
	}
	fd = -1; /* the FILE owns it */
	setvbuf(x.f, NULL, _IOFBF, 1 << 20);
	if (x.format == FMT_CHROME)
		out_s(x.f, "{\"traceEvents\":[\n");
	else
		out_s(x.f, "timestamp_ns,process,stream,tid,event,kind,fields\n");
	while ((r = mprof_source_next(src, &ev)) > 0) {
		if (!x.have_t0) {
			x.t0 = ev.timestamp;
			x.have_t0 = 1;
		}
		if (x.format == FMT_CSV)
			csv_event(&x, &ev);
		else
			chrome_event(&x, &ev);
		if (prof_analysis_add(a, &ev) != 0 || x.err) {
			mprof_error("export", "out of memory");
			ret = MPROF_EXIT_SYSTEM;
			goto out;
		}
		if (progress && !(++n & ((1u << 20) - 1)))
			fprintf(stderr, "\rmprof export: %llu events", (unsigned long long)n);
	}
	if (progress && n >= (1u << 20))
		fputc('\n', stderr);
	if (r < 0) {
		const struct prof_error *se = mprof_source_error(src);

		mprof_error("export", "%s: %s", dir, se ? prof_error_format(se, buf, sizeof(buf)) : prof_strerror(r));
		goto out;
	}
	prof_analysis_finish(a);
	for (size_t i = 0; i < prof_analysis_span_count(a); i++) {
		unmatched += prof_analysis_span(a, i)->unmatched_begin + prof_analysis_span(a, i)->unmatched_end;
		broken += prof_analysis_span(a, i)->broken_by_loss;
	}
	mprof_source_stats(src, &ts);
	if (ts.invalid_packets) {
		/* A corrupt stream: no output at all rather than one that
		 * looks complete without its packets. */
		const struct prof_error *se = mprof_source_error(src);

		mprof_error("export", "%s: %llu invalid packets (corrupt stream)%s%s", dir,
			    (unsigned long long)ts.invalid_packets, se ? ": " : "",
			    se ? prof_error_format(se, buf, sizeof(buf)) : "");
		goto out;
	}
	if (x.format == FMT_CHROME) {
		const struct prof_region_counts *rc = &mprof_source_desc(src)->counts;

		out_s(x.f, "\n],\"displayTimeUnit\":\"ns\",\"otherData\":{\"mprof_trace\":");
		out_json_str(x.f, dir, strlen(dir));
		out_s(x.f, ",\"first_event_ns\":");
		out_u64(x.f, x.t0);
		out_s(x.f, ",\"events\":");
		out_u64(x.f, ts.events);
		out_s(x.f, ",\"events_discarded\":");
		out_u64(x.f, ts.events_discarded);
		out_s(x.f, ",\"packets_lost\":");
		out_u64(x.f, ts.packets_lost);
		out_s(x.f, ",\"invalid_packets\":");
		out_u64(x.f, ts.invalid_packets);
		out_s(x.f, ",\"dropped_no_slot\":");
		out_u64(x.f, rc->dropped_no_slot);
		out_s(x.f, ",\"spans_unmatched\":");
		out_u64(x.f, unmatched);
		out_s(x.f, ",\"spans_broken_by_loss\":");
		out_u64(x.f, broken);
		out_s(x.f, "}}\n");
	}
	if (fflush(x.f) != 0 || ferror(x.f)) {
		mprof_error("export", "%s: writing: %s", tmp, strerror(errno ? errno : EIO));
		ret = MPROF_EXIT_SYSTEM;
		goto out;
	}
	r = fclose(x.f);
	x.f = NULL;
	if (r != 0 || rename(tmp, out) != 0) {
		mprof_error("export", "%s: %s", out, strerror(errno));
		ret = MPROF_EXIT_SYSTEM;
		goto out;
	}
	free(tmp);
	tmp = NULL;
	if (ts.events_discarded || ts.packets_lost || unmatched || broken)
		mprof_error("export", "note: %s: %llu events discarded, %llu packets lost; %llu spans unmatched and "
			    "%llu broken by loss are not in the export", dir, (unsigned long long)ts.events_discarded,
			    (unsigned long long)ts.packets_lost, (unsigned long long)unmatched,
			    (unsigned long long)broken);
	ret = MPROF_EXIT_OK;
out:
	if (x.f)
		fclose(x.f);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	free(x.seen);
	prof_analysis_free(a);
	mprof_source_close(src);
	return ret;
}
