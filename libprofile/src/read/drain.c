/* SPDX-License-Identifier: MIT */
/*
 * read/drain.c - take packets out of a live (or dead) region.
 *
 * The region is hostile memory: the producer may be buggy, malicious or
 * dead half-way through a store, and in a Xen guest it is another
 * domain's memory.  So the reader
 *   - copies the header out once at open, validates it and recomputes the
 *     layout from its five parameters (prof_region_layout()), requiring
 *     every offset to match; afterwards it uses only that private copy
 *     for geometry (sizes, offsets, counts), never the region's bytes;
 *   - reads each live word (head, content_bytes, schema_count) exactly once
 *     per use, with an atomic load, and bounds it before use;
 *   - copies every packet and schema record into private memory before it
 *     validates it, and never holds a pointer into the region across a
 *     validation;
 *   - writes only the consumer positions (tail).
 *
 * Positions of one stream (N = packets_per_stream), seen by the reader:
 *
 *       taken           complete, not yet taken            open
 *   ... ----------)[pos ............................. h-2][h-1]
 *                  ^ reader's position (tail)               ^ head - 1
 *
 *   ring index of packet k = k % N, at
 *   rings_offset + (s * N + k % N) * packet_size
 *
 * Discard mode.  The producer opens packet n only when n - tail < N, so a
 * sane head satisfies pos <= head <= pos + N.  Packets [pos, head - 1) are
 * complete and stay put until tail passes them: copy, validate, normalise,
 * deliver, then release-store tail = k + 1 so the producer may reuse the
 * slot.  The reader keeps pos privately and never re-reads tail as truth.
 * A head behind pos is counted once (as an invalid packet) and the stream
 * is left alone until head catches up: pos never moves back, so a packet
 * is never delivered twice.  A head more than N ahead is counted once and
 * pos jumps to head - N, the oldest packet that can still be in the ring.
 *
 * Overwrite mode (flight recorder).  The producer never reads tail: packet
 * k's slot is reused by packet k + N, which is opened when head becomes
 * k + N + 1.  The reader copies packet k, then re-reads head: if head now
 * exceeds k + N the slot was reused under the copy, which is dropped as
 * torn (the read side of a seqlock, with head as the sequence).  Packets
 * already reused before the copy started are counted as overwritten.
 *
 * Scrape.  The final read, once the producer stopped or died: after the
 * complete packets, copy each stream's open packet up to its published
 * content_bytes (release-stored by the producer after every event) and
 * deliver it with timestamp_end set to its last event.  The open packet is
 * then taken (pos = head), so a second scrape does not deliver it again.
 *
 * Peek.  A live reader (prof_region_reader_peek()) delivers the events an
 * open packet holds so far without taking it, and records in the stream's
 * consumer position how far it got: reserved[1] = the packet's content
 * bytes delivered, then reserved[0] = its sequence number + 1.  A later
 * reader (a restarted collector) that finds reserved[0] - 1 equal to tail
 * delivers only the rest of that packet, so nothing is delivered twice
 * across readers.  Like tail, it is a hint from hostile memory: used only
 * when it names the packet at tail and a size within the packet, and a
 * rest that does not start on an event fails validation and is counted.
 *
 * Invalid packets.  A complete packet that fails validation is counted and
 * taken all the same (in discard mode the producer needs its slot back).
 * An open packet that fails is counted once and left in place: a live
 * producer may still be writing its header.
 *
 * Schema.  Records [0, schema_count) are published by a release store of
 * schema_count; the reader copies new ones at open, when a packet names an
 * id it does not know, and in prof_region_reader_schema().  A record that
 * fails its check is skipped: its id is kept as a hole (empty name, no
 * fields), so packets using it fail and are counted invalid, while every
 * other event keeps recording.  It is counted once (schema_errors) and
 * remembered with its printable name and the reason, for
 * prof_region_reader_schema_problems().  A PROF_KIND_REFUSED record (the
 * producer naming a definition it refused, counted in its own
 * refused_invalid) is remembered the same way but not counted again.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/platform.h"
#include "profile/read.h"
#include "read/read_private.h"

struct stream_state {
	uint64_t pos;        /* next sequence number to take (our tail) */
	uint64_t start;      /* pos at open: where a previous reader stopped */
	uint64_t discarded;  /* events_discarded of the last packet delivered */
	uint64_t bad_head;   /* the corrupt head last counted, if bad_valid */
	uint64_t open_bad;   /* seq of the open packet last counted invalid */
	uint64_t peek_seq;   /* the open packet a live reader peeked into ... */
	uint64_t peek_bytes; /* ... and the content bytes it has delivered */
	uint8_t delivered;   /* a packet was delivered: discarded is known */
	uint8_t bad_valid;
	uint8_t open_bad_valid;
	uint8_t peek_valid;
};

struct prof_region_reader {
	uint8_t *mem;                 /* the mapping; only tails are written */
	uint64_t size;
	char name[256];
	struct prof_region_header hdr;/* validated private copy */
	uint64_t nper;                /* packets_per_stream */
	uint64_t psize;               /* packet_size in bytes */
	struct stream_state *streams; /* hdr.stream_slots entries */
	struct prof_schema schema;    /* events[0, count): copied records */
	uint32_t schema_cap;
	uint32_t schema_bad_count;    /* the bad schema_count last counted */
	uint8_t *buf;                 /* one packet: the private copy */
	struct prof_drain_stats stats;
	struct prof_region_counts counts; /* header counts, refreshed per drain */
	struct prof_schema_problem *problems; /* unusable records, id order */
	size_t nproblems, problems_cap;
	struct prof_error last_error;
};

