/* SPDX-License-Identifier: MIT */
/*
 * Compact event headers on a fake clock: the producer records events at
 * timestamps chosen around the compact field's wrap period (2^24 ticks)
 * and far beyond it (2^32, 2^56, 2^61), mixing compact and extended
 * headers and crossing packet boundaries (small packets), and the reader
 * gives back every timestamp exactly.  The same events written as a trace
 * are then read by babeltrace2 (when installed), which must print the
 * same timestamps: CTF 1.8's N-bit clock field, as it infers the wrap.
 *
 * The region uses a platform clock (PROF_CLOCK_PLATFORM) whose now() the
 * test sets, so every emit takes the slow path, which applies the fast
 * path's rule (compact when the id is below 255 and the timestamp is in
 * the epoch of the stream's last one).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/check.h"
#include "profile/ctf.h"
#include "profile/event.h"
#include "profile/platform.h"
#include "profile/read.h"

PROF_EVENT(ev_bench, "compact.bench", (u64, a), (u32, b));
PROF_EVENT(ev_tick, "compact.tick");

#define PSIZE 256u
#define NPACKETS 512u
#define MAXEV 4096u
#define WRAP (1ull << PROF_EVENT_TS_BITS)

static uint64_t fake_now;
static uint64_t fake_clock(void *ctx)
{
	(void)ctx;
	return fake_now;
}

static uint64_t fake_tid(void *ctx)
{
	(void)ctx;
	return 7;
}

static uint64_t want_ts[MAXEV];
static uint64_t want_a[MAXEV];
static uint32_t nwant;

struct got {
	uint64_t ts[MAXEV];
	uint64_t a[MAXEV];
	uint32_t n;
	uint64_t compact, extended; /* headers seen, by form */
	struct prof_ctf_writer *w;
};

/* The header forms of a checked packet's events, by walking it as the
 * format says (a check of the producer's choices, not of the decoder). */
static void count_forms(const uint8_t *pkt, const struct prof_packet_info *info,
			const struct prof_schema *schema, struct got *g)
{
	uint64_t off = PROF_PACKET_HEADER_SIZE;

	while (off < info->content_bytes) {
		uint32_t id;

		if (pkt[off] == PROF_EVENT_EXTENDED) {
			id = (uint32_t)pkt[off + 1] | (uint32_t)pkt[off + 2] << 8 | (uint32_t)pkt[off + 3] << 16;
			off += PROF_EVENT_EXTENDED_SIZE;
			g->extended++;
		} else {
			id = pkt[off];
			off += PROF_EVENT_COMPACT_SIZE;
			g->compact++;
		}
		CHECK(id < schema->count);
		off += schema->events[id].min_size;
	}
	CHECK_EQ(off, info->content_bytes);
}

static const struct prof_schema *cur_schema;

static int sink(void *arg, uint32_t stream, const uint8_t *pkt, size_t len, const struct prof_packet_info *info)
{
	struct got *g = arg;
	struct prof_packet_cursor c;
	struct prof_decoded_event ev;
	int rc;

	prof_packet_cursor_init(&c, pkt, info, cur_schema);
	while ((rc = prof_packet_next(&c, &ev)) == 1) {
		CHECK(g->n < MAXEV);
		g->ts[g->n] = ev.timestamp;
		g->a[g->n] = ev.nfields ? ev.values[0].v.u : UINT64_MAX;
		g->n++;
	}
	CHECK_EQ(rc, 0);
	count_forms(pkt, info, cur_schema, g);
	if (g->w)
		CHECK_EQ(prof_ctf_writer_packet(g->w, stream, pkt, len), 0);
	return 0;
}

static void emit_at(uint64_t ts, int tick)
{
	fake_now = ts;
	want_ts[nwant] = ts;
	want_a[nwant] = tick ? UINT64_MAX : nwant;
	if (tick)
		PROF_EMIT(ev_tick);
	else
		PROF_EMIT(ev_bench, (uint64_t)nwant, (uint32_t)ts);
	nwant++;
}

/* The gaps: every size around the wrap period and its multiples, and a
 * few enormous ones, each after a run of close events. */
static void emit_gaps(void)
{
	static const uint64_t around[] = { 0, 1, 2, 3, 255, 256, 4095, 4096 };
	/* Not within 2^24 of a multiple of 2^56: the epoch compared is bits
	 * 24..55 (docs/REGION.md says why that limit is accepted). */
	static const uint64_t far[] = { 1ull << 32, (1ull << 32) + 1, 1ull << 40, (1ull << 56) + 3 * WRAP,
					(1ull << 56) - 3 * WRAP, (1ull << 55) + 1, (1ull << 60) + WRAP * 7 / 2 };
	uint64_t t = 5000000000ull, k, i;

	emit_at(t, 0);
	for (k = 1; k <= 4; k++)
		for (i = 0; i < sizeof(around) / sizeof(around[0]); i++) {
			uint64_t gap;

			/* Just under, at and just over k periods. */
			gap = k * WRAP - around[i] - 1;
			emit_at(t += gap, (int)(i & 1));
			emit_at(t += 1, 0);
			gap = k * WRAP + around[i];
			emit_at(t += gap, 0);
			emit_at(t += 3, (int)(i & 1));
		}
	/* Across an epoch boundary by small steps (compact, extended). */
	t = (t | (WRAP - 1)) - 5;
	for (i = 0; i < 12; i++)
		emit_at(t += 1, 0);
	for (i = 0; i < sizeof(far) / sizeof(far[0]); i++) {
		emit_at(t += far[i], 0);
		emit_at(t += 17, 0);
	}
	/* A long run of close events: many packets, mostly compact. */
	for (i = 0; i < 1500; i++)
		emit_at(t += 1000 + (i % 7) * 100000, (int)(i % 5 == 0));
	/* A last far jump (babeltrace2 keeps nanoseconds in an int64: the
	 * trace stays below 2^62 ticks of a 1 GHz clock). */
	emit_at(t += (1ull << 61) + 12345 + 5 * WRAP, 0);
	emit_at(t + 1, 0);
}

