/* SPDX-License-Identifier: MIT */
/*
 * viewer/ui/app.c - mprof-view (`mprof view`): the GTK 3 window.
 *
 *   +-- toolbar: Fit | Zoom to selection | search [ ] < > | span [v] | Follow end
 *   +-- timeline (GtkDrawingArea, prof_render_draw) | side panel: selection
 *   |   + vertical scrollbar                        | statistics, find-span
 *   |                                               | histogram, instances
 *   +-- progress bar and status line
 *
 * Threads.  A loader thread reads the trace through the trace source into
 * the model (viewer/model); the UI thread only draws and answers input.
 * The model is shared under `lock`: the loader holds it while it adds a
 * batch of events and indexes them, the UI while it draws or queries, so
 * drawing never waits on reading the file, only on one batch (at most
 * 4096 events).  The loader tells the UI through g_idle_add() (progress,
 * new events, the end or an error); the events count it publishes is an
 * atomic with release/acquire ordering for the progress bar.
 *
 * Scripted input (--script FILE, for the tests under Xvfb): one command a
 * line, run after loading ends: scroll X Y up|down, drag X0 Y0 X1 Y1,
 * key NAME, select T0 T1 (ns), search REGEX, next, prev, find SPAN,
 * print-viewport, print-selection, wait-events N, screenshot FILE, quit.
 * Input commands are delivered as GDK events to the timeline's handlers.
 */
#include <errno.h>
#include <gtk/gtk.h>
#include <inttypes.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "mprof_source.h"
#include "render.h"

#define HIST_BINS 24

struct app {
	GtkWidget *win, *area, *vscroll, *progress, *status, *side, *search, *span_combo, *hist_area, *follow;
	GtkAdjustment *vadj;
	GMutex lock;                 /* guards model (see the opening comment) */
	struct prof_model model;
	struct prof_viewport vp;
	char *path;
	int live;
	atomic_uint_fast64_t events; /* loader's count, for the progress bar */
	atomic_int stop;             /* the window closes: the loader ends (relaxed: it only stops a loop;
	                              * g_thread_join() orders what follows) */
	int loaded;                  /* UI thread only */
	int failed;                  /* under lock: the loader could not read the trace */
	char error[700];             /* under lock: its message */
	GThread *loader;
	/* Input state. */
	int dragging, selecting;
	double drag_x, drag_y, press_x;
	uint64_t drag_t0;
	int drag_scroll;
	/* Search and find-span. */
	int has_found;
	struct prof_model_ref found;
	uint32_t span;
	size_t *inst, ninst, inst_at;
	uint64_t hist[HIST_BINS], hist_lo, hist_hi;
	/* Script. */
	char **script;
	size_t script_n, script_at;
	unsigned int view_gen, drawn_gen;
	int exit_status;
	uint64_t ui_events;          /* events when the UI last took the loader's news */
};

