/* SPDX-License-Identifier: MIT */
/*
 * viewer/render/render.c - the picture: loss line, time axis, lanes.
 *
 * Every row is drawn through its LOD summaries (model.h): for a visible
 * range of n items over p pixels, level k with 2^k items about a pixel,
 * so one frame costs O(width) per row however many events the trace
 * holds.  A summary is drawn as one bar from its earliest start to its
 * latest end, in the colour of its longest item.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/gc.h"
#include "render.h"

/* One colour per GC kind (docs/VIEWER.md lists them). */
static const uint8_t gc_rgb[PROF_GC_KIND_COUNT][3] = {
	[PROF_GC_MINOR] = { 230, 159, 0 },        /* orange */
	[PROF_GC_MAJOR] = { 213, 94, 0 },         /* vermilion */
	[PROF_GC_MAJOR_SLICE] = { 204, 121, 167 },/* pink */
	[PROF_GC_COMPACT] = { 128, 0, 128 },      /* purple */
	[PROF_GC_MARK] = { 0, 158, 115 },         /* green */
	[PROF_GC_SWEEP] = { 86, 180, 233 },       /* sky blue */
	[PROF_GC_STOP_WORLD] = { 200, 30, 30 },   /* red */
	[PROF_GC_START_WORLD] = { 240, 228, 66 }, /* yellow */
	[PROF_GC_FINALISE] = { 120, 120, 120 },   /* grey */
};

void prof_render_gc_rgb(int kind, uint8_t rgb[3])
{
	if (kind < 0 || kind >= PROF_GC_KIND_COUNT)
		kind = PROF_GC_FINALISE;
	memcpy(rgb, gc_rgb[kind], 3);
}

