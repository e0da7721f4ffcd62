/* SPDX-License-Identifier: MIT */
/*
 * read/schema.c - check one schema record copied out of a region.
 *
 * The schema is an append-only array of fixed-size records in the region,
 * written by the producer and published by a release store of
 * header.schema_count (see drain.c for the reading side).  A record is
 * hostile like everything else in the region, so the reader decodes a
 * private copy into a struct prof_schema_event only after checking every
 * field it will later use to walk packets:
 *
 *   0    char name[64]          NUL-terminated, non-empty
 *   64   u32  id                == the record's index
 *   68   u16  kind              enum prof_event_kind, 0..4
 *   70   u16  nfields           <= PROF_MAX_FIELDS (14)
 *   72   u32  reserved[6]       ignored
 *   96   fields[14], 32 bytes each, the first nfields used:
 *          +0  char name[28]    NUL-terminated, non-empty
 *          +28 u8   type        enum prof_field_type, 1..10
 *          +29 u8   reserved
 *          +30 u16  bound       strings: 1..PROF_MAX_STRING_BOUND
 *
 * From the field types it derives the payload's smallest and largest
 * encoding (min_size: every string empty; max_size: every string at its
 * bound), which the packet walker uses to reject truncated events early.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "profile/read.h"
#include "read/read_private.h"

/**
 * prof_schema_record_check() - validate one schema record (a copy).
 * @rec: the record, already copied out of the region.
 * @index: the index it was read at (its id must equal it).
 * @out: filled with the decoded event on success.
 * @err: filled on failure (offset relative to @rec); may be NULL.
 *
 * Return: 0 or -EINVAL.
 */
PROF_EXPORT int prof_schema_record_check(const struct prof_schema_record *rec, uint32_t index,
					 struct prof_schema_event *out, struct prof_error *err)
{
	struct prof_schema_event ev;
	uint32_t min_size = 0, max_size = 0;
	uint16_t i;

	if (!rec || !out)
		return prof_error_set(err, -EINVAL, NULL, UINT64_MAX, "schema record check: NULL argument");
	if (rec->id != index)
		return prof_error_set(err, -EINVAL, NULL, offsetof(struct prof_schema_record, id),
				      "schema record %u: id %u, expected %u", index, rec->id, index);
	if (!memchr(rec->name, 0, sizeof(rec->name)))
		return prof_error_set(err, -EINVAL, NULL, offsetof(struct prof_schema_record, name),
				      "schema record %u: name is not NUL-terminated within %u bytes",
				      index, (unsigned)sizeof(rec->name));
	if (rec->name[0] == '\0')
		return prof_error_set(err, -EINVAL, NULL, offsetof(struct prof_schema_record, name),
				      "schema record %u: name is empty", index);
	if (rec->kind > PROF_KIND_INSTANT)
		return prof_error_set(err, -EINVAL, NULL, offsetof(struct prof_schema_record, kind),
				      "schema record %u (%s): kind %u, expected 0 to %u", index, rec->name,
				      rec->kind, PROF_KIND_INSTANT);
	if (rec->nfields > PROF_MAX_FIELDS)
		return prof_error_set(err, -EINVAL, NULL, offsetof(struct prof_schema_record, nfields),
				      "schema record %u (%s): nfields %u, at most %u", index, rec->name,
				      rec->nfields, PROF_MAX_FIELDS);

	for (i = 0; i < rec->nfields; i++) {
		const struct prof_schema_field *f = &rec->fields[i];
		uint64_t base = offsetof(struct prof_schema_record, fields) + (uint64_t)i * sizeof(*f);
		int size;

		if (!memchr(f->name, 0, sizeof(f->name)))
			return prof_error_set(err, -EINVAL, NULL, base + offsetof(struct prof_schema_field, name),
					      "schema record %u (%s): field %u name is not NUL-terminated within %u bytes",
					      index, rec->name, i, (unsigned)sizeof(f->name));
		/* CTF field names must be identifiers; an empty one could not
		 * be written to metadata. */
		if (f->name[0] == '\0')
			return prof_error_set(err, -EINVAL, NULL, base + offsetof(struct prof_schema_field, name),
					      "schema record %u (%s): field %u name is empty", index, rec->name, i);
		size = prof__type_size(f->type);
		if (size < 0)
			return prof_error_set(err, -EINVAL, NULL, base + offsetof(struct prof_schema_field, type),
					      "schema record %u (%s): field %s type %u, expected 1 to %u",
					      index, rec->name, f->name, f->type, PROF_TYPE_STRING);
		if (size == 0) {
			if (f->bound < 1 || f->bound > PROF_MAX_STRING_BOUND)
				return prof_error_set(err, -EINVAL, NULL,
						      base + offsetof(struct prof_schema_field, bound),
						      "schema record %u (%s): string field %s bound %u, expected 1 to %u",
						      index, rec->name, f->name, f->bound, PROF_MAX_STRING_BOUND);
			min_size += 1;
			max_size += (uint32_t)f->bound + 1;
		} else {
			min_size += (uint32_t)size;
			max_size += (uint32_t)size;
		}
	}

	/* Built whole and copied once, so @out never holds half a record. */
	memset(&ev, 0, sizeof(ev));
	memcpy(ev.name, rec->name, sizeof(ev.name));
	ev.id = rec->id;
	ev.kind = rec->kind;
	ev.nfields = rec->nfields;
	for (i = 0; i < rec->nfields; i++) {
		ev.fields[i] = rec->fields[i];
		ev.fields[i].reserved = 0;
		if (ev.fields[i].type != PROF_TYPE_STRING)
			ev.fields[i].bound = 0;
	}
	ev.min_size = min_size;
	ev.max_size = max_size;
	*out = ev;
	return 0;
}
