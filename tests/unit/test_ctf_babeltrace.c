/* SPDX-License-Identifier: MIT */
/*
 * babeltrace2 reads what the writer writes: a trace built from hand-made
 * packets (both byte orders) prints every event name and field value as
 * expected, its discarded events and lost packets are reported, and the
 * clock offset puts the calibration's reference tick at its wall time.
 * The metadata is also the golden file (on a little-endian host), so the
 * golden file is known to be accepted by babeltrace2.
 *
 * Skipped (exit 77) when babeltrace2 is not installed.
 */
#include "test_ctf_util.h"

#define GOLDEN "tests/golden/ctf_metadata.tsdl"

static struct prof_schema_event schema[TEST_NEVENTS];
static struct prof_trace_desc desc;
static uint64_t base; /* ticks of the first event: the calibration reference */

static void put_all_types(struct test_pkt *p, uint64_t ts, int k)
{
	pkt_event(p, ts, 0);
	pkt_put(p, (uint64_t)(250 + k), 1);
	pkt_put(p, (uint64_t)(65535 - k), 2);
	pkt_put(p, (uint64_t)(4294967295u - (unsigned)k), 4);
	pkt_put(p, UINT64_MAX - (uint64_t)k, 8);
	pkt_put(p, (uint8_t)(int8_t)(-128 + k), 1);
	pkt_put(p, (uint16_t)(int16_t)(-32768 + k), 2);
	pkt_put(p, (uint32_t)(INT32_MIN + k), 4);
	pkt_put(p, (uint64_t)(INT64_MIN + k), 8);
	pkt_f64(p, k ? 1e300 : -2.25);
	pkt_str(p, k ? "hello, world" : "");
	pkt_put(p, (uint64_t)(42 + k), 4);
}

/* What babeltrace2 --clock-cycles --no-delta prints for these events: it
 * shows the env's hostname, procname and vpid with each event, as it does
 * for LTTng's per-process traces. */
#define ORIGIN "build-host:demo_app:(4242) "
static const char *const expected[] = {
	"[00000005000000000000] " ORIGIN "all.types: { tid = 1234, content_bytes = 0 }, { a_u8 = 250, a_u16 = 65535, "
	"a_u32 = 4294967295, a_u64 = 18446744073709551615, a_s8 = -128, a_s16 = -32768, "
	"a_s32 = -2147483648, a_s64 = -9223372036854775808, a_f64 = -2.25, a_str = \"\", event = 42 }",
	"[00000005000000001000] " ORIGIN "work.begin: { tid = 1234, content_bytes = 0 }, { what = \"alpha beta\" }",
	"[00000005000000001500] " ORIGIN "q\"b\\s: { tid = 99, content_bytes = 0 }, { v = 200 }",
	"[00000005000000002000] " ORIGIN "tick: { tid = 1234, content_bytes = 0 }, { }",
	"[00000005000000003000] " ORIGIN "all.types: { tid = 1235, content_bytes = 0 }, { a_u8 = 251, a_u16 = 65534, "
	"a_u32 = 4294967294, a_u64 = 18446744073709551614, a_s8 = -127, a_s16 = -32767, "
	"a_s32 = -2147483647, a_s64 = -9223372036854775807, a_f64 = 1e+300, a_str = \"hello, world\", "
	"event = 43 }",
	"[00000005000000003500] " ORIGIN "tick: { tid = 99, content_bytes = 0 }, { }",
	"[00000005000000009000] " ORIGIN "tick: { tid = 1236, content_bytes = 0 }, { }",
};

static void build_trace(const char *dir, bool swap)
{
	struct prof_ctf_writer *w;
	struct prof_error err;
	struct test_pkt p = { .swap = swap };

	desc.byte_order = test_host_order();
	if (swap)
		desc.byte_order = desc.byte_order == PROF_BYTE_ORDER_LE ? PROF_BYTE_ORDER_BE : PROF_BYTE_ORDER_LE;
	CHECK_OK(prof_ctf_writer_open(&w, dir, &err));
	CHECK_OK(prof_ctf_writer_metadata(w, &desc, &err));

	/* Stream 0: seq 0, then seq 1 with 7 more events discarded, then
	 * seq 4: packets 2 and 3 were lost. */
	pkt_begin(&p, 0, 0, 0, 1234);
	put_all_types(&p, base, 0);
	pkt_event(&p, base + 1000, 1);
	pkt_str(&p, "alpha beta");
	pkt_event(&p, base + 2000, 2);
	pkt_end(&p);
	CHECK_OK(prof_ctf_writer_packet(w, 0, p.buf, p.len));
	pkt_begin(&p, 0, 1, 7, 1235);
	put_all_types(&p, base + 3000, 1);
	pkt_end(&p);
	CHECK_OK(prof_ctf_writer_packet(w, 0, p.buf, p.len));
	pkt_begin(&p, 0, 4, 7, 1236);
	pkt_event(&p, base + 9000, 2);
	pkt_end(&p);
	CHECK_OK(prof_ctf_writer_packet(w, 0, p.buf, p.len));

	/* Stream 3, interleaved in time. */
	pkt_begin(&p, 3, 0, 0, 99);
	pkt_event(&p, base + 1500, 3);
	pkt_put(&p, 200, 1);
	pkt_event(&p, base + 3500, 2);
	pkt_end(&p);
	CHECK_OK(prof_ctf_writer_packet(w, 3, p.buf, p.len));
	CHECK_OK(prof_ctf_writer_close(w));
}

