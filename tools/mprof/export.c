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
	char *buf;                /* output, flushed to f when nearly full */
	size_t len;
	char **prefix;            /* per schema id: the event's rendered start */
	size_t *prefix_len, nprefix;
	char where[96];           /* the rendered pid, tid and "ts" key of... */
	size_t where_len;
	uint32_t where_trace, where_tid; /* ...this thread */
	int have_where;
	int format;
	uint64_t t0;              /* the first event's time (ns) */
	int have_t0;
	uint64_t written;         /* records written */
	uint64_t *seen;           /* (pid << 32 | tid) + 1 of named threads: open addressing */
	size_t seen_cap, seen_n;
	const struct mprof_source *src;
	int real_pids;            /* every trace's pid is known and no two are the same */
	int err;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: mprof export --format chrome|csv DIR -o FILE\n"
		   "  --format chrome  Chrome trace-event JSON (opens in Perfetto's UI and chrome://tracing)\n"
		   "  --format csv     one row per event: timestamp_ns,process,stream,tid,event,kind,fields\n"
		   "  -o FILE          the output, written to a temporary file and renamed when complete\n");
}

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

/* ---- Writing, without printf on the hot path ---- */

#define OBUF_SIZE (1u << 20)

static void ob_flush(struct exporter *x)
{
	if (x->len && fwrite_unlocked(x->buf, 1, x->len, x->f) != x->len)
		x->err = -EIO;
	x->len = 0;
}

/* Room for @n more bytes. */
static inline char *ob_room(struct exporter *x, size_t n)
{
	if (x->len + n > OBUF_SIZE) {
		ob_flush(x);
		if (n > OBUF_SIZE) {
			/* Larger than the buffer (cannot happen for an event: names
			 * and strings are bounded); write through. */
			return NULL;
		}
	}
	return x->buf + x->len;
}

static inline void ob_put(struct exporter *x, const char *p, size_t n)
{
	char *d = ob_room(x, n);

	if (!d) {
		if (fwrite_unlocked(p, 1, n, x->f) != n)
			x->err = -EIO;
		return;
	}
	memcpy(d, p, n);
	x->len += n;
}

#define OB_LIT(x, lit) ob_put((x), (lit), sizeof(lit) - 1)

static inline void ob_c(struct exporter *x, char c)
{
	char *d = ob_room(x, 1);

	*d = c;
	x->len++;
}

static void ob_u64(struct exporter *x, uint64_t v)
{
	char tmp[24], *p = tmp + sizeof(tmp);

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	ob_put(x, p, (size_t)(tmp + sizeof(tmp) - p));
}