/* A span's colour: its GC kind's, or a muted blue-green from its name. */
static void span_colour(const struct prof_model *m, uint32_t name, double *r, double *g, double *b)
{
	const struct prof_model_name *n = &m->names[name];
	uint32_t h = 2166136261u;

	if (n->gc_kind >= 0) {
		*r = gc_rgb[n->gc_kind][0] / 255.0;
		*g = gc_rgb[n->gc_kind][1] / 255.0;
		*b = gc_rgb[n->gc_kind][2] / 255.0;
		return;
	}
	for (const char *p = m->spans[n->span == PROF_MODEL_NONE ? 0 : n->span].name; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	/* Blues and teals only, so that no ordinary span looks like a GC kind. */
	*r = 0.25 + 0.15 * ((h >> 0) & 3) / 3.0;
	*g = 0.45 + 0.25 * ((h >> 2) & 7) / 7.0;
	*b = 0.70 + 0.25 * ((h >> 5) & 3) / 3.0;
}

void prof_render_format_ns(double ns, char *buf, size_t size)
{
	double a = fabs(ns);

	if (a >= 1e9)
		snprintf(buf, size, "%.3g s", ns / 1e9);
	else if (a >= 1e6)
		snprintf(buf, size, "%.3g ms", ns / 1e6);
	else if (a >= 1e3)
		snprintf(buf, size, "%.3g us", ns / 1e3);
	else
		snprintf(buf, size, "%.3g ns", ns);
}

int prof_render_loss_text(const struct prof_model *m, char *buf, size_t size)
{
	const struct prof_trace_stats *s = &m->stats;
	const struct prof_region_counts *c = &m->counts;
	int lost = s->events_discarded || s->packets_lost || s->invalid_packets || c->dropped_no_slot ||
		   c->refused_events || c->refused_invalid || c->schema_errors;

	size_t n = 0;

#define ADD(...)                                                                \
	do {                                                                    \
		int w_ = snprintf(buf + n, size - n, __VA_ARGS__);              \
		if (w_ > 0)                                                     \
			n += (size_t)w_ < size - n ? (size_t)w_ : size - n - 1; \
	} while (0)
	if (!size)
		return lost;
	buf[0] = '\0';
	/* The stream losses always; region-level counts when not zero. */
	ADD("%" PRIu64 " events | lost: %" PRIu64 " discarded, %" PRIu64 " packets, %" PRIu64 " invalid packets",
	    m->events, s->events_discarded, s->packets_lost, s->invalid_packets);
	if (c->dropped_no_slot)
		ADD(", %" PRIu64 " dropped (no slot)", c->dropped_no_slot);
	if (c->refused_events)
		ADD(", %" PRIu64 " event types refused", c->refused_events);
	if (c->refused_invalid)
		ADD(", %" PRIu64 " invalid definitions", c->refused_invalid);
	if (c->schema_errors)
		ADD(", %" PRIu64 " schema errors", c->schema_errors);
	if (s->incomplete)
		ADD(" | trace incomplete");
#undef ADD
	return lost || s->incomplete;
}

static int lane_height(const struct prof_model_lane *l)
{
	if (l->collapsed)
		return PROF_RENDER_COLLAPSED_H;
	if (l->kind == PROF_LANE_COUNTER)
		return PROF_RENDER_COUNTER_H;
	if (l->kind == PROF_LANE_CONN)
		return 14 + PROF_CONN_CLASSES * PROF_RENDER_CONN_BAND_H + 2;
	return 14 + (int)(l->nrows ? l->nrows : 0) * PROF_RENDER_ROW_H + PROF_RENDER_TICK_H + 2;
}

/* Calls out for each lane its top (content coordinates, before scrolling). */
static int layout(const struct prof_model *m, size_t want, int *y, int *h)
{
	int at = PROF_RENDER_HEADER;

	for (size_t i = 0; i < m->nlanes; i++) {
		if (i == 0 || m->lanes[i]->trace != m->lanes[i - 1]->trace)
			at += PROF_RENDER_GROUP_H;
		if (i == want) {
			*y = at;
			*h = lane_height(m->lanes[i]);
		}
		at += lane_height(m->lanes[i]) + 2;
	}
	return at;
}

void prof_render_lane_y(const struct prof_model *m, const struct prof_viewport *vp, size_t lane, int *y, int *h)
{
	*y = 0;
	*h = 0;
	layout(m, lane, y, h);
	*y -= vp->scroll_y;
}

int prof_render_content_height(const struct prof_model *m)
{
	int y, h;

	return layout(m, SIZE_MAX, &y, &h);
}

void prof_render_fit(const struct prof_model *m, struct prof_viewport *vp)
{
	uint64_t a = m->t_first, b = m->t_last;

	if (a == UINT64_MAX || b <= a) {
		a = a == UINT64_MAX ? 0 : a;
		b = a + 1000;
	}
	/* A margin of 1% on each side. */
	vp->t0 = a - (a < (b - a) / 100 ? a : (b - a) / 100);
	vp->t1 = b + (b - a) / 100 + 1;
	vp->scroll_y = 0;
	vp->has_selection = 0;
	vp->has_highlight = 0;
}

static double xof(const struct prof_viewport *vp, uint64_t t)
{
	return ((double)t - (double)vp->t0) * vp->width / (double)(vp->t1 - vp->t0);
}

/* The whole pixels [*ix0, *ix1) that [t0, t1] covers, at least one, clamped near the picture. */
static void pixels(const struct prof_viewport *vp, uint64_t t0, uint64_t t1, int *ix0, int *ix1)
{
	double x0 = xof(vp, t0), x1 = xof(vp, t1);

	*ix0 = (int)floor(x0 < -1 ? -1 : x0);
	*ix1 = (int)ceil(x1 > vp->width + 1 ? vp->width + 1 : x1);
	if (*ix1 <= *ix0)
		*ix1 = *ix0 + 1;
}

/*
 * The LOD level @k to draw @row's visible items with, and the groups of
 * that level (items at level 0) that hold them: [*g0, *g1].  Return: 0 if
 * nothing of the row is visible.
 */
static int visible_groups(const struct prof_model_row *row, const struct prof_viewport *vp, unsigned int *k,
			  size_t *g0, size_t *g1)
{
	size_t first, last;

	prof_model_row_range(row, vp->t0, vp->t1, &first, &last);
	if (first == last)
		return 0;
	*k = prof_model_lod_level(row, last - first, vp->width);
	*g0 = first >> *k;
	*g1 = (last - 1) >> *k;
	return 1;
}

/*
 * visible_groups(), and if the row has any, a saved cairo state with
 * antialiasing off for its boxes (the caller restores it).
 */
static int row_begin(cairo_t *cr, const struct prof_model_row *row, const struct prof_viewport *vp, unsigned int *k,
		     size_t *g0, size_t *g1)
{
	if (!visible_groups(row, vp, k, g0, g1))
		return 0;
	cairo_save(cr);
	cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
	return 1;
}

static uint64_t group_t0(const struct prof_model_row *row, unsigned int k, size_t g)
{
	return k ? row->levels[k - 1][g].t0 : prof_model_item_t0(row, g);
}

/* Where group @g of level @k ends (an open item: never). */
static uint64_t group_t1(const struct prof_model_row *row, unsigned int k, size_t g)
{
	if (k)
		return row->levels[k - 1][g].t1;
	return row->items[g].flags & PROF_ITEM_OPEN ? UINT64_MAX : prof_model_item_t1(row, g);
}

/*
 * The group to look at after @g, whose pixels are all drawn already (up
 * to pixel @px, excluded): the groups of a row are sorted and do not
 * overlap (each ends at or before the next one's start), so every group
 * that starts before t, the time at @px less a nanosecond, but the last of
 * them, ends before t: in pixels already drawn, it would be skipped too.
 * A galloping search from @g finds the first group starting at or after
 * t; the one before it may reach further, so it is next, unless it ends
 * before t too (then the one after it is).
 * This keeps a frame's work per row to about the pixels (times a log),
 * not the items, when many items share a pixel.  The gallop's first step
 * is half the groups a pixel left holds on average, so a pixel's groups
 * cost a step or two and a binary search among them.
 */
static size_t next_group(const struct prof_model_row *row, unsigned int k, size_t g, size_t g1,
			 const struct prof_viewport *vp, int px)
{
	double dt = floor((double)px * (double)(vp->t1 - vp->t0) / vp->width) - 1;
	uint64_t t = dt <= 0 ? vp->t0 : vp->t0 + (uint64_t)dt;
	size_t left = px < vp->width ? (size_t)(vp->width - px) : 1;
	size_t lo = g + 1, hi, step = g1 > g ? (g1 - g) / (2 * left) : 0;

	step = step ? step : 1;

	if (lo > g1 || group_t0(row, k, lo) >= t)
		return g + 1;
	/* group_t0(lo) < t: gallop until a group at or after t (or past g1). */
	while (lo + step <= g1 && group_t0(row, k, lo + step) < t) {
		lo += step;
		step *= 2;
	}
	hi = lo + step <= g1 ? lo + step : g1 + 1; /* group_t0(lo) < t <= group_t0(hi), or hi past g1 */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (group_t0(row, k, mid) < t)
			lo = mid;
		else
			hi = mid;
	}
	/* lo: the last group starting before t. */
	return group_t1(row, k, lo) < t ? lo + 1 : lo;
}

