/* SPDX-License-Identifier: MIT */
/*
 * Reading a trace directory that prof_ctf_writer_*() wrote.
 *
 * `metadata` is parsed with prof_ctf_metadata_parse(); every `stream_<N>`
 * file is mapped read-only and walked packet by packet.  Each stream keeps
 * its next event decoded; a binary min-heap of streams, keyed by (that
 * event's timestamp, stream slot), yields events in timestamp order:
 *
 *   stream_0: |hdr ev ev ev|hdr ev ev|hdr ...      heap[0] = stream with the
 *   stream_3: |hdr ev ev|hdr ev ev ev ev|          smallest (ts, slot); pop,
 *   stream_7: |hdr ev|XXXXXXXX|hdr ev ev|          decode its next event,
 *              ^ packet_size from each header       sift down
 *
 * A packet's size comes from its own header, bounded by what remains of the
 * file.  A packet that fails prof_packet_check() is skipped, counted in
 * invalid_packets and reported through prof_trace_last_error() with the
 * file and the packet's offset.  When the header itself cannot be trusted
 * (bad magic, impossible packet_size, or a size running past the end of
 * the file) the next packet's position is unknown, so the rest of that
 * stream is skipped (counted as one invalid packet).
 *
 * The files are mapped MAP_PRIVATE; decoded strings point into the
 * mapping, so events stay valid until prof_trace_close().  Nothing is
 * allocated per packet or per event.  A stream file must not be truncated
 * while the trace is open (the mapping would fault); one being appended to
 * is read up to the size it had at open.
 *
 * prof_packet_check() reads packets in the host's byte order (the region
 * reader refuses foreign ones), so a trace whose metadata says otherwise
 * is refused with -ENOTSUP; babeltrace2 reads it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profile/ctf.h"

#define METADATA_MAX (256u << 20)
#define NS_PER_S 1000000000u

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HOST_BYTE_ORDER PROF_BYTE_ORDER_LE
#else
#define HOST_BYTE_ORDER PROF_BYTE_ORDER_BE
#endif

struct trace_stream {
	char *path;                      /* DIR/stream_N, for messages */
	uint32_t slot;
	const uint8_t *map;              /* NULL for an empty file */
	uint64_t size;
	uint64_t off;                    /* the next packet */
	uint64_t pkt_off;                /* the packet the cursor is in */
	bool in_packet;
	bool stopped;                    /* framing lost: rest skipped */
	struct prof_packet_cursor cur;
	struct prof_decoded_event ev;    /* next event, while in the heap */
	bool have_seq;
	uint64_t last_seq;
	uint64_t last_discarded;         /* cumulative, from the last packet */
};

struct prof_trace {
	char *dir;
	struct prof_trace_desc desc;
	struct trace_stream *streams;    /* sorted by slot */
	uint32_t nstreams;
	uint32_t *heap;                  /* indices into streams */
	uint32_t heap_len;
	struct prof_trace_stats stats;
	struct prof_error last_error;
	bool has_error;
};

static char *path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

