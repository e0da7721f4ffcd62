/* SPDX-License-Identifier: MIT */
/*
 * str(N) truncation keeps UTF-8 valid: a string longer than its bound is
 * cut at the bound, or before a multi-byte character that straddles it;
 * a malformed input is cut at the bound, never made worse; every cut is
 * counted in the region header's strings_truncated.  Emitted into small
 * packets, so strings land at packet ends too: the reserved size and the
 * bytes written must agree exactly (the reader validates every packet),
 * and the field after the string is intact.
 */
#include <stdint.h>
#include <string.h>

#include "lib/check.h"
#include "profile/profile.h"

PROF_EVENT(u8s, "utf8.s8", (u32, idx), (str(8), s), (u32, after));
PROF_EVENT(u1s, "utf8.s1", (u32, idx), (str(1), s), (u32, after));
PROF_EVENT(u2s, "utf8.s2", (u32, idx), (str(2), s), (u32, after));
PROF_EVENT(u100s, "utf8.s100", (u32, idx), (str(100), s), (u32, after));

struct tcase {
	int bound;
	const char *in;
	const char *want;
	int cut;
};

static char a99e[128];  /* 99 'a' then an e-acute: straddles 100 */
static char a99[128];

static const struct tcase cases[] = {
	{ 8, "abcdefgh", "abcdefgh", 0 },                                     /* fits exactly */
	{ 8, "abcdefghi", "abcdefgh", 1 },                                    /* ASCII, cut at 8 */
	{ 8, "abcdefg\xc3\xa9", "abcdefg", 1 },                               /* e-acute at 7..8 */
	{ 8, "abcdef\xc3\xa9", "abcdef\xc3\xa9", 0 },                         /* e-acute ends at 8 */
	{ 8, "abcdef\xc3\xa9x", "abcdef\xc3\xa9", 1 },                        /* cut between characters */
	{ 8, "abcdef\xe2\x82\xac", "abcdef", 1 },                             /* euro at 6..8 */
	{ 8, "abcdefg\xe2\x82\xac", "abcdefg", 1 },                           /* euro at 7..9 */
	{ 8, "abcde\xe2\x82\xac", "abcde\xe2\x82\xac", 0 },                   /* euro ends at 8 */
	{ 8, "abcde\xf0\x9f\x98\x80", "abcde", 1 },                           /* 4 bytes at 5..8 */
	{ 8, "abcdef\xf0\x9f\x98\x80", "abcdef", 1 },                         /* 4 bytes at 6..9 */
	{ 8, "abcdefg\xf0\x9f\x98\x80", "abcdefg", 1 },                       /* 4 bytes at 7..10 */
	{ 8, "abcd\xf0\x9f\x98\x80x", "abcd\xf0\x9f\x98\x80", 1 },            /* 4 bytes end at 8 */
	{ 8, "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac", "\xe2\x82\xac\xe2\x82\xac", 1 }, /* 3 euros */
	{ 8, "abcdefg\x80\x80", "abcdefg\x80", 1 },     /* stray continuation bytes: cut at 8, as given */
	{ 8, "abcdefg\xc3x", "abcdefg\xc3", 1 },        /* a lead without continuation: as given */
	{ 8, "abcd\x80\x80\x80\x80\x80", "abcd\x80\x80\x80\x80", 1 }, /* no lead in reach: at 8 */
	{ 8, "", "", 0 },
	{ 8, NULL, "", 0 },
	{ 1, "\xc3\xa9", "", 1 },
	{ 1, "ab", "a", 1 },
	{ 2, "\xe2\x82\xac", "", 1 },
	{ 2, "\xc3\xa9", "\xc3\xa9", 0 },
	{ 100, a99e, a99, 1 },
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))
#define ROUNDS 50

struct seen {
	const struct prof_schema *schema;
	uint64_t events;
	uint64_t bad;
};