/* A run of adjacent bars of one colour. */
struct run {
	int active;
	uint32_t name;
	int x0, x1; /* pixels [x0, x1) */
};

/*
 * The runs of a row not filled yet: filled one colour at a time (one
 * cairo_fill() per colour instead of one per run), as rectangles that do
 * not overlap, so the order they are filled in does not show.
 */
#define BATCH_MAX 1024
#define BATCH_NAMES 16
struct batch {
	size_t n;
	struct run r[BATCH_MAX];
};

static int by_name(const void *a, const void *b)
{
	const struct run *x = a, *y = b;

	return x->name < y->name ? -1 : x->name > y->name;
}

static void fill_name(cairo_t *cr, const struct prof_model *m, uint32_t name, struct prof_render_stats *st)
{
	double r, g, b;

	span_colour(m, name, &r, &g, &b);
	cairo_set_source_rgb(cr, r, g, b);
	cairo_fill(cr);
	st->fills++;
}

static void batch_draw(cairo_t *cr, const struct prof_model *m, struct batch *bt, double y, double h,
		       struct prof_render_stats *st)
{
	uint32_t names[BATCH_NAMES];
	size_t nnames = 0;

	for (size_t i = 0; i < bt->n && nnames <= BATCH_NAMES; i++) {
		size_t j = 0;

		while (j < nnames && names[j] != bt->r[i].name)
			j++;
		if (j == nnames && nnames++ < BATCH_NAMES)
			names[j] = bt->r[i].name;
	}
	if (nnames <= BATCH_NAMES) {
		/* Few colours (the usual case): a pass over the runs per colour. */
		for (size_t j = 0; j < nnames; j++) {
			for (size_t i = 0; i < bt->n; i++)
				if (bt->r[i].name == names[j])
					cairo_rectangle(cr, bt->r[i].x0, y, bt->r[i].x1 - bt->r[i].x0, h);
			fill_name(cr, m, names[j], st);
		}
	} else {
		qsort(bt->r, bt->n, sizeof(bt->r[0]), by_name);
		for (size_t i = 0; i < bt->n; i++) {
			cairo_rectangle(cr, bt->r[i].x0, y, bt->r[i].x1 - bt->r[i].x0, h);
			if (i + 1 == bt->n || bt->r[i + 1].name != bt->r[i].name)
				fill_name(cr, m, bt->r[i].name, st);
		}
	}
	bt->n = 0;
}

