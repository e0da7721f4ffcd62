/* SPDX-License-Identifier: MIT */
/*
 * Loading on several threads (prof_model_load_threads(): the trace's
 * stream files in shards, one model each, merged) gives the model one
 * thread gives: the same lanes in the same order (kind, trace, stream,
 * thread, label, connection), the same rows of items (times, flags,
 * event names, every field through the tooltip text), the same loss
 * markers, value ranges, times, event counts and trace statistics.  On
 * generated traces: 4 threads with losses (2 and 3 shards, the counter
 * lane fed by every thread merged by time), a directory of two traces,
 * one stream alone (a shard with nothing), and a stream file with a
 * scribbled packet (skipped, counted the same).  A load cancelled from
 * the progress callback stops every thread.  Underneath, the trace
 * source's shards (mprof_source_open_shard(), prof_trace_open_shard())
 * deliver every event of the whole trace exactly once, each stream in one
 * shard, in time order, with counts that add up to the whole's; a shard
 * number not below the count is refused.
 */
#include "gen_trace.h"
#include "model.h"
#include "mprof_source.h"

/* An item's name, times, flags and fields, as text. */
static void item_text(const struct prof_model *m, size_t lane, size_t row, size_t i, char *buf, size_t size)
{
	const struct prof_model_lane *l = m->lanes[lane];
	const struct prof_model_row *r = row < l->nrows ? &l->rows[row] : &l->instants;
	const struct prof_model_item *it = &r->items[i];
	struct prof_model_ref ref = { (uint32_t)lane, row < l->nrows ? (uint32_t)row : PROF_MODEL_NONE, i };
	char desc[600];
	int n;

	prof_model_describe(m, &ref, desc, sizeof(desc));
	n = snprintf(buf, size, "%s/%u [%" PRIu64 ", %" PRIu64 "] flags %u: %s", m->names[it->name].ev.name,
		     (unsigned int)m->names[it->name].ev.kind, prof_model_item_t0(r, i), prof_model_item_t1(r, i),
		     (unsigned int)it->flags, desc);
	CHECK(n > 0);
}

static int cmp_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * A row's items as texts; a counter's or connection's row (fed by several
 * threads: at equal times in shard order) sorted within each time.
 */
static char **row_texts(const struct prof_model *m, size_t lane, size_t row, size_t *n)
{
	const struct prof_model_lane *l = m->lanes[lane];
	const struct prof_model_row *r = row < l->nrows ? &l->rows[row] : &l->instants;
	char **t = calloc(r->n + 1, sizeof(*t));

	CHECK(t != NULL);
	for (size_t i = 0; i < r->n; i++) {
		t[i] = malloc(800);
		CHECK(t[i] != NULL);
		item_text(m, lane, row, i, t[i], 800);
		if (i && prof_model_item_t0(r, i) < prof_model_item_t0(r, i - 1))
			CHECK_FAIL("lane %zu row %zu: item %zu at %" PRIu64 " before item %zu at %" PRIu64, lane, row, i,
				   prof_model_item_t0(r, i), i - 1, prof_model_item_t0(r, i - 1));
	}
	if (l->kind != PROF_LANE_THREAD)
		for (size_t a = 0, b; a < r->n; a = b) {
			for (b = a + 1; b < r->n && prof_model_item_t0(r, b) == prof_model_item_t0(r, a); b++)
				;
			qsort(t + a, b - a, sizeof(*t), cmp_text);
		}
	*n = r->n;
	return t;
}

/* The LOD summaries of lane @lane row @row: the same in @a and @b (names by their text). */
static void check_lod_same(const char *what, const struct prof_model *a, const struct prof_model *b, size_t lane,
			   size_t row)
{
	const struct prof_model_lane *la = a->lanes[lane], *lb = b->lanes[lane];
	const struct prof_model_row *ra = row < la->nrows ? &la->rows[row] : &la->instants;
	const struct prof_model_row *rb = row < lb->nrows ? &lb->rows[row] : &lb->instants;
	int counter = la->kind == PROF_LANE_COUNTER;

	CHECK_EQ_U(rb->nlevels, ra->nlevels);
	for (unsigned int k = PROF_MODEL_LOD_MIN; k <= ra->nlevels; k++) {
		CHECK_EQ_U(rb->level_n[k - 1], ra->level_n[k - 1]);
		for (size_t g = 0; g < ra->level_n[k - 1]; g++) {
			const struct prof_model_summary *x = &ra->levels[k - 1][g], *y = &rb->levels[k - 1][g];
			int same = x->t0 == y->t0 && x->t1 == y->t1;

			if (counter)
				same = same && x->value.min == y->value.min && x->value.max == y->value.max;
			else
				same = same && x->longest.ns == y->longest.ns &&
				       !strcmp(a->names[x->longest.name].ev.name, b->names[y->longest.name].ev.name);
			if (!same)
				CHECK_FAIL("%s: lane %zu row %zu level %u group %zu: [%" PRIu64 ", %" PRIu64 "] %s; one thread: [%"
					   PRIu64 ", %" PRIu64 "] %s", what, lane, row, k, g, y->t0, y->t1,
					   counter ? "" : b->names[y->longest.name].ev.name, x->t0, x->t1,
					   counter ? "" : a->names[x->longest.name].ev.name);
		}
	}
}

