/* SPDX-License-Identifier: MIT */
/*
 * collectors/xen/xen_collect.h - the dom0 collector: guests' granted regions
 * drained into one CTF trace directory per guest (docs/XEN.md).
 */
#ifndef MPROF_XEN_COLLECT_H
#define MPROF_XEN_COLLECT_H

#include <stdint.h>

#include "profile/read.h"
#include "xen_transport.h"

struct mprof_xen_collector;

/*
 * What one guest may make the collector hold (docs/XEN.md, "Bounded
 * memory").  A region whose header asks for more is refused with a
 * message naming the domain and the header field; with these caps a
 * guest's heap (advertisement copy, reader, trace writer, renumbering
 * state) stays under MPROF_XEN_GUEST_BYTES_MAX, which the collector counts
 * (struct mprof_xen_guest_info).  Its pages (at most PROF_XEN_MAX_PAGES)
 * are mapped, not copied.
 */
#define MPROF_XEN_CAP_STREAMS 256u             /* stream_slots */
#define MPROF_XEN_CAP_PACKET_SIZE (1u << 20)   /* packet_size, bytes */
#define MPROF_XEN_CAP_EVENTS 1024u             /* max_events: schema records */
#define MPROF_XEN_GUEST_BYTES_MAX (8u << 20)   /* heap per guest, with the caps above */

/*
 * How often a guest is drained: its data/mprof/poll-ms, clamped to
 * [MPROF_XEN_POLL_MIN_MS, MPROF_XEN_POLL_MAX_MS] (a guest cannot make dom0
 * spin); MPROF_XEN_EVTCHN_POLL_MS for a guest that names an event channel
 * instead.  Domains are looked at (discovery, crashes, "done") at least
 * every MPROF_XEN_LOOK_MS whatever their intervals.
 */
#define MPROF_XEN_POLL_MIN_MS 10u
#define MPROF_XEN_POLL_MAX_MS 60000u
#define MPROF_XEN_EVTCHN_POLL_MS 100u
#define MPROF_XEN_LOOK_MS 1000u

struct mprof_xen_totals {
	uint64_t traces;          /* trace directories closed */
	uint64_t packets, events, bytes;
	uint64_t invalid_packets; /* failed validation: skipped and counted */
	uint64_t events_discarded;
	uint64_t schema_errors;
	uint64_t refused_guests;  /* advertisements or regions refused */
	uint64_t scrapes;         /* on-demand scrapes (mprof_xen_collector_scrape()) */
	uint64_t scraped_events;  /* events they delivered from open packets */
	uint64_t guest_bytes_peak;/* the most heap any one guest held */
};

/* One guest, as the collector sees it (mprof_xen_collector_guest()). */
struct mprof_xen_guest_info {
	uint32_t domid;
	int active;               /* its region is being drained now */
	uint32_t poll_ms;         /* the interval it is drained at (clamped) */
	uint32_t asked_poll_ms;   /* what it advertised (0: an event channel) */
	uint64_t drains;          /* passes that drained it */
	uint64_t bytes_held;      /* heap held for it now */
	uint64_t bytes_peak;      /* the most it ever held */
};

/**
 * mprof_xen_collector_open() - a collector writing under @dir.
 * @out: receives it.
 * @t: the transport (not owned).
 * @dir: the output directory (created; holds <domain name>-<domid>/ per
 *       guest, with .2, .3 ... for later traces of the same domain).
 * @all: collect every domain that advertises a region (else only those
 *       added with mprof_xen_collector_add()).
 * @scrape_finished: also collect regions whose program had already ended
 *       or whose domain had already crashed when first seen (a one-shot
 *       scrape); otherwise those are left alone, so that a restarted
 *       collector does not take them twice.
 * Return: 0 or a negative errno (a message was printed).
 */
int mprof_xen_collector_open(struct mprof_xen_collector **out, const struct mprof_xen_transport *t, const char *dir,
			     int all, int scrape_finished);

/**
 * mprof_xen_collector_add() - collect domain @spec (a domid or a name).
 * Return: 0, or -ENOENT (no such domain; a message was printed).
 */
int mprof_xen_collector_add(struct mprof_xen_collector *c, const char *spec);

/**
 * mprof_xen_collector_step() - one pass: discover, drain every guest
 * whose interval is due, scrape and close the traces of guests whose
 * program ended, whose domain crashed, shut down or went away.
 * @c: the collector.
 * @active: receives the number of guests being drained now.
 * Return: the time (ms) until the next pass is due (the nearest guest's
 * interval, at most MPROF_XEN_LOOK_MS), or a negative errno on a failure
 * to write a trace (the guest's trace is abandoned: marked incomplete).
 */
int mprof_xen_collector_step(struct mprof_xen_collector *c, uint32_t *active);

/**
 * mprof_xen_collector_step_at() - mprof_xen_collector_step() at time
 * @now_ms (a monotonic clock in ms; tests pass their own).
 */
int mprof_xen_collector_step_at(struct mprof_xen_collector *c, uint64_t now_ms, uint32_t *active);

/**
 * mprof_xen_collector_scrape() - on demand: every active guest's complete
 * packets and the events its open packets hold so far go into its trace
 * now, while the guest keeps running.  The open packets stay in place:
 * the events added to them later are delivered when they complete, each
 * event once (the trace gets the packet in pieces, numbered in sequence).
 * @c: the collector.
 * Return: the events taken from open packets, or a negative errno on a
 * failure to write a trace (the guest's trace is abandoned).
 */
int64_t mprof_xen_collector_scrape(struct mprof_xen_collector *c);

/**
 * mprof_xen_collector_guest() - what the collector holds for domain @domid.
 * Return: 0, or -ENOENT if it never looked at that domain.
 */
int mprof_xen_collector_guest(const struct mprof_xen_collector *c, uint32_t domid, struct mprof_xen_guest_info *out);

/**
 * mprof_xen_collector_close() - take every complete packet, close every
 * trace cleanly and unmap.  Open packets of running guests are left in
 * place: the next collector continues from the consumer positions, so in
 * discard mode nothing is lost across a collector restart.
 * @c: the collector, may be NULL.
 * @totals: filled with what was collected; may be NULL.
 * Return: 0 or the first error.
 */
int mprof_xen_collector_close(struct mprof_xen_collector *c, struct mprof_xen_totals *totals);

/* Totals so far. */
void mprof_xen_collector_totals(const struct mprof_xen_collector *c, struct mprof_xen_totals *totals);

#endif
