/* SPDX-License-Identifier: MIT */
/*
 * Failing-allocation sweep of the trace reader's newer paths (as
 * test_alloc_fail.c does for the setup paths): a directory of traces
 * opened and read whole, then the same followed to its end.  Each run
 * fails its 1st, 2nd, ... allocation until a run has none fail; each
 * failure must come back as an error (no crash, nothing left allocated:
 * LeakSanitizer in the ASan build) and the next clean run must succeed.
 */
#include "test_ctf_util.h"

#include "lib/alloc_fail.h"

static char *top;

/* Two parts with different schemas, one nested, two streams each. */
static void build(void)
{
	struct prof_schema_event ev[TEST_NEVENTS];
	struct prof_trace_desc d;
	struct prof_ctf_writer *w;
	struct prof_error err;
	struct test_pkt p = { .swap = false };
	const char *names[] = { "a-1", "sub/b-2" };
	char *dir;
	int i, s;

	top = test_tmpdir("ctf-allocfail");
	CHECK(asprintf(&dir, "%s/sub", top) > 0);
	CHECK(mkdir(dir, 0777) == 0);
	free(dir);
	for (i = 0; i < 2; i++) {
		test_schema(ev);
		test_desc(&d, ev, (uint32_t)(TEST_NEVENTS - i));
		CHECK(asprintf(&dir, "%s/%s", top, names[i]) > 0);
		CHECK_OK(prof_ctf_writer_open(&w, dir, &err));
		CHECK_OK(prof_ctf_writer_metadata(w, &d, &err));
		for (s = 0; s < 2; s++) {
			pkt_begin(&p, (uint64_t)s, 0, 0, 1);
			pkt_event(&p, d.clock.ref_ticks + (uint64_t)(10 * i + s), 2);
			pkt_end(&p);
			CHECK_OK(prof_ctf_writer_packet(w, (uint32_t)s, p.buf, p.len));
		}
		CHECK_OK(prof_ctf_writer_close(w));
		free(dir);
	}
}

static int read_all(unsigned int flags)
{
	struct prof_decoded_event ev;
	struct prof_trace *t = NULL;
	struct prof_error err;
	int ret, n = 0;

	ret = prof_trace_open_flags(&t, top, flags, &err);
	if (ret)
		return ret;
	while ((ret = prof_trace_next(t, &ev)) > 0)
		n++;
	prof_trace_close(t);
	if (ret == 0 && n != 4)
		CHECK_FAIL("read %d events, want 4", n);
	return ret;
}

static int scenario_multi(void) { return read_all(0); }
static int scenario_follow(void) { return read_all(PROF_TRACE_FOLLOW); }

int main(void)
{
	build();
	alloc_fail_sweep("directory of traces", scenario_multi);
	alloc_fail_sweep("directory of traces, followed", scenario_follow);
	rm_rf(top);
	free(top);
	printf("test_ctf_alloc_fail: ok\n");
	return 0;
}
