/* SPDX-License-Identifier: MIT */
/*
 * tools/mprof/compare.c - `mprof compare`: is NEW worse than BASE, with
 * statistics (docs/mprof.1, docs/COMPARE-JSON.md, docs/ARCHITECTURE.md
 * "Compare").
 *
 *   BASE runs --+                      +-- metric table (by name) --+
 *               +-- mprof_source --> analysis --observer--> samples per metric, side, run
 *   NEW runs  --+                      (window, phase, loss)        |
 *                                                                   v
 *        per metric: counts, p50/p90/p99/max, bootstrap CI of each change,
 *        Mann-Whitney U; Holm across metrics; --fail-on rules; exit code
 *
 * Every input is read through the trace source and paired by the shared
 * analysis (its observer hands over each timed span and each loss gap);
 * every quantile, test and interval is the analysis library's.  This file
 * only decides what a metric is, which samples are in the window, and how
 * to present the verdict.
 */
#include <errno.h>
#include <fnmatch.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "jsonout.h"
#include "compare.h"
#include "mprof_source.h"
#include "profile/analysis.h"

/*
 * The metric table: which events make which metric, by name.  The first
 * row whose pattern and event kind match decides.  A probe's metrics (TCP
 * latencies: "tcp.rx_to_tx", "tcp.connect", spans of the TCP probes) are
 * added here as rows: nothing else in this file knows metric names.
 */
enum metric_class { CLS_GC, CLS_SPAN, CLS_RATE, CLS_COUNTER, CLS_NONE };

struct metric_row {
	const char *pattern;  /* fnmatch(3) pattern on the span or event name */
	int source;           /* SRC_SPAN, SRC_INSTANT or SRC_COUNTER */
	enum metric_class cls;
};
enum { SRC_SPAN = 1, SRC_INSTANT = 2, SRC_COUNTER = 3 };

static const struct metric_row metric_table[] = {
	{ "gc.*", SRC_SPAN, CLS_GC },          /* GC pauses per kind (profile/gc.h names) */
	{ "*", SRC_SPAN, CLS_SPAN },           /* any span, by name */
	{ "*", SRC_INSTANT, CLS_RATE },        /* rates of instants and plain events */
	{ "*", SRC_COUNTER, CLS_COUNTER },     /* counter distributions */
};

static const char *const class_names[] = { "gc", "span", "rate", "counter" };
static const char *const class_units[] = { "ns", "ns", "events/s", "value" };
/* Durations: higher is worse, so the default rule applies to them. */
static const int class_duration[] = { 1, 1, 0, 0 };

/* Rates are sampled per bucket: each run's compared time is cut into this
 * many equal buckets, each a sample of events per second. */
#define RATE_BUCKETS 20

struct samples {
	double *v;
	size_t n, cap;
	uint64_t *ts;         /* rates: the events' times, bucketed at the end */
	size_t nts, capts;
};

struct metric {
	char name[PROF_NAME_MAX];
	enum metric_class cls;
	struct samples *run[2];  /* [side][run] */
	double *pooled[2];
	size_t npooled[2];
	double p[2][4];          /* p50 p90 p99 max per side */
	uint64_t count[2];       /* samples (rates: events) per side */
	struct prof_bootstrap_ci ci[3]; /* p50 p90 p99 */
	double change_max, change_count;
	struct prof_mwu mwu;
	double p_adj;
	int tested, significant, lossy, regressed, undecided, improved;
	const char *fired;       /* the rule that fired (or would have) */
};

struct run_info {
	const char *path;
	uint64_t events, in_window, duration_ns, first_ns, last_ns;
	uint64_t gaps;           /* loss gaps inside the compared window */
	struct prof_region_counts counts;
	uint64_t incomplete;
	int lossy;
};

struct compare {
	const struct compare_opts *o;
	struct metric *m;
	size_t nm, capm;
	struct run_info *runs[2];
	/* The first schema seen per event name: mismatches are refused. */
	struct prof_schema_event *names;
	size_t nnames, capnames;
	const char **names_from;
};

/* A metric as one run saw it (merged into struct metric afterwards). */
struct lmetric {
	char name[PROF_NAME_MAX];
	enum metric_class cls;
	struct samples s;
};

/*
 * Reading one run: everything a reader touches is its own, so the runs
 * are read on two threads at once (the options are shared, read only).
 */
struct reader {
	const struct compare_opts *o;
	struct run_info *r;
	struct mprof_source *src; /* opened (and its schema checked) beforehand */
	struct lmetric *m;
	size_t nm, capm;
	int active;              /* the current event is inside the window and phase */
	uint64_t active_since;   /* when it became so (ns) */
	int in_phase;            /* between START and END markers */
	uint64_t phase_since;    /* the last START marker's time */
	uint64_t first_ns;
	int have_first;
	int32_t *id_metric;      /* schema id -> metric index + 1 (0: not yet, -1: none) */
	size_t nids;
	int err;                 /* set by observe(): out of memory */
	int ret;                 /* read_run()'s result */
	struct prof_error perr;
};

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap ? *cap : 16;
	void *n;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	n = realloc(*arr, ncap * elem);
	if (!n)
		return -ENOMEM;
	memset((char *)n + *cap * elem, 0, (ncap - *cap) * elem);
	*arr = n;
	*cap = ncap;
	return 0;
}

