/* SPDX-License-Identifier: MIT */
/*
 * gen_viewer_png - look at a PNG for the viewer's test scripts:
 *   gen_viewer_png extent PNG Y R G B   the first and last x of colour
 *                                       (R, G, B) along row Y ("-1 -1": none)
 *   gen_viewer_png ink PNG X0 Y0 X1 Y1  how many pixels of the rectangle
 *                                       are neither white nor the lane grey
 *   gen_viewer_png size PNG             "W H"
 */
#include <cairo.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t px(cairo_surface_t *s, int x, int y)
{
	const unsigned char *d = cairo_image_surface_get_data(s);
	uint32_t v;

	memcpy(&v, d + (size_t)y * (size_t)cairo_image_surface_get_stride(s) + 4 * (size_t)x, 4);
	return v & 0xffffff;
}

int main(int argc, char **argv)
{
	cairo_surface_t *s;
	int w, h;

	if (argc < 3) {
		fprintf(stderr, "usage: gen_viewer_png extent|ink|size PNG ...\n");
		return 2;
	}
	s = cairo_image_surface_create_from_png(argv[2]);
	if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
		fprintf(stderr, "gen_viewer_png: %s: %s\n", argv[2], cairo_status_to_string(cairo_surface_status(s)));
		return 1;
	}
	cairo_surface_flush(s);
	w = cairo_image_surface_get_width(s);
	h = cairo_image_surface_get_height(s);
	if (!strcmp(argv[1], "size")) {
		printf("%d %d\n", w, h);
	} else if (!strcmp(argv[1], "extent") && argc == 7) {
		int y = atoi(argv[3]), lo = -1, hi = -1;
		uint32_t want = (uint32_t)(atoi(argv[4]) << 16 | atoi(argv[5]) << 8 | atoi(argv[6]));

		for (int x = 0; y >= 0 && y < h && x < w; x++)
			if (px(s, x, y) == want) {
				if (lo < 0)
					lo = x;
				hi = x;
			}
		printf("%d %d\n", lo, hi);
	} else if (!strcmp(argv[1], "ink") && argc == 7) {
		int x0 = atoi(argv[3]), y0 = atoi(argv[4]), x1 = atoi(argv[5]), y1 = atoi(argv[6]), n = 0;

		for (int y = y0 < 0 ? 0 : y0; y < y1 && y < h; y++)
			for (int x = x0 < 0 ? 0 : x0; x < x1 && x < w; x++)
				n += px(s, x, y) != 0xffffff && px(s, x, y) != 0xf7f7f7;
		printf("%d\n", n);
	} else {
		fprintf(stderr, "gen_viewer_png: bad arguments\n");
		return 2;
	}
	cairo_surface_destroy(s);
	return 0;
}
