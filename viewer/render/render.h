/* SPDX-License-Identifier: MIT */
/*
 * viewer/render/render.h - draw a model into a cairo context (cairo only,
 * no GTK): the window's drawing area and `mprof render` call the same
 * function, so a headless test on an image surface sees what the window
 * shows.
 *
 *   y = 0    +--------------------------------------------------------+
 *            | loss line: the trace's loss counts, always visible      |
 *   18       | time axis: ticks in real units from the trace's start   |
 *   40       +--------------------------------------------------------+
 *            | process / trace group header                           |
 *            |   lane: stream s tid t   rows of spans by depth, ticks  |
 *            |   conn lane: tcp conn c  ticks in bands: state/read/write|
 *            |   counter lane: a line plot with its own scale         |
 *            +--------------------------------------------------------+
 *
 * x = (t - vp->t0) * width / (vp->t1 - vp->t0) across the whole width;
 * lane labels are drawn over the lanes' left end.
 */
#ifndef PROF_VIEWER_RENDER_H
#define PROF_VIEWER_RENDER_H

#include <cairo.h>
#include <stdint.h>

#include "model.h"

#define PROF_RENDER_HEADER 40   /* loss line and time axis */
#define PROF_RENDER_GROUP_H 18  /* a trace's (process's) header */
#define PROF_RENDER_ROW_H 16    /* one span depth */
#define PROF_RENDER_TICK_H 12   /* the instants row */
#define PROF_RENDER_COUNTER_H 48
#define PROF_RENDER_COLLAPSED_H 14
#define PROF_RENDER_CONN_BAND_H 8 /* one band (state, reads, writes) of a connection lane */

struct prof_viewport {
	uint64_t t0, t1;           /* the visible time range, ns (t1 > t0) */
	int width, height;         /* pixels */
	int scroll_y;              /* pixels of lanes scrolled off the top */
	int has_selection;
	uint64_t sel_t0, sel_t1;   /* the selection range, ns */
	int has_highlight;
	struct prof_model_ref highlight; /* an item to outline (search, find-span) */
};

/**
 * prof_render_fit() - a viewport showing the whole trace.
 * @m: the model.
 * @vp: filled (time range, no scroll, no selection); width and height kept.
 */
void prof_render_fit(const struct prof_model *m, struct prof_viewport *vp);

/**
 * prof_render_draw() - draw @m as @vp sees it.
 * @cr: the cairo context (its target is @vp->width x @vp->height).
 * @m: the indexed model (prof_model_index()).
 * @vp: the viewport.
 *
 * Return: 0, or -EINVAL for an empty time range.
 */
int prof_render_draw(cairo_t *cr, const struct prof_model *m, const struct prof_viewport *vp);

/* What a frame did, for tests and the benchmark. */
struct prof_render_stats {
	uint64_t groups;  /* items and LOD summaries looked at, over every visible row */
	uint64_t fills;   /* cairo_fill()/cairo_stroke() calls for the lanes' contents */
};

/**
 * prof_render_draw_stats() - prof_render_draw(), counting its work.
 * @cr: the cairo context.
 * @m: the indexed model.
 * @vp: the viewport.
 * @st: receives what the frame did.
 *
 * A row's work is about its pixels, not its items: at most a few groups
 * (items or summaries) per pixel column and one fill per colour.
 *
 * Return: 0, or -EINVAL for an empty time range.
 */
int prof_render_draw_stats(cairo_t *cr, const struct prof_model *m, const struct prof_viewport *vp,
			   struct prof_render_stats *st);

/**
 * prof_render_lane_y() - where a lane is drawn.
 * @m: the model.
 * @vp: the viewport (its scroll).
 * @lane: the lane's index.
 * @y: receives its top (may be outside the picture).
 * @h: receives its height.
 */
void prof_render_lane_y(const struct prof_model *m, const struct prof_viewport *vp, size_t lane, int *y, int *h);

/** prof_render_content_height() - the height of every lane and header, in pixels. */
int prof_render_content_height(const struct prof_model *m);

/**
 * prof_render_hit() - the item under a pixel.
 * @m: the model.
 * @vp: the viewport.
 * @x: pixel column.
 * @y: pixel row.
 * @out: the item, if any.
 *
 * Return: 1 (an item: a span, an instant within 3 pixels, a counter
 * sample within 3 pixels), 0 (none), or 2 if @y is on a lane's label
 * (@out->lane says which lane; the window collapses it on a click).
 */
int prof_render_hit(const struct prof_model *m, const struct prof_viewport *vp, double x, double y,
		    struct prof_model_ref *out);

/**
 * prof_render_gc_rgb() - the colour of a GC span kind.
 * @kind: enum prof_gc_kind.
 * @rgb: receives red, green, blue in 0..255.
 */
void prof_render_gc_rgb(int kind, uint8_t rgb[3]);

/**
 * prof_render_conn_rgb() - the colour of a connection lane's band.
 * @cls: enum prof_conn_class.
 * @rgb: receives red, green, blue in 0..255.
 *
 * A connection lane (PROF_LANE_CONN) draws its instants as ticks in
 * PROF_CONN_CLASSES bands of PROF_RENDER_CONN_BAND_H pixels, 14 pixels
 * below the lane's top: state changes, reads, writes.
 */
void prof_render_conn_rgb(int cls, uint8_t rgb[3]);

/**
 * prof_render_format_ns() - a duration in the unit that suits it ("1.50 ms").
 * @ns: nanoseconds.
 * @buf: output.
 * @size: its size.
 */
void prof_render_format_ns(double ns, char *buf, size_t size);

/**
 * prof_render_loss_text() - the loss line: every loss count of the trace.
 * @m: the model.
 * @buf: output.
 * @size: its size.
 *
 * Return: 1 if anything was lost, else 0.
 */
int prof_render_loss_text(const struct prof_model *m, char *buf, size_t size);

#endif
