/* SPDX-License-Identifier: MIT */
/*
 * profile/format.h - the on-memory layout of an mprof region, version 2.
 *
 * A region is one contiguous, page-aligned block shared by the producers
 * (instrumented threads) and one consumer (the collector).  It describes
 * itself: a collector needs nothing but the region's bytes.
 *
 *   offset 0            +------------------------------------------+
 *                       | header page: magic, version, geometry,   |  producer-written
 *                       | mode, trace UUID, clock description,     |  (creator, then
 *                       | schema_count, region-wide drop counters  |   schema_count)
 *   schema_offset       +------------------------------------------+
 *                       | schema: max_events fixed-size records    |  producer-written,
 *                       | (struct prof_schema_record), append-only |  append-only
 *   slots_offset        +------------------------------------------+
 *                       | stream slots: one struct prof_slot per   |  producer-written
 *                       | stream (owner, head)                     |
 *   consumer_offset     +------------------------------------------+
 *                       | consumer positions: one cache line per   |  the ONLY part a
 *                       | stream (tail), on pages of their own     |  collector writes
 *   rings_offset        +------------------------------------------+
 *                       | stream 0: packets_per_stream packets of  |  producer-written
 *                       | packet_size bytes, each a CTF 1.8 packet |
 *                       | stream 1: ...                            |
 *   region_size         +------------------------------------------+
 *
 * Every section starts on a page boundary, so every page but the consumer
 * pages can be shared read-only with a collector (a dom0 mapping grants).
 *
 * Positions.  For stream s, head counts the packets the producer has opened
 * (the open packet has sequence number head - 1 and lives at ring index
 * (head - 1) % packets_per_stream); tail counts the packets the consumer
 * has taken.  Packets with sequence numbers in [tail, head - 1) are
 * complete.  In discard mode the producer opens packet n only when
 * n - tail < packets_per_stream; in overwrite mode it always opens it, and
 * the consumer detects reuse from head (see libprofile/src/read/drain.c).
 *
 * Packet layout (a complete CTF 1.8 packet; TSDL in src/ctf/metadata.c):
 *
 *   0  u32 magic 0xC1FC1FC1        32 u64 timestamp_begin
 *   4  u8  uuid[16]                40 u64 timestamp_end
 *   20 u32 stream_id (class, 0)    48 u64 content_size (bits)
 *   24 u64 stream_instance_id      56 u64 packet_size (bits)
 *                                  64 u64 events_discarded (cumulative)
 *                                  72 u64 packet_seq_num
 *                                  80 u32 tid, 84 u32 content_bytes
 *   88 events: { header; payload } packed, byte-aligned.
 *
 * Event header (version 2; version 1 had { u64 timestamp; u32 id }),
 * byte 0 first:
 *
 *   compact  (4 bytes)   [ id u8 (0..254) | timestamp: low 24 bits, u24 ]
 *   extended (12 bytes)  [ 255 u8 | id u24 | timestamp u64 ]
 *
 * A stream's clock value starts each packet at timestamp_begin and is
 * updated by every event: an extended event sets it; a compact event
 * replaces its low 24 bits, adding 2^24 when they would go backwards
 * (CTF 1.8's rule for an N-bit clock field, which babeltrace2 applies).
 * The producer writes a compact header only when the event's timestamp
 * has the same bits above the low 24 as the stream's last timestamp (the
 * packet's timestamp_begin or the previous event's), so no gap, however
 * long, is ever folded; anything else (an id above 254, a new 2^24-tick
 * epoch, a packet's first event, a clock other than the TSC) is extended.
 * See docs/REGION.md.
 *
 * While a packet is open, content_bytes counts its bytes (header
 * included) and is release-stored after every event; content_size is set
 * (in bits, as CTF wants) when the packet closes.  A reader of an open
 * packet (live, or after a crash) uses content_bytes; of a closed one,
 * content_size.  In a closed packet the two agree.
 *
 * Payload fields are packed with no padding: integers and doubles in the
 * producer's byte order (recorded in the header), strings NUL-terminated
 * and at most `bound` bytes before the NUL.
 *
 * Every multi-byte value is in the byte order named by header.byte_order
 * (the producer's).  Readers must copy a section out of the region before
 * validating it, and validate before use: see docs/REGION.md.
 */
#ifndef PROFILE_FORMAT_H
#define PROFILE_FORMAT_H