static void set_status(struct app *a, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void set_status(struct app *a, const char *fmt, ...)
{
	va_list ap;
	char buf[512];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	gtk_label_set_text(GTK_LABEL(a->status), buf);
}

static void redraw(struct app *a)
{
	a->view_gen++;
	gtk_widget_queue_draw(a->area);
}

/* ---- The loader thread ---- */

struct loaded_msg {
	struct app *a;
	int done;
};

static gboolean on_loader_news(gpointer data);

static int load_progress(void *arg, uint64_t events)
{
	struct app *a = arg;

	/* Pairs with the acquire load in on_progress_tick(). */
	atomic_store_explicit(&a->events, events, memory_order_release);
	return atomic_load_explicit(&a->stop, memory_order_relaxed);
}

static void post(struct app *a, int done)
{
	struct loaded_msg *msg = g_new0(struct loaded_msg, 1);

	msg->a = a;
	msg->done = done;
	g_idle_add(on_loader_news, msg);
}

/* A finished trace: loaded into a private model, then swapped in. */
static void load_whole(struct app *a)
{
	struct prof_model m;
	struct prof_error err;
	int ret;

	prof_model_init(&m);
	memset(&err, 0, sizeof(err));
	ret = prof_model_load(&m, a->path, load_progress, a, &err);
	g_mutex_lock(&a->lock);
	if (ret) {
		char msg[600];

		prof_error_format(&err, msg, sizeof(msg));
		snprintf(a->error, sizeof(a->error), "Cannot open the trace:\n%s", msg);
		a->failed = 1;
		prof_model_free(&m);
	} else {
		prof_model_free(&a->model);
		a->model = m;
	}
	g_mutex_unlock(&a->lock);
}

/* A trace being written: events are added in batches as they arrive. */
static void load_live(struct app *a)
{
	struct mprof_source *s = NULL;
	struct prof_decoded_event ev;
	struct prof_trace_stats st;
	struct prof_error err;
	int ret = 0;

	memset(&err, 0, sizeof(err));
	ret = mprof_source_open(&s, a->path, MPROF_SOURCE_FOLLOW, &err);
	if (ret) {
		char msg[600];

		prof_error_format(&err, msg, sizeof(msg));
		g_mutex_lock(&a->lock);
		snprintf(a->error, sizeof(a->error), "Cannot follow the trace:\n%s", msg);
		a->failed = 1;
		g_mutex_unlock(&a->lock);
		return;
	}
	while (!atomic_load_explicit(&a->stop, memory_order_relaxed)) {
		int n = 0;

		g_mutex_lock(&a->lock);
		while (n < 4096 && (ret = mprof_source_next(s, &ev)) == 1) {
			if (prof_model_add(&a->model, &ev) == 0)
				n++;
		}
		mprof_source_stats(s, &st);
		prof_model_set_source_info(&a->model, mprof_source_desc(s), &st);
		prof_model_index(&a->model);
		/* Pairs with the acquire load in on_progress_tick(). */
		atomic_store_explicit(&a->events, a->model.events, memory_order_release);
		g_mutex_unlock(&a->lock);
		if (n)
			post(a, 0);
		if (ret == 0 || (ret < 0 && ret != -EAGAIN))
			break;
		if (ret == -EAGAIN)
			g_usleep(50000); /* follow mode has no notification: poll */
	}
	if (ret < 0 && ret != -EAGAIN) {
		const struct prof_error *e = mprof_source_error(s);
		char msg[600];

		g_mutex_lock(&a->lock);
		if (e)
			prof_error_format(e, msg, sizeof(msg));
		else
			snprintf(msg, sizeof(msg), "%s: %s", a->path, prof_strerror(ret));
		snprintf(a->error, sizeof(a->error), "The trace cannot be read further:\n%s", msg);
		a->failed = 1;
		g_mutex_unlock(&a->lock);
	}
	mprof_source_close(s);
}

static gpointer loader_main(gpointer data)
{
	struct app *a = data;

	if (a->live)
		load_live(a);
	else
		load_whole(a);
	post(a, 1);
	return NULL;
}

/* ---- Side panel ---- */

static void update_selection_panel(struct app *a)
{
	struct prof_analysis *an = NULL;
	GString *s = g_string_new(NULL);
	char d[32];

	if (!a->vp.has_selection) {
		g_string_append(s, "No selection.\nShift+drag (or right-drag) to select a time range.");
	} else if (prof_model_select(&a->model, a->vp.sel_t0, a->vp.sel_t1, &an) == 0) {
		prof_render_format_ns((double)(a->vp.sel_t1 - a->vp.sel_t0), d, sizeof(d));
		g_string_append_printf(s, "Selection: %s\n\n", d);
		g_string_append(s, "span            count   total    mean     p50      p99      max\n");
		for (size_t i = 0; i < prof_analysis_span_count(an); i++) {
			struct prof_span_stats *sp = prof_analysis_span(an, i);
			char tot[32], mean[32], p50[32], p99[32], mx[32];

			if (!sp->count)
				continue;
			prof_render_format_ns((double)sp->total_ns, tot, sizeof(tot));
			prof_render_format_ns((double)sp->total_ns / (double)sp->count, mean, sizeof(mean));
			prof_render_format_ns((double)prof_span_percentile(sp, 0.5), p50, sizeof(p50));
			prof_render_format_ns((double)prof_span_percentile(sp, 0.99), p99, sizeof(p99));
			prof_render_format_ns((double)prof_span_max(sp), mx, sizeof(mx));
			g_string_append_printf(s, "%-15.15s %5" PRIu64 " %-8s %-8s %-8s %-8s %s\n", sp->name, sp->count, tot,
					       mean, p50, p99, mx);
		}
		g_string_append(s, "\nevent           count\n");
		for (size_t i = 0; i < prof_analysis_event_count(an); i++) {
			const struct prof_event_stats *ev = prof_analysis_event(an, i);

			g_string_append_printf(s, "%-15.15s %5" PRIu64 "\n", ev->name, ev->count);
		}
		prof_analysis_free(an);
	} else {
		g_string_append(s, "Out of memory computing the selection.");
	}
	gtk_label_set_text(GTK_LABEL(a->side), s->str);
	g_string_free(s, TRUE);
}

static void fill_span_combo(struct app *a)
{
	gtk_combo_box_text_remove_all(GTK_COMBO_BOX_TEXT(a->span_combo));
	for (size_t i = 0; i < a->model.nspans; i++)
		gtk_combo_box_text_append(GTK_COMBO_BOX_TEXT(a->span_combo), NULL, a->model.spans[i].name);
}

/* ---- Viewport changes ---- */

static void clamp_scroll(struct app *a)
{
	int content = prof_render_content_height(&a->model), h = a->vp.height;

	if (a->vp.scroll_y > content - h / 2)
		a->vp.scroll_y = content - h / 2;
	if (a->vp.scroll_y < 0)
		a->vp.scroll_y = 0;
	gtk_adjustment_configure(a->vadj, a->vp.scroll_y, 0, content > 0 ? content : 1, 16, h > 0 ? h : 1,
				 h > 0 ? h : 1);
}

static void zoom_at(struct app *a, double x, double factor)
{
	double range = (double)(a->vp.t1 - a->vp.t0), t = (double)a->vp.t0 + x / a->vp.width * range;
	double nr = range * factor;

	if (nr < 100)
		nr = 100; /* 100 ns across the window at most */
	if (nr > 1e18)
		nr = 1e18;
	a->vp.t0 = t - x / a->vp.width * nr < 0 ? 0 : (uint64_t)(t - x / a->vp.width * nr);
	a->vp.t1 = a->vp.t0 + (uint64_t)nr;
	redraw(a);
}

static void pan_by(struct app *a, double dx)
{
	double range = (double)(a->vp.t1 - a->vp.t0), dt = dx / a->vp.width * range;

	if (dt < 0 && -dt > (double)a->vp.t0)
		dt = -(double)a->vp.t0;
	a->vp.t0 = (uint64_t)((double)a->vp.t0 + dt);
	a->vp.t1 = a->vp.t0 + (uint64_t)range;
	redraw(a);
}

static void fit_all(struct app *a)
{
	int sel = a->vp.has_selection;
	uint64_t s0 = a->vp.sel_t0, s1 = a->vp.sel_t1;

	prof_render_fit(&a->model, &a->vp);
	a->vp.has_selection = sel;
	a->vp.sel_t0 = s0;
	a->vp.sel_t1 = s1;
	clamp_scroll(a);
	redraw(a);
}

static void zoom_selection(struct app *a)
{
	if (!a->vp.has_selection || a->vp.sel_t1 <= a->vp.sel_t0)
		return;
	a->vp.t0 = a->vp.sel_t0;
	a->vp.t1 = a->vp.sel_t1;
	redraw(a);
}

/* Centre @ref in the view (zooming so it takes a third of the width) and outline it. */
static void show_item(struct app *a, const struct prof_model_ref *ref)
{
	const struct prof_model_row *row = prof_model_row_of(&a->model, ref);
	uint64_t t0 = prof_model_item_t0(row, ref->index), t1 = prof_model_item_t1(row, ref->index);
	uint64_t d = t1 > t0 ? t1 - t0 : 1000, mid = t0 + (t1 - t0) / 2;
	int y, h;

	a->vp.t0 = mid > 3 * d / 2 ? mid - 3 * d / 2 : 0;
	a->vp.t1 = mid + 3 * d / 2;
	a->vp.has_highlight = 1;
	a->vp.highlight = *ref;
	prof_render_lane_y(&a->model, &a->vp, ref->lane, &y, &h);
	if (y < PROF_RENDER_HEADER || y + h > a->vp.height) {
		a->vp.scroll_y += y - PROF_RENDER_HEADER - 20;
		clamp_scroll(a);
	}
	redraw(a);
}

static void search_step(struct app *a, int backward)
{
	const char *re = gtk_entry_get_text(GTK_ENTRY(a->search));
	struct prof_model_ref ref;
	struct prof_error err;
	int r;

	if (!re[0])
		return;
	r = prof_model_search(&a->model, re, a->has_found ? &a->found : NULL, backward, &ref, &err);
	if (r < 0) {
		set_status(a, "search: %s", err.text);
	} else if (r == 0) {
		set_status(a, "search: no %s match for '%s'", backward ? "earlier" : "later", re);
	} else {
		char text[256];

		a->found = ref;
		a->has_found = 1;
		prof_model_describe(&a->model, &ref, text, sizeof(text));
		for (char *p = text; *p; p++)
			if (*p == '\n')
				*p = ' ';
		set_status(a, "found: %s", text);
		show_item(a, &ref);
	}
}

static void find_span(struct app *a, uint32_t span)
{
	free(a->inst);
	a->inst = NULL;
	a->ninst = a->inst_at = 0;
	a->span = span;
	if (span == PROF_MODEL_NONE)
		return;
	prof_model_instances(&a->model, span, &a->inst, &a->ninst);
	prof_model_histogram(&a->model, span, a->hist, HIST_BINS, &a->hist_lo, &a->hist_hi);
	gtk_widget_queue_draw(a->hist_area);
	if (a->ninst) {
		struct prof_model_ref ref = { (uint32_t)a->inst[0], (uint32_t)a->inst[1], a->inst[2] };

		set_status(a, "%s: %zu instances; the slowest (n: next slower-to-faster, p: back)",
			   prof_model_span_name(&a->model, span), a->ninst);
		show_item(a, &ref);
	} else {
		set_status(a, "%s: no complete instance", prof_model_span_name(&a->model, span));
	}
}

static void instance_step(struct app *a, int delta)
{
	struct prof_model_ref ref;

	if (!a->ninst)
		return;
	if (delta < 0 && a->inst_at == 0)
		return;
	if (delta > 0 && a->inst_at + 1 >= a->ninst)
		return;
	a->inst_at += (size_t)delta;
	ref = (struct prof_model_ref){ (uint32_t)a->inst[3 * a->inst_at], (uint32_t)a->inst[3 * a->inst_at + 1],
				       a->inst[3 * a->inst_at + 2] };
	set_status(a, "%s: instance %zu of %zu (slowest first)", prof_model_span_name(&a->model, a->span),
		   a->inst_at + 1, a->ninst);
	show_item(a, &ref);
}

/* Follow the end (live): keep the width, end just after the newest event.  Under the lock. */
static void follow_end(struct app *a)
{
	uint64_t range = a->vp.t1 - a->vp.t0;

	if (!gtk_toggle_button_get_active(GTK_TOGGLE_BUTTON(a->follow)) || a->model.t_first == UINT64_MAX)
		return;
	a->vp.t1 = a->model.t_last + range / 20;
	a->vp.t0 = a->vp.t1 > range ? a->vp.t1 - range : 0;
}

/* ---- Timeline signals ---- */

static gboolean on_draw(GtkWidget *w, cairo_t *cr, gpointer data)
{
	struct app *a = data;

	a->vp.width = gtk_widget_get_allocated_width(w);
	a->vp.height = gtk_widget_get_allocated_height(w);
	g_mutex_lock(&a->lock);
	prof_render_draw(cr, &a->model, &a->vp);
	g_mutex_unlock(&a->lock);
	a->drawn_gen = a->view_gen;
	return TRUE;
}

static gboolean on_scroll(GtkWidget *w, GdkEventScroll *ev, gpointer data)
{
	struct app *a = data;
	double dy = 0;

	(void)w;
	if (ev->direction == GDK_SCROLL_UP)
		dy = -1;
	else if (ev->direction == GDK_SCROLL_DOWN)
		dy = 1;
	else if (ev->direction == GDK_SCROLL_SMOOTH)
		dy = ev->delta_y;
	if (ev->state & GDK_SHIFT_MASK) {
		a->vp.scroll_y += (int)(dy * 48);
		clamp_scroll(a);
		redraw(a);
	} else if (dy != 0) {
		zoom_at(a, ev->x, pow(1.25, dy));
	}
	return TRUE;
}

static gboolean on_press(GtkWidget *w, GdkEventButton *ev, gpointer data)
{
	struct app *a = data;
	struct prof_model_ref ref;

	gtk_widget_grab_focus(w);
	if (ev->type != GDK_BUTTON_PRESS)
		return TRUE;
	g_mutex_lock(&a->lock);
	if (ev->button == 1 && !(ev->state & GDK_SHIFT_MASK) && prof_render_hit(&a->model, &a->vp, ev->x, ev->y, &ref) == 2) {
		a->model.lanes[ref.lane]->collapsed = !a->model.lanes[ref.lane]->collapsed;
		g_mutex_unlock(&a->lock);
		clamp_scroll(a);
		redraw(a);
		return TRUE;
	}
	g_mutex_unlock(&a->lock);
	a->drag_x = a->press_x = ev->x;
	a->drag_y = ev->y;
	if (ev->button == 3 || (ev->button == 1 && (ev->state & GDK_SHIFT_MASK))) {
		a->selecting = 1;
		a->drag_t0 = a->vp.t0 + (uint64_t)(ev->x / a->vp.width * (double)(a->vp.t1 - a->vp.t0));
	} else if (ev->button == 1) {
		a->dragging = 1;
		gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(a->follow), FALSE);
	}
	return TRUE;
}

