/* SPDX-License-Identifier: MIT */
/*
 * collectors/xen/guest.c - a Linux guest's side in one call: grant the
 * pages a region needs (read-only but for the consumer pages), format the
 * region in them, advertise it in XenStore (docs/XEN.md).  `mprof share
 * --xen` and the Xen tests use it; a unikernel does the same steps with
 * its own grant calls (libprofile/src/xen/share.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xen_transport.h"
#include "profile/platform.h"
#include "profile/xen.h"

static int share_write(void *ctx, const char *key, const char *value)
{
	const struct mprof_xen_transport *t = ctx;

	return t->write(t->ctx, key, value);
}

int mprof_xen_share_region(const struct mprof_xen_transport *t, const struct prof_region_config *cfg, uint32_t poll_ms,
			   uint32_t evtchn, const char *name, struct mprof_xen_shared *out, struct prof_error *err)
{
	struct prof_region_config c = *cfg;
	struct prof_region_header hdr;
	uint32_t rw_first, rw_count;
	int ret;

	memset(out, 0, sizeof(*out));
	out->fd = -1;
	if (prof_region_layout(c.mode, c.packet_size, c.packets_per_stream, c.stream_slots, c.max_events, &hdr) != 0 ||
	    hdr.region_size / PROF_PAGE_SIZE > PROF_XEN_MAX_PAGES || prof_xen_rw_pages(&hdr, &rw_first, &rw_count))
		return prof_error_set(err, -EINVAL, NULL, UINT64_MAX,
				      "bad region geometry (packet size a power of two >= 256, at least 2 packets, "
				      "a stream's ring whole pages, at most %u pages in all)", PROF_XEN_MAX_PAGES);
	out->npages = (uint32_t)(hdr.region_size / PROF_PAGE_SIZE);
	out->size = (size_t)out->npages * PROF_PAGE_SIZE;
	out->refs = calloc(out->npages, sizeof(*out->refs)); /* Freed by mprof_xen_unshare(). */
	if (!out->refs)
		return prof_error_set(err, -ENOMEM, NULL, UINT64_MAX, "out of memory");
	ret = t->share(t->ctx, out->npages, rw_first, rw_count, out->refs, &out->mem, &out->fd, err);
	if (ret)
		goto fail;
	c.backing = PROF_BACKING_MEMORY;
	c.memory = out->mem;
	c.memory_size = out->size;
	ret = prof_region_open(&out->region, &c, err);
	if (ret)
		goto fail;
	memcpy(&hdr, out->mem, sizeof(hdr)); /* our own region: its uuid and clock */
	out->ops.write = share_write;
	out->ops.ctx = (void *)t;
	ret = prof_xen_advertise(&out->ops, &hdr, out->refs, out->npages, poll_ms, evtchn, name);
	if (ret) {
		prof_error_set(err, ret, NULL, UINT64_MAX, "advertising the region in XenStore: %s", strerror(-ret));
		goto fail;
	}
	out->advertised = 1;
	return 0;
fail:
	mprof_xen_unshare(out);
	return ret;
}

void mprof_xen_unshare(struct mprof_xen_shared *s)
{
	if (s->advertised)
		prof_xen_withdraw(&s->ops);
	s->advertised = 0;
	prof_region_close(s->region);
	s->region = NULL;
	free(s->refs);  /* Allocated by mprof_xen_share_region(). */
	s->refs = NULL;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	/* The pages themselves go with the transport (its close). */
	s->mem = NULL;
}