static enum metric_class classify(const char *name, int source)
{
	for (size_t i = 0; i < sizeof(metric_table) / sizeof(metric_table[0]); i++)
		if (metric_table[i].source == source && !fnmatch(metric_table[i].pattern, name, 0))
			return metric_table[i].cls;
	return CLS_NONE;
}

/* The metric of @name, made on first sight; -1 if out of memory. */
static long metric_get(struct compare *c, const char *name, enum metric_class cls)
{
	struct metric *m;

	for (size_t i = 0; i < c->nm; i++)
		if (c->m[i].cls == cls && !strcmp(c->m[i].name, name))
			return (long)i;
	if (grow((void **)&c->m, &c->capm, c->nm + 1, sizeof(*c->m)))
		return -1;
	m = &c->m[c->nm];
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->cls = cls;
	m->run[0] = calloc(c->o->nbase, sizeof(struct samples));
	m->run[1] = calloc(c->o->nnew, sizeof(struct samples));
	if (!m->run[0] || !m->run[1]) {
		free(m->run[0]);
		free(m->run[1]);
		return -1;
	}
	return (long)c->nm++;
}

/* The run's metric of @name, made on first sight; -1 if out of memory. */
static long lmetric_get(struct reader *rd, const char *name, enum metric_class cls)
{
	for (size_t i = 0; i < rd->nm; i++)
		if (rd->m[i].cls == cls && !strcmp(rd->m[i].name, name))
			return (long)i;
	if (grow((void **)&rd->m, &rd->capm, rd->nm + 1, sizeof(*rd->m)))
		return -1;
	snprintf(rd->m[rd->nm].name, sizeof(rd->m[rd->nm].name), "%s", name);
	rd->m[rd->nm].cls = cls;
	return (long)rd->nm++;
}

static int add_sample(struct samples *s, double v)
{
	if (s->n == s->cap && grow((void **)&s->v, &s->cap, s->n + 1, sizeof(*s->v)))
		return -ENOMEM;
	s->v[s->n++] = v;
	return 0;
}

static int add_time(struct samples *s, uint64_t ts)
{
	if (s->nts == s->capts && grow((void **)&s->ts, &s->capts, s->nts + 1, sizeof(*s->ts)))
		return -ENOMEM;
	s->ts[s->nts++] = ts;
	return 0;
}

/* ---- Reading a run ---- */

/* The span name of a begin or end event ("gc.minor.end" -> "gc.minor"). */
static void span_name(const char *ev, char *out, size_t size)
{
	size_t n = strlen(ev);
	const char *dot = strrchr(ev, '.');

	if (dot && (!strcmp(dot, ".begin") || !strcmp(dot, ".end")))
		n = (size_t)(dot - ev);
	snprintf(out, size, "%.*s", (int)n, ev);
}

/* The metric index of an event's schema id (cached), or -1 for none. */
static long event_metric(struct reader *c, const struct prof_decoded_event *ev, int *err)
{
	const struct prof_schema_event *d = ev->desc;
	char name[PROF_NAME_MAX];
	enum metric_class cls;
	long mi;
	int source;

	if (ev->id >= c->nids) {
		size_t cap = c->nids;

		if (grow((void **)&c->id_metric, &cap, (size_t)ev->id + 1, sizeof(*c->id_metric))) {
			*err = -ENOMEM;
			return -1;
		}
		c->nids = cap;
	}
	if (c->id_metric[ev->id])
		return c->id_metric[ev->id] > 0 ? c->id_metric[ev->id] - 1 : -1;
	source = d->kind == PROF_KIND_SPAN_END ? SRC_SPAN
		 : d->kind == PROF_KIND_INSTANT || d->kind == PROF_KIND_PLAIN ? SRC_INSTANT
		 : d->kind == PROF_KIND_COUNTER && d->nfields && d->fields[0].type != PROF_TYPE_STRING ? SRC_COUNTER
		 : 0;
	if (source == SRC_SPAN)
		span_name(d->name, name, sizeof(name));
	else
		snprintf(name, sizeof(name), "%s", d->name);
	cls = source ? classify(name, source) : CLS_NONE;
	if (cls == CLS_NONE) {
		c->id_metric[ev->id] = -1;
		return -1;
	}
	mi = lmetric_get(c, name, cls);
	if (mi < 0) {
		*err = -ENOMEM;
		return -1;
	}
	c->id_metric[ev->id] = (int32_t)(mi + 1);
	return mi;
}

static void observe(void *arg, enum prof_analysis_what what, const struct prof_span_stats *s,
		    const struct prof_decoded_event *end, uint64_t begin_ns, uint64_t end_ns)
{
	struct reader *c = arg;
	struct run_info *r = c->r;
	long mi;
	int err = 0;

	(void)s;
	if (what == PROF_ANALYSIS_GAP) {
		/* A loss between the stream's previous event and this one:
		 * inside the window if this one is. */
		if (c->active)
			r->gaps++;
		return;
	}
	if (!c->active || begin_ns < c->active_since)
		return; /* began before the window or phase */
	mi = event_metric(c, end, &err);
	if (mi >= 0 && (c->m[mi].cls == CLS_GC || c->m[mi].cls == CLS_SPAN))
		err = add_sample(&c->m[mi].s, (double)(end_ns - begin_ns));
	if (err)
		c->err = err;
}

