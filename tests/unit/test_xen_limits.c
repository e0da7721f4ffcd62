/* SPDX-License-Identifier: MIT */
/*
 * What a guest may make the dom0 collector do (simulated transport, the
 * collector in-process, its clock the test's):
 *
 *  1. Poll intervals: each guest is drained at its data/mprof/poll-ms,
 *     clamped to [MPROF_XEN_POLL_MIN_MS, MPROF_XEN_POLL_MAX_MS]; a guest
 *     naming an event channel instead is polled at
 *     MPROF_XEN_EVTCHN_POLL_MS.  Exact drain counts over 1000 ms of the
 *     test's clock, stepped a millisecond at a time.
 *  2. Caps: a region header asking for more stream slots, a bigger packet
 *     or more event types than xen_collect.h's caps is refused with a
 *     message naming the domain and the field (and a page count above
 *     PROF_XEN_MAX_PAGES by the advertisement's parser, naming the key);
 *     no trace is made, the other guests are collected.
 *  3. Memory: a guest at the caps (1 MiB packets, 1024 event types) that
 *     floods its schema with the largest records it can while it drains
 *     for 300 passes, then announces schema records beyond its max_events:
 *     the bytes the collector counts for it stay under
 *     MPROF_XEN_GUEST_BYTES_MAX, and so does the heap the process really
 *     grew by (mallinfo2(), where the allocator reports it).
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xen_collect.h"
#include "lib/check.h"
#include "profile/platform.h"
#include "profile/profile.h"
#include "profile/region.h"
#include "profile/xen.h"
#include "xen_transport.h"

PROF_EVENT(xl_ev, "xl.ev", (u64, seq), (u64, pad));

struct sim_guest {
	struct mprof_xen_transport t;
	struct mprof_xen_shared sh;
	uint8_t *mem;
	uint32_t domid;
};

static char dir[64], xen[128];

/* A simulated guest with a formatted (and, with @attach, attached) region
 * of that geometry, advertised with @poll_ms (0: an event channel). */
static void guest_make(struct sim_guest *g, const char *name, uint32_t psize, uint32_t nper, uint32_t streams,
		       uint32_t max_events, uint32_t poll_ms, int attach)
{
	struct prof_region_config cfg;
	struct prof_error err;
	int ret;

	memset(g, 0, sizeof(*g));
	ret = mprof_xen_sim_open(&g->t, xen, name, &err);
	CHECK_MSG(ret == 0, "sim guest %s: %s", name, err.text);
	g->domid = mprof_xen_sim_domid(&g->t);
	prof_region_config_init(&cfg);
	cfg.packet_size = psize;
	cfg.packets_per_stream = nper;
	cfg.stream_slots = streams;
	cfg.max_events = max_events;
	cfg.attach = attach;
	ret = mprof_xen_share_region(&g->t, &cfg, poll_ms, poll_ms ? 0 : 7, name, &g->sh, &err);
	CHECK_MSG(ret == 0, "sharing %s: %s", name, err.text);
	g->mem = g->sh.mem;
}

/* The region goes, and the domain with it (no name: gone). */
static void guest_free(struct sim_guest *g)
{
	char path[300];

	g->sh.advertised = 0; /* gone without a word */
	mprof_xen_unshare(&g->sh);
	g->t.close(g->t.ctx);
	snprintf(path, sizeof(path), "%s/dom/%u/name", xen, g->domid);
	CHECK_MSG(unlink(path) == 0, "cannot remove %s", path);
}

static void write_key(uint32_t domid, const char *key, const char *value)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/dom/%u/xs/%s", xen, domid, key);
	f = fopen(path, "w");
	CHECK_MSG(f != NULL, "cannot write %s", path);
	fputs(value, f);
	fclose(f);
}

static struct mprof_xen_guest_info info_of(struct mprof_xen_collector *c, uint32_t domid)
{
	struct mprof_xen_guest_info i;

	CHECK_MSG(mprof_xen_collector_guest(c, domid, &i) == 0, "no guest info for domain %u", domid);
	return i;
}