/* Records a bad packet of @s at @off and counts it. */
static void bad_packet(struct prof_trace *t, struct trace_stream *s, int code, uint64_t off,
		       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void bad_packet(struct prof_trace *t, struct trace_stream *s, int code, uint64_t off,
		       const char *fmt, ...)
{
	char text[sizeof(t->last_error.text)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	prof_error_set(&t->last_error, code, s->path, off, "%s", text);
	t->has_error = true;
	t->stats.invalid_packets++;
}

/*
 * load_packet() - find the stream's next valid packet and point its
 * cursor at it.
 *
 * Return: true if a packet was loaded, false at the stream's end.
 */
static bool load_packet(struct prof_trace *t, struct trace_stream *s)
{
	while (!s->stopped && s->off < s->size) {
		const uint8_t *p = s->map + s->off;
		uint64_t left = s->size - s->off, bits, bytes;
		struct prof_packet_info info;
		struct prof_error e;
		uint32_t magic;

		if (left < PROF_PACKET_HEADER_SIZE) {
			bad_packet(t, s, -EINVAL, s->off,
				   "truncated packet: %llu bytes left, less than a %u-byte header",
				   (unsigned long long)left, PROF_PACKET_HEADER_SIZE);
			s->stopped = true;
			break;
		}
		memcpy(&magic, p + offsetof(struct prof_packet_header, magic), sizeof(magic));
		memcpy(&bits, p + offsetof(struct prof_packet_header, packet_size), sizeof(bits));
		if (magic != PROF_CTF_MAGIC) {
			bad_packet(t, s, -EINVAL, s->off,
				   "bad packet magic 0x%08x; packet boundaries lost, rest of the stream skipped", magic);
			s->stopped = true;
			break;
		}
		if (bits % 8 != 0 || bits / 8 < PROF_PACKET_HEADER_SIZE || bits / 8 > PROF_MAX_PACKET_SIZE) {
			bad_packet(t, s, -EINVAL, s->off,
				   "packet_size %llu bits is impossible; rest of the stream skipped",
				   (unsigned long long)bits);
			s->stopped = true;
			break;
		}
		bytes = bits / 8;
		if (bytes > left) {
			bad_packet(t, s, -EINVAL, s->off,
				   "truncated packet: packet_size says %llu bytes, the file has %llu left",
				   (unsigned long long)bytes, (unsigned long long)left);
			s->stopped = true;
			break;
		}
		if (prof_packet_check(p, (size_t)bytes, &t->desc.schema, t->desc.uuid, &info, &e) < 0) {
			bad_packet(t, s, e.code, s->off, "invalid packet skipped: %s (packet byte %llu)", e.text,
				   (unsigned long long)e.offset);
			s->off += bytes;
			continue;
		}

		s->pkt_off = s->off;
		s->off += bytes;
		t->stats.packets++;
		/* mprof streams number their packets from 0: packets before the
		 * first one read (a flight recorder's overwritten ones) are lost
		 * too. */
		if (s->have_seq && info.hdr.packet_seq_num > s->last_seq)
			t->stats.packets_lost += info.hdr.packet_seq_num - s->last_seq - 1;
		else if (!s->have_seq)
			t->stats.packets_lost += info.hdr.packet_seq_num;
		s->have_seq = true;
		s->last_seq = info.hdr.packet_seq_num;
		s->last_discarded = info.hdr.events_discarded;
		prof_packet_cursor_init(&s->cur, p, &info, &t->desc.schema);
		s->in_packet = true;
		return true;
	}
	return false;
}

/* Decodes the stream's next event into s->ev.  Return: false at its end. */
static bool stream_advance(struct prof_trace *t, struct trace_stream *s)
{
	for (;;) {
		if (s->in_packet) {
			int r = prof_packet_next(&s->cur, &s->ev);

			if (r == 1)
				return true;
			s->in_packet = false;
			/* Only if the file changed since the check. */
			if (r < 0)
				bad_packet(t, s, r, s->pkt_off,
					   "event at packet byte %llu no longer decodes; rest of the packet skipped",
					   (unsigned long long)s->cur.offset);
		}
		if (!load_packet(t, s))
			return false;
	}
}

static bool heap_less(const struct prof_trace *t, uint32_t a, uint32_t b)
{
	uint64_t ta = t->streams[a].ev.timestamp, tb = t->streams[b].ev.timestamp;

	/* Streams are sorted by slot, so the index breaks ties by slot. */
	return ta < tb || (ta == tb && a < b);
}

static void heap_sift_down(struct prof_trace *t, uint32_t i)
{
	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, m = i, tmp;

		if (l < t->heap_len && heap_less(t, t->heap[l], t->heap[m]))
			m = l;
		if (r < t->heap_len && heap_less(t, t->heap[r], t->heap[m]))
			m = r;
		if (m == i)
			return;
		tmp = t->heap[i];
		t->heap[i] = t->heap[m];
		t->heap[m] = tmp;
		i = m;
	}
}

static void heap_push(struct prof_trace *t, uint32_t idx)
{
	uint32_t i = t->heap_len++;

	t->heap[i] = idx;
	while (i > 0) {
		uint32_t parent = (i - 1) / 2, tmp;

		if (!heap_less(t, t->heap[i], t->heap[parent]))
			break;
		tmp = t->heap[i];
		t->heap[i] = t->heap[parent];
		t->heap[parent] = tmp;
		i = parent;
	}
}

/* Reads DIR/metadata whole into a malloc'd buffer. */
static int read_metadata(const char *path, char **text, size_t *len, struct prof_error *err)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return prof_error_set(err, -ENOENT, path, UINT64_MAX,
					      "no metadata file: not a trace directory");
		return prof_error_set(err, -errno, path, UINT64_MAX, "cannot open: %s", strerror(errno));
	}
	if (fstat(fd, &st) < 0) {
		ret = prof_error_set(err, -errno, path, UINT64_MAX, "cannot stat: %s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > METADATA_MAX) {
		ret = prof_error_set(err, -EINVAL, path, UINT64_MAX,
				     "not a regular file of at most %u MiB", METADATA_MAX >> 20);
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		ret = prof_error_set(err, -ENOMEM, path, UINT64_MAX, "out of memory");
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = prof_error_set(err, -errno, path, got, "cannot read: %s", strerror(errno));
			goto out;
		}
		if (n == 0)
			break; /* Shrank since fstat: parse what is there. */
		got += (size_t)n;
	}
	buf[got] = '\0';
	*text = buf;
	*len = got;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return ret;
}

