/* SPDX-License-Identifier: MIT */
/*
 * Lanes per TCP connection, headless: a synthetic trace of two processes
 * with three connections in the first (and one in the second whose id is
 * also used in the first) gets one lane per (process, conn), after the
 * threads and before the counters of its process; the probes' instants go
 * there (conn 0 and a non-probe event with a `conn` field stay on the
 * thread, as do span begins, which the thread pairs).  Drawn on an image
 * surface, each connection's state changes, reads and writes are ticks in
 * their band's colour at their x, and nowhere else in the band.
 */
#include <cairo.h>

#include "gen_trace.h"
#include "render.h"

enum { E_OPEN, E_WRITE, E_READ, E_STATE, E_CLOSE, E_SEND_B, E_SEND_E, E_APP, E_HEAP, E_TICK, E_N };

static struct prof_schema_event schema[E_N];

#define MS 1000000ull

static void add(struct prof_model *m, uint32_t trace, uint64_t ms10, uint32_t id, uint64_t conn)
{
	struct prof_decoded_event e;

	memset(&e, 0, sizeof(e));
	e.timestamp = ms10 * MS / 10;
	e.id = id;
	e.desc = &schema[id];
	e.trace = trace;
	e.tid = 100 + trace;
	e.nfields = schema[id].nfields;
	for (size_t i = 0; i < e.nfields; i++) {
		e.values[i].type = schema[id].fields[i].type;
		e.values[i].v.u = i == 0 ? conn : 7;
	}
	CHECK_OK(prof_model_add(m, &e));
}

static void make_schema(void)
{
	static const struct { const char *name; uint16_t kind; } ev[E_N] = {
		[E_OPEN] = { "sock.open", PROF_KIND_INSTANT },   [E_WRITE] = { "sock.write", PROF_KIND_PLAIN },
		[E_READ] = { "sock.read", PROF_KIND_PLAIN },     [E_STATE] = { "tcp.state", PROF_KIND_PLAIN },
		[E_CLOSE] = { "sock.close", PROF_KIND_INSTANT }, [E_SEND_B] = { "sock.send.begin", PROF_KIND_SPAN_BEGIN },
		[E_SEND_E] = { "sock.send.end", PROF_KIND_SPAN_END }, [E_APP] = { "app.conn", PROF_KIND_INSTANT },
		[E_HEAP] = { "gc.heap_bytes", PROF_KIND_COUNTER }, [E_TICK] = { "tick", PROF_KIND_INSTANT },
	};

	for (uint32_t i = 0; i < E_N; i++) {
		test_event(&schema[i], i, ev[i].name, ev[i].kind);
		if (i == E_HEAP) {
			test_field(&schema[i], "value", PROF_TYPE_U64, 0);
		} else if (i != E_SEND_E && i != E_TICK) {
			test_field(&schema[i], "conn", PROF_TYPE_U64, 0);
			test_field(&schema[i], "bytes", PROF_TYPE_S64, 0);
		}
	}
}

/* Conn lanes' expected ticks, in tenths of ms, per band (0: none). */
struct want_lane {
	uint32_t trace;
	enum prof_lane_kind kind;
	uint64_t conn;
	size_t instants;
	uint64_t ticks[PROF_CONN_CLASSES][2];
};

static const struct want_lane want[] = {
	{ 0, PROF_LANE_THREAD, 0, 3, { { 0 } } },
	{ 0, PROF_LANE_CONN, 11, 2, { { 20, 0 }, { 0 }, { 50, 0 } } },
	{ 0, PROF_LANE_CONN, 22, 3, { { 25, 80 }, { 60, 0 }, { 0 } } },
	{ 0, PROF_LANE_CONN, 33, 2, { { 30, 70 }, { 0 }, { 0 } } },
	{ 0, PROF_LANE_COUNTER, 0, 1, { { 0 } } },
	{ 1, PROF_LANE_THREAD, 0, 0, { { 0 } } },
	{ 1, PROF_LANE_CONN, 11, 2, { { 95, 0 }, { 0 }, { 85, 0 } } },
};
#define NWANT (sizeof(want) / sizeof(want[0]))

static void build(struct prof_model *m)
{
	prof_model_init(m);
	add(m, 0, 5, E_HEAP, 100);   /* a counter before any connection */
	add(m, 0, 10, E_TICK, 0);
	add(m, 0, 20, E_OPEN, 11);
	add(m, 0, 25, E_OPEN, 22);
	add(m, 0, 30, E_OPEN, 33);
	add(m, 0, 40, E_SEND_B, 11); /* spans stay on the thread */
	add(m, 0, 45, E_SEND_E, 0);
	add(m, 0, 50, E_WRITE, 11);
	add(m, 0, 60, E_READ, 22);
	add(m, 0, 65, E_READ, 0);    /* no connection yet: the thread's */
	add(m, 0, 70, E_STATE, 33);
	add(m, 0, 75, E_APP, 22);    /* not the probes' vocabulary */
	add(m, 0, 80, E_CLOSE, 22);
	add(m, 1, 85, E_WRITE, 11);  /* another process's conn 11 */
	add(m, 1, 95, E_CLOSE, 11);
	CHECK_OK(prof_model_index(m));
}

