/* SPDX-License-Identifier: MIT */
/*
 * gen_seeds - write the seed inputs of fuzz_packet and fuzz_region.
 *
 *   cc -std=c11 -D_GNU_SOURCE -Ilibprofile/include -Ilibprofile/src \
 *      tests/fuzz/gen_seeds.c libprofile/src/read/schema.c libprofile/src/posix/error.c \
 *      -o /tmp/gen_seeds && /tmp/gen_seeds tests/fuzz/corpus
 *
 * The seeds are small valid inputs (and a few near-misses) in the formats
 * described at the top of each target, so the fuzzer starts from packets
 * and programs that reach deep into the reader.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/lib/read_builder.h"

static const char *outdir;

static void put(const char *target, const char *name, const uint8_t *p, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", outdir, target, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

/* ---- fuzz_packet: flags, [record], packet ---- */

/* A packet, normalised (packet_size == content_size) unless @whole. */
static size_t good_packet(uint8_t *buf, size_t cap, int with_extra, int whole)
{
	struct rb_pkt w;

	rb_pkt_begin(&w, buf, cap, 0, 3, 100, 2);
	rb_ev(&w, 100, RB_EV_ALL);
	rb_u8(&w, 1);
	rb_u16(&w, 2);
	rb_u32(&w, 3);
	rb_u64(&w, 4);
	rb_u8(&w, 0xff);
	rb_u16(&w, 0xfffe);
	rb_u32(&w, 0xfffffffd);
	rb_u64(&w, (uint64_t)-4);
	rb_f64(&w, 2.5);
	rb_str(&w, "12345678");
	rb_msg(&w, 101, "abcd", 9);
	rb_ev(&w, 101, RB_EV_TICK);
	/* Compact headers (format 2), one across the 2^24 wrap from 101. */
	rb_ev_compact(&w, 102, RB_EV_BEGIN);
	rb_u64(&w, 77);
	rb_ev_compact(&w, 103, RB_EV_END);
	rb_ev_compact(&w, 0xfffff0, RB_EV_TICK);
	rb_ev_compact(&w, 0x1000004, RB_EV_TICK);
	rb_ev(&w, 0x1000010, RB_EV_END);
	if (with_extra) {
		rb_ev(&w, 0x1000020, RB_NEVENTS);
		rb_u16(&w, 5);
		rb_str(&w, "xyz");
		rb_f64(&w, -1.0);
	}
	rb_pkt_close(&w, 0x1000100);
	if (!whole)
		rb_poke(buf, offsetof(struct prof_packet_header, packet_size), 8 * w.off, 8);
	return w.off;
}

/* Cut a normalised packet to @n bytes (content and packet size too). */
static void cut(uint8_t *pkt, size_t n)
{
	rb_poke(pkt, offsetof(struct prof_packet_header, content_size), 8 * n, 8);
	rb_poke(pkt, offsetof(struct prof_packet_header, packet_size), 8 * n, 8);
}

static void packet_seeds(void)
{
	static const struct rb_field extra[] = {
		{ "a", PROF_TYPE_U16, 0 }, { "s", PROF_TYPE_STRING, 3 }, { "x", PROF_TYPE_F64, 0 },
	};
	uint8_t buf[1 + sizeof(struct prof_schema_record) + 512];
	struct prof_schema_record rec;
	struct rb_pkt w;
	size_t n;

	memset(buf, 0, sizeof(buf));
	buf[0] = 0;
	n = good_packet(buf + 1, 512, 0, 0);
	put("fuzz_packet", "good", buf, 1 + n);
	buf[0] = 2;   /* with the uuid check */
	put("fuzz_packet", "good_uuid", buf, 1 + n);
	cut(buf + 1, n - 3);
	put("fuzz_packet", "truncated", buf, 1 + n - 3);
	n = good_packet(buf + 1, 512, 0, 1);
	put("fuzz_packet", "good_whole", buf, 1 + 512);

	buf[0] = 0;
	rb_pkt_begin(&w, buf + 1, 256, 0, 0, 5, 0);
	rb_commit(&w);
	cut(buf + 1, 88);
	put("fuzz_packet", "empty", buf, 1 + 88);

	buf[0] = 3;   /* a schema record for event 5, and the uuid */
	rb_record(&rec, RB_NEVENTS, "extra", PROF_KIND_PLAIN, 3, extra);
	memcpy(buf + 1, &rec, sizeof(rec));
	n = good_packet(buf + 1 + sizeof(rec), 512, 1, 0);
	put("fuzz_packet", "extra_record", buf, 1 + sizeof(rec) + n);
}

/* ---- fuzz_region: geometry, [header], program ---- */

static void region_seeds(void)
{
	uint8_t p[1024];
	size_t n;

	/* Discard, N 2, one slot, 256 bytes: emit, drain, scrape. */
	n = 0;
	p[n++] = 0x00;
	p[n++] = 3;
	p[n++] = 2; p[n++] = 0; p[n++] = 30;
	p[n++] = 3;
	p[n++] = 2; p[n++] = 0; p[n++] = 40;
	p[n++] = 4;
	put("fuzz_region", "discard_basic", p, n);

	/* Overwrite, N 5, four slots, 512 bytes: lap the ring, drain,
	 * reopen, corrupt a head, scrape. */
	n = 0;
	p[n++] = 0x01 | (3 << 1) | (3 << 3) | 0x20;
	p[n++] = 2; p[n++] = 1; p[n++] = 63;
	p[n++] = 2; p[n++] = 1; p[n++] = 63;
	p[n++] = 3;
	p[n++] = 5;
	p[n++] = 2; p[n++] = 2; p[n++] = 50;
	p[n++] = 6; p[n++] = 2; memset(p + n, 0xff, 8); n += 8;
	p[n++] = 3;
	p[n++] = 4;
	put("fuzz_region", "overwrite_lap", p, n);

	/* Discard, N 3, two slots: schema_count beyond max_events, a packet
	 * field poked, an event byte poked, tail ahead. */
	n = 0;
	p[n++] = (1 << 1) | (1 << 3);
	p[n++] = 2; p[n++] = 1; p[n++] = 20;
	p[n++] = 8; p[n++] = 9; p[n++] = 0; p[n++] = 0; p[n++] = 0;
	p[n++] = 9; p[n++] = 1; p[n++] = 1; p[n++] = 72; memset(p + n, 0, 8); p[n] = 7; n += 8;
	p[n++] = 10; p[n++] = 0; p[n++] = 0; p[n++] = 8; p[n++] = 0; p[n++] = 0xff;
	p[n++] = 7; p[n++] = 1; memset(p + n, 0, 8); p[n] = 100; n += 8;
	p[n++] = 3;
	p[n++] = 4;
	p[n++] = 5;
	p[n++] = 4;
	put("fuzz_region", "corrupt_mix", p, n);

	/* Raw header: a valid one for the geometry, then drain. */
	{
		struct prof_region_header h;

		n = 0;
		p[n++] = 0x40 | (2 << 1);
		rb_layout(&h, 0, 256, 4, 1, 8);
		memcpy(p + n, &h, sizeof(h));
		n += sizeof(h);
		p[n++] = 3;
		p[n++] = 4;
		put("fuzz_region", "raw_header", p, n);
	}
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen_seeds CORPUS_DIR (with fuzz_packet/ and fuzz_region/)\n");
		return 2;
	}
	outdir = argv[1];
	packet_seeds();
	region_seeds();
	return 0;
}
