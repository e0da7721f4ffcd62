/* SPDX-License-Identifier: MIT */
/*
 * A directory of trace directories (one per process, as `mprof record`
 * writes DIR/<prog>-<pid>/) read as one trace:
 *  - parts found one level down and deeper, in name order; hidden entries,
 *    plain files and directories without metadata are not parts;
 *  - events merged in nanosecond order although the parts have different
 *    clocks (a 3 GHz TSC and CLOCK_MONOTONIC), each saying which part it
 *    came from, with ids in a merged schema (the same event defined with
 *    different ids in two parts is one merged event);
 *  - each part's own description (origin: which process) by index;
 *  - counts and statistics summed, incomplete if one part is;
 *  - follow mode picks up a part that appears later.
 */
#include "test_ctf_util.h"

#define MONO0 1666666666666ull /* test_clock()'s ref_monotonic_ns */

static char *join(const char *dir, const char *name)
{
	char *p;

	CHECK(asprintf(&p, "%s/%s", dir, name) > 0);
	return p;
}

struct part_spec {
	const char *name;         /* under the top directory */
	bool tsc;                 /* test_clock(), else CLOCK_MONOTONIC ns */
	uint64_t pid;
	uint64_t first_ns, step_ns;
	int n;                    /* events: "tick" */
	bool incomplete;
};

/*
 * Writes a part.  Its schema has "tick" (kind instant, no fields) at id
 * @tick_id among other events, so ids differ between parts.
 */
static void part_desc(struct prof_trace_desc *d, struct prof_schema_event ev[4], const struct part_spec *ps,
		      uint32_t tick_id, uint32_t nevents)
{
	uint32_t i;

	for (i = 0; i < 3; i++) {
		if (i == tick_id) {
			test_event(&ev[i], i, "tick", PROF_KIND_INSTANT);
		} else if (i == (tick_id + 1) % 3) {
			test_event(&ev[i], i, "work.begin", PROF_KIND_SPAN_BEGIN);
			test_field(&ev[i], "what", PROF_TYPE_STRING, 64);
		} else {
			char name[32];

			snprintf(name, sizeof(name), "only.%s", ps->name);
			test_event(&ev[i], i, name, PROF_KIND_PLAIN);
		}
	}
	/* A fourth event, for a metadata that grows. */
	test_event(&ev[3], 3, "late.new", PROF_KIND_PLAIN);
	test_field(&ev[3], "v", PROF_TYPE_U8, 0);
	test_desc(d, ev, nevents);
	if (!ps->tsc) {
		d->clock.source = PROF_CLOCK_MONOTONIC;
		d->clock.freq_hz = 1000000000ull;
		d->clock.ref_ticks = d->clock.ref_monotonic_ns = MONO0;
	}
	d->origin.pid = ps->pid;
	snprintf(d->origin.procname, sizeof(d->origin.procname), "%s", ps->name);
	d->counts.dropped_no_slot = ps->pid;
	d->counts.strings_truncated = 1;
}

static void write_part(const char *top, const struct part_spec *ps, uint32_t tick_id)
{
	struct prof_schema_event ev[4];
	struct prof_trace_desc d;
	struct prof_ctf_writer *w;
	struct prof_error err;
	struct test_pkt p = { .swap = false };
	char *dir = join(top, ps->name);
	int k;

	part_desc(&d, ev, ps, tick_id, 3);
	CHECK_OK(prof_ctf_writer_open(&w, dir, &err));
	CHECK_OK(prof_ctf_writer_metadata(w, &d, &err));
	pkt_begin(&p, 0, 0, 2, 9);
	for (k = 0; k < ps->n; k++) {
		uint64_t ns = ps->first_ns + (uint64_t)k * ps->step_ns;
		/* ns -> ticks: exact for the 3 GHz clock (multiples of 1 ns * 3). */
		uint64_t ticks = ps->tsc ? d.clock.ref_ticks + (ns - MONO0) * 3 : ns;

		pkt_event(&p, ticks, tick_id);
	}
	pkt_end(&p);
	CHECK_OK(prof_ctf_writer_packet(w, 0, p.buf, p.len));
	CHECK_OK(prof_ctf_writer_close(w));
	if (ps->incomplete) {
		char *m = join(dir, PROF_CTF_INCOMPLETE_MARKER);

		write_file(m, "", 0);
		free(m);
	}
	free(dir);
}

