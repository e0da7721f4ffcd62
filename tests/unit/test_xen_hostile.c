/* SPDX-License-Identifier: MIT */
/*
 * A hostile guest (simulated transport): its pages change under the dom0
 * collector.  First deterministically (a stream's head raised over a
 * garbage packet: counted invalid and skipped, the good packets kept),
 * then a thread scribbling random bytes over every page while the
 * collector drains, 300 passes.  Run under ASan by make check's
 * sanitizer phase: any read outside the mapping, or of freed memory,
 * fails it.  The collector must never crash, and must end cleanly.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xen_collect.h"
#include "lib/check.h"
#include "profile/ctf.h"
#include "profile/platform.h"
#include "profile/profile.h"
#include "profile/region.h"
#include "profile/xen.h"
#include "xen_transport.h"

PROF_EVENT(hx_ev, "hx.ev", (u64, seq), (str(24), label));


static uint8_t *guest_mem;
static size_t guest_size;
static atomic_int stop;

static void *scribbler(void *arg)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	unsigned long n = 0;

	(void)arg;
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		/* Mostly small values in the header, slots and packet headers,
		 * so that checks are passed part-way; sometimes anything. */
		guest_mem[x % guest_size] = (uint8_t)(x >> 56) & (x & 1 ? 0x0f : 0xff);
		if (++n % 64 == 0)
			sched_yield();
	}
	return NULL;
}

static int share_write(void *ctx, const char *key, const char *value)
{
	const struct mprof_xen_transport *t = ctx;

	return t->write(t->ctx, key, value);
}

int main(void)
{
	char dir[] = "/tmp/test_xen_hostile.XXXXXX", path[512], buf[600];
	struct mprof_xen_transport guest, dom0;
	struct mprof_xen_collector *col = NULL;
	struct mprof_xen_totals tot;
	struct prof_region_header hdr;
	struct prof_region_config cfg;
	struct prof_region *region = NULL;
	struct prof_xen_guest_ops ops;
	struct prof_error err;
	uint32_t rw_first, rw_count, npages, *refs, active, i;
	pthread_t th;
	int fd = -1, ret, step;
	uint64_t now = 0; /* the collector's clock: a pass a second, each one drains */
	void *mem;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/xen", dir);
	ret = mprof_xen_sim_open(&guest, path, "hostile", &err);
	CHECK_MSG(ret == 0, "sim guest: %s", err.text);
	ret = mprof_xen_sim_open(&dom0, path, NULL, &err);
	CHECK_MSG(ret == 0, "sim dom0: %s", err.text);

	/* A small region: 4 KiB packets, 8 per stream, 2 streams. */
	CHECK_MSG(prof_region_layout(PROF_MODE_DISCARD, 4096, 8, 2, 8, &hdr) == 0, "layout");
	npages = (uint32_t)(hdr.region_size / PROF_PAGE_SIZE);
	prof_xen_rw_pages(&hdr, &rw_first, &rw_count);
	refs = calloc(npages, sizeof(*refs));
	ret = guest.share(guest.ctx, npages, rw_first, rw_count, refs, &mem, &fd, &err);
	CHECK_MSG(ret == 0, "share: %s", err.text);
	if (ret)
		return 1;
	guest_mem = mem;
	guest_size = (size_t)npages * PROF_PAGE_SIZE;
	prof_region_config_init(&cfg);
	cfg.packet_size = 4096;
	cfg.packets_per_stream = 8;
	cfg.stream_slots = 2;
	cfg.max_events = 8;
	cfg.backing = PROF_BACKING_MEMORY;
	cfg.memory = mem;
	cfg.memory_size = guest_size;
	cfg.attach = 1;
	ret = prof_region_open(&region, &cfg, &err);
	CHECK_MSG(ret == 0, "region: %s", prof_error_format(&err, buf, sizeof(buf)));
	if (ret)
		return 1;
	memcpy(&hdr, mem, sizeof(hdr));
	ops.write = share_write;
	ops.ctx = &guest;
	CHECK_MSG(prof_xen_advertise(&ops, &hdr, refs, npages, 1, 0, "hostile") == 0, "advertise");

	/* Three complete packets and an open one, then the producer stops. */
	for (i = 0; i < 400; i++)
		PROF_EMIT(hx_ev, i, "twenty-four bytes, ok");
	prof_region_detach();

	snprintf(path, sizeof(path), "%s/out", dir);
	CHECK_MSG(mprof_xen_collector_open(&col, &dom0, path, 1, 0) == 0, "collector");
	CHECK_MSG(mprof_xen_collector_step_at(col, now += 1000, &active) >= 0 && active == 1, "first pass: %u guests active", active);

	/* Deterministic: stream 0's head raised by 2 over stale packets. */
	{
		struct prof_slot *slot = (struct prof_slot *)(guest_mem + hdr.slots_offset);
		uint8_t *ring0 = guest_mem + hdr.rings_offset;

		ring0[100] ^= 0xff; /* the first packet's events: garbage now */
		__atomic_store_n(&slot[0].head, slot[0].head + 2, __ATOMIC_RELEASE);
		CHECK_MSG(mprof_xen_collector_step_at(col, now += 1000, &active) >= 0, "pass over a raised head");
	}

	/* Concurrent: a thread scribbles while the collector drains. */
	pthread_create(&th, NULL, scribbler, NULL);
	for (step = 0; step < 300; step++)
		if (mprof_xen_collector_step_at(col, now += 1000, &active) < 0) {
			CHECK_MSG(0, "pass %d failed", step);
			break;
		}
	atomic_store(&stop, 1);
	pthread_join(th, NULL);
	/* The program ends: the collector scrapes what is left and closes. */
	CHECK_MSG(prof_xen_withdraw(&ops) == 0, "withdraw");
	mprof_xen_collector_step_at(col, now += 1000, &active);
	CHECK_MSG(active == 0, "after 'done': %u guests still active", active);
	CHECK_MSG(mprof_xen_collector_close(col, &tot) == 0, "close");
	printf("hostile guest: %llu packets, %llu events, %llu invalid packets skipped, %llu traces\n",
	       (unsigned long long)tot.packets, (unsigned long long)tot.events,
	       (unsigned long long)tot.invalid_packets, (unsigned long long)tot.traces);
	CHECK_MSG(tot.events >= 300, "the good packets were lost: %llu events", (unsigned long long)tot.events);
	CHECK_MSG(tot.invalid_packets >= 1, "no invalid packet counted (the raised head over garbage)");
	CHECK_MSG(tot.traces == 1, "%llu traces closed, expected 1", (unsigned long long)tot.traces);

	prof_region_close(region);
	free(refs);
	guest.close(guest.ctx);
	dom0.close(dom0.ctx);
	snprintf(buf, sizeof(buf), "rm -rf '%s'", dir);
	if (system(buf) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	printf("test_xen_hostile: ok\n");
	return 0;
}