/* ---- 1. poll intervals ---- */
static void test_intervals(void)
{
	static const struct {
		const char *name;
		uint32_t asked, want;
	} cases[] = {
		{ "poll-50", 50, 50 },
		{ "poll-3", 3, MPROF_XEN_POLL_MIN_MS },
		{ "poll-max", MPROF_XEN_POLL_MAX_MS, MPROF_XEN_POLL_MAX_MS },
		{ "evtchn", 0, MPROF_XEN_EVTCHN_POLL_MS },
	};
	struct sim_guest g[4];
	struct mprof_xen_collector *col;
	struct mprof_xen_transport dom0;
	struct mprof_xen_totals tot;
	struct prof_error err;
	char out[128];
	uint32_t active, i;
	uint64_t now;
	int ret, min_wait = 1 << 30;

	for (i = 0; i < 4; i++)
		guest_make(&g[i], cases[i].name, 4096, 4, 1, 8, cases[i].asked, 0);
	CHECK_MSG(mprof_xen_sim_open(&dom0, xen, NULL, &err) == 0, "sim dom0: %s", err.text);
	snprintf(out, sizeof(out), "%s/out1", dir);
	CHECK_OK(mprof_xen_collector_open(&col, &dom0, out, 1, 0));
	/* Pass 1 (t = 1) maps them; each is drained at t = 2 and then every
	 * interval: 1 + (1000 - 2) / interval drains by t = 1000. */
	for (now = 1; now <= 1000; now++) {
		ret = mprof_xen_collector_step_at(col, now, &active);
		CHECK_MSG(ret >= 0, "pass at %" PRIu64 " ms failed: %d", now, ret);
		CHECK_MSG(active == 4, "pass at %" PRIu64 " ms: %u guests active, expected 4", now, active);
		if (now > 2 && ret < min_wait)
			min_wait = ret;
	}
	for (i = 0; i < 4; i++) {
		struct mprof_xen_guest_info gi = info_of(col, g[i].domid);
		uint64_t want = 1 + (1000 - 2) / cases[i].want;

		printf("%-9s asked %5u ms, drained every %5u ms: %3" PRIu64 " drains in 1000 ms (expected %" PRIu64 ")\n",
		       cases[i].name, gi.asked_poll_ms, gi.poll_ms, gi.drains, want);
		CHECK_MSG(gi.poll_ms == cases[i].want, "%s: asked %u ms, drained every %u ms, expected %u", cases[i].name,
			  cases[i].asked, gi.poll_ms, cases[i].want);
		CHECK_MSG(gi.asked_poll_ms == cases[i].asked, "%s: the advertised poll-ms read as %u, expected %u",
			  cases[i].name, gi.asked_poll_ms, cases[i].asked);
		CHECK_MSG(gi.drains == want, "%s: %" PRIu64 " drains in 1000 ms, expected %" PRIu64, cases[i].name, gi.drains,
			  want);
	}
	/* The waits it asks for: never 0 between due times, never beyond the
	 * shortest interval (10 ms). */
	CHECK_MSG(min_wait >= 1, "the collector asked for a wait of %d ms between passes", min_wait);
	CHECK_MSG(mprof_xen_collector_step_at(col, 1001, &active) <= (int)MPROF_XEN_POLL_MIN_MS,
		  "a wait beyond the shortest interval");
	CHECK_OK(mprof_xen_collector_close(col, &tot));
	CHECK_EQ(tot.traces, 4);
	for (i = 0; i < 4; i++)
		guest_free(&g[i]);
	dom0.close(dom0.ctx);
}

