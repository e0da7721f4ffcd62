/* SPDX-License-Identifier: MIT */
/*
 * read/packet.c - validate a CTF packet copy and iterate its events.
 *
 * A packet is a fixed 88-byte header followed by packed events, all in
 * the producer's byte order (the region reader refuses a foreign order):
 *
 *   0           88                                             content   packet
 *   +-----------+---------------+---------------+-------------+---------+------+
 *   | header    | id | ts24     | payload of id | 255 | id24 | ts u64 | .. |unused|
 *   +-----------+---------------+---------------+-------------+---------+------+
 *               \_ compact: 4 _/\_ schema[id] _/\_ extended: 12 bytes _/
 *
 * The clock: a packet starts it at timestamp_begin; an extended header
 * sets it; a compact one replaces its low 24 bits, adding 2^24 when that
 * would take it backwards (CTF 1.8's N-bit clock field, as babeltrace2
 * reads it).  decode_header() is the only place that does this.
 *
 * content = header.content_size / 8 and packet = header.packet_size / 8.
 * Events are byte-aligned, so every value is read with memcpy.  A payload
 * is the fields of schema[id] packed with no padding: fixed-size integers
 * and doubles, and strings of at most `bound` bytes followed by a NUL.
 *
 * The caller owns the bytes (a private copy), so the walk may read a value
 * and then use it; it still bounds every read by the content size, which
 * itself was bounded by the length the caller says it has.  One walker,
 * decode_event(), serves both the full check and the cursor, so what the
 * check accepts is exactly what the cursor decodes.  The public functions'
 * contract is in profile/read.h.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "profile/read.h"
#include "read/read_private.h"

static const char *type_name(uint8_t type)
{
	static const char *const names[] = {
		"?", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "f64", "string",
	};

	return type < sizeof(names) / sizeof(names[0]) ? names[type] : "?";
}

/* A 24-bit field in the producer's (our) byte order. */
static uint32_t load_u24(const uint8_t *p)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
#else
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | (uint32_t)p[2];
#endif
}

/* The clock after a compact header's 24 bits @low. */
static uint64_t clock_advance(uint64_t clock, uint32_t low)
{
	const uint64_t mask = (1ull << PROF_EVENT_TS_BITS) - 1;
	uint64_t next = (clock & ~mask) | low;

	return low < (clock & mask) ? next + mask + 1 : next;
}

/*
 * check_run() - the rest of a run of compact events of @id, each @size
 * bytes, from *@off, in one pass: the events' ids and the wraps of their
 * 24-bit timestamps are all it looks at, and the run's last timestamp is
 * bounded by @tend once (timestamps only grow within a run).  On success
 * *@off, *@clock and *@nevents move past the run and 0 is returned.  If
 * the run's end is out of bounds (after @tend, or the clock wrapped past
 * 2^64), nothing moves and 1 is returned: the caller then checks event by
 * event, which finds the culprit.
 */
static int check_run(const uint8_t *pkt, uint64_t content, uint32_t id, uint32_t size, uint64_t tend,
		     uint64_t *off, uint64_t *clock, uint64_t *nevents)
{
	const uint64_t mask = (1ull << PROF_EVENT_TS_BITS) - 1;
	uint64_t o = *off, n = 0, wraps = 0, ts;
	uint32_t low = (uint32_t)(*clock & mask);

	while (content - o >= size) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		uint32_t w;

		memcpy(&w, pkt + o, sizeof(w)); /* size >= PROF_EVENT_COMPACT_SIZE */
		if ((w & 0xffu) != id)
			break;
		w >>= 8;
#else
		uint32_t w;

		if (pkt[o] != id)
			break;
		w = load_u24(pkt + o + 1);
#endif
		wraps += w < low;
		low = w;
		o += size;
		n++;
	}
	if (!n)
		return 0;
	ts = (*clock & ~mask) + (wraps << PROF_EVENT_TS_BITS) + low;
	if (ts > tend || ts < *clock || wraps > (UINT64_MAX >> PROF_EVENT_TS_BITS))
		return 1;
	*off = o;
	*clock = ts;
	*nevents += n;
	return 0;
}

/*
 * decode_header() - decode (and bound) the event header at @off.
 * @clock: the stream's clock before the event; receives the event's
 *         timestamp.
 * @id: receives the event id.
 * @size: receives the header's size (4 or 12).
 *
 * Return: 0, or -EPROTO when the header does not fit before @content.
 */