#include <stdint.h>

#define PROF_REGION_MAGIC "MPROFRG"          /* 8 bytes with the NUL */
#define PROF_REGION_VERSION 2u
#define PROF_CTF_MAGIC 0xC1FC1FC1u
#define PROF_PAGE_SIZE 4096u
#define PROF_CACHE_LINE 64u

#define PROF_BYTE_ORDER_LE 1u
#define PROF_BYTE_ORDER_BE 2u

/* Limits that bound every table a reader sizes from region content. */
#define PROF_MAX_STREAMS 4096u
#define PROF_MAX_EVENTS 65536u
#define PROF_MAX_FIELDS 14u
#define PROF_MAX_STRING_BOUND 4095u
#define PROF_NAME_MAX 64u           /* event name, NUL included */
#define PROF_FIELD_NAME_MAX 28u     /* field name, NUL included */
#define PROF_MIN_PACKET_SIZE 256u
#define PROF_MAX_PACKET_SIZE (64u << 20)

enum prof_mode {
	PROF_MODE_DISCARD = 0,   /* drop (and count) new events when full */
	PROF_MODE_OVERWRITE = 1, /* flight recorder: reuse the oldest packet */
};

enum prof_clock_source {
	PROF_CLOCK_TSC = 1,       /* invariant TSC ticks, calibrated */
	PROF_CLOCK_MONOTONIC = 2, /* CLOCK_MONOTONIC nanoseconds */
	PROF_CLOCK_PLATFORM = 3,  /* a platform's own clock, freq given */
};

enum prof_field_type {
	PROF_TYPE_U8 = 1,
	PROF_TYPE_U16 = 2,
	PROF_TYPE_U32 = 3,
	PROF_TYPE_U64 = 4,
	PROF_TYPE_S8 = 5,
	PROF_TYPE_S16 = 6,
	PROF_TYPE_S32 = 7,
	PROF_TYPE_S64 = 8,
	PROF_TYPE_F64 = 9,
	PROF_TYPE_STRING = 10, /* NUL-terminated, at most bound bytes + NUL */
};

enum prof_event_kind {
	PROF_KIND_PLAIN = 0,
	PROF_KIND_SPAN_BEGIN = 1, /* name ends in ".begin" */
	PROF_KIND_SPAN_END = 2,   /* name ends in ".end" */
	PROF_KIND_COUNTER = 3,    /* first field is the counter's value */
	PROF_KIND_INSTANT = 4,
	/* Not an event: a schema record naming a definition the producer
	 * refused as invalid (docs/REGION.md).  Its name is a printable copy,
	 * nfields is 0, reserved[0] says what was wrong and reserved[1] which
	 * field (index + 1, 0 for the event itself), whose printable name is
	 * in fields[0].name. */
	PROF_KIND_REFUSED = 255,
};

/* Clock description: what a timestamp means. */
struct prof_clock_desc {
	uint32_t source;           /* enum prof_clock_source */
	uint32_t calibrated;       /* 1 if freq_hz was measured */
	uint64_t freq_hz;          /* ticks per second */
	uint64_t ref_ticks;        /* a tick value ... */
	uint64_t ref_monotonic_ns; /* ... and CLOCK_MONOTONIC at that instant */
	uint64_t ref_realtime_ns;  /* ... and CLOCK_REALTIME at that instant */
	uint64_t calib_window_ns;  /* how long calibration measured */
	uint64_t reserved[2];
};

struct prof_region_header {
	char magic[8];              /* PROF_REGION_MAGIC */
	uint32_t version;           /* PROF_REGION_VERSION */
	uint32_t header_size;       /* sizeof(struct prof_region_header) */
	uint32_t byte_order;        /* PROF_BYTE_ORDER_* */
	uint32_t page_size;         /* PROF_PAGE_SIZE */
	uint64_t region_size;
	uint32_t mode;              /* enum prof_mode */
	uint32_t packet_size;       /* bytes, power of two */
	uint32_t packets_per_stream;
	uint32_t stream_slots;
	uint32_t max_events;
	uint32_t schema_record_size;/* sizeof(struct prof_schema_record) */
	uint64_t schema_offset;
	uint64_t slots_offset;
	uint64_t consumer_offset;
	uint64_t rings_offset;
	uint8_t uuid[16];
	struct prof_clock_desc clock;
	/* Producer-published, atomically updated after creation. */
	uint32_t schema_count;      /* records [0, schema_count) are valid */
	uint32_t reserved0;
	uint64_t dropped_no_slot;   /* events dropped: no free stream slot */
	uint64_t refused_events;    /* event types not published: schema full (max_events) */
	uint64_t refused_invalid;   /* event definitions refused as invalid */
	uint64_t strings_truncated; /* str(N) values cut at their bound */
	uint64_t reserved[5];
};

