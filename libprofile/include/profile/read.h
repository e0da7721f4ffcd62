/* SPDX-License-Identifier: MIT */
/*
 * profile/read.h - the one decoder of mprof regions, packets and traces.
 *
 * Everything that consumes mprof data (mprof record, stats, compare, the
 * viewer, the Xen collector) goes through these functions.  Region and
 * file content is hostile: every section is copied out before it is
 * validated, every length, id, offset and sequence number is bounded, and
 * nothing read from a region is ever used as a pointer.
 */
#ifndef PROFILE_READ_H
#define PROFILE_READ_H

#include <stddef.h>
#include <stdint.h>

#include "profile/error.h"
#include "profile/export.h"
#include "profile/format.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Schema ---- */

struct prof_schema_event {
	char name[PROF_NAME_MAX];
	uint32_t id;
	uint16_t kind;    /* enum prof_event_kind */
	uint16_t nfields;
	struct prof_schema_field fields[PROF_MAX_FIELDS];
	uint32_t min_size;/* payload bytes with every string empty */
	uint32_t max_size;/* payload bytes with every string at its bound */
};

/*
 * A schema record that failed prof_schema_record_check() is kept in its
 * place as a hole: an empty name and no fields.  Its id has no event, so
 * packets that use it fail validation (and are counted invalid); see
 * prof_region_reader_schema_problems() for what the record was.
 */
struct prof_schema {
	uint32_t count;                   /* events[0..count) valid; id == index */
	struct prof_schema_event *events; /* owned by whoever filled it */
};

/**
 * prof_schema_record_check() - validate one schema record (a copy).
 * @rec: the record, already copied out of the region.
 * @index: the index it was read at (its id must equal it).
 * @out: filled with the decoded event (min_size, max_size set) on success;
 *       untouched on failure.
 * @err: filled on failure, naming the event (printable) and the field at
 *       fault, with the offset of the bad member in @rec; may be NULL.
 *
 * Validity is libprofile's one event check (the registry and the CTF
 * metadata writer and parser apply the same): a non-empty name of at most
 * 63 bytes, a known kind, at most PROF_MAX_FIELDS fields, each named by a
 * unique C identifier of at most 27 bytes, with a known type and, for a
 * string, a bound of 1 to PROF_MAX_STRING_BOUND.
 *
 * Return: 0; -EINVAL for a NULL @rec or @out, an id other than @index, or
 * an invalid record; -ECANCELED for a PROF_KIND_REFUSED record whose id is
 * right: the producer's report of a definition it refused (the message
 * names it and says why).
 */
PROF_EXPORT int prof_schema_record_check(const struct prof_schema_record *rec, uint32_t index,
					 struct prof_schema_event *out, struct prof_error *err);

/**
 * prof_schema_event_check() - the same check on a decoded event (from a
 * trace's metadata, say).
 * @ev: the event.
 * @err: filled on failure, naming the event and field; may be NULL.
 *
 * Return: 0, or -EINVAL (also for a NULL @ev).
 */
PROF_EXPORT int prof_schema_event_check(const struct prof_schema_event *ev, struct prof_error *err);

/**
 * prof_schema_event_sizes() - set @ev's min_size and max_size from its
 * fields (every string empty, every string at its bound).
 * @ev: an event whose fields are valid.
 */
PROF_EXPORT void prof_schema_event_sizes(struct prof_schema_event *ev);

/* ---- Packets ---- */

struct prof_value {
	uint8_t type;                 /* enum prof_field_type */
	union {
		uint64_t u;
		int64_t s;
		double f;
		struct {
			const char *ptr;      /* into the packet buffer, NUL-terminated */
			uint32_t len;         /* without the NUL */
		} str;
	} v;
};

struct prof_decoded_event {
	uint64_t timestamp;
	uint32_t id;
	uint32_t stream;              /* stream_instance_id */
	uint32_t tid;
	uint32_t trace;               /* which trace of a directory of traces
	                               * (prof_trace_get_part_desc()); 0 otherwise */
	uint16_t nfields;
	const struct prof_schema_event *desc;
	struct prof_value values[PROF_MAX_FIELDS];
	/* The packet it came from: its packet_seq_num and its (cumulative)
	 * events_discarded, so a consumer sees where its stream lost events
	 * (the shared analysis never pairs spans across such a gap). */
	uint64_t packet_seq;
	uint64_t packet_discarded;
};