/* ---- 2. caps ---- */
static void test_caps(void)
{
	struct sim_guest streams, packet, events, pages, fine;
	struct mprof_xen_collector *col;
	struct mprof_xen_transport dom0;
	struct mprof_xen_totals tot;
	struct prof_error err;
	char out[128], log[128], path[300], text[8192], want[300];
	uint32_t active;
	int saved, fd;
	ssize_t n;

	guest_make(&streams, "many-streams", 4096, 2, MPROF_XEN_CAP_STREAMS + 1, 8, 100, 0);
	guest_make(&packet, "big-packets", MPROF_XEN_CAP_PACKET_SIZE * 2, 2, 1, 8, 100, 0);
	guest_make(&events, "many-events", 4096, 2, 1, MPROF_XEN_CAP_EVENTS + 1, 100, 0);
	guest_make(&pages, "many-pages", 4096, 2, 1, 8, 100, 0);
	write_key(pages.domid, "data.mprof.pages", "20000");
	guest_make(&fine, "fine", 4096, 2, 1, 8, 100, 0);

	CHECK_MSG(mprof_xen_sim_open(&dom0, xen, NULL, &err) == 0, "sim dom0: %s", err.text);
	snprintf(out, sizeof(out), "%s/out2", dir);
	snprintf(log, sizeof(log), "%s/caps.log", dir);
	fflush(stderr);
	saved = dup(2);
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(saved >= 0 && fd >= 0);
	dup2(fd, 2);
	close(fd);
	CHECK_OK(mprof_xen_collector_open(&col, &dom0, out, 1, 0));
	mprof_xen_collector_step_at(col, 1, &active);
	mprof_xen_collector_step_at(col, 2, &active);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	fd = open(log, O_RDONLY);
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	text[n > 0 ? n : 0] = 0;
	printf("%s", text);
	CHECK_MSG(active == 1, "%u guests active, expected 1 (the one within the caps)", active);

#define EXPECT_LINE(...)                                                                          \
	do {                                                                                      \
		snprintf(want, sizeof(want), __VA_ARGS__);                                        \
		CHECK_MSG(strstr(text, want) != NULL, "no message '%s' in:\n%s", want, text); \
	} while (0)
	EXPECT_LINE("mprof collect: domain %u (many-streams): region header: stream_slots %u is above this "
		    "collector's cap of %u per guest",
		    streams.domid, MPROF_XEN_CAP_STREAMS + 1, MPROF_XEN_CAP_STREAMS);
	EXPECT_LINE("mprof collect: domain %u (big-packets): region header: packet_size %u is above this "
		    "collector's cap of %u per guest",
		    packet.domid, MPROF_XEN_CAP_PACKET_SIZE * 2, MPROF_XEN_CAP_PACKET_SIZE);
	EXPECT_LINE("mprof collect: domain %u (many-events): region header: max_events %u is above this "
		    "collector's cap of %u per guest",
		    events.domid, MPROF_XEN_CAP_EVENTS + 1, MPROF_XEN_CAP_EVENTS);
	EXPECT_LINE("mprof collect: domain %u (many-pages): data/mprof/pages: '20000' is not a decimal number "
		    "from 1 to %u",
		    pages.domid, PROF_XEN_MAX_PAGES);
	snprintf(path, sizeof(path), "%s/many-streams-%u", out, streams.domid);
	CHECK_MSG(access(path, F_OK) != 0, "%s: a trace was made for a refused guest", path);
	CHECK_OK(mprof_xen_collector_close(col, &tot));
	CHECK_MSG(tot.refused_guests == 4, "%" PRIu64 " guests refused, expected 4", tot.refused_guests);
	CHECK_MSG(tot.traces == 1, "%" PRIu64 " traces, expected 1 (the guest within the caps)", tot.traces);
	guest_free(&streams);
	guest_free(&packet);
	guest_free(&events);
	guest_free(&pages);
	guest_free(&fine);
	dom0.close(dom0.ctx);
}

/* ---- 3. memory while a guest at the caps floods its schema ---- */

/* The largest valid record: a 63-byte name, 14 fields of 27-byte names. */
static void flood_record(struct prof_schema_record *rec, uint32_t id)
{
	uint32_t f;

	memset(rec, 0, sizeof(*rec));
	memset(rec->name, 'x', PROF_NAME_MAX - 1);
	memcpy(rec->name, "flood.", 6);
	for (f = 0; f < 5; f++)
		rec->name[6 + f] = (char)('0' + (id / (uint32_t[]){ 10000, 1000, 100, 10, 1 }[f]) % 10);
	rec->id = id;
	rec->kind = PROF_KIND_PLAIN;
	rec->nfields = PROF_MAX_FIELDS;
	for (f = 0; f < PROF_MAX_FIELDS; f++) {
		memset(rec->fields[f].name, 'y', PROF_FIELD_NAME_MAX - 1);
		rec->fields[f].name[0] = 'f';
		rec->fields[f].name[1] = (char)('a' + f);
		rec->fields[f].type = f % 2 ? PROF_TYPE_STRING : PROF_TYPE_U64;
		rec->fields[f].bound = f % 2 ? PROF_MAX_STRING_BOUND : 0;
	}
}