enum take_result {
	TAKE_DELIVERED,
	TAKE_INVALID,
	TAKE_STOP,  /* the sink returned non-zero */
	TAKE_NOTHING_NEW, /* every event of it was delivered by a peek */
	TAKE_TORN,  /* overwrite mode: the producer reused its slot under the copy */
};

#define HOST_BYTE_ORDER \
	(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? PROF_BYTE_ORDER_LE : PROF_BYTE_ORDER_BE)
#define OTHER_BYTE_ORDER \
	(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? PROF_BYTE_ORDER_BE : PROF_BYTE_ORDER_LE)

/* ---- Header ---- */

#define HDR_OFF(field) ((uint64_t)offsetof(struct prof_region_header, field))

static int check_u64_field(struct prof_error *err, const char *name, uint64_t off,
			   const char *field, uint64_t got, uint64_t want)
{
	if (got == want)
		return 0;
	return prof_error_set(err, -EINVAL, name, off, "%s %llu, expected %llu (from the geometry)",
			      field, (unsigned long long)got, (unsigned long long)want);
}

/*
 * check_header() - validate the private copy @h of a region's header,
 * for a mapping of @size bytes.
 */
static int check_header(const struct prof_region_header *h, uint64_t size, const char *name,
			struct prof_error *err)
{
	struct prof_region_header want;
	int rc;

	if (memcmp(h->magic, PROF_REGION_MAGIC, sizeof(h->magic)) != 0) {
		const uint8_t *m = (const uint8_t *)h->magic;

		return prof_error_set(err, -EINVAL, name, HDR_OFF(magic),
				      "magic %02x %02x %02x %02x %02x %02x %02x %02x is not \"%s\": not an mprof region",
				      m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], PROF_REGION_MAGIC);
	}
	/* Checked before any other number, since a foreign byte order makes
	 * every other number look wrong. */
	if (h->byte_order != HOST_BYTE_ORDER) {
		if (h->byte_order == OTHER_BYTE_ORDER ||
		    h->byte_order == __builtin_bswap32(OTHER_BYTE_ORDER))
			return prof_error_set(err, -ENOTSUP, name, HDR_OFF(byte_order),
					      "byte_order %u: the region was written in %s-endian order, this host is %s-endian; not supported",
					      h->byte_order,
					      OTHER_BYTE_ORDER == PROF_BYTE_ORDER_BE ? "big" : "little",
					      HOST_BYTE_ORDER == PROF_BYTE_ORDER_BE ? "big" : "little");
		return prof_error_set(err, -EINVAL, name, HDR_OFF(byte_order),
				      "byte_order %u, expected %u or %u", h->byte_order,
				      PROF_BYTE_ORDER_LE, PROF_BYTE_ORDER_BE);
	}
	if (h->version == 1)
		return prof_error_set(err, -EINVAL, name, HDR_OFF(version),
				      "version 1 (12-byte event headers, an older libprofile), expected %u: "
				      "record it with the mprof of that libprofile", PROF_REGION_VERSION);
	if (h->version != PROF_REGION_VERSION)
		return prof_error_set(err, -EINVAL, name, HDR_OFF(version),
				      "version %u, expected %u", h->version, PROF_REGION_VERSION);
	if (h->header_size != sizeof(struct prof_region_header))
		return prof_error_set(err, -EINVAL, name, HDR_OFF(header_size),
				      "header_size %u, expected %u", h->header_size,
				      (unsigned)sizeof(struct prof_region_header));
	if (h->page_size != PROF_PAGE_SIZE)
		return prof_error_set(err, -EINVAL, name, HDR_OFF(page_size),
				      "page_size %u, expected %u", h->page_size, PROF_PAGE_SIZE);
	if (h->mode > PROF_MODE_OVERWRITE)
		return prof_error_set(err, -EINVAL, name, HDR_OFF(mode),
				      "mode %u, expected 0 (discard) or 1 (overwrite)", h->mode);
	if (h->packet_size < PROF_MIN_PACKET_SIZE || h->packet_size > PROF_MAX_PACKET_SIZE ||
	    (h->packet_size & (h->packet_size - 1)) != 0)
		return prof_error_set(err, -EINVAL, name, HDR_OFF(packet_size),
				      "packet_size %u, expected a power of two in [%u, %u]",
				      h->packet_size, PROF_MIN_PACKET_SIZE, PROF_MAX_PACKET_SIZE);
	if (h->packets_per_stream < 2)
		return prof_error_set(err, -EINVAL, name, HDR_OFF(packets_per_stream),
				      "packets_per_stream %u, expected at least 2", h->packets_per_stream);
	if (h->stream_slots < 1 || h->stream_slots > PROF_MAX_STREAMS)
		return prof_error_set(err, -EINVAL, name, HDR_OFF(stream_slots),
				      "stream_slots %u, expected 1 to %u", h->stream_slots, PROF_MAX_STREAMS);
	if (h->max_events < 1 || h->max_events > PROF_MAX_EVENTS)
		return prof_error_set(err, -EINVAL, name, HDR_OFF(max_events),
				      "max_events %u, expected 1 to %u", h->max_events, PROF_MAX_EVENTS);
	if (h->schema_record_size != sizeof(struct prof_schema_record))
		return prof_error_set(err, -EINVAL, name, HDR_OFF(schema_record_size),
				      "schema_record_size %u, expected %u", h->schema_record_size,
				      (unsigned)sizeof(struct prof_schema_record));

	/* The producer's own geometry function: both sides agree by
	 * construction, and every offset the header claims is checked. */
	memset(&want, 0, sizeof(want));
	if (prof_region_layout(h->mode, h->packet_size, h->packets_per_stream, h->stream_slots,
			       h->max_events, &want) < 0)
		return prof_error_set(err, -EINVAL, name, HDR_OFF(packets_per_stream),
				      "packets_per_stream %u: no valid layout for this geometry",
				      h->packets_per_stream);
	rc = check_u64_field(err, name, HDR_OFF(schema_offset), "schema_offset", h->schema_offset,
			     want.schema_offset);
	if (!rc)
		rc = check_u64_field(err, name, HDR_OFF(slots_offset), "slots_offset", h->slots_offset,
				     want.slots_offset);
	if (!rc)
		rc = check_u64_field(err, name, HDR_OFF(consumer_offset), "consumer_offset",
				     h->consumer_offset, want.consumer_offset);
	if (!rc)
		rc = check_u64_field(err, name, HDR_OFF(rings_offset), "rings_offset", h->rings_offset,
				     want.rings_offset);
	if (!rc)
		rc = check_u64_field(err, name, HDR_OFF(region_size), "region_size", h->region_size,
				     want.region_size);
	if (rc)
		return rc;
	if (h->region_size > size)
		return prof_error_set(err, -EINVAL, name, HDR_OFF(region_size),
				      "region_size %llu exceeds the %llu-byte mapping",
				      (unsigned long long)h->region_size, (unsigned long long)size);
	return 0;
}

