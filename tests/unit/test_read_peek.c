/* SPDX-License-Identifier: MIT */
/*
 * prof_region_reader_peek(): a live reader sees events of open packets as
 * soon as they are complete, and every event exactly once, in order, across
 * peeks, packet switches and the final scrape, in both modes.
 */
#include <stdint.h>
#include <string.h>

#include "lib/check.h"
#include "profile/profile.h"

PROF_EVENT(pk_seq, "peek.seq", (u64, seq));

struct seen {
	const struct prof_schema *schema;
	uint64_t next;     /* the next seq expected */
	uint64_t events;
	uint64_t calls;
};

static int sink(void *arg, uint32_t stream, const uint8_t *pkt, size_t len, const struct prof_packet_info *info)
{
	struct seen *sn = arg;
	struct prof_packet_cursor c;
	struct prof_decoded_event ev;

	(void)stream;
	(void)len;
	sn->calls++;
	prof_packet_cursor_init(&c, pkt, info, sn->schema);
	while (prof_packet_next(&c, &ev) > 0) {
		CHECK_EQ_U(ev.values[0].v.u, sn->next); /* once each, in order */
		sn->next++;
		sn->events++;
	}
	return 0;
}

static uint64_t emitted;

static void emit(uint64_t n)
{
	while (n--)
		PROF_EMIT(pk_seq, emitted++);
}

static void run(uint32_t mode)
{
	struct prof_region_config cfg;
	struct prof_region *region;
	struct prof_region_reader *rd;
	struct prof_error err;
	struct seen sn = { 0 };
	/* 20-byte events, 256-byte packets: 8 events a packet. */
	uint64_t rounds[] = { 1, 3, 4, 1, 7, 9, 0, 16, 2, 30, 5 };
	size_t i;

	emitted = 0;
	prof_region_config_init(&cfg);
	cfg.mode = mode;
	cfg.packet_size = 256;
	cfg.packets_per_stream = 64;
	cfg.stream_slots = 2;
	cfg.attach = 1;
	CHECK_OK(prof_region_open(&region, &cfg, &err));
	CHECK_OK(prof_region_reader_open(&rd, prof_region_memory(region), prof_region_size(region), "peek", &err));
	for (i = 0; i < sizeof(rounds) / sizeof(rounds[0]); i++) {
		emit(rounds[i]);
		sn.schema = prof_region_reader_schema(rd);
		CHECK_OK(prof_region_reader_peek(rd, sink, &sn));
		/* Live: everything emitted so far is seen now. */
		CHECK_EQ_U(sn.events, emitted);
	}
	/* A peek with nothing new delivers nothing. */
	sn.calls = 0;
	CHECK_OK(prof_region_reader_peek(rd, sink, &sn));
	CHECK_EQ(sn.calls, 0);
	/* Mixed with plain drains and the final scrape: still once each. */
	emit(11);
	CHECK_OK(prof_region_reader_drain(rd, sink, &sn));
	emit(3);
	CHECK_OK(prof_region_reader_peek(rd, sink, &sn));
	CHECK_EQ_U(sn.events, emitted);
	emit(6);
	CHECK_OK(prof_region_reader_scrape(rd, sink, &sn));
	CHECK_EQ_U(sn.events, emitted);
	{
		struct prof_drain_stats st;

		prof_region_reader_stats(rd, &st);
		CHECK_EQ(st.invalid_packets, 0);
		CHECK_EQ(st.events, emitted);
	}
	printf("%s: %llu events, each seen once\n", mode ? "overwrite" : "discard", (unsigned long long)emitted);
	prof_region_reader_close(rd);
	prof_region_close(region);
}

int main(void)
{
	run(PROF_MODE_DISCARD);
	run(PROF_MODE_OVERWRITE);
	printf("test_read_peek: ok\n");
	return 0;
}
