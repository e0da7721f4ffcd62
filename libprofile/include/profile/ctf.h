/* SPDX-License-Identifier: MIT */
/*
 * profile/ctf.h - CTF 1.8 trace directories: write them, read them back.
 *
 * A trace directory holds `metadata` (TSDL text generated from a region's
 * schema and clock) and one stream file per producer stream, named
 * `stream_<slot>`, made of the packets the reader delivered.  babeltrace2
 * and Trace Compass read it.  The reader here reads only what the writer
 * writes (the TSDL subset it generates); foreign CTF goes via babeltrace2.
 */
#ifndef PROFILE_CTF_H
#define PROFILE_CTF_H

#include <stddef.h>
#include <stdint.h>

#include "profile/error.h"
#include "profile/export.h"
#include "profile/format.h"
#include "profile/read.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A hidden file the writer keeps in a trace directory until it closes it
 * cleanly: a trace that still has it was cut short (its collector stopped
 * or failed) and may end early.  babeltrace2 ignores hidden files.
 */
#define PROF_CTF_INCOMPLETE_MARKER ".mprof-incomplete"

#define PROF_ORIGIN_NAME_MAX 256u     /* hostname, procname: bytes with the NUL */
#define PROF_ORIGIN_VERSION_MAX 64u
#define PROF_ORIGIN_CMDLINE_MAX 1024u

/*
 * Where a trace came from, carried in the metadata's env (LTTng's keys
 * where it has them: `hostname`, `procname`, `vpid`; then
 * `mprof_version`, `mprof_cmdline`).  babeltrace2 names a trace after its
 * env `hostname` ("in trace \"host\"", or "host/sub/dir" for one trace of
 * several).  Each string is NUL-terminated within its array (an empty
 * string when unknown); any byte may appear (escaped in the TSDL).
 */
struct prof_trace_origin {
	char hostname[PROF_ORIGIN_NAME_MAX];
	char procname[PROF_ORIGIN_NAME_MAX]; /* the program's name */
	uint64_t pid;                        /* 0 when unknown */
	char version[PROF_ORIGIN_VERSION_MAX];  /* mprof's version */
	char cmdline[PROF_ORIGIN_CMDLINE_MAX];  /* the command line, arguments joined by spaces */
};

/* What a trace is, apart from its events. */
struct prof_trace_desc {
	uint8_t uuid[16];
	uint32_t byte_order;             /* PROF_BYTE_ORDER_* */
	struct prof_clock_desc clock;
	struct prof_schema schema;
	struct prof_region_counts counts; /* carried in the metadata's env */
	struct prof_trace_origin origin;  /* carried in the metadata's env */
};

/**
 * prof_ctf_metadata() - generate the TSDL metadata text.
 * @desc: uuid, byte order, clock, schema, region counts and origin.
 * @buf: output buffer, or NULL to measure.
 * @size: its size; like snprintf, a shorter buffer gets a NUL-terminated
 *        prefix.
 *
 * The text depends on nothing but @desc, so equal descriptions give equal
 * bytes (the writer relies on it to skip rewrites).  The env carries the
 * clock calibration, the region counts (keys `mprof_dropped_no_slot`,
 * `mprof_refused_events`, `mprof_refused_invalid`, `mprof_schema_errors`,
 * `mprof_strings_truncated`, exact u64) and the origin (struct
 * prof_trace_origin).
 *
 * A hole in the schema (an event with an empty name, no fields and kind 0:
 * a schema record the reader skipped) is written as an event class with
 * no name, which prof_ctf_metadata_parse() reads back as a hole.
 *
 * Return: the text's length (without NUL) like snprintf, or -EINVAL if
 * @desc is NULL or cannot be expressed: bad byte order or clock (source,
 * calibrated flag, zero frequency), more than PROF_MAX_EVENTS events or a
 * count with no events, ids not equal to indices, an event that fails
 * libprofile's one event check (name, kind, field names, types, string
 * bounds), an origin string not NUL-terminated within its array, or a
 * text longer than INT_MAX.
 */
PROF_EXPORT int prof_ctf_metadata(const struct prof_trace_desc *desc, char *buf, size_t size);