int main(void)
{
	static const struct part_spec parts[] = {
		{ "a-100", true, 100, MONO0 + 1000, 1000, 4, false },
		{ "b-200", false, 200, MONO0 + 1500, 1000, 4, false },
		{ "grp/c-300", true, 300, MONO0 + 1200, 10000, 1, true },
	};
	static const struct part_spec late = { "d-400", false, 400, MONO0 + 100000, 1, 2, false };
	/* Expected order: (ns, part index). */
	static const struct { uint64_t ns; uint32_t part; } order[] = {
		{ MONO0 + 1000, 0 }, { MONO0 + 1200, 2 }, { MONO0 + 1500, 1 }, { MONO0 + 2000, 0 },
		{ MONO0 + 2500, 1 }, { MONO0 + 3000, 0 }, { MONO0 + 3500, 1 }, { MONO0 + 4000, 0 },
		{ MONO0 + 4500, 1 },
	};
	char *top = test_tmpdir("ctf-multi"), *path;
	const struct prof_trace_desc *d;
	struct prof_decoded_event ev;
	struct prof_trace_stats st;
	struct prof_trace *t;
	struct prof_error err;
	uint32_t tick = UINT32_MAX;
	size_t i;

	path = join(top, "grp");
	CHECK(mkdir(path, 0777) == 0);
	free(path);
	for (i = 0; i < 3; i++)
		write_part(top, &parts[i], (uint32_t)i);
	/* Not parts: a hidden directory, a file, an empty directory. */
	path = join(top, ".hidden");
	CHECK(mkdir(path, 0777) == 0);
	free(path);
	path = join(top, "notes.txt");
	write_file(path, "x", 1);
	free(path);
	path = join(top, "empty");
	CHECK(mkdir(path, 0777) == 0);
	free(path);

	CHECK_OK(prof_trace_open(&t, top, &err));
	CHECK_EQ(prof_trace_part_count(t), 3);
	for (i = 0; i < 3; i++) {
		char *want = join(top, parts[i].name);

		CHECK_STREQ(prof_trace_part_dir(t, (uint32_t)i), want);
		CHECK_EQ_U(prof_trace_get_part_desc(t, (uint32_t)i)->origin.pid, parts[i].pid);
		CHECK_STREQ(prof_trace_get_part_desc(t, (uint32_t)i)->origin.procname, parts[i].name);
		free(want);
	}
	CHECK(prof_trace_get_part_desc(t, 3) == NULL);
	d = prof_trace_get_desc(t);
	/* The merged clock is nanoseconds; counts are sums. */
	CHECK_EQ(d->clock.source, PROF_CLOCK_MONOTONIC);
	CHECK_EQ_U(prof_clock_to_ns(&d->clock, 123456789), 123456789);
	CHECK_EQ_U(d->counts.dropped_no_slot, 600);
	CHECK_EQ_U(d->counts.strings_truncated, 3);
	CHECK_EQ_U(d->origin.pid, 100);
	/* tick, work.begin and three only.* events. */
	CHECK_EQ(d->schema.count, 5);
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		CHECK_EQ(prof_trace_next(t, &ev), 1);
		if (ev.timestamp != order[i].ns || ev.trace != order[i].part)
			CHECK_FAIL("event %zu: (ns %llu, part %u), want (%llu, %u)", i,
				   (unsigned long long)ev.timestamp, ev.trace, (unsigned long long)order[i].ns,
				   order[i].part);
		CHECK_STREQ(ev.desc->name, "tick");
		CHECK(ev.desc == &d->schema.events[ev.id]);
		if (tick == UINT32_MAX)
			tick = ev.id;
		CHECK_EQ(ev.id, tick); /* one merged id for the three parts' ticks */
	}
	CHECK_EQ(prof_trace_next(t, &ev), 0);
	prof_trace_get_stats(t, &st);
	CHECK_EQ_U(st.traces, 3);
	CHECK_EQ_U(st.streams, 3);
	CHECK_EQ_U(st.packets, 3);
	CHECK_EQ_U(st.events, 9);
	CHECK_EQ_U(st.events_discarded, 6);
	CHECK_EQ_U(st.incomplete, 1);
	prof_trace_close(t);

	/* Follow mode: a part that appears later is picked up. */
	CHECK_OK(prof_trace_open_flags(&t, top, PROF_TRACE_FOLLOW, &err));
	for (i = 0; i < 9; i++)
		CHECK_EQ(prof_trace_next(t, &ev), 1);
	CHECK_EQ(prof_trace_next(t, &ev), -EAGAIN);
	write_part(top, &late, 1);
	CHECK_EQ(prof_trace_next(t, &ev), 1);
	CHECK_EQ(ev.trace, 3);
	CHECK_EQ_U(ev.timestamp, late.first_ns);
	CHECK_STREQ(ev.desc->name, "tick");
	CHECK_EQ(ev.id, tick);
	CHECK_EQ(prof_trace_next(t, &ev), 1);
	CHECK_EQ(prof_trace_part_count(t), 4);
	CHECK_EQ_U(prof_trace_get_desc(t)->counts.dropped_no_slot, 1000);
	CHECK_EQ(prof_trace_get_desc(t)->schema.count, 6);
	/* d-400's metadata grows by an event, used by a new packet: the
	 * merged schema grows, the merged ids already given stay. */
	{
		struct prof_schema_event ev4[4];
		struct prof_trace_desc d4;
		struct test_pkt p = { .swap = false };
		char *dir = join(top, late.name), *tmpf = join(dir, "metadata.tmp"), *meta = join(dir, "metadata");
		char *text, *stream = join(dir, "stream_0");
		size_t tlen;
		FILE *f;

		part_desc(&d4, ev4, &late, 1, 4);
		text = metadata_text(&d4, &tlen);
		write_file(tmpf, text, tlen);
		CHECK(rename(tmpf, meta) == 0);
		pkt_begin(&p, 0, 1, 2, 9);
		pkt_event(&p, late.first_ns + 10, 3);
		pkt_put(&p, 42, 1);
		pkt_end(&p);
		f = fopen(stream, "ab");
		CHECK(f != NULL);
		CHECK(fwrite(p.buf, 1, p.len, f) == p.len);
		CHECK(fclose(f) == 0);
		CHECK_EQ(prof_trace_next(t, &ev), 1);
		CHECK_EQ(ev.trace, 3);
		CHECK_STREQ(ev.desc->name, "late.new");
		CHECK_EQ(ev.id, 6);
		CHECK_EQ_U(ev.values[0].v.u, 42);
		CHECK_EQ(prof_trace_get_desc(t)->schema.count, 7);
		CHECK_STREQ(prof_trace_get_desc(t)->schema.events[tick].name, "tick");
		free(text);
		free(stream);
		free(meta);
		free(tmpf);
		free(dir);
	}
	/* c-300 is still incomplete: not the end. */
	CHECK_EQ(prof_trace_next(t, &ev), -EAGAIN);
	/* Nor while the directory itself has the marker (its recorder may
	 * start another process). */
	path = join(top, PROF_CTF_INCOMPLETE_MARKER);
	write_file(path, "", 0);
	free(path);
	path = join(top, "grp/c-300/" PROF_CTF_INCOMPLETE_MARKER);
	CHECK(unlink(path) == 0);
	free(path);
	CHECK_EQ(prof_trace_next(t, &ev), -EAGAIN);
	prof_trace_get_stats(t, &st);
	CHECK_EQ_U(st.incomplete, 1);
	path = join(top, PROF_CTF_INCOMPLETE_MARKER);
	CHECK(unlink(path) == 0);
	free(path);
	CHECK_EQ(prof_trace_next(t, &ev), 0);
	prof_trace_get_stats(t, &st);
	CHECK_EQ_U(st.incomplete, 0);
	prof_trace_close(t);

	/* An empty directory is neither kind of trace. */
	path = join(top, "empty");
	CHECK_EQ(prof_trace_open(&t, path, &err), -ENOENT);
	CHECK(strstr(err.text, "nor a directory of traces") != NULL);
	free(path);

	rm_rf(top);
	free(top);
	printf("test_ctf_multi: ok\n");
	return 0;
}