/* ---- Region words (offsets from the validated header copy only) ---- */

static uint64_t *head_word(const struct prof_region_reader *r, uint32_t s)
{
	return (uint64_t *)(void *)(r->mem + r->hdr.slots_offset + (uint64_t)s * sizeof(struct prof_slot) +
				    offsetof(struct prof_slot, head));
}

static uint64_t *tail_word(const struct prof_region_reader *r, uint32_t s)
{
	return (uint64_t *)(void *)(r->mem + r->hdr.consumer_offset +
				    (uint64_t)s * sizeof(struct prof_consumer_pos) +
				    offsetof(struct prof_consumer_pos, tail));
}

/* The consumer position's peek record: [0] seq + 1, [1] bytes delivered. */
static uint64_t *peek_word(const struct prof_region_reader *r, uint32_t s, unsigned i)
{
	return (uint64_t *)(void *)(r->mem + r->hdr.consumer_offset +
				    (uint64_t)s * sizeof(struct prof_consumer_pos) +
				    offsetof(struct prof_consumer_pos, reserved) + 8 * i);
}

static uint64_t packet_offset(const struct prof_region_reader *r, uint32_t s, uint64_t k)
{
	return r->hdr.rings_offset + ((uint64_t)s * r->nper + k % r->nper) * r->psize;
}

static uint64_t load_head(const struct prof_region_reader *r, uint32_t s)
{
	/* Pairs with the producer's release store of head in
	 * packet_switch() (src/core/stream.c), made after it closed the
	 * previous packet: packets below head - 1 are complete. */
	return __atomic_load_n(head_word(r, s), __ATOMIC_ACQUIRE);
}

static void store_tail(struct prof_region_reader *r, uint32_t s, uint64_t tail)
{
	if (r->hdr.mode == PROF_MODE_DISCARD)
		/* Our copy of the packets is done: pairs with the producer's
		 * acquire load of tail in packet_switch() (src/core/stream.c)
		 * before it reuses a slot. */
		__atomic_store_n(tail_word(r, s), tail, __ATOMIC_RELEASE);
	else
		/* Overwrite mode: informational only, nobody reads it. */
		__atomic_store_n(tail_word(r, s), tail, __ATOMIC_RELAXED);
}

/*
 * Copies that may race with the producer (a packet in overwrite mode, an
 * open packet) are validated afterwards and dropped if torn: the read side
 * of a seqlock.  ThreadSanitizer cannot see that, and GCC's rejects
 * thread fences, so under it the copy is a plain uninstrumented loop and
 * the fence a compiler barrier (enough on x86, where loads are not
 * reordered with loads, the only target TSan runs on here).
 */
#if defined(__SANITIZE_THREAD__)
#define READ_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define READ_TSAN 1
#endif
#endif

#ifdef READ_TSAN
__attribute__((no_sanitize("thread"), noinline))
static void copy_racy(void *dst, const void *src, size_t n)
{
	const volatile uint8_t *s = src;
	uint8_t *d = dst;
	size_t i;

	for (i = 0; i < n; i++)
		d[i] = s[i];
}

static void seqlock_fence(void)
{
	atomic_signal_fence(memory_order_seq_cst);
}
#else
static void copy_racy(void *dst, const void *src, size_t n)
{
	memcpy(dst, src, n);
}

/* Between a packet copy and the re-read of head. */
static void seqlock_fence(void)
{
	atomic_thread_fence(memory_order_acquire);
}
#endif

static void sat_add(uint64_t *a, uint64_t b)
{
	if (__builtin_add_overflow(*a, b, a))
		*a = UINT64_MAX;
}

/* note() - remember a counted problem; @off is a region offset. */
__attribute__((format(printf, 4, 5)))
static void note(struct prof_region_reader *r, int code, uint64_t off, const char *fmt, ...)
{
	va_list ap;

	r->last_error.code = code;
	snprintf(r->last_error.file, sizeof(r->last_error.file), "%s", r->name);
	r->last_error.offset = off;
	va_start(ap, fmt);
	vsnprintf(r->last_error.text, sizeof(r->last_error.text), fmt, ap);
	va_end(ap);
}

/* note_rebased() - remember @e, whose offset is relative to @base. */
static void note_rebased(struct prof_region_reader *r, const struct prof_error *e, uint64_t base,
			 const char *what)
{
	note(r, e->code, e->offset == UINT64_MAX ? base : base + e->offset, "%s: %s", what, e->text);
}

