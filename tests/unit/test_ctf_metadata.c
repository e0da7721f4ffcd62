/* SPDX-License-Identifier: MIT */
/*
 * CTF metadata: the generator's output for a fixed schema and clock is the
 * golden file byte for byte; the parser returns exactly the description
 * that was generated, for many schemas; the generator refuses descriptions
 * it cannot express; the parser refuses every malformed construct with the
 * file, the byte offset and what it expected.
 *
 * MPROF_UPDATE_GOLDEN=1 rewrites tests/golden/ctf_metadata.tsdl.
 */
#include "test_ctf_util.h"

#define GOLDEN "tests/golden/ctf_metadata.tsdl"

/* ---- Golden ---- */

static void test_golden(void)
{
	struct prof_schema_event ev[TEST_NEVENTS];
	struct prof_trace_desc d;
	char *text, *golden, path[512];
	const char *o = getenv("O");
	size_t len, glen, i, line = 1, ls = 0;

	test_schema(ev);
	test_desc(&d, ev, TEST_NEVENTS);
	d.byte_order = PROF_BYTE_ORDER_LE; /* the golden file is the same on every host */
	text = metadata_text(&d, &len);

	if (getenv("MPROF_UPDATE_GOLDEN")) {
		write_file(GOLDEN, text, len);
		printf("golden: rewrote %s\n", GOLDEN);
	}
	golden = read_file(GOLDEN, &glen);
	if (!golden)
		CHECK_FAIL("cannot read %s (run the test from the source tree)", GOLDEN);
	for (i = 0; i < len && i < glen && text[i] == golden[i]; i++) {
		if (text[i] == '\n') {
			line++;
			ls = i + 1;
		}
	}
	if (i != len || i != glen) {
		snprintf(path, sizeof(path), "%s/ctf_metadata.tsdl.actual", o ? o : "build");
		write_file(path, text, len);
		fprintf(stderr, "metadata differs from %s at byte %zu, line %zu:\n", GOLDEN, i, line);
		fprintf(stderr, "  expected: %.*s\n", (int)strcspn(golden + ls, "\n"), golden + ls);
		fprintf(stderr, "  actual:   %.*s\n", (int)strcspn(text + ls, "\n"), text + ls);
		fprintf(stderr, "hint: diff -u %s %s   (MPROF_UPDATE_GOLDEN=1 to accept)\n", GOLDEN, path);
		exit(1);
	}

	/* The clock offset maps cycle 0 to the wall time of the calibration:
	 * 1700000000.123456789 s - 5e12 / 3e9 s = 1699998333 s + 1370370367 cycles. */
	CHECK(strstr(text, "\toffset_s = 1699998333;\n\toffset = 1370370367;\n") != NULL);
	free(golden);
	free(text);
}

/* ---- Round trip ---- */

