/* SPDX-License-Identifier: MIT */
/*
 * Following a trace directory while it is written (PROF_TRACE_FOLLOW).
 *
 * 1. Step by step, the test playing the writer: nothing there yet, then
 *    metadata and a packet, half a packet (waits), the other half, a new
 *    stream file, a packet using an event the metadata does not name yet
 *    (waits until the metadata is replaced), the writer finishing (end of
 *    trace), and a packet cut short by a writer that finished (counted).
 * 2. A writer thread appending packets (some in two halves) to two stream
 *    files while the test follows them; the follower waits on the
 *    writer's progress counter, never on time.  Every event comes exactly
 *    once, in order per stream.
 */
#include <fcntl.h>
#include <pthread.h>

#include "test_ctf_util.h"

static char *join(const char *dir, const char *name)
{
	char *p;

	CHECK(asprintf(&p, "%s/%s", dir, name) > 0);
	return p;
}

/* Appends @len bytes to DIR/NAME with one write(), as the recorder does. */
static void append(const char *dir, const char *name, const void *buf, size_t len)
{
	char *path = join(dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

	CHECK(fd >= 0);
	CHECK_EQ(write(fd, buf, len), (ssize_t)len);
	CHECK(close(fd) == 0);
	free(path);
}

/* Replaces DIR/metadata atomically (temporary file and rename). */
static void put_metadata(const char *dir, const struct prof_trace_desc *d)
{
	char *tmp = join(dir, ".metadata.tmp"), *path = join(dir, "metadata"), *text;
	size_t len;

	text = metadata_text(d, &len);
	write_file(tmp, text, len);
	CHECK(rename(tmp, path) == 0);
	free(text);
	free(tmp);
	free(path);
}

static void marker(const char *dir, bool on)
{
	char *path = join(dir, PROF_CTF_INCOMPLETE_MARKER);

	if (on)
		write_file(path, "", 0);
	else
		CHECK(unlink(path) == 0);
	free(path);
}

/* A packet of @n "tick" events (id 2) at ts first.., in stream @slot. */
static void ticks(struct test_pkt *p, uint32_t slot, uint64_t seq, uint64_t first, int n)
{
	int i;

	pkt_begin(p, slot, seq, 0, 7);
	for (i = 0; i < n; i++)
		pkt_event(p, first + (uint64_t)i, 2);
	pkt_end(p);
}

/* Reads until -EAGAIN or the end; checks the events' timestamps. */
static int drain(struct prof_trace *t, const uint64_t *want, size_t n, const char *what)
{
	struct prof_decoded_event ev;
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		r = prof_trace_next(t, &ev);
		if (r != 1)
			CHECK_FAIL("%s: event %zu of %zu: prof_trace_next returned %d", what, i, n, r);
		if (ev.timestamp != want[i])
			CHECK_FAIL("%s: event %zu: timestamp %llu, want %llu", what, i,
				   (unsigned long long)ev.timestamp, (unsigned long long)want[i]);
		CHECK_EQ(ev.trace, 0);
	}
	return prof_trace_next(t, &ev);
}