static gboolean on_motion(GtkWidget *w, GdkEventMotion *ev, gpointer data)
{
	struct app *a = data;

	(void)w;
	if (a->dragging) {
		pan_by(a, a->drag_x - ev->x);
		a->vp.scroll_y += (int)(a->drag_y - ev->y);
		clamp_scroll(a);
		a->drag_x = ev->x;
		a->drag_y = ev->y;
	} else if (a->selecting) {
		uint64_t t = a->vp.t0 + (uint64_t)(fmax(ev->x, 0) / a->vp.width * (double)(a->vp.t1 - a->vp.t0));

		a->vp.has_selection = 1;
		a->vp.sel_t0 = t < a->drag_t0 ? t : a->drag_t0;
		a->vp.sel_t1 = t < a->drag_t0 ? a->drag_t0 : t;
		redraw(a);
	}
	return TRUE;
}

static gboolean on_release(GtkWidget *w, GdkEventButton *ev, gpointer data)
{
	struct app *a = data;

	(void)w;
	(void)ev;
	if (a->selecting && a->vp.has_selection) {
		g_mutex_lock(&a->lock);
		update_selection_panel(a);
		g_mutex_unlock(&a->lock);
	}
	a->dragging = a->selecting = 0;
	return TRUE;
}

static gboolean on_tooltip(GtkWidget *w, gint x, gint y, gboolean kb, GtkTooltip *tip, gpointer data)
{
	struct app *a = data;
	struct prof_model_ref ref;
	char text[1024];
	int hit;

	(void)w;
	(void)kb;
	g_mutex_lock(&a->lock);
	hit = prof_render_hit(&a->model, &a->vp, x, y, &ref);
	if (hit == 1)
		prof_model_describe(&a->model, &ref, text, sizeof(text));
	else if (hit == 2)
		snprintf(text, sizeof(text), "%s: click to %s", a->model.lanes[ref.lane]->label,
			 a->model.lanes[ref.lane]->collapsed ? "expand" : "collapse");
	g_mutex_unlock(&a->lock);
	if (!hit)
		return FALSE;
	gtk_tooltip_set_text(tip, text);
	return TRUE;
}