static void free_texts(char **t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(t[i]);
	free(t);
}

/* @b (loaded on several threads) must be @a (loaded on one). */
static void check_same(const char *what, const struct prof_model *a, const struct prof_model *b)
{
	size_t items = 0;

	CHECK_EQ_U(b->events, a->events);
	CHECK_EQ_U(b->t_first, a->t_first);
	CHECK_EQ_U(b->t_last, a->t_last);
	CHECK_EQ_U(b->ntraces, a->ntraces);
	CHECK(!strcmp(b->origin, a->origin));
	CHECK_EQ_U(b->stats.streams, a->stats.streams);
	CHECK_EQ_U(b->stats.packets, a->stats.packets);
	CHECK_EQ_U(b->stats.events, a->stats.events);
	CHECK_EQ_U(b->stats.invalid_packets, a->stats.invalid_packets);
	CHECK_EQ_U(b->stats.events_discarded, a->stats.events_discarded);
	CHECK_EQ_U(b->stats.packets_lost, a->stats.packets_lost);
	CHECK_EQ_U(b->stats.incomplete, a->stats.incomplete);
	CHECK_EQ_U(b->stats.packets_out_of_order, a->stats.packets_out_of_order);
	CHECK_EQ_U(b->stats.packets_misplaced, a->stats.packets_misplaced);
	CHECK_EQ_U(b->stats.traces, a->stats.traces);
	if (b->nlanes != a->nlanes)
		CHECK_FAIL("%s: %zu lanes, one thread made %zu", what, b->nlanes, a->nlanes);
	for (size_t i = 0; i < a->nlanes; i++) {
		const struct prof_model_lane *x = a->lanes[i], *y = b->lanes[i];

		if (x->kind != y->kind || x->trace != y->trace || x->stream != y->stream || x->tid != y->tid ||
		    x->conn != y->conn || strcmp(x->label, y->label) || x->nrows != y->nrows)
			CHECK_FAIL("%s: lane %zu is \"%s\" (kind %d, trace %u, %zu rows), one thread made \"%s\" (kind %d, "
				   "trace %u, %zu rows)", what, i, y->label, (int)y->kind, y->trace, y->nrows, x->label,
				   (int)x->kind, x->trace, x->nrows);
		CHECK(x->vmin == y->vmin && x->vmax == y->vmax);
		CHECK_EQ_U(y->nlosses, x->nlosses);
		for (size_t k = 0; k < x->nlosses; k++)
			CHECK(!memcmp(&x->losses[k], &y->losses[k], sizeof(x->losses[k])));
		for (size_t r = 0; r <= x->nrows; r++) {
			size_t na, nb;
			char **ta = row_texts(a, i, r, &na), **tb = row_texts(b, i, r, &nb);

			if (na != nb)
				CHECK_FAIL("%s: lane %zu (%s) row %zu has %zu items, one thread made %zu", what, i,
					   x->label, r, nb, na);
			for (size_t k = 0; k < na; k++)
				if (strcmp(ta[k], tb[k]))
					CHECK_FAIL("%s: lane %zu (%s) row %zu item %zu:\n  %s\none thread made\n  %s", what,
						   i, x->label, r, k, tb[k], ta[k]);
			items += na;
			if (x->kind == PROF_LANE_THREAD)
				check_lod_same(what, a, b, i, r);
			free_texts(ta, na);
			free_texts(tb, nb);
		}
	}
	printf("%s: %zu lanes, %zu items and their threads' summaries the same\n", what, a->nlanes, items);
}

static void load_both(const char *what, const char *dir, unsigned int threads)
{
	struct prof_model a, b;
	struct prof_error err;

	prof_model_init(&a);
	prof_model_init(&b);
	CHECK_OK(prof_model_load_threads(&a, dir, 1, NULL, NULL, &err));
	CHECK_OK(prof_model_load_threads(&b, dir, threads, NULL, NULL, &err));
	check_same(what, &a, &b);
	prof_model_free(&a);
	prof_model_free(&b);
}