static void roundtrip(const struct prof_trace_desc *d)
{
	struct prof_trace_desc back;
	struct prof_error err;
	char *text, *again;
	size_t len, len2;
	uint32_t i;
	int ret;

	text = metadata_text(d, &len);
	ret = prof_ctf_metadata_parse(text, len, "rt.tsdl", &back, &err);
	if (ret)
		CHECK_FAIL("parse failed: %s at offset %llu: %s", err.file, (unsigned long long)err.offset, err.text);
	CHECK(memcmp(back.uuid, d->uuid, 16) == 0);
	CHECK_EQ(back.byte_order, d->byte_order);
	CHECK_EQ_U(back.clock.freq_hz, d->clock.freq_hz);
	CHECK_EQ_U(back.clock.ref_ticks, d->clock.ref_ticks);
	CHECK_EQ_U(back.clock.ref_realtime_ns, d->clock.ref_realtime_ns);
	CHECK(memcmp(&back.clock, &d->clock, sizeof(back.clock)) == 0);
	/* The region counts and the origin, exactly. */
	CHECK_EQ_U(back.counts.dropped_no_slot, d->counts.dropped_no_slot);
	CHECK_EQ_U(back.counts.refused_events, d->counts.refused_events);
	CHECK_EQ_U(back.counts.refused_invalid, d->counts.refused_invalid);
	CHECK_EQ_U(back.counts.schema_errors, d->counts.schema_errors);
	CHECK_EQ_U(back.counts.strings_truncated, d->counts.strings_truncated);
	CHECK_STREQ(back.origin.hostname, d->origin.hostname);
	CHECK_STREQ(back.origin.procname, d->origin.procname);
	CHECK_EQ_U(back.origin.pid, d->origin.pid);
	CHECK_STREQ(back.origin.version, d->origin.version);
	CHECK_STREQ(back.origin.cmdline, d->origin.cmdline);
	CHECK(memcmp(&back.origin, &d->origin, sizeof(back.origin)) == 0);
	CHECK_EQ(back.schema.count, d->schema.count);
	for (i = 0; i < d->schema.count; i++) {
		const struct prof_schema_event *a = &d->schema.events[i], *b = &back.schema.events[i];
		uint32_t j;

		CHECK_STREQ(b->name, a->name);
		CHECK_EQ(b->kind, a->kind);
		CHECK_EQ(b->nfields, a->nfields);
		for (j = 0; j < a->nfields; j++) {
			CHECK_STREQ(b->fields[j].name, a->fields[j].name);
			CHECK_EQ(b->fields[j].type, a->fields[j].type);
			CHECK_EQ(b->fields[j].bound, a->fields[j].bound);
		}
		CHECK_EQ(b->min_size, a->min_size);
		CHECK_EQ(b->max_size, a->max_size);
		CHECK(memcmp(a, b, sizeof(*a)) == 0);
	}
	/* And the parsed description generates the same text. */
	again = metadata_text(&back, &len2);
	CHECK_EQ_U(len2, len);
	CHECK(memcmp(again, text, len) == 0);
	free(again);
	free(text);
	prof_trace_desc_free(&back);
	CHECK(back.schema.events == NULL);
}

static void test_roundtrip(void)
{
	static const char *const names[] = {
		"string", "struct", "uint64_t", "_under", "_", "clock", "x1", "event", "Z",
		"align", "int64_clock", "abcdefghijklmnopqrstuvwxyz0", "integer", "uint64_clock_t",
	};
	struct prof_schema_event ev[TEST_NEVENTS], *many;
	struct prof_trace_desc d;
	uint32_t i, j;

	/* No events at all. */
	test_desc(&d, NULL, 0);
	roundtrip(&d);

	/* The golden schema, both byte orders. */
	test_schema(ev);
	test_desc(&d, ev, TEST_NEVENTS);
	roundtrip(&d);
	/* Unknown origin fields are left out and come back empty. */
	memset(d.origin.hostname, 0, sizeof(d.origin.hostname));
	d.origin.pid = 0;
	memset(d.origin.cmdline, 0, sizeof(d.origin.cmdline));
	roundtrip(&d);
	memset(&d.origin, 0, sizeof(d.origin));
	roundtrip(&d);
	test_desc(&d, ev, TEST_NEVENTS);
	d.byte_order = d.byte_order == PROF_BYTE_ORDER_LE ? PROF_BYTE_ORDER_BE : PROF_BYTE_ORDER_LE;
	roundtrip(&d);

	/* 14 fields of every type with awkward names, names with every
	 * byte 1..255, holes (an empty name, no kind, no fields: a record
	 * that failed its check), every kind, string bounds from 1 (0 is not
	 * a valid event) to the maximum. */
	many = calloc(1000, sizeof(*many));
	CHECK(many != NULL);
	for (i = 0; i < 1000; i++) {
		char name[PROF_NAME_MAX];

		for (j = 0; j < PROF_NAME_MAX - 1; j++)
			name[j] = (char)(1 + (i * 63 + j) % 255);
		name[i % 7 == 3 ? 0 : PROF_NAME_MAX - 1 - i % 50] = '\0';
		test_event(&many[i], i, name, (uint16_t)(name[0] ? i % 5 : 0));
		for (j = 0; name[0] && j < (i < 14 ? PROF_MAX_FIELDS : i % 15); j++) {
			uint8_t type = (uint8_t)(1 + (i + j) % 10);

			test_field(&many[i], names[j], type,
				   (uint16_t)(j == 0 ? PROF_MAX_STRING_BOUND : 1 + (i * 7 + j) % 300));
		}
	}
	test_desc(&d, many, 1000);
	roundtrip(&d);

	/* Clocks: monotonic ns, an uncalibrated platform clock, extremes. */
	d.clock.source = PROF_CLOCK_MONOTONIC;
	d.clock.freq_hz = 1000000000ull;
	d.clock.ref_ticks = d.clock.ref_monotonic_ns = 123456789012345ull;
	roundtrip(&d);
	d.clock.source = PROF_CLOCK_PLATFORM;
	d.clock.calibrated = 0;
	d.clock.freq_hz = UINT64_MAX;
	d.clock.ref_ticks = UINT64_MAX;
	d.clock.ref_realtime_ns = UINT64_MAX;
	d.clock.ref_monotonic_ns = UINT64_MAX;
	d.clock.calib_window_ns = UINT64_MAX;
	roundtrip(&d);
	d.clock.freq_hz = 1;
	d.clock.ref_realtime_ns = 0; /* cycle 0 before the epoch: offset clamped to 0 */
	roundtrip(&d);
	free(many);
}

