/* SPDX-License-Identifier: MIT */
/*
 * profile/xen.h - sharing a region with a Xen dom0 collector.
 *
 * A guest grants its region's pages to dom0 (read-only, except the
 * consumer pages, the only ones a collector writes) and advertises them
 * under its own XenStore directory, data/mprof/ (docs/XEN.md):
 *
 *   data/mprof/layout     "1"            this advertisement's layout version
 *   data/mprof/pages      "N"            pages in the region (and refs)
 *   data/mprof/rw-pages   "FIRST,COUNT"  the consumer pages (granted writable)
 *   data/mprof/refs       "r0,r1,..."    N grant refs, page order; when N >
 *                                        PROF_XEN_REFS_PER_KEY, refs/0,
 *                                        refs/1, ... hold them in chunks
 *   data/mprof/poll-ms    "MS"           how often dom0 should look, or
 *   data/mprof/evtchn     "PORT"         an event channel port (parsed; dom0 polls such a
 *                                        guest every 100 ms: docs/XEN.md)
 *   data/mprof/name       "PROG"         the program's name (optional)
 *   data/mprof/state      "running" | "done"   written last, then at the end;
 *                                        dom0 writes "collected" once it took all
 *   data/mprof/ring-ref   "r0,r1,..."    the seed's key, read if refs is absent
 *
 * The guest side (prof_xen_advertise(), prof_xen_rw_pages()) is
 * freestanding: a unikernel supplies its own grant and XenStore calls
 * through struct prof_xen_guest_ops.  The dom0 side parses the
 * advertisement strictly (prof_xen_advert_parse()); the mapped pages are
 * then read through profile/read.h, which treats them as hostile.
 */
#ifndef PROFILE_XEN_H
#define PROFILE_XEN_H

#include <stddef.h>
#include <stdint.h>

#include "profile/error.h"
#include "profile/export.h"
#include "profile/format.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PROF_XEN_LAYOUT_VERSION 1u
#define PROF_XEN_MAX_PAGES 16384u      /* 64 MiB: the most a collector maps per guest */
#define PROF_XEN_REFS_PER_KEY 512u     /* refs per XenStore value (values are <= 4096 bytes) */
#define PROF_XEN_VALUE_MAX 4096u       /* XenStore's payload limit */
#define PROF_XEN_DIR "data/mprof"
#define PROF_XEN_NAME_MAX 64u

/* The keys of the advertisement, relative to the domain's XenStore home. */
enum prof_xen_key {
	PROF_XEN_KEY_LAYOUT,
	PROF_XEN_KEY_PAGES,
	PROF_XEN_KEY_RW_PAGES,
	PROF_XEN_KEY_REFS,
	PROF_XEN_KEY_POLL_MS,
	PROF_XEN_KEY_EVTCHN,
	PROF_XEN_KEY_NAME,
	PROF_XEN_KEY_STATE,
	PROF_XEN_KEY_RING_REF,
	PROF_XEN_KEY_COUNT
};

/**
 * prof_xen_key_name() - the XenStore path of a key ("data/mprof/pages").
 * @key: enum prof_xen_key.
 * Return: a static string, or NULL for an unknown key.
 */
PROF_EXPORT const char *prof_xen_key_name(unsigned key);

/* ---- Guest side (freestanding) ---- */

struct prof_xen_guest_ops {
	/* Write @value at @key (a path relative to the domain's home, e.g.
	 * "data/mprof/pages").  Return 0 or a negative errno. */
	int (*write)(void *ctx, const char *key, const char *value);
	void *ctx;
};

/**
 * prof_xen_rw_pages() - the pages a collector must map writable: the
 * region's consumer positions.
 * @hdr: the region's header (as prof_region_layout() made it).
 * @first: receives the first consumer page.
 * @count: receives their number.
 * Return: 0, or -EINVAL if @hdr's offsets are not page-aligned and ordered.
 */
PROF_EXPORT int prof_xen_rw_pages(const struct prof_region_header *hdr, uint32_t *first, uint32_t *count);

/**
 * prof_xen_advertise() - write the advertisement of a granted region.
 * @ops: the guest's XenStore writer.
 * @hdr: the region's header.
 * @refs: one grant ref per page, in page order.
 * @npages: hdr->region_size / PROF_PAGE_SIZE.
 * @poll_ms: the polling interval dom0 should use (1 to 60000), or 0 when
 *           @evtchn names an event channel.
 * @evtchn: the event channel port, used when @poll_ms is 0.
 * @name: the program's name, or NULL.
 *
 * Writes every key, state ("running") last: a collector reads an
 * advertisement only once its state is set.  The seed's ring-ref key is
 * written too when the ref list fits one value.
 *
 * Return: 0, -EINVAL (bad arguments), or the first error of @ops->write.
 */
PROF_EXPORT int prof_xen_advertise(const struct prof_xen_guest_ops *ops, const struct prof_region_header *hdr,
				   const uint32_t *refs, uint32_t npages, uint32_t poll_ms, uint32_t evtchn,
				   const char *name);

/**
 * prof_xen_withdraw() - say the program ended (state "done"): the
 * collector scrapes the region, closes the trace and unmaps the pages.
 * @ops: the guest's XenStore writer.
 * Return: 0 or the error of @ops->write.
 */
PROF_EXPORT int prof_xen_withdraw(const struct prof_xen_guest_ops *ops);

/* ---- Dom0 side ---- */

struct prof_xen_advert {
	uint32_t layout;       /* PROF_XEN_LAYOUT_VERSION (legacy: 0) */
	uint32_t npages;       /* 1..PROF_XEN_MAX_PAGES */
	uint32_t rw_first;     /* consumer pages; rw_count == 0 for a legacy */
	uint32_t rw_count;     /* advertisement (found from the header) */
	uint32_t poll_ms;      /* 0 if an event channel is given */
	uint32_t evtchn;
	int has_evtchn;
	int done;              /* state: 0 "running", 1 "done", 2 "collected" */
	int legacy;            /* only data/mprof/ring-ref was found */
	char name[PROF_XEN_NAME_MAX]; /* printable; "" if absent */
	uint32_t refs[PROF_XEN_MAX_PAGES];
};

/*
 * Read one key for the parser: copy the value (not NUL-terminated needed)
 * into @buf, at most @size bytes.  Return its length, -ENOENT if the key is
 * absent, -E2BIG if it is longer than @size, or another negative errno.
 */
typedef int (*prof_xen_read_fn)(void *ctx, const char *key, char *buf, size_t size);

/**
 * prof_xen_advert_parse() - read and check a guest's advertisement.
 * @read: reads a key of the domain.
 * @ctx: passed to @read.
 * @domain: the domain for messages ("domain 3 (web1)").
 * @out: filled on success.
 * @err: on failure, names @domain and the key, and says what is wrong.
 *
 * Strict: decimal numbers only (no sign, space, leading zero or overflow),
 * exactly @pages refs, none repeated, none of the 8 reserved refs, the rw
 * pages inside the region, a known layout and state, a name of printable
 * bytes.  A region advertised only by the seed's ring-ref key is accepted
 * as legacy (its rw pages are found from its header).
 *
 * Return: 0, -ENOENT (no advertisement: no state key and no ring-ref),
 * -EINVAL (malformed), -ENOTSUP (a layout this collector does not read),
 * or the error of @read.
 */
PROF_EXPORT int prof_xen_advert_parse(prof_xen_read_fn read, void *ctx, const char *domain,
				      struct prof_xen_advert *out, struct prof_error *err);

#ifdef __cplusplus
}
#endif
#endif