static gboolean on_key(GtkWidget *w, GdkEventKey *ev, gpointer data)
{
	struct app *a = data;
	int shift = (ev->state & GDK_SHIFT_MASK) != 0;

	(void)w;
	if ((ev->state & GDK_CONTROL_MASK) && ev->keyval == GDK_KEY_f) {
		gtk_widget_grab_focus(a->search);
		return TRUE;
	}
	if (gtk_widget_has_focus(a->search) && ev->keyval != GDK_KEY_F3)
		return FALSE;
	g_mutex_lock(&a->lock);
	switch (ev->keyval) {
	case GDK_KEY_f: case GDK_KEY_Home:
		fit_all(a);
		break;
	case GDK_KEY_plus: case GDK_KEY_equal: case GDK_KEY_KP_Add:
		zoom_at(a, a->vp.width / 2.0, 0.5);
		break;
	case GDK_KEY_minus: case GDK_KEY_KP_Subtract:
		zoom_at(a, a->vp.width / 2.0, 2);
		break;
	case GDK_KEY_Left:
		pan_by(a, -a->vp.width / 8.0);
		break;
	case GDK_KEY_Right:
		pan_by(a, a->vp.width / 8.0);
		break;
	case GDK_KEY_Up:
		a->vp.scroll_y -= 48;
		clamp_scroll(a);
		redraw(a);
		break;
	case GDK_KEY_Down:
		a->vp.scroll_y += 48;
		clamp_scroll(a);
		redraw(a);
		break;
	case GDK_KEY_z:
		zoom_selection(a);
		break;
	case GDK_KEY_Escape:
		a->vp.has_selection = 0;
		a->vp.has_highlight = 0;
		update_selection_panel(a);
		redraw(a);
		break;
	case GDK_KEY_F3:
		search_step(a, shift);
		break;
	case GDK_KEY_n:
		instance_step(a, 1);
		break;
	case GDK_KEY_p:
		instance_step(a, -1);
		break;
	case GDK_KEY_c:
		for (size_t i = 0; i < a->model.nlanes; i++)
			a->model.lanes[i]->collapsed = !a->model.lanes[i]->collapsed;
		clamp_scroll(a);
		redraw(a);
		break;
	default:
		g_mutex_unlock(&a->lock);
		return FALSE;
	}
	g_mutex_unlock(&a->lock);
	return TRUE;
}

/* ---- Histogram (find-span) ---- */

static gboolean on_hist_draw(GtkWidget *w, cairo_t *cr, gpointer data)
{
	struct app *a = data;
	int width = gtk_widget_get_allocated_width(w), height = gtk_widget_get_allocated_height(w);
	uint64_t top = 1;
	char lo[32], hi[32];

	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	if (!a->ninst)
		return TRUE;
	for (int i = 0; i < HIST_BINS; i++)
		top = a->hist[i] > top ? a->hist[i] : top;
	cairo_set_source_rgb(cr, 0.3, 0.45, 0.8);
	for (int i = 0; i < HIST_BINS; i++) {
		/* Counts on a log scale too: a single slow outlier stays visible. */
		double hh = a->hist[i] ? (log1p((double)a->hist[i]) / log1p((double)top)) * (height - 16) : 0;

		cairo_rectangle(cr, (double)i * width / HIST_BINS + 1, height - 14 - hh, (double)width / HIST_BINS - 2, hh);
	}
	cairo_fill(cr);
	prof_render_format_ns((double)a->hist_lo, lo, sizeof(lo));
	prof_render_format_ns((double)a->hist_hi, hi, sizeof(hi));
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_set_font_size(cr, 10);
	cairo_move_to(cr, 2, height - 2);
	cairo_show_text(cr, lo);
	cairo_move_to(cr, width - 60, height - 2);
	cairo_show_text(cr, hi);
	return TRUE;
}