static void test_clamp(void)
{
	struct prof_trace_desc d;
	char *text;

	test_desc(&d, NULL, 0);
	d.clock.ref_realtime_ns = 1000; /* the clock started long before 1970 */
	text = metadata_text(&d, NULL);
	CHECK(strstr(text, "\toffset_s = 0;\n\toffset = 0;\n") != NULL);
	free(text);

	/* Exactly one second of ticks before the reference. */
	d.clock.freq_hz = 2500000000ull;
	d.clock.ref_ticks = 2500000000ull * 3 + 1250000000ull; /* 3.5 s */
	d.clock.ref_realtime_ns = 10500000000ull;              /* 10.5 s */
	text = metadata_text(&d, NULL);
	CHECK(strstr(text, "\toffset_s = 7;\n\toffset = 0;\n") != NULL);
	free(text);
}

/* ---- Measuring and truncation ---- */

static void test_buffer(void)
{
	struct prof_schema_event ev[TEST_NEVENTS];
	struct prof_trace_desc d;
	char *full, small[100];
	size_t len;

	test_schema(ev);
	test_desc(&d, ev, TEST_NEVENTS);
	full = metadata_text(&d, &len);
	CHECK_EQ(strlen(full), len);
	memset(small, 'x', sizeof(small));
	CHECK_EQ(prof_ctf_metadata(&d, small, sizeof(small)), len);
	CHECK_EQ(small[sizeof(small) - 1], '\0');
	CHECK(memcmp(small, full, sizeof(small) - 1) == 0);
	CHECK_EQ(prof_ctf_metadata(&d, small, 0), len);
	free(full);
}

/* ---- The generator refuses what TSDL (or the parser) cannot carry ---- */

static void test_generator_rejects(void)
{
	struct prof_schema_event ev[TEST_NEVENTS];
	struct prof_trace_desc d;

	CHECK_EQ(prof_ctf_metadata(NULL, NULL, 0), -EINVAL);
#define REJECT(mutation)                                                   \
	do {                                                               \
		test_schema(ev);                                           \
		test_desc(&d, ev, TEST_NEVENTS);                           \
		mutation;                                                  \
		CHECK_EQ(prof_ctf_metadata(&d, NULL, 0), -EINVAL);         \
	} while (0)
	REJECT(d.byte_order = 0);
	REJECT(d.byte_order = 3);
	REJECT(d.clock.freq_hz = 0);
	REJECT(d.clock.source = 0);
	REJECT(d.clock.source = 4);
	REJECT(d.clock.calibrated = 2);
	REJECT(d.schema.events = NULL);
	REJECT(d.schema.count = PROF_MAX_EVENTS + 1);
	REJECT(ev[2].id = 7);
	REJECT(ev[1].kind = 5);
	REJECT(ev[0].nfields = PROF_MAX_FIELDS + 1);
	REJECT(memset(ev[2].name, 'a', sizeof(ev[2].name)));
	REJECT(memset(ev[1].fields[0].name, 'a', sizeof(ev[1].fields[0].name)));
	REJECT(strcpy(ev[0].fields[1].name, "a.b"));
	REJECT(strcpy(ev[0].fields[1].name, "1x"));
	REJECT(strcpy(ev[0].fields[1].name, "a\"b"));
	REJECT(strcpy(ev[0].fields[1].name, ""));
	REJECT(strcpy(ev[0].fields[1].name, "a_u8"));  /* duplicate */
	REJECT(ev[0].fields[3].type = 0);
	REJECT(ev[0].fields[3].type = 11);
	REJECT(ev[1].fields[0].bound = PROF_MAX_STRING_BOUND + 1);
	REJECT(ev[1].fields[0].bound = 0);
	REJECT(ev[1].name[0] = '\0');          /* empty name, with fields: not a hole */
	/* Origin strings must end within their arrays. */
	REJECT(memset(d.origin.hostname, 'h', sizeof(d.origin.hostname)));
	REJECT(memset(d.origin.procname, 'p', sizeof(d.origin.procname)));
	REJECT(memset(d.origin.version, 'v', sizeof(d.origin.version)));
	REJECT(memset(d.origin.cmdline, 'c', sizeof(d.origin.cmdline)));
#undef REJECT
}

