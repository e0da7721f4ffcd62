/* SPDX-License-Identifier: MIT */
/*
 * src/analysis/net.c - the GC join: request/response exchanges of TCP
 * connections (the sock.* events of probes/tcp/sock_events.h) against the
 * GC time of the same process (the contract is in profile/analysis.h).
 *
 * Per connection (trace, conn), fed in time order:
 *
 *   dir of the first data event = the request direction (R), the other = A
 *
 *   R R R  A A  R  A A A  R ...      (sock.read / sock.write with bytes > 0)
 *   |------|    |-----|
 *   exchange 0  exchange 1           [first R after an A, last A before the next R]
 *
 * A sock.close (or the end of the events) closes the open exchange: timed
 * if it was answered, else counted unanswered.  An exchange open while any
 * stream lost events (the analysis's gap count moved) is not timed but
 * counted broken_by_loss: its request or response may be among the lost.
 *
 * The join runs when asked (prof_analysis_net_gc()), after every GC span
 * paired: for each exchange, the overlap of [begin, end) with the process's
 * GC union (disjoint sorted intervals: a binary search, then a walk).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis_private.h"

enum { DIR_NONE = 0, DIR_READ = 1, DIR_WRITE = 2 };

struct conn_state {
	uint32_t trace;
	uint64_t conn;
	int req_dir;          /* DIR_READ or DIR_WRITE once seen */
	int open, answered;
	uint64_t begin, last; /* ticks: the request's first event, the response's last */
	uint64_t gaps_at_open;
	uint64_t next_index;
	struct prof_net_conn totals;
};

struct prof__net {
	struct conn_state *conns;
	size_t nconns, capconns;
	struct prof_net_exchange *ex;
	size_t nex, capex;
	uint64_t unanswered, broken_by_loss;
	struct prof_span_stats lat[3]; /* all, clean, delayed */
};

void prof__net_free(struct prof__net *net)
{
	if (!net)
		return;
	for (int i = 0; i < 3; i++)
		free(net->lat[i].durations);
	free(net->conns);
	free(net->ex);
	free(net);
}

void prof__net_reset(struct prof__net *net)
{
	if (!net)
		return;
	net->nconns = net->nex = 0;
	net->unanswered = net->broken_by_loss = 0;
	for (int i = 0; i < 3; i++)
		net->lat[i].count = net->lat[i].total_ns = 0;
}

/* The value of field @name of @ev, if it is an integer. */
static int field_u64(const struct prof_decoded_event *ev, const char *name, int64_t *out)
{
	for (uint16_t i = 0; i < ev->nfields && i < ev->desc->nfields; i++) {
		if (strcmp(ev->desc->fields[i].name, name) != 0)
			continue;
		switch (ev->values[i].type) {
		case PROF_TYPE_STRING: case PROF_TYPE_F64: return 0;
		case PROF_TYPE_S8: case PROF_TYPE_S16: case PROF_TYPE_S32: case PROF_TYPE_S64:
			*out = ev->values[i].v.s;
			return 1;
		default:
			*out = (int64_t)ev->values[i].v.u;
			return 1;
		}
	}
	return 0;
}

static struct conn_state *conn_get(struct prof__net *net, uint32_t trace, uint64_t conn)
{
	struct conn_state *c;

	/* Newest first: a program's busy connections are usually its latest. */
	for (size_t i = net->nconns; i-- > 0;)
		if (net->conns[i].conn == conn && net->conns[i].trace == trace)
			return &net->conns[i];
	if (prof__analysis_grow((void **)&net->conns, &net->capconns, net->nconns + 1, sizeof(*net->conns)))
		return NULL;
	c = &net->conns[net->nconns++];
	memset(c, 0, sizeof(*c));
	c->trace = c->totals.trace = trace;
	c->conn = c->totals.conn = conn;
	return c;
}

/* Close @c's open exchange. */
static int conn_close(struct prof_analysis *a, struct prof__net *net, struct conn_state *c)
{
	struct prof_net_exchange *x;

	if (!c->open)
		return 0;
	if (prof_analysis_gaps(a) != c->gaps_at_open) {
		net->broken_by_loss++;
	} else if (!c->answered) {
		net->unanswered++;
		c->totals.unanswered++;
	} else {
		if (prof__analysis_grow((void **)&net->ex, &net->capex, net->nex + 1, sizeof(*net->ex)))
			return -ENOMEM;
		x = &net->ex[net->nex++];
		memset(x, 0, sizeof(*x));
		x->trace = c->trace;
		x->conn = c->conn;
		x->index = c->next_index;
		x->begin_ns = prof__analysis_ns(a, c->begin);
		x->end_ns = prof__analysis_ns(a, c->last);
		if (x->end_ns < x->begin_ns)
			x->end_ns = x->begin_ns;
	}
	c->next_index++;
	c->open = c->answered = 0;
	return 0;
}