/* A click on a bin jumps to the slowest instance in it. */
static gboolean on_hist_press(GtkWidget *w, GdkEventButton *ev, gpointer data)
{
	struct app *a = data;
	size_t bin = (size_t)(ev->x / gtk_widget_get_allocated_width(w) * HIST_BINS);

	g_mutex_lock(&a->lock);
	for (size_t i = 0; i < a->ninst; i++) {
		const struct prof_model_row *row = &a->model.lanes[a->inst[3 * i]]->rows[a->inst[3 * i + 1]];
		uint64_t d = prof_model_item_t1(row, a->inst[3 * i + 2]) - prof_model_item_t0(row, a->inst[3 * i + 2]);

		d = d ? d : 1;

		if (prof_model_histogram_bin(d, HIST_BINS, a->hist_lo, a->hist_hi) == bin) {
			a->inst_at = i;
			instance_step(a, 0);
			break;
		}
	}
	g_mutex_unlock(&a->lock);
	return TRUE;
}

/* ---- Toolbar ---- */

static void on_fit(GtkButton *b, gpointer data)
{
	struct app *a = data;

	(void)b;
	g_mutex_lock(&a->lock);
	fit_all(a);
	g_mutex_unlock(&a->lock);
}

static void on_zoom_sel(GtkButton *b, gpointer data)
{
	struct app *a = data;

	(void)b;
	zoom_selection(a);
}

static void on_search_activate(GtkEntry *e, gpointer data)
{
	struct app *a = data;

	(void)e;
	g_mutex_lock(&a->lock);
	search_step(a, 0);
	g_mutex_unlock(&a->lock);
}

static void on_search_changed(GtkEditable *e, gpointer data)
{
	struct app *a = data;

	(void)e;
	a->has_found = 0;
}

static void on_next(GtkButton *b, gpointer data)
{
	struct app *a = data;

	g_mutex_lock(&a->lock);
	search_step(a, GPOINTER_TO_INT(g_object_get_data(G_OBJECT(b), "backward")));
	g_mutex_unlock(&a->lock);
}

static void on_span_changed(GtkComboBox *c, gpointer data)
{
	struct app *a = data;
	gchar *name = gtk_combo_box_text_get_active_text(GTK_COMBO_BOX_TEXT(c));

	if (!name)
		return;
	g_mutex_lock(&a->lock);
	find_span(a, prof_model_span_find(&a->model, name));
	g_mutex_unlock(&a->lock);
	g_free(name);
}

static void on_vscroll(GtkAdjustment *adj, gpointer data)
{
	struct app *a = data;
	int v = (int)gtk_adjustment_get_value(adj);

	if (v != a->vp.scroll_y) {
		a->vp.scroll_y = v;
		redraw(a);
	}
}

static void on_follow(GtkToggleButton *b, gpointer data)
{
	struct app *a = data;

	(void)b;
	g_mutex_lock(&a->lock);
	follow_end(a);
	g_mutex_unlock(&a->lock);
	redraw(a);
}

/* ---- Script (tests) ---- */

static gboolean script_step(gpointer data);

static void send_event(struct app *a, GdkEvent *ev)
{
	GdkSeat *seat = gdk_display_get_default_seat(gtk_widget_get_display(a->area));

	ev->any.window = g_object_ref(gtk_widget_get_window(a->area));
	ev->any.send_event = TRUE;
	gdk_event_set_device(ev, gdk_seat_get_pointer(seat));
	gtk_widget_event(a->area, ev);
	gdk_event_free(ev);
}

static void button(struct app *a, GdkEventType type, double x, double y, guint state)
{
	GdkEvent *ev = gdk_event_new(type);

	ev->button.x = x;
	ev->button.y = y;
	ev->button.button = 1;
	ev->button.state = state;
	send_event(a, ev);
}

static void motion(struct app *a, double x, double y, guint state)
{
	GdkEvent *ev = gdk_event_new(GDK_MOTION_NOTIFY);

	ev->motion.x = x;
	ev->motion.y = y;
	ev->motion.state = state;
	send_event(a, ev);
}

static int screenshot(struct app *a, const char *file)
{
	GdkWindow *w = gtk_widget_get_window(a->area);
	GtkAllocation al;
	GdkPixbuf *pb;
	GError *gerr = NULL;
	int ok;

	gtk_widget_get_allocation(a->area, &al);
	gdk_display_sync(gtk_widget_get_display(a->area));
	/* The drawing area has its own GdkWindow: (0, 0) is its corner. */
	pb = gdk_pixbuf_get_from_window(w, 0, 0, al.width, al.height);
	if (!pb) {
		fprintf(stderr, "mprof-view: screenshot: cannot read the window\n");
		return -1;
	}
	ok = gdk_pixbuf_save(pb, file, "png", &gerr, NULL);
	if (!ok) {
		fprintf(stderr, "mprof-view: screenshot %s: %s\n", file, gerr->message);
		g_error_free(gerr);
	}
	g_object_unref(pb);
	return ok ? 0 : -1;
}

