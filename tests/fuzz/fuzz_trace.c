/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the trace reader over an arbitrary stream file.
 *
 * A temporary trace directory (in /dev/shm unless TMPDIR says otherwise)
 * holds a fixed, valid `metadata` (the CTF tests' schema: every field
 * type, strings, an event without fields).
 * Each input is written there as stream_0 and again as stream_5, so the
 * merge sees two streams with equal timestamps; the trace is opened and
 * iterated to the end (half the time in follow mode).  The reader must
 * never crash or read outside the
 * files, and its counts must agree with what it delivered.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/test_ctf_util.h"

static char *dir, *stream0, *stream5;

static void cleanup(void)
{
	if (dir)
		rm_rf(dir);
}

static void put(const char *path, const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "wb");

	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
		abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static struct prof_schema_event schema[TEST_NEVENTS];
	struct prof_trace_desc desc;
	char *meta, *text;
	size_t len;

	(void)argc;
	(void)argv;
	test_schema(schema);
	test_desc(&desc, schema, TEST_NEVENTS);
	/* Rewriting a file on ext4 flushes it on close: use memory if we can. */
	if (!getenv("TMPDIR") && access("/dev/shm", W_OK) == 0)
		setenv("TMPDIR", "/dev/shm", 0);
	dir = test_tmpdir("fuzz-trace");
	if (asprintf(&meta, "%s/metadata", dir) < 0 || asprintf(&stream0, "%s/stream_0", dir) < 0 ||
	    asprintf(&stream5, "%s/stream_5", dir) < 0)
		abort();
	text = metadata_text(&desc, &len);
	put(meta, (const uint8_t *)text, len);
	free(text);
	free(meta);
	atexit(cleanup);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct prof_decoded_event ev;
	struct prof_trace_stats st;
	struct prof_trace *t;
	struct prof_error err;
	uint64_t n = 0;
	int ret, i;

	put(stream0, data, size);
	put(stream5, data, size);
	/* Half the inputs in follow mode: with no incomplete marker, it must
	 * read the same and end the same. */
	if (prof_trace_open_flags(&t, dir, size && (data[0] & 1) ? PROF_TRACE_FOLLOW : 0, &err) != 0)
		abort();
	while ((ret = prof_trace_next(t, &ev)) == 1) {
		if (!ev.desc || ev.nfields > PROF_MAX_FIELDS || ev.nfields != ev.desc->nfields)
			abort();
		for (i = 0; i < ev.nfields; i++)
			if (ev.values[i].type == PROF_TYPE_STRING &&
			    strlen(ev.values[i].v.str.ptr) != ev.values[i].v.str.len)
				abort();
		n++;
	}
	if (ret != 0)
		abort();
	prof_trace_get_stats(t, &st);
	if (st.events != n || st.streams != 2 || (n && !st.packets) || st.traces != 1 ||
	    st.invalid_packets < st.packets_out_of_order + st.packets_misplaced ||
	    (st.invalid_packets && !prof_trace_last_error(t)))
		abort();
	prof_trace_close(t);
	return 0;
}
