/* SPDX-License-Identifier: MIT */
/*
 * tools/source/source_mirage.h - mirage-profile traces for babeltrace2
 * (internal; source.c uses it).
 */
#ifndef MPROF_SOURCE_MIRAGE_H
#define MPROF_SOURCE_MIRAGE_H

#include <stdint.h>

#include "profile/error.h"

/* mirage-profile's trace UUID: in its metadata and every packet header. */
#define PROF_MIRAGE_UUID "05883b8d-521a-487b-b397-456ab150680c"

/**
 * prof__mirage_prepare() - if @path is a mirage-profile trace, prepare a
 * directory babeltrace2 reads.
 * @path: a directory holding `metadata` and stream files (or anything else).
 * @dir: receives the prepared directory (malloc'd; remove it with
 *       prof__mirage_remove() and free it), or NULL when @path is not a
 *       mirage-profile trace.
 * @err: filled on failure, naming @path.
 *
 * A directory whose `metadata` names mirage-profile's UUID is one.  Its
 * metadata declares CTF `major = 0; minor = 1;` in its trace block, which
 * babeltrace2 refuses (it reads CTF 1.8 only, and the layout is CTF 1.8):
 * the prepared directory, under $TMPDIR, holds the same metadata with
 * `major = 1; minor = 8;` and a symbolic link to each of @path's stream
 * files (regular files, names not starting with a dot), or, for a stream
 * file whose ring of packets wrapped (stream_packet_count out of order), a
 * copy with its packets in count order.
 *
 * A mirage-profile buffer file on its own (magic and UUID, no metadata)
 * is refused with -EINVAL and a message saying what to do.
 *
 * Return: 1 (prepared), 0 (not mirage-profile, or no metadata of at most
 * 1 MiB to tell: @dir is NULL), or a negative errno: -EINVAL (a buffer
 * without metadata), -ENOMEM, or a failed system call's.
 */
int prof__mirage_prepare(const char *path, char **dir, struct prof_error *err);

/* A packet of a mirage-profile stream file. */
#define PROF_MIRAGE_HEADER 30u /* u32 magic, u8 uuid[16], u32 packet_size, u16 count, u32 content_size */
struct prof__mirage_packet {
	uint64_t offset, size; /* bytes, within the file */
	uint32_t key;          /* stream_packet_count, unwrapped */
};

/**
 * prof__mirage_order() - the packets of a mirage-profile stream file, in
 * stream_packet_count order (16-bit counts that wrapped come after the
 * large ones; equal counts keep file order).
 * @buf: the file's bytes (hostile: each header is copied, then checked).
 * @size: their number.
 * @pk: receives the packets; room for @size / PROF_MIRAGE_HEADER + 1.
 * @in_order: set to 1 if the file order was already count order.
 *
 * Only the headers are read: magic 0xC1FC1FC1, and packet_size (bits) a
 * multiple of 8, at least a header, within what is left of @buf.  The
 * packets tile @buf exactly.
 *
 * Return: the number of packets, or 0 if @buf does not walk as packets
 * (or is empty).
 */
uint64_t prof__mirage_order(const uint8_t *buf, uint64_t size, struct prof__mirage_packet *pk, int *in_order);

/** prof__mirage_remove() - remove a prepared directory; @dir may be NULL. */
void prof__mirage_remove(const char *dir);

#endif