/* Refuse an event whose name another run gave another kind or fields. */
static int check_schema(struct compare *c, const struct prof_trace_desc *d, const char *path, struct prof_error *err)
{
	for (uint32_t i = 0; i < d->schema.count; i++) {
		const struct prof_schema_event *e = &d->schema.events[i];
		size_t j;

		if (!e->name[0])
			continue;
		for (j = 0; j < c->nnames; j++)
			if (!strcmp(c->names[j].name, e->name))
				break;
		if (j == c->nnames) {
			size_t cap = c->capnames;

			if (grow((void **)&c->names, &c->capnames, j + 1, sizeof(*c->names)) ||
			    grow((void **)&c->names_from, &cap, j + 1, sizeof(*c->names_from)))
				return prof_error_set(err, -ENOMEM, path, UINT64_MAX, "out of memory");
			c->names[j] = *e;
			c->names_from[j] = path;
			c->nnames++;
			continue;
		}
		if (c->names[j].kind != e->kind || c->names[j].nfields != e->nfields)
			goto mismatch;
		for (uint16_t f = 0; f < e->nfields; f++)
			if (c->names[j].fields[f].type != e->fields[f].type ||
			    strcmp(c->names[j].fields[f].name, e->fields[f].name))
				goto mismatch;
		continue;
mismatch:
		return prof_error_set(err, -EINVAL, path, UINT64_MAX,
				      "mismatched schemas: event '%s' has another kind or other fields in %s",
				      e->name, c->names_from[j]);
	}
	return 0;
}

/*
 * Whether the event just read is inside the compared part (the time
 * window and, with --phase, between a START and the next END marker), and
 * since when: a span counts if it ends inside and began after that.
 */
static void track_active(struct reader *c, const struct prof_decoded_event *ev, uint64_t ns)
{
	const struct compare_opts *o = c->o;
	uint64_t rel = ns - c->first_ns, since = c->first_ns + (o->have_from ? o->from_ns : 0);
	int in_time = (!o->have_from || rel >= o->from_ns) && (!o->have_to || rel <= o->to_ns);

	if (o->phase_start[0]) {
		if (!strcmp(ev->desc->name, o->phase_start)) {
			c->in_phase = 1;
			c->phase_since = ns;
		} else if (!strcmp(ev->desc->name, o->phase_end)) {
			c->in_phase = 0;
		}
		if (c->phase_since > since)
			since = c->phase_since;
		in_time = in_time && c->in_phase;
	}
	c->active = in_time;
	c->active_since = since;
}

static int read_run(struct reader *c)
{
	struct run_info *r = c->r;
	struct mprof_source *src = c->src;
	struct prof_error *err = &c->perr;
	struct prof_analysis *a = NULL;
	struct prof_decoded_event ev;
	struct prof_trace_stats ts;
	int ret;
	uint64_t first_active = 0, last_active = 0;

	a = prof_analysis_new(&mprof_source_desc(src)->clock);
	if (!a) {
		ret = prof_error_set(err, -ENOMEM, r->path, UINT64_MAX, "out of memory");
		goto out;
	}
	prof_analysis_keep_durations(a, 0);
	prof_analysis_set_observer(a, observe, c);
	while ((ret = mprof_source_next(src, &ev)) > 0) {
		uint64_t ns = ev.timestamp; /* the source's clock is ns */
		int e = 0;

		if (!c->have_first) {
			c->first_ns = ns;
			c->have_first = 1;
		}
		track_active(c, &ev, ns);
		r->events++;
		if (c->active) {
			long mi = event_metric(c, &ev, &e);

			if (!r->in_window++)
				first_active = ns;
			last_active = ns;
			if (mi >= 0 && c->m[mi].cls == CLS_COUNTER) {
				const struct prof_value *v = &ev.values[0];
				double x = v->type == PROF_TYPE_F64 ? v->v.f
					   : v->type >= PROF_TYPE_S8 && v->type <= PROF_TYPE_S64 ? (double)v->v.s
					   : (double)v->v.u;

				if (!isnan(x))
					e = add_sample(&c->m[mi].s, x);
			} else if (mi >= 0 && c->m[mi].cls == CLS_RATE) {
				e = add_time(&c->m[mi].s, ns);
			}
		}
		if (!e && prof_analysis_add(a, &ev) != 0)
			e = -ENOMEM;
		if (!e)
			e = c->err;
		if (e) {
			ret = prof_error_set(err, e, r->path, UINT64_MAX, "out of memory");
			goto out;
		}
	}
	if (ret < 0) {
		const struct prof_error *se = mprof_source_error(src);

		if (se)
			*err = *se;
		else
			prof_error_set(err, ret, r->path, UINT64_MAX, "reading the trace: %s", prof_strerror(ret));
		goto out;
	}
	mprof_source_stats(src, &ts);
	if (ts.invalid_packets) {
		const struct prof_error *se = mprof_source_error(src);
		char buf[400];

		ret = prof_error_set(err, -EINVAL, r->path, UINT64_MAX, "%llu invalid packets (corrupt stream)%s%s",
				     (unsigned long long)ts.invalid_packets, se ? ": " : "",
				     se ? prof_error_format(se, buf, sizeof(buf)) : "");
		goto out;
	}
	r->counts = mprof_source_desc(src)->counts;
	r->incomplete = ts.incomplete;
	r->duration_ns = last_active - first_active;
	r->first_ns = first_active;
	r->last_ns = last_active;
	/* Losses the window cannot place: events without a stream slot and
	 * event types refused have no time, so they count in every window. */
	r->lossy = r->gaps || r->counts.dropped_no_slot || r->counts.refused_events || r->counts.schema_errors;
	/* Rates: bucket each instant metric's times over the run's window. */
	for (size_t i = 0; i < c->nm; i++) {
		struct samples *s = &c->m[i].s;
		uint64_t counts[RATE_BUCKETS] = { 0 };
		double width;

		if (c->m[i].cls != CLS_RATE || !s->nts)
			continue;
		width = (double)(last_active - first_active + 1) / RATE_BUCKETS;
		for (size_t k = 0; k < s->nts; k++) {
			size_t b = (size_t)((double)(s->ts[k] - first_active) / width);

			counts[b < RATE_BUCKETS ? b : RATE_BUCKETS - 1]++;
		}
		for (size_t k = 0; k < RATE_BUCKETS; k++)
			if (add_sample(s, (double)counts[k] / (width / 1e9)) != 0) {
				ret = prof_error_set(err, -ENOMEM, r->path, UINT64_MAX, "out of memory");
				goto out;
			}
	}
	ret = 0;
out:
	prof_analysis_free(a);
	return ret;
}

