/* SPDX-License-Identifier: MIT */
/*
 * Reading a trace directory that prof_ctf_writer_*() wrote, a directory of
 * such trace directories (one per process: `mprof record`'s
 * DIR/<prog>-<pid>/), either finished or still being written (follow mode).
 *
 * Each part's `metadata` is parsed with prof_ctf_metadata_parse(); every
 * `stream_<N>` file is mapped read-only and walked packet by packet.  Each
 * stream keeps its next event decoded; a binary min-heap of streams, keyed
 * by (that event's time, part, ticks, slot), yields events in time order.
 * Within one trace the time is the clock's ticks; across the parts of a
 * directory of traces it is each part's ticks converted to nanoseconds
 * with that part's own clock (prof_clock_to_ns()):
 *
 *   part 0  stream_0: |hdr ev ev ev|hdr ev ev|hdr ...   heap[0] = stream with
 *           stream_3: |hdr ev ev|hdr ev ev ev ev|       the smallest key; pop,
 *   part 1  stream_0: |hdr ev|XXXXXXXX|hdr ev ev|       decode its next event,
 *                      ^ packet_size from each header   sift down
 *
 * A packet's size comes from its own header, bounded by what remains of the
 * file.  A packet that fails prof_packet_check() is skipped, counted in
 * invalid_packets and reported through prof_trace_last_error() with the
 * file and the packet's offset.  So is a packet whose stream_instance_id is
 * not its file's slot (a stream file copied under another name), and one
 * whose packet_seq_num does not increase within its file (a duplicated or
 * reordered packet): their events are never delivered twice.  Gaps in the
 * sequence are lost packets.  When the header itself cannot be trusted
 * (bad magic, impossible packet_size, or a size running past the end of
 * the file) the next packet's position is unknown, so the rest of that
 * stream is skipped (counted as one invalid packet).
 *
 * Only regular files are opened, with O_NONBLOCK so that a FIFO in their
 * place cannot block the open, and checked with fstat() after it; a link to
 * a device is refused the same way.  `metadata` is read up to a size
 * limit; stream files are mapped, never read into memory, so a sparse
 * 4 GiB file costs address space, not memory.  Nothing loops without
 * returning to the caller except over bytes already mapped.
 *
 * The files are mapped MAP_PRIVATE; decoded strings point into the
 * mapping.  A stream file must not be truncated while the trace is open
 * (the mapping would fault).
 *
 * Follow mode keeps every stream file open.  When the heap runs empty,
 * prof_trace_next() looks again: new parts and new stream files are
 * picked up, a replaced metadata is re-read (it may only add events: the
 * old ones must be unchanged), and each stream file that grew is mapped
 * again (only then, with no stream inside a packet of the old mapping).  A
 * packet not yet entirely in its file waits, and so does a whole packet
 * that fails its check while its writer runs, until the next metadata
 * (the recorder rewrites the metadata after the packets that use a new
 * event); if it still fails then, or once the writer has finished (no
 * PROF_CTF_INCOMPLETE_MARKER), the usual rules apply.  A
 * directory of traces is finished when none of its parts, nor the
 * directory itself, has the marker.
 *
 * prof_packet_check() reads packets in the host's byte order (the region
 * reader refuses foreign ones), so a trace whose metadata says otherwise
 * is refused with -ENOTSUP; babeltrace2 reads it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profile/ctf.h"

#define METADATA_MAX (64u << 20)
#define NS_PER_S 1000000000u
#define MAX_DEPTH 8           /* of parts below a directory of traces */
#define MAX_PARTS 65536u

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HOST_BYTE_ORDER PROF_BYTE_ORDER_LE
#else
#define HOST_BYTE_ORDER PROF_BYTE_ORDER_BE
#endif

enum trace_kind {
	KIND_NONE,   /* follow mode: nothing there yet */
	KIND_SINGLE, /* a trace directory */
	KIND_MULTI,  /* a directory of trace directories */
};

struct trace_stream {
	char *path;                      /* DIR/stream_N, for messages */
	uint32_t slot;
	uint32_t part;                   /* index in prof_trace.parts */
	int fd;                          /* follow mode: kept to see it grow; else -1 */
	const uint8_t *map;              /* NULL for an empty file */
	uint64_t size;                   /* bytes mapped */
	uint64_t off;                    /* the next packet */
	uint64_t pkt_off;                /* the packet the cursor is in */
	bool in_packet;
	bool stopped;                    /* framing lost: rest skipped */
	bool queued;                     /* in the heap, with ev decoded */
	struct prof_packet_cursor cur;
	struct prof_decoded_event ev;    /* next event, while queued */
	uint64_t key;                    /* ev's time: ticks, or ns across parts */
	bool have_seq;
	uint64_t last_seq;
	uint64_t last_discarded;         /* cumulative, from the last packet */
	uint64_t wait_off;               /* follow: off + 1 of a packet that failed its check */
	uint64_t wait_gen;               /* ... with this part's metadata generation */
};