/* The shards of @dir together are the whole trace, each stream in one. */
static void check_shards(const char *dir, uint32_t nshards)
{
	struct mprof_source *s;
	struct prof_decoded_event ev;
	struct prof_trace_stats whole, st, sum;
	struct prof_error err;
	uint64_t events = 0, per_stream_shard[16];

	memset(&sum, 0, sizeof(sum));
	memset(per_stream_shard, 0xff, sizeof(per_stream_shard));
	CHECK_OK(mprof_source_open(&s, dir, 0, &err));
	while (mprof_source_next(s, &ev) == 1)
		events++;
	mprof_source_stats(s, &whole);
	mprof_source_close(s);
	for (uint32_t k = 0; k < nshards; k++) {
		uint64_t n = 0, last = 0;

		CHECK_OK(mprof_source_open_shard(&s, dir, k, nshards, &err));
		while (mprof_source_next(s, &ev) == 1) {
			CHECK(ev.stream < 16);
			if (per_stream_shard[ev.stream] != k && per_stream_shard[ev.stream] != UINT64_MAX)
				CHECK_FAIL("stream %u in shards %" PRIu64 " and %u", ev.stream, per_stream_shard[ev.stream], k);
			per_stream_shard[ev.stream] = k;
			CHECK(ev.timestamp >= last);
			last = ev.timestamp;
			n++;
		}
		mprof_source_stats(s, &st);
		CHECK_EQ_U(st.events, n);
		sum.events += st.events;
		sum.streams += st.streams;
		sum.packets += st.packets;
		sum.packets_lost += st.packets_lost;
		sum.events_discarded += st.events_discarded;
		CHECK_EQ_U(st.traces, whole.traces);
		mprof_source_close(s);
	}
	CHECK_EQ_U(sum.events, events);
	CHECK_EQ_U(sum.events, whole.events);
	CHECK_EQ_U(sum.streams, whole.streams);
	CHECK_EQ_U(sum.packets, whole.packets);
	CHECK_EQ_U(sum.packets_lost, whole.packets_lost);
	CHECK_EQ_U(sum.events_discarded, whole.events_discarded);
	CHECK_EQ(mprof_source_open_shard(&s, dir, nshards, nshards, &err), -EINVAL);
	CHECK(s == NULL);
}

static int calls;

static int cancel(void *arg, uint64_t events)
{
	(void)arg;
	(void)events;
	calls++;
	return 1;
}

int main(void)
{
	char *tmp = test_tmpdir("viewer-shards");
	char dir[512], file[600];
	struct prof_model m;
	struct prof_error err;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/four", tmp);
	gen_bulk(dir, 200000, 4, 1, 3);
	check_shards(dir, 2);
	check_shards(dir, 3);
	load_both("4 threads with losses, 2 shards", dir, 2);
	load_both("4 threads with losses, 3 shards", dir, 3);

	snprintf(dir, sizeof(dir), "%s/multi", tmp);
	CHECK(mkdir(dir, 0700) == 0);
	snprintf(file, sizeof(file), "%s/a-1", dir);
	gen_bulk(file, 60000, 3, 0, 5);
	snprintf(file, sizeof(file), "%s/b-2", dir);
	gen_bulk(file, 50000, 2, 1, 6);
	load_both("a directory of 2 traces, 2 shards", dir, 2);

	snprintf(dir, sizeof(dir), "%s/one", tmp);
	gen_bulk(dir, 30000, 1, 0, 7);
	load_both("one stream, 2 shards", dir, 2);

	/* A packet scribbled over in the middle of a stream file: skipped
	 * and counted the same by either. */
	snprintf(dir, sizeof(dir), "%s/scribbled", tmp);
	gen_bulk(dir, 100000, 4, 0, 8);
	snprintf(file, sizeof(file), "%s/stream_1", dir);
	f = fopen(file, "r+b");
	CHECK(f != NULL);
	CHECK(fseek(f, 200000, SEEK_SET) == 0);
	for (int i = 0; i < 64; i++)
		CHECK(fputc(0xee, f) != EOF);
	CHECK(fclose(f) == 0);
	load_both("a scribbled stream, 2 shards", dir, 2);
	prof_model_init(&m);
	CHECK_OK(prof_model_load_threads(&m, dir, 2, NULL, NULL, &err));
	CHECK_GT(m.stats.invalid_packets, 0);
	prof_model_free(&m);

	/* Cancelled from the progress callback: every thread stops. */
	snprintf(dir, sizeof(dir), "%s/four", tmp);
	prof_model_init(&m);
	CHECK_EQ(prof_model_load_threads(&m, dir, 2, cancel, NULL, &err), -ECANCELED);
	CHECK(strstr(err.text, "cancelled") != NULL);
	CHECK_EQ(calls, 1);
	prof_model_free(&m);

	rm_rf(tmp);
	free(tmp);
	printf("test_viewer_shards: ok\n");
	return 0;
}
