/* SPDX-License-Identifier: MIT */
/*
 * The model's block encodings (viewer/model/model.h) lose nothing:
 *   - an item's start is 40 bits above its time block's base (the block's
 *     first item's start, 64 items a block): starts are exact across block
 *     boundaries, one 2^40 - 2 ns past its base still fits, and one 2^40 - 1
 *     ns or more past it (a gap of more than 2^40 ns, about 18 minutes, in
 *     the middle of a block) goes to the row's table of far starts, read
 *     through prof_model_item_t0(); the row's range search, the LOD
 *     summaries and a span's end (long, beside a far start) see them too;
 *   - an item's field values are found from its fields block's offset (16
 *     items a block) and the words of the items before it there: at every
 *     position of a block, with items of 0, 1, 2 and 4 words (no fields, a
 *     u32, a u64, a string, and a mix) in any order, through the tooltip,
 *     a counter's value and a regex search over string fields.
 */
#include <inttypes.h>

#include "gen_trace.h"
#include "model.h"

enum { E_TICK, E_SPAN_B, E_SPAN_E, E_NONE, E_ONE, E_TWO, E_STR, E_MIX, E_CTR, E_N };

static struct prof_schema_event schema[E_N];

#define FAR40 (UINT64_C(1) << 40)
#define S 1000000000ull

static void make_schema(void)
{
	test_event(&schema[E_TICK], E_TICK, "tick", PROF_KIND_INSTANT);
	test_event(&schema[E_SPAN_B], E_SPAN_B, "s.begin", PROF_KIND_SPAN_BEGIN);
	test_event(&schema[E_SPAN_E], E_SPAN_E, "s.end", PROF_KIND_SPAN_END);
	test_event(&schema[E_NONE], E_NONE, "none", PROF_KIND_PLAIN);
	test_event(&schema[E_ONE], E_ONE, "one", PROF_KIND_PLAIN);
	test_field(&schema[E_ONE], "u", PROF_TYPE_U32, 0);
	test_event(&schema[E_TWO], E_TWO, "two", PROF_KIND_PLAIN);
	test_field(&schema[E_TWO], "w", PROF_TYPE_U64, 0);
	test_event(&schema[E_STR], E_STR, "str", PROF_KIND_PLAIN);
	test_field(&schema[E_STR], "s", PROF_TYPE_STRING, 16);
	test_event(&schema[E_MIX], E_MIX, "mix", PROF_KIND_PLAIN);
	test_field(&schema[E_MIX], "w", PROF_TYPE_U64, 0);
	test_field(&schema[E_MIX], "s", PROF_TYPE_STRING, 16);
	test_field(&schema[E_MIX], "b", PROF_TYPE_U8, 0);
	test_event(&schema[E_CTR], E_CTR, "ctr", PROF_KIND_COUNTER);
	test_field(&schema[E_CTR], "value", PROF_TYPE_U64, 0);
}

static void add(struct prof_model *m, uint64_t ts, uint32_t id, uint32_t tid, const struct prof_value *v, uint16_t nv)
{
	struct prof_decoded_event e;

	memset(&e, 0, sizeof(e));
	e.timestamp = ts;
	e.id = id;
	e.desc = &schema[id];
	e.tid = tid;
	e.nfields = nv;
	for (uint16_t i = 0; i < nv; i++)
		e.values[i] = v[i];
	CHECK_OK(prof_model_add(m, &e));
}

/* Whether the model must keep item @i of @t (starts in order) as a far one. */
static int want_far(const uint64_t *t, size_t i)
{
	size_t first = i & ~(size_t)63; /* its time block's first item: the base */

	return i != first && t[i] - t[first] >= FAR40 - 1;
}

#define NT 400

