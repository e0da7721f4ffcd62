/* SPDX-License-Identifier: MIT */
/*
 * tools/source/mprof_source.h - one way to read any trace: the trace
 * source that `mprof stats`, `mprof compare`, `mprof export` and the viewer
 * read through.
 *
 *   mprof trace directory (or a directory of them) --> prof_trace (libprofile)  --+
 *   foreign CTF (LTTng-UST, barectf, ...)           --> libbabeltrace2           --+--> events
 *   mirage-profile (magic 0xC1FC1FC1, {u64 ts; u8 id}) --> libbabeltrace2, its    --+   (struct
 *     metadata's CTF version fixed, ring packets in order                              prof_decoded_event)
 *
 * docs/ARCHITECTURE.md ("Trace sources") says how each is chosen and mapped.
 *
 * Every backend delivers the same struct prof_decoded_event, in timestamp
 * order, with timestamps in nanoseconds of the source's clock (so a
 * consumer never converts ticks), and a struct prof_trace_desc whose
 * schema names each event's fields, kind and the loss counts the trace
 * carries.  This is a library of the toolkit (libmprof-source.a), not of
 * libprofile: instrumented programs never link libbabeltrace2.
 */
#ifndef MPROF_SOURCE_H
#define MPROF_SOURCE_H

#include <stdint.h>

#include "profile/ctf.h"
#include "profile/error.h"
#include "profile/read.h"

/* What a source is made of. */
enum mprof_source_kind {
	MPROF_SOURCE_MPROF = 1,   /* an mprof trace directory, or a directory of them */
	MPROF_SOURCE_CTF = 2,     /* foreign CTF, read through libbabeltrace2 */
	MPROF_SOURCE_MIRAGE = 3,  /* the seed's mirage-profile format */
};

/* Flags for mprof_source_open(). */
#define MPROF_SOURCE_FOLLOW 1u /* follow a trace still being written (mprof traces only:
				* a foreign trace with it is refused, -ENOTSUP) */

struct mprof_source;

/**
 * mprof_source_open() - open a trace of any supported kind.
 * @out: receives the source.
 * @path: a trace directory (mprof or foreign CTF), a directory of them,
 *        or a mirage-profile trace.
 * @flags: MPROF_SOURCE_FOLLOW or 0.
 * @err: filled on failure (file, offset, what is wrong); may be NULL.
 *
 * Return: 0, -ENOENT (nothing there), -EINVAL (not a trace, or corrupt),
 * -ENOTSUP (a kind this build cannot read, e.g. following a foreign
 * trace), -ENOMEM, or another negative errno.
 */
int mprof_source_open(struct mprof_source **out, const char *path, unsigned int flags, struct prof_error *err);

/**
 * mprof_source_open_shard() - open a share of an mprof trace's streams
 * (prof_trace_open_shard()), to read a trace on several threads: each
 * stream file is in exactly one of @nshards shards, whose events come in
 * timestamp order among themselves, with the whole trace's description;
 * mprof_source_stats() counts what the shard read (the shards' counts add
 * up to the whole trace's, but for traces and incomplete, which are the
 * whole trace's in each).
 * @out: receives the source.
 * @path: an mprof trace directory or a directory of them.
 * @shard: which share, below @nshards.
 * @nshards: how many.
 * @err: filled on failure; may be NULL.
 *
 * Return: 0, or prof_trace_open_shard()'s error: a foreign trace is not
 * sharded (-ENOTSUP, -ENOENT, -EINVAL...): read it whole with
 * mprof_source_open(), which also says precisely what is wrong with a
 * trace neither reads.
 */
int mprof_source_open_shard(struct mprof_source **out, const char *path, uint32_t shard, uint32_t nshards,
			    struct prof_error *err);

/** mprof_source_kind() - what @s reads (enum mprof_source_kind). */
enum mprof_source_kind mprof_source_kind(const struct mprof_source *s);

/**
 * mprof_source_desc() - the source's description: its schema (every event
 * a decoded event's @desc points into), its clock (nanoseconds: @freq_hz
 * 1e9) and its loss counts.  Valid until the next mprof_source_next() in
 * follow mode (the schema may grow), else until mprof_source_close().
 */
const struct prof_trace_desc *mprof_source_desc(const struct mprof_source *s);

/**
 * mprof_source_next() - the next event, in timestamp order.
 * @s: the source.
 * @ev: filled: timestamp in nanoseconds, desc, values, stream, tid, trace
 *      (part index), packet_seq and packet_discarded (0 where the format
 *      has none); valid until the next call.
 *
 * Return: 1 (an event), 0 (the end), -EAGAIN (follow mode: nothing yet),
 * or a negative errno (the source is unusable; see mprof_source_error()).
 */
int mprof_source_next(struct mprof_source *s, struct prof_decoded_event *ev);

/**
 * mprof_source_part_desc() - the description of one trace of a directory of
 * traces (its origin names its process or guest: procname, pid, domain).
 * @s: the source.
 * @index: the part index (a decoded event's @trace).
 *
 * Return: the part's description (valid as mprof_source_desc()'s), or NULL
 * if @index is out of range; a foreign trace has one part, described by
 * mprof_source_desc().
 */
const struct prof_trace_desc *mprof_source_part_desc(const struct mprof_source *s, uint32_t index);

/**
 * mprof_source_stats() - what was read so far (complete at the end):
 * streams, packets, events, discarded events, lost and invalid packets.
 */
void mprof_source_stats(const struct mprof_source *s, struct prof_trace_stats *out);

/*
 * What a foreign trace (MPROF_SOURCE_CTF, MPROF_SOURCE_MIRAGE) had that an
 * event cannot carry: skipped, counted, and the first of each named by
 * mprof_source_error().  All zero for an mprof trace, whose schema has
 * none of these.
 */
struct mprof_source_skips {
	uint64_t fields_skipped;    /* field values not delivered: a type the schema has no
				     * equivalent for (array, structure, variant, option), or
				     * beyond PROF_MAX_FIELDS; one per such field of each event */
	uint64_t strings_truncated; /* string values cut at PROF_MAX_STRING_BOUND bytes */
	uint64_t events_untimed;    /* events with no clock snapshot: timestamp 0 */
};

/**
 * mprof_source_skips() - what was skipped so far (complete at the end).
 * @s: the source.
 * @out: filled.
 */
void mprof_source_skips(const struct mprof_source *s, struct mprof_source_skips *out);

/** mprof_source_error() - the last problem found (skipped data included), or NULL. */
const struct prof_error *mprof_source_error(const struct mprof_source *s);

/** mprof_source_close() - free the source; @s may be NULL. */
void mprof_source_close(struct mprof_source *s);

#endif