/* One trace directory.  Allocated alone: cursors point at its schema. */
struct trace_part {
	char *dir;
	struct prof_trace_desc desc;
	struct stat meta_st;             /* of the metadata read */
	uint32_t *idmap;                 /* multi: the part's id -> merged id */
	uint32_t nmapped;                /* idmap[0..nmapped) are set */
	bool incomplete;
	uint64_t meta_gen;               /* metadata versions read */
	uint8_t *seen;                   /* follow: bitmap of slots < PROF_MAX_STREAMS found */
	uint32_t nstreams;
};

struct prof_trace {
	char *dir;
	unsigned int flags;
	uint32_t shard, nshards;         /* prof_trace_open_shard(): the stream files read */
	enum trace_kind kind;
	bool final;                      /* follow: the writers finished; no more waiting */
	bool ended;
	struct trace_part **parts;
	uint32_t nparts, capparts;
	struct trace_stream *streams;    /* of every part */
	uint32_t nstreams, capstreams;
	uint32_t *heap;                  /* indices into streams; capstreams long */
	uint32_t heap_len;
	struct prof_trace_desc merged;   /* multi: the union schema, ns clock, summed counts */
	uint32_t merged_cap;
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

static bool following(const struct prof_trace *t)
{
	return (t->flags & PROF_TRACE_FOLLOW) && !t->final;
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
 * Return: true if a packet was loaded, false at the stream's end (for now,
 * in follow mode).
 */
static bool load_packet(struct prof_trace *t, struct trace_stream *s)
{
	struct trace_part *part = t->parts[s->part];

	while (!s->stopped && s->off < s->size) {
		const uint8_t *p = s->map + s->off;
		uint64_t left = s->size - s->off, bits, bytes, seq;
		struct prof_packet_info info;
		struct prof_error e;
		uint32_t magic;

		if (left < PROF_PACKET_HEADER_SIZE) {
			if (following(t))
				return false; /* the rest is being written */
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
			if (following(t))
				return false; /* a packet still being appended */
			bad_packet(t, s, -EINVAL, s->off,
				   "truncated packet: packet_size says %llu bytes, the file has %llu left",
				   (unsigned long long)bytes, (unsigned long long)left);
			s->stopped = true;
			break;
		}
		if (prof_packet_check(p, (size_t)bytes, &part->desc.schema, part->desc.uuid, &info, &e) < 0) {
			/* While its writer runs, the metadata naming a new event
			 * may come just after the packet that uses it: wait for
			 * the next metadata, not longer (the writer publishes an
			 * event's id before any packet uses it). */
			if (following(t) && part->incomplete &&
			    (s->wait_off != s->off + 1 || s->wait_gen == part->meta_gen)) {
				s->wait_off = s->off + 1;
				s->wait_gen = part->meta_gen;
				return false;
			}
			bad_packet(t, s, e.code, s->off, "invalid packet skipped: %s (packet byte %llu)", e.text,
				   (unsigned long long)e.offset);
			s->off += bytes;
			continue;
		}
		if (info.hdr.stream_instance_id != s->slot) {
			t->stats.packets_misplaced++;
			bad_packet(t, s, -EINVAL, s->off,
				   "packet of stream %llu in the file of stream %u (a copied or renamed stream "
				   "file?): skipped", (unsigned long long)info.hdr.stream_instance_id, s->slot);
			s->off += bytes;
			continue;
		}
		seq = info.hdr.packet_seq_num;
		if (s->have_seq && seq <= s->last_seq) {
			t->stats.packets_out_of_order++;
			bad_packet(t, s, -EINVAL, s->off,
				   "packet_seq_num %llu after %llu (a duplicated or reordered packet): skipped",
				   (unsigned long long)seq, (unsigned long long)s->last_seq);
			s->off += bytes;
			continue;
		}

		s->pkt_off = s->off;
		s->off += bytes;
		t->stats.packets++;
		/* mprof streams number their packets from 0: packets before the
		 * first one read (a flight recorder's overwritten ones) are lost
		 * too. */
		t->stats.packets_lost += s->have_seq ? seq - s->last_seq - 1 : seq;
		s->have_seq = true;
		s->last_seq = seq;
		s->last_discarded = info.hdr.events_discarded;
		prof_packet_cursor_init(&s->cur, p, &info, &part->desc.schema);
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

			if (r == 1) {
				s->key = t->kind == KIND_MULTI
						 ? prof_clock_to_ns(&t->parts[s->part]->desc.clock, s->ev.timestamp)
						 : s->ev.timestamp;
				return true;
			}
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
	const struct trace_stream *x = &t->streams[a], *y = &t->streams[b];

	if (x->key != y->key)
		return x->key < y->key;
	if (x->part != y->part)
		return x->part < y->part;
	if (x->ev.timestamp != y->ev.timestamp)
		return x->ev.timestamp < y->ev.timestamp;
	return x->slot < y->slot;
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

	t->streams[idx].queued = true;
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

static const char *file_kind(mode_t mode)
{
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISSOCK(mode))
		return "a socket";
	return "not a regular file";
}

/*
 * open_regular() - open @path for reading only if it is a regular file:
 * O_NONBLOCK so that opening a FIFO does not wait for a writer, fstat()
 * after the open so that what is checked is what was opened.
 *
 * Return: the descriptor, or a negative errno with @err filled.
 */
static int open_regular(const char *path, struct stat *st, struct prof_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

	if (fd < 0)
		return prof_error_set(err, -errno, path, UINT64_MAX, "cannot open: %s", strerror(errno));
	if (fstat(fd, st) < 0) {
		int ret = prof_error_set(err, -errno, path, UINT64_MAX, "cannot stat: %s", strerror(errno));

		close(fd);
		return ret;
	}
	if (!S_ISREG(st->st_mode)) {
		close(fd);
		return prof_error_set(err, -EINVAL, path, UINT64_MAX, "%s, not a regular file: refused",
				      file_kind(st->st_mode));
	}
	return fd;
}

/* Reads a metadata file whole into a malloc'd buffer, up to METADATA_MAX. */
static int read_metadata(const char *path, char **text, size_t *len, struct stat *st, struct prof_error *err)
{
	char *buf = NULL;
	size_t got = 0;
	int fd, ret = 0;

	fd = open_regular(path, st, err);
	if (fd < 0) {
		if (fd == -ENOENT)
			return prof_error_set(err, -ENOENT, path, UINT64_MAX,
					      "no metadata file: not a trace directory");
		return fd;
	}
	if ((uint64_t)st->st_size > METADATA_MAX) {
		ret = prof_error_set(err, -EINVAL, path, UINT64_MAX, "%llu bytes: larger than the %u MiB metadata limit",
				     (unsigned long long)st->st_size, METADATA_MAX >> 20);
		goto out;
	}
	buf = malloc((size_t)st->st_size + 1);
	if (!buf) {
		ret = prof_error_set(err, -ENOMEM, path, UINT64_MAX, "out of memory");
		goto out;
	}
	while (got < (size_t)st->st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st->st_size - got);

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

/* Maps (or, when it grew, maps again) the first s->size.. bytes of @s. */
static int map_stream(struct trace_stream *s, int fd, uint64_t size, struct prof_error *err)
{
	void *m;

	if (size <= s->size)
		return 0;
	m = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED)
		return prof_error_set(err, -errno, s->path, UINT64_MAX, "cannot map: %s", strerror(errno));
	if (s->map)
		munmap((void *)s->map, (size_t)s->size);
	s->map = m;
	s->size = size;
	return 0;
}

static int add_stream(struct prof_trace *t, uint32_t pi, const char *name, uint32_t slot, struct prof_error *err)
{
	struct trace_part *part = t->parts[pi];
	struct trace_stream *s;
	struct stat st;
	int fd, ret;

	if (part->nstreams == PROF_MAX_STREAMS)
		return prof_error_set(err, -EINVAL, part->dir, UINT64_MAX, "more than %u stream files",
				      PROF_MAX_STREAMS);
	if (t->nstreams == t->capstreams) {
		uint32_t ncap = t->capstreams ? t->capstreams * 2 : 8;
		uint32_t *h;

		s = realloc(t->streams, ncap * sizeof(*s));
		if (!s)
			return prof_error_set(err, -ENOMEM, part->dir, UINT64_MAX, "out of memory");
		t->streams = s;
		h = realloc(t->heap, ncap * sizeof(*h));
		if (!h)
			return prof_error_set(err, -ENOMEM, part->dir, UINT64_MAX, "out of memory");
		t->heap = h;
		t->capstreams = ncap;
	}
	s = &t->streams[t->nstreams];
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->slot = slot;
	s->part = pi;
	s->path = path_join(part->dir, name);
	if (!s->path)
		return prof_error_set(err, -ENOMEM, part->dir, UINT64_MAX, "out of memory");
	fd = open_regular(s->path, &st, err);
	if (fd < 0) {
		free(s->path);
		return fd;
	}
	ret = map_stream(s, fd, (uint64_t)st.st_size, err);
	if (ret) {
		free(s->path);
		close(fd);
		return ret;
	}
	if (t->flags & PROF_TRACE_FOLLOW)
		s->fd = fd;
	else
		close(fd);
	if (part->seen && slot < PROF_MAX_STREAMS)
		part->seen[slot / 8] |= (uint8_t)(1u << (slot % 8));
	part->nstreams++;
	t->nstreams++;
	t->stats.streams++;
	return 0;
}

static bool stream_known(const struct prof_trace *t, uint32_t pi, uint32_t slot)
{
	const struct trace_part *part = t->parts[pi];
	uint32_t i;

	if (part->seen && slot < PROF_MAX_STREAMS)
		return part->seen[slot / 8] & (1u << (slot % 8));
	for (i = 0; i < t->nstreams; i++)
		if (t->streams[i].part == pi && t->streams[i].slot == slot)
			return true;
	return false;
}

static int cmp_slot(const void *a, const void *b)
{
	const struct trace_stream *x = a, *y = b;

	return x->slot < y->slot ? -1 : x->slot > y->slot;
}

/* Picks up the part's stream files not yet known. */
static int find_streams(struct prof_trace *t, uint32_t pi, struct prof_error *err)
{
	const char *dir = t->parts[pi]->dir;
	uint32_t first = t->nstreams, slot;
	struct dirent *de;
	DIR *d;
	int ret = 0;

	d = opendir(dir);
	if (!d)
		return prof_error_set(err, -errno, dir, UINT64_MAX, "cannot list: %s", strerror(errno));
	for (errno = 0; (de = readdir(d)) != NULL; errno = 0) {
		if (!stream_slot(de->d_name, &slot) || stream_known(t, pi, slot) ||
		    ((uint64_t)pi + slot) % t->nshards != t->shard)
			continue;
		ret = add_stream(t, pi, de->d_name, slot, err);
		if (ret)
			goto out;
	}
	if (errno) {
		ret = prof_error_set(err, -errno, dir, UINT64_MAX, "cannot list: %s", strerror(errno));
		goto out;
	}
	/* New streams in slot order (ties in time break by slot). */
	if (t->nstreams - first > 1)
		qsort(t->streams + first, t->nstreams - first, sizeof(*t->streams), cmp_slot);
out:
	closedir(d);
	return ret;
}

static bool same_event(const struct prof_schema_event *a, const struct prof_schema_event *b)
{
	uint32_t j;

	if (strcmp(a->name, b->name) != 0 || a->kind != b->kind || a->nfields != b->nfields)
		return false;
	for (j = 0; j < a->nfields; j++)
		if (strcmp(a->fields[j].name, b->fields[j].name) != 0 || a->fields[j].type != b->fields[j].type ||
		    a->fields[j].bound != b->fields[j].bound)
			return false;
	return true;
}

/*
 * Multi: gives each of the part's events not mapped yet its id in the
 * merged schema (a replaced metadata only adds events: those mapped keep
 * their ids).
 */
static int merge_schema(struct prof_trace *t, struct trace_part *part, struct prof_error *err)
{
	const struct prof_schema *ps = &part->desc.schema;
	struct prof_schema *ms = &t->merged.schema;
	uint32_t *map, i, j;

	map = realloc(part->idmap, (ps->count ? ps->count : 1) * sizeof(*map));
	if (!map)
		return prof_error_set(err, -ENOMEM, part->dir, UINT64_MAX, "out of memory");
	part->idmap = map;
	for (i = part->nmapped; i < ps->count; i++) {
		for (j = 0; j < ms->count; j++)
			if (same_event(&ms->events[j], &ps->events[i]))
				break;
		if (j == ms->count) {
			if (ms->count == PROF_MAX_EVENTS)
				return prof_error_set(err, -EINVAL, part->dir, UINT64_MAX,
						      "more than %u distinct events across the traces", PROF_MAX_EVENTS);
			if (ms->count == t->merged_cap) {
				uint32_t ncap = t->merged_cap ? t->merged_cap * 2 : 64;
				struct prof_schema_event *n = realloc(ms->events, ncap * sizeof(*n));

				if (!n)
					return prof_error_set(err, -ENOMEM, part->dir, UINT64_MAX, "out of memory");
				ms->events = n;
				t->merged_cap = ncap;
			}
			ms->events[j] = ps->events[i];
			ms->events[j].id = j;
			ms->count++;
		}
		map[i] = j;
		part->nmapped = i + 1;
	}
	return 0;
}

static bool same_stat(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/*
 * A replacement metadata may only add events: same uuid, byte order and
 * clock, and the events already known unchanged (packets were checked and
 * events decoded against them).
 */
static bool compatible(const struct prof_trace_desc *old, const struct prof_trace_desc *new)
{
	uint32_t i;

	if (memcmp(old->uuid, new->uuid, 16) != 0 || old->byte_order != new->byte_order ||
	    memcmp(&old->clock, &new->clock, sizeof(old->clock)) != 0 || new->schema.count < old->schema.count)
		return false;
	for (i = 0; i < old->schema.count; i++)
		if (memcmp(&old->schema.events[i], &new->schema.events[i], sizeof(new->schema.events[i])) != 0)
			return false;
	return true;
}

/* Reads the part's metadata if it is new or was replaced. */
static int load_metadata(struct prof_trace *t, uint32_t pi, struct prof_error *err)
{
	struct trace_part *part = t->parts[pi];
	struct prof_trace_desc desc;
	char *path, *text = NULL;
	struct stat st;
	bool first = part->desc.clock.freq_hz == 0;
	size_t len = 0;
	uint32_t i;
	int ret;

	path = path_join(part->dir, "metadata");
	if (!path)
		return prof_error_set(err, -ENOMEM, part->dir, UINT64_MAX, "out of memory");
	if (!first && (stat(path, &st) < 0 || same_stat(&st, &part->meta_st))) {
		ret = 0; /* unchanged (or being replaced: the rename comes) */
		goto out;
	}
	ret = read_metadata(path, &text, &len, &st, err);
	if (ret)
		goto out;
	ret = prof_ctf_metadata_parse(text, len, path, &desc, err);
	if (ret)
		goto out;
	if (desc.byte_order != HOST_BYTE_ORDER) {
		ret = prof_error_set(err, -ENOTSUP, path, UINT64_MAX,
				     "byte order %s is not this host's; read the trace with babeltrace2",
				     desc.byte_order == PROF_BYTE_ORDER_LE ? "le" : "be");
		prof_trace_desc_free(&desc);
		goto out;
	}
	if (!first) {
		if (!compatible(&part->desc, &desc)) {
			ret = prof_error_set(err, -EINVAL, path, UINT64_MAX,
					     "replaced by metadata that changes the trace's uuid, clock or known "
					     "events: not the same trace");
			prof_trace_desc_free(&desc);
			goto out;
		}
		/* Queued events point at the old schema's descriptors. */
		for (i = 0; i < t->nstreams; i++)
			if (t->streams[i].part == pi && t->streams[i].queued)
				t->streams[i].ev.desc = &desc.schema.events[t->streams[i].ev.id];
		prof_trace_desc_free(&part->desc);
	}
	part->desc = desc;
	part->meta_st = st;
	part->meta_gen++;
	if (t->kind == KIND_MULTI) {
		ret = merge_schema(t, part, err);
		if (ret) /* not merged: read it again at the next look */
			memset(&part->meta_st, 0, sizeof(part->meta_st));
	}
out:
	free(text);
	free(path);
	return ret;
}

static int add_part(struct prof_trace *t, const char *dir, struct prof_error *err)
{
	struct trace_part *part;

	if (t->nparts == MAX_PARTS)
		return prof_error_set(err, -EINVAL, t->dir, UINT64_MAX, "more than %u traces", MAX_PARTS);
	if (t->nparts == t->capparts) {
		uint32_t ncap = t->capparts ? t->capparts * 2 : 4;
		struct trace_part **n = realloc(t->parts, ncap * sizeof(*n));

		if (!n)
			return prof_error_set(err, -ENOMEM, dir, UINT64_MAX, "out of memory");
		t->parts = n;
		t->capparts = ncap;
	}
	part = calloc(1, sizeof(*part));
	if (!part)
		return prof_error_set(err, -ENOMEM, dir, UINT64_MAX, "out of memory");
	part->dir = strdup(dir);
	if (t->flags & PROF_TRACE_FOLLOW)
		part->seen = calloc(PROF_MAX_STREAMS / 8, 1);
	if (!part->dir || ((t->flags & PROF_TRACE_FOLLOW) && !part->seen)) {
		free(part->dir);
		free(part->seen);
		free(part);
		return prof_error_set(err, -ENOMEM, dir, UINT64_MAX, "out of memory");
	}
	t->parts[t->nparts++] = part;
	return 0;
}

static bool part_known(const struct prof_trace *t, const char *dir)
{
	uint32_t i;

	for (i = 0; i < t->nparts; i++)
		if (strcmp(t->parts[i]->dir, dir) == 0)
			return true;
	return false;
}

/* Whether @dir has an entry @name (not followed if a link): 1, 0, or
 * -ENOMEM. */
static int has_entry(const char *dir, const char *name, struct prof_error *err)
{
	char *path = path_join(dir, name);
	struct stat st;
	int ret;

	if (!path)
		return prof_error_set(err, -ENOMEM, dir, UINT64_MAX, "out of memory");
	ret = lstat(path, &st) == 0;
	free(path);
	return ret;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * find_parts() - adds the trace directories below @dir (not symbolic
 * links, not hidden), in name order; a directory with `metadata` is a
 * part and is not looked into.
 */
static int find_parts(struct prof_trace *t, const char *dir, int depth, struct prof_error *err)
{
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	DIR *d;
	int ret = 0;

	d = opendir(dir);
	if (!d)
		return prof_error_set(err, -errno, dir, UINT64_MAX, "cannot list: %s", strerror(errno));
	for (errno = 0; (de = readdir(d)) != NULL; errno = 0) {
		if (de->d_name[0] == '.' || (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN))
			continue;
		if (n == cap) {
			char **nn;

			cap = cap ? cap * 2 : 8;
			nn = realloc(names, cap * sizeof(*nn));
			if (!nn) {
				ret = prof_error_set(err, -ENOMEM, dir, UINT64_MAX, "out of memory");
				goto out;
			}
			names = nn;
		}
		names[n] = path_join(dir, de->d_name);
		if (!names[n]) {
			ret = prof_error_set(err, -ENOMEM, dir, UINT64_MAX, "out of memory");
			goto out;
		}
		n++;
	}
	if (errno) {
		ret = prof_error_set(err, -errno, dir, UINT64_MAX, "cannot list: %s", strerror(errno));
		goto out;
	}
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_name);
	for (i = 0; i < n && !ret; i++) {
		struct stat st;

		if (lstat(names[i], &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		ret = has_entry(names[i], "metadata", err);
		if (ret > 0)
			ret = part_known(t, names[i]) ? 0 : add_part(t, names[i], err);
		else if (ret == 0 && depth < MAX_DEPTH)
			ret = find_parts(t, names[i], depth + 1, err);
	}
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return ret;
}

/* The merged description's clock: CLOCK_MONOTONIC nanoseconds. */
static void merged_clock(struct prof_trace *t)
{
	const struct prof_clock_desc *c = &t->parts[0]->desc.clock;
	struct prof_clock_desc *m = &t->merged.clock;

	memset(m, 0, sizeof(*m));
	m->source = PROF_CLOCK_MONOTONIC;
	m->calibrated = 1;
	m->freq_hz = NS_PER_S;
	if (c->ref_realtime_ns >= c->ref_monotonic_ns)
		m->ref_realtime_ns = c->ref_realtime_ns - c->ref_monotonic_ns;
	memcpy(t->merged.uuid, t->parts[0]->desc.uuid, 16);
	t->merged.byte_order = HOST_BYTE_ORDER;
	t->merged.origin = t->parts[0]->desc.origin;
}

static void add_counts(struct prof_region_counts *sum, const struct prof_region_counts *c)
{
	sum->dropped_no_slot += c->dropped_no_slot;
	sum->refused_events += c->refused_events;
	sum->refused_invalid += c->refused_invalid;
	sum->schema_errors += c->schema_errors;
	sum->strings_truncated += c->strings_truncated;
}


/* Whether a writer still has the part open (its marker is there). */
static int part_incomplete(struct trace_part *part, struct prof_error *err)
{
	int ret = has_entry(part->dir, PROF_CTF_INCOMPLETE_MARKER, err);

	if (ret < 0)
		return ret;
	part->incomplete = ret;
	return 0;
}

/*
 * A directory of traces is being written while it has the marker itself
 * (a recorder of several processes keeps it there until the last one is
 * done): parts may still appear.
 */
static int top_incomplete(struct prof_trace *t, struct prof_error *err)
{
	return t->kind == KIND_SINGLE ? 0 : has_entry(t->dir, PROF_CTF_INCOMPLETE_MARKER, err);
}

/*
 * look() - (again, in follow mode) find the parts, read new or replaced
 * metadata, find new stream files, map the ones that grew, and queue
 * every stream that has an event to give.
 */
static int look(struct prof_trace *t, struct prof_error *err)
{
	uint32_t i, first = t->nparts;
	int ret = 0;

	if (t->kind == KIND_NONE) {
		ret = has_entry(t->dir, "metadata", err);
		if (ret < 0)
			return ret;
		if (ret) {
			t->kind = KIND_SINGLE;
			ret = add_part(t, t->dir, err);
			if (ret)
				t->kind = KIND_NONE;
		} else {
			ret = find_parts(t, t->dir, 0, err);
			if (!ret && t->nparts)
				t->kind = KIND_MULTI;
		}
	} else if (t->kind == KIND_MULTI && (t->flags & PROF_TRACE_FOLLOW)) {
		ret = find_parts(t, t->dir, 0, err);
	}
	if (ret)
		return ret;
	t->stats.traces = t->nparts;
	t->stats.incomplete = 0;
	for (i = 0; i < t->nparts; i++) {
		ret = load_metadata(t, i, err);
		if (!ret)
			ret = part_incomplete(t->parts[i], err);
		if (!ret && (i >= first || (t->flags & PROF_TRACE_FOLLOW)))
			ret = find_streams(t, i, err);
		if (ret)
			return ret;
		t->stats.incomplete |= t->parts[i]->incomplete;
	}
	ret = top_incomplete(t, err);
	if (ret < 0)
		return ret;
	t->stats.incomplete |= (uint64_t)ret;
	ret = 0;
	if (t->kind == KIND_MULTI) {
		merged_clock(t);
		memset(&t->merged.counts, 0, sizeof(t->merged.counts));
		for (i = 0; i < t->nparts; i++)
			add_counts(&t->merged.counts, &t->parts[i]->desc.counts);
	}
	for (i = 0; i < t->nstreams; i++) {
		struct trace_stream *s = &t->streams[i];
		struct stat st;

		if (s->queued)
			continue;
		/* Grown since: map again (no cursor is in the old mapping). */
		if (s->fd >= 0 && !s->in_packet) {
			if (fstat(s->fd, &st) < 0)
				return prof_error_set(err, -errno, s->path, UINT64_MAX, "cannot stat: %s",
						      strerror(errno));
			ret = map_stream(s, s->fd, (uint64_t)st.st_size, err);
			if (ret)
				return ret;
		}
		if (stream_advance(t, s))
			heap_push(t, i);
	}
	return 0;
}

PROF_EXPORT int prof_trace_open(struct prof_trace **out, const char *dir, struct prof_error *err)
{
	return prof_trace_open_flags(out, dir, 0, err);
}

static int trace_open(struct prof_trace **out, const char *dir, unsigned int flags, uint32_t shard,
		      uint32_t nshards, struct prof_error *err)
{
	struct prof_trace *t = NULL;
	struct stat st;
	int ret;

	if (!out || !dir)
		return prof_error_set(err, -EINVAL, NULL, UINT64_MAX, "no trace directory given");
	*out = NULL;
	if (flags & ~PROF_TRACE_FOLLOW)
		return prof_error_set(err, -EINVAL, dir, UINT64_MAX, "unknown flags 0x%x", flags);
	if (stat(dir, &st) < 0)
		return prof_error_set(err, -errno, dir, UINT64_MAX, "cannot open the trace directory: %s",
				      strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return prof_error_set(err, -ENOTDIR, dir, UINT64_MAX, "not a directory");
	t = calloc(1, sizeof(*t));
	if (!t)
		return prof_error_set(err, -ENOMEM, dir, UINT64_MAX, "out of memory");
	t->flags = flags;
	t->shard = shard;
	t->nshards = nshards;
	t->dir = strdup(dir);
	if (!t->dir) {
		ret = prof_error_set(err, -ENOMEM, dir, UINT64_MAX, "out of memory");
		goto fail;
	}
	ret = look(t, err);
	if (ret)
		goto fail;
	if (t->kind == KIND_NONE && !(flags & PROF_TRACE_FOLLOW)) {
		char *meta = path_join(dir, "metadata");

		ret = prof_error_set(err, -ENOENT, meta ? meta : dir, UINT64_MAX,
				     "no metadata file: not a trace directory, nor a directory of traces");
		free(meta);
		goto fail;
	}
	*out = t;
	t = NULL;
fail:
	prof_trace_close(t);
	return ret;
}

PROF_EXPORT int prof_trace_open_flags(struct prof_trace **out, const char *dir, unsigned int flags,
				      struct prof_error *err)
{
	return trace_open(out, dir, flags, 0, 1, err);
}

PROF_EXPORT int prof_trace_open_shard(struct prof_trace **out, const char *dir, uint32_t shard, uint32_t nshards,
				      struct prof_error *err)
{
	if (nshards == 0 || shard >= nshards) {
		if (out)
			*out = NULL;
		return prof_error_set(err, -EINVAL, dir, UINT64_MAX, "shard %u of %u", shard, nshards);
	}
	return trace_open(out, dir, 0, shard, nshards, err);
}

PROF_EXPORT const struct prof_trace_desc *prof_trace_get_desc(const struct prof_trace *t)
{
	if (!t)
		return NULL;
	return t->kind == KIND_SINGLE ? &t->parts[0]->desc : &t->merged;
}

PROF_EXPORT uint32_t prof_trace_part_count(const struct prof_trace *t)
{
	return t ? t->nparts : 0;
}

PROF_EXPORT const struct prof_trace_desc *prof_trace_get_part_desc(const struct prof_trace *t, uint32_t index)
{
	return t && index < t->nparts ? &t->parts[index]->desc : NULL;
}

PROF_EXPORT const char *prof_trace_part_dir(const struct prof_trace *t, uint32_t index)
{
	return t && index < t->nparts ? t->parts[index]->dir : NULL;
}

PROF_EXPORT int prof_trace_next(struct prof_trace *t, struct prof_decoded_event *ev)
{
	struct trace_stream *s;
	struct prof_error err;
	uint32_t top;
	int ret;

	if (!t || !ev)
		return -EINVAL;
	while (t->heap_len == 0) {
		bool finished;

		if (!(t->flags & PROF_TRACE_FOLLOW) || t->ended)
			return 0;
		/* Decide "finished" before looking, so that what a writer
		 * wrote before removing its marker is read by this look. */
		ret = top_incomplete(t, &err);
		finished = t->kind != KIND_NONE && ret == 0;
		for (top = 0; top < t->nparts && ret >= 0; top++) {
			ret = part_incomplete(t->parts[top], &err);
			finished = finished && !t->parts[top]->incomplete;
		}
		ret = ret < 0 ? ret : 0;
		if (!ret)
			ret = look(t, &err);
		if (ret) {
			t->last_error = err;
			t->has_error = true;
			return ret;
		}
		if (t->heap_len)
			break;
		if (!finished)
			return -EAGAIN;
		if (t->final) {
			t->ended = true;
			return 0;
		}
		/* Once more without waiting for partial or failing packets:
		 * they are now counted as the trace's damage. */
		t->final = true;
	}
	top = t->heap[0];
	s = &t->streams[top];
	/* The event's own values only, not all PROF_MAX_FIELDS of the struct
	 * (the whole copy was 53 instructions an event). */
	memcpy(ev, &s->ev, offsetof(struct prof_decoded_event, values));
	memcpy(ev->values, s->ev.values, (size_t)s->ev.nfields * sizeof(ev->values[0]));
	ev->packet_seq = s->ev.packet_seq;
	ev->packet_discarded = s->ev.packet_discarded;
	ev->trace = s->part;
	if (t->kind == KIND_MULTI) {
		ev->timestamp = s->key;
		ev->id = t->parts[s->part]->idmap[ev->id];
		ev->desc = &t->merged.schema.events[ev->id];
	}
	t->stats.events++;
	if (!stream_advance(t, s)) {
		s->queued = false;
		t->heap[0] = t->heap[--t->heap_len];
	}
	heap_sift_down(t, 0);
	return 1;
}

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

PROF_EXPORT const struct prof_error *prof_trace_last_error(const struct prof_trace *t)
{
	return t && t->has_error ? &t->last_error : NULL;
}

PROF_EXPORT uint64_t prof_clock_to_ns(const struct prof_clock_desc *clock, uint64_t ticks)
{
	__int128 delta, q, ns;

	if (!clock || clock->freq_hz == 0)
		return ticks;
	if (clock->freq_hz == NS_PER_S) {
		/* A nanosecond clock: no 128-bit division (the readers convert
		 * every event). */
		q = (__int128)ticks - (__int128)clock->ref_ticks;
	} else {
		delta = ((__int128)ticks - (__int128)clock->ref_ticks) * NS_PER_S;
		q = delta / (__int128)clock->freq_hz;
		if (delta < 0 && q * (__int128)clock->freq_hz != delta)
			q -= 1;
	}
	ns = (__int128)clock->ref_monotonic_ns + q;
	if (ns < 0)
		return 0;
	if (ns > (__int128)UINT64_MAX)
		return UINT64_MAX;
	return (uint64_t)ns;
}

PROF_EXPORT void prof_trace_close(struct prof_trace *t)
{
	uint32_t i;

	if (!t)
		return;
	for (i = 0; i < t->nstreams; i++) {
		if (t->streams[i].map)
			munmap((void *)t->streams[i].map, (size_t)t->streams[i].size);
		if (t->streams[i].fd >= 0)
			close(t->streams[i].fd);
		free(t->streams[i].path);
	}
	for (i = 0; i < t->nparts; i++) {
		prof_trace_desc_free(&t->parts[i]->desc);
		free(t->parts[i]->idmap);
		free(t->parts[i]->seen);
		free(t->parts[i]->dir);
		free(t->parts[i]);
	}
	free(t->parts);
	free(t->streams);
	free(t->heap);
	prof_trace_desc_free(&t->merged);
	free(t->dir);
	free(t);
}