/* Starts across blocks, with far ones; the row search and the summaries over them. */
static void test_t0(void)
{
	static uint64_t t[NT];
	struct prof_model m;
	const struct prof_model_row *r;
	size_t fars = 0, first, last;

	prof_model_init(&m);
	for (size_t i = 0; i < NT; i++) {
		uint64_t prev = i ? t[i - 1] : 1000;

		t[i] = prev + 7 + i % 5;
		if (i == 100)
			t[i] = prev + FAR40 + 5; /* mid-block: 100..127 are far from their base */
		else if (i == 192)
			t[i] = prev + 2 * FAR40; /* a block's first item: its base, not far */
		else if (i == 250)
			t[i] = t[192] + FAR40 - 2; /* the largest offset that fits */
		else if (i == 251)
			t[i] = t[192] + FAR40 - 1; /* the smallest that does not */
		else if (i == 300)
			t[i] = prev + UINT64_C(3) * FAR40 + 1; /* far, past 2^41 */
		fars += want_far(t, i);
		add(&m, t[i], E_TICK, 1, NULL, 0);
	}
	CHECK_OK(prof_model_index(&m));
	CHECK_EQ_U(m.nlanes, 1);
	r = &m.lanes[0]->instants;
	CHECK_EQ_U(r->n, NT);
	CHECK_EQ_U(fars, 53); /* the escape is used: items 100..127, 251..255 and 300..319 */
	if (r->nfars != fars)
		CHECK_FAIL("the row keeps %zu far starts, expected %zu", r->nfars, fars);
	CHECK(!want_far(t, 250) && want_far(t, 251) && !want_far(t, 192) && want_far(t, 100));
	for (size_t i = 0; i < NT; i++) {
		if (prof_model_item_t0(r, i) != t[i] || prof_model_item_t1(r, i) != t[i])
			CHECK_FAIL("item %zu (block %zu, position %zu%s): t0 %" PRIu64 " t1 %" PRIu64 ", expected %" PRIu64,
				   i, i >> 6, i & 63, want_far(t, i) ? ", far" : "", prof_model_item_t0(r, i),
				   prof_model_item_t1(r, i), t[i]);
		prof_model_row_range(r, t[i], t[i], &first, &last);
		if (first > i || last <= i)
			CHECK_FAIL("item %zu at %" PRIu64 ": the row's range there is [%zu, %zu)", i, t[i], first, last);
	}
	/* The first level's groups are the time blocks: their earliest start and latest end. */
	CHECK(r->nlevels >= PROF_MODEL_LOD_MIN);
	for (size_t g = 0; g < r->level_n[PROF_MODEL_LOD_MIN - 1]; g++) {
		const struct prof_model_summary *s = &r->levels[PROF_MODEL_LOD_MIN - 1][g];
		size_t a = g << PROF_MODEL_LOD_MIN, b = a + ((size_t)1 << PROF_MODEL_LOD_MIN) < NT ?
							 a + ((size_t)1 << PROF_MODEL_LOD_MIN) : NT;

		if (s->t0 != t[a] || s->t1 != t[b - 1])
			CHECK_FAIL("group %zu: [%" PRIu64 ", %" PRIu64 "], expected [%" PRIu64 ", %" PRIu64 "]", g, s->t0,
				   s->t1, t[a], t[b - 1]);
	}
	prof_model_free(&m);
}

/* Spans: a far start with a long duration, and one beside it that fits. */
static void test_span(void)
{
	struct prof_model m;
	const struct prof_model_row *r;
	uint64_t t = 1000, b[70], e[70];

	prof_model_init(&m);
	for (size_t i = 0; i < 70; i++) {
		if (i == 66)
			t += FAR40 + 3;
		b[i] = t;
		e[i] = t + (i == 66 ? 5 * S : 100 + i);
		add(&m, b[i], E_SPAN_B, 2, NULL, 0);
		add(&m, e[i], E_SPAN_E, 2, NULL, 0);
		t = e[i] + 10;
	}
	CHECK_OK(prof_model_index(&m));
	r = &m.lanes[0]->rows[0];
	CHECK_EQ_U(r->n, 70);
	CHECK_EQ_U(r->nfars, 4); /* 66..69: past 2^40 from item 64 */
	CHECK_EQ_U(r->nlongs, 1);
	for (size_t i = 0; i < 70; i++)
		if (prof_model_item_t0(r, i) != b[i] || prof_model_item_t1(r, i) != e[i])
			CHECK_FAIL("span %zu: [%" PRIu64 ", %" PRIu64 "], expected [%" PRIu64 ", %" PRIu64 "]", i,
				   prof_model_item_t0(r, i), prof_model_item_t1(r, i), b[i], e[i]);
	prof_model_free(&m);
}

static void check_text(size_t i, const char *text, const char *want)
{
	if (!strstr(text, want))
		CHECK_FAIL("item %zu: its tooltip has no \"%s\":\n%s", i, want, text);
}

#define NF 211

