/* SPDX-License-Identifier: MIT */
/*
 * The viewer's model, headless: on random traces the LOD summaries equal
 * a brute-force computation at every level (indexed in several steps, with
 * spans closing after an index, so the incremental rebuild is covered);
 * range queries, instances slowest first, histograms, selection
 * statistics (equal to the shared analysis fed the same events), search
 * and descriptions; a trace with losses has a marker per gap.
 */
#include "gen_trace.h"
#include "model.h"

static struct prof_schema_event schema[GEN_NEVENTS];

static void ev_init(struct prof_decoded_event *e, uint64_t ts, uint32_t id, uint32_t lane)
{
	memset(e, 0, sizeof(*e));
	e->timestamp = ts;
	e->id = id;
	e->desc = &schema[id];
	e->stream = lane;
	e->tid = 100 + lane;
}

/* What a summary says of a group, computed directly from its items. */
struct brute_summary {
	uint64_t t0, t1, count, longest_ns;
	double vmin, vmax;
	uint32_t longest;
};

/* The summary of items [a, b) computed directly (@m for a counter row, else NULL). */
static void brute(const struct prof_model *m, const struct prof_model_row *r, size_t a, size_t b,
		  struct brute_summary *s)
{
	memset(s, 0, sizeof(*s));
	s->t0 = UINT64_MAX;
	for (size_t i = a; i < b && i < r->n; i++) {
		const struct prof_model_item *it = &r->items[i];
		uint64_t t0 = prof_model_item_t0(r, i), t1 = prof_model_item_t1(r, i);
		double v = m ? prof_model_item_value(m, r, i) : 0;

		if (t0 < s->t0)
			s->t0 = t0;
		if (t1 > s->t1)
			s->t1 = t1;
		if (i == a || v < s->vmin)
			s->vmin = v;
		if (i == a || v > s->vmax)
			s->vmax = v;
		if (i == a || t1 - t0 > s->longest_ns) {
			s->longest_ns = t1 - t0;
			s->longest = it->name;
		}
		s->count++;
	}
}

static size_t check_lod(const struct prof_model *m)
{
	size_t checked = 0;

	for (size_t li = 0; li < m->nlanes; li++) {
		const struct prof_model_lane *l = m->lanes[li];
		int counter = l->kind == PROF_LANE_COUNTER;

		for (size_t ri = 0; ri <= l->nrows; ri++) {
			const struct prof_model_row *r = ri < l->nrows ? &l->rows[ri] : &l->instants;
			unsigned int want = 0;

			while (r->n > 1 && ((size_t)1 << want) < r->n)
				want++;
			if (r->n > 1 && want < PROF_MODEL_LOD_MIN)
				want = PROF_MODEL_LOD_MIN;
			if (r->nlevels != want)
				CHECK_FAIL("lane %zu row %zu: %u levels for %zu items, expected %u", li, ri, r->nlevels,
					   r->n, want);
			for (unsigned int k = PROF_MODEL_LOD_MIN; k <= r->nlevels; k++) {
				size_t n = (r->n + ((size_t)1 << k) - 1) >> k;

				CHECK_EQ_U(r->level_n[k - 1], n);
				for (size_t g = 0; g < n; g++) {
					const struct prof_model_summary *s = &r->levels[k - 1][g];
					struct brute_summary b, got = { .t0 = s->t0, .t1 = s->t1 };

					got.count = prof_model_summary_count(r, k, g);
					if (counter) {
						got.vmin = s->value.min;
						got.vmax = s->value.max;
					} else {
						got.longest_ns = s->longest.ns;
						got.longest = s->longest.name;
					}
					brute(counter ? m : NULL, r, g << k, (g + 1) << k, &b);
					if (counter)
						b.longest_ns = b.longest = 0;
					if (got.t0 != b.t0 || got.t1 != b.t1 || got.count != b.count || got.vmin != b.vmin ||
					    got.vmax != b.vmax || got.longest_ns != b.longest_ns || got.longest != b.longest)
						CHECK_FAIL("lane %zu row %zu level %u group %zu: index t0 %" PRIu64 " t1 %" PRIu64
							   " count %" PRIu64 " v [%g, %g] longest %u (%" PRIu64 " ns); brute force t0 %"
							   PRIu64 " t1 %" PRIu64 " count %" PRIu64 " v [%g, %g] longest %u (%" PRIu64
							   " ns)", li, ri, k, g, got.t0, got.t1, got.count, got.vmin, got.vmax,
							   got.longest, got.longest_ns, b.t0, b.t1, b.count, b.vmin, b.vmax, b.longest,
							   b.longest_ns);
					checked++;
				}
			}
		}
	}
	return checked;
}

