/* SPDX-License-Identifier: MIT */
/*
 * Failing-allocation sweep (jansson's chaos malloc): every setup path of
 * libprofile is run again and again with its 1st, 2nd, ... allocation
 * failing, until a run makes no allocation fail.  Each failure must come
 * back as an error (no crash), leave nothing behind (LeakSanitizer checks
 * at exit in the ASan build), and leave the library usable: the next run
 * succeeds.  malloc, calloc, realloc and strdup are wrapped at link time
 * (-Wl,--wrap, see the Makefile), which reaches every call in libprofile.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/check.h"
#include "profile/profile.h"

#include "lib/alloc_fail.h"

PROF_EVENT(af_ev, "alloc.ev", (u64, a), (str(16), s));

static char tmp[256];

static int sink_ok(void *arg, uint32_t stream, const uint8_t *pkt, size_t len, const struct prof_packet_info *info)
{
	(void)arg, (void)stream, (void)pkt, (void)len, (void)info;
	return 0;
}

/* An attached region holding 100 events. */
static int open_filled_region(struct prof_region **r, const char *tag)
{
	struct prof_region_config cfg;
	struct prof_error err;
	int i, ret;

	prof_region_config_init(&cfg);
	cfg.packet_size = 4096;
	cfg.packets_per_stream = 4;
	cfg.stream_slots = 2;
	cfg.attach = 1;
	ret = prof_region_open(r, &cfg, &err);
	if (ret)
		return ret;
	for (i = 0; i < 100; i++)
		PROF_EMIT(af_ev, (uint64_t)i, tag);
	return 0;
}

/* A region, emits, a reader that drains and scrapes it. */
static int scenario_region(void)
{
	struct prof_region *r = NULL;
	struct prof_region_reader *rd = NULL;
	struct prof_error err;
	int ret;

	ret = open_filled_region(&r, "x");
	if (ret)
		return ret;
	ret = prof_region_reader_open(&rd, prof_region_memory(r), prof_region_size(r), "region", &err);
	if (ret == 0)
		ret = prof_region_reader_drain(rd, sink_ok, NULL);
	if (ret >= 0)
		ret = prof_region_reader_scrape(rd, sink_ok, NULL);
	prof_region_reader_close(rd);
	prof_region_close(r);
	return ret < 0 ? ret : 0;
}

/* A trace directory written from a region, then read back. */
static int scenario_trace(void)
{
	struct prof_region *r = NULL;
	struct prof_region_reader *rd = NULL;
	struct prof_ctf_writer *w = NULL;
	struct prof_trace *t = NULL;
	struct prof_trace_desc desc;
	struct prof_decoded_event ev;
	struct prof_error err;
	char dir[300];
	int ret;
	static int n;

	snprintf(dir, sizeof(dir), "%s/t%d", tmp, n++);
	ret = open_filled_region(&r, "y");
	if (ret)
		return ret;
	ret = prof_region_reader_open(&rd, prof_region_memory(r), prof_region_size(r), "region", &err);
	if (ret)
		goto out;
	ret = prof_ctf_writer_open(&w, dir, &err);
	if (ret)
		goto out;
	memcpy(desc.uuid, prof_region_reader_header(rd)->uuid, 16);
	desc.byte_order = prof_region_reader_header(rd)->byte_order;
	desc.clock = prof_region_reader_header(rd)->clock;
	desc.schema = *prof_region_reader_schema(rd);
	ret = prof_ctf_writer_metadata(w, &desc, &err);
	if (ret == 0)
		ret = prof_region_reader_scrape(rd, prof_ctf_writer_sink, w);
	if (ret < 0)
		goto out;
	ret = prof_ctf_writer_close(w);
	w = NULL;
	if (ret)
		goto out;
	ret = prof_trace_open(&t, dir, &err);
	if (ret)
		goto out;
	while ((ret = prof_trace_next(t, &ev)) > 0)
		;
out:
	prof_trace_close(t);
	if (w)
		prof_ctf_writer_close(w);
	prof_region_reader_close(rd);
	prof_region_close(r);
	return ret < 0 ? ret : 0;
}

int main(void)
{
	const char *base = getenv("TMPDIR");

	snprintf(tmp, sizeof(tmp), "%s/mprof-allocfail-XXXXXX", base ? base : "/tmp");
	CHECK(mkdtemp(tmp) != NULL);
	alloc_fail_sweep("region + reader", scenario_region);
	alloc_fail_sweep("trace write + read", scenario_trace);
	{
		char cmd[400];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
		CHECK_EQ(system(cmd), 0);
	}
	printf("test_alloc_fail: ok\n");
	return 0;
}