/* End @run: its pixels not covered by the run before it join the batch. */
static void run_flush(cairo_t *cr, const struct prof_model *m, struct run *run, struct batch *bt, double y,
		      double h, struct prof_render_stats *st)
{
	struct run r = *run;

	if (!run->active)
		return;
	run->active = 0;
	if (bt->n && r.x0 < bt->r[bt->n - 1].x1)
		r.x0 = bt->r[bt->n - 1].x1;
	if (r.x1 <= r.x0)
		return;
	if (bt->n == BATCH_MAX)
		batch_draw(cr, m, bt, y, h, st);
	bt->r[bt->n++] = r;
}

/*
 * The row's visible items, through the LOD level that suits the pixels.
 * Bars are snapped to whole pixels (no antialiasing) and adjacent bars of
 * one colour are one rectangle, filled with the others of its colour; a
 * bar that falls entirely in pixels already drawn is skipped (with every
 * one after it that does too: next_group()), so a frame adds at most a
 * few rectangles per pixel column and a fill per colour.
 */
static void draw_span_row(cairo_t *cr, const struct prof_model *m, const struct prof_viewport *vp,
			  const struct prof_model_row *row, double y, double h, struct prof_render_stats *st)
{
	struct run run = { 0 };
	struct batch bt;
	size_t g0, g1;
	unsigned int k;

	if (!row_begin(cr, row, vp, &k, &g0, &g1))
		return;
	bt.n = 0;
	for (size_t g = g0, next; g <= g1; g = next) {
		uint64_t t0, t1;
		uint32_t name;
		double x0, x1;
		int open = 0, ix0, ix1;

		next = g + 1;
		st->groups++;
		if (k == 0) {
			const struct prof_model_item *it = &row->items[g];

			t0 = prof_model_item_t0(row, g);
			t1 = it->flags & PROF_ITEM_OPEN ? m->t_last : prof_model_item_t1(row, g);
			name = it->name;
			open = it->flags != 0;
		} else {
			const struct prof_model_summary *s = &row->levels[k - 1][g];

			t0 = s->t0;
			t1 = s->t1;
			name = s->longest.name;
		}
		pixels(vp, t0, t1, &ix0, &ix1);
		x0 = xof(vp, t0);
		x1 = xof(vp, t1);
		if (run.active && ix1 <= run.x1 && !open) {
			/* Its pixels are drawn already, and maybe those of many after it. */
			next = next_group(row, k, g, g1, vp, run.x1);
			continue;
		}
		if (run.active && run.name == name && ix0 <= run.x1) {
			run.x1 = ix1 > run.x1 ? ix1 : run.x1;
		} else {
			run_flush(cr, m, &run, &bt, y, h, st);
			run = (struct run){ 1, name, ix0, ix1 };
		}
		if (open) {
			/* Cut, unended or still running: a dark right edge, over the bars. */
			run_flush(cr, m, &run, &bt, y, h, st);
			batch_draw(cr, m, &bt, y, h, st);
			cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
			cairo_rectangle(cr, ix1 - 2, y, 2, h);
			cairo_fill(cr);
			st->fills++;
		}
		if (!open && next == g + 1)
			/* Drawn: skip at once what falls in its last pixel. */
			next = next_group(row, k, g, g1, vp, run.x1);
		if (k == 0 && x1 - x0 > 40) {
			const struct prof_model_name *n = &m->names[name];
			const char *label = n->span != PROF_MODEL_NONE ? m->spans[n->span].name : n->ev.name;

			run_flush(cr, m, &run, &bt, y, h, st);
			batch_draw(cr, m, &bt, y, h, st);
			cairo_save(cr);
			cairo_rectangle(cr, x0, y, x1 - x0, h);
			cairo_clip(cr);
			cairo_set_source_rgb(cr, 0, 0, 0);
			cairo_set_font_size(cr, 10);
			cairo_move_to(cr, (x0 < 0 ? 0 : x0) + 3, y + h - 4);
			cairo_show_text(cr, label);
			cairo_restore(cr);
		}
	}
	run_flush(cr, m, &run, &bt, y, h, st);
	batch_draw(cr, m, &bt, y, h, st);
	cairo_restore(cr);
}

