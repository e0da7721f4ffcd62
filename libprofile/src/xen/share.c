/* SPDX-License-Identifier: MIT */
/*
 * src/xen/share.c - the guest's advertisement of a granted region.
 *
 * Freestanding, like the core: no libc, no Xen headers.  The host grants
 * the pages (Linux: libxengntshr through /dev/xen/gntalloc; a unikernel:
 * its own grant table) and passes a XenStore writer; this file decides
 * which pages are writable and what the keys say (docs/XEN.md).
 *
 *   page 0 .. rw_first-1        header, schema, slots     granted read-only
 *   rw_first .. +rw_count-1     consumer positions        granted writable
 *   rw_first+rw_count .. N-1    packet rings              granted read-only
 */
#include <stddef.h>
#include <stdint.h>

#include "profile/errno.h"
#include "profile/xen.h"

static const char *const key_names[PROF_XEN_KEY_COUNT] = {
	[PROF_XEN_KEY_LAYOUT] = PROF_XEN_DIR "/layout",
	[PROF_XEN_KEY_PAGES] = PROF_XEN_DIR "/pages",
	[PROF_XEN_KEY_RW_PAGES] = PROF_XEN_DIR "/rw-pages",
	[PROF_XEN_KEY_REFS] = PROF_XEN_DIR "/refs",
	[PROF_XEN_KEY_POLL_MS] = PROF_XEN_DIR "/poll-ms",
	[PROF_XEN_KEY_EVTCHN] = PROF_XEN_DIR "/evtchn",
	[PROF_XEN_KEY_NAME] = PROF_XEN_DIR "/name",
	[PROF_XEN_KEY_STATE] = PROF_XEN_DIR "/state",
	[PROF_XEN_KEY_RING_REF] = PROF_XEN_DIR "/ring-ref",
};

PROF_EXPORT const char *prof_xen_key_name(unsigned key)
{
	return key < PROF_XEN_KEY_COUNT ? key_names[key] : NULL;
}

PROF_EXPORT int prof_xen_rw_pages(const struct prof_region_header *hdr, uint32_t *first, uint32_t *count)
{
	uint64_t c = hdr->consumer_offset, r = hdr->rings_offset;

	if (c % PROF_PAGE_SIZE || r % PROF_PAGE_SIZE || c == 0 || r <= c || r > hdr->region_size ||
	    hdr->region_size % PROF_PAGE_SIZE || hdr->region_size / PROF_PAGE_SIZE > PROF_XEN_MAX_PAGES)
		return -PROF_EINVAL;
	*first = (uint32_t)(c / PROF_PAGE_SIZE);
	*count = (uint32_t)((r - c) / PROF_PAGE_SIZE);
	return 0;
}

/* Append @v in decimal; returns the new length, or @size when it does not fit. */
static size_t put_u32(char *buf, size_t len, size_t size, uint32_t v)
{
	char tmp[10];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	if (len + n + 1 > size)
		return size;
	while (n)
		buf[len++] = tmp[--n];
	buf[len] = 0;
	return len;
}

static size_t put_str(char *buf, size_t len, size_t size, const char *s)
{
	while (*s && len + 1 < size)
		buf[len++] = *s++;
	if (*s)
		return size;
	buf[len] = 0;
	return len;
}

/* The comma-separated refs[from, to) into @buf; -ERANGE if they do not fit. */
static int put_refs(char *buf, size_t size, const uint32_t *refs, uint32_t from, uint32_t to)
{
	size_t len = 0;
	uint32_t i;

	buf[0] = 0;
	for (i = from; i < to && len < size; i++) {
		if (i > from)
			len = put_str(buf, len, size, ",");
		if (len < size)
			len = put_u32(buf, len, size, refs[i]);
	}
	return len < size ? 0 : -PROF_ERANGE;
}

static int write_u32(const struct prof_xen_guest_ops *ops, unsigned key, uint32_t v)
{
	char buf[16];

	put_u32(buf, 0, sizeof(buf), v);
	return ops->write(ops->ctx, key_names[key], buf);
}

PROF_EXPORT int prof_xen_advertise(const struct prof_xen_guest_ops *ops, const struct prof_region_header *hdr,
				   const uint32_t *refs, uint32_t npages, uint32_t poll_ms, uint32_t evtchn,
				   const char *name)
{
	char buf[PROF_XEN_VALUE_MAX];
	char key[64];
	uint32_t rw_first, rw_count, i;
	size_t len;
	int ret;

	if (!ops || !ops->write || !hdr || !refs || poll_ms > 60000)
		return -PROF_EINVAL;
	ret = prof_xen_rw_pages(hdr, &rw_first, &rw_count);
	if (ret)
		return ret;
	if ((uint64_t)npages * PROF_PAGE_SIZE != hdr->region_size)
		return -PROF_EINVAL;
	ret = write_u32(ops, PROF_XEN_KEY_LAYOUT, PROF_XEN_LAYOUT_VERSION);
	if (!ret)
		ret = write_u32(ops, PROF_XEN_KEY_PAGES, npages);
	if (!ret) {
		len = put_u32(buf, 0, sizeof(buf), rw_first);
		len = put_str(buf, len, sizeof(buf), ",");
		put_u32(buf, len, sizeof(buf), rw_count);
		ret = ops->write(ops->ctx, key_names[PROF_XEN_KEY_RW_PAGES], buf);
	}
	if (!ret && npages <= PROF_XEN_REFS_PER_KEY) {
		ret = put_refs(buf, sizeof(buf), refs, 0, npages);
		if (!ret)
			ret = ops->write(ops->ctx, key_names[PROF_XEN_KEY_REFS], buf);
		/* The seed's key, for its older collector. */
		if (!ret)
			ret = ops->write(ops->ctx, key_names[PROF_XEN_KEY_RING_REF], buf);
	}
	for (i = 0; !ret && npages > PROF_XEN_REFS_PER_KEY && i * PROF_XEN_REFS_PER_KEY < npages; i++) {
		uint32_t to = (i + 1) * PROF_XEN_REFS_PER_KEY;

		ret = put_refs(buf, sizeof(buf), refs, i * PROF_XEN_REFS_PER_KEY, to < npages ? to : npages);
		len = put_str(key, 0, sizeof(key), key_names[PROF_XEN_KEY_REFS]);
		len = put_str(key, len, sizeof(key), "/");
		put_u32(key, len, sizeof(key), i);
		if (!ret)
			ret = ops->write(ops->ctx, key, buf);
	}
	if (!ret)
		ret = poll_ms ? write_u32(ops, PROF_XEN_KEY_POLL_MS, poll_ms) : write_u32(ops, PROF_XEN_KEY_EVTCHN, evtchn);
	if (!ret && name && name[0]) {
		/* Printable bytes only, cut to fit: the parser refuses anything else. */
		for (len = 0; name[len] && len + 1 < PROF_XEN_NAME_MAX; len++)
			buf[len] = (unsigned char)name[len] < 0x20 || (unsigned char)name[len] >= 0x7f ? '?' : name[len];
		buf[len] = 0;
		ret = ops->write(ops->ctx, key_names[PROF_XEN_KEY_NAME], buf);
	}
	if (!ret)
		ret = ops->write(ops->ctx, key_names[PROF_XEN_KEY_STATE], "running");
	return ret;
}

PROF_EXPORT int prof_xen_withdraw(const struct prof_xen_guest_ops *ops)
{
	return ops->write(ops->ctx, key_names[PROF_XEN_KEY_STATE], "done");
}