/* ns as microseconds with three decimals (exact). */
static void ob_us(struct exporter *x, uint64_t ns)
{
	char frac[4] = { '.', (char)('0' + ns / 100 % 10), (char)('0' + ns / 10 % 10), (char)('0' + ns % 10) };

	ob_u64(x, ns / 1000);
	ob_put(x, frac, 4);
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
static void ob_json_str(struct exporter *x, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	static const char hex[] = "0123456789abcdef";

	ob_c(x, '"');
	for (size_t i = 0; i < n;) {
		unsigned char ch = s[i];

		if (ch == '"' || ch == '\\') {
			char esc[2] = { '\\', (char)ch };

			ob_put(x, esc, 2);
			i++;
		} else if (ch < 0x20 || ch == 0x7f) {
			char esc[6] = { '\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 15] };

			ob_put(x, esc, 6);
			i++;
		} else if (ch < 0x80) {
			ob_c(x, (char)ch);
			i++;
		} else {
			size_t len = utf8_len(s + i, n - i);

			if (len) {
				ob_put(x, str + i, len);
				i += len;
			} else {
				OB_LIT(x, "\\ufffd");
				i++;
			}
		}
	}
	ob_c(x, '"');
}

/* A value as a JSON number or string; non-finite doubles as strings.
 * Without @json, strings are written raw (the CSV caller quotes). */
static void ob_value(struct exporter *x, const struct prof_value *v, int json)
{
	char tmp[40];

	switch (v->type) {
	case PROF_TYPE_F64:
		if (isfinite(v->v.f))
			ob_put(x, tmp, (size_t)snprintf(tmp, sizeof(tmp), "%.17g", v->v.f));
		else if (isnan(v->v.f))
			OB_LIT(x, "\"NaN\"");
		else if (v->v.f > 0)
			OB_LIT(x, "\"Infinity\"");
		else
			OB_LIT(x, "\"-Infinity\"");
		break;
	case PROF_TYPE_S8: case PROF_TYPE_S16: case PROF_TYPE_S32: case PROF_TYPE_S64:
		if (v->v.s < 0) {
			ob_c(x, '-');
			ob_u64(x, (uint64_t)0 - (uint64_t)v->v.s);
		} else {
			ob_u64(x, (uint64_t)v->v.s);
		}
		break;
	case PROF_TYPE_STRING:
		if (json) {
			ob_json_str(x, v->v.str.ptr, v->v.str.len);
		} else {
			/* Quotes doubled: inside the CSV caller's quoted field. */
			for (uint32_t k = 0; k < v->v.str.len; k++) {
				if (v->v.str.ptr[k] == '"')
					ob_c(x, '"');
				ob_c(x, v->v.str.ptr[k]);
			}
		}
		break;
	default:
		/* Above 2^53 a JSON reader's double would round: a string. */
		if (json && v->v.u > (1ull << 53)) {
			ob_c(x, '"');
			ob_u64(x, v->v.u);
			ob_c(x, '"');
		} else {
			ob_u64(x, v->v.u);
		}
		break;
	}
}

/* An event's fields: JSON members ("name":value,...) or, for CSV,
 * name=value;... (field names are C identifiers: no quoting needed). */
static void ob_fields(struct exporter *x, const struct prof_decoded_event *ev, int json)
{
	const struct prof_schema_event *d = ev->desc;

	for (uint16_t i = 0; i < ev->nfields && i < d->nfields; i++) {
		if (i)
			ob_c(x, json ? ',' : ';');
		if (json)
			ob_json_str(x, d->fields[i].name, strlen(d->fields[i].name));
		else
			ob_put(x, d->fields[i].name, strlen(d->fields[i].name));
		ob_c(x, json ? ':' : '=');
		ob_value(x, &ev->values[i], json);
	}
}

/*
 * The start of an event's record, rendered once per schema id: Chrome
 * '{"name":"tick","ph":"i","s":"t"' (a span's end: '{"name":"work",
 * "cat":"span","ph":"X"'), CSV '"tick",instant,'.
 */
static int prefix_of(struct exporter *x, const struct prof_decoded_event *ev, const char *span,
		     const char **out, size_t *outlen)
{
	const struct prof_schema_event *d = ev->desc;
	size_t save;
	char *p;

	if (ev->id < x->nprefix && x->prefix[ev->id]) {
		*out = x->prefix[ev->id];
		*outlen = x->prefix_len[ev->id];
		return 0;
	}
	if (ev->id >= x->nprefix) {
		size_t n = (size_t)ev->id + 1;
		char **np = realloc(x->prefix, n * sizeof(*np));
		size_t *nl;

		if (!np)
			return -ENOMEM;
		x->prefix = np;
		nl = realloc(x->prefix_len, n * sizeof(*nl));
		if (!nl)
			return -ENOMEM;
		x->prefix_len = nl;
		memset(x->prefix + x->nprefix, 0, (n - x->nprefix) * sizeof(*np));
		x->nprefix = n;
	}
	/* Render it in the buffer, then take it out. */
	ob_room(x, 1024);
	save = x->len;
	if (x->format == FMT_CSV) {
		ob_c(x, '"');
		for (const char *c = d->name; *c; c++) {
			if (*c == '"')
				ob_c(x, '"');
			ob_c(x, *c);
		}
		ob_c(x, '"');
		ob_c(x, ',');
		ob_put(x, kind_name(d->kind), strlen(kind_name(d->kind)));
		ob_c(x, ',');
	} else {
		OB_LIT(x, "{\"name\":");
		ob_json_str(x, span ? span : d->name, strlen(span ? span : d->name));
		if (span && !strncmp(span, "gc.", 3))
			OB_LIT(x, ",\"cat\":\"gc\",\"ph\":\"X\"");
		else if (span)
			OB_LIT(x, ",\"cat\":\"span\",\"ph\":\"X\"");
		else if (d->kind == PROF_KIND_COUNTER)
			OB_LIT(x, ",\"ph\":\"C\"");
		else
			OB_LIT(x, ",\"ph\":\"i\",\"s\":\"t\"");
	}
	p = malloc(x->len - save + 1);
	if (!p)
		return -ENOMEM;
	memcpy(p, x->buf + save, x->len - save);
	p[x->len - save] = '\0';
	x->prefix_len[ev->id] = x->len - save;
	x->prefix[ev->id] = p;
	x->len = save;
	*out = p;
	*outlen = x->prefix_len[ev->id];
	return 0;
}

/* ---- Chrome ---- */

/* A process is its trace's pid where every trace has a distinct known
 * one, else the trace's number from 1 (a pid reused by an exec'd program
 * of a directory of traces, a foreign trace without one). */
static uint64_t pid_of(const struct exporter *x, uint32_t trace)
{
	const struct prof_trace_desc *d = x->real_pids ? mprof_source_part_desc(x->src, trace) : NULL;

	return d ? d->origin.pid : (uint64_t)trace + 1;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Whether every one of the source's @n traces has a known pid, no two the
 * same; -ENOMEM. */
static int pids_usable(const struct mprof_source *src, uint64_t n)
{
	uint64_t *pids, i;
	int ok = 1;

	if (n == 0 || n > SIZE_MAX / sizeof(*pids) || !(pids = malloc((size_t)n * sizeof(*pids))))
		return n == 0 ? 0 : -ENOMEM;
	for (i = 0; i < n && ok; i++) {
		const struct prof_trace_desc *d = mprof_source_part_desc(src, (uint32_t)i);

		pids[i] = d ? d->origin.pid : 0;
		ok = pids[i] != 0;
	}
	if (ok) {
		qsort(pids, (size_t)n, sizeof(*pids), cmp_u64);
		for (i = 1; i < n && ok; i++)
			ok = pids[i] != pids[i - 1];
	}
	free(pids);
	return ok;
}

static void chrome_sep(struct exporter *x)
{
	if (x->written++)
		OB_LIT(x, ",\n");
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
	const struct prof_trace_desc *d = mprof_source_part_desc(x->src, trace);
	int r = seen_insert(x, ((uint64_t)trace << 32 | 0xffffffffu) + 1);

	if (r < 0)
		return r;
	if (r) {
		/* Each trace of a directory names its own process. */
		chrome_sep(x);
		OB_LIT(x, "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":");
		ob_u64(x, pid);
		OB_LIT(x, ",\"tid\":0,\"args\":{\"name\":");
		if (d && d->origin.procname[0]) {
			ob_json_str(x, d->origin.procname, strlen(d->origin.procname));
		} else {
			OB_LIT(x, "\"process ");
			ob_u64(x, pid);
			ob_c(x, '"');
		}
		OB_LIT(x, "}}");
	}
	r = seen_insert(x, ((uint64_t)trace << 32 | tid) + 1);
	if (r <= 0)
		return r;
	chrome_sep(x);
	OB_LIT(x, "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":");
	ob_u64(x, pid);
	OB_LIT(x, ",\"tid\":");
	ob_u64(x, tid);
	OB_LIT(x, ",\"args\":{\"name\":\"thread ");
	ob_u64(x, tid);
	OB_LIT(x, "\"}}");
	return 0;
}

/* ',"pid":P,"tid":T,"ts":' of the event's thread, rendered on a change. */
static void chrome_where(struct exporter *x, uint32_t trace, uint32_t tid)
{
	if (!x->have_where || x->where_trace != trace || x->where_tid != tid) {
		size_t save;

		ob_room(x, sizeof(x->where));
		save = x->len;
		OB_LIT(x, ",\"pid\":");
		ob_u64(x, pid_of(x, trace));
		OB_LIT(x, ",\"tid\":");
		ob_u64(x, tid);
		OB_LIT(x, ",\"ts\":");
		x->where_len = x->len - save;
		memcpy(x->where, x->buf + save, x->where_len);
		x->len = save;
		x->where_trace = trace;
		x->where_tid = tid;
		x->have_where = 1;
	}
	ob_put(x, x->where, x->where_len);
}

static void observe(void *arg, enum prof_analysis_what what, const struct prof_span_stats *s,
		    const struct prof_decoded_event *end, uint64_t begin_ns, uint64_t end_ns)
{
	struct exporter *x = arg;
	const char *pre;
	size_t n;

	if (what != PROF_ANALYSIS_SPAN || x->format != FMT_CHROME)
		return;
	if (prefix_of(x, end, s->name, &pre, &n) != 0) {
		x->err = -ENOMEM;
		return;
	}
	if (begin_ns < x->t0)
		begin_ns = x->t0;
	chrome_sep(x);
	ob_put(x, pre, n);
	chrome_where(x, end->trace, end->tid);
	ob_us(x, begin_ns - x->t0);
	OB_LIT(x, ",\"dur\":");
	ob_us(x, end_ns - begin_ns);
	ob_c(x, '}');
}

static void chrome_event(struct exporter *x, const struct prof_decoded_event *ev)
{
	const struct prof_schema_event *d = ev->desc;
	const char *pre;
	size_t n;

	if (chrome_thread(x, ev->trace, pid_of(x, ev->trace), ev->tid) != 0) {
		x->err = -ENOMEM;
		return;
	}
	if (d->kind == PROF_KIND_SPAN_BEGIN || d->kind == PROF_KIND_SPAN_END)
		return; /* the analysis' observer writes the paired span */
	if (prefix_of(x, ev, NULL, &pre, &n) != 0) {
		x->err = -ENOMEM;
		return;
	}
	chrome_sep(x);
	ob_put(x, pre, n);
	chrome_where(x, ev->trace, ev->tid);
	ob_us(x, ev->timestamp - x->t0);
	OB_LIT(x, ",\"args\":{");
	ob_fields(x, ev, 1);
	OB_LIT(x, "}}");
}

/* ---- CSV ---- */

static void csv_event(struct exporter *x, const struct prof_decoded_event *ev)
{
	const char *pre;
	size_t n;

	if (prefix_of(x, ev, NULL, &pre, &n) != 0) {
		x->err = -ENOMEM;
		return;
	}
	ob_u64(x, ev->timestamp);
	ob_c(x, ',');
	ob_u64(x, pid_of(x, ev->trace));
	ob_c(x, ',');
	ob_u64(x, ev->stream);
	ob_c(x, ',');
	ob_u64(x, ev->tid);
	ob_c(x, ',');
	ob_put(x, pre, n);
	if (ev->nfields) {
		/* name=value;... in one quoted field (quotes doubled). */
		ob_c(x, '"');
		ob_fields(x, ev, 0);
		ob_c(x, '"');
	}
	ob_c(x, '\n');
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
	mprof_source_stats(src, &ts);
	x.real_pids = pids_usable(src, ts.traces);
	if (x.real_pids < 0) {
		mprof_error("export", "out of memory");
		ret = MPROF_EXIT_SYSTEM;
		goto out;
	}
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
	x.buf = malloc(OBUF_SIZE);
	if (!x.buf) {
		mprof_error("export", "out of memory");
		ret = MPROF_EXIT_SYSTEM;
		goto out;
	}
	setvbuf(x.f, NULL, _IONBF, 0); /* x.buf is the buffer */
	if (x.format == FMT_CHROME)
		OB_LIT(&x, "{\"traceEvents\":[\n");
	else
		OB_LIT(&x, "timestamp_ns,process,stream,tid,event,kind,fields\n");
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

		OB_LIT(&x, "\n],\"displayTimeUnit\":\"ns\",\"otherData\":{\"mprof_trace\":");
		ob_json_str(&x, dir, strlen(dir));
		OB_LIT(&x, ",\"first_event_ns\":");
		ob_u64(&x, x.t0);
		OB_LIT(&x, ",\"events\":");
		ob_u64(&x, ts.events);
		OB_LIT(&x, ",\"events_discarded\":");
		ob_u64(&x, ts.events_discarded);
		OB_LIT(&x, ",\"packets_lost\":");
		ob_u64(&x, ts.packets_lost);
		OB_LIT(&x, ",\"invalid_packets\":");
		ob_u64(&x, ts.invalid_packets);
		OB_LIT(&x, ",\"dropped_no_slot\":");
		ob_u64(&x, rc->dropped_no_slot);
		OB_LIT(&x, ",\"spans_unmatched\":");
		ob_u64(&x, unmatched);
		OB_LIT(&x, ",\"spans_broken_by_loss\":");
		ob_u64(&x, broken);
		OB_LIT(&x, "}}\n");
	}
	ob_flush(&x);
	if (x.err || fflush(x.f) != 0 || ferror(x.f)) {
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
	free(x.buf);
	for (size_t i = 0; i < x.nprefix; i++)
		free(x.prefix[i]);
	free(x.prefix);
	free(x.prefix_len);
	prof_analysis_free(a);
	mprof_source_close(src);
	return ret;
}