static void test_steps(const char *tmp)
{
	struct prof_schema_event ev[TEST_NEVENTS];
	struct prof_trace_desc d;
	struct prof_trace_stats st;
	struct prof_trace *t;
	struct prof_error err;
	struct test_pkt p = { .swap = false };
	char *dir = join(tmp, "steps");
	size_t half;
	int r;

	CHECK(mkdir(dir, 0777) == 0);
	marker(dir, true);

	/* Nothing yet: open works, "nothing yet" is not the end. */
	CHECK_OK(prof_trace_open_flags(&t, dir, PROF_TRACE_FOLLOW, &err));
	CHECK_EQ(prof_trace_part_count(t), 0);
	CHECK_EQ(prof_trace_next(t, &(struct prof_decoded_event){ 0 }), -EAGAIN);

	/* Metadata with events 0..2, a first packet. */
	test_schema(ev);
	test_desc(&d, ev, 3);
	put_metadata(dir, &d);
	ticks(&p, 0, 0, 100, 3);
	append(dir, "stream_0", p.buf, p.len);
	r = drain(t, (const uint64_t[]){ 100, 101, 102 }, 3, "first packet");
	CHECK_EQ(r, -EAGAIN);
	CHECK_EQ(prof_trace_part_count(t), 1);
	CHECK_EQ(prof_trace_get_desc(t)->schema.count, 3);

	/* Half a packet waits; the rest completes it. */
	ticks(&p, 0, 1, 200, 4);
	half = PROF_PACKET_HEADER_SIZE + 10; /* a whole header, part of the events */
	append(dir, "stream_0", p.buf, half);
	CHECK_EQ(drain(t, NULL, 0, "half a packet"), -EAGAIN);
	append(dir, "stream_0", p.buf + half, p.len - half);
	CHECK_EQ(drain(t, (const uint64_t[]){ 200, 201, 202, 203 }, 4, "other half"), -EAGAIN);

	/* Half a header too. */
	ticks(&p, 0, 2, 300, 1);
	append(dir, "stream_0", p.buf, 40);
	CHECK_EQ(drain(t, NULL, 0, "half a header"), -EAGAIN);
	append(dir, "stream_0", p.buf + 40, p.len - 40);

	/* A new stream file; events of both in time order. */
	ticks(&p, 5, 0, 250, 2);
	append(dir, "stream_5", p.buf, p.len);
	CHECK_EQ(drain(t, (const uint64_t[]){ 250, 251, 300 }, 3, "new stream"), -EAGAIN);

	/* Event 3 before the metadata names it: waits, then decodes. */
	pkt_begin(&p, 5, 1, 0, 7);
	pkt_event(&p, 400, 3);
	pkt_put(&p, 77, 1);
	pkt_end(&p);
	append(dir, "stream_5", p.buf, p.len);
	CHECK_EQ(drain(t, NULL, 0, "event not named yet"), -EAGAIN);
	test_desc(&d, ev, TEST_NEVENTS);
	put_metadata(dir, &d);
	{
		struct prof_decoded_event e;

		CHECK_EQ(prof_trace_next(t, &e), 1);
		CHECK_EQ(e.id, 3);
		CHECK_STREQ(e.desc->name, ev[3].name);
		CHECK_EQ_U(e.values[0].v.u, 77);
		CHECK_EQ(prof_trace_get_desc(t)->schema.count, TEST_NEVENTS);
	}
	CHECK_EQ(drain(t, NULL, 0, "after the metadata"), -EAGAIN);

	/* A corrupt packet (another trace's uuid) waits for the next
	 * metadata, then is skipped and counted; what follows is read. */
	ticks(&p, 5, 2, 420, 1);
	p.buf[4] ^= 0xff;
	append(dir, "stream_5", p.buf, p.len);
	ticks(&p, 5, 3, 430, 1);
	append(dir, "stream_5", p.buf, p.len);
	CHECK_EQ(drain(t, NULL, 0, "corrupt packet, same metadata"), -EAGAIN);
	CHECK_EQ(drain(t, NULL, 0, "corrupt packet, same metadata again"), -EAGAIN);
	prof_trace_get_stats(t, &st);
	CHECK_EQ_U(st.invalid_packets, 0);
	put_metadata(dir, &d); /* the same text, a new file */
	CHECK_EQ(drain(t, (const uint64_t[]){ 430 }, 1, "after the corrupt packet"), -EAGAIN);
	prof_trace_get_stats(t, &st);
	CHECK_EQ_U(st.invalid_packets, 1);
	CHECK(strstr(prof_trace_last_error(t)->text, "uuid") != NULL);

	/* A metadata that changes a known event is refused. */
	ev[1].kind = PROF_KIND_INSTANT;
	put_metadata(dir, &d);
	CHECK_EQ(prof_trace_next(t, &(struct prof_decoded_event){ 0 }), -EINVAL);
	CHECK(prof_trace_last_error(t) && strstr(prof_trace_last_error(t)->text, "not the same trace"));
	ev[1].kind = PROF_KIND_SPAN_BEGIN;
	put_metadata(dir, &d);

	/* The writer finishes after a last packet: it is read, then the end. */
	ticks(&p, 0, 3, 500, 2);
	append(dir, "stream_0", p.buf, p.len);
	marker(dir, false);
	CHECK_EQ(drain(t, (const uint64_t[]){ 500, 501 }, 2, "last packet"), 0);
	CHECK_EQ(prof_trace_next(t, &(struct prof_decoded_event){ 0 }), 0);
	prof_trace_get_stats(t, &st);
	CHECK_EQ_U(st.events, 14);
	CHECK_EQ_U(st.packets, 7);
	CHECK_EQ_U(st.streams, 2);
	CHECK_EQ_U(st.packets_lost, 1); /* the corrupt one */
	CHECK_EQ_U(st.incomplete, 0);
	prof_trace_close(t);

	/* A packet cut short by a writer that finished is counted once the
	 * writer is gone, not waited for. */
	marker(dir, true);
	CHECK_OK(prof_trace_open_flags(&t, dir, PROF_TRACE_FOLLOW, &err));
	/* (stream_5 waits at its corrupt packet: a metadata may come.) */
	CHECK_EQ(drain(t, (const uint64_t[]){ 100, 101, 102, 200, 201, 202, 203, 250, 251, 300, 400, 500, 501 },
		       13, "reopened"),
		 -EAGAIN);
	ticks(&p, 0, 4, 600, 2);
	append(dir, "stream_0", p.buf, p.len - 5);
	CHECK_EQ(drain(t, NULL, 0, "cut packet"), -EAGAIN);
	prof_trace_get_stats(t, &st);
	CHECK_EQ_U(st.invalid_packets, 0);
	marker(dir, false);
	CHECK_EQ(drain(t, (const uint64_t[]){ 430 }, 1, "writer gone"), 0);
	prof_trace_get_stats(t, &st);
	CHECK_EQ_U(st.invalid_packets, 2);
	CHECK(strstr(prof_trace_last_error(t)->text, "truncated packet") != NULL);
	prof_trace_close(t);
	free(dir);
}