/* Runs babeltrace2 with @args on @dir; returns stdout, stderr in *errout. */
static char *run_bt(const char *args, const char *dir, char **errout)
{
	char *cmd, *errpath, *out = NULL;
	size_t cap = 0, len = 0;
	FILE *f;
	int st;

	CHECK(asprintf(&errpath, "%s.stderr", dir) > 0);
	CHECK(asprintf(&cmd, "babeltrace2 %s '%s' 2>'%s'", args, dir, errpath) > 0);
	f = popen(cmd, "r");
	CHECK(f != NULL);
	for (;;) {
		size_t n;

		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 16384;
			out = realloc(out, cap);
			CHECK(out != NULL);
		}
		n = fread(out + len, 1, cap - len - 1, f);
		if (n == 0)
			break;
		len += n;
	}
	out[len] = '\0';
	st = pclose(f);
	*errout = read_file(errpath, NULL);
	CHECK(*errout != NULL);
	if (st != 0)
		CHECK_FAIL("%s: exit status %d\nstdout:\n%s\nstderr:\n%s", cmd, st, out, *errout);
	remove(errpath);
	free(errpath);
	free(cmd);
	return out;
}

static void check_trace(const char *dir)
{
	char *out, *err, *line, *save = NULL;
	size_t i = 0, n = sizeof(expected) / sizeof(expected[0]);
	unsigned long long ns = 0;

	out = run_bt("--clock-cycles --no-delta", dir, &err);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save), i++) {
		if (i >= n)
			CHECK_FAIL("%s: unexpected extra line: %s", dir, line);
		if (strcmp(line, expected[i]) != 0)
			CHECK_FAIL("%s: line %zu:\n  expected: %s\n  actual:   %s", dir, i + 1, expected[i], line);
	}
	CHECK_EQ(i, n);
	/* The trace is named after the env's hostname (not ""). */
	if (!strstr(err, "in trace \"build-host\"") ||
	    !strstr(err, "WARNING: Tracer discarded 7 events between") ||
	    !strstr(err, "WARNING: Tracer discarded 2 packets between") || strstr(err, "ERROR"))
		CHECK_FAIL("%s: babeltrace2's warnings are not the expected ones:\n%s", dir, err);
	free(out);
	free(err);

	/* The env as babeltrace2 reads it: origin strings decoded exactly
	 * (quotes, a backslash, UTF-8 from octal escapes), counts, and the
	 * trace named after the hostname. */
	out = run_bt("-c sink.text.details", dir, &err);
	{
		static const char *const want[] = {
			"Trace `build-host`",
			"hostname: build-host",
			"procname: demo_app",
			"vpid: 4242",
			"mprof_version: 0.2.0",
			"mprof_cmdline: ./demo_app --label \"a b\" C:\\tmp caf\xc3\xa9",
			"mprof_dropped_no_slot: 141",
			"mprof_refused_events: 44",
			"mprof_refused_invalid: 3",
			"mprof_schema_errors: 1",
			"mprof_strings_truncated: -1", /* 2^64-1: babeltrace2 keeps int64 */
		};
		size_t k;

		for (k = 0; k < sizeof(want) / sizeof(want[0]); k++)
			if (!strstr(out, want[k]))
				CHECK_FAIL("%s: babeltrace2's details lack \"%s\"", dir, want[k]);
		if (strstr(err, "WARN") || strstr(err, "ERROR"))
			CHECK_FAIL("%s: babeltrace2 warned about the metadata:\n%s", dir, err);
	}
	free(out);
	free(err);

	/* The event at the reference tick is at the reference wall time,
	 * 1700000000.123456789 s.  babeltrace2 converts the clock offset and
	 * the event's cycles to ns separately, rounding each down, so it may
	 * print up to 2 ns less. */
	out = run_bt("--clock-seconds --no-delta", dir, &err);
	if (sscanf(out, "[1700000000.%9llu] " ORIGIN "all.types:", &ns) != 1 || ns > 123456789 || ns < 123456787)
		CHECK_FAIL("%s: wall time of the reference tick: %.60s", dir, out);
	free(out);
	free(err);
}

int main(void)
{
	char *tmp, *dir_native, *dir_swapped, *text, *golden;
	size_t len, glen;

	if (system("babeltrace2 --version >/dev/null 2>&1") != 0) {
		printf("babeltrace2 is not installed\n");
		return 77;
	}
	test_schema(schema);
	test_desc(&desc, schema, TEST_NEVENTS);
	base = desc.clock.ref_ticks;

	/* The metadata babeltrace2 reads below is the golden file. */
	if (test_host_order() == PROF_BYTE_ORDER_LE) {
		text = metadata_text(&desc, &len);
		golden = read_file(GOLDEN, &glen);
		CHECK(golden != NULL);
		CHECK(glen == len && memcmp(text, golden, len) == 0);
		free(text);
		free(golden);
	}

	tmp = test_tmpdir("ctf-bt");
	CHECK(asprintf(&dir_native, "%s/native", tmp) > 0);
	CHECK(asprintf(&dir_swapped, "%s/swapped", tmp) > 0);
	build_trace(dir_native, false);
	build_trace(dir_swapped, true);
	check_trace(dir_native);
	check_trace(dir_swapped);
	rm_rf(tmp);
	free(dir_native);
	free(dir_swapped);
	free(tmp);
	printf("test_ctf_babeltrace: ok\n");
	return 0;
}