static int sink(void *arg, uint32_t stream, const uint8_t *pkt, size_t len, const struct prof_packet_info *info)
{
	struct seen *sn = arg;
	struct prof_packet_cursor c;
	struct prof_decoded_event ev;
	int r;

	(void)stream;
	(void)len;
	prof_packet_cursor_init(&c, pkt, info, sn->schema);
	while ((r = prof_packet_next(&c, &ev)) > 0) {
		uint32_t idx = (uint32_t)ev.values[0].v.u;
		const struct tcase *tc;

		CHECK_LT(idx, NCASES);
		tc = &cases[idx];
		CHECK_EQ(ev.values[2].v.u, 0xa5a5a5a5u ^ idx);
		if (ev.values[1].v.str.len != strlen(tc->want) || memcmp(ev.values[1].v.str.ptr, tc->want,
									   strlen(tc->want)) != 0) {
			fprintf(stderr, "case %u (str(%d)): recorded \"%.*s\" (%u bytes), want \"%s\" (%zu bytes)\n",
				idx, tc->bound, (int)ev.values[1].v.str.len, ev.values[1].v.str.ptr,
				ev.values[1].v.str.len, tc->want, strlen(tc->want));
			sn->bad++;
		}
		sn->events++;
	}
	CHECK_EQ(r, 0);
	return 0;
}

static void emit_case(uint32_t i)
{
	const struct tcase *tc = &cases[i];
	uint32_t after = 0xa5a5a5a5u ^ i;

	switch (tc->bound) {
	case 1: PROF_EMIT(u1s, i, tc->in, after); break;
	case 2: PROF_EMIT(u2s, i, tc->in, after); break;
	case 8: PROF_EMIT(u8s, i, tc->in, after); break;
	case 100: PROF_EMIT(u100s, i, tc->in, after); break;
	default: CHECK_FAIL("bound %d", tc->bound);
	}
}

int main(void)
{
	struct prof_region_config cfg;
	struct prof_region *r;
	struct prof_region_reader *rd;
	struct prof_drain_stats ds;
	struct prof_error err;
	struct seen sn;
	const struct prof_region_header *hdr;
	uint64_t want_cut = 0;
	uint32_t round, i;

	memset(a99e, 'a', 99);
	memcpy(a99e + 99, "\xc3\xa9", 3);
	memset(a99, 'a', 99);
	prof_region_config_init(&cfg);
	cfg.packet_size = 256; /* strings often end a packet */
	cfg.packets_per_stream = 1024;
	cfg.stream_slots = 1;
	cfg.attach = 1;
	CHECK_OK(prof_region_open(&r, &cfg, &err));
	for (round = 0; round < ROUNDS; round++)
		for (i = 0; i < NCASES; i++) {
			emit_case(i);
			want_cut += (uint64_t)cases[i].cut;
		}

	memset(&sn, 0, sizeof(sn));
	CHECK_OK(prof_region_reader_open(&rd, prof_region_memory(r), prof_region_size(r), "utf8", &err));
	sn.schema = prof_region_reader_schema(rd);
	CHECK_OK(prof_region_reader_drain(rd, sink, &sn));
	CHECK_OK(prof_region_reader_scrape(rd, sink, &sn));
	prof_region_reader_stats(rd, &ds);
	hdr = prof_region_memory(r);
	printf("%llu events, %llu strings truncated (want %llu), %llu wrong, %llu invalid packets\n",
	       (unsigned long long)sn.events, (unsigned long long)hdr->strings_truncated,
	       (unsigned long long)want_cut, (unsigned long long)sn.bad, (unsigned long long)ds.invalid_packets);
	CHECK_EQ_U(ds.invalid_packets, 0);
	CHECK_EQ_U(ds.events_discarded, 0);
	CHECK_EQ_U(sn.events, (uint64_t)ROUNDS * NCASES);
	CHECK_EQ_U(sn.bad, 0);
	CHECK_EQ_U(hdr->strings_truncated, want_cut);
	prof_region_reader_close(rd);
	prof_region_close(r);
	printf("test_str_utf8: ok\n");
	return 0;
}
