/* SPDX-License-Identifier: MIT */
/*
 * A frame's work is bounded by its pixels, not the trace's items
 * (prof_render_draw_stats()): a row of 8000 spans of two alternating names
 * and a row of 8000 ticks in 1000 pixels (8 items a pixel: below the first
 * LOD level, drawn from the items) are drawn looking at no more than 4
 * groups per pixel column per row, with one fill per colour per row; every
 * pixel column the spans cover is still painted (nothing skipped that
 * showed).  Ten times the items (drawn through the LOD) look at no more
 * groups than pixels.
 */
#include <cairo.h>

#include "gen_trace.h"
#include "render.h"

enum { E_A_B, E_A_E, E_B_B, E_B_E, E_TICK, E_N };

static struct prof_schema_event schema[E_N];

static void add(struct prof_model *m, uint64_t ts, uint32_t id)
{
	struct prof_decoded_event e;

	memset(&e, 0, sizeof(e));
	e.timestamp = ts;
	e.id = id;
	e.desc = &schema[id];
	e.tid = 100;
	CHECK_OK(prof_model_add(m, &e));
}

/*
 * @n spans of 1000 ns every 1250 ns, and a tick in each gap; the name
 * changes every 8 spans (a pixel's worth at 8 items a pixel), so the
 * pixels alternate colours: a fill per run would be a fill per pixel.
 */
static void build(struct prof_model *m, size_t n)
{
	prof_model_init(m);
	for (size_t i = 0; i < n; i++) {
		uint64_t t = 1000 + i * 1250;
		uint32_t b = (i / 8) & 1 ? E_B_B : E_A_B;

		add(m, t, b);
		add(m, t + 1000, b + 1);
		add(m, t + 1100, E_TICK);
	}
	CHECK_OK(prof_model_index(m));
}

static void frame(const struct prof_model *m, size_t n, int width, struct prof_render_stats *st,
		  cairo_surface_t **out)
{
	struct prof_viewport vp = { .width = width, .height = 200 };
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, vp.width, vp.height);
	cairo_t *cr = cairo_create(s);

	/* Exactly the spans' period: pixel p holds spans [p, p + 1) * n / width. */
	vp.t0 = m->t_first;
	vp.t1 = m->t_first + n * 1250;
	CHECK_OK(prof_render_draw_stats(cr, m, &vp, st));
	cairo_destroy(cr);
	cairo_surface_flush(s);
	*out = s;
}

int main(void)
{
	struct prof_render_stats st;
	struct prof_model m;
	cairo_surface_t *s;
	int y, h, width = 1000, holes = 0;
	struct prof_viewport vp = { .width = 1000, .height = 200 };

	test_event(&schema[E_A_B], E_A_B, "a.begin", PROF_KIND_SPAN_BEGIN);
	test_event(&schema[E_A_E], E_A_E, "a.end", PROF_KIND_SPAN_END);
	test_event(&schema[E_B_B], E_B_B, "b.begin", PROF_KIND_SPAN_BEGIN);
	test_event(&schema[E_B_E], E_B_E, "b.end", PROF_KIND_SPAN_END);
	test_event(&schema[E_TICK], E_TICK, "tick", PROF_KIND_INSTANT);

	build(&m, 8000);
	CHECK_EQ_U(m.nlanes, 1);
	CHECK_EQ_U(m.lanes[0]->rows[0].n, 8000);
	CHECK_EQ_U(prof_model_lod_level(&m.lanes[0]->rows[0], 8000, width), 0);
	/* 16 items a pixel or fewer: the items; 16 to 32: the first level; then
	 * the smallest level whose groups are no more than the pixels. */
	CHECK_EQ_U(prof_model_lod_level(&m.lanes[0]->rows[0], 16 * (size_t)width, width), 0);
	CHECK_EQ_U(prof_model_lod_level(&m.lanes[0]->rows[0], 16 * (size_t)width + 1, width), PROF_MODEL_LOD_MIN);
	CHECK_EQ_U(prof_model_lod_level(&m.lanes[0]->rows[0], 64 * (size_t)width, width), PROF_MODEL_LOD_MIN);
	CHECK_EQ_U(prof_model_lod_level(&m.lanes[0]->rows[0], 64 * (size_t)width + 1, width), PROF_MODEL_LOD_MIN + 1);
	frame(&m, 8000, width, &st, &s);
	printf("8000 + 8000 items in %d pixels: %" PRIu64 " groups looked at, %" PRIu64 " fills\n", width, st.groups,
	       st.fills);
	if (st.groups > 2 * 4 * (uint64_t)width)
		CHECK_FAIL("%" PRIu64 " groups looked at for 2 rows of %d pixels, expected at most %d", st.groups, width,
			   2 * 4 * width);
	if (st.fills != 3)
		CHECK_FAIL("%" PRIu64 " fills, expected 3 (2 colours of spans, 1 of ticks)", st.fills);
	/* The span row: every column painted (a or b), none left background. */
	prof_render_lane_y(&m, &vp, 0, &y, &h);
	{
		const uint8_t *d = cairo_image_surface_get_data(s);
		int yy = y + 14 + PROF_RENDER_ROW_H / 2, stride = cairo_image_surface_get_stride(s);

		for (int x = 170; x < width - 1; x++) { /* right of the lane's label */
			uint32_t v;

			memcpy(&v, d + (size_t)yy * (size_t)stride + 4 * (size_t)x, 4);
			if ((v & 0xffffff) == 0xf7f7f7 || (v & 0xffffff) == 0xffffff) {
				if (!holes++)
					fprintf(stderr, "first hole at x %d y %d: rgb %06x\n", x, yy, v & 0xffffff);
			}
		}
	}
	if (holes)
		CHECK_FAIL("%d pixel columns of the span row left unpainted, expected 0", holes);
	cairo_surface_destroy(s);
	prof_model_free(&m);

	build(&m, 80000);
	frame(&m, 80000, width, &st, &s);
	printf("80000 + 80000 items in %d pixels: %" PRIu64 " groups looked at, %" PRIu64 " fills\n", width,
	       st.groups, st.fills);
	if (st.groups > 2 * (uint64_t)width)
		CHECK_FAIL("%" PRIu64 " groups looked at for 2 rows of %d pixels through the LOD, expected at most %d",
			   st.groups, width, 2 * width);
	cairo_surface_destroy(s);
	prof_model_free(&m);
	printf("test_viewer_frame_work: ok\n");
	return 0;
}