/* ---- Schema ---- */

/* Keep what an unusable record was; out of memory loses only the detail
 * (the count stays exact). */
static void remember_problem(struct prof_region_reader *r, uint32_t id, const struct prof_schema_record *rec,
			     int refused, const char *why)
{
	struct prof_schema_problem *pr;
	size_t n;

	if (r->nproblems == r->problems_cap) {
		size_t cap = r->problems_cap ? r->problems_cap * 2 : 8;

		pr = realloc(r->problems, cap * sizeof(*pr));
		if (!pr)
			return;
		r->problems = pr;
		r->problems_cap = cap;
	}
	pr = &r->problems[r->nproblems++];
	memset(pr, 0, sizeof(*pr));
	pr->id = id;
	pr->refused = refused;
	for (n = 0; n + 1 < sizeof(pr->name) && rec->name[n]; n++)
		pr->name[n] = (rec->name[n] >= 0x20 && rec->name[n] < 0x7f) ? rec->name[n] : '?';
	for (n = 0; n + 1 < sizeof(pr->reason) && why[n]; n++)
		pr->reason[n] = why[n];
}

/*
 * schema_refresh() - copy the records published since the last refresh.
 *
 * Return: the number of new records (good or bad), or -ENOMEM: then
 * nothing changed, and packets that need the new records must wait.
 */
static int schema_refresh(struct prof_region_reader *r)
{
	uint32_t count, i, old = r->schema.count;
	int rc;

	/* Pairs with the release store of schema_count in
	 * schema_publish_upto() (src/core/registry.c), made after the
	 * records were written. */
	count = __atomic_load_n((uint32_t *)(void *)(r->mem + HDR_OFF(schema_count)), __ATOMIC_ACQUIRE);
	if (count > r->hdr.max_events) {
		if (count != r->schema_bad_count) {
			r->schema_bad_count = count;
			r->stats.schema_errors++;
			note(r, -EINVAL, HDR_OFF(schema_count), "schema_count %u exceeds max_events %u",
			     count, r->hdr.max_events);
		}
		count = r->hdr.max_events;
	}
	if (count <= old)
		return 0;   /* Append-only: a smaller count is ignored. */

	if (count > r->schema_cap) {
		uint32_t cap = r->schema_cap ? r->schema_cap : 16;
		struct prof_schema_event *ev;

		while (cap < count)
			cap = cap > r->hdr.max_events / 2 ? r->hdr.max_events : cap * 2;
		ev = realloc(r->schema.events, (size_t)cap * sizeof(*ev));
		if (!ev)
			return -ENOMEM;
		r->schema.events = ev;
		r->schema_cap = cap;
	}

	for (i = old; i < count; i++) {
		struct prof_schema_record rec;
		struct prof_schema_event *ev = &r->schema.events[i];
		uint64_t off = r->hdr.schema_offset + (uint64_t)i * sizeof(rec);
		struct prof_error e;

		memcpy(&rec, r->mem + off, sizeof(rec));
		rc = prof_schema_record_check(&rec, i, ev, &e);
		if (rc < 0) {
			/* Skipped, as a hole: an empty name makes every
			 * packet naming this id invalid (see decode_event()). */
			memset(ev, 0, sizeof(*ev));
			ev->id = i;
			if (rc != -ECANCELED) {
				r->stats.schema_errors++;
				note_rebased(r, &e, off, "schema");
			}
			remember_problem(r, i, &rec, rc == -ECANCELED, e.text);
		}
	}
	r->schema.count = count;
	return count - old;
}

/* ---- Packets ---- */

static void bad_packet_size(struct prof_region_reader *r, uint64_t base, uint64_t bits)
{
	note(r, -EINVAL, base + offsetof(struct prof_packet_header, packet_size),
	     "packet: packet_size %llu bits, expected %llu", (unsigned long long)bits,
	     (unsigned long long)(8 * r->psize));
}

/* Where take() delivers a packet: a sink (the packet is in r->buf) or a
 * store (the packet is the store's copy). */
struct take_to {
	prof_packet_sink_fn sink;
	const struct prof_packet_store *store;
	void *arg;
};

/*
 * take() - validate @buf, a private copy of @len bytes, as packet @k of
 * stream @s whose packet_size must be @packet_bits, normalise it in place
 * and deliver it (without the events a peek delivered already).  @open
 * says it is an open packet; @sink_rc receives the sink's or the store's
 * return; @peeked_to the packet's content bytes now delivered.
 */
