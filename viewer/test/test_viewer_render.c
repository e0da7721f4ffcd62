/* SPDX-License-Identifier: MIT */
/*
 * The viewer's picture, headless on a cairo image surface: on the fixed
 * trace (gen_trace.h) the GC spans are drawn at their x range in their
 * kind's colour, and nowhere outside it; a loss marker is drawn where a
 * trace lost events and the loss line is red; the hit test finds the span
 * under a pixel; zoomed far out on a large trace the LOD draws the same
 * lanes non-blank.
 */
#include <cairo.h>

#include "gen_trace.h"
#include "render.h"

static cairo_surface_t *draw(const struct prof_model *m, const struct prof_viewport *vp)
{
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, vp->width, vp->height);
	cairo_t *cr = cairo_create(s);

	CHECK_OK(prof_render_draw(cr, m, vp));
	cairo_destroy(cr);
	cairo_surface_flush(s);
	return s;
}

static void pixel(cairo_surface_t *s, int x, int y, uint8_t rgb[3])
{
	const uint8_t *d = cairo_image_surface_get_data(s);
	uint32_t v;

	memcpy(&v, d + (size_t)y * (size_t)cairo_image_surface_get_stride(s) + 4 * (size_t)x, 4);
	rgb[0] = (uint8_t)(v >> 16);
	rgb[1] = (uint8_t)(v >> 8);
	rgb[2] = (uint8_t)v;
}

static int is_rgb(cairo_surface_t *s, int x, int y, const uint8_t want[3])
{
	uint8_t got[3];

	pixel(s, x, y, got);
	return !memcmp(got, want, 3);
}

/* Along row y, the pixels in @want's colour are exactly [x0, x1]. */
static void check_extent(cairo_surface_t *s, int y, const uint8_t want[3], int x0, int x1, const char *what)
{
	int lo = -1, hi = -1, w = cairo_image_surface_get_width(s);

	for (int x = 0; x < w; x++)
		if (is_rgb(s, x, y, want)) {
			if (lo < 0)
				lo = x;
			hi = x;
		}
	if (lo < x0 - 1 || lo > x0 + 1 || hi < x1 - 1 || hi > x1 + 1)
		CHECK_FAIL("%s at y %d: drawn over x [%d, %d], expected [%d, %d] (rgb %u,%u,%u)", what, y, lo, hi, x0, x1,
			   want[0], want[1], want[2]);
}