/* ---- A writer thread and a follower ---- */

#define W_PACKETS 300
#define W_EVENTS 5

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint64_t progress; /* bumped after every write */
	const char *dir;
} w = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, NULL };

static void bump(void)
{
	pthread_mutex_lock(&w.lock);
	w.progress++;
	pthread_cond_broadcast(&w.cond);
	pthread_mutex_unlock(&w.lock);
}

static void *writer(void *arg)
{
	static struct test_pkt p;
	uint64_t k;
	int i;

	(void)arg;
	for (k = 0; k < W_PACKETS; k++) {
		uint32_t slot = (uint32_t)(k % 2) * 3; /* stream_0 and stream_3 */

		pkt_begin(&p, slot, k / 2, 0, 11);
		for (i = 0; i < W_EVENTS; i++) {
			pkt_event(&p, 1000 + k * 10 + (uint64_t)i, 0);
			pkt_put(&p, k * W_EVENTS + (uint64_t)i, 8);
		}
		pkt_end(&p);
		if (k % 3 != 2) { /* in two writes: the follower may see a part */
			size_t cut = k % 3 ? 50 : p.len - 7;

			append(w.dir, slot ? "stream_3" : "stream_0", p.buf, cut);
			bump();
			append(w.dir, slot ? "stream_3" : "stream_0", p.buf + cut, p.len - cut);
		} else {
			append(w.dir, slot ? "stream_3" : "stream_0", p.buf, p.len);
		}
		bump();
	}
	marker(w.dir, false);
	bump();
	return NULL;
}

static void test_threads(const char *tmp)
{
	struct prof_schema_event ev[1];
	struct prof_trace_desc d;
	struct prof_decoded_event e;
	struct prof_trace_stats st;
	struct prof_trace *t;
	struct prof_error err;
	uint64_t next_n[2] = { 0, W_EVENTS }, seen, got = 0, waits = 0;
	pthread_t th;
	int r;

	w.dir = join(tmp, "threads");
	CHECK(mkdir(w.dir, 0777) == 0);
	marker(w.dir, true);
	test_event(&ev[0], 0, "seq", PROF_KIND_PLAIN);
	test_field(&ev[0], "n", PROF_TYPE_U64, 0);
	test_desc(&d, ev, 1);
	put_metadata(w.dir, &d);
	CHECK_OK(prof_trace_open_flags(&t, w.dir, PROF_TRACE_FOLLOW, &err));
	CHECK(pthread_create(&th, NULL, writer, NULL) == 0);
	for (;;) {
		pthread_mutex_lock(&w.lock);
		seen = w.progress;
		pthread_mutex_unlock(&w.lock);
		r = prof_trace_next(t, &e);
		if (r == 0)
			break;
		if (r == -EAGAIN) {
			/* Nothing new since `seen`: wait for the writer. */
			waits++;
			pthread_mutex_lock(&w.lock);
			while (w.progress == seen)
				pthread_cond_wait(&w.cond, &w.lock);
			pthread_mutex_unlock(&w.lock);
			continue;
		}
		CHECK_EQ(r, 1);
		{
			/* Stream 0 has packets 0, 2, 4...; stream 3 has 1, 3, 5... */
			int si = e.stream == 3;
			uint64_t n = e.values[0].v.u;

			if (n != next_n[si])
				CHECK_FAIL("stream %u: event n=%llu, want %llu (lost, repeated or reordered)", e.stream,
					   (unsigned long long)n, (unsigned long long)next_n[si]);
			next_n[si] += (n % W_EVENTS == W_EVENTS - 1) ? W_EVENTS + 1 : 1;
			CHECK_EQ_U(e.timestamp, 1000 + (n / W_EVENTS) * 10 + n % W_EVENTS);
		}
		got++;
	}
	CHECK(pthread_join(th, NULL) == 0);
	CHECK_EQ_U(got, W_PACKETS * W_EVENTS);
	prof_trace_get_stats(t, &st);
	CHECK_EQ_U(st.events, W_PACKETS * W_EVENTS);
	CHECK_EQ_U(st.packets, W_PACKETS);
	CHECK_EQ_U(st.invalid_packets, 0);
	CHECK_EQ_U(st.packets_lost, 0);
	CHECK_EQ(prof_trace_next(t, &e), 0);
	prof_trace_close(t);
	printf("threads: %llu events followed, %llu waits for the writer\n", (unsigned long long)got,
	       (unsigned long long)waits);
	free((char *)w.dir);
}

int main(void)
{
	char *tmp = test_tmpdir("ctf-follow");

	test_steps(tmp);
	test_threads(tmp);
	rm_rf(tmp);
	free(tmp);
	printf("test_ctf_follow: ok\n");
	return 0;
}