static enum take_result take(struct prof_region_reader *r, uint32_t s, uint64_t k, int open,
			     uint8_t *buf, size_t len, uint64_t packet_bits, const struct take_to *to,
			     int *sink_rc, uint64_t *peeked_to)
{
	struct stream_state *st = &r->streams[s];
	uint64_t base = packet_offset(r, s, k);
	struct prof_packet_info info;
	struct prof_packet_header *h = &info.hdr;
	struct prof_error e;
	int rc;

	rc = prof_packet_check(buf, len, &r->schema, r->hdr.uuid, &info, &e);
	/* An id the schema does not know yet: the producer publishes a
	 * descriptor before its first use, so look once more. */
	if (rc == -EPROTO) {
		int added = schema_refresh(r);

		if (added < 0) {
			/* Out of memory: leave the packet for the next drain
			 * rather than call it invalid. */
			*sink_rc = added;
			return TAKE_STOP;
		}
		if (added > 0)
			rc = prof_packet_check(buf, len, &r->schema, r->hdr.uuid, &info, &e);
	}
	if (rc < 0) {
		note_rebased(r, &e, base, open ? "open packet" : "packet");
		return TAKE_INVALID;
	}
	if (h->stream_instance_id != s) {
		note(r, -EINVAL, base + offsetof(struct prof_packet_header, stream_instance_id),
		     "packet: stream_instance_id %llu, expected %u",
		     (unsigned long long)h->stream_instance_id, s);
		return TAKE_INVALID;
	}
	if (h->packet_seq_num != k) {
		note(r, -EINVAL, base + offsetof(struct prof_packet_header, packet_seq_num),
		     "packet: packet_seq_num %llu, expected %llu",
		     (unsigned long long)h->packet_seq_num, (unsigned long long)k);
		return TAKE_INVALID;
	}
	if (h->packet_size != packet_bits) {
		bad_packet_size(r, base, h->packet_size);
		return TAKE_INVALID;
	}
	if (st->delivered && h->events_discarded < st->discarded) {
		/* An open packet publishes its count only when it closes, so
		 * a smaller one there is stale, not corrupt. */
		if (!open) {
			note(r, -EINVAL, base + offsetof(struct prof_packet_header, events_discarded),
			     "packet: events_discarded %llu decreased from %llu",
			     (unsigned long long)h->events_discarded, (unsigned long long)st->discarded);
			return TAKE_INVALID;
		}
		h->events_discarded = st->discarded;
	}

	/* Normalise: the sink sees content only, with timestamp_end set and
	 * the live byte count agreeing with content_size. */
	h->packet_size = h->content_size;
	h->content_bytes = (uint32_t)(h->content_size / 8);
	if (open || h->timestamp_end == 0)
		h->timestamp_end = info.nevents ? info.last_timestamp : h->timestamp_begin;
	memcpy(buf, h, sizeof(*h));

	/* A live reader delivered this packet's first events already
	 * (prof_region_reader_peek()): deliver only the rest, as a packet
	 * of its own with the same header. */
	if (st->peek_valid && st->peek_seq == k && st->peek_bytes > PROF_PACKET_HEADER_SIZE) {
		uint64_t full = info.content_bytes, seen = st->peek_bytes;

		if (seen >= full) {
			*peeked_to = full;
			return TAKE_NOTHING_NEW;
		}
		memmove(buf + PROF_PACKET_HEADER_SIZE, buf + seen, (size_t)(full - seen));
		h->content_size = h->packet_size = 8 * (PROF_PACKET_HEADER_SIZE + full - seen);
		h->content_bytes = (uint32_t)(PROF_PACKET_HEADER_SIZE + full - seen);
		memcpy(buf, h, sizeof(*h));
		/* The events were checked in place; this only recounts them. */
		if (prof_packet_check(buf, (size_t)(PROF_PACKET_HEADER_SIZE + full - seen), &r->schema,
				      r->hdr.uuid, &info, &e) < 0) {
			note_rebased(r, &e, base, "peeked packet");
			return TAKE_INVALID;
		}
		*peeked_to = full;
	} else {
		*peeked_to = info.content_bytes;
	}

	if (to->store)
		rc = to->store->keep(to->arg, s, (size_t)info.content_bytes, &info);
	else
		rc = to->sink(to->arg, s, buf, (size_t)info.content_bytes, &info);
	if (rc != 0) {
		*sink_rc = rc;
		return TAKE_STOP;
	}
	st->discarded = h->events_discarded;
	st->delivered = 1;
	r->stats.packets++;
	sat_add(&r->stats.bytes, info.content_bytes);
	sat_add(&r->stats.events, info.nevents);
	if (open)
		r->stats.partial_packets++;
	return TAKE_DELIVERED;
}

/* Count a corrupt head once per value seen, so polling does not inflate it. */
static void bad_head(struct prof_region_reader *r, uint32_t s, uint64_t h, const char *why)
{
	struct stream_state *st = &r->streams[s];

	if (st->bad_valid && st->bad_head == h)
		return;
	st->bad_valid = 1;
	st->bad_head = h;
	r->stats.invalid_packets++;
	note(r, -EINVAL, r->hdr.slots_offset + (uint64_t)s * sizeof(struct prof_slot) +
	     offsetof(struct prof_slot, head), "stream %u: head %llu %s %llu", s,
	     (unsigned long long)h, why, (unsigned long long)st->pos);
}

/*
 * reused_under_copy() - after a copy of packet @k of stream @s (the
 * reader's or a store's): in overwrite mode, whether the producer reused
 * its slot meanwhile, so the copy may be torn.  Seqlock read side
 * (seqcount_begin() is the acquire load of head before the copy,
 * read_seqcount_retry() this fence and re-read): the copy happens before
 * the re-read of head.  Pairs with the release fence in
 * seqlock_write_fence() (src/core/stream.c), which packet_switch() issues
 * between its store of head = k + N + 1 and its first write into packet
 * k's slot: a copy that saw any byte of the rewrite sees the new head here.
 * In discard mode the slot is not reused before the tail passes it.
 */
static bool reused_under_copy(const struct prof_region_reader *r, uint32_t s, uint64_t k)
{
	uint64_t h2;

	if (r->hdr.mode != PROF_MODE_OVERWRITE)
		return false;
	seqlock_fence();
	h2 = __atomic_load_n(head_word(r, s), __ATOMIC_RELAXED);
	return h2 > k && h2 - k > r->nper;
}

/*
 * take_copied() - take complete packet @k of stream @s through a private
 * copy in r->buf, for a sink.
 */
static enum take_result take_copied(struct prof_region_reader *r, uint32_t s, uint64_t k,
				    const struct take_to *to, int *sink_rc, uint64_t *peeked_to)
{
	uint64_t off = packet_offset(r, s, k);

	copy_racy(r->buf, r->mem + off, r->psize);
	if (reused_under_copy(r, s, k))
		return TAKE_TORN;
	return take(r, s, k, 0, r->buf, r->psize, 8 * r->psize, to, sink_rc, peeked_to);
}

