/* SPDX-License-Identifier: MIT */
/*
 * test_net_gc: the GC join of profile/analysis.h (src/analysis/net.c) on
 * synthetic events whose answer is known exactly: exchanges cut by
 * direction (server reads first, client writes first), overlaps with a
 * process's GC union (partial, nested, two intervals, another process's
 * GC ignored), EAGAIN/EOF ignored, unanswered requests, exchanges broken by
 * a stream's loss, close ending an exchange.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lib/check.h"
#include "profile/profile.h"

enum { RD, WR, CL, GMAJ_B, GMAJ_E, GMARK_B, GMARK_E, NEV };

static struct prof_schema_event evs[NEV];
static struct prof_clock_desc clk;

static void def(int id, const char *name, uint16_t kind, int io)
{
	static const char *const names[] = { "conn", "bytes", "err", "call" };
	static const uint8_t types[] = { PROF_TYPE_U64, PROF_TYPE_S64, PROF_TYPE_S32, PROF_TYPE_U8 };

	memset(&evs[id], 0, sizeof(evs[id]));
	snprintf(evs[id].name, sizeof(evs[id].name), "%s", name);
	evs[id].id = (uint32_t)id;
	evs[id].kind = kind;
	evs[id].nfields = (uint16_t)(io == 1 ? 4 : io == 2 ? 1 : 0);
	for (int i = 0; i < evs[id].nfields; i++) {
		snprintf(evs[id].fields[i].name, sizeof(evs[id].fields[i].name), "%s", names[i]);
		evs[id].fields[i].type = types[i];
	}
}

struct where {
	uint32_t trace, stream;
	uint64_t seq, discarded;
};

static void feed(struct prof_analysis *a, const struct where *w, int id, uint64_t ts, uint64_t conn, int64_t bytes)
{
	struct prof_decoded_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.timestamp = ts;
	ev.id = (uint32_t)id;
	ev.stream = w->stream;
	ev.tid = 1;
	ev.trace = w->trace;
	ev.desc = &evs[id];
	ev.nfields = evs[id].nfields;
	ev.packet_seq = w->seq;
	ev.packet_discarded = w->discarded;
	for (int i = 0; i < ev.nfields; i++)
		ev.values[i].type = evs[id].fields[i].type;
	if (ev.nfields) {
		ev.values[0].v.u = conn;
		if (ev.nfields > 1)
			ev.values[1].v.s = bytes;
	}
	CHECK_OK(prof_analysis_add(a, &ev));
}

/* A GC collection of @w's process over [b, e), with a mark phase inside. */
static void gc(struct prof_analysis *a, const struct where *w, uint64_t b, uint64_t e)
{
	feed(a, w, GMAJ_B, b, 0, 0);
	feed(a, w, GMARK_B, b + 1, 0, 0);
	feed(a, w, GMARK_E, e - 1, 0, 0);
	feed(a, w, GMAJ_E, e, 0, 0);
}