static void draw_instants(cairo_t *cr, const struct prof_viewport *vp, const struct prof_model_row *row, double y,
			  double h, struct prof_render_stats *st)
{
	size_t g0, g1;
	unsigned int k;

	if (!row_begin(cr, row, vp, &k, &g0, &g1))
		return;
	cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
	{
		int rx0 = 0, rx1 = INT32_MIN;

		/* Ticks that touch are one rectangle. */
		for (size_t g = g0, next; g <= g1; g = next) {
			uint64_t t0 = group_t0(row, k, g);
			uint64_t t1 = k ? row->levels[k - 1][g].t1 : t0;
			int ix0, ix1;

			next = g + 1;
			st->groups++;
			pixels(vp, t0, t1, &ix0, &ix1);
			if (ix0 <= rx1) {
				if (ix1 <= rx1)
					next = next_group(row, k, g, g1, vp, rx1);
				rx1 = ix1 > rx1 ? ix1 : rx1;
				continue;
			}
			if (rx1 != INT32_MIN)
				cairo_rectangle(cr, rx0, y, rx1 - rx0, h);
			rx0 = ix0;
			rx1 = ix1;
		}
		if (rx1 != INT32_MIN)
			cairo_rectangle(cr, rx0, y, rx1 - rx0, h);
	}
	cairo_fill(cr);
	st->fills++;
	cairo_restore(cr);
}

/* One colour per band of a connection lane: state changes, reads, writes. */
static const uint8_t conn_rgb[PROF_CONN_CLASSES][3] = {
	{ 204, 115, 13 }, /* state: orange */
	{ 26, 140, 51 },  /* reads: green */
	{ 38, 77, 204 },  /* writes: blue */
};

void prof_render_conn_rgb(int cls, uint8_t rgb[3])
{
	if (cls < 0 || cls >= PROF_CONN_CLASSES)
		cls = PROF_CONN_STATE;
	memcpy(rgb, conn_rgb[cls], 3);
}

/*
 * A connection lane's instants: a tick in the band of its class (state
 * changes on top, reads, writes), in the band's colour.  Through a LOD
 * level a group is drawn in the band of its summary's name (one of its
 * items'), so a frame still touches at most a few groups per pixel.
 */
static void draw_conn_instants(cairo_t *cr, const struct prof_model *m, const struct prof_viewport *vp,
			       const struct prof_model_row *row, double y, struct prof_render_stats *st)
{
	size_t g0, g1;
	unsigned int k;

	if (!row_begin(cr, row, vp, &k, &g0, &g1))
		return;
	/* A pass per band, its ticks filled at once. */
	for (int c = 0; c < PROF_CONN_CLASSES; c++) {
		uint32_t cached_name = PROF_MODEL_NONE;
		int cls = 0, last_x1 = INT32_MIN, n = 0;

		for (size_t g = g0; g <= g1; g++) {
			uint64_t t0 = group_t0(row, k, g);
			uint64_t t1 = k ? row->levels[k - 1][g].t1 : t0;
			uint32_t name = k ? row->levels[k - 1][g].longest.name : row->items[g].name;
			int ix0, ix1;

			st->groups++;
			if (name != cached_name) {
				cached_name = name;
				cls = (int)prof_model_conn_class(m->names[name].ev.name);
			}
			if (cls != c)
				continue;
			pixels(vp, t0, t1, &ix0, &ix1);
			if (ix1 <= last_x1)
				continue; /* its pixels in this band are drawn already */
			if (ix0 < last_x1)
				ix0 = last_x1;
			last_x1 = ix1;
			cairo_rectangle(cr, ix0, y + c * PROF_RENDER_CONN_BAND_H, ix1 - ix0, PROF_RENDER_CONN_BAND_H - 1);
			n++;
		}
		if (n) {
			cairo_set_source_rgb(cr, conn_rgb[c][0] / 255.0, conn_rgb[c][1] / 255.0, conn_rgb[c][2] / 255.0);
			cairo_fill(cr);
			st->fills++;
		}
	}
	cairo_restore(cr);
}

/*
 * One pixel column of a counter's line, as boxes (filled at once, without
 * antialiasing: far cheaper than stroking a path): a step from the last
 * column's value held to this column, then a bar through this column's
 * values, from the one held to its lowest and highest.
 */
struct counter_line {
	int started;
	double x, held;      /* the last column's x and last value */
	double top, ph, vmin, span;
};

static double counter_y(const struct counter_line *cl, double v)
{
	return cl->top + cl->ph - (v - cl->vmin) / cl->span * cl->ph;
}