/*
 * take_stored() - take complete packet @k of stream @s straight into the
 * store: the store copies it out of the region (its only copy), and the
 * store's copy is what is validated and normalised, then kept or dropped.
 * The store copies only the content the header claims (bounded by the
 * packet size); should the claim change under the copy, the check of the
 * copy finds the content beyond what was copied.  A packet_size that
 * matches is set to the bytes copied before the check (it becomes the
 * content size anyway).
 */
static enum take_result take_stored(struct prof_region_reader *r, uint32_t s, uint64_t k,
				    const struct take_to *to, int *sink_rc, uint64_t *peeked_to)
{
	uint64_t off = packet_offset(r, s, k), cs, bits = 8 * r->psize;
	struct prof_packet_header raw;
	enum take_result res;
	size_t len = (size_t)r->psize;
	uint8_t *copy;
	int rc;

	copy_racy(&raw, r->mem + off, sizeof(raw));
	cs = raw.content_size;
	if (cs % 8 == 0 && cs / 8 >= PROF_PACKET_HEADER_SIZE && cs / 8 < r->psize)
		len = (size_t)(cs / 8);
	rc = to->store->put(to->arg, s, r->mem + off, len, &copy);
	if (rc != 0) {
		*sink_rc = rc;
		return TAKE_STOP;
	}
	if (reused_under_copy(r, s, k)) {
		to->store->drop(to->arg, s);
		return TAKE_TORN;
	}
	/* The store's copy is stable from here on. */
	memcpy(&raw, copy, sizeof(raw));
	if (raw.magic == PROF_CTF_MAGIC && raw.packet_size != bits) {
		/* (Said here, as take() would: the check below would find it
		 * beyond the bytes copied.) */
		bad_packet_size(r, off, raw.packet_size);
		res = TAKE_INVALID;
		goto out;
	}
	if (len < r->psize) {
		bits = 8 * (uint64_t)len;
		memcpy(copy + offsetof(struct prof_packet_header, packet_size), &bits, sizeof(bits));
	}
	res = take(r, s, k, 0, copy, len, bits, to, sink_rc, peeked_to);
out:
	if (res != TAKE_DELIVERED)
		to->store->drop(to->arg, s);
	return res;
}

/*
 * drain_stream() - take the complete packets of stream @s.
 *
 * Return: 0, or the sink's (the store's) non-zero return; *@n counts
 * deliveries.
 */
static int drain_stream(struct prof_region_reader *r, uint32_t s, const struct take_to *to, uint64_t *n)
{
	struct stream_state *st = &r->streams[s];
	uint64_t h = load_head(r, s), k;
	int overwrite = r->hdr.mode == PROF_MODE_OVERWRITE;
	int sink_rc = 0;
	uint64_t peeked_to;

	if (h < st->pos) {
		bad_head(r, s, h, "is behind the reader's position");
		return 0;
	}
	if (h - st->pos > r->nper) {
		if (overwrite) {
			/* Normal for a flight recorder: the producer lapped us. */
			sat_add(&r->stats.overwritten_packets, h - r->nper - st->pos);
		} else {
			bad_head(r, s, h, "is more than packets_per_stream ahead of the reader's position");
		}
		st->pos = h - r->nper;
		store_tail(r, s, st->pos);
	} else {
		st->bad_valid = 0;
	}

	/* At most N - 1 iterations: h - N <= pos <= h here.  (Written
	 * k < h - 1, not k + 1 < h, which wraps when pos is UINT64_MAX.) */
	for (k = st->pos; h != 0 && k < h - 1; k++) {
		enum take_result res = to->store ? take_stored(r, s, k, to, &sink_rc, &peeked_to)
						 : take_copied(r, s, k, to, &sink_rc, &peeked_to);

		switch (res) {
		case TAKE_STOP:
			/* Not taken: the next drain offers it again. */
			if (overwrite)
				store_tail(r, s, st->pos);
			return sink_rc;
		case TAKE_TORN:
			r->stats.torn_packets++;
			st->pos = k + 1;
			continue;
		case TAKE_INVALID:
			r->stats.invalid_packets++;
			break;
		case TAKE_DELIVERED:
			(*n)++;
			break;
		case TAKE_NOTHING_NEW:
			break;
		}
		st->peek_valid = 0;
		st->pos = k + 1;
		if (!overwrite)
			store_tail(r, s, st->pos);
	}
	if (overwrite)
		store_tail(r, s, st->pos);
	return 0;
}