/* Random events on 3 lanes, in time order (as the trace source delivers them); index every so often, spans left open across an index. */
static void random_trace(uint64_t seed, size_t nev, struct prof_model *m, struct prof_analysis *a)
{
	uint64_t rnd = seed, now = 10;
	unsigned int depth[3] = { 0 };
	uint32_t open[3][8];
	size_t next_index = 1 + gen_rand(&rnd) % 50;

	for (size_t i = 0; i < nev; i++) {
		uint64_t r = gen_rand(&rnd);
		uint32_t lane = (uint32_t)(r % 3);
		struct prof_decoded_event e;

		now += r % 300;
		if (depth[lane] < 8 && (r >> 8) % 3 == 0) {
			uint32_t id = (r >> 16) % 3 == 0 ? GEN_MINOR_B : (r >> 16) % 3 == 1 ? GEN_MAJOR_B : GEN_WORK_B;

			ev_init(&e, now, id, lane);
			if (id == GEN_WORK_B) {
				e.nfields = 1;
				e.values[0].type = PROF_TYPE_STRING;
				e.values[0].v.str.ptr = r % 2 ? "alpha" : "beta";
				e.values[0].v.str.len = 5 - (uint32_t)(r % 2 == 0);
			}
			open[lane][depth[lane]++] = id + 1;
		} else if (depth[lane] > 0 && (r >> 8) % 3 == 1) {
			ev_init(&e, now, open[lane][--depth[lane]], lane);
		} else if ((r >> 8) % 2) {
			ev_init(&e, now, GEN_HEAP, lane);
			e.nfields = 1;
			e.values[0].type = PROF_TYPE_U64;
			e.values[0].v.u = (r >> 20) % 100000;
		} else {
			ev_init(&e, now, GEN_TICK, lane);
			e.nfields = 1;
			e.values[0].type = PROF_TYPE_U32;
			e.values[0].v.u = (uint32_t)i;
		}
		CHECK_OK(prof_model_add(m, &e));
		if (a)
			CHECK_OK(prof_analysis_add(a, &e));
		if (i == next_index) {
			CHECK_OK(prof_model_index(m));
			next_index += 1 + gen_rand(&rnd) % (nev / 4 + 1);
		}
	}
	CHECK_OK(prof_model_index(m));
}

static void test_lod(void)
{
	size_t total = 0;

	for (uint64_t seed = 1; seed <= 40; seed++) {
		struct prof_model m;

		prof_model_init(&m);
		random_trace(seed, 1 + (size_t)(seed * 997 % 12000), &m, NULL);
		total += check_lod(&m);
		prof_model_free(&m);
	}
	CHECK_GT(total, 5000);
	printf("lod: %zu summaries equal brute force\n", total);
}

