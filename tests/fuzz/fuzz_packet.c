/* SPDX-License-Identifier: MIT */
/*
 * fuzz_packet - libFuzzer target for prof_packet_check(), the cursor and
 * prof_schema_record_check().
 *
 * Input: one flags byte, then (if flags & 1) a 544-byte schema record that
 * becomes event 5 of the schema when it passes its check, then the packet
 * bytes.  The standard test schema (every field type) provides events 0-4.
 *
 * Properties: nothing reads outside the input (ASan); a packet that passes
 * the check decodes, with the cursor, to exactly nevents events ending at
 * the content size, with in-bound strings and ordered timestamps; on any
 * packet, checked or not, the cursor stays within the content it is given.
 * Seeds: corpus/fuzz_packet/, made by gen_seeds.c.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/lib/read_builder.h"
#include "profile/read.h"
#include "fuzz.h"

static void walk(const uint8_t *pkt, const struct prof_packet_info *info,
		 const struct prof_schema *schema, int checked)
{
	struct prof_packet_cursor c;
	struct prof_decoded_event ev;
	uint64_t n = 0, prev = info->hdr.timestamp_begin;
	int rc;

	prof_packet_cursor_init(&c, pkt, info, schema);
	while ((rc = prof_packet_next(&c, &ev)) == 1) {
		uint16_t i;

		FUZZ_ASSERT(c.offset <= info->content_bytes);
		FUZZ_ASSERT(ev.id < schema->count && ev.desc == &schema->events[ev.id]);
		for (i = 0; i < ev.nfields; i++) {
			if (ev.values[i].type != PROF_TYPE_STRING)
				continue;
			FUZZ_ASSERT(ev.values[i].v.str.ptr >= (const char *)pkt + PROF_PACKET_HEADER_SIZE);
			FUZZ_ASSERT(ev.values[i].v.str.ptr + ev.values[i].v.str.len <
				    (const char *)pkt + info->content_bytes);
			FUZZ_ASSERT(ev.values[i].v.str.ptr[ev.values[i].v.str.len] == '\0');
			FUZZ_ASSERT(ev.values[i].v.str.len <= ev.desc->fields[i].bound);
		}
		if (checked) {
			FUZZ_ASSERT(ev.timestamp >= prev);
			FUZZ_ASSERT(!info->hdr.timestamp_end || ev.timestamp <= info->hdr.timestamp_end);
			prev = ev.timestamp;
		}
		n++;
	}
	if (checked) {
		FUZZ_ASSERT(rc == 0);
		FUZZ_ASSERT(n == info->nevents);
		FUZZ_ASSERT(c.offset == info->content_bytes);
		FUZZ_ASSERT(!n || info->last_timestamp == prev);
	} else {
		FUZZ_ASSERT(rc == 0 || rc == -EPROTO);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct prof_schema_event events[RB_NEVENTS + 1];
	struct prof_schema schema;
	struct prof_packet_info info;
	struct prof_error err;
	struct rb_schema std;
	uint8_t flags, *pkt;
	size_t len;
	int rc;

	if (size < 1)
		return 0;
	flags = data[0];
	data++;
	size--;
	if (rb_std_prof_schema(&std) != 0)
		__builtin_trap();
	memcpy(events, std.events, sizeof(std.events));
	schema.events = events;
	schema.count = RB_NEVENTS;
	if (flags & 1) {
		struct prof_schema_record rec;

		if (size < sizeof(rec))
			return 0;
		memcpy(&rec, data, sizeof(rec));
		data += sizeof(rec);
		size -= sizeof(rec);
		rc = prof_schema_record_check(&rec, RB_NEVENTS, &events[RB_NEVENTS], &err);
		if (rc == 0) {
			FUZZ_ASSERT(events[RB_NEVENTS].nfields <= PROF_MAX_FIELDS);
			FUZZ_ASSERT(events[RB_NEVENTS].min_size <= events[RB_NEVENTS].max_size);
			schema.count = RB_NEVENTS + 1;
		} else {
			/* -ECANCELED: a PROF_KIND_REFUSED record, the producer's
			 * report of a definition it refused. */
			FUZZ_ASSERT((rc == -EINVAL || rc == -ECANCELED) && err.text[0]);
		}
	}

	/* A private copy of exactly the packet's bytes, so ASan sees any
	 * read past them. */
	len = size;
	pkt = malloc(len ? len : 1);
	if (!pkt)
		return 0;
	memcpy(pkt, data, len);

	rc = prof_packet_check(pkt, len, &schema, (flags & 2) ? rb_uuid : NULL, &info, &err);
	if (rc == 0) {
		FUZZ_ASSERT(info.content_bytes >= PROF_PACKET_HEADER_SIZE);
		FUZZ_ASSERT(info.content_bytes <= len);
		FUZZ_ASSERT(info.hdr.content_size == 8 * info.content_bytes);
		walk(pkt, &info, &schema, 1);
	} else {
		FUZZ_ASSERT(rc == -EINVAL || rc == -EPROTO);
		FUZZ_ASSERT(err.text[0] != '\0');
		FUZZ_ASSERT(err.offset <= len);   /* at most the end: "more was needed" */
		/* The cursor on the unchecked packet, over what is there. */
		if (len >= PROF_PACKET_HEADER_SIZE) {
			memset(&info, 0, sizeof(info));
			memcpy(&info.hdr, pkt, sizeof(info.hdr));
			info.content_bytes = info.hdr.content_size / 8;
			if (info.content_bytes > len)
				info.content_bytes = len;
			walk(pkt, &info, &schema, 0);
		}
	}
	free(pkt);
	return 0;
}