static void test_server_and_client(void)
{
	struct prof_analysis *a = prof_analysis_new(&clk);
	struct where srv = { 0, 0, 0, 0 }, srvgc = { 0, 1, 0, 0 }, cli = { 1, 0, 0, 0 }, cligc = { 1, 1, 0, 0 };
	struct prof_net_gc n;
	const struct prof_net_exchange *x;
	const struct prof_net_conn *c;

	/* Server connection 7 of process 0: three exchanges. */
	feed(a, &srv, RD, 100, 7, 10);  /* exchange 0: [100, 130] */
	feed(a, &srv, RD, 110, 7, -1);  /* EAGAIN: ignored */
	feed(a, &srv, RD, 115, 7, 5);   /* same request */
	feed(a, &srv, WR, 120, 7, 15);
	feed(a, &srv, WR, 130, 7, 15);
	feed(a, &srv, RD, 200, 7, 10);  /* exchange 1: [200, 300], GC [250, 280) inside */
	feed(a, &srv, WR, 300, 7, 10);
	feed(a, &srv, RD, 400, 7, 10);  /* exchange 2: [400, 500], GC [380, 420) and [490, 600) */
	feed(a, &srv, WR, 500, 7, 10);
	feed(a, &srv, RD, 510, 7, 0);   /* end of file: ignored */
	feed(a, &srv, CL, 520, 7, 0);
	gc(a, &srvgc, 250, 280);
	gc(a, &srvgc, 380, 420);
	gc(a, &srvgc, 490, 600);
	/* Client connection 7 of process 1 (same id, another process): it
	 * writes first; its GC [1000, 1010) is outside its exchange, and the
	 * server's GC is not its own. */
	feed(a, &cli, WR, 195, 7, 10);  /* exchange 0: [195, 305] */
	feed(a, &cli, RD, 305, 7, 10);
	feed(a, &cli, WR, 900, 7, 10);  /* unanswered: the trace ends */
	gc(a, &cligc, 1000, 1010);
	prof_analysis_finish(a);

	CHECK_EQ(prof_analysis_net_gc(a, &n), 1);
	CHECK_EQ_U(n.connections, 2);
	CHECK_EQ_U(n.exchanges, 4);
	CHECK_EQ_U(n.delayed, 2);
	CHECK_EQ_U(n.gc_ns, 30 + (20 + 10));
	CHECK_EQ_U(n.unanswered, 1);
	CHECK_EQ_U(n.broken_by_loss, 0);
	CHECK_EQ_U(n.all->count, 4);
	CHECK_EQ_U(n.clean->count, 2);
	CHECK_EQ_U(n.delayed_lat->count, 2);
	CHECK_EQ_U(prof_span_max(n.delayed_lat), 100);
	CHECK_EQ_U(prof_span_max(n.clean), 110);
	CHECK_EQ_U(prof_analysis_net_exchange_count(a), 4);
	x = prof_analysis_net_exchange(a, 0);
	CHECK(x && x->trace == 0 && x->conn == 7 && x->index == 0);
	CHECK_EQ_U(x->begin_ns, 100);
	CHECK_EQ_U(x->end_ns, 130);
	CHECK_EQ_U(x->gc_ns, 0);
	x = prof_analysis_net_exchange(a, 1);
	CHECK(x && x->index == 1);
	CHECK_EQ_U(x->gc_ns, 30);
	x = prof_analysis_net_exchange(a, 2);
	CHECK(x && x->index == 2);
	CHECK_EQ_U(x->gc_ns, 30);
	x = prof_analysis_net_exchange(a, 3);
	CHECK(x && x->trace == 1 && x->index == 0);
	CHECK_EQ_U(x->begin_ns, 195);
	CHECK_EQ_U(x->end_ns, 305);
	CHECK_EQ_U(x->gc_ns, 0);
	CHECK_EQ_U(prof_analysis_net_conn_count(a), 2);
	c = prof_analysis_net_conn(a, 1);
	CHECK(c && c->trace == 1 && c->exchanges == 1 && c->delayed == 0 && c->unanswered == 1);
	/* Asking again counts nothing twice. */
	CHECK_EQ(prof_analysis_net_gc(a, &n), 1);
	CHECK_EQ_U(n.exchanges, 4);
	CHECK_EQ_U(n.unanswered, 1);
	prof_analysis_free(a);
}

static void test_loss_and_none(void)
{
	struct prof_analysis *a = prof_analysis_new(&clk);
	struct where w = { 0, 0, 0, 0 };
	struct prof_net_gc n;

	CHECK_EQ(prof_analysis_net_gc(a, &n), 0); /* no socket events */
	feed(a, &w, RD, 100, 3, 10);
	w.seq = 1;
	w.discarded = 5; /* the stream lost events: the open exchange is not timed */
	feed(a, &w, WR, 200, 3, 10);
	feed(a, &w, RD, 300, 3, 10); /* opened after the loss: timed */
	feed(a, &w, WR, 350, 3, 10);
	prof_analysis_finish(a);
	CHECK_EQ(prof_analysis_net_gc(a, &n), 1);
	CHECK_EQ_U(n.broken_by_loss, 1);
	CHECK_EQ_U(n.exchanges, 1);
	CHECK_EQ_U(prof_span_max(n.all), 50);
	prof_analysis_free(a);
}

int main(void)
{
	def(RD, "sock.read", PROF_KIND_PLAIN, 1);
	def(WR, "sock.write", PROF_KIND_PLAIN, 1);
	def(CL, "sock.close", PROF_KIND_INSTANT, 2);
	def(GMAJ_B, "gc.major.begin", PROF_KIND_SPAN_BEGIN, 0);
	def(GMAJ_E, "gc.major.end", PROF_KIND_SPAN_END, 0);
	def(GMARK_B, "gc.mark.begin", PROF_KIND_SPAN_BEGIN, 0);
	def(GMARK_E, "gc.mark.end", PROF_KIND_SPAN_END, 0);
	memset(&clk, 0, sizeof(clk));
	clk.source = PROF_CLOCK_MONOTONIC;
	clk.freq_hz = 1000000000ull;
	test_server_and_client();
	test_loss_and_none();
	printf("test_net_gc: ok\n");
	return 0;
}