/* Two workers take the runs in turn (the machine's cores, no more: the
 * reading is CPU-bound and the samples of every run are kept). */
#define READ_THREADS 2

struct pool {
	struct reader *rd;
	size_t n, next;
	pthread_mutex_t lock;
};

static void *read_worker(void *arg)
{
	struct pool *p = arg;

	for (;;) {
		size_t i;

		pthread_mutex_lock(&p->lock);
		i = p->next++;
		pthread_mutex_unlock(&p->lock);
		if (i >= p->n)
			return NULL;
		p->rd[i].ret = read_run(&p->rd[i]);
	}
}

/*
 * Open every run (checking the schemas, in order), read them on
 * READ_THREADS threads, then merge each run's metrics into c->m in the
 * order of the runs: the report does not depend on which thread was
 * faster.  Return: 0, or a negative errno with @err filled.
 */
static int read_runs(struct compare *c, struct prof_error *err)
{
	const struct compare_opts *o = c->o;
	size_t n = o->nbase + o->nnew, nthreads = 0;
	struct reader *rd = calloc(n, sizeof(*rd));
	pthread_t th[READ_THREADS];
	struct pool p;
	int ret = 0;

	if (!rd)
		return prof_error_set(err, -ENOMEM, NULL, UINT64_MAX, "out of memory");
	for (size_t i = 0; i < n; i++) {
		int side = i >= o->nbase;

		rd[i].o = o;
		rd[i].r = &c->runs[side][side ? i - o->nbase : i];
		ret = mprof_source_open(&rd[i].src, rd[i].r->path, 0, err);
		if (!ret)
			ret = check_schema(c, mprof_source_desc(rd[i].src), rd[i].r->path, err);
		if (ret)
			goto out;
	}
	p.rd = rd;
	p.n = n;
	p.next = 0;
	pthread_mutex_init(&p.lock, NULL);
	for (; nthreads + 1 < READ_THREADS && nthreads + 1 < n; nthreads++)
		if (pthread_create(&th[nthreads], NULL, read_worker, &p) != 0)
			break; /* fewer threads: the calling one reads the rest */
	read_worker(&p);
	for (size_t t = 0; t < nthreads; t++)
		pthread_join(th[t], NULL);
	pthread_mutex_destroy(&p.lock);
	for (size_t i = 0; i < n; i++)
		if (rd[i].ret) {
			*err = rd[i].perr;
			ret = rd[i].ret;
			goto out;
		}
	for (size_t i = 0; i < n; i++) {
		int side = i >= o->nbase;
		size_t runi = side ? i - o->nbase : i;

		for (size_t k = 0; k < rd[i].nm; k++) {
			long mi = metric_get(c, rd[i].m[k].name, rd[i].m[k].cls);

			if (mi < 0) {
				ret = prof_error_set(err, -ENOMEM, NULL, UINT64_MAX, "out of memory");
				goto out;
			}
			c->m[mi].run[side][runi] = rd[i].m[k].s; /* moved */
			memset(&rd[i].m[k].s, 0, sizeof(rd[i].m[k].s));
		}
	}
out:
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < rd[i].nm; k++) {
			free(rd[i].m[k].s.v);
			free(rd[i].m[k].s.ts);
		}
		free(rd[i].m);
		free(rd[i].id_metric);
		mprof_source_close(rd[i].src);
	}
	free(rd);
	return ret;
}

/* ---- Judging ---- */

static uint64_t name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 1099511628211ull;
	return h;
}

static double rel_change(double b, double n)
{
	return b > 0.0 ? n / b - 1.0 : NAN;
}