struct prof_schema_field {
	char name[PROF_FIELD_NAME_MAX];
	uint8_t type;               /* enum prof_field_type */
	uint8_t reserved;
	uint16_t bound;             /* strings: max bytes before the NUL */
};

struct prof_schema_record {
	char name[PROF_NAME_MAX];
	uint32_t id;                /* equals the record's index */
	uint16_t kind;              /* enum prof_event_kind */
	uint16_t nfields;
	uint32_t reserved[6];
	struct prof_schema_field fields[PROF_MAX_FIELDS];
};

/* Stream slot: written by the producer thread that owns the stream. */
struct prof_slot {
	uint64_t owner;             /* 0 free, else the owning thread's id */
	uint64_t head;              /* packets opened */
	uint64_t claims;            /* times the slot changed owner */
	uint64_t reserved[5];
};

/* Consumer position: the only thing a collector writes. */
struct prof_consumer_pos {
	uint64_t tail;              /* packets consumed */
	uint64_t reserved[7];
};

struct prof_packet_header {
	uint32_t magic;             /* PROF_CTF_MAGIC */
	uint8_t uuid[16];
	uint32_t stream_id;         /* CTF stream class: always 0 */
	uint64_t stream_instance_id;/* stream slot index */
	uint64_t timestamp_begin;
	uint64_t timestamp_end;
	uint64_t content_size;      /* bits, header included */
	uint64_t packet_size;       /* bits */
	uint64_t events_discarded;  /* cumulative for this stream */
	uint64_t packet_seq_num;
	uint32_t tid;
	uint32_t content_bytes;     /* live byte count (see above) */
};

/* Event header: compact or extended (see the top of this file). */
#ifdef __cplusplus
#define PROF__FORMAT_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define PROF__FORMAT_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif
#define PROF_EVENT_COMPACT_SIZE 4u   /* id u8, timestamp u24 */
#define PROF_EVENT_EXTENDED_SIZE 12u /* 255 u8, id u24, timestamp u64 */
#define PROF_EVENT_EXTENDED 255u     /* the first byte of an extended header */
#define PROF_EVENT_COMPACT_IDS 255u  /* ids 0..254 may be compact */
#define PROF_EVENT_TS_BITS 24u       /* a compact header's timestamp bits */
#define PROF_PACKET_HEADER_SIZE 88u

PROF__FORMAT_ASSERT(sizeof(struct prof_region_header) <= PROF_PAGE_SIZE, "header fits a page");
PROF__FORMAT_ASSERT(sizeof(struct prof_schema_field) == 32, "schema field layout");
PROF__FORMAT_ASSERT(sizeof(struct prof_schema_record) == 64 + 32 + 14 * 32, "schema record layout");
PROF__FORMAT_ASSERT(sizeof(struct prof_slot) == 64, "slot is one cache line");
PROF__FORMAT_ASSERT(sizeof(struct prof_consumer_pos) == PROF_CACHE_LINE, "tail on its own line");
PROF__FORMAT_ASSERT(sizeof(struct prof_packet_header) == PROF_PACKET_HEADER_SIZE, "packet header layout");
PROF__FORMAT_ASSERT(__builtin_offsetof(struct prof_packet_header, content_size) == 48, "content_size offset");
PROF__FORMAT_ASSERT(__builtin_offsetof(struct prof_packet_header, packet_seq_num) == 72, "seq offset");
PROF__FORMAT_ASSERT(__builtin_offsetof(struct prof_packet_header, content_bytes) == 84, "content_bytes offset");
PROF__FORMAT_ASSERT(PROF_MAX_PACKET_SIZE <= UINT32_MAX, "content_bytes holds any packet's size");
PROF__FORMAT_ASSERT(PROF_MAX_EVENTS <= (1u << 24), "an extended header's u24 holds any id");

#endif /* PROFILE_FORMAT_H */