static void test_queries(void)
{
	struct prof_model m;
	struct prof_analysis *a = prof_analysis_new(NULL), *sel = NULL;
	struct prof_clock_desc ns = { .freq_hz = 1000000000u, .source = PROF_CLOCK_MONOTONIC };
	size_t *inst, n, checked = 0;
	uint32_t work;
	uint64_t bins[16], lo, hi, sum = 0;

	CHECK(a != NULL);
	prof_analysis_set_clock(a, &ns);
	prof_model_init(&m);
	random_trace(99, 20000, &m, a);
	prof_analysis_finish(a);

	/* Ranges: exactly the items that overlap, on every row. */
	for (size_t li = 0; li < m.nlanes; li++) {
		const struct prof_model_lane *l = m.lanes[li];

		for (size_t ri = 0; ri <= l->nrows; ri++) {
			const struct prof_model_row *r = ri < l->nrows ? &l->rows[ri] : &l->instants;

			for (uint64_t q = 0; q < 2000000; q += 77777) {
				size_t first, last, want_first = SIZE_MAX, want_last = 0;

				prof_model_row_range(r, q, q + 50000, &first, &last);
				for (size_t i = 0; i < r->n; i++) {
					uint64_t end = r->items[i].flags & PROF_ITEM_OPEN ? UINT64_MAX : prof_model_item_t1(r, i);

					if (prof_model_item_t0(r, i) <= q + 50000 && end >= q) {
						want_first = want_first == SIZE_MAX ? i : want_first;
						want_last = i + 1;
					}
				}
				if (want_first == SIZE_MAX)
					CHECK_EQ_U(first, last);
				else if (first != want_first || last != want_last)
					CHECK_FAIL("row range [%" PRIu64 ", +50000]: [%zu, %zu), expected [%zu, %zu)", q, first,
						   last, want_first, want_last);
				checked++;
			}
		}
	}
	CHECK_GT(checked, 100);

	/* Instances: as many as the analysis timed, slowest first. */
	work = prof_model_span_find(&m, "work");
	CHECK(work != PROF_MODEL_NONE);
	CHECK_OK(prof_model_instances(&m, work, &inst, &n));
	CHECK_EQ_U(n, prof_analysis_span_find(a, "work")->count);
	for (size_t i = 1; i < n; i++) {
		const struct prof_model_row *rx = &m.lanes[inst[3 * i - 3]]->rows[inst[3 * i - 2]];
		const struct prof_model_row *ry = &m.lanes[inst[3 * i]]->rows[inst[3 * i + 1]];
		size_t x = inst[3 * i - 1], y = inst[3 * i + 2];
		uint64_t dx = prof_model_item_t1(rx, x) - prof_model_item_t0(rx, x);
		uint64_t dy = prof_model_item_t1(ry, y) - prof_model_item_t0(ry, y);

		if (dx < dy)
			CHECK_FAIL("instance %zu (%" PRIu64 " ns) before a slower one (%" PRIu64 " ns)", i - 1, dx, dy);
	}
	{
		const struct prof_model_row *r0 = &m.lanes[inst[0]]->rows[inst[1]];

		CHECK_EQ_U(prof_model_item_t1(r0, inst[2]) - prof_model_item_t0(r0, inst[2]),
			   prof_span_max(prof_analysis_span_find(a, "work")));
	}
	free(inst);

	/* Histogram: every instance in one bin, the slowest in the last. */
	CHECK_EQ_U(prof_model_histogram(&m, work, bins, 16, &lo, &hi), n);
	for (size_t i = 0; i < 16; i++)
		sum += bins[i];
	CHECK_EQ_U(sum, n);
	CHECK_GT(bins[15], 0);
	CHECK_EQ_U(hi, prof_span_max(prof_analysis_span_find(a, "work")));
	CHECK_EQ_U(prof_model_histogram_bin(hi, 16, lo, hi), 15);
	CHECK_EQ_U(prof_model_histogram_bin(lo, 16, lo, hi), 0);

	/* The selection of everything: the analysis of the same events. */
	CHECK_OK(prof_model_select(&m, 0, UINT64_MAX - 1, &sel));
	for (size_t i = 0; i < prof_analysis_span_count(a); i++) {
		struct prof_span_stats *want = prof_analysis_span(a, i);
		struct prof_span_stats *got = prof_analysis_span_find(sel, want->name);

		CHECK(got != NULL);
		if (got->count != want->count || got->total_ns != want->total_ns ||
		    got->unmatched_begin != want->unmatched_begin ||
		    prof_span_percentile(got, 0.99) != prof_span_percentile(want, 0.99))
			CHECK_FAIL("selection span %s: count %" PRIu64 " total %" PRIu64 " unmatched %" PRIu64
				   " p99 %" PRIu64 "; analysis count %" PRIu64 " total %" PRIu64 " unmatched %" PRIu64
				   " p99 %" PRIu64, want->name, got->count, got->total_ns, got->unmatched_begin,
				   prof_span_percentile(got, 0.99), want->count, want->total_ns, want->unmatched_begin,
				   prof_span_percentile(want, 0.99));
	}
	for (size_t i = 0; i < prof_analysis_event_count(a); i++) {
		const struct prof_event_stats *want = prof_analysis_event(a, i);
		int found = 0;

		for (size_t j = 0; j < prof_analysis_event_count(sel); j++) {
			const struct prof_event_stats *got = prof_analysis_event(sel, j);

			if (strcmp(got->name, want->name))
				continue;
			found = 1;
			if (got->count != want->count)
				CHECK_FAIL("selection event %s: %" PRIu64 ", analysis %" PRIu64, want->name, got->count,
					   want->count);
		}
		CHECK(found);
	}
	prof_analysis_free(sel);

	/* A smaller selection counts only the spans inside it. */
	CHECK_OK(prof_model_select(&m, 100000, 200000, &sel));
	{
		uint64_t want = 0;
		struct prof_span_stats *got = prof_analysis_span_find(sel, "work");

		for (size_t li = 0; li < m.nlanes; li++)
			for (size_t ri = 0; ri < m.lanes[li]->nrows; ri++)
				for (size_t i = 0; i < m.lanes[li]->rows[ri].n; i++) {
					const struct prof_model_row *r = &m.lanes[li]->rows[ri];
					const struct prof_model_item *it = &r->items[i];

					want += !it->flags && m.names[it->name].span == work &&
						prof_model_item_t0(r, i) >= 100000 && prof_model_item_t1(r, i) <= 200000;
				}
		CHECK_EQ_U(got ? got->count : 0, want);
	}
	prof_analysis_free(sel);
	prof_analysis_free(a);
	prof_model_free(&m);
}