static int decode_header(const uint8_t *pkt, uint64_t content, uint64_t off, uint64_t *clock,
			 uint32_t *id, uint64_t *size, struct prof_error *err)
{
	uint64_t need = pkt[off] == PROF_EVENT_EXTENDED ? PROF_EVENT_EXTENDED_SIZE : PROF_EVENT_COMPACT_SIZE;

	if (content - off < need)
		return prof_error_set(err, -EPROTO, NULL, off,
				      "%s event header truncated: %llu bytes left before content end %llu, needs %llu",
				      need == PROF_EVENT_COMPACT_SIZE ? "compact" : "extended",
				      (unsigned long long)(content - off), (unsigned long long)content,
				      (unsigned long long)need);
	if (need == PROF_EVENT_COMPACT_SIZE) {
		*id = pkt[off];
		*clock = clock_advance(*clock, load_u24(pkt + off + 1));
	} else {
		*id = load_u24(pkt + off + 1);
		memcpy(clock, pkt + off + 4, 8);
	}
	*size = need;
	return 0;
}

static uint64_t load_uint(const uint8_t *p, int size)
{
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	switch (size) {
	case 1:
		memcpy(&u8, p, 1);
		return u8;
	case 2:
		memcpy(&u16, p, 2);
		return u16;
	case 4:
		memcpy(&u32, p, 4);
		return u32;
	default:
		memcpy(&u64, p, 8);
		return u64;
	}
}

/*
 * decode_event() - decode (and bound) the event at @off.
 * @pkt: the packet copy.
 * @content: its content size in bytes, already bounded by its length.
 * @off: where the event starts, < @content.
 * @clock: the stream's clock before the event; receives its timestamp.
 * @schema: the schema.
 * @ev: filled if not NULL.
 * @next: receives the offset just past the event.
 * @err: filled on failure (offset relative to @pkt); may be NULL.
 *
 * Return: 0, or -EPROTO.
 */
static int decode_event(const uint8_t *pkt, uint64_t content, uint64_t off, uint64_t *clock,
			const struct prof_schema *schema, struct prof_decoded_event *ev,
			uint64_t *next, struct prof_error *err)
{
	const struct prof_schema_event *desc;
	uint64_t hsize = 0;
	uint32_t id = 0;
	uint16_t i;
	int rc;

	rc = decode_header(pkt, content, off, clock, &id, &hsize, err);
	if (rc)
		return rc;
	if (id >= schema->count)
		return prof_error_set(err, -EPROTO, NULL, off,
				      "event id %u unknown (schema has %u events)", id, schema->count);
	desc = &schema->events[id];
	/* A record that failed its check is kept with an empty name. */
	if (desc->name[0] == '\0' || desc->id != id || desc->nfields > PROF_MAX_FIELDS)
		return prof_error_set(err, -EPROTO, NULL, off,
				      "event id %u has an unusable schema record", id);
	if (content - off - hsize < desc->min_size)
		return prof_error_set(err, -EPROTO, NULL, off + hsize,
				      "event %s payload truncated: %llu bytes left, needs at least %u",
				      desc->name,
				      (unsigned long long)(content - off - hsize),
				      desc->min_size);
	if (ev) {
		ev->timestamp = *clock;
		ev->id = id;
		ev->nfields = desc->nfields;
		ev->desc = desc;
	}
	off += hsize;

	for (i = 0; i < desc->nfields; i++) {
		const struct prof_schema_field *f = &desc->fields[i];
		uint64_t left = content - off;
		int size = prof__type_size(f->type);

		if (size < 0)
			return prof_error_set(err, -EPROTO, NULL, off,
					      "event %s field %u has unknown type %u", desc->name, i, f->type);
		if (size == 0) {
			uint64_t lim = (uint64_t)f->bound + 1;
			const uint8_t *nul = memchr(pkt + off, 0, left < lim ? left : lim);

			if (!nul && left < lim)
				return prof_error_set(err, -EPROTO, NULL, off,
						      "event %s field %s: string not terminated before content end %llu",
						      desc->name, f->name, (unsigned long long)content);
			if (!nul)
				return prof_error_set(err, -EPROTO, NULL, off,
						      "event %s field %s: string longer than its bound %u",
						      desc->name, f->name, f->bound);
			if (ev) {
				ev->values[i].type = f->type;
				ev->values[i].v.str.ptr = (const char *)(pkt + off);
				ev->values[i].v.str.len = (uint32_t)(nul - (pkt + off));
			}
			off += (uint64_t)(nul - (pkt + off)) + 1;
			continue;
		}
		if (left < (uint64_t)size)
			return prof_error_set(err, -EPROTO, NULL, off,
					      "event %s field %s (%s) truncated: %llu bytes left",
					      desc->name, f->name, type_name(f->type), (unsigned long long)left);
		if (ev) {
			uint64_t u = load_uint(pkt + off, size);

			ev->values[i].type = f->type;
			switch (f->type) {
			case PROF_TYPE_S8:
				ev->values[i].v.s = (int8_t)u;
				break;
			case PROF_TYPE_S16:
				ev->values[i].v.s = (int16_t)u;
				break;
			case PROF_TYPE_S32:
				ev->values[i].v.s = (int32_t)u;
				break;
			case PROF_TYPE_S64:
				ev->values[i].v.s = (int64_t)u;
				break;
			case PROF_TYPE_F64:
				memcpy(&ev->values[i].v.f, &u, 8);
				break;
			default:
				ev->values[i].v.u = u;
				break;
			}
		}
		off += (uint64_t)size;
	}
	*next = off;
	return 0;
}

