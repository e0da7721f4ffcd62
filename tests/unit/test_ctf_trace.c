/* SPDX-License-Identifier: MIT */
/*
 * The trace-directory writer and reader: a trace written from hand-made
 * packets reads back with every value intact, merged across three streams
 * in (timestamp, slot) order, with exact statistics; corrupted, truncated
 * and foreign input is skipped and reported with the file and the packet's
 * offset; missing or garbage metadata fails with the file (and offset).
 */
#include <sys/stat.h>

#include "test_ctf_util.h"

static struct prof_schema_event schema[TEST_NEVENTS + 1];
static struct prof_trace_desc desc;

/* Event 0 with values that depend on @k, each type at or near its limits. */
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
	pkt_f64(p, -2.25 * (k + 1));
	pkt_str(p, k ? "hello, world" : "");
	pkt_put(p, (uint64_t)(42 + k), 4);
}

static void check_all_types(const struct prof_decoded_event *ev, int k)
{
	CHECK_EQ(ev->id, 0);
	CHECK_EQ(ev->nfields, 11);
	CHECK_EQ_U(ev->values[0].v.u, 250 + k);
	CHECK_EQ_U(ev->values[1].v.u, 65535 - k);
	CHECK_EQ_U(ev->values[2].v.u, 4294967295u - (unsigned)k);
	CHECK_EQ_U(ev->values[3].v.u, UINT64_MAX - (uint64_t)k);
	CHECK_EQ(ev->values[4].v.s, -128 + k);
	CHECK_EQ(ev->values[5].v.s, -32768 + k);
	CHECK_EQ(ev->values[6].v.s, (int64_t)INT32_MIN + k);
	CHECK_EQ(ev->values[7].v.s, INT64_MIN + k);
	CHECK(ev->values[8].v.f == -2.25 * (k + 1));
	CHECK_STREQ(ev->values[9].v.str.ptr, k ? "hello, world" : "");
	CHECK_EQ(ev->values[9].v.str.len, k ? 12 : 0);
	CHECK_EQ_U(ev->values[10].v.u, 42 + k);
	CHECK_EQ(ev->values[10].type, PROF_TYPE_U32);
}

static void put_str_event(struct test_pkt *p, uint64_t ts, const char *s)
{
	pkt_event(p, ts, 1);
	pkt_str(p, s);
}

static char *join(const char *dir, const char *name)
{
	char *p;

	CHECK(asprintf(&p, "%s/%s", dir, name) > 0);
	return p;
}

static void write_metadata(const char *dir, const struct prof_trace_desc *d)
{
	char *path = join(dir, "metadata"), *text;
	size_t len;

	text = metadata_text(d, &len);
	write_file(path, text, len);
	free(text);
	free(path);
}

/* ---- A good trace, written with the writer ---- */

struct expect {
	uint64_t ts;
	uint32_t slot, id, tid;
	int k;              /* all.types: its k; work.begin: index in strs */
};

static const char *const strs[] = { "alpha", "seven" };

static const struct expect expected[] = {
	{ 50, 7, 0, 77, 2 },  { 100, 0, 0, 10, 0 }, { 150, 2, 2, 22, 0 }, { 200, 0, 2, 10, 0 },
	{ 300, 0, 1, 10, 0 }, { 300, 2, 2, 22, 0 }, { 300, 7, 1, 77, 1 }, { 400, 0, 0, 11, 1 },
	{ 500, 0, 3, 11, 9 }, { 600, 2, 2, 23, 0 }, { 700, 7, 2, 78, 0 },
};