int prof__drain_open_packet(struct prof_region_reader *r, uint32_t s,
				   prof_packet_sink_fn sink, void *arg, uint64_t *n, int peek)
{
	struct stream_state *st = &r->streams[s];
	uint64_t h = load_head(r, s), o, off, cs, bytes, peeked_to = 0;
	uint32_t cb;
	int sink_rc = 0;
	const struct take_to to = { sink, NULL, arg };

	if (h == 0 || h - 1 != st->pos)
		return 0;   /* Never used, taken, or complete packets pending. */
	o = h - 1;
	off = packet_offset(r, s, o);

	/* Pairs with the release store of content_bytes in prof__commit()
	 * (include/profile/event.h) and packet_init() (src/core/stream.c):
	 * the first cb bytes are written. */
	cb = __atomic_load_n((uint32_t *)(void *)(r->mem + off + offsetof(struct prof_packet_header, content_bytes)),
			     __ATOMIC_ACQUIRE);
	bytes = cb;
	if (bytes > r->psize)
		bytes = r->psize;
	if (bytes < PROF_PACKET_HEADER_SIZE)
		bytes = PROF_PACKET_HEADER_SIZE;
	/* The live count is what we hold, whatever the words say by the time
	 * the copy reaches them: an open packet's content_size is not set. */
	copy_racy(r->buf, r->mem + off, (size_t)bytes);
	cs = 8 * bytes;
	memcpy(r->buf + offsetof(struct prof_packet_header, content_size), &cs, sizeof(cs));
	memcpy(r->buf + offsetof(struct prof_packet_header, content_bytes), &cb, sizeof(cb));
	if (reused_under_copy(r, s, o)) {
		r->stats.torn_packets++;
		st->pos = h;
		store_tail(r, s, st->pos);
		return 0;
	}

	switch (take(r, s, o, 1, r->buf, r->psize, 8 * r->psize, &to, &sink_rc, &peeked_to)) {
	case TAKE_TORN: /* (only take_copied() and take_stored() see it) */
	case TAKE_STOP:
		return sink_rc;
	case TAKE_INVALID:
		/* Left in place (a live producer may still be initialising
		 * it); counted once per sequence number. */
		if (!st->open_bad_valid || st->open_bad != o) {
			st->open_bad_valid = 1;
			st->open_bad = o;
			r->stats.invalid_packets++;
		}
		return 0;
	case TAKE_DELIVERED:
		(*n)++;
		break;
	case TAKE_NOTHING_NEW:
		break;
	}
	if (peek) {
		/* Not taken: the producer goes on filling it. */
		st->peek_valid = 1;
		st->peek_seq = o;
		st->peek_bytes = peeked_to;
		/* For the next reader.  The size first: a reader that sees the
		 * new sequence number sees its size (pairs with the acquire
		 * load of peek_word(0) in prof_region_reader_open()). */
		__atomic_store_n(peek_word(r, s, 1), peeked_to, __ATOMIC_RELAXED);
		__atomic_store_n(peek_word(r, s, 0), o + 1, __ATOMIC_RELEASE);
		return 0;
	}
	st->peek_valid = 0;
	st->pos = h;
	store_tail(r, s, st->pos);
	return 0;
}

static uint64_t load_count(const struct prof_region_reader *r, uint64_t off)
{
	return __atomic_load_n((uint64_t *)(void *)(r->mem + off), __ATOMIC_RELAXED);
}

static void refresh_counters(struct prof_region_reader *r)
{
	/* Statistics only: nothing is read through them.  Relaxed: the
	 * producer adds to them with relaxed atomic adds. */
	r->stats.dropped_no_slot = load_count(r, HDR_OFF(dropped_no_slot));
	r->counts.dropped_no_slot = r->stats.dropped_no_slot;
	r->counts.refused_events = load_count(r, HDR_OFF(refused_events));
	r->counts.refused_invalid = load_count(r, HDR_OFF(refused_invalid));
	r->counts.strings_truncated = load_count(r, HDR_OFF(strings_truncated));
}

enum drain_kind { DRAIN_COMPLETE, DRAIN_SCRAPE, DRAIN_PEEK };

static int drain_all(struct prof_region_reader *r, const struct take_to *to, enum drain_kind kind)
{
	uint64_t n = 0;
	uint32_t s;
	int rc = 0;

	if (!r || !(to->store ? to->store->put && to->store->keep && to->store->drop : !!to->sink))
		return -EINVAL;
	rc = schema_refresh(r);
	if (rc < 0)
		return rc;
	rc = 0;
	for (s = 0; s < r->hdr.stream_slots && rc == 0; s++) {
		rc = drain_stream(r, s, to, &n);
		if (rc == 0 && kind != DRAIN_COMPLETE)
			rc = prof__drain_open_packet(r, s, to->sink, to->arg, &n, kind == DRAIN_PEEK);
	}
	refresh_counters(r);
	if (rc != 0)
		return rc;
	return n > INT_MAX ? INT_MAX : (int)n;
}

/* ---- Public API (its contract is in profile/read.h) ---- */