PROF_EXPORT int prof_packet_check(const uint8_t *pkt, size_t len, const struct prof_schema *schema,
				  const uint8_t *uuid, struct prof_packet_info *info,
				  struct prof_error *err)
{
	struct prof_packet_header h;
	uint64_t content, off, prev, tend, nevents = 0, first = 0, last = 0;
	/* No run yet: no compact id equals run_id. */
	uint32_t run_id = UINT32_MAX, run_size = UINT32_MAX;
	int rc, careful = 0;

	if (!pkt || !schema || (schema->count && !schema->events))
		return prof_error_set(err, -EINVAL, NULL, UINT64_MAX, "packet check: NULL argument");
	if (len < PROF_PACKET_HEADER_SIZE)
		return prof_error_set(err, -EINVAL, NULL, 0,
				      "packet of %zu bytes is shorter than its %u-byte header",
				      len, PROF_PACKET_HEADER_SIZE);
	memcpy(&h, pkt, sizeof(h));
	if (h.magic != PROF_CTF_MAGIC)
		return prof_error_set(err, -EINVAL, NULL, offsetof(struct prof_packet_header, magic),
				      "magic 0x%08x, expected 0x%08x", h.magic, PROF_CTF_MAGIC);
	if (uuid && memcmp(h.uuid, uuid, sizeof(h.uuid)) != 0)
		return prof_error_set(err, -EINVAL, NULL, offsetof(struct prof_packet_header, uuid),
				      "uuid differs from the trace's");
	if (h.stream_id != 0)
		return prof_error_set(err, -EINVAL, NULL, offsetof(struct prof_packet_header, stream_id),
				      "stream_id %u, expected 0", h.stream_id);
	if (h.packet_size % 8 != 0 || h.packet_size / 8 > len)
		return prof_error_set(err, -EINVAL, NULL, offsetof(struct prof_packet_header, packet_size),
				      "packet_size %llu bits: not a whole number of bytes within the %zu available",
				      (unsigned long long)h.packet_size, len);
	if (h.content_size % 8 != 0)
		return prof_error_set(err, -EINVAL, NULL, offsetof(struct prof_packet_header, content_size),
				      "content_size %llu bits is not a multiple of 8",
				      (unsigned long long)h.content_size);
	if (h.content_size < 8ull * PROF_PACKET_HEADER_SIZE || h.content_size > h.packet_size)
		return prof_error_set(err, -EINVAL, NULL, offsetof(struct prof_packet_header, content_size),
				      "content_size %llu bits outside [%u, packet_size %llu]",
				      (unsigned long long)h.content_size, 8u * PROF_PACKET_HEADER_SIZE,
				      (unsigned long long)h.packet_size);
	if (h.timestamp_end != 0 && h.timestamp_end < h.timestamp_begin)
		return prof_error_set(err, -EINVAL, NULL, offsetof(struct prof_packet_header, timestamp_end),
				      "timestamp_end %llu is before timestamp_begin %llu",
				      (unsigned long long)h.timestamp_end, (unsigned long long)h.timestamp_begin);