struct prof_packet_info {
	struct prof_packet_header hdr; /* copied, validated */
	uint64_t content_bytes;
	uint64_t nevents;
	uint64_t first_timestamp;      /* 0 if no events */
	uint64_t last_timestamp;       /* 0 if no events */
};

/**
 * prof_packet_check() - validate a packet copy completely.
 * @pkt: the packet bytes (a private copy the caller owns).
 * @len: bytes available at @pkt.
 * @schema: the event schema.
 * @uuid: the trace UUID the packet must carry, or NULL to skip.
 * @info: filled on success; may be NULL.
 * @err: filled on failure (offset relative to @pkt, or UINT64_MAX for a
 *       NULL argument); may be NULL.
 *
 * The header: @len covers it, magic, UUID (unless @uuid is NULL),
 * stream_id 0, packet_size a whole number of bytes within @len,
 * content_size a whole number of bytes in [header size, packet_size],
 * timestamp_end 0 or not before timestamp_begin.  Then every event up to
 * content_size: its id names a usable event of @schema (not a hole left by
 * a skipped schema record), each field fits the content, each string ends
 * within its bound, and timestamps never go backwards and lie in
 * [timestamp_begin, timestamp_end] (no upper limit while timestamp_end is
 * 0).  It does not check stream_instance_id or packet_seq_num: their
 * expected values are the caller's (the region reader and the trace reader
 * check both).
 *
 * Return: 0; -EINVAL for a NULL @pkt or @schema, a schema with a count but
 * no events, or a bad header; -EPROTO for a bad event.
 */
PROF_EXPORT int prof_packet_check(const uint8_t *pkt, size_t len, const struct prof_schema *schema,
				  const uint8_t *uuid, struct prof_packet_info *info,
				  struct prof_error *err);

struct prof_packet_cursor {
	const uint8_t *pkt;
	uint64_t content_bytes;
	uint64_t offset;
	uint32_t stream;
	uint32_t tid;
	const struct prof_schema *schema;
	uint64_t seq;       /* the packet's packet_seq_num */
	uint64_t discarded; /* the packet's events_discarded */
	uint64_t clock;     /* the stream's clock: the last event's timestamp */
};

/**
 * prof_packet_cursor_init() - iterate the events of a checked packet.
 * @c: the cursor.
 * @pkt: a packet that passed prof_packet_check().
 * @info: its info, as prof_packet_check() filled it: the cursor trusts its
 *        content_bytes as the packet's bound (a value below the header
 *        size yields no events).
 * @schema: the schema it was checked against.
 *
 * The events it yields carry the packet's stream_instance_id, tid,
 * packet_seq_num and events_discarded.
 */
PROF_EXPORT void prof_packet_cursor_init(struct prof_packet_cursor *c, const uint8_t *pkt,
					 const struct prof_packet_info *info,
					 const struct prof_schema *schema);

/**
 * prof_packet_next() - decode the next event.
 * @c: the cursor.
 * @ev: filled with the event (strings point into the packet; ev->trace is
 *      0).
 *
 * On a packet that prof_packet_check() did not accept, every read is still
 * bounded by the content size the cursor was given, but timestamps are not
 * checked.
 *
 * Return: 1 if @ev was filled, 0 at the end, -EPROTO if @c, @ev or the
 * cursor's packet or schema is NULL, or if the event does not fit the
 * content or the schema (the cursor stays there: every later call returns
 * -EPROTO again).
 */
PROF_EXPORT int prof_packet_next(struct prof_packet_cursor *c, struct prof_decoded_event *ev);

/* ---- Draining a live region ---- */

/*
 * Region-level loss counts: what is lost outside any stream's
 * events_discarded.  The region header carries the producer's; a reader
 * adds its own (schema records it could not use).  A trace directory
 * carries them in its metadata's env (see profile/ctf.h), so every report
 * shows them.
 */