static void test_model(const struct prof_model *m)
{
	CHECK_EQ_U(m->nlanes, NWANT);
	for (size_t i = 0; i < NWANT && i < m->nlanes; i++) {
		const struct prof_model_lane *l = m->lanes[i];

		if (l->trace != want[i].trace || l->kind != want[i].kind || l->conn != want[i].conn ||
		    l->instants.n != want[i].instants)
			CHECK_FAIL("lane %zu (%s): trace %" PRIu32 " kind %d conn %" PRIu64 " instants %zu, expected trace %" PRIu32
				   " kind %d conn %" PRIu64 " instants %zu",
				   i, l->label, l->trace, (int)l->kind, l->conn, l->instants.n, want[i].trace,
				   (int)want[i].kind, want[i].conn, want[i].instants);
	}
	/* The span begun with conn 11 is the thread's. */
	CHECK_EQ_U(m->lanes[0]->nrows, 1);
	CHECK_EQ_U(m->lanes[0]->rows[0].n, 1);
	CHECK_EQ_U(m->lanes[1]->nrows, 0);
	CHECK_EQ_U(prof_model_conn_class("tcp.state"), PROF_CONN_STATE);
	CHECK_EQ_U(prof_model_conn_class("tcp.rx"), PROF_CONN_READ);
	CHECK_EQ_U(prof_model_conn_class("tcp.tx"), PROF_CONN_WRITE);
}

static int near_tick(const uint64_t ticks[2], int x)
{
	for (int j = 0; j < 2; j++)
		if (ticks[j] && abs(x - (int)ticks[j] * 10) <= 1)
			return 1;
	return 0;
}

static void test_render(const struct prof_model *m)
{
	struct prof_viewport vp = { .t0 = 0, .t1 = 10 * MS, .width = 1000, .height = 600 };
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, vp.width, vp.height);
	cairo_t *cr = cairo_create(s);
	const uint8_t *d;
	int stride;

	CHECK_OK(prof_render_draw(cr, m, &vp));
	cairo_destroy(cr);
	cairo_surface_flush(s);
	d = cairo_image_surface_get_data(s);
	stride = cairo_image_surface_get_stride(s);
	for (size_t i = 0; i < NWANT && i < m->nlanes; i++) {
		int y, h;

		if (want[i].kind != PROF_LANE_CONN)
			continue;
		prof_render_lane_y(m, &vp, i, &y, &h);
		CHECK_EQ_U(h, 14 + PROF_CONN_CLASSES * PROF_RENDER_CONN_BAND_H + 2);
		for (int c = 0; c < PROF_CONN_CLASSES; c++) {
			int yy = y + 14 + c * PROF_RENDER_CONN_BAND_H + PROF_RENDER_CONN_BAND_H / 2, seen[2] = { 0, 0 };
			uint8_t rgb[3];

			prof_render_conn_rgb(c, rgb);
			CHECK(yy < vp.height);
			for (int x = 0; x < vp.width; x++) {
				uint32_t v;

				memcpy(&v, d + (size_t)yy * (size_t)stride + 4 * (size_t)x, 4);
				if ((uint8_t)(v >> 16) != rgb[0] || (uint8_t)(v >> 8) != rgb[1] || (uint8_t)v != rgb[2])
					continue;
				if (!near_tick(want[i].ticks[c], x))
					CHECK_FAIL("lane %zu (%s) band %d: a tick at x %d, expected only at %" PRIu64 " and %" PRIu64,
						   i, m->lanes[i]->label, c, x, want[i].ticks[c][0] * 10,
						   want[i].ticks[c][1] * 10);
				for (int j = 0; j < 2; j++)
					if (want[i].ticks[c][j] && abs(x - (int)want[i].ticks[c][j] * 10) <= 1)
						seen[j] = 1;
			}
			for (int j = 0; j < 2; j++)
				if (want[i].ticks[c][j] && !seen[j])
					CHECK_FAIL("lane %zu (%s) band %d: no tick at x %" PRIu64 " (y %d)", i,
						   m->lanes[i]->label, c, want[i].ticks[c][j] * 10, yy);
		}
	}
	cairo_surface_destroy(s);
}

int main(void)
{
	struct prof_model m;

	make_schema();
	build(&m);
	test_model(&m);
	test_render(&m);
	prof_model_free(&m);
	printf("test_viewer_conn: ok\n");
	return 0;
}
