/* SPDX-License-Identifier: MIT */
/*
 * collectors/xen/collect.c - the dom0 collector.
 *
 * Per guest, a small state machine:
 *
 *   IDLE --advertisement "running" (or, with scrape_finished, "done" or a
 *     |   crashed domain)--> map the refs, open the reader, open the trace
 *     v
 *   ACTIVE --each step--> drain complete packets (discard mode: the
 *     |                   reader release-stores the tails in the guest's
 *     |                   consumer pages), rewrite metadata when it grew
 *     |--state "done", domain crashed / shut down / gone, refs withdrawn-->
 *     v                   drain, scrape the open packets, close the trace,
 *   CLOSED                unmap
 *     |--a new advertisement (other refs: the program ran again, or the
 *     |  domain restarted under a new domid)--> ACTIVE, a new trace
 *
 * Hostile memory: the pages are only ever read through libprofile's
 * region reader (profile/read.h), which copies before it validates and
 * counts what it skips.  Before it is opened, the mapping's size is the
 * advertised page count, bounded by PROF_XEN_MAX_PAGES, and the header's
 * consumer pages must be exactly the pages mapped writable (else the
 * reader's tail stores would fault on a read-only page).
 *
 * Memory per guest is bounded: a copy of the header must be within the
 * caps of xen_collect.h (stream slots, packet size, event types) before
 * the reader is opened, and the reader's validated header again after;
 * what the guest holds (advertisement, reader, writer, the per-stream
 * renumbering below) is counted after every pass (guest_count()).
 *
 * Scrape on demand (mprof_xen_collector_scrape()): the reader's peek
 * delivers the events an open packet holds so far without taking it, and
 * later the rest of it, as a piece with the same header.  A CTF trace
 * wants each stream's packet_seq_num to increase, so the trace gets
 * guest_sink()'s renumbering:
 *
 *   region packets      k-1   k (open)              k (complete)   k+1
 *   delivered           k-1   k: events 1..3        k: events 4..9 k+1
 *   written seq         k-1   k                     k+1            k+2
 *                                                   ^ bump = 1 from here
 *
 * A piece's timestamp_begin is raised to the previous piece's end, so the
 * stream's time never goes back.  Gaps (packets the reader skipped as
 * invalid) stay gaps: the trace's readers count them as lost packets.
 * A trace numbers each stream from where its reader began
 * (prof_region_reader_start()): a restarted collector's trace starts at 0,
 * the packets before it being in the previous collector's trace.
 * Since its numbering is its own, each trace gets a UUID of its own too
 * (not the region's): two traces of one region (a collector restart) are
 * never merged by a reader as one, which their numbers would contradict.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>

#include "xen_collect.h"
#include "profile/ctf.h"
#include "profile/version.h"
#include "profile/xen.h"

enum guest_phase { GUEST_IDLE, GUEST_ACTIVE, GUEST_CLOSED };

struct guest {
	uint32_t domid;
	char name[PROF_XEN_NAME_MAX];
	enum guest_phase phase;
	uint32_t fingerprint;        /* of the refs last collected (or skipped) */
	char last_error[512];        /* printed once, until it changes */
	struct prof_xen_advert *adv; /* while ACTIVE */
	void *mem;
	uint32_t npages;
	struct prof_region_reader *reader;
	struct prof_ctf_writer *writer;
	char *dir;
	struct prof_trace_desc desc;
	int have_metadata;
	unsigned traces;             /* traces made for this domid */
	struct out_stream *out;      /* per stream slot: what was written */
	uint32_t nout;
	uint32_t poll_ms;            /* its drain interval, clamped */
	uint64_t next_due;           /* when it is to be drained next (ms) */
	uint64_t drains;
	uint64_t bytes_held, bytes_peak;
};

/* The last packet written of one stream (guest_sink()). */
struct out_stream {
	uint64_t last_seq;           /* its packet_seq_num in the region */
	uint64_t last_end;           /* its timestamp_end */
	uint64_t bump;               /* pieces written so far: seq + bump is written */
	int have;
};

struct mprof_xen_collector {
	const struct mprof_xen_transport *t;
	char *dir;
	int all;
	int scrape_finished;
	struct guest *guests;
	size_t nguests, cap;
	struct mprof_xen_totals totals;
	uint64_t steps;              /* passes made */
};

struct read_ctx {
	const struct mprof_xen_transport *t;
	uint32_t domid;
};

