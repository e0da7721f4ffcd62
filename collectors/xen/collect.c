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
 * reader's tail stores would fault on a read-only page).  Memory per guest
 * is bounded: the advertisement copy, the reader's packet copies (bounded
 * by the validated geometry) and the trace writer's buffers.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

/* Drain (and with @final, scrape and close).  On a write error the trace
 * is abandoned (marked incomplete). */
static int guest_drain(struct mprof_xen_collector *c, struct guest *g, int final)
{
	struct prof_drain_stats s;
	int ret, r;

	ret = prof_region_reader_drain(g->reader, prof_ctf_writer_sink, g->writer);
	if (ret >= 0 && final == 2)
		ret = prof_region_reader_scrape(g->reader, prof_ctf_writer_sink, g->writer);
	if (ret < 0)
		guest_error(g, "%s: writing the trace: %s", g->dir, prof_strerror(ret));
	else
		ret = guest_metadata(g);
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
			" scraped), %" PRIu64 " invalid packets skipped, %" PRIu64 " events discarded by the guest\n",
			g->domid, g->name, g->dir, s.events, s.packets, s.partial_packets, s.invalid_packets,
			s.events_discarded);
	}
	prof_region_reader_close(g->reader);
	g->reader = NULL;
	c->t->unmap(c->t->ctx, g->mem, g->npages);
	g->mem = NULL;
	free(g->adv);
	g->adv = NULL;
	free(g->dir);
	g->dir = NULL;
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

/* Map an advertised region and start its trace. */
static int guest_open(struct mprof_xen_collector *c, struct guest *g, struct prof_xen_advert *adv)
{
	char what[128], buf[700];
	struct prof_error err;
	uint32_t rw_first = adv->rw_first, rw_count = adv->rw_count;
	const struct prof_region_header *h;
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
	ret = prof_region_reader_open(&g->reader, g->mem, (uint64_t)adv->npages * PROF_PAGE_SIZE, what, &err);
	if (ret) {
		guest_error(g, "%s", prof_error_format(&err, buf, sizeof(buf)));
		goto fail;
	}
	h = prof_region_reader_header(g->reader);
	{
		uint32_t f, n;

		if (prof_xen_rw_pages(h, &f, &n) != 0 || f != rw_first || n != rw_count) {
			guest_error(g, "%s: %s says pages %u,%u but the region's consumer positions are elsewhere", what,
				    prof_xen_key_name(PROF_XEN_KEY_RW_PAGES), rw_first, rw_count);
			ret = -EINVAL;
			goto fail;
		}
	}
	memset(&g->desc, 0, sizeof(g->desc));
	memcpy(g->desc.uuid, h->uuid, 16);
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
	fprintf(stderr, "mprof collect: domain %u (%s): collecting %u pages into %s\n", g->domid, g->name,
		adv->npages, g->dir);
	return 0;
fail:
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

/* An active guest: keep draining, or finish. */
static int guest_poll(struct mprof_xen_collector *c, struct guest *g, enum mprof_xen_dom_state st)
{
	char state[16];
	int n;

	int ret;

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
	return guest_drain(c, g, 0);
}

int mprof_xen_collector_step(struct mprof_xen_collector *c, uint32_t *active)
{
	uint32_t domids[MPROF_XEN_MAX_DOMAINS];
	int n, i, ret = 0, interval = 1000;
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
			int r = guest_poll(c, g, st);

			if (r && !ret)
				ret = r;
		}
		if (g->phase == GUEST_ACTIVE) {
			(*active)++;
			if (g->adv->poll_ms && (int)g->adv->poll_ms < interval)
				interval = (int)g->adv->poll_ms;
		}
	}
	if (c->steps++ == 0)
		fprintf(stderr, "mprof collect: watching %s domains, writing under %s\n", c->all ? "all" : "the named",
			c->dir);
	return ret ? ret : interval;
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
