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
 *   68   u16  kind              enum prof_event_kind, 0..4, or
 *                               PROF_KIND_REFUSED (255): see below
 *   70   u16  nfields           <= PROF_MAX_FIELDS (14)
 *   72   u32  reserved[6]       ignored (a refused record: [0] problem,
 *                               [1] field index + 1)
 *   96   fields[14], 32 bytes each, the first nfields used:
 *          +0  char name[28]    NUL-terminated, a C identifier, unique
 *          +28 u8   type        enum prof_field_type, 1..10
 *          +29 u8   reserved
 *          +30 u16  bound       strings: 1..PROF_MAX_STRING_BOUND
 *
 * What makes an event valid is decided in one place for the whole
 * toolkit, core/validate.c; this file only locates the fault in the
 * record for the message.  A PROF_KIND_REFUSED record is the producer
 * naming a definition it refused (counted in the header's
 * refused_invalid): it is reported (-ECANCELED, with its name and what
 * was wrong) rather than treated as a corrupt record.
 *
 * From the field types it derives the payload's smallest and largest
 * encoding (min_size: every string empty; max_size: every string at its
 * bound), which the packet walker uses to reject truncated events early.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "core/validate.h"
#include "profile/read.h"
#include "read/read_private.h"

/* A printable copy of a name from a record (bounded, maybe unterminated). */
static void printable(char *dst, size_t size, const char *src, size_t cap)
{
	size_t n;

	for (n = 0; n + 1 < size && n < cap && src[n]; n++)
		dst[n] = (src[n] >= 0x20 && src[n] < 0x7f) ? src[n] : '?';
	dst[n] = '\0';
}

PROF_EXPORT int prof_schema_record_check(const struct prof_schema_record *rec, uint32_t index,
					 struct prof_schema_event *out, struct prof_error *err)
{
	struct prof_schema_event ev;
	struct prof__event_fault fault;
	char name[PROF_NAME_MAX];
	uint64_t off;
	uint16_t i;

	if (!rec || !out)
		return prof_error_set(err, -EINVAL, NULL, UINT64_MAX, "schema record check: NULL argument");
	printable(name, sizeof(name), rec->name, sizeof(rec->name));
	if (rec->id != index)
		return prof_error_set(err, -EINVAL, NULL, offsetof(struct prof_schema_record, id),
				      "schema record %u (%s): id %u, expected %u", index, name, rec->id, index);
	if (rec->kind == PROF_KIND_REFUSED) {
		/* The producer's own report of a definition it refused. */
		char field[PROF_FIELD_NAME_MAX];

		printable(field, sizeof(field), rec->fields[0].name, sizeof(rec->fields[0].name));
		if (rec->reserved[1] == 0 || rec->reserved[1] > PROF_MAX_FIELDS + 1u)
			return prof_error_set(err, -ECANCELED, NULL, offsetof(struct prof_schema_record, kind),
					      "event '%s' (id %u) refused by the producer: %s", name, index,
					      prof__event_problem_text(rec->reserved[0]));
		return prof_error_set(err, -ECANCELED, NULL, offsetof(struct prof_schema_record, kind),
				      "event '%s' (id %u) refused by the producer: field %u ('%s'): %s", name,
				      index, rec->reserved[1] - 1, field, prof__event_problem_text(rec->reserved[0]));
	}
	if (prof__event_schema_validate(rec->name, sizeof(rec->name), rec->kind, rec->nfields, rec->fields,
					&fault) != 0) {
		if (fault.field < 0) {
			off = fault.problem == PROF__EV_KIND ? offsetof(struct prof_schema_record, kind)
				: fault.problem == PROF__EV_TOO_MANY_FIELDS ? offsetof(struct prof_schema_record, nfields)
				: offsetof(struct prof_schema_record, name);
			if (fault.problem == PROF__EV_KIND || fault.problem == PROF__EV_TOO_MANY_FIELDS)
				return prof_error_set(err, -EINVAL, NULL, off, "event '%s' (id %u): %s (%s %u)", name,
						      index, prof__event_problem_text(fault.problem),
						      fault.problem == PROF__EV_KIND ? "kind" : "nfields",
						      fault.problem == PROF__EV_KIND ? rec->kind : rec->nfields);
			return prof_error_set(err, -EINVAL, NULL, off, "event '%s' (id %u): %s", name, index,
					      prof__event_problem_text(fault.problem));
		} else {
			const struct prof_schema_field *f = &rec->fields[fault.field];
			char field[PROF_FIELD_NAME_MAX];

			printable(field, sizeof(field), f->name, sizeof(f->name));
			off = offsetof(struct prof_schema_record, fields) + (uint64_t)fault.field * sizeof(*f) +
			      (fault.problem == PROF__EV_FIELD_TYPE ? offsetof(struct prof_schema_field, type)
			       : fault.problem == PROF__EV_STRING_BOUND ? offsetof(struct prof_schema_field, bound)
			       : offsetof(struct prof_schema_field, name));
			if (fault.problem == PROF__EV_FIELD_TYPE || fault.problem == PROF__EV_STRING_BOUND)
				return prof_error_set(err, -EINVAL, NULL, off,
						      "event '%s' (id %u): field %d ('%s'): %s (%s %u)", name, index,
						      fault.field, field, prof__event_problem_text(fault.problem),
						      fault.problem == PROF__EV_FIELD_TYPE ? "type" : "bound",
						      fault.problem == PROF__EV_FIELD_TYPE ? f->type : f->bound);
			return prof_error_set(err, -EINVAL, NULL, off, "event '%s' (id %u): field %d ('%s'): %s",
					      name, index, fault.field, field, prof__event_problem_text(fault.problem));
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
	prof_schema_event_sizes(&ev);
	*out = ev;
	return 0;
}

PROF_EXPORT void prof_schema_event_sizes(struct prof_schema_event *ev)
{
	uint16_t i;

	ev->min_size = 0;
	ev->max_size = 0;
	for (i = 0; i < ev->nfields && i < PROF_MAX_FIELDS; i++) {
		const struct prof_schema_field *f = &ev->fields[i];

		if (f->type == PROF_TYPE_STRING) {
			ev->min_size += 1;
			ev->max_size += (uint32_t)f->bound + 1;
		} else {
			ev->min_size += prof__field_type_size(f->type);
			ev->max_size += prof__field_type_size(f->type);
		}
	}
}

PROF_EXPORT int prof_schema_event_check(const struct prof_schema_event *ev, struct prof_error *err)
{
	struct prof__event_fault fault;
	char name[PROF_NAME_MAX];

	if (!ev)
		return prof_error_set(err, -EINVAL, NULL, UINT64_MAX, "schema event check: NULL argument");
	if (prof__event_schema_validate(ev->name, sizeof(ev->name), ev->kind, ev->nfields, ev->fields, &fault) == 0)
		return 0;
	printable(name, sizeof(name), ev->name, sizeof(ev->name));
	if (fault.field < 0)
		return prof_error_set(err, -EINVAL, NULL, UINT64_MAX, "event '%s' (id %u): %s", name, ev->id,
				      prof__event_problem_text(fault.problem));
	{
		char field[PROF_FIELD_NAME_MAX];

		printable(field, sizeof(field), ev->fields[fault.field].name, sizeof(ev->fields[fault.field].name));
		return prof_error_set(err, -EINVAL, NULL, UINT64_MAX, "event '%s' (id %u): field %d ('%s'): %s",
				      name, ev->id, fault.field, field, prof__event_problem_text(fault.problem));
	}
}
