/* SPDX-License-Identifier: MIT */
/*
 * fuzz_xen_pages - libFuzzer target for the dom0 collector's reading of a
 * guest's granted pages (collectors/xen/collect.c over libprofile's
 * region reader): the bytes become the guest's pages behind an in-memory
 * transport, and the collector maps, drains, scrapes and closes them as it
 * does a real guest's.
 *
 * Input: one flags byte, then the pages' bytes (zero-padded to whole
 * pages, at most 64 pages):
 *   bit 0  an on-demand scrape (mprof_xen_collector_scrape()) after the
 *          first drain, and another after the rewrite below
 *   bit 1  a rewrite between passes: the input's last 8 bytes are a
 *          little-endian offset (u32, modulo the mapping) and a u32 value
 *          stored there, as a guest writing its pages while dom0 reads
 *   bit 2  the domain crashes (preserved) instead of saying "done"
 *   bit 3  the advertisement is the seed's ring-ref key alone (legacy)
 * The advertisement names as many pages as the input has, the rw pages
 * taken from the image's own header when it has a usable one (else 1,1).
 *
 * The pages are heap memory of exactly that size (ASan catches any read
 * outside them).  Properties: no crash, no out-of-bounds access; the
 * collector writes at most one trace; it closes without error; and what
 * it wrote reads back with no packet invalid, out of order or misplaced,
 * and exactly the events the collector counted (bad packets are counted
 * by the collector, never written).
 * Seeds: corpus/fuzz_xen_pages/, regions of `mprof share --xen --sim`
 * running tests/progs/xen_guest (the guest-side code a real domU runs).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xen_collect.h"
#include "fuzz.h"
#include "profile/ctf.h"
#include "profile/xen.h"
#include "xen_transport.h"

#define MAX_PAGES 64u

struct fuzz_dom {
	const uint8_t *image;
	size_t image_len;
	uint32_t npages;
	uint32_t rw_first, rw_count;
	int legacy;
	const char *state;              /* data/mprof/state */
	enum mprof_xen_dom_state dom;
	uint8_t *mapped;                /* the one live mapping, or NULL */
};

static int f_list(void *ctx, uint32_t *domids, size_t max)
{
	(void)ctx;
	if (max < 1)
		return 0;
	domids[0] = 1;
	return 1;
}

static int f_info(void *ctx, uint32_t domid, char *name, size_t size, enum mprof_xen_dom_state *state)
{
	struct fuzz_dom *d = ctx;

	snprintf(name, size, "fuzz");
	*state = domid == 1 ? d->dom : MPROF_XEN_DOM_GONE;
	return 0;
}

static int put(char *buf, size_t size, const char *s)
{
	size_t n = strlen(s);

	if (n > size)
		return -E2BIG;
	memcpy(buf, s, n);
	return (int)n;
}

static int f_read(void *ctx, uint32_t domid, const char *key, char *buf, size_t size)
{
	struct fuzz_dom *d = ctx;
	char v[MAX_PAGES * 12 + 16];
	size_t n = 0;
	uint32_t i;

	if (domid != 1)
		return -ENOENT;
	if (!strcmp(key, "data/mprof/refs") || !strcmp(key, "data/mprof/ring-ref")) {
		if (d->legacy != !strcmp(key, "data/mprof/ring-ref"))
			return -ENOENT;
		for (i = 0; i < d->npages; i++)
			n += (size_t)snprintf(v + n, sizeof(v) - n, "%s%u", i ? "," : "", 8 + 3 * i);
		return put(buf, size, v);
	}
	if (d->legacy)
		return -ENOENT;
	if (!strcmp(key, "data/mprof/state"))
		return put(buf, size, d->state);
	if (!strcmp(key, "data/mprof/layout"))
		return put(buf, size, "1");
	if (!strcmp(key, "data/mprof/pages")) {
		snprintf(v, sizeof(v), "%u", d->npages);
		return put(buf, size, v);
	}
	if (!strcmp(key, "data/mprof/rw-pages")) {
		snprintf(v, sizeof(v), "%u,%u", d->rw_first, d->rw_count);
		return put(buf, size, v);
	}
	if (!strcmp(key, "data/mprof/poll-ms"))
		return put(buf, size, "1");
	if (!strcmp(key, "data/mprof/name"))
		return put(buf, size, "fuzzed");
	return -ENOENT;
}

static int f_map(void *ctx, uint32_t domid, const uint32_t *refs, uint32_t n, uint32_t rw_first, uint32_t rw_count,
		 void **out, struct prof_error *err)
{
	struct fuzz_dom *d = ctx;
	size_t size = (size_t)n * PROF_PAGE_SIZE;

	(void)refs;
	(void)rw_first;
	(void)rw_count;
	FUZZ_ASSERT(domid == 1 && n == d->npages && !d->mapped);
	/* Exactly the pages: ASan's redzones right after them. */
	d->mapped = aligned_alloc(PROF_PAGE_SIZE, size);
	if (!d->mapped)
		return prof_error_set(err, -ENOMEM, "fuzz", UINT64_MAX, "out of memory");
	memset(d->mapped, 0, size);
	memcpy(d->mapped, d->image, d->image_len < size ? d->image_len : size);
	*out = d->mapped;
	return 0;
}