/* ---- The parser refuses everything else ---- */

struct bad_case {
	const char *from;   /* first occurrence replaced ... */
	const char *to;     /* ... by this */
	const char *at;     /* the error is at this text inside @to ("" = @to's start) */
	const char *msg;    /* and its message contains this */
};

static const struct bad_case bad_cases[] = {
	{ "/* CTF 1.8 */", "/* CTF 1.7 */", "", "signature" },
	{ "typealias integer { size = 8;", "typealias integer { size = 9;", "9", "expected 8" },
	{ "signed = false; } := uint8_t;", "signed = true; } := uint8_t;", "true", "expected 'false'" },
	{ "map = clock.mprof_clock.value;", "map = clock.other.value;", "other", "expected 'mprof_clock'" },
	{ "major = 1;", "major = 2;", "2", "expected 1" },
	{ "minor = 8;", "minor = 9;", "9", "expected 8" },
	{ "uuid = \"6d70", "uuid = \"6D70", "\"", "UUID" },
	{ "uuid = \"6d70726f-662d-4354-", "uuid = \"6d70726f-662d-4354x", "\"", "UUID" },
	{ "byte_order = le;", "byte_order = native;", "native", "expected 'le' or 'be'" },
	{ "uint32_t magic;", "uint32_t magik;", "magik", "expected 'magic'" },
	{ "uint8_t uuid[16];", "uint8_t uuid[15];", "15", "expected 16" },
	{ "domain = \"mprof\";", "domain = \"lttng\";", "\"", "expected the string \"mprof\"" },
	{ "\tclock_freq = 3000000000;\n", "", "clock_ref_ticks", "expected 'clock_freq'" },
	{ "tracer_minor = 2;", "tracer_minor = 3;", "3", "newer than this reader's" },
	{ "hostname = \"build-host\";", "hostname = 7;", "7", "expected a string literal" },
	{ "vpid = 4242;", "vpid = \"4242\";", "\"", "expected an integer" },
	{ "vpid = 4242;", "vpid = 0;", "0", "non-zero vpid" },
	{ "procname = \"demo_app\";", "procname = \"\";", "\"", "non-empty procname" },
	{ "\thostname = \"build-host\";\n\tprocname = \"demo_app\";\n",
	  "\tprocname = \"demo_app\";\n\thostname = \"build-host\";\n", "hostname", "expected 'clock_source'" },
	{ "\tmprof_refused_events = 44;\n", "", "mprof_refused_invalid", "expected 'mprof_refused_events'" },
	{ "mprof_strings_truncated = 18446744073709551615;", "mprof_strings_truncated = 18446744073709551616;",
	  "1", "64 bits" },
	{ "clock_source = 1;", "clock_source = 9;", "9", "clock source" },
	{ "clock_calibrated = 1;", "clock_calibrated = 2;", "2", "0 or 1" },
	{ "clock_source = 1;", "clock_source = 4294967297;", "4294967297", "32 bits" },
	{ "clock_freq = 3000000000;", "clock_freq = 0;", "0", "non-zero" },
	{ "freq = 3000000000;\n\tprecision", "freq = 3000000001;\n\tprecision", "3000000001", "expected 3000000000" },
	{ "offset_s = 1699998333;", "offset_s = 1699998334;", "1699998334", "expected 1699998333" },
	{ "description = \"TSC", "description = \"HPET", "\"", "expected the string" },
	{ "absolute = true;", "absolute = false;", "false", "expected 'true'" },
	{ "stream {\n\tid = 0;", "stream {\n\tid = 1;", "1", "expected 0" },
	{ "uint64_t packet_seq_num;", "uint64_t packet_seqnum;", "packet_seqnum", "expected 'packet_seq_num'" },
	{ "event.header := struct {", "event.header = struct {", "=", "expected ':='" },
	{ "id = 1;\n\tstream_id", "id = 5;\n\tstream_id", "5", "expected 1" },
	{ "stream_id = 0;\n\tmodel", "stream_id = 1;\n\tmodel", "1", "expected 0" },
	{ "\t\tuint8_t a_u8;", "\t\tuint9_t a_u8;", "uint9_t", "a field type" },
	{ "\t\tuint8_t a_u8;", "\t\tuint64_clock_t a_u8;", "uint64_clock_t", "a field type" },
	{ "mant_dig = 53;", "mant_dig = 24;", "24", "expected 53" },
	{ "encoding = UTF8;", "encoding = ASCII;", "ASCII", "expected 'UTF8'" },
	{ "uint32_t _event;", "uint32_t event;", "event", "generator's form" },
	{ "uint8_t a_u8;", "uint8_t _a_u8;", "_a_u8", "generator's form" },
	{ "uint16_t a_u16;", "uint16_t a_u8;", "a_u8", "duplicate field name" },
	{ "uint8_t a_u8;", "uint8_t a_u8", "uint16_t", "expected ';'" },
	{ "\"mprof:kind=0;", "\"mprof:kind=9;", "\"", "event kind" },
	{ "\"mprof:kind=1;", "\"lttng:kind=1;", "\"", "model.emf.uri" },
	{ "\"mprof:kind=1;bounds=64\"", "\"mprof:kind=1;bounds=64,0\"", "\"", "end after 1 bounds" },
	{ "\"mprof:kind=1;bounds=64\"", "\"mprof:kind=1;bounds=5000\"", "\"", "bound 0" },
	{ "\"mprof:kind=0;bounds=0,0,0,0,0,0,0,0,0,16,0\"", "\"mprof:kind=0;bounds=0,0,0,0,0,0,0,0,0,16\"", "\"", "11 comma-separated" },
	{ "name = \"tick\";", "name = \"ti\\qck\";", "\\q", "expected an escape" },
	{ "name = \"tick\";", "name = \"ti\tck\";", "\t", "octal escape" },
	{ "name = \"tick\";", "name = \"ti\\000ck\";", "\"", "NUL byte" },
	{ "name = \"tick\";", "name = \"0123456789012345678901234567890123456789012345678901234567890123\";",
	  "\"", "longer than 63" },
	{ "trace {", "trace @ {", "@", "unexpected byte 0x40" },
	{ "freq = 3000000000;\n\tprecision", "freq = 99999999999999999999;\n\tprecision", "9", "64 bits" },
	{ "major = 1;", "major = 01;", "01", "leading zeros" },
	{ "major = 1;", "major = 0x1;", "x", "decimal integer" },
	{ "env {", "/* unterminated env {", "", "unterminated comment" },
	{ "name = \"tick\";", "name = \"tick;", "\n", "byte 0x0a" },
	{ "trace {", "trace {\n\tfoo = 1;", "foo", "expected 'major'" },
	{ "event {\n\tname = \"tick\"", "evnt {\n\tname = \"tick\"", "evnt", "expected 'event' or end of file" },
	{ "\ntrace {", "\n\n", "major", "expected 'trace'" },
};

