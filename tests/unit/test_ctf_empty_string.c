/* SPDX-License-Identifier: MIT */
/*
 * Empty string fields: our bytes are right and our reader decodes "" as
 * "", whatever comes before it.
 *
 * Debian 12's babeltrace2 2.0.4 shows an empty string field with the
 * value of an earlier event's field once it reuses event objects from its
 * pool (seen here from about the 15th event of a class on; fixed upstream
 * later, babeltrace review 4528).  This test writes 200 events whose
 * string alternates "", "abc", "x"; checks that each empty value is a
 * single NUL byte in the stream file and that prof_trace decodes it as "";
 * then, if babeltrace2 is installed, reports how many empty values it
 * showed wrongly, and fails only if it shows anything that is neither ""
 * nor an earlier value (the known bug is docs/REGION.md's, not ours).
 */
#include "test_ctf_util.h"

#define N 200

static const char *value(int i)
{
	return i % 3 == 0 ? "" : i % 3 == 1 ? "abc" : "x";
}

int main(void)
{
	struct prof_schema_event ev[1];
	struct prof_trace_desc d;
	struct prof_ctf_writer *w;
	struct prof_decoded_event e;
	struct prof_trace *t;
	struct prof_error err;
	static struct test_pkt p;
	size_t str_off[N], len;
	char *tmp = test_tmpdir("ctf-empty"), *dir, *path, *bytes, *cmd, line[512];
	int i, stale = 0, seen = 0;
	FILE *f;

	test_event(&ev[0], 0, "es", PROF_KIND_PLAIN);
	test_field(&ev[0], "i", PROF_TYPE_U32, 0);
	test_field(&ev[0], "s", PROF_TYPE_STRING, 16);
	test_field(&ev[0], "after", PROF_TYPE_U8, 0);
	test_desc(&d, ev, 1);
	CHECK(asprintf(&dir, "%s/trace", tmp) > 0);
	CHECK_OK(prof_ctf_writer_open(&w, dir, &err));
	CHECK_OK(prof_ctf_writer_metadata(w, &d, &err));
	pkt_begin(&p, 0, 0, 0, 1);
	for (i = 0; i < N; i++) {
		pkt_event(&p, d.clock.ref_ticks + (uint64_t)i, 0);
		pkt_put(&p, (uint64_t)i, 4);
		str_off[i] = p.len;
		pkt_str(&p, value(i));
		pkt_put(&p, 0xa5, 1);
	}
	pkt_end(&p);
	CHECK_OK(prof_ctf_writer_packet(w, 0, p.buf, p.len));
	CHECK_OK(prof_ctf_writer_close(w));

	/* The bytes: an empty string is exactly one NUL, then the next field. */
	CHECK(asprintf(&path, "%s/stream_0", dir) > 0);
	bytes = read_file(path, &len);
	CHECK(bytes != NULL);
	CHECK_EQ_U(len, p.len);
	for (i = 0; i < N; i += 3) {
		if (bytes[str_off[i]] != '\0' || (uint8_t)bytes[str_off[i] + 1] != 0xa5)
			CHECK_FAIL("event %d: empty string bytes %02x %02x, want 00 a5", i,
				   (uint8_t)bytes[str_off[i]], (uint8_t)bytes[str_off[i] + 1]);
	}
	free(bytes);
	free(path);

	/* Our reader: "" exactly, with length 0, every time. */
	CHECK_OK(prof_trace_open(&t, dir, &err));
	for (i = 0; i < N; i++) {
		CHECK_EQ(prof_trace_next(t, &e), 1);
		CHECK_EQ_U(e.values[0].v.u, (uint64_t)i);
		CHECK_STREQ(e.values[1].v.str.ptr, value(i));
		CHECK_EQ(e.values[1].v.str.len, strlen(value(i)));
		CHECK_EQ_U(e.values[2].v.u, 0xa5);
	}
	CHECK_EQ(prof_trace_next(t, &e), 0);
	prof_trace_close(t);

	/* babeltrace2 2.0.4, for the record. */
	if (system("babeltrace2 --version >/dev/null 2>&1") == 0) {
		CHECK(asprintf(&cmd, "babeltrace2 --no-delta '%s' 2>/dev/null", dir) > 0);
		f = popen(cmd, "r");
		CHECK(f != NULL);
		while (fgets(line, sizeof(line), f)) {
			unsigned idx;
			char shown[64];

			if (sscanf(line, "%*[^{]{ %*[^}]}, { i = %u, s = \"%63[^\"]\"", &idx, shown) != 2) {
				/* s = "" does not match %[^"]: an empty value shown right. */
				seen++;
				continue;
			}
			seen++;
			CHECK(idx < N);
			if (strcmp(shown, value((int)idx)) == 0)
				continue;
			/* Only the known bug is tolerated: "" shown as an earlier value. */
			if (value((int)idx)[0] != '\0' || (strcmp(shown, "abc") != 0 && strcmp(shown, "x") != 0))
				CHECK_FAIL("babeltrace2 shows event %u's s as \"%s\", want \"%s\"", idx, shown,
					   value((int)idx));
			stale++;
		}
		CHECK_EQ(pclose(f), 0);
		CHECK_EQ(seen, N);
		printf("babeltrace2: %d of %d empty strings shown with an earlier event's value%s\n", stale,
		       (N + 2) / 3, stale ? " (the known 2.0.4 bug, docs/REGION.md)" : "");
		free(cmd);
	}
	rm_rf(tmp);
	free(dir);
	free(tmp);
	printf("test_ctf_empty_string: ok\n");
	return 0;
}