static void counter_column(cairo_t *cr, struct counter_line *cl, double x, double lo, double hi, double last)
{
	double a = lo, b = hi, y0, y1;

	x = floor(x);
	if (cl->started) {
		if (x > cl->x + 1)
			cairo_rectangle(cr, cl->x, floor(counter_y(cl, cl->held)) - 1, x - cl->x, 2);
		a = cl->held < a ? cl->held : a;
		b = cl->held > b ? cl->held : b;
	}
	y0 = floor(counter_y(cl, b)) - 1;
	y1 = ceil(counter_y(cl, a)) + 1;
	cairo_rectangle(cr, x, y0, 2, y1 - y0 < 2 ? 2 : y1 - y0);
	cl->started = 1;
	cl->x = x;
	cl->held = last;
}

static void draw_counter(cairo_t *cr, const struct prof_model *m, const struct prof_viewport *vp,
			 const struct prof_model_lane *l, double y, double h, struct prof_render_stats *st)
{
	const struct prof_model_row *row = &l->instants;
	double span = l->vmax - l->vmin, top = y + 12, ph = h - 16;
	size_t first, last;
	unsigned int k;
	char buf[64];

	if (span <= 0)
		span = 1;
	/* Its own scale: the range of its values, written at the left. */
	cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
	cairo_set_font_size(cr, 9);
	snprintf(buf, sizeof(buf), "max %.6g", l->vmax);
	cairo_move_to(cr, vp->width - 120, y + 10);
	cairo_show_text(cr, buf);
	snprintf(buf, sizeof(buf), "min %.6g", l->vmin);
	cairo_move_to(cr, vp->width - 120, y + h - 2);
	cairo_show_text(cr, buf);
	prof_model_row_range(row, vp->t0, vp->t1, &first, &last);
	if (first > 0)
		first--; /* the line comes in from the left */
	if (last < row->n)
		last++;
	if (first == last)
		return;
	k = prof_model_lod_level(row, last - first, vp->width);
	cairo_save(cr);
	cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
	cairo_set_source_rgb(cr, 0.1, 0.3, 0.8);
	/*
	 * Groups (or samples) that fall in one pixel column are one bar through
	 * their range: at most two boxes per column whatever the samples per
	 * pixel, filled at once.
	 */
	{
		struct counter_line cl = { .top = top, .ph = ph, .vmin = l->vmin, .span = span };
		double clo = 0, chi = 0, clast = 0, cx = 0;
		long col = LONG_MIN;

		for (size_t g = first >> k; g <= (last - 1) >> k; g++) {
			double lo, hi, x;
			long c;

			st->groups++;
			if (k) {
				const struct prof_model_summary *s = &row->levels[k - 1][g];

				lo = s->value.min;
				hi = s->value.max;
				x = xof(vp, s->t0);
			} else {
				lo = hi = prof_model_item_value(m, row, g);
				x = xof(vp, prof_model_item_t0(row, g));
			}
			x = x < -2 ? -2 : x > vp->width + 2 ? vp->width + 2 : x;
			c = (long)floor(x);
			if (c == col) {
				clo = lo < clo ? lo : clo;
				chi = hi > chi ? hi : chi;
				clast = hi;
				continue;
			}
			if (col != LONG_MIN)
				counter_column(cr, &cl, cx, clo, chi, clast);
			col = c;
			cx = x;
			clo = lo;
			chi = clast = hi;
		}
		if (col != LONG_MIN)
			counter_column(cr, &cl, cx, clo, chi, clast);
	}
	cairo_fill(cr);
	cairo_restore(cr);
	st->fills++;
}

static void draw_axis(cairo_t *cr, const struct prof_model *m, const struct prof_viewport *vp)
{
	double range = (double)(vp->t1 - vp->t0), step = 1, origin = m->t_first == UINT64_MAX ? 0 : (double)m->t_first;
	char buf[48];

	/* A step of 1, 2 or 5 times a power of ten, about 120 pixels apart. */
	while (step * vp->width / range < 120) {
		if (step * 2 * vp->width / range >= 120)
			step *= 2;
		else if (step * 5 * vp->width / range >= 120)
			step *= 5;
		else
			step *= 10;
	}
	cairo_set_source_rgb(cr, 0.95, 0.95, 0.95);
	cairo_rectangle(cr, 0, 18, vp->width, PROF_RENDER_HEADER - 18);
	cairo_fill(cr);
	cairo_set_font_size(cr, 10);
	for (double t = ceil(((double)vp->t0 - origin) / step) * step; t + origin <= (double)vp->t1; t += step) {
		double x = ((t + origin) - (double)vp->t0) * vp->width / range;

		cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
		cairo_rectangle(cr, floor(x), PROF_RENDER_HEADER, 1, vp->height - PROF_RENDER_HEADER);
		cairo_fill(cr);
		cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
		cairo_rectangle(cr, floor(x), PROF_RENDER_HEADER - 8, 1, 8);
		cairo_fill(cr);
		prof_render_format_ns(t, buf, sizeof(buf));
		cairo_move_to(cr, x + 3, PROF_RENDER_HEADER - 8);
		cairo_show_text(cr, t > 0 ? buf : "0");
	}
}