static void test_write_read(const char *tmp)
{
	struct prof_ctf_writer *w;
	struct prof_trace *t;
	struct prof_decoded_event ev;
	struct prof_trace_stats st;
	struct prof_error err;
	struct test_pkt p = { .swap = false };
	struct stat s1, s2;
	char *dir = join(tmp, "trace"), *meta, *tmpfile;
	size_t i;
	int ret;

	/* The directory does not exist yet: the writer creates it. */
	CHECK_OK(prof_ctf_writer_open(&w, dir, &err));
	CHECK_OK(prof_ctf_writer_metadata(w, &desc, &err));

	/* Stream 0: two packets, 3 events discarded before the second. */
	pkt_begin(&p, 0, 0, 0, 10);
	put_all_types(&p, 100, 0);
	pkt_event(&p, 200, 2);
	put_str_event(&p, 300, strs[0]);
	pkt_end(&p);
	CHECK_OK(prof_ctf_writer_packet(w, 0, p.buf, p.len));
	pkt_begin(&p, 0, 1, 3, 11);
	put_all_types(&p, 400, 1);
	pkt_event(&p, 500, 3);
	pkt_put(&p, 9, 1);
	pkt_end(&p);
	CHECK_OK(prof_ctf_writer_sink(w, 0, p.buf, p.len, NULL));

	/* Stream 2: sequence 5 then 8 (0-4 and 6-7 lost: 7), 10 then 12 discarded. */
	pkt_begin(&p, 2, 5, 10, 22);
	pkt_event(&p, 150, 2);
	pkt_event(&p, 300, 2);
	pkt_end(&p);
	CHECK_OK(prof_ctf_writer_packet(w, 2, p.buf, p.len));
	pkt_begin(&p, 2, 8, 12, 23);
	pkt_event(&p, 600, 2);
	pkt_end(&p);
	CHECK_OK(prof_ctf_writer_packet(w, 2, p.buf, p.len));

	/* Stream 7: an empty packet in the middle. */
	pkt_begin(&p, 7, 0, 0, 77);
	put_all_types(&p, 50, 2);
	put_str_event(&p, 300, strs[1]);
	pkt_end(&p);
	CHECK_OK(prof_ctf_writer_packet(w, 7, p.buf, p.len));
	pkt_begin(&p, 7, 1, 0, 77);
	pkt_end(&p);
	CHECK_OK(prof_ctf_writer_packet(w, 7, p.buf, p.len));
	pkt_begin(&p, 7, 2, 1, 78);
	pkt_event(&p, 700, 2);
	pkt_end(&p);
	CHECK_OK(prof_ctf_writer_packet(w, 7, p.buf, p.len));

	/* Bad arguments are refused and leave the writer usable. */
	CHECK_EQ(prof_ctf_writer_packet(w, PROF_MAX_STREAMS, p.buf, p.len), -EINVAL);
	CHECK_EQ(prof_ctf_writer_packet(w, 1, p.buf, PROF_PACKET_HEADER_SIZE - 1), -EINVAL);
	desc.byte_order = 0;
	CHECK_EQ(prof_ctf_writer_metadata(w, &desc, &err), -EINVAL);
	desc.byte_order = test_host_order();

	/* The same metadata is not rewritten; a grown schema is, atomically. */
	meta = join(dir, "metadata");
	tmpfile = join(dir, ".metadata.tmp");
	CHECK(stat(meta, &s1) == 0);
	CHECK_OK(prof_ctf_writer_metadata(w, &desc, &err));
	CHECK(stat(meta, &s2) == 0);
	CHECK_EQ_U(s1.st_ino, s2.st_ino);
	test_event(&schema[TEST_NEVENTS], TEST_NEVENTS, "late.event", 0);
	test_field(&schema[TEST_NEVENTS], "x", PROF_TYPE_U64, 0);
	desc.schema.count = TEST_NEVENTS + 1;
	CHECK_OK(prof_ctf_writer_metadata(w, &desc, &err));
	CHECK(stat(meta, &s2) == 0);
	CHECK_NE(s1.st_ino, s2.st_ino);
	CHECK(access(tmpfile, F_OK) != 0);
	CHECK_OK(prof_ctf_writer_close(w));
	CHECK_OK(prof_ctf_writer_close(NULL));

	/* A directory that holds anything is refused. */
	memset(&err, 0, sizeof(err));
	CHECK_EQ(prof_ctf_writer_open(&w, dir, &err), -EEXIST);
	CHECK_STREQ(err.file, dir);
	CHECK(w == NULL);

	/* Read it back. */
	CHECK_OK(prof_trace_open(&t, dir, &err));
	CHECK_EQ(prof_trace_get_desc(t)->schema.count, TEST_NEVENTS + 1);
	CHECK(memcmp(&prof_trace_get_desc(t)->clock, &desc.clock, sizeof(desc.clock)) == 0);
	for (i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
		const struct expect *x = &expected[i];

		ret = prof_trace_next(t, &ev);
		if (ret != 1)
			CHECK_FAIL("event %zu: prof_trace_next returned %d", i, ret);
		if (ev.timestamp != x->ts || ev.stream != x->slot || ev.id != x->id)
			CHECK_FAIL("event %zu: got (ts %llu, stream %u, id %u), want (%llu, %u, %u)", i,
				   (unsigned long long)ev.timestamp, ev.stream, ev.id, (unsigned long long)x->ts,
				   x->slot, x->id);
		CHECK_EQ(ev.tid, x->tid);
		CHECK(ev.desc == &prof_trace_get_desc(t)->schema.events[x->id]);
		if (x->id == 0)
			check_all_types(&ev, x->k);
		else if (x->id == 1)
			CHECK_STREQ(ev.values[0].v.str.ptr, strs[x->k]);
		else if (x->id == 3)
			CHECK_EQ_U(ev.values[0].v.u, (uint64_t)x->k);
		else
			CHECK_EQ(ev.nfields, 0);
	}
	CHECK_EQ(prof_trace_next(t, &ev), 0);
	CHECK_EQ(prof_trace_next(t, &ev), 0);
	prof_trace_get_stats(t, &st);
	CHECK_EQ_U(st.streams, 3);
	CHECK_EQ_U(st.packets, 7);
	CHECK_EQ_U(st.events, 11);
	CHECK_EQ_U(st.invalid_packets, 0);
	CHECK_EQ_U(st.events_discarded, 3 + 12 + 1);
	CHECK_EQ_U(st.packets_lost, 7);
	CHECK(prof_trace_last_error(t) == NULL);
	prof_trace_close(t);
	prof_trace_close(NULL);

	desc.schema.count = TEST_NEVENTS;
	free(meta);
	free(tmpfile);
	free(dir);
}