struct prof_region_counts {
	uint64_t dropped_no_slot;   /* events: their thread found no free stream slot */
	uint64_t refused_events;    /* event types: more than the region's max_events */
	uint64_t refused_invalid;   /* event definitions the producer refused as invalid */
	uint64_t schema_errors;     /* schema records a reader could not use (skipped) */
	uint64_t strings_truncated; /* string values cut at their bound (not a loss of events) */
};

struct prof_drain_stats {
	uint64_t packets;             /* packets delivered to the sink */
	uint64_t bytes;               /* their content bytes */
	uint64_t events;              /* their events */
	uint64_t partial_packets;     /* of which scraped open packets */
	uint64_t invalid_packets;     /* failed validation, dropped; also each corrupt
	                               * head or tail seen (counted once per value) */
	uint64_t torn_packets;        /* overwrite mode: changed under the copy */
	uint64_t overwritten_packets; /* overwrite mode: reused before read */
	uint64_t events_discarded;    /* sum over streams of the last count */
	uint64_t dropped_no_slot;     /* from the region header */
	uint64_t schema_errors;       /* schema records that failed checks, and each
	                               * schema_count beyond max_events seen */
};

/*
 * The sink gets each packet, normalised: a private copy whose
 * packet_size == content_size == 8 * len and whose timestamp_end is set
 * (for a scraped open packet, to its last event's timestamp).  It returns
 * 0, or a negative errno, which stops the drain and is returned by it; the
 * refused packet is not taken and is offered again next time (in overwrite
 * mode, if the producer has not reused its slot by then).  A positive
 * return stops the drain too, but the caller cannot tell it from a count
 * of packets: return a negative errno.
 */
typedef int (*prof_packet_sink_fn)(void *arg, uint32_t stream, const uint8_t *pkt, size_t len,
				   const struct prof_packet_info *info);

struct prof_region_reader;

/**
 * prof_region_reader_open() - start reading a region (hostile memory).
 * @out: receives the reader (NULL on failure).
 * @mem: the mapped region, 8-byte aligned; only its consumer pages are
 *       written.
 * @size: the mapping's size.
 * @name: a name for messages (file, "domain 3"...); NULL for "region".
 * @err: filled on failure; may be NULL.
 *
 * Copies the header once and validates the copy: magic, byte order,
 * version, header, page and schema record sizes, mode, geometry, and every
 * offset and region_size against prof_region_layout() of its geometry,
 * region_size within @size.  From then on only that copy gives sizes and
 * offsets.  Each stream's position starts at the tail a previous reader
 * left (clamped to head; a tail ahead of head is counted as an invalid
 * packet), and the schema published so far is copied.
 *
 * Return: 0; -EINVAL for a NULL @out or @mem, a misaligned @mem, a @size
 * smaller than the header, or a bad header (including a version other than
 * PROF_REGION_VERSION; @err names the field and its offset); -ENOTSUP for a
 * region written in the other byte order; -ENOMEM.
 */
PROF_EXPORT int prof_region_reader_open(struct prof_region_reader **out, void *mem, uint64_t size,
					const char *name, struct prof_error *err);

/**
 * prof_region_reader_header() - the validated copy of the header.
 * @r: the reader.
 *
 * Its geometry never changes; its live words (schema_count and the loss
 * counts) are as they were at open: see prof_region_reader_counts().
 *
 * Return: the copy (owned by @r), or NULL if @r is NULL.
 */
PROF_EXPORT const struct prof_region_header *prof_region_reader_header(const struct prof_region_reader *r);

/**
 * prof_region_reader_schema() - refresh and return the schema.
 * @r: the reader.
 *
 * Copies and checks the records published since the last refresh.  A
 * record that fails its check is kept as a hole (empty name, no fields;
 * counted in schema_errors, unless it is the producer's own report of a
 * refused definition): packets that use its id are invalid.  Out of
 * memory, the schema stays as it was (the next call tries again).
 *
 * Return: the schema (owned by @r, valid until the next call of any
 * prof_region_reader_*() function but the accessors), or NULL if @r is
 * NULL.
 */
PROF_EXPORT const struct prof_schema *prof_region_reader_schema(struct prof_region_reader *r);

