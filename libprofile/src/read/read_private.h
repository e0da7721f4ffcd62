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
#include "core/validate.h"

/**
 * prof__type_size() - the encoded size of a fixed-size field type.
 * @type: enum prof_field_type.
 *
 * Return: 1, 2, 4 or 8 for an integer or a double, 0 for a string (its
 * size depends on the payload), -1 for a type that does not exist.
 */
static inline int prof__type_size(uint8_t type)
{
	uint32_t size = prof__field_type_size(type);

	if (size)
		return (int)size;
	return type == PROF_TYPE_STRING ? 0 : -1;
}

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

/**
 * prof__drain_open_packet() - scrape stream @s's open packet, if every
 * complete packet before it was taken.
 * @r: the reader.
 * @s: the stream slot, < stream_slots.
 * @sink: receives the packet.
 * @arg: passed to @sink.
 * @n: incremented for a delivered packet.
 * @peek: deliver only its events not delivered yet, and leave it open.
 *
 * Return: 0, the sink's non-zero return, or -ENOMEM if the schema could
 * not grow for the packet's new ids (the packet is left for later).
 */
int prof__drain_open_packet(struct prof_region_reader *r, uint32_t s, prof_packet_sink_fn sink,
			    void *arg, uint64_t *n, int peek);

#endif /* PROF_READ_PRIVATE_H */