	content = h.content_size / 8;
	prev = h.timestamp_begin;
	tend = h.timestamp_end ? h.timestamp_end : UINT64_MAX;
	off = PROF_PACKET_HEADER_SIZE;
	for (;;) {
		struct prof_decoded_event ev;
		uint64_t next = off, clock;

		/* Fast path: runs of compact events with no string field.
		 * Such an event has one size, known from its (validated)
		 * schema record, so bounding it needs no decode.  The first
		 * thing that is not plainly right (an extended header, another
		 * kind of event, an unknown or unusable id, a size or a
		 * timestamp out of bounds) leaves the loop for the full decode
		 * below, which says what is wrong. */
		while (content - off >= PROF_EVENT_COMPACT_SIZE) {
			uint64_t ts;
			uint32_t id = pkt[off];

			/* The same event as the last one (the usual case): its
			 * size is known without a load, so the next offset does
			 * not wait for this one's schema record. */
			if (id != run_id) {
				const struct prof_schema_event *d;

				if (id >= schema->count || id == PROF_EVENT_EXTENDED)
					break;
				d = &schema->events[id];
				if (d->min_size != d->max_size || d->name[0] == '\0')
					break;
				run_id = id;
				run_size = PROF_EVENT_COMPACT_SIZE + d->min_size;
			}
			if (content - off < run_size)
				break;
			ts = clock_advance(prev, load_u24(pkt + off + 1));
			/* ts <= tend (ts >= prev by construction). */
			if (ts > tend)
				break;
			if (!nevents)
				first = ts;
			prev = ts;
			off += run_size;
			nevents++;
			if (!careful)
				careful = check_run(pkt, content, run_id, run_size, tend, &off, &prev, &nevents);
		}
		if (off >= content)
			break;

		clock = prev;
		rc = decode_event(pkt, content, off, &clock, schema, &ev, &next, err);
		if (rc)
			return rc;
		if (ev.timestamp < prev)
			return prof_error_set(err, -EPROTO, NULL, off,
					      "event timestamp %llu is before %s %llu",
					      (unsigned long long)ev.timestamp,
					      nevents ? "the previous event's" : "timestamp_begin",
					      (unsigned long long)prev);
		if (ev.timestamp > tend)
			return prof_error_set(err, -EPROTO, NULL, off,
					      "event timestamp %llu is after timestamp_end %llu",
					      (unsigned long long)ev.timestamp,
					      (unsigned long long)h.timestamp_end);
		if (!nevents)
			first = ev.timestamp;
		prev = ev.timestamp;
		nevents++;
		off = next;
	}
	/* Events are in timestamp order: the first one's and the last. */
	if (nevents)
		last = prev;

	if (info) {
		info->hdr = h;
		info->content_bytes = content;
		info->nevents = nevents;
		info->first_timestamp = first;
		info->last_timestamp = last;
	}
	return 0;
}

PROF_EXPORT void prof_packet_cursor_init(struct prof_packet_cursor *c, const uint8_t *pkt,
					 const struct prof_packet_info *info,
					 const struct prof_schema *schema)
{
	memset(c, 0, sizeof(*c));
	c->pkt = pkt;
	c->schema = schema;
	c->content_bytes = info->content_bytes;
	c->offset = PROF_PACKET_HEADER_SIZE;
	c->stream = (uint32_t)info->hdr.stream_instance_id;
	c->tid = info->hdr.tid;
	c->seq = info->hdr.packet_seq_num;
	c->discarded = info->hdr.events_discarded;
	c->clock = info->hdr.timestamp_begin;
	/* A header-only (or nonsense) content size yields no events. */
	if (c->content_bytes < PROF_PACKET_HEADER_SIZE)
		c->content_bytes = PROF_PACKET_HEADER_SIZE;
}

PROF_EXPORT int prof_packet_next(struct prof_packet_cursor *c, struct prof_decoded_event *ev)
{
	uint64_t next, clock;

	if (!c || !ev || !c->pkt || !c->schema)
		return -EPROTO;
	if (c->offset >= c->content_bytes)
		return 0;
	if (c->schema->count && !c->schema->events)
		return -EPROTO;
	next = c->offset;
	clock = c->clock;
	if (decode_event(c->pkt, c->content_bytes, c->offset, &clock, c->schema, ev, &next, NULL))
		return -EPROTO;
	c->clock = clock;
	ev->stream = c->stream;
	ev->tid = c->tid;
	ev->packet_seq = c->seq;
	ev->packet_discarded = c->discarded;
	ev->trace = 0;
	c->offset = next;
	return 1;
}