static void f_unmap(void *ctx, void *mem, uint32_t n)
{
	struct fuzz_dom *d = ctx;

	(void)n;
	FUZZ_ASSERT(mem == d->mapped);
	free(mem);
	d->mapped = NULL;
}

static int f_dom_write(void *ctx, uint32_t domid, const char *key, const char *value)
{
	(void)ctx;
	(void)domid;
	(void)key;
	(void)value;
	return 0;
}

static void f_wait(void *ctx, int timeout_ms)
{
	(void)ctx;
	(void)timeout_ms;
}

static char base[64];
static unsigned long runs;

static void remove_tree(const char *dir);

static void remove_base(void)
{
	remove_tree(base);
}

static void remove_tree(const char *dir)
{
	char path[512];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			remove_tree(path);
		else
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mprof_xen_transport t = {
		.kind = "fuzz", .list = f_list, .info = f_info, .read = f_read, .map = f_map,
		.unmap = f_unmap, .dom_write = f_dom_write, .wait = f_wait,
	};
	struct fuzz_dom d;
	struct mprof_xen_collector *c = NULL;
	struct mprof_xen_totals tot;
	struct prof_region_header hdr;
	char out[128], trace[256];
	uint32_t active, off = 0, val = 0;
	uint64_t now = 0;
	uint8_t flags;
	int ret;

	if (size < 1)
		return 0;
	if (!base[0]) {
		snprintf(base, sizeof(base), "%s/fuzz_xen_pages.XXXXXX", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
		if (!mkdtemp(base))
			abort();
		atexit(remove_base);
	}
	flags = data[0];
	memset(&d, 0, sizeof(d));
	d.image = data + 1;
	d.image_len = size - 1;
	d.npages = (uint32_t)((d.image_len + PROF_PAGE_SIZE - 1) / PROF_PAGE_SIZE);
	if (d.npages == 0)
		d.npages = 1;
	if (d.npages > MAX_PAGES)
		d.npages = MAX_PAGES;
	d.legacy = (flags & 8) != 0;
	d.state = "running";
	d.dom = MPROF_XEN_DOM_RUNNING;
	d.rw_first = 1;
	d.rw_count = 1;
	if (d.image_len >= sizeof(hdr)) {
		uint32_t f, n;

		memcpy(&hdr, d.image, sizeof(hdr));
		if (prof_xen_rw_pages(&hdr, &f, &n) == 0 && f >= 1 && n >= 1 && f < d.npages && n <= d.npages - f) {
			d.rw_first = f;
			d.rw_count = n;
		}
	}
	if (d.npages < 2)
		d.rw_first = 0; /* the parser refuses it: a refused advertisement */
	if ((flags & 2) && d.image_len >= 8) {
		memcpy(&off, data + size - 8, 4);
		memcpy(&val, data + size - 4, 4);
	}
	t.ctx = &d;

	snprintf(out, sizeof(out), "%s/%lu", base, runs++);
	ret = mprof_xen_collector_open(&c, &t, out, 1, 0);
	FUZZ_ASSERT(ret == 0);
	mprof_xen_collector_step_at(c, now += 1000, &active); /* maps */
	mprof_xen_collector_step_at(c, now += 1000, &active); /* drains */
	if (flags & 1)
		mprof_xen_collector_scrape(c);
	if ((flags & 2) && d.mapped) {
		size_t at = (off % ((size_t)d.npages * PROF_PAGE_SIZE)) & ~(size_t)3;

		memcpy(d.mapped + at, &val, 4);
		mprof_xen_collector_step_at(c, now += 1000, &active);
		if (flags & 1)
			mprof_xen_collector_scrape(c);
	}
	if (flags & 4)
		d.dom = MPROF_XEN_DOM_CRASHED;
	else
		d.state = "done";
	mprof_xen_collector_step_at(c, now += 1000, &active); /* scrapes and closes */
	FUZZ_ASSERT(active == 0);
	ret = mprof_xen_collector_close(c, &tot);
	FUZZ_ASSERT(ret == 0);
	FUZZ_ASSERT(d.mapped == NULL);
	FUZZ_ASSERT(tot.traces <= 1);
	FUZZ_ASSERT(tot.guest_bytes_peak <= MPROF_XEN_GUEST_BYTES_MAX);

	if (tot.traces == 1) {
		struct prof_trace *tr = NULL;
		struct prof_trace_stats st;
		struct prof_decoded_event ev;
		struct prof_error err;
		uint64_t n = 0;

		snprintf(trace, sizeof(trace), "%s/fuzz-1", out);
		ret = prof_trace_open(&tr, trace, &err);
		FUZZ_ASSERT(ret == 0);
		while ((ret = prof_trace_next(tr, &ev)) == 1)
			n++;
		FUZZ_ASSERT(ret == 0);
		prof_trace_get_stats(tr, &st);
		FUZZ_ASSERT(st.invalid_packets == 0);
		FUZZ_ASSERT(st.packets_out_of_order == 0);
		FUZZ_ASSERT(st.packets_misplaced == 0);
		FUZZ_ASSERT(st.incomplete == 0);
		FUZZ_ASSERT(n == tot.events);
		FUZZ_ASSERT(st.packets == tot.packets);
		prof_trace_close(tr);
	}
	remove_tree(out);
	return 0;
}
