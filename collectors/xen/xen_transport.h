/* SPDX-License-Identifier: MIT */
/*
 * collectors/xen/xen_transport.h - how the collector and `mprof share` reach
 * Xen: grant tables and XenStore, behind one small struct of callbacks.
 *
 * Two implementations:
 *   sim   (sim.c)  a directory stands in for XenStore and for the grant
 *                  table: a guest's granted pages are pages of a file,
 *                  keyed by ref; used by make check on any machine;
 *   real  (real.c) libxengnttab, libxenstore, libxenctrl in dom0 and
 *                  /dev/xen/gntalloc (libxengntshr's device) in a guest,
 *                  loaded with dlopen() at run time so that mprof never
 *                  depends on libxen where it is not used.
 *
 * Every value and page a transport returns comes from a guest: hostile.
 */
#ifndef MPROF_XEN_TRANSPORT_H
#define MPROF_XEN_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "profile/error.h"
#include "profile/region.h"
#include "profile/xen.h"

enum mprof_xen_dom_state {
	MPROF_XEN_DOM_RUNNING = 0,
	MPROF_XEN_DOM_SHUTDOWN = 1, /* shut down (poweroff, reboot) but not yet destroyed */
	MPROF_XEN_DOM_CRASHED = 2,  /* crashed and preserved (on_crash=preserve) */
	MPROF_XEN_DOM_GONE = 3,     /* destroyed, or never existed */
};

#define MPROF_XEN_MAX_DOMAINS 1024

struct mprof_xen_transport {
	const char *kind; /* "sim" or "xen" */
	void *ctx;

	/* ---- dom0 ---- */
	/* The domids of every domain but dom0, at most @max; returns how many
	 * or a negative errno. */
	int (*list)(void *ctx, uint32_t *domids, size_t max);
	/* The domain's name (printable, NUL-terminated) and state. */
	int (*info)(void *ctx, uint32_t domid, char *name, size_t size, enum mprof_xen_dom_state *state);
	/* Read @key (relative to the domain's home) into @buf (at most @size
	 * bytes, not terminated); returns its length, -ENOENT or -E2BIG. */
	int (*read)(void *ctx, uint32_t domid, const char *key, char *buf, size_t size);
	/* Map @n granted pages of @domid contiguously: pages [rw_first,
	 * rw_first + rw_count) writable, every other page read-only. */
	int (*map)(void *ctx, uint32_t domid, const uint32_t *refs, uint32_t n, uint32_t rw_first,
		   uint32_t rw_count, void **out, struct prof_error *err);
	void (*unmap)(void *ctx, void *mem, uint32_t n);
	/* Write @value at @key of @domid (dom0 may write a guest's keys): the
	 * collector's acknowledgement, state "collected". */
	int (*dom_write)(void *ctx, uint32_t domid, const char *key, const char *value);
	/* Wait until something under the domains' homes may have changed, or
	 * @timeout_ms passed (a XenStore watch; the simulation polls). */
	void (*wait)(void *ctx, int timeout_ms);

	/* ---- guest ---- */
	/* Allocate and grant @n zeroed pages to dom0, mapped contiguously at
	 * *@mem: [rw_first, rw_first + rw_count) writable by dom0, the rest
	 * read-only.  *@fd receives an fd a child process can map the pages
	 * through (offset 0, @n pages) with fd:N. */
	int (*share)(void *ctx, uint32_t n, uint32_t rw_first, uint32_t rw_count, uint32_t *refs, void **mem,
		     int *fd, struct prof_error *err);
	/* Write @value at @key of this domain (XenStore). */
	int (*write)(void *ctx, const char *key, const char *value);
	/* Read @key of this domain, as read() does. */
	int (*self_read)(void *ctx, const char *key, char *buf, size_t size);
	/* Remove this domain's data/mprof/ directory. */
	int (*clear)(void *ctx);

	void (*close)(void *ctx);
};

/**
 * mprof_xen_sim_open() - the simulated transport.
 * @out: filled.
 * @dir: the directory standing in for Xen (created if missing).
 * @guest_name: for a guest: a new simulated domain of that name is
 *              created (NULL in dom0).
 * @err: filled on failure.
 *
 * Layout of @dir: dom/<domid>/name, dom/<domid>/state ("running",
 * "shutdown", "crashed"; a test writes it), dom/<domid>/xs/<key> (one
 * file per XenStore key, written by rename), dom/<domid>/grants (the
 * pages, ref r at page r - MPROF_XEN_SIM_REF_BASE, in a shuffled order).
 *
 * Return: 0 or a negative errno.
 */
int mprof_xen_sim_open(struct mprof_xen_transport *out, const char *dir, const char *guest_name,
		       struct prof_error *err);

/* The simulated domain's id (after mprof_xen_sim_open() for a guest). */
uint32_t mprof_xen_sim_domid(const struct mprof_xen_transport *t);

/**
 * mprof_xen_real_open() - the real transport (libxen* through dlopen).
 * @out: filled.
 * @guest: non-zero in a guest (gntalloc and XenStore), zero in dom0.
 * @err: names the library or device that is missing.
 * Return: 0 or a negative errno.
 */
int mprof_xen_real_open(struct mprof_xen_transport *out, int guest, struct prof_error *err);

#define MPROF_XEN_SIM_REF_BASE 8u

/* ---- A guest's side in one call (guest.c) ---- */

struct prof_region;

/* A region shared with dom0 by mprof_xen_share_region(). */
struct mprof_xen_shared {
	struct prof_region *region;   /* formatted in the granted pages */
	void *mem;                    /* the pages, mapped here */
	size_t size;
	int fd;                       /* for a child's MPROF_REGION=fd:N, or -1 */
	uint32_t npages;
	uint32_t *refs;               /* one grant ref per page */
	struct prof_xen_guest_ops ops;/* writes this domain's XenStore keys */
	int advertised;
};

/**
 * mprof_xen_share_region() - grant the pages a region of @cfg's geometry
 * needs (read-only but for the consumer pages), format the region in them
 * (attached as this process's if cfg->attach) and advertise it under
 * data/mprof/ (state "running" last).
 * @t: the guest's transport (it must outlive the share).
 * @cfg: the geometry, mode and attach; backing and memory are set here.
 * @poll_ms: the interval dom0 should drain at (1..60000), or 0 with @evtchn.
 * @evtchn: an event channel port, used when @poll_ms is 0.
 * @name: the program's name, or NULL.
 * @out: filled; release with mprof_xen_unshare().
 * @err: filled on failure.
 * Return: 0, -EINVAL for a geometry that cannot be shared, or the
 * transport's, the region's or the advertisement's negative errno.
 */
int mprof_xen_share_region(const struct mprof_xen_transport *t, const struct prof_region_config *cfg, uint32_t poll_ms,
			   uint32_t evtchn, const char *name, struct mprof_xen_shared *out, struct prof_error *err);

/**
 * mprof_xen_unshare() - withdraw the advertisement (state "done") if it is
 * still up, close the region and the fd.  The grants end with the
 * transport's close().
 * @s: the share; may be one that failed.
 */
void mprof_xen_unshare(struct mprof_xen_shared *s);

#endif
