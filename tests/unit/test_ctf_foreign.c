/* SPDX-License-Identifier: MIT */
/*
 * CTF that mprof did not write: an LTTng-UST-like and a barectf-like
 * metadata (tests/golden/foreign/, both accepted by babeltrace2), and
 * LTTng's packetized form of the first.  The parser and the trace reader
 * refuse each with -ENOTSUP and a message that says it is not an mprof
 * trace, names its tracer and names babeltrace2: no parser offset.  A
 * damaged mprof metadata still gets the precise offset.
 */
#include "test_ctf_util.h"

static void check_foreign(const char *text, size_t len, const char *name, const char *tracer)
{
	struct prof_trace_desc d;
	struct prof_error err;
	char buf[600];
	int ret;

	memset(&err, 0, sizeof(err));
	ret = prof_ctf_metadata_parse(text, len, name, &d, &err);
	if (ret != -ENOTSUP || err.code != -ENOTSUP || err.offset != UINT64_MAX || strcmp(err.file, name) != 0 ||
	    !strstr(err.text, "not an mprof trace") || !strstr(err.text, "babeltrace2") ||
	    !strstr(err.text, tracer))
		CHECK_FAIL("%s: got %d: \"%s\"; want -ENOTSUP, no offset, \"not an mprof trace\", \"%s\", "
			   "\"babeltrace2\"", name, ret, prof_error_format(&err, buf, sizeof(buf)), tracer);
	CHECK(d.schema.events == NULL);
	printf("%s\n", prof_error_format(&err, buf, sizeof(buf)));
}

int main(void)
{
	static const char *const samples[][2] = {
		{ "tests/golden/foreign/lttng-ust.tsdl", "\"lttng-ust\"" },
		{ "tests/golden/foreign/barectf.tsdl", "\"barectf\"" },
	};
	struct prof_schema_event ev[TEST_NEVENTS];
	struct prof_trace_desc d;
	struct prof_trace *t;
	struct prof_error err;
	char *text, *tmp, *dir, *meta, *packetized, *ours;
	size_t len, i;

	for (i = 0; i < 2; i++) {
		text = read_file(samples[i][0], &len);
		if (!text)
			CHECK_FAIL("cannot read %s (run the test from the source tree)", samples[i][0]);
		check_foreign(text, len, samples[i][0], samples[i][1]);

		/* Through the trace reader too. */
		tmp = test_tmpdir("ctf-foreign");
		CHECK(asprintf(&dir, "%s/trace", tmp) > 0);
		CHECK(asprintf(&meta, "%s/metadata", dir) > 0);
		CHECK(mkdir(dir, 0777) == 0);
		write_file(meta, text, len);
		CHECK_EQ(prof_trace_open(&t, dir, &err), -ENOTSUP);
		CHECK_STREQ(err.file, meta);
		CHECK(strstr(err.text, "babeltrace2") != NULL);
		rm_rf(tmp);
		free(meta);
		free(dir);
		free(tmp);

		/* LTTng's packetized metadata: a binary packet header first. */
		if (i == 0) {
			static const uint8_t hdr[37] = { 0x57, 0x1d, 0xd1, 0x75 };

			packetized = malloc(len + sizeof(hdr));
			CHECK(packetized != NULL);
			memcpy(packetized, hdr, sizeof(hdr));
			memcpy(packetized + sizeof(hdr), text, len);
			check_foreign(packetized, len + sizeof(hdr), "packetized", "packetized");
			free(packetized);
		}
		free(text);
	}

	/* Ours, damaged: the parser's offset, not "foreign". */
	test_schema(ev);
	test_desc(&d, ev, TEST_NEVENTS);
	ours = metadata_text(&d, &len);
	ours[strstr(ours, "stream {") - ours] = 'S';
	CHECK_EQ(prof_ctf_metadata_parse(ours, len, "ours", &d, &err), -EINVAL);
	CHECK_EQ_U(err.offset, (uint64_t)(strstr(ours, "Stream {") - ours));
	free(ours);
	printf("test_ctf_foreign: ok\n");
	return 0;
}
