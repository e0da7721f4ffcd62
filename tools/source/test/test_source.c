/* SPDX-License-Identifier: MIT */
/*
 * The trace source's mprof backend: every event of an mprof trace, in
 * order, with its timestamp in nanoseconds (the trace's TSC ticks
 * converted), the same fields, a description whose clock is nanoseconds,
 * and a clear error for what is not a trace.  An mprof trace whose
 * metadata is damaged keeps the strict parser's error (file and offset)
 * although babeltrace2 is tried after it; a foreign trace cannot be
 * followed (-ENOTSUP).
 */
#include "test_ctf_util.h"
#include "mprof_source.h"

int main(void)
{
	struct prof_schema_event ev[TEST_NEVENTS];
	struct prof_trace_desc desc;
	struct prof_ctf_writer *w;
	struct mprof_source *s;
	struct prof_decoded_event e;
	struct prof_trace_stats st;
	struct prof_error err;
	struct test_pkt p = { .swap = false };
	char *tmp = test_tmpdir("source"), dir[512];
	uint64_t ticks[] = { 5000000000000ull, 5000000003000ull, 5000003000000ull };
	size_t i;

	snprintf(dir, sizeof(dir), "%s/trace", tmp);
	test_schema(ev);
	test_desc(&desc, ev, TEST_NEVENTS);
	CHECK_OK(prof_ctf_writer_open(&w, dir, &err));
	CHECK_OK(prof_ctf_writer_metadata(w, &desc, &err));
	pkt_begin(&p, 0, 0, 0, 10);
	for (i = 0; i < 3; i++)
		pkt_event(&p, ticks[i], 2);
	pkt_end(&p);
	CHECK_OK(prof_ctf_writer_packet(w, 0, p.buf, p.len));
	CHECK_OK(prof_ctf_writer_close(w));

	CHECK_OK(mprof_source_open(&s, dir, 0, &err));
	CHECK_EQ(mprof_source_kind(s), MPROF_SOURCE_MPROF);
	CHECK_EQ_U(mprof_source_desc(s)->clock.freq_hz, 1000000000ull);
	CHECK_EQ_U(mprof_source_desc(s)->schema.count, TEST_NEVENTS);
	for (i = 0; i < 3; i++) {
		CHECK_EQ(mprof_source_next(s, &e), 1);
		/* 3 GHz, tick 5e12 is 1666666666666 ns: +3000 ticks = +1000 ns. */
		CHECK_EQ_U(e.timestamp, prof_clock_to_ns(&desc.clock, ticks[i]));
		CHECK_EQ(strcmp(e.desc->name, "tick"), 0);
		CHECK_EQ_U(e.tid, 10);
	}
	CHECK_EQ_U(e.timestamp - 1666666666666ull, 1000000);
	CHECK_EQ(mprof_source_next(s, &e), 0);
	mprof_source_stats(s, &st);
	CHECK_EQ_U(st.events, 3);
	{
		struct mprof_source_skips sk;

		memset(&sk, 0xff, sizeof(sk));
		mprof_source_skips(s, &sk);
		CHECK_EQ_U(sk.fields_skipped + sk.strings_truncated + sk.events_untimed, 0);
	}
	mprof_source_close(s);

	/* Damaged mprof metadata: the parser's offset, not babeltrace2's words. */
	{
		char meta[600], *text;
		size_t len;
		uint64_t at;

		snprintf(meta, sizeof(meta), "%s/metadata", dir);
		text = read_file(meta, &len);
		CHECK(text != NULL && strstr(text, "stream {") != NULL);
		at = (uint64_t)(strstr(text, "stream {") - text);
		text[at] = 'S';
		write_file(meta, text, len);
		memset(&err, 0, sizeof(err));
		CHECK_EQ(mprof_source_open(&s, dir, 0, &err), -EINVAL);
		CHECK(s == NULL);
		CHECK_STREQ(err.file, meta);
		CHECK_EQ_U(err.offset, at);
		free(text);
	}

	/* Not a trace (an empty directory): an error naming it. */
	snprintf(dir, sizeof(dir), "%s/empty", tmp);
	CHECK(mkdir(dir, 0700) == 0);
	CHECK(mprof_source_open(&s, dir, 0, &err) < 0);
	CHECK(s == NULL);
	CHECK(strstr(err.file, "empty") != NULL || strstr(err.text, "empty") != NULL);
	rm_rf(tmp);
	free(tmp);
	printf("test_source: ok\n");
	return 0;
}
