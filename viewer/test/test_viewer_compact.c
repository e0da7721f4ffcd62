/* SPDX-License-Identifier: MIT */
/*
 * The model's compact layout (viewer/model/model.h) loses nothing:
 *   - an item is 8 bytes, a span's 32-bit duration beside it; spans of 2^32 - 1 ns or
 *     more (ended, cut by a loss, left unended by an outer end) keep their
 *     exact end in the row's table of long spans: prof_model_item_t1(),
 *     the LOD summaries, the tooltip, the instances, the histogram and the
 *     selection's statistics (equal to the shared analysis fed the same
 *     events) all see it; 2^32 - 2 ns still fits the item;
 *   - field values in 32-bit words give back every type exactly (u8, s8,
 *     s16, s32, u64, s64, f64, string, u32 after 64-bit fields), through
 *     the tooltip, a counter's value and a regex search over a string
 *     field that follows wide ones.
 */
#include "gen_trace.h"
#include "model.h"

enum { E_LONG_B, E_LONG_E, E_SHORT_B, E_SHORT_E, E_VAL, E_CTR, E_N };

static struct prof_schema_event schema[E_N];

#define S 1000000000ull

static void make_schema(void)
{
	test_event(&schema[E_LONG_B], E_LONG_B, "long.begin", PROF_KIND_SPAN_BEGIN);
	test_event(&schema[E_LONG_E], E_LONG_E, "long.end", PROF_KIND_SPAN_END);
	test_event(&schema[E_SHORT_B], E_SHORT_B, "short.begin", PROF_KIND_SPAN_BEGIN);
	test_event(&schema[E_SHORT_E], E_SHORT_E, "short.end", PROF_KIND_SPAN_END);
	test_event(&schema[E_VAL], E_VAL, "val", PROF_KIND_PLAIN);
	test_field(&schema[E_VAL], "a", PROF_TYPE_U8, 0);
	test_field(&schema[E_VAL], "b", PROF_TYPE_S8, 0);
	test_field(&schema[E_VAL], "c", PROF_TYPE_S16, 0);
	test_field(&schema[E_VAL], "d", PROF_TYPE_S32, 0);
	test_field(&schema[E_VAL], "e", PROF_TYPE_U64, 0);
	test_field(&schema[E_VAL], "f", PROF_TYPE_S64, 0);
	test_field(&schema[E_VAL], "g", PROF_TYPE_F64, 0);
	test_field(&schema[E_VAL], "h", PROF_TYPE_STRING, 16);
	test_field(&schema[E_VAL], "i", PROF_TYPE_U32, 0);
	test_event(&schema[E_CTR], E_CTR, "ctr", PROF_KIND_COUNTER);
	test_field(&schema[E_CTR], "value", PROF_TYPE_S32, 0);
}

static struct prof_analysis *an;
static uint64_t seq;

static void add(struct prof_model *m, uint64_t ts, uint32_t id, const struct prof_value *v, uint16_t nv)
{
	struct prof_decoded_event e;

	memset(&e, 0, sizeof(e));
	e.timestamp = ts;
	e.id = id;
	e.desc = &schema[id];
	e.tid = 7;
	e.packet_seq = seq;
	e.nfields = nv;
	for (uint16_t i = 0; i < nv; i++)
		e.values[i] = v[i];
	CHECK_OK(prof_model_add(m, &e));
	CHECK_OK(prof_analysis_add(an, &e));
}

/* The item of lane 0, depth @row, index @i: its end and flags must be @t1 and @flags. */
static void check_item(const struct prof_model *m, size_t row, size_t i, uint64_t t0, uint64_t t1, unsigned int flags)
{
	const struct prof_model_row *r = &m->lanes[0]->rows[row];

	CHECK(i < r->n);
	if (prof_model_item_t0(r, i) != t0 || prof_model_item_t1(r, i) != t1 || r->items[i].flags != flags)
		CHECK_FAIL("row %zu item %zu: [%" PRIu64 ", %" PRIu64 "] flags %u, expected [%" PRIu64 ", %" PRIu64
			   "] flags %u", row, i, prof_model_item_t0(r, i), prof_model_item_t1(r, i),
			   (unsigned int)r->items[i].flags, t0, t1, flags);
}

static void check_text(const char *text, const char *want)
{
	if (!strstr(text, want))
		CHECK_FAIL("tooltip has no \"%s\":\n%s", want, text);
}