static size_t heap_now(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

static void test_memory(void)
{
	struct sim_guest g;
	struct mprof_xen_collector *col;
	struct mprof_xen_transport dom0;
	struct mprof_xen_totals tot;
	struct prof_region_header hdr;
	struct prof_error err;
	char out[128];
	uint32_t active, pass, next = 1, i;
	uint64_t now = 0, seq = 0, peak_counted = 0;
	size_t heap0, heap_peak = 0, probe;
	void *p;
	int heap_known;

	guest_make(&g, "flood", MPROF_XEN_CAP_PACKET_SIZE, 2, 8, MPROF_XEN_CAP_EVENTS, 10, 1);
	memcpy(&hdr, g.mem, sizeof(hdr));
	PROF_EMIT(xl_ev, seq, 0); /* id 0 is ours; the flood takes 1 .. max_events - 1 */
	seq++;
	CHECK_MSG(mprof_xen_sim_open(&dom0, xen, NULL, &err) == 0, "sim dom0: %s", err.text);
	snprintf(out, sizeof(out), "%s/out3", dir);

	/* Does the allocator report its heap?  (Not under ASan.) */
	probe = heap_now();
	p = malloc(1 << 20);
	CHECK(p != NULL);
	memset(p, 1, 1 << 20);
	heap_known = heap_now() >= probe + (1 << 20) && ((volatile char *)p)[4096] == 1;
	free(p);
	heap0 = heap_now();

	CHECK_OK(mprof_xen_collector_open(&col, &dom0, out, 1, 0));
	for (pass = 0; pass < 300; pass++) {
		struct mprof_xen_guest_info gi;

		/* Sixteen more of the largest records a pass, published as the
		 * producer does (release store of schema_count). */
		for (i = 0; i < 16 && next < hdr.max_events; i++, next++) {
			struct prof_schema_record rec;

			flood_record(&rec, next);
			memcpy(g.mem + hdr.schema_offset + (uint64_t)next * hdr.schema_record_size, &rec, sizeof(rec));
		}
		if (pass == 290) /* then more than max_events announced */
			next = hdr.max_events + 5000;
		__atomic_store_n((uint32_t *)(void *)(g.mem + offsetof(struct prof_region_header, schema_count)), next,
				 __ATOMIC_RELEASE);
		for (i = 0; i < 2000; i++, seq++)
			PROF_EMIT(xl_ev, seq, seq);
		CHECK_MSG(mprof_xen_collector_step_at(col, now += 1000, &active) >= 0, "pass %u failed", pass);
		CHECK_MSG(active == 1, "pass %u: %u guests active, expected 1", pass, active);
		gi = info_of(col, g.domid);
		if (gi.bytes_held > peak_counted)
			peak_counted = gi.bytes_held;
		CHECK_MSG(gi.bytes_held <= MPROF_XEN_GUEST_BYTES_MAX,
			  "pass %u: %" PRIu64 " bytes held for the guest, above the cap of %u", pass, gi.bytes_held,
			  MPROF_XEN_GUEST_BYTES_MAX);
		if (heap_known && heap_now() > heap0 && heap_now() - heap0 > heap_peak)
			heap_peak = heap_now() - heap0;
	}
	prof_region_detach();
	write_key(g.domid, "data.mprof.state", "done");
	mprof_xen_collector_step_at(col, now += 1000, &active);
	CHECK_MSG(active == 0, "after 'done': %u guests active", active);
	CHECK_OK(mprof_xen_collector_close(col, &tot));
	printf("flood: %" PRIu64 " events in %" PRIu64 " packets, %" PRIu64 " schema records unusable; bytes held for "
	       "the guest: at most %" PRIu64 " counted (%" PRIu64 " in the totals), heap grew by at most %zu%s; cap %u\n",
	       tot.events, tot.packets, tot.schema_errors, peak_counted, tot.guest_bytes_peak, heap_peak,
	       heap_known ? "" : " (not reported by this allocator)", MPROF_XEN_GUEST_BYTES_MAX);
	CHECK_MSG(tot.events == seq, "%" PRIu64 " events collected, expected %" PRIu64, tot.events, seq);
	CHECK_MSG(tot.schema_errors >= 1, "schema_count beyond max_events was not counted");
	/* The flood reached the caps: the schema and the metadata are big. */
	CHECK_MSG(peak_counted > MPROF_XEN_CAP_PACKET_SIZE + 1024u * 1024u,
		  "only %" PRIu64 " bytes counted at most: the flood did not reach the caps", peak_counted);
	CHECK_MSG(tot.guest_bytes_peak == peak_counted || tot.guest_bytes_peak >= peak_counted,
		  "the totals' peak %" PRIu64 " is below the guest's %" PRIu64, tot.guest_bytes_peak, peak_counted);
	CHECK_MSG(tot.guest_bytes_peak <= MPROF_XEN_GUEST_BYTES_MAX, "the peak %" PRIu64 " is above the cap %u",
		  tot.guest_bytes_peak, MPROF_XEN_GUEST_BYTES_MAX);
	if (heap_known)
		CHECK_MSG(heap_peak <= MPROF_XEN_GUEST_BYTES_MAX, "the heap grew by %zu bytes, above the cap of %u",
			  heap_peak, MPROF_XEN_GUEST_BYTES_MAX);
	guest_free(&g);
	dom0.close(dom0.ctx);
}

int main(void)
{
	char cmd[128];

	snprintf(dir, sizeof(dir), "/tmp/test_xen_limits.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(xen, sizeof(xen), "%s/xen", dir);
	test_intervals();
	test_caps();
	test_memory();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	printf("test_xen_limits: ok\n");
	return 0;
}