static gboolean script_step(gpointer data)
{
	struct app *a = data;
	char *line, cmd[32], arg[512];
	double x0, y0, x1, y1;
	unsigned long long u0, u1;

	if (a->script_at >= a->script_n) {
		gtk_widget_destroy(a->win);
		return G_SOURCE_REMOVE;
	}
	line = a->script[a->script_at];
	cmd[0] = arg[0] = '\0';
	sscanf(line, "%31s %511[^\n]", cmd, arg);
	if (!cmd[0] || cmd[0] == '#') {
		a->script_at++;
		return G_SOURCE_CONTINUE;
	}
	if (!strcmp(cmd, "screenshot")) {
		/* Only once the last change is on the screen. */
		if (a->drawn_gen != a->view_gen) {
			gtk_widget_queue_draw(a->area);
			return G_SOURCE_CONTINUE;
		}
		if (screenshot(a, arg))
			a->exit_status = 1;
		printf("screenshot %s\n", arg);
	} else if (!strcmp(cmd, "wait-events")) {
		/* The events the window has taken in (and followed), not only read. */
		if (a->ui_events < strtoull(arg, NULL, 10))
			return G_SOURCE_CONTINUE;
		printf("events %" PRIu64 "\n", a->ui_events);
	} else if (!strcmp(cmd, "scroll") && sscanf(arg, "%lf %lf", &x0, &y0) == 2) {
		GdkEvent *ev = gdk_event_new(GDK_SCROLL);

		ev->scroll.x = x0;
		ev->scroll.y = y0;
		ev->scroll.direction = strstr(arg, "down") ? GDK_SCROLL_DOWN : GDK_SCROLL_UP;
		send_event(a, ev);
	} else if (!strcmp(cmd, "drag") && sscanf(arg, "%lf %lf %lf %lf", &x0, &y0, &x1, &y1) == 4) {
		guint st = strstr(arg, "shift") ? GDK_SHIFT_MASK : 0;

		button(a, GDK_BUTTON_PRESS, x0, y0, st);
		motion(a, (x0 + x1) / 2, (y0 + y1) / 2, st | GDK_BUTTON1_MASK);
		motion(a, x1, y1, st | GDK_BUTTON1_MASK);
		button(a, GDK_BUTTON_RELEASE, x1, y1, st | GDK_BUTTON1_MASK);
	} else if (!strcmp(cmd, "click") && sscanf(arg, "%lf %lf", &x0, &y0) == 2) {
		button(a, GDK_BUTTON_PRESS, x0, y0, 0);
		button(a, GDK_BUTTON_RELEASE, x0, y0, GDK_BUTTON1_MASK);
	} else if (!strcmp(cmd, "key")) {
		GdkEvent *ev = gdk_event_new(GDK_KEY_PRESS);

		ev->key.keyval = gdk_keyval_from_name(arg);
		ev->key.window = g_object_ref(gtk_widget_get_window(a->win));
		gtk_widget_grab_focus(a->area);
		on_key(a->area, &ev->key, a);
		gdk_event_free(ev);
	} else if (!strcmp(cmd, "select") && sscanf(arg, "%llu %llu", &u0, &u1) == 2) {
		g_mutex_lock(&a->lock);
		a->vp.has_selection = 1;
		a->vp.sel_t0 = u0;
		a->vp.sel_t1 = u1;
		update_selection_panel(a);
		g_mutex_unlock(&a->lock);
		redraw(a);
	} else if (!strcmp(cmd, "search")) {
		gtk_entry_set_text(GTK_ENTRY(a->search), arg);
		on_search_activate(GTK_ENTRY(a->search), a);
	} else if (!strcmp(cmd, "next") || !strcmp(cmd, "prev")) {
		g_mutex_lock(&a->lock);
		search_step(a, cmd[0] == 'p');
		g_mutex_unlock(&a->lock);
	} else if (!strcmp(cmd, "find")) {
		g_mutex_lock(&a->lock);
		find_span(a, prof_model_span_find(&a->model, arg));
		g_mutex_unlock(&a->lock);
	} else if (!strcmp(cmd, "print-viewport")) {
		printf("viewport %" PRIu64 " %" PRIu64 " %d %d scroll %d\n", a->vp.t0, a->vp.t1, a->vp.width, a->vp.height,
		       a->vp.scroll_y);
	} else if (!strcmp(cmd, "print-status")) {
		printf("status %s\n", gtk_label_get_text(GTK_LABEL(a->status)));
	} else if (!strcmp(cmd, "print-selection")) {
		printf("selection\n%s\n", gtk_label_get_text(GTK_LABEL(a->side)));
	} else if (!strcmp(cmd, "print-lanes")) {
		g_mutex_lock(&a->lock);
		for (size_t i = 0; i < a->model.nlanes; i++) {
			int y, h;

			prof_render_lane_y(&a->model, &a->vp, i, &y, &h);
			printf("lane %zu y %d h %d %s\n", i, y, h, a->model.lanes[i]->label);
		}
		g_mutex_unlock(&a->lock);
	} else if (!strcmp(cmd, "quit")) {
		a->script_at = a->script_n;
		fflush(stdout);
		gtk_widget_destroy(a->win);
		return G_SOURCE_REMOVE;
	} else {
		fprintf(stderr, "mprof-view: script line %zu: cannot run '%s'\n", a->script_at + 1, line);
		a->exit_status = 2;
	}
	fflush(stdout);
	a->script_at++;
	return G_SOURCE_CONTINUE;
}

/* ---- Loading news (UI thread) ---- */

static gboolean on_progress_tick(gpointer data)
{
	struct app *a = data;
	char buf[64];

	if (a->loaded && !a->live)
		return G_SOURCE_REMOVE;
	/* Pairs with the release stores in load_progress() and load_live(). */
	snprintf(buf, sizeof(buf), "%" PRIu64 " events", (uint64_t)atomic_load_explicit(&a->events, memory_order_acquire));
	gtk_progress_bar_set_text(GTK_PROGRESS_BAR(a->progress), buf);
	gtk_progress_bar_pulse(GTK_PROGRESS_BAR(a->progress));
	return G_SOURCE_CONTINUE;
}