/**
 * prof_region_reader_drain() - deliver every complete packet not yet taken.
 * @r: the reader.
 * @sink: receives packets in sequence order per stream.
 * @arg: passed to @sink.
 *
 * Streams are visited in slot order, each stream's packets in sequence
 * order.  Discard mode: release-stores each stream's tail after each
 * packet is taken.  Overwrite mode: copies, re-checks head, counts torn and
 * overwritten packets.  A complete packet that fails validation is counted
 * (invalid_packets) and taken all the same; a corrupt head is counted once
 * per value seen.  A packet naming an id the reader does not know yet makes
 * it refresh the schema once before calling the packet invalid.  Refreshes
 * the region-level counts (prof_region_reader_counts()), also when the
 * sink stopped it.
 *
 * Return: the number of packets delivered (at most INT_MAX), -EINVAL if @r
 * or @sink is NULL, -ENOMEM (the schema could not grow: the packets that
 * need it are left for the next call), or the sink's non-zero return (the
 * packet it refused is not taken).
 */
PROF_EXPORT int prof_region_reader_drain(struct prof_region_reader *r, prof_packet_sink_fn sink, void *arg);

/**
 * struct prof_packet_store - where prof_region_reader_drain_into() puts
 * packets: a sink that holds its own copy of each (a file's page cache,
 * say), so that a packet is copied out of the region once, into the
 * store, and the reader validates and normalises the store's copy in
 * place instead of a copy of its own.
 * @put: copy the @len bytes at @src (packet bytes in the shared region,
 *       which may change under the copy) as the next packet of @stream,
 *       and set *@copy to the store's copy: writable, changed by nobody
 *       but the reader until the next call, and holding exactly what was
 *       copied.  Returns 0, or a negative errno (the drain stops and
 *       returns it; the packet is not taken; nothing of it stays put).
 * @keep: keep the packet last put, now its first @len bytes (at most what
 *       was put: normalisation may shorten it; @info is its check's
 *       result), as prof_packet_sink_fn describes a delivered packet.  Returns 0, or a negative errno (the
 *       drain stops and returns it, then calls @drop: not taken).
 * @drop: forget the packet last put (it failed validation, was torn,
 *       added nothing to a peek, or was not kept); does nothing if none is
 *       put.
 */
struct prof_packet_store {
	int (*put)(void *arg, uint32_t stream, const uint8_t *src, size_t len, uint8_t **copy);
	int (*keep)(void *arg, uint32_t stream, size_t len, const struct prof_packet_info *info);
	void (*drop)(void *arg, uint32_t stream);
};

/**
 * prof_region_reader_drain_into() - prof_region_reader_drain() into a
 * store: each complete packet is copied once, by @store, and its copy
 * validated there (for a file, the kernel's copy into the page cache is
 * the only copy).
 * @r: the reader.
 * @store: the store; all three functions are required.
 * @arg: passed to them.
 *
 * Everything else is as prof_region_reader_drain(): the same checks on
 * the store's copy, counts, order and tails; an invalid, torn or refused
 * packet is dropped from the store.  @store->put copies the content the
 * packet's header claims (its content_size, bounded by the packet size);
 * a claim that changes under the copy makes the copy invalid.
 *
 * Return: as prof_region_reader_drain(); -EINVAL also for a NULL @store or
 * a missing function.
 */
PROF_EXPORT int prof_region_reader_drain_into(struct prof_region_reader *r, const struct prof_packet_store *store,
					      void *arg);

/**
 * prof_region_reader_scrape() - deliver the complete packets, then each
 * stream's open packet up to its published content size (the final read,
 * after the producer stopped or died).
 * @r: the reader.
 * @sink: receives packets.
 * @arg: passed to @sink.
 *
 * An open packet is delivered only once every complete packet before it
 * was taken.  A delivered open packet counts as taken (partial_packets):
 * events the producer adds to it afterwards are not read, so scrape is
 * final.  An open packet that fails validation is counted once and left in
 * place (a live producer may still be writing its header); in overwrite
 * mode one reused under the copy is counted torn and taken.
 *
 * Return: as prof_region_reader_drain(), open packets included in the
 * count.
 */
PROF_EXPORT int prof_region_reader_scrape(struct prof_region_reader *r, prof_packet_sink_fn sink, void *arg);