/**
 * prof_ctf_metadata_parse() - parse metadata that prof_ctf_metadata() made.
 * @text: the TSDL text (need not be NUL-terminated).
 * @len: its length.
 * @file: name for messages.
 * @out: filled; out->schema.events is malloc'd (NULL for no events; free
 *       with prof_trace_desc_free()), with min_size and max_size
 *       computed; zeroed on failure.  Not NULL.
 * @err: on failure, @file, the byte offset and what was expected; may be
 *       NULL.
 *
 * Metadata of tracer_minor 0 (written before the env carried counts and
 * origin) is read too, with zero counts and an empty origin.  Metadata
 * that is not mprof's (another tracer's TSDL, or LTTng's packetized
 * metadata) is refused with -ENOTSUP and a message saying so and naming
 * babeltrace2, instead of a parser offset.
 *
 * Return: 0, -EINVAL (with @err, except for a NULL @out), -ENOTSUP (not
 * mprof's), -ENOMEM.
 */
PROF_EXPORT int prof_ctf_metadata_parse(const char *text, size_t len, const char *file,
					struct prof_trace_desc *out, struct prof_error *err);

/**
 * prof_trace_desc_free() - free what prof_ctf_metadata_parse() allocated.
 * @desc: the description, zeroed afterwards; may be NULL.
 */
PROF_EXPORT void prof_trace_desc_free(struct prof_trace_desc *desc);

struct prof_ctf_writer;

/**
 * prof_ctf_writer_open() - create (or reuse, if empty) a trace directory,
 * marked incomplete (PROF_CTF_INCOMPLETE_MARKER) until closed cleanly.
 * @out: receives the writer.
 * @dir: the directory; its parent must exist.
 * @err: filled on failure; may be NULL.
 *
 * Return: 0, -EINVAL for a NULL @out or a NULL or empty @dir, -EEXIST if
 * @dir holds files, -ENOMEM, or the errno of the mkdir(2), open(2),
 * directory listing or marker write that failed.
 */
PROF_EXPORT int prof_ctf_writer_open(struct prof_ctf_writer **out, const char *dir, struct prof_error *err);

/**
 * prof_ctf_writer_metadata() - (re)write `metadata` atomically (temp file,
 * fsync, rename, fsync of the directory) when its text changes (the schema
 * grew, a count or the origin changed); the same text is not rewritten.
 * @w: the writer.
 * @desc: the trace description.
 * @err: filled on failure; may be NULL.
 *
 * A failure is also remembered for prof_ctf_writer_close().
 *
 * Return: 0, -EINVAL for a NULL @w or if prof_ctf_metadata() refuses
 * @desc, -ENOMEM, or the errno of the create, write, fsync or rename that
 * failed.
 */
PROF_EXPORT int prof_ctf_writer_metadata(struct prof_ctf_writer *w, const struct prof_trace_desc *desc,
					 struct prof_error *err);

/**
 * prof_ctf_writer_packet() - append one normalised packet to its stream
 * file, `stream_<@stream>` (created at its first packet).  Usable directly
 * as a prof_packet_sink_fn argument through prof_ctf_writer_sink().
 * @w: the writer.
 * @stream: the stream slot, below PROF_MAX_STREAMS.
 * @pkt: the packet.
 * @len: its length in bytes, from the header size to
 *       PROF_MAX_PACKET_SIZE.
 *
 * A failure is also remembered for prof_ctf_writer_close().
 *
 * Return: 0, -EINVAL for a NULL @w or @pkt, a bad slot or length (not
 * remembered), or the errno of the open or write that failed (the file
 * then still ends on a whole packet, unless even the truncation failed).
 */
PROF_EXPORT int prof_ctf_writer_packet(struct prof_ctf_writer *w, uint32_t stream, const uint8_t *pkt,
				       size_t len);

/**
 * prof_ctf_writer_packet_header() - prof_ctf_writer_packet() with another
 * header: append @hdr, then @pkt past its own header, without a copy of
 * the packet (a consumer that renumbers packets, such as the Xen
 * collector).
 * @w: the writer.
 * @stream: the stream slot, below PROF_MAX_STREAMS.
 * @hdr: the header written in place of @pkt's; NULL: @pkt's own.
 * @pkt: the packet.
 * @len: its length in bytes, from the header size to
 *       PROF_MAX_PACKET_SIZE.
 *
 * Return: as prof_ctf_writer_packet().
 */
PROF_EXPORT int prof_ctf_writer_packet_header(struct prof_ctf_writer *w, uint32_t stream,
					      const struct prof_packet_header *hdr, const uint8_t *pkt, size_t len);