/* Parses "stream_<N>" as the writer names files: N decimal, no leading 0. */
static bool stream_slot(const char *name, uint32_t *slot)
{
	const char *p = name + strlen("stream_");
	uint64_t v = 0;

	if (strncmp(name, "stream_", strlen("stream_")) != 0 || !*p || (p[0] == '0' && p[1]))
		return false;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > UINT32_MAX)
			return false;
	}
	*slot = (uint32_t)v;
	return true;
}

static int cmp_slot(const void *a, const void *b)
{
	const struct trace_stream *x = a, *y = b;

	return x->slot < y->slot ? -1 : x->slot > y->slot;
}

/* Lists the stream files and sorts them by slot. */
static int find_streams(struct prof_trace *t, struct prof_error *err)
{
	struct dirent *de;
	uint32_t cap = 0, slot;
	DIR *d;
	int ret = 0;

	d = opendir(t->dir);
	if (!d)
		return prof_error_set(err, -errno, t->dir, UINT64_MAX, "cannot list: %s", strerror(errno));
	for (errno = 0; (de = readdir(d)) != NULL; errno = 0) {
		struct trace_stream *s;

		if (!stream_slot(de->d_name, &slot))
			continue;
		if (t->nstreams == PROF_MAX_STREAMS) {
			ret = prof_error_set(err, -EINVAL, t->dir, UINT64_MAX, "more than %u stream files",
					     PROF_MAX_STREAMS);
			goto out;
		}
		if (t->nstreams == cap) {
			uint32_t ncap = cap ? cap * 2 : 8;

			s = realloc(t->streams, ncap * sizeof(*s));
			if (!s) {
				ret = prof_error_set(err, -ENOMEM, t->dir, UINT64_MAX, "out of memory");
				goto out;
			}
			t->streams = s;
			cap = ncap;
		}
		s = &t->streams[t->nstreams];
		memset(s, 0, sizeof(*s));
		s->slot = slot;
		s->path = path_join(t->dir, de->d_name);
		if (!s->path) {
			ret = prof_error_set(err, -ENOMEM, t->dir, UINT64_MAX, "out of memory");
			goto out;
		}
		t->nstreams++;
	}
	if (errno) {
		ret = prof_error_set(err, -errno, t->dir, UINT64_MAX, "cannot list: %s", strerror(errno));
		goto out;
	}
	if (t->nstreams)
		qsort(t->streams, t->nstreams, sizeof(*t->streams), cmp_slot);
out:
	closedir(d);
	return ret;
}