static int adv_read(void *arg, const char *key, char *buf, size_t size)
{
	struct read_ctx *r = arg;

	return r->t->read(r->t->ctx, r->domid, key, buf, size);
}

/* FNV-1a over the refs and the page count: a new run of the program (new
 * grants) or a restarted guest changes it. */
static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint32_t fingerprint(const struct prof_xen_advert *a)
{
	uint32_t h = 2166136261u, i;

	h = (h ^ a->npages) * 16777619u;
	for (i = 0; i < a->npages; i++)
		h = (h ^ a->refs[i]) * 16777619u;
	return h ? h : 1;
}

static void guest_error(struct guest *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void guest_error(struct guest *g, const char *fmt, ...)
{
	char buf[sizeof(g->last_error)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (strcmp(buf, g->last_error)) {
		fprintf(stderr, "mprof collect: %s\n", buf);
		snprintf(g->last_error, sizeof(g->last_error), "%s", buf);
	}
}

static struct guest *guest_find(struct mprof_xen_collector *c, uint32_t domid)
{
	size_t i;

	for (i = 0; i < c->nguests; i++)
		if (c->guests[i].domid == domid)
			return &c->guests[i];
	return NULL;
}

static struct guest *guest_add(struct mprof_xen_collector *c, uint32_t domid)
{
	struct guest *g = guest_find(c, domid);

	if (g)
		return g;
	if (c->nguests == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		struct guest *n = realloc(c->guests, cap * sizeof(*n));

		if (!n)
			return NULL;
		c->guests = n;
		c->cap = cap;
	}
	g = &c->guests[c->nguests++];
	memset(g, 0, sizeof(*g));
	g->domid = domid;
	return g;
}

/* The trace's env: the domain is the host (babeltrace2 names the trace
 * after it), the program is procname; the domid is in the command line. */
static void guest_origin(struct guest *g)
{
	struct prof_trace_origin *o = &g->desc.origin;

	memset(o, 0, sizeof(*o));
	snprintf(o->hostname, sizeof(o->hostname), "%s", g->name);
	snprintf(o->procname, sizeof(o->procname), "%s", g->adv->name[0] ? g->adv->name : "domU");
	snprintf(o->version, sizeof(o->version), "%s", PROF_VERSION_STRING);
	snprintf(o->cmdline, sizeof(o->cmdline), "xen domid=%u domain=%s", g->domid, g->name);
}

static int guest_metadata(struct guest *g)
{
	const struct prof_schema *schema = prof_region_reader_schema(g->reader);
	struct prof_region_counts counts;
	struct prof_error err;
	char buf[700];
	int ret;

	prof_region_reader_counts(g->reader, &counts);
	if (g->have_metadata && schema->count == g->desc.schema.count && !memcmp(&counts, &g->desc.counts, sizeof(counts)))
		return 0;
	g->desc.schema = *schema;
	g->desc.counts = counts;
	ret = prof_ctf_writer_metadata(g->writer, &g->desc, &err);
	if (ret)
		guest_error(g, "%s", prof_error_format(&err, buf, sizeof(buf)));
	else
		g->have_metadata = 1;
	return ret;
}

static void add_totals(struct mprof_xen_collector *c, struct guest *g)
{
	struct prof_drain_stats s;
	struct prof_region_counts k;

	prof_region_reader_stats(g->reader, &s);
	prof_region_reader_counts(g->reader, &k);
	c->totals.packets += s.packets;
	c->totals.events += s.events;
	c->totals.bytes += s.bytes;
	c->totals.invalid_packets += s.invalid_packets;
	c->totals.events_discarded += s.events_discarded;
	c->totals.schema_errors += k.schema_errors;
}

/*
 * The reader's sink for a guest's trace: renumbers packet_seq_num so that
 * the pieces of a packet a scrape delivered in parts each get their own
 * (see the top of this file), and passes every other packet on unchanged
 * but for that shift.
 */
static int guest_sink(void *arg, uint32_t stream, const uint8_t *pkt, size_t len, const struct prof_packet_info *info)
{
	struct guest *g = arg;
	struct prof_packet_header h;
	struct out_stream *o;
	int piece, ret;

	(void)info;
	if (stream >= g->nout || len < sizeof(h))
		return -EINVAL; /* the reader never delivers these */
	o = &g->out[stream];
	memcpy(&h, pkt, sizeof(h));
	piece = o->have && h.packet_seq_num == o->last_seq;
	if (piece && h.timestamp_begin < o->last_end)
		h.timestamp_begin = o->last_end;
	h.packet_seq_num += o->bump + (uint64_t)piece;
	memcpy(h.uuid, g->desc.uuid, sizeof(h.uuid));
	ret = prof_ctf_writer_packet_header(g->writer, stream, &h, pkt, len);
	if (ret)
		return ret;
	o->bump += (uint64_t)piece;
	o->last_seq = h.packet_seq_num - o->bump;
	o->last_end = h.timestamp_end;
	o->have = 1;
	return 0;
}

/* Count what the guest holds now (and its peak). */
static void guest_count(struct mprof_xen_collector *c, struct guest *g)
{
	g->bytes_held = (g->adv ? sizeof(*g->adv) : 0) + prof_region_reader_memory(g->reader) +
			prof_ctf_writer_memory(g->writer) + (uint64_t)g->nout * sizeof(*g->out) +
			(g->dir ? strlen(g->dir) + 1 : 0);
	if (g->bytes_held > g->bytes_peak)
		g->bytes_peak = g->bytes_held;
	if (g->bytes_peak > c->totals.guest_bytes_peak)
		c->totals.guest_bytes_peak = g->bytes_peak;
}

/* Free what an active guest holds and unmap its pages. */
static void guest_release(struct mprof_xen_collector *c, struct guest *g)
{
	prof_region_reader_close(g->reader);
	g->reader = NULL;
	c->t->unmap(c->t->ctx, g->mem, g->npages);
	g->mem = NULL;
	free(g->adv);
	g->adv = NULL;
	free(g->dir);
	g->dir = NULL;
	free(g->out);  /* Allocated by guest_open(). */
	g->out = NULL;
	g->nout = 0;
	g->bytes_held = 0;
}

/* A trace that cannot be written: closed, marked incomplete. */
static void guest_abandon(struct mprof_xen_collector *c, struct guest *g)
{
	add_totals(c, g);
	prof_ctf_writer_abandon(g->writer);
	g->writer = NULL;
	guest_release(c, g);
	g->phase = GUEST_CLOSED;
}

/* Drain (and with @final, scrape and close).  On a write error the trace
 * is abandoned (marked incomplete). */
static int guest_drain(struct mprof_xen_collector *c, struct guest *g, int final)
{
	struct prof_drain_stats s;
	int ret, r;

	ret = prof_region_reader_drain(g->reader, guest_sink, g);
	if (ret >= 0 && final == 2)
		ret = prof_region_reader_scrape(g->reader, guest_sink, g);
	if (ret < 0)
		guest_error(g, "%s: writing the trace: %s", g->dir, prof_strerror(ret));
	else
		ret = guest_metadata(g);
	g->drains++;
	guest_count(c, g);
	if (!final && ret == 0)
		return 0;
	prof_region_reader_stats(g->reader, &s);
	add_totals(c, g);
	r = ret ? prof_ctf_writer_abandon(g->writer) : prof_ctf_writer_close(g->writer);
	g->writer = NULL;
	if (r && !ret) {
		guest_error(g, "%s: closing the trace: %s", g->dir, prof_strerror(r));
		ret = r;
	}
	if (!ret) {
		c->totals.traces++;
		fprintf(stderr,
			"mprof collect: domain %u (%s): %s: %" PRIu64 " events in %" PRIu64 " packets (%" PRIu64
			" scraped), %" PRIu64 " invalid packets skipped, %" PRIu64
			" events discarded by the guest; held at most %" PRIu64 " KiB\n",
			g->domid, g->name, g->dir, s.events, s.packets, s.partial_packets, s.invalid_packets,
			s.events_discarded, (g->bytes_peak + 1023) / 1024);
	}
	guest_release(c, g);
	g->phase = GUEST_CLOSED;
	return ret;
}

/* DIR/<name>-<domid>, then .2, .3 ... for later traces of the domain. */
static int guest_open_trace(struct mprof_xen_collector *c, struct guest *g)
{
	struct prof_error err;
	char buf[700];
	int ret = -EEXIST;
	unsigned i;

	for (i = g->traces + 1; i < g->traces + 1000 && ret == -EEXIST; i++) {
		size_t len = strlen(c->dir) + strlen(g->name) + 40;

		free(g->dir);
		g->dir = malloc(len);
		if (!g->dir)
			return -ENOMEM;
		if (i == 1)
			snprintf(g->dir, len, "%s/%s-%u", c->dir, g->name, g->domid);
		else
			snprintf(g->dir, len, "%s/%s-%u.%u", c->dir, g->name, g->domid, i);
		ret = prof_ctf_writer_open(&g->writer, g->dir, &err);
	}
	g->traces = i - 1;
	if (ret)
		guest_error(g, "%s", prof_error_format(&err, buf, sizeof(buf)));
	return ret;
}

/* A region header (a copy) within what one guest may make us hold? */
static int check_caps(struct guest *g, const char *what, const struct prof_region_header *h)
{
	static const char fmt[] = "%s: region header: %s %u is above this collector's cap of %u per guest (docs/XEN.md)";

	if (h->stream_slots > MPROF_XEN_CAP_STREAMS)
		guest_error(g, fmt, what, "stream_slots", h->stream_slots, MPROF_XEN_CAP_STREAMS);
	else if (h->packet_size > MPROF_XEN_CAP_PACKET_SIZE)
		guest_error(g, fmt, what, "packet_size", h->packet_size, MPROF_XEN_CAP_PACKET_SIZE);
	else if (h->max_events > MPROF_XEN_CAP_EVENTS)
		guest_error(g, fmt, what, "max_events", h->max_events, MPROF_XEN_CAP_EVENTS);
	else
		return 0;
	return -E2BIG;
}

/* The interval a guest asked for, within the collector's bounds. */
static uint32_t poll_interval(const struct prof_xen_advert *adv)
{
	if (!adv->poll_ms)
		return MPROF_XEN_EVTCHN_POLL_MS; /* an event channel: not wired yet */
	if (adv->poll_ms < MPROF_XEN_POLL_MIN_MS)
		return MPROF_XEN_POLL_MIN_MS;
	return adv->poll_ms > MPROF_XEN_POLL_MAX_MS ? MPROF_XEN_POLL_MAX_MS : adv->poll_ms;
}

/* Map an advertised region and start its trace. */
static int guest_open(struct mprof_xen_collector *c, struct guest *g, struct prof_xen_advert *adv)
{
	char what[128], buf[700];
	struct prof_error err;
	uint32_t rw_first = adv->rw_first, rw_count = adv->rw_count, i;
	const struct prof_region_header *h;
	unsigned k;
	int ret;

	snprintf(what, sizeof(what), "domain %u (%s)", g->domid, g->name);
	if (adv->legacy) {
		/* The seed's ring-ref: no rw-pages key.  Map read-only, find the
		 * consumer pages from a copy of the header, map again. */
		struct prof_region_header hdr;

		ret = c->t->map(c->t->ctx, g->domid, adv->refs, adv->npages, 0, 0, &g->mem, &err);
		if (ret)
			goto map_failed;
		memcpy(&hdr, g->mem, sizeof(hdr)); /* a copy, then checked */
		c->t->unmap(c->t->ctx, g->mem, adv->npages);
		g->mem = NULL;
		if (hdr.region_size != (uint64_t)adv->npages * PROF_PAGE_SIZE ||
		    prof_xen_rw_pages(&hdr, &rw_first, &rw_count) != 0) {
			guest_error(g, "%s: %s: the region's header does not match the %u pages advertised", what,
				    prof_xen_key_name(PROF_XEN_KEY_RING_REF), adv->npages);
			return -EINVAL;
		}
	}
	ret = c->t->map(c->t->ctx, g->domid, adv->refs, adv->npages, rw_first, rw_count, &g->mem, &err);
	if (ret) {
map_failed:
		guest_error(g, "%s: mapping its %u pages: %s", what, adv->npages, prof_error_format(&err, buf, sizeof(buf)));
		return ret;
	}
	g->npages = adv->npages;
	{
		/* A copy, then checked: the caps before the reader allocates
		 * for this geometry (and again on its own validated copy). */
		struct prof_region_header hdr;

		_Static_assert(sizeof(hdr) <= PROF_PAGE_SIZE, "the header is within the first page");
		memcpy(&hdr, g->mem, sizeof(hdr));
		ret = check_caps(g, what, &hdr);
		if (ret)
			goto fail;
	}
	ret = prof_region_reader_open(&g->reader, g->mem, (uint64_t)adv->npages * PROF_PAGE_SIZE, what, &err);
	if (ret) {
		guest_error(g, "%s", prof_error_format(&err, buf, sizeof(buf)));
		goto fail;
	}
	h = prof_region_reader_header(g->reader);
	ret = check_caps(g, what, h);
	if (ret)
		goto fail;
	{
		uint32_t f, n;

		if (prof_xen_rw_pages(h, &f, &n) != 0 || f != rw_first || n != rw_count) {
			guest_error(g, "%s: %s says pages %u,%u but the region's consumer positions are elsewhere", what,
				    prof_xen_key_name(PROF_XEN_KEY_RW_PAGES), rw_first, rw_count);
			ret = -EINVAL;
			goto fail;
		}
	}
	g->out = calloc(h->stream_slots, sizeof(*g->out)); /* Freed by guest_release(). */
	if (!g->out) {
		guest_error(g, "%s: out of memory", what);
		ret = -ENOMEM;
		goto fail;
	}
	g->nout = h->stream_slots;
	/* A restarted collector's trace numbers each stream from where the
	 * previous collector stopped: those packets are in its trace, not
	 * lost. */
	for (i = 0; i < g->nout; i++)
		g->out[i].bump = (uint64_t)0 - prof_region_reader_start(g->reader, i);
	memset(&g->desc, 0, sizeof(g->desc));
	/* A UUID of the trace's own (see the top of this file): random, or
	 * else the region's with the domid and the time folded in. */
	if (getrandom(g->desc.uuid, sizeof(g->desc.uuid), GRND_NONBLOCK) != (ssize_t)sizeof(g->desc.uuid)) {
		uint64_t x = now_ms() ^ ((uint64_t)g->domid << 32) ^ g->traces;

		memcpy(g->desc.uuid, h->uuid, 16);
		for (k = 0; k < 8; k++)
			g->desc.uuid[k] ^= (uint8_t)(x >> (8 * k));
	}
	g->desc.uuid[6] = (uint8_t)((g->desc.uuid[6] & 0x0f) | 0x40); /* RFC 4122 version 4 */
	g->desc.uuid[8] = (uint8_t)((g->desc.uuid[8] & 0x3f) | 0x80);
	g->desc.byte_order = h->byte_order;
	g->desc.clock = h->clock;
	g->adv = adv;
	guest_origin(g);
	g->have_metadata = 0;
	ret = guest_open_trace(c, g);
	if (ret) {
		g->adv = NULL;
		goto fail;
	}
	g->phase = GUEST_ACTIVE;
	g->last_error[0] = 0;
	g->poll_ms = poll_interval(adv);
	g->next_due = 0; /* drained at the next pass */
	guest_count(c, g);
	if (adv->poll_ms)
		fprintf(stderr, "mprof collect: domain %u (%s): collecting %u pages into %s, every %u ms (%s: %u)\n",
			g->domid, g->name, adv->npages, g->dir, g->poll_ms, prof_xen_key_name(PROF_XEN_KEY_POLL_MS),
			adv->poll_ms);
	else
		fprintf(stderr, "mprof collect: domain %u (%s): collecting %u pages into %s, every %u ms (%s given: "
				"this collector polls)\n",
			g->domid, g->name, adv->npages, g->dir, g->poll_ms, prof_xen_key_name(PROF_XEN_KEY_EVTCHN));
	return 0;
fail:
	free(g->out);
	g->out = NULL;
	g->nout = 0;
	prof_region_reader_close(g->reader);
	g->reader = NULL;
	c->t->unmap(c->t->ctx, g->mem, adv->npages);
	g->mem = NULL;
	return ret;
}

/* An idle or closed guest: is there a (new) region to collect? */
static void guest_look(struct mprof_xen_collector *c, struct guest *g, enum mprof_xen_dom_state st)
{
	struct read_ctx rc = { c->t, g->domid };
	struct prof_xen_advert *adv = malloc(sizeof(*adv));
	struct prof_error err;
	char what[128], buf[700];
	int first = c->steps == 0, ret;
	uint32_t fp;

	if (!adv)
		return;
	snprintf(what, sizeof(what), "domain %u (%s)", g->domid, g->name);
	ret = prof_xen_advert_parse(adv_read, &rc, what, adv, &err);
	if (ret) {
		if (ret != -ENOENT) {
			if (strcmp(prof_error_format(&err, buf, sizeof(buf)), g->last_error))
				c->totals.refused_guests++;
			guest_error(g, "%s", buf);
		}
		free(adv);
		return;
	}
	fp = fingerprint(adv);
	if (fp == g->fingerprint || adv->done == 2) {
		free(adv);
		return;
	}
	if ((adv->done || st != MPROF_XEN_DOM_RUNNING) && first && !c->scrape_finished) {
		/* Finished before we started: perhaps taken by an earlier collector. */
		g->fingerprint = fp;
		fprintf(stderr, "mprof collect: domain %u (%s): its program %s before this collector started; "
				"not collected (--scrape collects it)\n",
			g->domid, g->name, adv->done ? "ended" : "stopped");
		free(adv);
		return;
	}
	g->fingerprint = fp;
	if (guest_open(c, g, adv) != 0) {
		c->totals.refused_guests++;
		free(adv);
	}
}

/* An active guest: keep draining (when its interval is due), or finish. */
static int guest_poll(struct mprof_xen_collector *c, struct guest *g, enum mprof_xen_dom_state st, uint64_t now)
{
	char state[16];
	int n, ret;

	if (st != MPROF_XEN_DOM_RUNNING)
		return guest_drain(c, g, 2);
	n = c->t->read(c->t->ctx, g->domid, prof_xen_key_name(PROF_XEN_KEY_STATE), state, sizeof(state));
	if (n == -ENOENT || (n == 4 && !memcmp(state, "done", 4))) {
		ret = guest_drain(c, g, 2);
		/* Tell the guest it may let its pages go (mprof share waits). */
		if (ret == 0 && n == 4)
			c->t->dom_write(c->t->ctx, g->domid, prof_xen_key_name(PROF_XEN_KEY_STATE), "collected");
		return ret;
	}
	if (now < g->next_due)
		return 0;
	g->next_due = now + g->poll_ms;
	return guest_drain(c, g, 0);
}

int mprof_xen_collector_step(struct mprof_xen_collector *c, uint32_t *active)
{
	return mprof_xen_collector_step_at(c, now_ms(), active);
}

int mprof_xen_collector_step_at(struct mprof_xen_collector *c, uint64_t now, uint32_t *active)
{
	uint32_t domids[MPROF_XEN_MAX_DOMAINS];
	uint64_t interval = MPROF_XEN_LOOK_MS;
	int n, i, ret = 0;
	size_t k;

	*active = 0;
	if (c->all) {
		n = c->t->list(c->t->ctx, domids, MPROF_XEN_MAX_DOMAINS);
		for (i = 0; i < n; i++)
			if (!guest_add(c, domids[i]))
				return -ENOMEM;
	}
	for (k = 0; k < c->nguests; k++) {
		struct guest *g = &c->guests[k];
		enum mprof_xen_dom_state st;
		char name[PROF_XEN_NAME_MAX];

		if (c->t->info(c->t->ctx, g->domid, name, sizeof(name), &st) != 0)
			st = MPROF_XEN_DOM_GONE;
		if (g->phase != GUEST_ACTIVE && st == MPROF_XEN_DOM_GONE)
			continue;
		if (g->phase != GUEST_ACTIVE)
			snprintf(g->name, sizeof(g->name), "%s", name[0] ? name : "domain");
		if (g->phase != GUEST_ACTIVE)
			guest_look(c, g, st);
		else {
			int r = guest_poll(c, g, st, now);

			if (r && !ret)
				ret = r;
		}
		if (g->phase == GUEST_ACTIVE) {
			/* Just mapped (next_due 0): drained at the next pass. */
			uint64_t due = g->next_due > now ? g->next_due - now : 0;

			(*active)++;
			if (due < interval)
				interval = due;
		}
	}
	if (c->steps++ == 0)
		fprintf(stderr, "mprof collect: watching %s domains, writing under %s\n", c->all ? "all" : "the named",
			c->dir);
	return ret ? ret : (int)interval;
}

int64_t mprof_xen_collector_scrape(struct mprof_xen_collector *c)
{
	int64_t events = 0;
	int ret = 0;
	size_t k;

	for (k = 0; k < c->nguests; k++) {
		struct guest *g = &c->guests[k];
		struct prof_drain_stats before, after;
		int r;

		if (g->phase != GUEST_ACTIVE)
			continue;
		prof_region_reader_stats(g->reader, &before);
		r = prof_region_reader_peek(g->reader, guest_sink, g);
		if (r < 0)
			guest_error(g, "%s: writing the trace: %s", g->dir, prof_strerror(r));
		else
			r = guest_metadata(g);
		prof_region_reader_stats(g->reader, &after);
		guest_count(c, g);
		if (r < 0) {
			guest_abandon(c, g);
			if (!ret)
				ret = r;
			continue;
		}
		c->totals.scrapes++;
		c->totals.scraped_events += after.events - before.events;
		events += (int64_t)(after.events - before.events);
		fprintf(stderr, "mprof collect: domain %u (%s): scraped on demand: %" PRIu64 " events into %s (%" PRIu64
				" in all)\n",
			g->domid, g->name, after.events - before.events, g->dir, after.events);
	}
	return ret ? ret : events;
}

int mprof_xen_collector_guest(const struct mprof_xen_collector *c, uint32_t domid, struct mprof_xen_guest_info *out)
{
	size_t k;

	for (k = 0; k < c->nguests; k++) {
		const struct guest *g = &c->guests[k];

		if (g->domid != domid)
			continue;
		memset(out, 0, sizeof(*out));
		out->domid = domid;
		out->active = g->phase == GUEST_ACTIVE;
		out->poll_ms = g->poll_ms;
		out->asked_poll_ms = g->adv ? g->adv->poll_ms : 0;
		out->drains = g->drains;
		out->bytes_held = g->bytes_held;
		out->bytes_peak = g->bytes_peak;
		return 0;
	}
	return -ENOENT;
}

int mprof_xen_collector_add(struct mprof_xen_collector *c, const char *spec)
{
	uint32_t domids[MPROF_XEN_MAX_DOMAINS];
	char name[PROF_XEN_NAME_MAX], *end;
	enum mprof_xen_dom_state st;
	unsigned long v;
	int n, i;

	errno = 0;
	v = strtoul(spec, &end, 10);
	if (spec[0] >= '0' && spec[0] <= '9' && !*end && !errno && v < 0x7ff0) {
		if (c->t->info(c->t->ctx, (uint32_t)v, name, sizeof(name), &st) != 0 || st == MPROF_XEN_DOM_GONE) {
			fprintf(stderr, "mprof collect: no domain %s\n", spec);
			return -ENOENT;
		}
		return guest_add(c, (uint32_t)v) ? 0 : -ENOMEM;
	}
	n = c->t->list(c->t->ctx, domids, MPROF_XEN_MAX_DOMAINS);
	for (i = 0; i < n; i++)
		if (c->t->info(c->t->ctx, domids[i], name, sizeof(name), &st) == 0 && st != MPROF_XEN_DOM_GONE &&
		    !strcmp(name, spec))
			return guest_add(c, domids[i]) ? 0 : -ENOMEM;
	fprintf(stderr, "mprof collect: no domain named '%s'\n", spec);
	return -ENOENT;
}

int mprof_xen_collector_open(struct mprof_xen_collector **out, const struct mprof_xen_transport *t, const char *dir,
			     int all, int scrape_finished)
{
	struct mprof_xen_collector *c = calloc(1, sizeof(*c));

	*out = NULL;
	if (!c || !(c->dir = strdup(dir))) {
		free(c);
		fprintf(stderr, "mprof collect: out of memory\n");
		return -ENOMEM;
	}
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "mprof collect: %s: cannot create: %s\n", dir, strerror(errno));
		free(c->dir);
		free(c);
		return -errno;
	}
	c->t = t;
	c->all = all;
	c->scrape_finished = scrape_finished;
	*out = c;
	return 0;
}

void mprof_xen_collector_totals(const struct mprof_xen_collector *c, struct mprof_xen_totals *totals)
{
	*totals = c->totals;
}

int mprof_xen_collector_close(struct mprof_xen_collector *c, struct mprof_xen_totals *totals)
{
	int ret = 0, r;
	size_t k;

	if (!c)
		return 0;
	for (k = 0; k < c->nguests; k++)
		if (c->guests[k].phase == GUEST_ACTIVE && (r = guest_drain(c, &c->guests[k], 1)) != 0 && !ret)
			ret = r;
	if (totals)
		*totals = c->totals;
	free(c->guests);
	free(c->dir);
	free(c);
	return ret;
}