/**
 * prof_ctf_writer_put() - append a packet straight from shared memory and
 * map the file's copy, for the reader to validate and normalise there
 * (prof_region_reader_drain_into(); prof_ctf_writer_store is the store).
 * @w: the writer.
 * @stream: the stream slot, below PROF_MAX_STREAMS.
 * @src: the packet's bytes (they may change under the copy).
 * @len: how many, from the header size to PROF_MAX_PACKET_SIZE.
 * @copy: receives the file's copy of them, through a shared mapping of the
 *        file (writable; valid until the next call for the stream).
 *
 * The packet stays put, neither kept nor counted, until
 * prof_ctf_writer_keep() or prof_ctf_writer_drop(); any other call for the
 * stream, or the close, drops it first.  A failure is also remembered for
 * prof_ctf_writer_close().
 *
 * Return: 0, -EINVAL as prof_ctf_writer_packet() or for a NULL @src or
 * @copy, or the errno of the open, write or mmap that failed (-EFAULT if
 * @src could not be read); nothing stays put then.
 */
PROF_EXPORT int prof_ctf_writer_put(struct prof_ctf_writer *w, uint32_t stream, const uint8_t *src, size_t len,
				    uint8_t **copy);

/**
 * prof_ctf_writer_keep() - keep the packet put: it becomes the stream
 * file's next whole packet.
 * @w: the writer.
 * @stream: the stream slot.
 * @len: the bytes of it to keep, from the header size to what was put
 *       (the rest is cut off).
 *
 * Return: 0; -EINVAL for a NULL @w, a bad slot, nothing put or a bad
 * @len (not remembered); or the errno of the truncation that failed (the
 * packet stays put).
 */
PROF_EXPORT int prof_ctf_writer_keep(struct prof_ctf_writer *w, uint32_t stream, size_t len);

/**
 * prof_ctf_writer_drop() - cut the packet put off the stream's file.
 * @w: the writer (may be NULL).
 * @stream: the stream slot.
 *
 * Does nothing if no packet is put.
 */
PROF_EXPORT void prof_ctf_writer_drop(struct prof_ctf_writer *w, uint32_t stream);

/*
 * The writer as a prof_packet_store (its argument is the writer):
 * prof_ctf_writer_put(), prof_ctf_writer_keep(), prof_ctf_writer_drop().
 */
PROF_EXPORT extern const struct prof_packet_store prof_ctf_writer_store;

/**
 * prof_ctf_writer_sink() - a prof_packet_sink_fn that appends the packet
 * with prof_ctf_writer_packet().
 * @arg: the writer.
 * @stream: the stream slot.
 * @pkt: the packet.
 * @len: its length.
 * @info: unused.
 *
 * Return: as prof_ctf_writer_packet().
 */
PROF_EXPORT int prof_ctf_writer_sink(void *arg, uint32_t stream, const uint8_t *pkt, size_t len,
				     const struct prof_packet_info *info);

/**
 * prof_ctf_writer_memory() - the heap bytes the writer holds (its stream
 * table and the metadata text last written), for a consumer that bounds
 * its memory per trace.
 * @w: the writer; NULL gives 0.
 *
 * Return: the bytes.  Writing new metadata briefly needs as much again.
 */
PROF_EXPORT size_t prof_ctf_writer_memory(const struct prof_ctf_writer *w);

/**
 * prof_ctf_writer_close() - flush and close every file; if nothing failed,
 * remove the incomplete marker.
 * @w: the writer, may be NULL.
 *
 * Return: 0 or the first write error.
 */
PROF_EXPORT int prof_ctf_writer_close(struct prof_ctf_writer *w);

/**
 * prof_ctf_writer_abandon() - flush and close every file but keep the
 * incomplete marker: the collector failed or stopped early, so the trace
 * may end before its program did.  Use on every path that is not a clean
 * end, so that only prof_ctf_writer_close() ever removes the marker.
 * @w: the writer, may be NULL.
 *
 * Return: 0 or the first write error.
 */
PROF_EXPORT int prof_ctf_writer_abandon(struct prof_ctf_writer *w);

/* ---- Reading a trace directory ---- */

struct prof_trace_stats {
	uint64_t streams;
	uint64_t packets;
	uint64_t events;
	uint64_t invalid_packets;    /* skipped: failed a check (includes the two below) */
	uint64_t events_discarded;   /* sum of each stream's last cumulative count */
	uint64_t packets_lost;       /* packet_seq_num gaps, from 0 */
	uint64_t incomplete;         /* 1: the writer never finished the trace (any part of it, or
	                              * a directory of traces that has the marker itself) */
	uint64_t packets_out_of_order; /* skipped: packet_seq_num not above the file's previous one
	                                * (a duplicated or reordered packet) */
	uint64_t packets_misplaced;  /* skipped: stream_instance_id is not the file's slot (a
	                              * stream file copied under another name) */
	uint64_t traces;             /* traces read: 1, or the parts of a directory of traces */
};