static gboolean on_loader_news(gpointer data)
{
	struct loaded_msg *msg = data;
	struct app *a = msg->a;
	char loss[512];
	int first, failed;

	g_mutex_lock(&a->lock);
	first = !a->loaded && a->model.events > 0;
	failed = a->failed;
	if (msg->done || (a->live && first)) {
		if (!a->loaded)
			fit_all(a);
		a->loaded = 1;
		fill_span_combo(a);
	}
	follow_end(a);
	clamp_scroll(a);
	prof_render_loss_text(&a->model, loss, sizeof(loss));
	a->ui_events = a->model.events;
	g_mutex_unlock(&a->lock);
	if (msg->done) {
		gtk_progress_bar_set_fraction(GTK_PROGRESS_BAR(a->progress), 1.0);
		gtk_progress_bar_set_text(GTK_PROGRESS_BAR(a->progress), failed ? "failed" : "loaded");
	}
	set_status(a, "%s: %s%s", a->path, loss, a->live && !msg->done ? " (following)" : "");
	redraw(a);
	if (msg->done && failed) {
		GtkWidget *d = gtk_message_dialog_new(GTK_WINDOW(a->win), GTK_DIALOG_MODAL, GTK_MESSAGE_ERROR,
						      GTK_BUTTONS_CLOSE, "%s", a->error);

		char line[sizeof(a->error)];

		snprintf(line, sizeof(line), "%s", a->error);
		for (char *p = line; *p; p++)
			if (*p == '\n')
				*p = ' ';
		printf("error-dialog %s\n", line);
		fflush(stdout);
		a->exit_status = 3;
		if (a->script) {
			/* Scripted: show it, then close it and the window. */
			gtk_widget_show_all(d);
			gtk_widget_destroy(d);
			gtk_widget_destroy(a->win);
		} else {
			gtk_dialog_run(GTK_DIALOG(d));
			gtk_widget_destroy(d);
		}
	} else if (a->script && (msg->done || (a->live && first))) {
		g_timeout_add(10, script_step, a);
	}
	g_free(msg);
	return G_SOURCE_REMOVE;
}

/* ---- Window ---- */

static GtkWidget *tool_button(const char *label, const char *tip, GCallback cb, struct app *a)
{
	GtkWidget *b = gtk_button_new_with_label(label);

	gtk_widget_set_tooltip_text(b, tip);
	g_signal_connect(b, "clicked", cb, a);
	return b;
}

static void build_window(struct app *a, int width, int height)
{
	GtkWidget *vbox = gtk_box_new(GTK_ORIENTATION_VERTICAL, 2), *bar = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 4);
	GtkWidget *paned = gtk_paned_new(GTK_ORIENTATION_HORIZONTAL), *left = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 0);
	GtkWidget *right = gtk_box_new(GTK_ORIENTATION_VERTICAL, 4), *bottom = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 4);
	GtkWidget *prev, *next, *sw;
	char title[600];

	a->win = gtk_window_new(GTK_WINDOW_TOPLEVEL);
	snprintf(title, sizeof(title), "mprof view: %s%s", a->path, a->live ? " (live)" : "");
	gtk_window_set_title(GTK_WINDOW(a->win), title);
	gtk_window_set_default_size(GTK_WINDOW(a->win), width, height);
	g_signal_connect(a->win, "destroy", G_CALLBACK(gtk_main_quit), NULL);

	gtk_box_pack_start(GTK_BOX(bar), tool_button("Fit", "Show the whole trace (f, Home)", G_CALLBACK(on_fit), a), FALSE,
			   FALSE, 0);
	gtk_box_pack_start(GTK_BOX(bar),
			   tool_button("Zoom to selection", "Zoom to the selected range (z)", G_CALLBACK(on_zoom_sel), a),
			   FALSE, FALSE, 0);
	a->search = gtk_search_entry_new();
	gtk_entry_set_placeholder_text(GTK_ENTRY(a->search), "regex: names, strings (Ctrl+F)");
	gtk_widget_set_size_request(a->search, 220, -1);
	g_signal_connect(a->search, "activate", G_CALLBACK(on_search_activate), a);
	g_signal_connect(a->search, "changed", G_CALLBACK(on_search_changed), a);
	gtk_box_pack_start(GTK_BOX(bar), a->search, FALSE, FALSE, 0);
	prev = tool_button("<", "Previous match (Shift+F3)", G_CALLBACK(on_next), a);
	g_object_set_data(G_OBJECT(prev), "backward", GINT_TO_POINTER(1));
	next = tool_button(">", "Next match (F3)", G_CALLBACK(on_next), a);
	gtk_box_pack_start(GTK_BOX(bar), prev, FALSE, FALSE, 0);
	gtk_box_pack_start(GTK_BOX(bar), next, FALSE, FALSE, 0);
	gtk_box_pack_start(GTK_BOX(bar), gtk_label_new("Find span:"), FALSE, FALSE, 4);
	a->span_combo = gtk_combo_box_text_new();
	g_signal_connect(a->span_combo, "changed", G_CALLBACK(on_span_changed), a);
	gtk_box_pack_start(GTK_BOX(bar), a->span_combo, FALSE, FALSE, 0);
	a->follow = gtk_toggle_button_new_with_label("Follow end");
	gtk_widget_set_tooltip_text(a->follow, "Keep the newest events in view (live)");
	gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(a->follow), a->live);
	gtk_widget_set_sensitive(a->follow, a->live);
	g_signal_connect(a->follow, "toggled", G_CALLBACK(on_follow), a);
	gtk_box_pack_end(GTK_BOX(bar), a->follow, FALSE, FALSE, 0);

	a->area = gtk_drawing_area_new();
	gtk_widget_set_hexpand(a->area, TRUE);
	gtk_widget_set_vexpand(a->area, TRUE);
	gtk_widget_set_can_focus(a->area, TRUE);
	gtk_widget_set_has_tooltip(a->area, TRUE);
	gtk_widget_add_events(a->area, GDK_SCROLL_MASK | GDK_BUTTON_PRESS_MASK | GDK_BUTTON_RELEASE_MASK |
					       GDK_POINTER_MOTION_MASK | GDK_KEY_PRESS_MASK);
	g_signal_connect(a->area, "draw", G_CALLBACK(on_draw), a);
	g_signal_connect(a->area, "scroll-event", G_CALLBACK(on_scroll), a);
	g_signal_connect(a->area, "button-press-event", G_CALLBACK(on_press), a);
	g_signal_connect(a->area, "button-release-event", G_CALLBACK(on_release), a);
	g_signal_connect(a->area, "motion-notify-event", G_CALLBACK(on_motion), a);
	g_signal_connect(a->area, "query-tooltip", G_CALLBACK(on_tooltip), a);
	g_signal_connect(a->win, "key-press-event", G_CALLBACK(on_key), a);
	a->vadj = gtk_adjustment_new(0, 0, 1, 16, 1, 1);
	g_signal_connect(a->vadj, "value-changed", G_CALLBACK(on_vscroll), a);
	a->vscroll = gtk_scrollbar_new(GTK_ORIENTATION_VERTICAL, a->vadj);
	gtk_box_pack_start(GTK_BOX(left), a->area, TRUE, TRUE, 0);
	gtk_box_pack_start(GTK_BOX(left), a->vscroll, FALSE, FALSE, 0);

	a->side = gtk_label_new(NULL);
	gtk_label_set_xalign(GTK_LABEL(a->side), 0);
	gtk_label_set_yalign(GTK_LABEL(a->side), 0);
	gtk_label_set_selectable(GTK_LABEL(a->side), TRUE);
	{
		PangoAttrList *attrs = pango_attr_list_new();

		pango_attr_list_insert(attrs, pango_attr_family_new("monospace"));
		pango_attr_list_insert(attrs, pango_attr_scale_new(0.85));
		gtk_label_set_attributes(GTK_LABEL(a->side), attrs);
		pango_attr_list_unref(attrs);
	}
	sw = gtk_scrolled_window_new(NULL, NULL);
	gtk_container_add(GTK_CONTAINER(sw), a->side);
	gtk_box_pack_start(GTK_BOX(right), sw, TRUE, TRUE, 0);
	gtk_box_pack_start(GTK_BOX(right), gtk_label_new("Durations of the span found (log scale); click a bar"),
			   FALSE, FALSE, 0);
	a->hist_area = gtk_drawing_area_new();
	gtk_widget_set_size_request(a->hist_area, 240, 110);
	gtk_widget_add_events(a->hist_area, GDK_BUTTON_PRESS_MASK);
	g_signal_connect(a->hist_area, "draw", G_CALLBACK(on_hist_draw), a);
	g_signal_connect(a->hist_area, "button-press-event", G_CALLBACK(on_hist_press), a);
	gtk_box_pack_start(GTK_BOX(right), a->hist_area, FALSE, FALSE, 0);
	gtk_paned_pack1(GTK_PANED(paned), left, TRUE, FALSE);
	gtk_paned_pack2(GTK_PANED(paned), right, FALSE, TRUE);
	gtk_paned_set_position(GTK_PANED(paned), width - 300);

	a->progress = gtk_progress_bar_new();
	gtk_progress_bar_set_show_text(GTK_PROGRESS_BAR(a->progress), TRUE);
	a->status = gtk_label_new("loading...");
	gtk_label_set_ellipsize(GTK_LABEL(a->status), PANGO_ELLIPSIZE_END);
	gtk_box_pack_start(GTK_BOX(bottom), a->progress, FALSE, FALSE, 0);
	gtk_box_pack_start(GTK_BOX(bottom), a->status, TRUE, TRUE, 0);

	gtk_box_pack_start(GTK_BOX(vbox), bar, FALSE, FALSE, 0);
	gtk_box_pack_start(GTK_BOX(vbox), paned, TRUE, TRUE, 0);
	gtk_box_pack_start(GTK_BOX(vbox), bottom, FALSE, FALSE, 0);
	gtk_container_add(GTK_CONTAINER(a->win), vbox);
	update_selection_panel(a);
}

