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

/* What a trace is, apart from its events. */
struct prof_trace_desc {
	uint8_t uuid[16];
	uint32_t byte_order;             /* PROF_BYTE_ORDER_* */
	struct prof_clock_desc clock;
	struct prof_schema schema;
	struct prof_region_counts counts; /* carried in the metadata's env */
};

/**
 * prof_ctf_metadata() - generate the TSDL metadata text.
 * @desc: uuid, byte order, clock and schema.
 * @buf: output buffer, or NULL to measure.
 * @size: its size.
 *
 * Return: the text's length (without NUL) like snprintf, or -EINVAL.
 */
PROF_EXPORT int prof_ctf_metadata(const struct prof_trace_desc *desc, char *buf, size_t size);

/**
 * prof_ctf_metadata_parse() - parse metadata that prof_ctf_metadata() made.
 * @text: the TSDL text.
 * @len: its length.
 * @file: name for messages.
 * @out: filled; out->schema.events is malloc'd (free with
 *       prof_trace_desc_free()).
 * @err: filled on failure with the byte offset; may be NULL.
 *
 * Return: 0, -EINVAL (with @err), -ENOMEM.
 */
PROF_EXPORT int prof_ctf_metadata_parse(const char *text, size_t len, const char *file,
					struct prof_trace_desc *out, struct prof_error *err);

/** prof_trace_desc_free() - free what prof_ctf_metadata_parse() allocated. */
PROF_EXPORT void prof_trace_desc_free(struct prof_trace_desc *desc);

struct prof_ctf_writer;

/**
 * prof_ctf_writer_open() - create (or reuse, if empty) a trace directory,
 * marked incomplete (PROF_CTF_INCOMPLETE_MARKER) until closed cleanly.
 * @out: receives the writer.
 * @dir: the directory.
 * @err: filled on failure; may be NULL.
 *
 * Return: 0, -EEXIST if @dir holds files, or a negative errno.
 */
PROF_EXPORT int prof_ctf_writer_open(struct prof_ctf_writer **out, const char *dir, struct prof_error *err);

/**
 * prof_ctf_writer_metadata() - (re)write `metadata` atomically (temp file
 * and rename) when the schema has grown.
 * @w: the writer.
 * @desc: the trace description.
 * @err: may be NULL.
 *
 * Return: 0 or a negative errno.
 */
PROF_EXPORT int prof_ctf_writer_metadata(struct prof_ctf_writer *w, const struct prof_trace_desc *desc,
					 struct prof_error *err);

/**
 * prof_ctf_writer_packet() - append one normalised packet to its stream
 * file.  Usable directly as a prof_packet_sink_fn argument through
 * prof_ctf_writer_sink().
 * @w: the writer.
 * @stream: the stream slot.
 * @pkt: the packet.
 * @len: its length in bytes.
 *
 * Return: 0 or a negative errno.
 */
PROF_EXPORT int prof_ctf_writer_packet(struct prof_ctf_writer *w, uint32_t stream, const uint8_t *pkt,
				       size_t len);

/** prof_ctf_writer_sink() - a prof_packet_sink_fn; @arg is the writer. */
PROF_EXPORT int prof_ctf_writer_sink(void *arg, uint32_t stream, const uint8_t *pkt, size_t len,
				     const struct prof_packet_info *info);

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
	uint64_t invalid_packets;    /* skipped: failed prof_packet_check() */
	uint64_t events_discarded;   /* sum of each stream's last cumulative count */
	uint64_t packets_lost;       /* packet_seq_num gaps, from 0 */
	uint64_t incomplete;         /* 1: the writer never finished the trace */
};

struct prof_trace;

/**
 * prof_trace_open() - open a trace directory written by mprof.
 * @out: receives the trace.
 * @dir: the directory.
 * @err: filled on failure (file and offset); may be NULL.
 *
 * Return: 0, -ENOENT (no directory or no metadata), -EINVAL (bad metadata),
 * or a negative errno.
 */
PROF_EXPORT int prof_trace_open(struct prof_trace **out, const char *dir, struct prof_error *err);

/** prof_trace_get_desc() - the trace's description (schema, clock). */
PROF_EXPORT const struct prof_trace_desc *prof_trace_get_desc(const struct prof_trace *t);

/**
 * prof_trace_next() - the next event in timestamp order across streams.
 * @t: the trace.
 * @ev: filled; valid until the next call.
 *
 * Invalid packets are skipped, counted, and reported through
 * prof_trace_last_error().
 *
 * Return: 1 if @ev was filled, 0 at the end, or a negative errno.
 */
PROF_EXPORT int prof_trace_next(struct prof_trace *t, struct prof_decoded_event *ev);

/** prof_trace_get_stats() - counts so far (complete after the last event). */
PROF_EXPORT void prof_trace_get_stats(const struct prof_trace *t, struct prof_trace_stats *out);

/** prof_trace_last_error() - the last invalid packet's error, or NULL. */
PROF_EXPORT const struct prof_error *prof_trace_last_error(const struct prof_trace *t);

/**
 * prof_clock_to_ns() - convert a timestamp in the trace's clock to
 * nanoseconds since the clock's origin (CLOCK_MONOTONIC scale).
 */
PROF_EXPORT uint64_t prof_clock_to_ns(const struct prof_clock_desc *clock, uint64_t ticks);

/** prof_trace_close() - free the trace. */
PROF_EXPORT void prof_trace_close(struct prof_trace *t);

#ifdef __cplusplus
}
#endif
#endif