/* ---- Damaged streams ---- */

struct damaged {
	const char *name;
	int code;              /* of the last error */
	const char *msg;       /* in its text */
	uint64_t events;       /* read in all */
	uint64_t packets, invalid, lost;
};

/*
 * Writes three packets of two events each (ts 10k+1, 10k+2) into a fresh
 * trace's stream_1, damages packet 1 as @damage says, and reads it.
 */
static void check_damaged(const char *tmp, int damage, const struct damaged *want)
{
	struct prof_trace *t;
	struct prof_decoded_event ev;
	struct prof_trace_stats st;
	const struct prof_error *e;
	struct prof_error err;
	struct test_pkt p = { .swap = false };
	uint8_t file[3 * 512];
	size_t len = 0, off1 = 0, k;
	char *dir, *path, buf[600];
	uint64_t n = 0;

	dir = join(tmp, want->name);
	CHECK(mkdir(dir, 0777) == 0);
	write_metadata(dir, &desc);
	for (k = 0; k < 3; k++) {
		pkt_begin(&p, 1, k, 0, 5);
		pkt_event(&p, 10 * k + 1, 2);
		pkt_event(&p, 10 * k + 2, 3);
		pkt_put(&p, k, 1);
		pkt_end(&p);
		if (k == 1) {
			off1 = len;
			switch (damage) {
			case 0: /* an unknown event id: the packet is skipped */
				pkt_set(&p, PROF_PACKET_HEADER_SIZE + 12 + 1, 99, 3);
				break;
			case 1: /* another trace's uuid: skipped */
				p.buf[4] ^= 0xff;
				break;
			case 2: /* bad magic: framing lost */
				pkt_set(&p, 0, 0xdeadbeef, 4);
				break;
			case 3: /* impossible packet_size */
				pkt_set(&p, 56, 8 * (uint64_t)p.len + 3, 8);
				break;
			case 4: /* content_size beyond packet_size: skipped */
				pkt_set(&p, 48, 8 * (uint64_t)p.len + 8, 8);
				break;
			}
		}
		CHECK(len + p.len <= sizeof(file));
		memcpy(file + len, p.buf, p.len);
		len += p.len;
	}
	if (damage == 5) /* the file ends 10 bytes into the last packet's end */
		len -= 10;
	if (damage == 6) /* and here 40 bytes into the last packet's header */
		len = 2 * p.len + 40;
	path = join(dir, "stream_1");
	write_file(path, file, len);

	CHECK_OK(prof_trace_open(&t, dir, &err));
	while (prof_trace_next(t, &ev) == 1)
		n++;
	prof_trace_get_stats(t, &st);
	e = prof_trace_last_error(t);
	if (!e)
		CHECK_FAIL("%s: no error reported", want->name);
	if (e->code != want->code || strcmp(e->file, path) != 0 || !strstr(e->text, want->msg))
		CHECK_FAIL("%s: got \"%s\" (code %d), want code %d and \"%s\"", want->name,
			   prof_error_format(e, buf, sizeof(buf)), e->code, want->code, want->msg);
	CHECK_EQ_U(e->offset, damage >= 5 ? 2 * p.len : off1);
	CHECK_EQ_U(n, want->events);
	CHECK_EQ_U(st.events, want->events);
	CHECK_EQ_U(st.packets, want->packets);
	CHECK_EQ_U(st.invalid_packets, want->invalid);
	CHECK_EQ_U(st.packets_lost, want->lost);
	CHECK_EQ_U(st.streams, 1);
	prof_trace_close(t);
	free(path);
	free(dir);
}