static int map_stream(struct trace_stream *s, struct prof_error *err)
{
	struct stat st;
	void *m;
	int fd, ret = 0;

	fd = open(s->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return prof_error_set(err, -errno, s->path, UINT64_MAX, "cannot open: %s", strerror(errno));
	if (fstat(fd, &st) < 0) {
		ret = prof_error_set(err, -errno, s->path, UINT64_MAX, "cannot stat: %s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = prof_error_set(err, -EINVAL, s->path, UINT64_MAX, "not a regular file");
		goto out;
	}
	s->size = (uint64_t)st.st_size;
	if (s->size == 0)
		goto out;
	m = mmap(NULL, (size_t)s->size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED) {
		ret = prof_error_set(err, -errno, s->path, UINT64_MAX, "cannot map: %s", strerror(errno));
		s->size = 0;
		goto out;
	}
	s->map = m;
out:
	close(fd);
	return ret;
}

/**
 * prof_trace_open() - open a trace directory written by mprof.
 * @out: receives the trace.
 * @dir: the directory.
 * @err: filled on failure (file and offset); may be NULL.
 *
 * Reads and parses the metadata, maps every stream file and decodes each
 * stream's first event (so invalid leading packets are already counted).
 *
 * Return: 0, -ENOENT (no directory or no metadata), -EINVAL (bad
 * metadata, or a stream_N that is not a regular file), -ENOTSUP (a byte
 * order other than the host's), -ENOMEM, or the errno of a failed system
 * call.
 */
PROF_EXPORT int prof_trace_open(struct prof_trace **out, const char *dir, struct prof_error *err)
{
	struct prof_trace *t = NULL;
	char *path = NULL, *text = NULL;
	struct stat st;
	size_t len = 0;
	uint32_t i;
	int ret;

	if (!out || !dir)
		return prof_error_set(err, -EINVAL, NULL, UINT64_MAX, "no trace directory given");
	*out = NULL;
	if (stat(dir, &st) < 0)
		return prof_error_set(err, -errno, dir, UINT64_MAX, "cannot open the trace directory: %s",
				      strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return prof_error_set(err, -ENOTDIR, dir, UINT64_MAX, "not a directory");
	t = calloc(1, sizeof(*t));
	if (!t)
		return prof_error_set(err, -ENOMEM, dir, UINT64_MAX, "out of memory");
	t->dir = strdup(dir);
	path = path_join(dir, "metadata");
	if (!t->dir || !path) {
		ret = prof_error_set(err, -ENOMEM, dir, UINT64_MAX, "out of memory");
		goto fail;
	}
	ret = read_metadata(path, &text, &len, err);
	if (ret)
		goto fail;
	ret = prof_ctf_metadata_parse(text, len, path, &t->desc, err);
	if (ret)
		goto fail;
	if (t->desc.byte_order != HOST_BYTE_ORDER) {
		ret = prof_error_set(err, -ENOTSUP, path, UINT64_MAX,
				     "byte order %s is not this host's; read the trace with babeltrace2",
				     t->desc.byte_order == PROF_BYTE_ORDER_LE ? "le" : "be");
		goto fail;
	}
	ret = find_streams(t, err);
	if (ret)
		goto fail;
	t->heap = malloc((t->nstreams ? t->nstreams : 1) * sizeof(*t->heap));
	if (!t->heap) {
		ret = prof_error_set(err, -ENOMEM, dir, UINT64_MAX, "out of memory");
		goto fail;
	}
	for (i = 0; i < t->nstreams; i++) {
		ret = map_stream(&t->streams[i], err);
		if (ret)
			goto fail;
	}
	t->stats.streams = t->nstreams;
	{
		/* A writer that never closed the trace left its marker. */
		char *marker = path_join(dir, PROF_CTF_INCOMPLETE_MARKER);

		if (!marker) {
			ret = prof_error_set(err, -ENOMEM, dir, UINT64_MAX, "out of memory");
			goto fail;
		}
		t->stats.incomplete = access(marker, F_OK) == 0;
		free(marker);
	}
	for (i = 0; i < t->nstreams; i++)
		if (stream_advance(t, &t->streams[i]))
			heap_push(t, i);
	*out = t;
	t = NULL;
fail:
	free(text);
	free(path);
	prof_trace_close(t);
	return ret;
}

/** prof_trace_get_desc() - the trace's description (schema, clock). */
PROF_EXPORT const struct prof_trace_desc *prof_trace_get_desc(const struct prof_trace *t)
{
	return t ? &t->desc : NULL;
}

/**
 * prof_trace_next() - the next event in timestamp order across streams.
 * @t: the trace.
 * @ev: filled; its strings stay valid until prof_trace_close().
 *
 * Events of equal timestamps come in stream-slot order.  Each stream is
 * read in file order: should a stream's own timestamps go backwards from
 * one packet to the next, its events still come in file order.
 *
 * Return: 1 if @ev was filled, 0 at the end, -EINVAL for NULL arguments.
 */
PROF_EXPORT int prof_trace_next(struct prof_trace *t, struct prof_decoded_event *ev)
{
	struct trace_stream *s;
	uint32_t top;

	if (!t || !ev)
		return -EINVAL;
	if (t->heap_len == 0)
		return 0;
	top = t->heap[0];
	s = &t->streams[top];
	*ev = s->ev;
	t->stats.events++;
	if (!stream_advance(t, s))
		t->heap[0] = t->heap[--t->heap_len];
	heap_sift_down(t, 0);
	return 1;
}

/**
 * prof_trace_get_stats() - counts so far (complete after the last event).
 * @t: the trace.
 * @out: filled.
 *
 * packets counts valid packets read; packets_lost counts sequence numbers
 * missing before the first and between consecutive valid packets of a
 * stream (overwritten by a flight recorder, or lost; a skipped invalid
 * packet leaves such a gap too); events_discarded sums each stream's
 * latest cumulative count.
 */
PROF_EXPORT void prof_trace_get_stats(const struct prof_trace *t, struct prof_trace_stats *out)
{
	uint32_t i;

	if (!out)
		return;
	memset(out, 0, sizeof(*out));
	if (!t)
		return;
	*out = t->stats;
	out->events_discarded = 0;
	for (i = 0; i < t->nstreams; i++)
		out->events_discarded += t->streams[i].last_discarded;
}

/** prof_trace_last_error() - the last invalid packet's error, or NULL. */
PROF_EXPORT const struct prof_error *prof_trace_last_error(const struct prof_trace *t)
{
	return t && t->has_error ? &t->last_error : NULL;
}

/**
 * prof_clock_to_ns() - convert a timestamp to CLOCK_MONOTONIC nanoseconds.
 * @clock: the clock description.
 * @ticks: a timestamp in its ticks.
 *
 * ns = ref_monotonic_ns + (ticks - ref_ticks) * 1e9 / freq_hz, in 128-bit
 * arithmetic, rounded down.
 *
 * Return: the nanoseconds, clamped to [0, UINT64_MAX]; @ticks unchanged if
 * the clock has no frequency.
 */
PROF_EXPORT uint64_t prof_clock_to_ns(const struct prof_clock_desc *clock, uint64_t ticks)
{
	__int128 delta, q, ns;

	if (!clock || clock->freq_hz == 0)
		return ticks;
	delta = ((__int128)ticks - (__int128)clock->ref_ticks) * NS_PER_S;
	q = delta / (__int128)clock->freq_hz;
	if (delta < 0 && q * (__int128)clock->freq_hz != delta)
		q -= 1;
	ns = (__int128)clock->ref_monotonic_ns + q;
	if (ns < 0)
		return 0;
	if (ns > (__int128)UINT64_MAX)
		return UINT64_MAX;
	return (uint64_t)ns;
}

/** prof_trace_close() - unmap the files and free the trace; NULL is fine. */
PROF_EXPORT void prof_trace_close(struct prof_trace *t)
{
	uint32_t i;

	if (!t)
		return;
	for (i = 0; i < t->nstreams; i++) {
		if (t->streams[i].map)
			munmap((void *)t->streams[i].map, (size_t)t->streams[i].size);
		free(t->streams[i].path);
	}
	free(t->streams);
	free(t->heap);
	prof_trace_desc_free(&t->desc);
	free(t->dir);
	free(t);
}