int main(void)
{
	char *tmp = test_tmpdir("viewer-render"), dir[512], text[512];
	struct prof_model m;
	struct prof_viewport vp;
	struct prof_error err;
	struct prof_model_ref ref;
	cairo_surface_t *s;
	uint8_t minor[3], major[3];
	int y, h;

	snprintf(dir, sizeof(dir), "%s/fixed", tmp);
	gen_fixed(dir);
	prof_model_init(&m);
	CHECK_OK(prof_model_load(&m, dir, NULL, NULL, &err));

	/* 1000 pixels for 10 ms: 100 pixels a millisecond. */
	memset(&vp, 0, sizeof(vp));
	vp.width = 1000;
	vp.height = prof_render_content_height(&m) + 10;
	vp.t0 = 0;
	vp.t1 = 10 * MS;
	s = draw(&m, &vp);
	prof_render_gc_rgb(PROF_GC_MINOR, minor);
	prof_render_gc_rgb(PROF_GC_MAJOR, major);
	prof_render_lane_y(&m, &vp, 0, &y, &h);
	/* gc.minor [2, 3] ms at depth 1 of lane 0; gc.major [7, 9] ms at depth 0. */
	check_extent(s, y + 14 + PROF_RENDER_ROW_H + 12, minor, 200, 299, "gc.minor");
	check_extent(s, y + 14 + 12, major, 700, 899, "gc.major");
	/* No GC colour on the other thread's lane. */
	prof_render_lane_y(&m, &vp, 1, &y, &h);
	for (int x = 0; x < vp.width; x++)
		for (int yy = y; yy < y + h; yy++)
			if (is_rgb(s, x, yy, minor) || is_rgb(s, x, yy, major))
				CHECK_FAIL("GC colour at (%d, %d) on lane 1, which has no GC span", x, yy);
	/* The counter lane's line is drawn (non-background pixels). */
	prof_render_lane_y(&m, &vp, 2, &y, &h);
	{
		int ink = 0;
		uint8_t bg[3] = { 247, 247, 247 }, white[3] = { 255, 255, 255 };

		for (int x = 200; x < 900; x++)
			for (int yy = y + 12; yy < y + h - 4; yy++)
				ink += !is_rgb(s, x, yy, bg) && !is_rgb(s, x, yy, white);
		CHECK_GT(ink, 100);
	}
	/* The hit test: the span under a pixel, and its tooltip. */
	prof_render_lane_y(&m, &vp, 0, &y, &h);
	CHECK_EQ(prof_render_hit(&m, &vp, 250, y + 14 + PROF_RENDER_ROW_H + 5, &ref), 1);
	prof_model_describe(&m, &ref, text, sizeof(text));
	CHECK(strstr(text, "gc.minor") == text);
	CHECK_EQ(prof_render_hit(&m, &vp, 20, y + 3, &ref), 2);
	CHECK_EQ_U(ref.lane, 0);
	cairo_surface_destroy(s);

	/* Zoomed into [2.5, 2.6] ms: the minor GC fills the row. */
	vp.t0 = 2 * MS + MS / 2;
	vp.t1 = vp.t0 + MS / 10;
	s = draw(&m, &vp);
	check_extent(s, y + 14 + PROF_RENDER_ROW_H + 12, minor, 0, 999, "gc.minor zoomed in");
	cairo_surface_destroy(s);

	/* Collapsed, the lane shows no span. */
	m.lanes[0]->collapsed = 1;
	vp.t0 = 0;
	vp.t1 = 10 * MS;
	vp.height = prof_render_content_height(&m) + 10;
	s = draw(&m, &vp);
	for (int x = 0; x < vp.width; x++)
		for (int yy = 0; yy < vp.height; yy++)
			if (is_rgb(s, x, yy, minor))
				CHECK_FAIL("gc.minor drawn at (%d, %d) with its lane collapsed", x, yy);
	cairo_surface_destroy(s);
	prof_model_free(&m);

	/* A trace with losses: a red marker at each loss, the loss line red. */
	snprintf(dir, sizeof(dir), "%s/loss", tmp);
	gen_bulk(dir, 300000, 2, 1, 5);
	prof_model_init(&m);
	CHECK_OK(prof_model_load(&m, dir, NULL, NULL, &err));
	CHECK_GT(m.stats.packets_lost, 0);
	CHECK_EQ(prof_render_loss_text(&m, text, sizeof(text)), 1);
	CHECK(strstr(text, "packets") != NULL);
	memset(&vp, 0, sizeof(vp));
	vp.width = 1200;
	vp.height = prof_render_content_height(&m) + 10;
	prof_render_fit(&m, &vp);
	s = draw(&m, &vp);
	{
		const struct prof_model_loss *l = &m.lanes[0]->losses[0];
		int x = (int)(((double)l->t - (double)vp.t0) * vp.width / (double)(vp.t1 - vp.t0));
		int found = 0;

		prof_render_lane_y(&m, &vp, 0, &y, &h);
		for (int dx = -1; dx <= 1; dx++) {
			uint8_t p[3];

			pixel(s, x + dx, y + h / 2, p);
			found += p[0] > 200 && p[1] < 30 && p[2] < 30;
		}
		if (!found)
			CHECK_FAIL("no loss marker at x %d, y %d (lane 0 at %d + %d, loss at %" PRIu64 ")", x, y + h / 2, y, h, l->t);
		/* The loss line (top 18 pixels) has red text. */
		found = 0;
		for (int xx = 0; xx < 600; xx++)
			for (int yy = 2; yy < 16; yy++) {
				uint8_t p[3];

				pixel(s, xx, yy, p);
				found += p[0] > 150 && p[1] < 80 && p[2] < 80;
			}
		CHECK_GT(found, 20);
		/* Zoomed out over 300000 events the lanes are drawn from the LOD, not blank. */
		for (size_t i = 0; i < m.nlanes; i++) {
			int ink = 0;
			uint8_t bg[3] = { 247, 247, 247 };

			prof_render_lane_y(&m, &vp, i, &y, &h);
			for (int xx = 200; xx < 1000; xx += 4)
				for (int yy = y + 14; yy < y + h; yy++)
					ink += !is_rgb(s, xx, yy, bg);
			if (ink < 100)
				CHECK_FAIL("lane %zu nearly blank zoomed out (%d pixels drawn)", i, ink);
		}
	}
	cairo_surface_destroy(s);
	prof_model_free(&m);
	rm_rf(tmp);
	free(tmp);
	printf("test_viewer_render: ok\n");
	return 0;
}