static int read_script(struct app *a, const char *file)
{
	gchar *text = NULL;
	GError *gerr = NULL;

	if (!g_file_get_contents(file, &text, NULL, &gerr)) {
		fprintf(stderr, "mprof view: --script %s: %s\n", file, gerr->message);
		g_error_free(gerr);
		return -1;
	}
	a->script = g_strsplit(text, "\n", -1);
	a->script_n = g_strv_length(a->script);
	g_free(text);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: mprof view [--live] [--size WxH] [--script FILE] TRACE\n"
		   "  TRACE     an mprof trace directory, a directory of them, or a foreign trace\n"
		   "  --live    follow a trace still being written, keeping its end in view\n"
		   "  --size    the window's size (default 1280x720)\n"
		   "  --script  run the commands in FILE after loading (tests; docs/VIEWER.md)\n");
}

int main(int argc, char **argv)
{
	struct app *a = g_new0(struct app, 1);
	int width = 1280, height = 720, status;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--live")) {
			a->live = 1;
		} else if (!strcmp(argv[i], "--size") && i + 1 < argc) {
			if (sscanf(argv[++i], "%dx%d", &width, &height) != 2 || width < 200 || height < 150 ||
			    width > 16384 || height > 16384) {
				fprintf(stderr, "mprof view: --size '%s': WIDTHxHEIGHT, at least 200x150\n", argv[i]);
				return 2;
			}
		} else if (!strcmp(argv[i], "--script") && i + 1 < argc) {
			if (read_script(a, argv[++i]))
				return 2;
		} else if (argv[i][0] == '-' || a->path) {
			fprintf(stderr, "mprof view: unexpected argument '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		} else {
			a->path = argv[i];
		}
	}
	if (!a->path) {
		fprintf(stderr, "mprof view: no trace given\n");
		usage(stderr);
		return 2;
	}
	if (!gtk_init_check(&argc, &argv)) {
		fprintf(stderr, "mprof view: cannot open a display (is DISPLAY set?); "
				"`mprof render` draws the same picture to a file without one\n");
		return 4;
	}
	g_mutex_init(&a->lock);
	prof_model_init(&a->model);
	a->vp.t0 = 0;
	a->vp.t1 = 1000;
	a->vp.width = width;
	a->vp.height = height;
	build_window(a, width, height);
	gtk_widget_show_all(a->win);
	g_timeout_add(100, on_progress_tick, a);
	a->loader = g_thread_new("mprof-loader", loader_main, a);
	gtk_main();
	atomic_store_explicit(&a->stop, 1, memory_order_relaxed);
	g_thread_join(a->loader);
	/* News the loader posted after the window closed are dropped unread. */
	status = a->exit_status;
	prof_model_free(&a->model);
	free(a->inst);
	g_strfreev(a->script);
	g_mutex_clear(&a->lock);
	g_free(a);
	return status;
}
