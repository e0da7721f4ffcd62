/* SPDX-License-Identifier: MIT */
/*
 * read/read_private.h - helpers shared by the reader's files (not installed).
 */
#ifndef PROF_READ_PRIVATE_H
#define PROF_READ_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include "profile/error.h"
#include "profile/format.h"
#include "profile/read.h"

/**
 * prof__type_size() - the encoded size of a fixed-size field type.
 * @type: enum prof_field_type.
 *
 * Return: 1, 2, 4 or 8 for an integer or a double, 0 for a string (its
 * size depends on the payload), -1 for a type that does not exist.
 */
static inline int prof__type_size(uint8_t type)
{
	switch (type) {
	case PROF_TYPE_U8:
	case PROF_TYPE_S8:
		return 1;
	case PROF_TYPE_U16:
	case PROF_TYPE_S16:
		return 2;
	case PROF_TYPE_U32:
	case PROF_TYPE_S32:
		return 4;
	case PROF_TYPE_U64:
	case PROF_TYPE_S64:
	case PROF_TYPE_F64:
		return 8;
	case PROF_TYPE_STRING:
		return 0;
	default:
		return -1;
	}
}

/**
 * prof__read_layout() - the reader's own computation of a region's geometry.
 * @mode: enum prof_mode.
 * @packet_size: bytes per packet: a power of two in [256, 64 MiB].
 * @packets_per_stream: at least 2.
 * @stream_slots: 1 to PROF_MAX_STREAMS.
 * @max_events: 1 to PROF_MAX_EVENTS.
 * @hdr: its geometry fields (magic to rings_offset, region_size) are set;
 *       the others are left as they were.
 *
 * Computes what prof_region_layout() (src/core/region.c) computes, with
 * overflow-checked arithmetic, so that the reader does not depend on the
 * producer's code to decide whether a region is well formed.
 *
 * Return: 0, or -EINVAL if a parameter is out of range or the region would
 * not fit in 64 bits.
 */
int prof__read_layout(uint32_t mode, uint32_t packet_size, uint32_t packets_per_stream,
		      uint32_t stream_slots, uint32_t max_events, struct prof_region_header *hdr);

/**
 * prof__region_reader_last_error() - the last problem the reader counted.
 * @r: the reader.
 *
 * Drain and scrape count what they drop instead of failing; this keeps the
 * message of the most recent one (code 0 if none), for tools and tests.
 *
 * Return: the error, owned by @r.
 */
const struct prof_error *prof__region_reader_last_error(const struct prof_region_reader *r);

#endif /* PROF_READ_PRIVATE_H */