static void test_fixed_file(void)
{
	char *tmp = test_tmpdir("viewer-model"), dir[512], text[512];
	struct prof_model m;
	struct prof_error err;
	struct prof_model_ref ref, ref2;

	snprintf(dir, sizeof(dir), "%s/fixed", tmp);
	gen_fixed(dir);
	prof_model_init(&m);
	CHECK_OK(prof_model_load(&m, dir, NULL, NULL, &err));
	CHECK_EQ_U(m.events, 13);
	CHECK_EQ_U(m.nlanes, 3); /* two threads and the heap counter */
	CHECK_EQ(m.lanes[0]->kind, PROF_LANE_THREAD);
	CHECK_EQ_U(m.lanes[0]->tid, 100);
	CHECK_EQ_U(m.lanes[0]->nrows, 2);
	CHECK_EQ(m.lanes[2]->kind, PROF_LANE_COUNTER);
	CHECK_EQ(m.lanes[2]->vmin, 100);
	CHECK_EQ(m.lanes[2]->vmax, 300);
	CHECK_EQ_U(m.lanes[0]->rows[1].n, 1);
	CHECK_EQ_U(prof_model_item_t0(&m.lanes[0]->rows[1], 0), 2 * MS);
	CHECK_EQ_U(prof_model_item_t1(&m.lanes[0]->rows[1], 0), 3 * MS);
	CHECK_EQ(m.names[m.lanes[0]->rows[1].items[0].name].gc_kind, PROF_GC_MINOR);

	/* Search: a string field, forward and back, and names. */
	CHECK_EQ(prof_model_search(&m, "request B", NULL, 0, &ref, &err), 1);
	CHECK_EQ_U(prof_model_item_t0(prof_model_row_of(&m, &ref), ref.index), 1 * MS);
	CHECK_EQ_U(ref.lane, 1);
	CHECK_EQ(prof_model_search(&m, "^request", &ref, 0, &ref2, &err), 0);
	CHECK_EQ(prof_model_search(&m, "^request", &ref, 1, &ref2, &err), 1);
	CHECK_EQ_U(prof_model_item_t0(prof_model_row_of(&m, &ref2), ref2.index), 0);
	CHECK_EQ(prof_model_search(&m, "^request", NULL, 1, &ref2, &err), 1);
	CHECK_EQ_U(prof_model_item_t0(prof_model_row_of(&m, &ref2), ref2.index), 1 * MS);
	CHECK_EQ(prof_model_search(&m, "gc\\.m", NULL, 0, &ref, &err), 1);
	CHECK_EQ_U(prof_model_item_t0(prof_model_row_of(&m, &ref), ref.index), 2 * MS);
	CHECK_EQ(prof_model_search(&m, "gc\\.m", &ref, 0, &ref2, &err), 1);
	CHECK_EQ_U(prof_model_item_t0(prof_model_row_of(&m, &ref2), ref2.index), 7 * MS);
	CHECK_EQ(prof_model_search(&m, "hello", NULL, 0, &ref, &err), 1);
	CHECK_EQ(prof_model_search(&m, "(", NULL, 0, &ref, &err), -EINVAL);
	CHECK(strstr(err.text, "regular expression") != NULL);

	/* The tooltip's text: every field. */
	CHECK_EQ(prof_model_search(&m, "request A", NULL, 0, &ref, &err), 1);
	prof_model_describe(&m, &ref, text, sizeof(text));
	CHECK(strstr(text, "work") == text);
	CHECK(strstr(text, "duration = 5000000 ns") != NULL);
	CHECK(strstr(text, "what = \"request A\"") != NULL);
	CHECK_EQ(prof_model_search(&m, "tick", NULL, 1, &ref, &err), 1);
	prof_model_describe(&m, &ref, text, sizeof(text));
	CHECK(strstr(text, "n = 2") != NULL);
	prof_model_free(&m);

	/* Losses: a marker for each gap, the counts from the trace. */
	snprintf(dir, sizeof(dir), "%s/loss", tmp);
	gen_bulk(dir, 200000, 2, 1, 3);
	prof_model_init(&m);
	CHECK_OK(prof_model_load(&m, dir, NULL, NULL, &err));
	{
		uint64_t markers = 0, events = 0, packets = 0;

		for (size_t i = 0; i < m.nlanes; i++)
			for (size_t j = 0; j < m.lanes[i]->nlosses; j++) {
				markers++;
				events += m.lanes[i]->losses[j].events;
				packets += m.lanes[i]->losses[j].packets;
			}
		CHECK_GT(markers, 0);
		CHECK_EQ_U(packets, m.stats.packets_lost);
		CHECK_EQ_U(events, m.stats.events_discarded);
		CHECK_EQ_U(markers, m.stats.packets_lost);
	}
	prof_model_free(&m);

	/* Not a trace: an error naming it. */
	snprintf(dir, sizeof(dir), "%s/empty", tmp);
	CHECK(mkdir(dir, 0700) == 0);
	prof_model_init(&m);
	CHECK(prof_model_load(&m, dir, NULL, NULL, &err) < 0);
	CHECK(strstr(err.file, "empty") != NULL || strstr(err.text, "empty") != NULL);
	prof_model_free(&m);
	rm_rf(tmp);
	free(tmp);
}

int main(void)
{
	gen_schema(schema);
	test_lod();
	test_queries();
	test_fixed_file();
	printf("test_viewer_model: ok\n");
	return 0;
}