PROF_EXPORT int prof_region_reader_open(struct prof_region_reader **out, void *mem, uint64_t size,
					const char *name, struct prof_error *err)
{
	struct prof_region_reader *r = NULL;
	struct prof_region_header h;
	uint32_t s;
	int rc;

	if (!name)
		name = "region";
	if (!out || !mem) {
		rc = prof_error_set(err, -EINVAL, name, UINT64_MAX, "reader open: NULL argument");
		goto fail;
	}
	*out = NULL;
	if ((uintptr_t)mem % 8 != 0) {
		rc = prof_error_set(err, -EINVAL, name, UINT64_MAX,
				    "mapping is not 8-byte aligned");
		goto fail;
	}
	if (size < sizeof(h)) {
		rc = prof_error_set(err, -EINVAL, name, 0,
				    "mapping of %llu bytes is smaller than the %u-byte header",
				    (unsigned long long)size, (unsigned)sizeof(h));
		goto fail;
	}
	/* schema_count and dropped_no_slot may change under the copy; their
	 * copies are never used. */
	copy_racy(&h, mem, sizeof(h));
	rc = check_header(&h, size, name, err);
	if (rc < 0)
		goto fail;

	r = calloc(1, sizeof(*r));   /* Freed by prof_region_reader_close(). */
	if (!r)
		goto nomem;
	r->mem = mem;
	r->size = size;
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->hdr = h;
	r->nper = h.packets_per_stream;
	r->psize = h.packet_size;
	r->last_error.offset = UINT64_MAX;
	/* Sized from the validated header: at most 4096 streams, 64 MiB. */
	r->streams = calloc(h.stream_slots, sizeof(*r->streams));
	r->buf = malloc(r->psize);
	if (!r->streams || !r->buf)
		goto nomem;

	for (s = 0; s < h.stream_slots; s++) {
		uint64_t head = load_head(r, s);
		/* Where a previous reader stopped: a hint, clamped to head. */
		uint64_t tail = __atomic_load_n(tail_word(r, s), __ATOMIC_RELAXED);

		if (tail > head) {
			r->stats.invalid_packets++;
			note(r, -EINVAL, h.consumer_offset + (uint64_t)s * sizeof(struct prof_consumer_pos),
			     "stream %u: tail %llu is ahead of head %llu", s, (unsigned long long)tail,
			     (unsigned long long)head);
			tail = head;
		}
		r->streams[s].pos = tail;
		r->streams[s].start = tail;
		/* What a previous reader's peek delivered of the packet at
		 * tail (a hint, bounded; see "Peek" above).  Pairs with the
		 * release store of peek_word(0) in prof__drain_open_packet(). */
		{
			uint64_t pseq = __atomic_load_n(peek_word(r, s, 0), __ATOMIC_ACQUIRE);
			uint64_t pbytes = __atomic_load_n(peek_word(r, s, 1), __ATOMIC_RELAXED);

			if (pseq != 0 && pseq - 1 == tail && pbytes > PROF_PACKET_HEADER_SIZE && pbytes <= r->psize) {
				r->streams[s].peek_valid = 1;
				r->streams[s].peek_seq = tail;
				r->streams[s].peek_bytes = pbytes;
			}
		}
	}
	if (schema_refresh(r) < 0)
		goto nomem;
	refresh_counters(r);
	*out = r;
	return 0;

nomem:
	rc = prof_error_set(err, -ENOMEM, name, UINT64_MAX, "out of memory for the reader");
	prof_region_reader_close(r);
	r = NULL;
fail:
	return rc;
}

PROF_EXPORT const struct prof_region_header *prof_region_reader_header(const struct prof_region_reader *r)
{
	return r ? &r->hdr : NULL;
}

PROF_EXPORT const struct prof_schema *prof_region_reader_schema(struct prof_region_reader *r)
{
	if (!r)
		return NULL;
	schema_refresh(r);
	return &r->schema;
}

PROF_EXPORT int prof_region_reader_drain(struct prof_region_reader *r, prof_packet_sink_fn sink, void *arg)
{
	const struct take_to to = { sink, NULL, arg };

	return drain_all(r, &to, DRAIN_COMPLETE);
}

PROF_EXPORT int prof_region_reader_drain_into(struct prof_region_reader *r, const struct prof_packet_store *store,
					      void *arg)
{
	const struct take_to to = { NULL, store, arg };

	if (!store)
		return -EINVAL;
	return drain_all(r, &to, DRAIN_COMPLETE);
}

PROF_EXPORT int prof_region_reader_scrape(struct prof_region_reader *r, prof_packet_sink_fn sink, void *arg)
{
	const struct take_to to = { sink, NULL, arg };

	return drain_all(r, &to, DRAIN_SCRAPE);
}

PROF_EXPORT int prof_region_reader_peek(struct prof_region_reader *r, prof_packet_sink_fn sink, void *arg)
{
	const struct take_to to = { sink, NULL, arg };

	return drain_all(r, &to, DRAIN_PEEK);
}

PROF_EXPORT void prof_region_reader_stats(const struct prof_region_reader *r, struct prof_drain_stats *out)
{
	uint32_t s;

	if (!out)
		return;
	if (!r) {
		memset(out, 0, sizeof(*out));
		return;
	}
	*out = r->stats;
	out->events_discarded = 0;
	for (s = 0; s < r->hdr.stream_slots; s++)
		sat_add(&out->events_discarded, r->streams[s].discarded);
}

PROF_EXPORT size_t prof_region_reader_memory(const struct prof_region_reader *r)
{
	if (!r)
		return 0;
	return sizeof(*r) + (size_t)r->hdr.stream_slots * sizeof(*r->streams) + (size_t)r->psize +
	       (size_t)r->schema_cap * sizeof(*r->schema.events) + r->problems_cap * sizeof(*r->problems);
}

PROF_EXPORT uint64_t prof_region_reader_start(const struct prof_region_reader *r, uint32_t stream)
{
	return r && stream < r->hdr.stream_slots ? r->streams[stream].start : 0;
}

PROF_EXPORT void prof_region_reader_counts(const struct prof_region_reader *r, struct prof_region_counts *out)
{
	if (!out)
		return;
	memset(out, 0, sizeof(*out));
	if (!r)
		return;
	*out = r->counts;
	out->schema_errors = r->stats.schema_errors;
}

PROF_EXPORT size_t prof_region_reader_schema_problems(const struct prof_region_reader *r,
						      struct prof_schema_problem *out, size_t max)
{
	size_t i;

	if (!r)
		return 0;
	for (i = 0; out && i < max && i < r->nproblems; i++)
		out[i] = r->problems[i];
	return r->nproblems;
}

PROF_EXPORT void prof_region_reader_close(struct prof_region_reader *r)
{
	if (!r)
		return;
	free(r->problems);        /* Grown by remember_problem(). */
	r->problems = NULL;
	free(r->schema.events);   /* Allocated by schema_refresh(). */
	r->schema.events = NULL;
	free(r->buf);             /* Allocated by prof_region_reader_open(). */
	r->buf = NULL;
	free(r->streams);         /* Allocated by prof_region_reader_open(). */
	r->streams = NULL;
	free(r);
}

const struct prof_error *prof__region_reader_last_error(const struct prof_region_reader *r)
{
	return &r->last_error;
}