static void test_damaged(const char *tmp)
{
	static const struct damaged cases[] = {
		{ "bad-id", -EPROTO, "invalid packet skipped: event id 99 unknown", 4, 2, 1, 1 },
		{ "bad-uuid", -EINVAL, "uuid", 4, 2, 1, 1 },
		{ "bad-magic", -EINVAL, "bad packet magic 0xdeadbeef", 2, 1, 1, 0 },
		{ "bad-size", -EINVAL, "is impossible", 2, 1, 1, 0 },
		{ "bad-content", -EINVAL, "content_size", 4, 2, 1, 1 },
		{ "truncated", -EINVAL, "truncated packet: packet_size says", 4, 2, 1, 0 },
		{ "truncated-header", -EINVAL, "truncated packet: 40 bytes left", 4, 2, 1, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_damaged(tmp, (int)i, &cases[i]);
}

/* ---- Directories that are not traces ---- */

static void test_bad_dirs(const char *tmp)
{
	struct prof_trace *t = NULL;
	struct prof_ctf_writer *w = NULL;
	struct prof_error err;
	struct prof_trace_desc other;
	char *dir, *meta, *path, *text;
	size_t len;

	/* No directory. */
	dir = join(tmp, "missing");
	memset(&err, 0, sizeof(err));
	CHECK_EQ(prof_trace_open(&t, dir, &err), -ENOENT);
	CHECK_STREQ(err.file, dir);
	CHECK(t == NULL);

	/* No metadata. */
	CHECK(mkdir(dir, 0777) == 0);
	meta = join(dir, "metadata");
	CHECK_EQ(prof_trace_open(&t, dir, &err), -ENOENT);
	CHECK_STREQ(err.file, meta);
	CHECK(strstr(err.text, "metadata") != NULL);

	/* Garbage metadata. */
	write_file(meta, "hello", 5);
	CHECK_EQ(prof_trace_open(&t, dir, &err), -EINVAL);
	CHECK_STREQ(err.file, meta);
	CHECK_EQ_U(err.offset, 0);

	/* Metadata damaged further in: the offset says where. */
	text = metadata_text(&desc, &len);
	text[strstr(text, "clock {") - text + 2] = '#';
	write_file(meta, text, len);
	CHECK_EQ(prof_trace_open(&t, dir, &err), -EINVAL);
	CHECK_STREQ(err.file, meta);
	CHECK_EQ_U(err.offset, (uint64_t)(strstr(text, "cl#ck {") - text));
	CHECK(strstr(err.text, "expected 'clock', found 'cl'") != NULL);
	free(text);

	/* A byte order this host's reader cannot check. */
	other = desc;
	other.byte_order = test_host_order() == PROF_BYTE_ORDER_LE ? PROF_BYTE_ORDER_BE : PROF_BYTE_ORDER_LE;
	write_metadata(dir, &other);
	CHECK_EQ(prof_trace_open(&t, dir, &err), -ENOTSUP);
	CHECK_STREQ(err.file, meta);

	/* Files that are not streams are ignored; an empty stream has no
	 * events; a stream_N that is a directory is an error. */
	write_metadata(dir, &desc);
	path = join(dir, "stream_01");
	write_file(path, "x", 1);
	free(path);
	path = join(dir, "stream_");
	write_file(path, "x", 1);
	free(path);
	path = join(dir, "stream_4");
	write_file(path, "", 0);
	CHECK_OK(prof_trace_open(&t, dir, &err));
	{
		struct prof_decoded_event ev;
		struct prof_trace_stats st;

		CHECK_EQ(prof_trace_next(t, &ev), 0);
		prof_trace_get_stats(t, &st);
		CHECK_EQ_U(st.streams, 1);
		CHECK_EQ_U(st.packets, 0);
		CHECK(prof_trace_last_error(t) == NULL);
	}
	prof_trace_close(t);
	free(path);
	path = join(dir, "stream_9");
	CHECK(mkdir(path, 0777) == 0);
	CHECK_EQ(prof_trace_open(&t, dir, &err), -EINVAL);
	CHECK_STREQ(err.file, path);
	free(path);

	/* The writer refuses a path under a missing directory. */
	path = join(tmp, "no/such/dir");
	CHECK_EQ(prof_ctf_writer_open(&w, path, &err), -ENOENT);
	CHECK(w == NULL);
	free(path);
	free(meta);
	free(dir);
}

/* ---- Clock conversion ---- */

static void test_clock_to_ns(void)
{
	struct prof_clock_desc c;

	test_clock(&c);
	CHECK_EQ_U(prof_clock_to_ns(&c, c.ref_ticks), c.ref_monotonic_ns);
	CHECK_EQ_U(prof_clock_to_ns(&c, c.ref_ticks + 3000000000ull), c.ref_monotonic_ns + 1000000000ull);
	CHECK_EQ_U(prof_clock_to_ns(&c, c.ref_ticks + 2), c.ref_monotonic_ns);      /* 0.67 ns down */
	CHECK_EQ_U(prof_clock_to_ns(&c, c.ref_ticks - 1), c.ref_monotonic_ns - 1);  /* -0.33 ns down */
	/* A nanosecond clock (its own path): an offset, clamped at both ends. */
	{
		struct prof_clock_desc n = { .freq_hz = 1000000000ull, .ref_ticks = 1000, .ref_monotonic_ns = 500 };

		CHECK_EQ_U(prof_clock_to_ns(&n, 1700), 1200);
		CHECK_EQ_U(prof_clock_to_ns(&n, 499), 0);
		CHECK_EQ_U(prof_clock_to_ns(&n, 600), 100);
		CHECK_EQ_U(prof_clock_to_ns(&n, UINT64_MAX), UINT64_MAX - 500);
		n.ref_monotonic_ns = 2000;
		CHECK_EQ_U(prof_clock_to_ns(&n, UINT64_MAX - 100), UINT64_MAX);
	}
	CHECK_EQ_U(prof_clock_to_ns(&c, c.ref_ticks - 3), c.ref_monotonic_ns - 1);
	CHECK_EQ_U(prof_clock_to_ns(&c, 0), 0);                                       /* clamped */
	CHECK_EQ_U(prof_clock_to_ns(&c, UINT64_MAX),
		   c.ref_monotonic_ns + (__int128)(UINT64_MAX - c.ref_ticks) * 1000000000 / 3000000000ull);

	c.source = PROF_CLOCK_MONOTONIC;
	c.freq_hz = 1000000000ull;
	c.ref_ticks = c.ref_monotonic_ns = 777;
	CHECK_EQ_U(prof_clock_to_ns(&c, 123456789), 123456789);
	CHECK_EQ_U(prof_clock_to_ns(&c, UINT64_MAX), UINT64_MAX);

	c.freq_hz = 1;
	c.ref_ticks = 0;
	c.ref_monotonic_ns = 0;
	CHECK_EQ_U(prof_clock_to_ns(&c, UINT64_MAX), UINT64_MAX); /* clamped */
	c.freq_hz = 0;
	CHECK_EQ_U(prof_clock_to_ns(&c, 42), 42);
	CHECK_EQ_U(prof_clock_to_ns(NULL, 42), 42);
}

int main(void)
{
	char *tmp = test_tmpdir("ctf-trace");

	test_schema(schema);
	test_desc(&desc, schema, TEST_NEVENTS);
	test_clock_to_ns();
	test_write_read(tmp);
	test_damaged(tmp);
	test_bad_dirs(tmp);
	rm_rf(tmp);
	free(tmp);
	printf("test_ctf_trace: ok\n");
	return 0;
}
