/* SPDX-License-Identifier: MIT */
/*
 * Packets that would be counted twice (babeltrace2 refuses such traces):
 * a duplicated packet, packets out of order, a stream file copied under
 * another slot's name.  Each is skipped, counted (out of order, misplaced,
 * and invalid) and reported with its file and offset; no event is
 * delivered twice; gaps are lost packets.
 */
#include "test_ctf_util.h"

static struct prof_schema_event schema[TEST_NEVENTS];
static struct prof_trace_desc desc;

static char *join(const char *dir, const char *name)
{
	char *p;

	CHECK(asprintf(&p, "%s/%s", dir, name) > 0);
	return p;
}

/* Packet with sequence number @seq in stream @slot: two ticks at 10*seq+1, +2. */
static size_t put_packet(uint8_t *file, size_t len, uint32_t slot, uint64_t seq)
{
	struct test_pkt p = { .swap = false };

	pkt_begin(&p, slot, seq, 0, 3);
	pkt_event(&p, 10 * seq + 1, 2);
	pkt_event(&p, 10 * seq + 2, 2);
	pkt_end(&p);
	memcpy(file + len, p.buf, p.len);
	return len + p.len;
}

struct want {
	uint64_t events, packets, lost, out_of_order, misplaced;
	const char *file;   /* of the last error */
	uint64_t offset;    /* of the last error */
	const char *msg;
};

static void check(const char *dir, const struct want *w)
{
	struct prof_decoded_event ev;
	struct prof_trace_stats st;
	const struct prof_error *e;
	struct prof_trace *t;
	struct prof_error err;
	uint64_t n = 0, last = 0;
	char buf[600], *file = join(dir, w->file);

	CHECK_OK(prof_trace_open(&t, dir, &err));
	while (prof_trace_next(t, &ev) == 1) {
		/* One stream of interest: timestamps strictly increase, so an
		 * event delivered twice would show. */
		if (ev.stream == 1) {
			if (ev.timestamp <= last)
				CHECK_FAIL("%s: event at %llu after %llu: delivered twice or out of order", dir,
					   (unsigned long long)ev.timestamp, (unsigned long long)last);
			last = ev.timestamp;
		}
		n++;
	}
	prof_trace_get_stats(t, &st);
	CHECK_EQ_U(n, w->events);
	CHECK_EQ_U(st.events, w->events);
	CHECK_EQ_U(st.packets, w->packets);
	CHECK_EQ_U(st.packets_lost, w->lost);
	CHECK_EQ_U(st.packets_out_of_order, w->out_of_order);
	CHECK_EQ_U(st.packets_misplaced, w->misplaced);
	CHECK_EQ_U(st.invalid_packets, w->out_of_order + w->misplaced);
	e = prof_trace_last_error(t);
	CHECK(e != NULL);
	if (strcmp(e->file, file) != 0 || e->offset != w->offset || !strstr(e->text, w->msg))
		CHECK_FAIL("%s: last error \"%s\", want file %s offset %llu and \"%s\"", dir,
			   prof_error_format(e, buf, sizeof(buf)), file, (unsigned long long)w->offset, w->msg);
	prof_trace_close(t);
	free(file);
}

static char *new_trace(const char *tmp, const char *name)
{
	char *dir = join(tmp, name), *meta = join(dir, "metadata"), *text;
	size_t len;

	CHECK(mkdir(dir, 0777) == 0);
	text = metadata_text(&desc, &len);
	write_file(meta, text, len);
	free(text);
	free(meta);
	return dir;
}

int main(void)
{
	char *tmp = test_tmpdir("ctf-order"), *dir, *path;
	uint8_t file[8 * 256];
	size_t len, plen;

	test_schema(schema);
	test_desc(&desc, schema, TEST_NEVENTS);
	plen = put_packet(file, 0, 1, 0);

	/* 0 1 1 2: the repeated packet 1 is skipped. */
	dir = new_trace(tmp, "dup");
	len = put_packet(file, 0, 1, 0);
	len = put_packet(file, len, 1, 1);
	len = put_packet(file, len, 1, 1);
	len = put_packet(file, len, 1, 2);
	path = join(dir, "stream_1");
	write_file(path, file, len);
	check(dir, &(struct want){ 6, 3, 0, 1, 0, "stream_1", 2 * plen, "packet_seq_num 1 after 1" });
	free(path);
	free(dir);

	/* 0 2 1 3: packet 1 comes late: skipped; 1 is lost between 0 and 2. */
	dir = new_trace(tmp, "reordered");
	len = put_packet(file, 0, 1, 0);
	len = put_packet(file, len, 1, 2);
	len = put_packet(file, len, 1, 1);
	len = put_packet(file, len, 1, 3);
	path = join(dir, "stream_1");
	write_file(path, file, len);
	check(dir, &(struct want){ 6, 3, 1, 1, 0, "stream_1", 2 * plen, "duplicated or reordered" });
	free(path);
	free(dir);

	/* stream_1 copied as stream_4: stream_4's packets say stream 1. */
	dir = new_trace(tmp, "copied");
	len = put_packet(file, 0, 1, 0);
	len = put_packet(file, len, 1, 1);
	path = join(dir, "stream_1");
	write_file(path, file, len);
	free(path);
	path = join(dir, "stream_4");
	write_file(path, file, len);
	check(dir, &(struct want){ 4, 2, 0, 0, 2, "stream_4", plen, "packet of stream 1 in the file of stream 4" });
	free(path);
	free(dir);

	rm_rf(tmp);
	free(tmp);
	printf("test_ctf_packet_order: ok\n");
	return 0;
}