/* Pool and sort each side, then the statistics of one metric. */
static int judge_metric(struct compare *c, struct metric *m)
{
	const struct compare_opts *o = c->o;
	static const double qs[3] = { 0.5, 0.9, 0.99 };
	struct prof_sample_set set[2];
	const double **runs[2] = { NULL, NULL };
	size_t *nrun[2] = { NULL, NULL };
	int ret = 0;

	for (int s = 0; s < 2; s++) {
		size_t nr = s ? o->nnew : o->nbase, total = 0, k = 0;

		for (size_t r = 0; r < nr; r++) {
			prof_sort_doubles(m->run[s][r].v, m->run[s][r].n);
			total += m->run[s][r].n;
			m->count[s] += m->cls == CLS_RATE ? m->run[s][r].nts : m->run[s][r].n;
		}
		m->pooled[s] = malloc((total ? total : 1) * sizeof(double));
		runs[s] = malloc(nr * sizeof(*runs[s]));
		nrun[s] = malloc(nr * sizeof(*nrun[s]));
		if (!m->pooled[s] || !runs[s] || !nrun[s]) {
			ret = -ENOMEM;
			goto out;
		}
		for (size_t r = 0; r < nr; r++) {
			if (m->run[s][r].n) /* v is NULL for none */
				memcpy(m->pooled[s] + k, m->run[s][r].v, m->run[s][r].n * sizeof(double));
			k += m->run[s][r].n;
			runs[s][r] = m->run[s][r].v;
			nrun[s][r] = m->run[s][r].n;
		}
		m->npooled[s] = total;
		if (nr > 1)
			prof_sort_doubles(m->pooled[s], total); /* one run is sorted already */
		for (int q = 0; q < 3; q++)
			m->p[s][q] = prof_quantile(m->pooled[s], total, qs[q]);
		m->p[s][3] = prof_quantile(m->pooled[s], total, 1.0);
		set[s].nruns = nr;
		set[s].run = runs[s];
		set[s].nrun = nrun[s];
		set[s].pooled = m->pooled[s];
		set[s].npooled = total;
	}
	m->tested = m->npooled[0] && m->npooled[1];
	m->change_max = rel_change(m->p[0][3], m->p[1][3]);
	m->change_count = rel_change((double)m->count[0] / (double)o->nbase, (double)m->count[1] / (double)o->nnew);
	for (int q = 0; q < 3; q++) {
		ret = prof_bootstrap_quantile_change(&set[0], &set[1], qs[q], o->level, o->iterations,
						     o->seed ^ name_hash(m->name) ^ (uint64_t)q, &m->ci[q]);
		if (ret)
			goto out;
	}
	prof_mann_whitney(m->pooled[1], m->npooled[1], m->pooled[0], m->npooled[0], &m->mwu);
out:
	for (int s = 0; s < 2; s++) {
		free(runs[s]);
		free(nrun[s]);
	}
	return ret;
}

/* Whether @rule fires on @m (its evidence, before loss is considered). */
static int rule_fires(const struct compare_rule *rule, const struct metric *m)
{
	double lo, hi;

	if (rule->builtin && !class_duration[m->cls])
		return 0;
	if (fnmatch(rule->metric, m->name, 0))
		return 0;
	if (!m->tested || !m->significant)
		return 0;
	switch (rule->stat) {
	case STAT_P50: case STAT_P90: case STAT_P99:
		lo = m->ci[rule->stat].lo;
		hi = m->ci[rule->stat].hi;
		break;
	case STAT_MAX: lo = hi = m->change_max; break;
	default: lo = hi = m->change_count; break;
	}
	if (isnan(lo) || isnan(hi))
		return 0;
	/* The whole interval beyond the threshold: a change that is
	 * significant and surely larger than the limit. */
	return rule->up ? lo > rule->threshold : hi < -rule->threshold;
}