static void check_bad(const char *good, size_t glen, const struct bad_case *c)
{
	struct prof_trace_desc d;
	struct prof_error err;
	const char *pos = strstr(good, c->from), *at;
	size_t before, tlen = strlen(c->to), flen = strlen(c->from), len, want;
	char *text;
	int ret;

	if (!pos)
		CHECK_FAIL("case '%s': not in the golden text", c->from);
	before = (size_t)(pos - good);
	len = glen - flen + tlen;
	text = malloc(len + 1);
	CHECK(text != NULL);
	memcpy(text, good, before);
	memcpy(text + before, c->to, tlen);
	memcpy(text + before + tlen, pos + flen, glen - before - flen + 1);
	at = c->at[0] ? strstr(text + before, c->at) : text + before;
	CHECK(at != NULL);
	want = (size_t)(at - text);

	memset(&err, 0, sizeof(err));
	ret = prof_ctf_metadata_parse(text, len, "bad.tsdl", &d, &err);
	if (ret != -EINVAL || err.code != -EINVAL || strcmp(err.file, "bad.tsdl") != 0 || err.offset != want ||
	    !strstr(err.text, c->msg))
		CHECK_FAIL("case '%s' -> '%s': got %d, %s: offset %llu: %s; want offset %zu and \"%s\"", c->from,
			   c->to, ret, err.file, (unsigned long long)err.offset, err.text, want, c->msg);
	CHECK(d.schema.events == NULL && d.schema.count == 0);
	free(text);
}