struct prof_trace;

/* prof_trace_open_flags() flags. */
#define PROF_TRACE_FOLLOW 0x1u /* a trace still being written: see prof_trace_next() */

/**
 * prof_trace_open() - open a trace written by mprof: a trace directory, or
 * a directory of trace directories.
 * @out: receives the trace.
 * @dir: the directory.
 * @err: filled on failure (file and offset); may be NULL.
 *
 * Equivalent to prof_trace_open_flags(@out, @dir, 0, @err).
 *
 * Return: as prof_trace_open_flags().
 */
PROF_EXPORT int prof_trace_open(struct prof_trace **out, const char *dir, struct prof_error *err);

/**
 * prof_trace_open_flags() - open a trace, possibly one still being written.
 * @out: receives the trace.
 * @dir: a trace directory (it holds `metadata`), or a directory of trace
 *       directories (no `metadata` in it; its subdirectories, at any depth
 *       up to 8, that hold one are its parts, e.g. `mprof record`'s
 *       DIR/<prog>-<pid>/), read as one trace.
 * @flags: 0 or PROF_TRACE_FOLLOW.
 * @err: filled on failure (file and offset); may be NULL.
 *
 * Only regular files are read (a FIFO, a device or a link to one is
 * refused, without blocking); `metadata` is read whole up to 64 MiB;
 * stream files are mapped, never read into memory.  Reads the metadata,
 * maps every stream file and decodes each stream's first event (so
 * invalid leading packets are already counted).
 *
 * In follow mode, a directory that has neither `metadata` nor parts yet
 * is accepted: what appears later is picked up by prof_trace_next().
 *
 * Return: 0; -ENOENT (no directory, or no metadata and no parts when not
 * following); -ENOTDIR (@dir is not a directory); -EINVAL (NULL @out or
 * @dir, an unknown flag, bad metadata, a file that is not a regular file,
 * metadata over 64 MiB, more stream files, parts or distinct events than
 * a trace can hold); -ENOTSUP (a byte order other than the host's, or a
 * trace mprof did not write: read it with babeltrace2); -ENOMEM; or the
 * errno of a failed system call.
 */
PROF_EXPORT int prof_trace_open_flags(struct prof_trace **out, const char *dir, unsigned int flags,
				      struct prof_error *err);

/**
 * prof_trace_open_shard() - open a trace to read a share of its stream
 * files, so that a consumer can read a trace on several threads.
 * @out: receives the trace.
 * @dir: as prof_trace_open().
 * @shard: which share, below @nshards.
 * @nshards: how many shares (1: the whole trace, as prof_trace_open()).
 * @err: as prof_trace_open().
 *
 * Shard @shard reads the stream files whose part index plus slot equals
 * @shard modulo @nshards, so each stream file is in exactly one shard, and
 * delivers their events in timestamp order among them.  The metadata,
 * parts and descriptions are the whole trace's (the same in every shard);
 * prof_trace_get_stats() counts what the shard read (its streams,
 * packets, events and losses; traces and incomplete are the whole
 * trace's), so the shards' counts add up to prof_trace_open()'s.  Not for
 * a trace still being written (no follow mode).
 *
 * Return: as prof_trace_open(); -EINVAL also for @nshards 0 or @shard not
 * below it.
 */
PROF_EXPORT int prof_trace_open_shard(struct prof_trace **out, const char *dir, uint32_t shard, uint32_t nshards,
				      struct prof_error *err);

/**
 * prof_trace_get_desc() - the trace's description (schema, clock, counts,
 * origin).
 * @t: the trace.
 *
 * For a directory of traces: a merged description whose schema is the
 * union of the parts' (each distinct event definition once; the ids of the
 * events prof_trace_next() returns index it), whose clock is
 * CLOCK_MONOTONIC nanoseconds (the events' timestamps are converted with
 * each part's own clock), whose counts are the parts' sums and whose
 * origin is the first part's.  Stable until the next prof_trace_next().
 * Zeroed (clock frequency 0) while a followed directory has nothing yet.
 *
 * Return: the description, or NULL if @t is NULL.
 */
PROF_EXPORT const struct prof_trace_desc *prof_trace_get_desc(const struct prof_trace *t);

/**
 * prof_trace_part_count() - how many traces @t reads: 1 for a trace
 * directory, the number of parts found so far for a directory of traces.
 * @t: the trace.
 *
 * Return: the count (0 for a followed directory where nothing appeared
 * yet, or if @t is NULL).
 */