/**
 * prof_region_reader_peek() - for live views: deliver the complete packets,
 * then the events each open packet completed since the last call, without
 * taking the open packets.
 * @r: the reader.
 * @sink: receives packets.
 * @arg: passed to @sink.
 *
 * Each event is delivered once: a packet first delivered in part is later
 * delivered without the events already seen, as a packet of its own with
 * the same header (so pieces of one packet share its packet_seq_num: do
 * not feed a CTF trace writer as they are).  How much of the open packet
 * was delivered is recorded in the stream's consumer position, so a later
 * reader of the region (a restarted collector) delivers only the rest.
 *
 * Return: as prof_region_reader_drain(), counting packets or pieces.
 */
PROF_EXPORT int prof_region_reader_peek(struct prof_region_reader *r, prof_packet_sink_fn sink, void *arg);

/**
 * prof_region_reader_counts() - the region-level loss counts, as of the
 * last open, drain, scrape or peek (schema_errors: as of the last schema
 * refresh).
 * @r: the reader; NULL gives zeros.
 * @out: the header's dropped_no_slot, refused_events (event types beyond
 *       the region's max_events: raise `mprof record -e`), refused_invalid
 *       and strings_truncated, and the reader's own schema_errors.  May be
 *       NULL (nothing is done).
 */
PROF_EXPORT void prof_region_reader_counts(const struct prof_region_reader *r, struct prof_region_counts *out);

/* A schema record the reader could not use. */
struct prof_schema_problem {
	uint32_t id;              /* the record's index */
	int refused;              /* 1: the producer refused the definition
				   * (refused_invalid); 0: the record failed
				   * the reader's check (schema_errors) */
	char name[PROF_NAME_MAX]; /* printable copy of the record's name */
	char reason[192];         /* what was wrong, naming the field */
};

/**
 * prof_region_reader_schema_problems() - list the unusable schema records.
 * @r: the reader; NULL gives none.
 * @out: filled with up to @max entries, in id order; may be NULL.
 * @max: its capacity.
 *
 * Out of memory while a problem was noted loses only its entry here: the
 * counts stay exact.
 *
 * Return: the number of unusable records remembered (may exceed @max).
 */
PROF_EXPORT size_t prof_region_reader_schema_problems(const struct prof_region_reader *r,
						      struct prof_schema_problem *out, size_t max);

/**
 * prof_region_reader_stats() - what the reader has seen so far.
 * @r: the reader; NULL gives zeros.
 * @out: filled in; may be NULL (nothing is done).
 *
 * A copy of the counts as of the last open, drain, scrape or peek
 * (dropped_no_slot included); events_discarded sums each stream's count
 * from the last packet delivered.  It does not touch the region, so it may
 * be called after the region was unmapped.
 */
PROF_EXPORT void prof_region_reader_stats(const struct prof_region_reader *r, struct prof_drain_stats *out);

/**
 * prof_region_reader_memory() - the heap bytes the reader holds (its
 * packet copy, stream positions, schema and schema problems), for a
 * consumer that bounds its memory per region.
 * @r: the reader; NULL gives 0.
 *
 * Return: the bytes; at most a fixed size plus stream_slots stream
 * positions, one packet and max_events schema entries and problems.
 */
PROF_EXPORT size_t prof_region_reader_memory(const struct prof_region_reader *r);

/**
 * prof_region_reader_start() - where the reader began a stream: the
 * packet sequence number a previous reader of the region stopped at (its
 * consumer position, clamped to the stream's head), 0 for the first
 * reader.  A consumer that writes a trace of its own from there (a
 * restarted collector) numbers its packets from it, so that the packets a
 * previous reader took are not counted as lost; packets skipped or
 * overwritten after it are.
 * @r: the reader; NULL gives 0.
 * @stream: a stream slot; one out of range gives 0.
 *
 * Return: the sequence number.
 */
PROF_EXPORT uint64_t prof_region_reader_start(const struct prof_region_reader *r, uint32_t stream);

/**
 * prof_region_reader_close() - free the reader (the region is untouched).
 * @r: the reader, may be NULL.
 */
PROF_EXPORT void prof_region_reader_close(struct prof_region_reader *r);

#ifdef __cplusplus
}
#endif
#endif