int prof_render_draw(cairo_t *cr, const struct prof_model *m, const struct prof_viewport *vp)
{
	struct prof_render_stats st;

	return prof_render_draw_stats(cr, m, vp, &st);
}

int prof_render_draw_stats(cairo_t *cr, const struct prof_model *m, const struct prof_viewport *vp,
			   struct prof_render_stats *st)
{
	char buf[512];
	int y = PROF_RENDER_HEADER - vp->scroll_y;

	memset(st, 0, sizeof(*st));
	if (vp->t1 <= vp->t0 || vp->width <= 0 || vp->height <= 0)
		return -EINVAL;
	cairo_save(cr);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
	draw_axis(cr, m, vp);

	cairo_save(cr);
	cairo_rectangle(cr, 0, PROF_RENDER_HEADER, vp->width, vp->height - PROF_RENDER_HEADER);
	cairo_clip(cr);
	for (size_t i = 0; i < m->nlanes; i++) {
		const struct prof_model_lane *l = m->lanes[i];
		int h = lane_height(l);

		if (i == 0 || l->trace != m->lanes[i - 1]->trace) {
			if (y + PROF_RENDER_GROUP_H > PROF_RENDER_HEADER && y < vp->height) {
				cairo_set_source_rgb(cr, 0.88, 0.90, 0.95);
				cairo_rectangle(cr, 0, y, vp->width, PROF_RENDER_GROUP_H);
				cairo_fill(cr);
				cairo_set_source_rgb(cr, 0, 0, 0);
				cairo_set_font_size(cr, 11);
				if (m->ntraces > 1 || !m->origin[0])
					snprintf(buf, sizeof(buf), "trace %" PRIu32, l->trace);
				else
					snprintf(buf, sizeof(buf), "%s", m->origin);
				cairo_move_to(cr, 4, y + 13);
				cairo_show_text(cr, buf);
			}
			y += PROF_RENDER_GROUP_H;
		}
		if (y + h > PROF_RENDER_HEADER && y < vp->height) {
			cairo_set_source_rgb(cr, 0.97, 0.97, 0.97);
			cairo_rectangle(cr, 0, y, vp->width, h);
			cairo_fill(cr);
			if (!l->collapsed) {
				if (l->kind == PROF_LANE_COUNTER) {
					draw_counter(cr, m, vp, l, y, h, st);
				} else if (l->kind == PROF_LANE_CONN) {
					draw_conn_instants(cr, m, vp, &l->instants, y + 14, st);
				} else {
					for (size_t r = 0; r < l->nrows; r++)
						draw_span_row(cr, m, vp, &l->rows[r], y + 14 + (double)r * PROF_RENDER_ROW_H,
							      PROF_RENDER_ROW_H - 2, st);
					draw_instants(cr, vp, &l->instants,
						      y + 14 + (double)l->nrows * PROF_RENDER_ROW_H, PROF_RENDER_TICK_H - 2, st);
				}
			}
			/* Loss markers: a red line across the lane and a triangle on top. */
			for (size_t j = 0; j < l->nlosses; j++) {
				double x = xof(vp, l->losses[j].t);

				if (x < -4 || x > vp->width + 4)
					continue;
				cairo_set_source_rgb(cr, 0.9, 0, 0);
				cairo_rectangle(cr, x - 1, y, 2, h);
				cairo_fill(cr);
				cairo_move_to(cr, x - 5, y);
				cairo_line_to(cr, x + 5, y);
				cairo_line_to(cr, x, y + 7);
				cairo_close_path(cr);
				cairo_fill(cr);
			}
			cairo_set_source_rgba(cr, 1, 1, 1, 0.75);
			cairo_set_font_size(cr, 10);
			snprintf(buf, sizeof(buf), "%s %s%s", l->collapsed ? "+" : "-", l->label,
				 l->nlosses ? "  (lost events)" : "");
			{
				cairo_text_extents_t ext;

				cairo_text_extents(cr, buf, &ext);
				cairo_rectangle(cr, 0, y, ext.x_advance + 8, 12);
				cairo_fill(cr);
			}
			cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
			cairo_move_to(cr, 3, y + 10);
			cairo_show_text(cr, buf);
		}
		y += h + 2;
	}
	if (vp->has_highlight && vp->highlight.lane < m->nlanes) {
		const struct prof_model_row *hrow = prof_model_row_of(m, &vp->highlight);
		int ly, lh;
		double x0 = xof(vp, prof_model_item_t0(hrow, vp->highlight.index));
		double x1 = xof(vp, prof_model_item_t1(hrow, vp->highlight.index));

		prof_render_lane_y(m, vp, vp->highlight.lane, &ly, &lh);
		cairo_set_source_rgb(cr, 0, 0, 0);
		cairo_set_line_width(cr, 2);
		cairo_rectangle(cr, x0 - 2, ly, (x1 - x0 < 1 ? 1 : x1 - x0) + 4, lh);
		cairo_stroke(cr);
	}
	if (vp->has_selection) {
		double x0 = xof(vp, vp->sel_t0), x1 = xof(vp, vp->sel_t1);

		cairo_set_source_rgba(cr, 0.2, 0.4, 1, 0.18);
		cairo_rectangle(cr, x0, PROF_RENDER_HEADER, x1 - x0, vp->height - PROF_RENDER_HEADER);
		cairo_fill(cr);
	}
	cairo_restore(cr);