PROF_EXPORT uint32_t prof_trace_part_count(const struct prof_trace *t);

/**
 * prof_trace_get_part_desc() - one part's own description (its schema,
 * clock, counts and origin: which process it came from).
 * @t: the trace.
 * @index: a prof_decoded_event's `trace`, below prof_trace_part_count().
 *
 * Return: the description, or NULL for a bad index or a NULL @t.
 */
PROF_EXPORT const struct prof_trace_desc *prof_trace_get_part_desc(const struct prof_trace *t, uint32_t index);

/**
 * prof_trace_part_dir() - one part's directory.
 * @t: the trace.
 * @index: below prof_trace_part_count().
 *
 * Return: the path (owned by @t), or NULL for a bad index or a NULL @t.
 */
PROF_EXPORT const char *prof_trace_part_dir(const struct prof_trace *t, uint32_t index);

/**
 * prof_trace_next() - the next event in timestamp order across streams
 * (and across the parts of a directory of traces, ordered by their
 * nanoseconds).
 * @t: the trace.
 * @ev: filled; valid until the next call.  @ev->trace says which part it
 *      came from.
 *
 * Invalid packets are skipped, counted, and reported through
 * prof_trace_last_error(); so are packets whose packet_seq_num does not
 * increase within their file, or whose stream_instance_id is not their
 * file's slot (never counted twice).
 *
 * Follow mode: when every whole packet read so far has been delivered,
 * the trace is looked at again: a replaced `metadata` is re-read (it may
 * only add events), new stream files and new parts are picked up, and
 * stream files that grew are mapped again; a packet not yet entirely in
 * its file waits, and so does a whole packet that fails its check while
 * its writer runs, until the next metadata (which may name its events).
 * Events come in timestamp order among those available at each look; each
 * event is delivered exactly once, in file order per stream.
 *
 * Return: 1 if @ev was filled; 0 at the end (in follow mode: once the
 * writer has finished, i.e. no part, nor a directory of traces itself,
 * still has PROF_CTF_INCOMPLETE_MARKER, and everything was delivered);
 * -EAGAIN in follow mode when nothing new is there yet (call again
 * later); -EINVAL if @t or @ev is NULL; or another negative errno (follow
 * mode: a metadata file that became unreadable or changed incompatibly,
 * a stream file that cannot be mapped, with prof_trace_last_error()).
 */
PROF_EXPORT int prof_trace_next(struct prof_trace *t, struct prof_decoded_event *ev);

/**
 * prof_trace_get_stats() - counts so far (complete after the last event).
 * @t: the trace; NULL gives zeros.
 * @out: filled; may be NULL (nothing is done).
 *
 * packets counts valid packets read; packets_lost counts sequence numbers
 * missing before the first and between consecutive valid packets of a
 * stream (overwritten by a flight recorder, or lost; a skipped invalid
 * packet leaves such a gap too); events_discarded sums each stream's
 * latest cumulative count.  For a directory of traces every count is the
 * sum over its parts (incomplete: 1 if any part is).
 */
PROF_EXPORT void prof_trace_get_stats(const struct prof_trace *t, struct prof_trace_stats *out);

/**
 * prof_trace_last_error() - what went wrong last.
 * @t: the trace.
 *
 * Return: the error of the last invalid packet skipped, or of the last
 * failed look of follow mode, owned by @t; NULL if there was none or @t
 * is NULL.
 */
PROF_EXPORT const struct prof_error *prof_trace_last_error(const struct prof_trace *t);

/**
 * prof_clock_to_ns() - convert a timestamp in the trace's clock to
 * nanoseconds since the clock's origin (CLOCK_MONOTONIC scale).
 * @clock: the clock description.
 * @ticks: a timestamp in its ticks.
 *
 * ns = ref_monotonic_ns + (ticks - ref_ticks) * 1e9 / freq_hz, in 128-bit
 * arithmetic, rounded down.
 *
 * Return: the nanoseconds, clamped to [0, UINT64_MAX]; @ticks unchanged if
 * @clock is NULL or has no frequency.
 */
PROF_EXPORT uint64_t prof_clock_to_ns(const struct prof_clock_desc *clock, uint64_t ticks);

/**
 * prof_trace_close() - unmap and close every file and free the trace.
 * @t: the trace, may be NULL.
 */
PROF_EXPORT void prof_trace_close(struct prof_trace *t);

#ifdef __cplusplus
}
#endif
#endif