static int judge(struct compare *c, const struct compare_rule *rules, size_t nrules)
{
	double *p = NULL;
	size_t nt = 0;
	int lossy[2] = { 0, 0 };

	for (int s = 0; s < 2; s++)
		for (size_t r = 0; r < (s ? c->o->nnew : c->o->nbase); r++)
			lossy[s] |= c->runs[s][r].lossy;
	for (size_t i = 0; i < c->nm; i++)
		if (judge_metric(c, &c->m[i]) != 0)
			return -ENOMEM;
	p = malloc((c->nm ? c->nm : 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	/* Holm over the metrics both sides have: the family is every
	 * hypothesis tested, so a gate of many metrics keeps its level. */
	for (size_t i = 0; i < c->nm; i++)
		if (c->m[i].tested)
			p[nt++] = c->m[i].mwu.p;
	if (prof_holm(p, nt) != 0) {
		free(p);
		return -ENOMEM;
	}
	nt = 0;
	for (size_t i = 0; i < c->nm; i++) {
		struct metric *m = &c->m[i];

		m->p_adj = m->tested ? p[nt++] : NAN;
		m->significant = m->tested && m->p_adj < c->o->alpha;
		m->lossy = lossy[0] || lossy[1];
		for (size_t k = 0; k < nrules && !m->fired; k++)
			if (rule_fires(&rules[k], m))
				m->fired = rules[k].text;
		if (m->fired) {
			if (m->lossy && !c->o->allow_loss)
				m->undecided = 1;
			else
				m->regressed = 1;
		}
		if (!m->fired && m->significant && class_duration[m->cls] && m->ci[0].hi < 0.0)
			m->improved = 1;
	}
	free(p);
	return 0;
}

static const char *status_of(const struct metric *m)
{
	if (!m->npooled[0] && !m->npooled[1])
		return "empty";
	if (!m->npooled[1])
		return "only_base";
	if (!m->npooled[0])
		return "only_new";
	if (m->regressed)
		return "regressed";
	if (m->undecided)
		return "undecided";
	if (m->improved)
		return "improved";
	return m->significant ? "changed" : "same";
}

/* ---- Output ---- */

static void fmt_value(double v, enum metric_class cls, char *buf, size_t size)
{
	if (isnan(v))
		snprintf(buf, size, "-");
	else if (cls == CLS_GC || cls == CLS_SPAN) {
		if (v >= 1e9)
			snprintf(buf, size, "%.3gs", v / 1e9);
		else if (v >= 1e6)
			snprintf(buf, size, "%.3gms", v / 1e6);
		else if (v >= 1e3)
			snprintf(buf, size, "%.3gus", v / 1e3);
		else
			snprintf(buf, size, "%.0fns", v);
	} else {
		snprintf(buf, size, "%.4g", v);
	}
}

static void fmt_pct(double v, char *buf, size_t size)
{
	if (isnan(v))
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%+.1f%%", v * 100.0);
}

static void print_runs(const struct compare *c, int side)
{
	size_t nr = side ? c->o->nnew : c->o->nbase;

	for (size_t r = 0; r < nr; r++) {
		const struct run_info *ri = &c->runs[side][r];

		printf("%s %s: %llu events (%llu compared)", side ? "new " : "base", ri->path,
		       (unsigned long long)ri->events, (unsigned long long)ri->in_window);
		if (ri->lossy)
			printf(", LOST EVENTS in the compared window (%llu gaps, %llu without a slot, %llu types "
			       "refused, %llu schema records unusable)", (unsigned long long)ri->gaps,
			       (unsigned long long)ri->counts.dropped_no_slot,
			       (unsigned long long)ri->counts.refused_events,
			       (unsigned long long)ri->counts.schema_errors);
		if (ri->incomplete)
			printf(", INCOMPLETE (the recording did not finish)");
		putchar('\n');
	}
}

static void print_text(const struct compare *c, const struct compare_rule *rules, size_t nrules)
{
	char b[8][32];
	size_t tested = 0;

	for (size_t i = 0; i < c->nm; i++)
		tested += c->m[i].tested;
	print_runs(c, 0);
	print_runs(c, 1);
	printf("Mann-Whitney U, Holm-corrected across %zu tested metrics at alpha %g; %u bootstrap resamples "
	       "(seed %llu), %g%% intervals\n", tested, c->o->alpha, c->o->iterations, (unsigned long long)c->o->seed,
	       c->o->level * 100.0);
	for (size_t k = 0; k < nrules; k++)
		printf("rule: %s%s\n", rules[k].text, rules[k].builtin ? " (default, durations only)" : "");
	printf("\n%-28s %-7s %9s %9s %9s %9s %8s %-19s %9s %9s %8s %8s %9s  %s\n", "metric", "class", "base n",
	       "new n", "base p50", "new p50", "p50", "[CI]", "base p99", "new p99", "p99", "max", "p(Holm)",
	       "status");
	for (size_t i = 0; i < c->nm; i++) {
		const struct metric *m = &c->m[i];
		char ci[80];

		fmt_pct(m->ci[0].change, b[0], sizeof(b[0]));
		fmt_pct(m->ci[0].lo, b[1], sizeof(b[1]));
		fmt_pct(m->ci[0].hi, b[2], sizeof(b[2]));
		snprintf(ci, sizeof(ci), "[%s, %s]", b[1], b[2]);
		fmt_value(m->p[0][0], m->cls, b[3], sizeof(b[3]));
		fmt_value(m->p[1][0], m->cls, b[4], sizeof(b[4]));
		fmt_value(m->p[0][2], m->cls, b[5], sizeof(b[5]));
		fmt_value(m->p[1][2], m->cls, b[6], sizeof(b[6]));
		fmt_pct(m->ci[2].change, b[1], sizeof(b[1]));
		fmt_pct(m->change_max, b[2], sizeof(b[2]));
		printf("%-28s %-7s %9llu %9llu %9s %9s %8s %-19s %9s %9s %8s %8s %9.3g  %s%s%s%s\n", m->name,
		       class_names[m->cls], (unsigned long long)m->count[0], (unsigned long long)m->count[1], b[3],
		       b[4], b[0], ci, b[5], b[6], b[1], b[2], m->p_adj, status_of(m), m->fired ? " (" : "",
		       m->fired ? m->fired : "", m->fired ? ")" : "");
	}
	for (size_t i = 0; i < c->nm; i++)
		if (c->m[i].undecided)
			printf("\n%s: rule '%s' would fail, but a run lost events in the compared window: not called a "
			       "regression (--allow-loss to judge anyway)\n", c->m[i].name, c->m[i].fired);
}

static json_t *jnum(double v)
{
	return isnan(v) || isinf(v) ? json_null() : json_real(v);
}


static int append(json_t *arr, json_t *v)
{
	return arr && v ? json_array_append_new(arr, v) : (json_decref(v), -1);
}

static json_t *side_json(const struct metric *m, int s, size_t nruns)
{
	json_t *o = json_object();
	int bad = 0;

	bad |= mprof_json_set(o, "count", mprof_json_u64(m->count[s]));
	bad |= mprof_json_set(o, "samples", mprof_json_u64(m->npooled[s]));
	bad |= mprof_json_set(o, "runs", json_integer((json_int_t)nruns));
	bad |= mprof_json_set(o, "p50", jnum(m->p[s][0]));
	bad |= mprof_json_set(o, "p90", jnum(m->p[s][1]));
	bad |= mprof_json_set(o, "p99", jnum(m->p[s][2]));
	bad |= mprof_json_set(o, "max", jnum(m->p[s][3]));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *change_json(double v, const struct prof_bootstrap_ci *ci)
{
	json_t *o = json_object();
	int bad = 0;

	bad |= mprof_json_set(o, "value", jnum(v));
	if (ci) {
		bad |= mprof_json_set(o, "ci_lo", jnum(ci->lo));
		bad |= mprof_json_set(o, "ci_hi", jnum(ci->hi));
	}
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *metric_json(const struct compare *c, const struct metric *m)
{
	json_t *o = json_object(), *ch = json_object(), *mw = json_object();
	int bad = !ch || !mw;

	bad |= mprof_json_set(o, "name", json_string(m->name));
	bad |= mprof_json_set(o, "class", json_string(class_names[m->cls]));
	bad |= mprof_json_set(o, "unit", json_string(class_units[m->cls]));
	bad |= mprof_json_set(o, "base", side_json(m, 0, c->o->nbase));
	bad |= mprof_json_set(o, "new", side_json(m, 1, c->o->nnew));
	bad |= mprof_json_set(ch, "p50", change_json(m->ci[0].change, &m->ci[0]));
	bad |= mprof_json_set(ch, "p90", change_json(m->ci[1].change, &m->ci[1]));
	bad |= mprof_json_set(ch, "p99", change_json(m->ci[2].change, &m->ci[2]));
	bad |= mprof_json_set(ch, "max", change_json(m->change_max, NULL));
	bad |= mprof_json_set(ch, "count", change_json(m->change_count, NULL));
	bad |= mprof_json_set(o, "change", json_incref(ch));
	bad |= mprof_json_set(mw, "u", jnum(m->tested ? m->mwu.u : NAN));
	bad |= mprof_json_set(mw, "z", jnum(m->tested ? m->mwu.z : NAN));
	bad |= mprof_json_set(mw, "p", jnum(m->tested ? m->mwu.p : NAN));
	bad |= mprof_json_set(mw, "p_adjusted", jnum(m->p_adj));
	bad |= mprof_json_set(mw, "auc", jnum(m->tested ? m->mwu.auc : NAN));
	bad |= mprof_json_set(o, "mann_whitney", json_incref(mw));
	bad |= mprof_json_set(o, "significant", json_boolean(m->significant));
	bad |= mprof_json_set(o, "lossy", json_boolean(m->lossy));
	bad |= mprof_json_set(o, "status", json_string(status_of(m)));
	bad |= mprof_json_set(o, "rule", m->fired ? json_string(m->fired) : json_null());
	json_decref(ch);
	json_decref(mw);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *runs_json(const struct compare *c, int side)
{
	json_t *arr = json_array();
	size_t nr = side ? c->o->nnew : c->o->nbase;

	for (size_t r = 0; r < nr && arr; r++) {
		const struct run_info *ri = &c->runs[side][r];
		json_t *o = json_object();
		int bad = 0;

		bad |= mprof_json_set(o, "trace", json_string(ri->path));
		bad |= mprof_json_set(o, "events", mprof_json_u64(ri->events));
		bad |= mprof_json_set(o, "compared_events", mprof_json_u64(ri->in_window));
		bad |= mprof_json_set(o, "compared_ns", mprof_json_u64(ri->duration_ns));
		bad |= mprof_json_set(o, "loss_gaps", mprof_json_u64(ri->gaps));
		bad |= mprof_json_set(o, "dropped_no_slot", mprof_json_u64(ri->counts.dropped_no_slot));
		bad |= mprof_json_set(o, "refused_events", mprof_json_u64(ri->counts.refused_events));
		bad |= mprof_json_set(o, "schema_errors", mprof_json_u64(ri->counts.schema_errors));
		bad |= mprof_json_set(o, "lossy", json_boolean(ri->lossy));
		bad |= mprof_json_set(o, "incomplete", json_boolean(ri->incomplete));
		if (bad || append(arr, o)) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

static int print_json(const struct compare *c, const struct compare_rule *rules, size_t nrules, int exit_code)
{
	const struct compare_opts *o = c->o;
	json_t *root = json_object(), *metrics = json_array(), *rl = json_array(), *win = json_object();
	json_t *boot = json_object();
	int bad = !metrics || !rl || !win || !boot;

	bad |= mprof_json_set(root, "mprof_compare", json_integer(1));
	bad |= mprof_json_set(root, "base", runs_json(c, 0));
	bad |= mprof_json_set(root, "new", runs_json(c, 1));
	bad |= mprof_json_set(win, "from_ns", o->have_from ? mprof_json_u64(o->from_ns) : json_null());
	bad |= mprof_json_set(win, "to_ns", o->have_to ? mprof_json_u64(o->to_ns) : json_null());
	bad |= mprof_json_set(win, "phase_start", o->phase_start[0] ? json_string(o->phase_start) : json_null());
	bad |= mprof_json_set(win, "phase_end", o->phase_end[0] ? json_string(o->phase_end) : json_null());
	bad |= mprof_json_set(root, "window", json_incref(win));
	bad |= mprof_json_set(root, "alpha", json_real(o->alpha));
	bad |= mprof_json_set(root, "correction", json_string("holm"));
	bad |= mprof_json_set(boot, "iterations", json_integer(o->iterations));
	bad |= mprof_json_set(boot, "level", json_real(o->level));
	bad |= mprof_json_set(boot, "seed", mprof_json_u64(o->seed));
	bad |= mprof_json_set(root, "bootstrap", json_incref(boot));
	bad |= mprof_json_set(root, "allow_loss", json_boolean(o->allow_loss));
	for (size_t k = 0; k < nrules; k++) {
		json_t *r = json_object();

		bad |= mprof_json_set(r, "rule", json_string(rules[k].text));
		bad |= mprof_json_set(r, "metric", json_string(rules[k].metric));
		bad |= mprof_json_set(r, "stat", json_string(compare_stat_name(rules[k].stat)));
		bad |= mprof_json_set(r, "op", json_string(rules[k].up ? ">" : "<"));
		bad |= mprof_json_set(r, "threshold", json_real(rules[k].threshold));
		bad |= mprof_json_set(r, "default", json_boolean(rules[k].builtin));
		bad |= append(rl, r);
	}
	bad |= mprof_json_set(root, "rules", json_incref(rl));
	for (size_t i = 0; i < c->nm; i++)
		bad |= append(metrics, metric_json(c, &c->m[i]));
	bad |= mprof_json_set(root, "metrics", json_incref(metrics));
	bad |= mprof_json_set(root, "verdict", json_string(exit_code == MPROF_EXIT_REGRESSED ? "regressed"
						 : exit_code == MPROF_EXIT_UNDECIDED ? "undecided" : "ok"));
	bad |= mprof_json_set(root, "exit", json_integer(exit_code));
	if (!bad) {
		json_dumpf(root, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
	}
	json_decref(metrics);
	json_decref(rl);
	json_decref(win);
	json_decref(boot);
	json_decref(root);
	return bad ? -ENOMEM : 0;
}

static void compare_free(struct compare *c)
{
	for (size_t i = 0; i < c->nm; i++) {
		for (int s = 0; s < 2; s++) {
			size_t nr = s ? c->o->nnew : c->o->nbase;

			for (size_t r = 0; r < nr; r++) {
				free(c->m[i].run[s][r].v);
				free(c->m[i].run[s][r].ts);
			}
			free(c->m[i].run[s]);
			free(c->m[i].pooled[s]);
		}
	}
	free(c->m);
	free(c->runs[0]);
	free(c->runs[1]);
	free(c->names);
	free(c->names_from);
}

int cmd_compare(int argc, char **argv)
{
	struct compare_opts o;
	struct compare c;
	struct compare_rule rules[COMPARE_MAX_RULES + 1];
	struct prof_error err;
	size_t nrules;
	int ret = MPROF_EXIT_SYSTEM, r;
	char buf[600];

	r = compare_parse_options(argc, argv, &o);
	if (r)
		return r > 0 ? MPROF_EXIT_OK : MPROF_EXIT_USAGE;
	memset(&c, 0, sizeof(c));
	c.o = &o;
	memcpy(rules, o.rules, o.nrules * sizeof(*rules));
	nrules = o.nrules;
	if (!nrules) {
		/* The default gate: a duration whose median is surely more than
		 * 5% slower, and significantly so. */
		compare_parse_rule("*.p50>+5%", &rules[0]);
		rules[0].builtin = 1;
		nrules = 1;
	}
	c.runs[0] = calloc(o.nbase, sizeof(struct run_info));
	c.runs[1] = calloc(o.nnew, sizeof(struct run_info));
	if (!c.runs[0] || !c.runs[1]) {
		mprof_error("compare", "out of memory");
		goto out;
	}
	for (size_t i = 0; i < o.nbase; i++)
		c.runs[0][i].path = o.base[i];
	for (size_t i = 0; i < o.nnew; i++)
		c.runs[1][i].path = o.newer[i];
	r = read_runs(&c, &err);
	if (r) {
		mprof_error("compare", "%s", prof_error_format(&err, buf, sizeof(buf)));
		ret = r == -ENOMEM ? MPROF_EXIT_SYSTEM : MPROF_EXIT_INPUT;
		goto out;
	}
	for (int s = 0; s < 2; s++)
		for (size_t i = 0; i < (s ? o.nnew : o.nbase); i++)
			if (c.runs[s][i].incomplete)
				mprof_error("compare", "warning: %s: the recording did not finish (%s is there)",
					    c.runs[s][i].path, PROF_CTF_INCOMPLETE_MARKER);
	if (judge(&c, rules, nrules) != 0) {
		mprof_error("compare", "out of memory");
		goto out;
	}
	ret = MPROF_EXIT_OK;
	for (size_t i = 0; i < c.nm; i++)
		if (c.m[i].undecided)
			ret = MPROF_EXIT_UNDECIDED;
	for (size_t i = 0; i < c.nm; i++)
		if (c.m[i].regressed)
			ret = MPROF_EXIT_REGRESSED;
	if (o.json) {
		if (print_json(&c, rules, nrules, ret) != 0) {
			mprof_error("compare", "out of memory");
			ret = MPROF_EXIT_SYSTEM;
			goto out;
		}
	} else {
		print_text(&c, rules, nrules);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		mprof_error("compare", "writing the report: %s", strerror(errno ? errno : EIO));
		ret = MPROF_EXIT_SYSTEM;
	}
out:
	compare_free(&c);
	free(o.base);
	free(o.newer);
	return ret;
}