	/* The loss line, always at the top: red when anything was lost. */
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_rectangle(cr, 0, 0, vp->width, 18);
	cairo_fill(cr);
	if (prof_render_loss_text(m, buf, sizeof(buf)))
		cairo_set_source_rgb(cr, 0.8, 0, 0);
	else
		cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
	cairo_set_font_size(cr, 11);
	cairo_move_to(cr, 4, 13);
	cairo_show_text(cr, buf);
	cairo_restore(cr);
	return 0;
}

int prof_render_hit(const struct prof_model *m, const struct prof_viewport *vp, double x, double y,
		    struct prof_model_ref *out)
{
	double range = (double)(vp->t1 - vp->t0);
	double tt = (double)vp->t0 + x * range / vp->width, slop = 3 * range / vp->width;
	uint64_t t = tt < 0 ? 0 : (uint64_t)tt, lo = tt - slop < 0 ? 0 : (uint64_t)(tt - slop),
		 hi = (uint64_t)(tt + slop);

	for (size_t i = 0; i < m->nlanes; i++) {
		const struct prof_model_lane *l = m->lanes[i];
		const struct prof_model_row *row;
		size_t first, last;
		int ly, lh, r;

		prof_render_lane_y(m, vp, i, &ly, &lh);
		if (y < ly || y >= ly + lh)
			continue;
		out->lane = (uint32_t)i;
		if (y < ly + 12 && x < 160)
			return 2;
		if (l->collapsed)
			return 0;
		if (l->kind == PROF_LANE_COUNTER) {
			row = &l->instants;
			r = -1;
		} else {
			r = (int)floor((y - ly - 14) / PROF_RENDER_ROW_H);
			if (r < 0)
				return 0;
			if ((size_t)r >= l->nrows) {
				r = -1;
				row = &l->instants;
			} else {
				row = &l->rows[r];
			}
		}
		out->row = r < 0 ? PROF_MODEL_NONE : (uint32_t)r;
		if (r >= 0) {
			prof_model_row_range(row, t, t, &first, &last);
			for (size_t j = first; j < last; j++) {
				const struct prof_model_item *it = &row->items[j];

				if (prof_model_item_t0(row, j) <= t &&
				    (prof_model_item_t1(row, j) >= t || (it->flags & PROF_ITEM_OPEN))) {
					out->index = j;
					return 1;
				}
			}
			return 0;
		}
		/* Points: the nearest within 3 pixels. */
		prof_model_row_range(row, lo, hi, &first, &last);
		if (first == last)
			return 0;
		{
			size_t best = first;

			for (size_t j = first; j < last; j++)
				if (fabs((double)prof_model_item_t0(row, j) - tt) < fabs((double)prof_model_item_t0(row, best) - tt))
					best = j;
			out->index = best;
		}
		return 1;
	}
	return 0;
}