static char *run_babeltrace(const char *dir)
{
	char *cmd = NULL, *out = NULL;
	size_t cap = 0, len = 0;
	FILE *f;
	char buf[4096];

	CHECK(asprintf(&cmd, "babeltrace2 --clock-cycles --no-delta '%s' 2>&1", dir) > 0);
	f = popen(cmd, "r");
	CHECK(f != NULL);
	while (fgets(buf, sizeof(buf), f)) {
		size_t n = strlen(buf);

		if (len + n + 1 > cap) {
			cap = (len + n + 1) * 2;
			out = realloc(out, cap);
			CHECK(out != NULL);
		}
		memcpy(out + len, buf, n + 1);
		len += n;
	}
	if (pclose(f) != 0)
		CHECK_FAIL("%s failed:\n%s", cmd, out ? out : "");
	free(cmd);
	return out ? out : strdup("");
}

/* babeltrace2 prints "[cycles] ..." per event, in order (one stream). */
static void check_babeltrace(const char *dir, const struct got *g)
{
	char *out, *line, *save = NULL;
	uint32_t i = 0;

	if (system("babeltrace2 --version > /dev/null 2>&1") != 0) {
		printf("babeltrace2 not installed: its part skipped\n");
		return;
	}
	out = run_babeltrace(dir);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long ts;

		if (sscanf(line, "[%llu]", &ts) != 1)
			CHECK_FAIL("babeltrace2 printed an unexpected line: %s", line);
		CHECK(i < g->n);
		if (ts != g->ts[i])
			CHECK_FAIL("event %u: babeltrace2 says %llu, mprof's reader %llu", i, ts,
				   (unsigned long long)g->ts[i]);
		i++;
	}
	CHECK_EQ(i, g->n);
	free(out);
}

int main(void)
{
	static struct got g;
	struct prof_region_header h;
	struct prof_platform plat = { fake_clock, fake_tid, NULL, NULL };
	struct prof_region_reader *r = NULL;
	struct prof_error err;
	struct prof_trace_desc desc;
	char tmpl[] = "/tmp/mprof-compact-XXXXXX", *dir = NULL;
	void *mem = NULL;
	uint32_t i;

	CHECK_EQ(prof_region_layout(PROF_MODE_DISCARD, PSIZE, NPACKETS, 1, 16, &h), 0);
	memset(h.uuid, 0x5a, sizeof(h.uuid));
	h.clock.source = PROF_CLOCK_PLATFORM;
	h.clock.freq_hz = 1000000000;
	CHECK_EQ(posix_memalign(&mem, PROF_PAGE_SIZE, h.region_size), 0);
	memset(mem, 0, h.region_size);
	CHECK_EQ(prof_region_format(mem, h.region_size, &h), 0);
	CHECK_EQ(prof_region_attach(mem, h.region_size, &plat), 0);

	CHECK(mkdtemp(tmpl) != NULL);
	CHECK(asprintf(&dir, "%s/trace", tmpl) > 0);
	CHECK_EQ(prof_ctf_writer_open(&g.w, dir, &err), 0);
	CHECK_EQ(prof_region_reader_open(&r, mem, h.region_size, "fake", &err), 0);

	/* Emit in rounds, draining between them (the ring is small). */
	emit_gaps();
	CHECK_EQ(prof_region_detach(), 0);
	cur_schema = prof_region_reader_schema(r);
	CHECK(cur_schema != NULL);
	CHECK_EQ(prof_region_reader_drain(r, sink, &g) >= 0, 1);
	CHECK_EQ(prof_region_reader_scrape(r, sink, &g) >= 0, 1);

	/* Nothing dropped: the ring held everything. */
	CHECK_EQ(g.n, nwant);
	for (i = 0; i < nwant; i++) {
		if (g.ts[i] != want_ts[i])
			CHECK_FAIL("event %u: read timestamp %llu, emitted at %llu (gap %llu)", i,
				   (unsigned long long)g.ts[i], (unsigned long long)want_ts[i],
				   (unsigned long long)(i ? want_ts[i] - want_ts[i - 1] : 0));
		CHECK_EQ_U(g.a[i], want_a[i]);
	}
	/* Both forms were used, compact for most. */
	printf("%u events: %llu compact, %llu extended headers\n", nwant, (unsigned long long)g.compact,
	       (unsigned long long)g.extended);
	CHECK_GT(g.extended, 40);
	CHECK_GT(g.compact, 1000);

	memset(&desc, 0, sizeof(desc));
	memcpy(desc.uuid, h.uuid, sizeof(desc.uuid));
	desc.byte_order = PROF_BYTE_ORDER_LE;
	desc.clock = h.clock;
	desc.schema = *cur_schema;
	CHECK_EQ(prof_ctf_writer_metadata(g.w, &desc, &err), 0);
	CHECK_EQ(prof_ctf_writer_close(g.w), 0);
	check_babeltrace(dir, &g);

	prof_region_reader_close(r);
	free(mem);
	free(dir);
	if (!getenv("KEEP"))
		CHECK(asprintf(&dir, "rm -rf '%s'", tmpl) > 0);
	else
		CHECK(asprintf(&dir, "echo kept '%s'", tmpl) > 0);
	CHECK_EQ(system(dir), 0);
	free(dir);
	printf("test_compact_clock: ok\n");
	return 0;
}
