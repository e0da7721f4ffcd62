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
 * @out: filled with the decoded event (min_size, max_size set) on success.
 * @err: filled on failure, naming the event (printable) and the field at
 *       fault, with the offset of the bad member in @rec; may be NULL.
 *
 * Validity is libprofile's one event check (the registry and the CTF
 * metadata writer and parser apply the same): a non-empty name of at most
 * 63 bytes, a known kind, at most PROF_MAX_FIELDS fields, each named by a
 * unique C identifier of at most 27 bytes, with a known type and, for a
 * string, a bound of 1 to PROF_MAX_STRING_BOUND.
 *
 * Return: 0, -EINVAL (an invalid record), or -ECANCELED for a
 * PROF_KIND_REFUSED record: the producer's report of a definition it
 * refused (the message names it and says why).
 */
PROF_EXPORT int prof_schema_record_check(const struct prof_schema_record *rec, uint32_t index,
					 struct prof_schema_event *out, struct prof_error *err);

/**
 * prof_schema_event_check() - the same check on a decoded event (from a
 * trace's metadata, say).
 * @ev: the event.
 * @err: filled on failure, naming the event and field; may be NULL.
 *
 * Return: 0 or -EINVAL.
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
 * @info: filled on success.
 * @err: filled on failure (offset relative to @pkt); may be NULL.
 *
 * Checks magic, UUID, stream class, content_size <= packet_size <= 8*len,
 * content_size >= header, byte multiples; walks every event: the id is in
 * the schema, each field fits the content, strings end within their bound,
 * timestamps never go backwards and lie in [timestamp_begin, timestamp_end]
 * when timestamp_end is non-zero.
 *
 * Return: 0 or -EINVAL (or -EPROTO for a bad event).
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
 * @info: its info.
 * @schema: the schema it was checked against.
 */
PROF_EXPORT void prof_packet_cursor_init(struct prof_packet_cursor *c, const uint8_t *pkt,
					 const struct prof_packet_info *info,
					 const struct prof_schema *schema);

/**
 * prof_packet_next() - decode the next event.
 * @c: the cursor.
 * @ev: filled with the event (strings point into the packet).
 *
 * Return: 1 if @ev was filled, 0 at the end, -EPROTO if the packet was not
 * checked (bounds are still enforced).
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
	uint64_t invalid_packets;     /* failed validation; dropped */
	uint64_t torn_packets;        /* overwrite mode: changed under the copy */
	uint64_t overwritten_packets; /* overwrite mode: reused before read */
	uint64_t events_discarded;    /* sum over streams of the last count */
	uint64_t dropped_no_slot;     /* from the region header */
	uint64_t schema_errors;       /* schema records that failed checks */
};

/*
 * The sink gets each packet, normalised: a private copy whose
 * packet_size == content_size == 8 * len and whose timestamp_end is set.
 * It returns 0, or a negative errno, which stops the drain and is returned
 * by it; the refused packet is not taken and is offered again next time.
 */
typedef int (*prof_packet_sink_fn)(void *arg, uint32_t stream, const uint8_t *pkt, size_t len,
				   const struct prof_packet_info *info);

struct prof_region_reader;

/**
 * prof_region_reader_open() - start reading a region (hostile memory).
 * @out: receives the reader.
 * @mem: the mapped region, 8-byte aligned; only its consumer pages are
 *       written.
 * @size: the mapping's size.
 * @name: a name for messages (file, "domain 3"...).
 * @err: filled on failure; may be NULL.
 *
 * Return: 0, -EINVAL (bad header: @err says which field), -ENOTSUP (a
 * byte order or version this reader does not read), -ENOMEM.
 */
PROF_EXPORT int prof_region_reader_open(struct prof_region_reader **out, void *mem, uint64_t size,
					const char *name, struct prof_error *err);

/** prof_region_reader_header() - the validated copy of the header. */
PROF_EXPORT const struct prof_region_header *prof_region_reader_header(const struct prof_region_reader *r);

/**
 * prof_region_reader_schema() - refresh and return the schema.
 * @r: the reader.
 *
 * Return: the schema (owned by @r, valid until the next call).
 */
PROF_EXPORT const struct prof_schema *prof_region_reader_schema(struct prof_region_reader *r);

/**
 * prof_region_reader_drain() - deliver every complete packet not yet taken.
 * @r: the reader.
 * @sink: receives packets in sequence order per stream.
 * @arg: passed to @sink.
 *
 * Discard mode: release-stores each stream's tail after its packets are
 * delivered.  Overwrite mode: copies, re-checks, counts torn and
 * overwritten packets.
 *
 * Return: packets delivered, or the sink's non-zero return, or a negative
 * errno.
 */
PROF_EXPORT int prof_region_reader_drain(struct prof_region_reader *r, prof_packet_sink_fn sink, void *arg);

/**
 * prof_region_reader_scrape() - deliver each stream's open packet, up to
 * its published content size (the final read, after the producer stopped
 * or died).  A scraped packet counts as taken: scrape is final.
 * @r: the reader.
 * @sink: receives packets.
 * @arg: passed to @sink.
 *
 * Return: packets delivered, or a negative errno.
 */
PROF_EXPORT int prof_region_reader_scrape(struct prof_region_reader *r, prof_packet_sink_fn sink, void *arg);

/**
 * prof_region_reader_peek() - for live views: deliver the complete packets,
 * then the events each open packet completed since the last call, without
 * taking the open packets.  Each event is delivered once (pieces of one
 * packet share its packet_seq_num: do not feed a CTF trace writer).
 * @r: the reader.
 * @sink: receives packets.
 * @arg: passed to @sink.
 *
 * Return: packets or pieces delivered, or a negative errno.
 */
PROF_EXPORT int prof_region_reader_peek(struct prof_region_reader *r, prof_packet_sink_fn sink, void *arg);

/**
 * prof_region_reader_counts() - the region-level loss counts, as of the
 * last open, drain, scrape or peek.
 * @r: the reader.
 * @out: the header's dropped_no_slot, refused_events (event types beyond
 *       the region's max_events: raise `mprof record -e`), refused_invalid
 *       and strings_truncated, and the reader's own schema_errors.
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
 * @r: the reader.
 * @out: filled with up to @max entries, in id order; may be NULL.
 * @max: its capacity.
 *
 * Return: the number of unusable records (may exceed @max).
 */
PROF_EXPORT size_t prof_region_reader_schema_problems(const struct prof_region_reader *r,
						      struct prof_schema_problem *out, size_t max);

/** prof_region_reader_stats() - what the reader has seen so far (a copy
 * made at the last open, drain or scrape; valid after the region is gone). */
PROF_EXPORT void prof_region_reader_stats(const struct prof_region_reader *r, struct prof_drain_stats *out);

/** prof_region_reader_close() - free the reader (the region is untouched). */
PROF_EXPORT void prof_region_reader_close(struct prof_region_reader *r);

#ifdef __cplusplus
}
#endif
#endif