int main(void)
{
	struct prof_clock_desc ns = { .freq_hz = 1000000000u, .source = PROF_CLOCK_MONOTONIC };
	struct prof_model m;
	struct prof_model_ref ref;
	struct prof_analysis *sel;
	struct prof_error err;
	char text[1024];
	size_t *inst, n;
	uint64_t bins[8], lo, hi, t;
	struct prof_value v[9];

	make_schema();
	an = prof_analysis_new(&ns);
	CHECK(an != NULL);
	prof_model_init(&m);

	/* 10 s at depth 0 with a short span inside; then 7 s left unended by
	 * an outer end; then 2^32 - 2 ns (fits) and 2^32 - 1 ns (does not). */
	add(&m, 1 * S, E_LONG_B, NULL, 0);
	add(&m, 1 * S + S / 2, E_SHORT_B, NULL, 0);
	add(&m, 1 * S + S / 2 + 100, E_SHORT_E, NULL, 0);
	add(&m, 11 * S, E_LONG_E, NULL, 0);
	add(&m, 12 * S, E_LONG_B, NULL, 0);
	add(&m, 13 * S, E_SHORT_B, NULL, 0);
	add(&m, 20 * S, E_LONG_E, NULL, 0);
	add(&m, 21 * S, E_LONG_B, NULL, 0);
	add(&m, 21 * S + 0xfffffffeull, E_LONG_E, NULL, 0);
	add(&m, 27 * S, E_LONG_B, NULL, 0);
	add(&m, 27 * S + 0xffffffffull, E_LONG_E, NULL, 0);
	/* 9 s cut by a loss (packets missing before the next event). */
	add(&m, 33 * S, E_LONG_B, NULL, 0);
	seq = 3;
	/* Every field type after the loss, and counter samples. */
	v[0] = (struct prof_value){ .type = PROF_TYPE_U8, .v.u = 200 };
	v[1] = (struct prof_value){ .type = PROF_TYPE_S8, .v.s = -5 };
	v[2] = (struct prof_value){ .type = PROF_TYPE_S16, .v.s = -300 };
	v[3] = (struct prof_value){ .type = PROF_TYPE_S32, .v.s = -70000 };
	v[4] = (struct prof_value){ .type = PROF_TYPE_U64, .v.u = UINT64_MAX };
	v[5] = (struct prof_value){ .type = PROF_TYPE_S64, .v.s = -9000000000ll };
	v[6] = (struct prof_value){ .type = PROF_TYPE_F64, .v.f = 2.5 };
	v[7] = (struct prof_value){ .type = PROF_TYPE_STRING, .v.str = { "needle", 6 } };
	v[8] = (struct prof_value){ .type = PROF_TYPE_U32, .v.u = 4000000000u };
	add(&m, 42 * S, E_VAL, v, 9);
	v[0] = (struct prof_value){ .type = PROF_TYPE_S32, .v.s = -7 };
	add(&m, 43 * S, E_CTR, v, 1);
	v[0].v.s = 2147483647;
	add(&m, 44 * S, E_CTR, v, 1);
	/* 40 spans of 5 s at depth 0 (a LOD level of their own), and one left open. */
	for (t = 50 * S; t < 50 * S + 40 * 6 * S; t += 6 * S) {
		add(&m, t, E_LONG_B, NULL, 0);
		add(&m, t + 5 * S, E_LONG_E, NULL, 0);
	}
	add(&m, 400 * S, E_LONG_B, NULL, 0);
	CHECK_OK(prof_model_index(&m));
	prof_analysis_finish(an);
	CHECK_EQ_U(sizeof(struct prof_model_item), 8);

	/* Exact ends, whatever their length. */
	check_item(&m, 0, 0, 1 * S, 11 * S, 0);
	check_item(&m, 1, 0, 1 * S + S / 2, 1 * S + S / 2 + 100, 0);
	check_item(&m, 0, 1, 12 * S, 20 * S, 0);
	check_item(&m, 1, 1, 13 * S, 20 * S, PROF_ITEM_UNENDED);
	check_item(&m, 0, 2, 21 * S, 21 * S + 0xfffffffeull, 0);
	CHECK_EQ_U(m.lanes[0]->rows[0].durs[2], 0xfffffffeull);
	check_item(&m, 0, 3, 27 * S, 27 * S + 0xffffffffull, 0);
	CHECK_EQ_U(m.lanes[0]->rows[0].durs[3], PROF_MODEL_DUR_LONG);
	check_item(&m, 0, 4, 33 * S, 42 * S, PROF_ITEM_BROKEN);
	for (size_t i = 0; i < 40; i++)
		check_item(&m, 0, 5 + i, 50 * S + i * 6 * S, 55 * S + i * 6 * S, 0);
	check_item(&m, 0, 45, 400 * S, 400 * S, PROF_ITEM_OPEN);

	/* The LOD summaries of the row of 46 spans: level 6 (one group), ends exact. */
	{
		const struct prof_model_row *r = &m.lanes[0]->rows[0];

		CHECK_EQ_U(r->nlevels, 6);
		for (unsigned int k = PROF_MODEL_LOD_MIN; k <= r->nlevels; k++)
			for (size_t g = 0; g < r->level_n[k - 1]; g++) {
				uint64_t t1 = 0, longest = 0;

				for (size_t i = g << k; i < r->n && i < (g + 1) << k; i++) {
					uint64_t e = prof_model_item_t1(r, i);

					t1 = e > t1 ? e : t1;
					longest = e - prof_model_item_t0(r, i) > longest ? e - prof_model_item_t0(r, i) : longest;
				}
				if (r->levels[k - 1][g].t1 != t1 || r->levels[k - 1][g].longest.ns != longest)
					CHECK_FAIL("level %u group %zu: t1 %" PRIu64 " longest %" PRIu64
						   ", brute force %" PRIu64 " and %" PRIu64, k, g, r->levels[k - 1][g].t1,
						   r->levels[k - 1][g].longest.ns, t1, longest);
			}
		CHECK_EQ_U(r->levels[PROF_MODEL_LOD_MIN - 1][0].longest.ns, 10 * S);
	}

	/* Tooltip, instances (slowest first), histogram. */
	ref = (struct prof_model_ref){ .lane = 0, .row = 0, .index = 0 };
	prof_model_describe(&m, &ref, text, sizeof(text));
	check_text(text, "duration = 10000000000 ns");
	ref.index = 3;
	prof_model_describe(&m, &ref, text, sizeof(text));
	check_text(text, "duration = 4294967295 ns");
	ref = (struct prof_model_ref){ .lane = 0, .row = 1, .index = 1 };
	prof_model_describe(&m, &ref, text, sizeof(text));
	check_text(text, "duration = 7000000000 ns (never ended");
	CHECK_OK(prof_model_instances(&m, prof_model_span_find(&m, "long"), &inst, &n));
	CHECK_EQ_U(n, 44);
	CHECK_EQ_U(inst[2], 0);
	CHECK_EQ_U(inst[3 * 1 + 2], 1); /* then the 8 s one */
	CHECK_EQ_U(inst[3 * 2 + 2] >= 5, 1); /* then the 5 s ones */
	free(inst);
	CHECK_EQ_U(prof_model_histogram(&m, prof_model_span_find(&m, "long"), bins, 8, &lo, &hi), 44);
	CHECK_EQ_U(lo, 0xfffffffeull);
	CHECK_EQ_U(hi, 10 * S);
	CHECK_EQ_U(bins[7], 1);

	/* The selection's statistics equal the shared analysis of the same events. */
	CHECK_OK(prof_model_select(&m, 0, 500 * S, &sel));
	{
		struct prof_span_stats *a = prof_analysis_span_find(an, "long");
		struct prof_span_stats *b = prof_analysis_span_find(sel, "long");

		CHECK(a && b);
		CHECK_EQ_U(b->count, a->count);
		CHECK_EQ_U(b->total_ns, a->total_ns);
		CHECK_EQ_U(prof_span_max(b), prof_span_max(a));
		CHECK_EQ_U(prof_span_max(b), 10 * S);
	}
	prof_analysis_free(sel);

	/* Every field type back exactly. */
	{
		const struct prof_model_row *r = &m.lanes[0]->instants;

		CHECK_EQ_U(r->n, 1);
		ref = (struct prof_model_ref){ .lane = 0, .row = PROF_MODEL_NONE, .index = 0 };
		prof_model_describe(&m, &ref, text, sizeof(text));
		check_text(text, "a = 200\n");
		check_text(text, "b = -5\n");
		check_text(text, "c = -300\n");
		check_text(text, "d = -70000\n");
		check_text(text, "e = 18446744073709551615\n");
		check_text(text, "f = -9000000000\n");
		check_text(text, "g = 2.5\n");
		check_text(text, "h = \"needle\"\n");
		check_text(text, "i = 4000000000");
		CHECK_EQ(prof_model_search(&m, "^need", NULL, 0, &ref, &err), 1);
		CHECK_EQ_U(ref.lane, 0);
		CHECK_EQ_U(ref.row, PROF_MODEL_NONE);
	}
	for (size_t li = 0; li < m.nlanes; li++)
		if (m.lanes[li]->kind == PROF_LANE_COUNTER) {
			const struct prof_model_row *r = &m.lanes[li]->instants;

			CHECK_EQ_U(r->n, 2);
			CHECK(prof_model_item_value(&m, r, 0) == -7.0);
			CHECK(prof_model_item_value(&m, r, 1) == 2147483647.0);
			CHECK(m.lanes[li]->vmin == -7.0);
		}
	prof_model_free(&m);
	prof_analysis_free(an);
	printf("test_viewer_compact: ok\n");
	return 0;
}