/* Field records at every position of a fields block, of every width, mixed. */
static void test_fields(void)
{
	static const uint32_t kinds[] = { E_NONE, E_ONE, E_TWO, E_STR, E_MIX };
	static uint32_t kind[NF];
	struct prof_model m;
	const struct prof_model_row *r;
	struct prof_model_ref ref, got;
	struct prof_error err;
	uint64_t rnd = 12345;
	char text[512], want[96], s[32];
	size_t seen[5] = { 0 };

	prof_model_init(&m);
	for (size_t i = 0; i < NF; i++) {
		struct prof_value v[3];
		uint16_t nv = 0;

		rnd = rnd * 6364136223846793005ull + 1442695040888963407ull;
		/* Runs of one kind now and then, so a block may hold only items without fields. */
		kind[i] = i >= 32 && i < 48 ? E_NONE : kinds[(rnd >> 33) % 5];
		seen[kind[i] == E_NONE ? 0 : kind[i] - E_ONE + 1]++;
		snprintf(s, sizeof(s), "%c%zu", kind[i] == E_STR ? 's' : 'm', i);
		switch (kind[i]) {
		case E_ONE:
			v[nv++] = (struct prof_value){ .type = PROF_TYPE_U32, .v.u = 3 * i + 1 };
			break;
		case E_TWO:
			v[nv++] = (struct prof_value){ .type = PROF_TYPE_U64, .v.u = (uint64_t)i << 40 | i };
			break;
		case E_STR:
			v[nv].type = PROF_TYPE_STRING;
			v[nv].v.str.ptr = s;
			v[nv++].v.str.len = (uint32_t)strlen(s);
			break;
		case E_MIX:
			v[nv++] = (struct prof_value){ .type = PROF_TYPE_U64, .v.u = ~(uint64_t)i };
			v[nv].type = PROF_TYPE_STRING;
			v[nv].v.str.ptr = s;
			v[nv++].v.str.len = (uint32_t)strlen(s);
			v[nv++] = (struct prof_value){ .type = PROF_TYPE_U8, .v.u = i & 255 };
			break;
		default:
			break;
		}
		add(&m, 1000 + 10 * i, kind[i], 3, v, nv);
	}
	for (size_t k = 0; k < 5; k++)
		CHECK(seen[k] > 10);
	CHECK_OK(prof_model_index(&m));
	r = &m.lanes[0]->instants;
	CHECK_EQ_U(r->n, NF);
	for (size_t i = 0; i < NF; i++) {
		double value = kind[i] == E_ONE ? (double)(3 * i + 1) : kind[i] == E_TWO ? (double)((uint64_t)i << 40 | i) :
			       kind[i] == E_MIX ? (double)~(uint64_t)i : 0;

		ref = (struct prof_model_ref){ .lane = 0, .row = PROF_MODEL_NONE, .index = i };
		prof_model_describe(&m, &ref, text, sizeof(text));
		switch (kind[i]) {
		case E_NONE:
			/* Its name and time, nothing else. */
			if (!strchr(text, '\n') || strchr(strchr(text, '\n') + 1, '\n'))
				CHECK_FAIL("item %zu (no fields): its tooltip has fields:\n%s", i, text);
			break;
		case E_ONE:
			snprintf(want, sizeof(want), "u = %zu", 3 * i + 1);
			check_text(i, text, want);
			break;
		case E_TWO:
			snprintf(want, sizeof(want), "w = %" PRIu64, (uint64_t)i << 40 | i);
			check_text(i, text, want);
			break;
		case E_STR:
			snprintf(want, sizeof(want), "s = \"s%zu\"", i);
			check_text(i, text, want);
			break;
		default:
			snprintf(want, sizeof(want), "w = %" PRIu64 "\ns = \"m%zu\"\nb = %zu", ~(uint64_t)i, i, i & 255);
			check_text(i, text, want);
			break;
		}
		if (prof_model_item_value(&m, r, i) != value)
			CHECK_FAIL("item %zu (position %zu in its block): value %g, expected %g", i, i & 15,
				   prof_model_item_value(&m, r, i), value);
		if (kind[i] == E_STR || kind[i] == E_MIX) {
			snprintf(want, sizeof(want), "^%c%zu$", kind[i] == E_STR ? 's' : 'm', i);
			if (prof_model_search(&m, want, NULL, 0, &got, &err) != 1 || got.index != i)
				CHECK_FAIL("search %s: found item %zu, expected %zu", want, got.index, i);
		}
	}
	prof_model_free(&m);
}

/* A counter's samples (two words each) at every position: their values and summaries. */
static void test_counter(void)
{
	struct prof_model m;
	const struct prof_model_row *r;

	prof_model_init(&m);
	for (size_t i = 0; i < 150; i++) {
		struct prof_value v = { .type = PROF_TYPE_U64, .v.u = (i * 37) % 101 };

		add(&m, 1000 + i, E_CTR, 4, &v, 1);
	}
	CHECK_OK(prof_model_index(&m));
	CHECK_EQ_U(m.nlanes, 2);
	CHECK_EQ(m.lanes[1]->kind, PROF_LANE_COUNTER);
	r = &m.lanes[1]->instants;
	for (size_t i = 0; i < 150; i++)
		if (prof_model_item_value(&m, r, i) != (double)((i * 37) % 101))
			CHECK_FAIL("sample %zu: %g, expected %zu", i, prof_model_item_value(&m, r, i), (i * 37) % 101);
	for (size_t g = 0; g < r->level_n[PROF_MODEL_LOD_MIN - 1]; g++) {
		double lo = 1e9, hi = -1;

		for (size_t i = g << PROF_MODEL_LOD_MIN; i < 150 && i < (g + 1) << PROF_MODEL_LOD_MIN; i++) {
			double v = (double)((i * 37) % 101);

			lo = v < lo ? v : lo;
			hi = v > hi ? v : hi;
		}
		if (r->levels[PROF_MODEL_LOD_MIN - 1][g].value.min != lo || r->levels[PROF_MODEL_LOD_MIN - 1][g].value.max != hi)
			CHECK_FAIL("group %zu: [%g, %g], expected [%g, %g]", g, r->levels[PROF_MODEL_LOD_MIN - 1][g].value.min,
				   r->levels[PROF_MODEL_LOD_MIN - 1][g].value.max, lo, hi);
	}
	prof_model_free(&m);
}

int main(void)
{
	make_schema();
	test_t0();
	test_span();
	test_fields();
	test_counter();
	printf("test_viewer_blocks: ok\n");
	return 0;
}