int prof__net_add(struct prof_analysis *a, struct prof__net **netp, const struct prof_decoded_event *ev)
{
	const char *name = ev->desc->name;
	struct prof__net *net = *netp;
	struct conn_state *c;
	int64_t conn, bytes;
	int dir;

	if (!strcmp(name, "sock.read"))
		dir = DIR_READ;
	else if (!strcmp(name, "sock.write"))
		dir = DIR_WRITE;
	else if (!strcmp(name, "sock.close"))
		dir = DIR_NONE;
	else
		return 0;
	if (!field_u64(ev, "conn", &conn) || conn == 0)
		return 0;
	if (dir != DIR_NONE && (!field_u64(ev, "bytes", &bytes) || bytes <= 0))
		return 0; /* errors, EAGAIN and end of file move no data */
	if (!net) {
		net = calloc(1, sizeof(*net));
		if (!net)
			return -ENOMEM;
		*netp = net;
	}
	if (dir == DIR_NONE) {
		for (size_t i = 0; i < net->nconns; i++)
			if (net->conns[i].conn == (uint64_t)conn && net->conns[i].trace == ev->trace)
				return conn_close(a, net, &net->conns[i]);
		return 0;
	}
	c = conn_get(net, ev->trace, (uint64_t)conn);
	if (!c)
		return -ENOMEM;
	if (!c->req_dir)
		c->req_dir = dir;
	if (dir == c->req_dir) {
		if (c->open && c->answered && conn_close(a, net, c) != 0)
			return -ENOMEM;
		if (!c->open) {
			c->open = 1;
			c->answered = 0;
			c->begin = ev->timestamp;
			c->gaps_at_open = prof_analysis_gaps(a);
		}
	} else if (c->open) {
		c->answered = 1;
		c->last = ev->timestamp;
	}
	return 0;
}

/* GC time of union @u inside [b, e). */
static uint64_t overlap(const struct prof__gc_union *u, uint64_t b, uint64_t e)
{
	size_t lo = 0, hi = u->n;
	uint64_t sum = 0;

	while (lo < hi) { /* the first interval that ends after b */
		size_t mid = lo + (hi - lo) / 2;

		if (u->iv[mid].end <= b)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < u->n && u->iv[i].begin < e; i++) {
		uint64_t ib = u->iv[i].begin > b ? u->iv[i].begin : b;
		uint64_t ie = u->iv[i].end < e ? u->iv[i].end : e;

		if (ie > ib)
			sum += ie - ib;
	}
	return sum;
}

static int lat_add(struct prof_span_stats *s, uint64_t ns)
{
	if (prof__analysis_grow((void **)&s->durations, &s->cap, s->count + 1, sizeof(uint64_t)))
		return -ENOMEM;
	s->durations[s->count++] = ns;
	s->total_ns += ns;
	s->sorted = 0;
	return 0;
}

PROF_EXPORT int prof_analysis_net_gc(struct prof_analysis *a, struct prof_net_gc *out)
{
	struct prof__net *net = *prof__analysis_net(a);
	const struct prof__gc_union *u;
	size_t nu, i, j;

	memset(out, 0, sizeof(*out));
	if (!net || !net->nconns)
		return 0;
	/* Whatever is still open ended with the events (after finish). */
	for (i = 0; i < net->nconns; i++)
		if (conn_close(a, net, &net->conns[i]) != 0)
			return -ENOMEM;
	for (i = 0; i < 3; i++)
		net->lat[i].count = net->lat[i].total_ns = 0;
	snprintf(net->lat[0].name, sizeof(net->lat[0].name), "net.exchange");
	snprintf(net->lat[1].name, sizeof(net->lat[1].name), "net.exchange.clean");
	snprintf(net->lat[2].name, sizeof(net->lat[2].name), "net.exchange.gc");
	for (i = 0; i < net->nconns; i++) {
		struct prof_net_conn *t = &net->conns[i].totals;

		t->exchanges = t->delayed = t->gc_ns = 0;
	}
	prof__analysis_gc_unions(a, &u, &nu);
	for (i = 0; i < net->nex; i++) {
		struct prof_net_exchange *x = &net->ex[i];
		struct conn_state *c = conn_get(net, x->trace, x->conn);
		uint64_t d = x->end_ns - x->begin_ns;

		if (!c)
			return -ENOMEM;
		x->gc_ns = 0;
		for (j = 0; j < nu; j++)
			if (u[j].trace == x->trace)
				x->gc_ns = overlap(&u[j], x->begin_ns, x->end_ns);
		if (lat_add(&net->lat[0], d) || lat_add(&net->lat[x->gc_ns ? 2 : 1], d))
			return -ENOMEM;
		c->totals.exchanges++;
		out->exchanges++;
		if (x->gc_ns) {
			c->totals.delayed++;
			c->totals.gc_ns += x->gc_ns;
			out->delayed++;
			out->gc_ns += x->gc_ns;
		}
	}
	out->connections = net->nconns;
	out->unanswered = net->unanswered;
	out->broken_by_loss = net->broken_by_loss;
	out->all = &net->lat[0];
	out->clean = &net->lat[1];
	out->delayed_lat = &net->lat[2];
	return 1;
}

PROF_EXPORT size_t prof_analysis_net_exchange_count(const struct prof_analysis *a)
{
	struct prof__net *net = *prof__analysis_net((struct prof_analysis *)a);

	return net ? net->nex : 0;
}

PROF_EXPORT const struct prof_net_exchange *prof_analysis_net_exchange(const struct prof_analysis *a, size_t i)
{
	struct prof__net *net = *prof__analysis_net((struct prof_analysis *)a);

	return net && i < net->nex ? &net->ex[i] : NULL;
}

PROF_EXPORT size_t prof_analysis_net_conn_count(const struct prof_analysis *a)
{
	struct prof__net *net = *prof__analysis_net((struct prof_analysis *)a);

	return net ? net->nconns : 0;
}

PROF_EXPORT const struct prof_net_conn *prof_analysis_net_conn(const struct prof_analysis *a, size_t i)
{
	struct prof__net *net = *prof__analysis_net((struct prof_analysis *)a);

	return net && i < net->nconns ? &net->conns[i].totals : NULL;
}
