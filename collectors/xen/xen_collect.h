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

struct mprof_xen_totals {
	uint64_t traces;          /* trace directories closed */
	uint64_t packets, events, bytes;
	uint64_t invalid_packets; /* failed validation: skipped and counted */
	uint64_t events_discarded;
	uint64_t schema_errors;
	uint64_t refused_guests;  /* advertisements or regions refused */
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
 * mprof_xen_collector_step() - one pass: discover, drain every guest,
 * scrape and close the traces of guests whose program ended, whose domain
 * crashed, shut down or went away.
 * @c: the collector.
 * @active: receives the number of guests being drained now.
 * Return: the poll interval (ms) the guests ask for, or a negative errno
 * on a failure to write a trace (the guest's trace is abandoned: marked
 * incomplete).
 */
int mprof_xen_collector_step(struct mprof_xen_collector *c, uint32_t *active);

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