static void test_parser_rejects(void)
{
	struct prof_schema_event ev[TEST_NEVENTS], many[1];
	struct prof_trace_desc d, out;
	struct prof_error err;
	char *good, *text;
	size_t glen, i, n, len;
	int ret, ok = 0;

	test_schema(ev);
	test_desc(&d, ev, TEST_NEVENTS);
	d.byte_order = PROF_BYTE_ORDER_LE;
	good = metadata_text(&d, &glen);
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++)
		check_bad(good, glen, &bad_cases[i]);

	/* A NUL byte in the text. */
	text = strdup(good);
	CHECK(text != NULL);
	n = (size_t)(strstr(text, "trace {") - text);
	text[n] = '\0';
	CHECK_EQ(prof_ctf_metadata_parse(text, glen, "nul.tsdl", &out, &err), -EINVAL);
	CHECK_EQ_U(err.offset, n);
	CHECK(strstr(err.text, "unexpected byte 0x00") != NULL);
	free(text);

	/* A 15th field. */
	test_event(&many[0], 0, "wide", 0);
	for (i = 0; i < PROF_MAX_FIELDS; i++) {
		char name[8];

		snprintf(name, sizeof(name), "f%zu", i);
		test_field(&many[0], name, PROF_TYPE_U8, 0);
	}
	test_desc(&d, many, 1);
	text = metadata_text(&d, &len);
	{
		const char *last = strstr(text, "\t\tuint8_t f13;\n");
		size_t at = (size_t)(last - text) + strlen("\t\tuint8_t f13;\n");
		char *wide = malloc(len + 32);

		CHECK(last && wide);
		memcpy(wide, text, at);
		strcpy(wide + at, "\t\tuint8_t f14;\n");
		strcat(wide, text + at);
		CHECK_EQ(prof_ctf_metadata_parse(wide, strlen(wide), "wide.tsdl", &out, &err), -EINVAL);
		CHECK_EQ_U(err.offset, at + 2);
		CHECK(strstr(err.text, "at most 14 fields") != NULL);
		free(wide);
	}
	free(text);

	/* Every prefix of a good text fails cleanly, with an offset inside
	 * it, unless it ends just after a complete event. */
	for (n = 0; n < glen; n++) {
		memset(&err, 0, sizeof(err));
		ret = prof_ctf_metadata_parse(good, n, "cut.tsdl", &out, &err);
		if (ret == 0) {
			ok++;
			CHECK(out.schema.count <= TEST_NEVENTS);
			prof_trace_desc_free(&out);
			continue;
		}
		CHECK_EQ(ret, -EINVAL);
		CHECK_LE(err.offset, n);
	}
	/* After the stream block and each event, with zero, one or two of
	 * the trailing newlines (the whole text is not a prefix). */
	CHECK_EQ(ok, 5 * 3 - 1);

	/* An unterminated string literal. */
	text = malloc(glen + 16);
	CHECK(text != NULL);
	memcpy(text, good, glen);
	memcpy(text + glen, "event \"abc", 10);
	CHECK_EQ(prof_ctf_metadata_parse(text, glen + 10, "open.tsdl", &out, &err), -EINVAL);
	CHECK_EQ_U(err.offset, glen + 6);
	CHECK(strstr(err.text, "unterminated string literal") != NULL);
	free(text);

	/* NULL text. */
	CHECK_EQ(prof_ctf_metadata_parse(NULL, 0, "null", &out, &err), -EINVAL);
	free(good);
}

int main(void)
{
	test_golden();
	test_roundtrip();
	test_clamp();
	test_buffer();
	test_generator_rejects();
	test_parser_rejects();
	printf("test_ctf_metadata: ok\n");
	return 0;
}
