/* SPDX-License-Identifier: MIT */
/*
 * core/validate.h - the one definition of "a valid event" (not installed).
 *
 * The registry (at registration), the reader (for each schema record) and
 * the CTF metadata writer and parser (for each event of a trace) all ask
 * prof__event_validate(), so an event one of them accepts is an event all
 * of them accept.  Freestanding: no libc.
 */
#ifndef PROF_CORE_VALIDATE_H
#define PROF_CORE_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#include "profile/event.h"
#include "profile/format.h"

/* What is wrong with an event definition.  Stable numbers: a refused
 * definition's schema record carries one (see docs/REGION.md). */
enum prof__event_problem {
	PROF__EV_OK = 0,
	PROF__EV_NAME_MISSING = 1,      /* no name (NULL) */
	PROF__EV_NAME_EMPTY = 2,
	PROF__EV_NAME_LONG = 3,         /* PROF_NAME_MAX bytes or more */
	PROF__EV_KIND = 4,              /* not an enum prof_event_kind */
	PROF__EV_TOO_MANY_FIELDS = 5,   /* more than PROF_MAX_FIELDS */
	PROF__EV_FIELD_NAME_MISSING = 6,
	PROF__EV_FIELD_NAME_EMPTY = 7,
	PROF__EV_FIELD_NAME_LONG = 8,   /* PROF_FIELD_NAME_MAX bytes or more */
	PROF__EV_FIELD_NAME_CHARS = 9,  /* not a C identifier ([A-Za-z_][A-Za-z0-9_]*) */
	PROF__EV_FIELD_DUPLICATE = 10,  /* the same name as an earlier field */
	PROF__EV_FIELD_TYPE = 11,       /* not an enum prof_field_type */
	PROF__EV_STRING_BOUND = 12,     /* a string's bound outside 1..PROF_MAX_STRING_BOUND */
	PROF__EV_PROBLEM_COUNT
};

/* A problem and where: @field is the field's index, or -1 for the event. */
struct prof__event_fault {
	uint32_t problem; /* enum prof__event_problem */
	int32_t field;
};

/* One field as the validator sees it: @name may not be NUL-terminated
 * within @name_cap bytes (a fixed array copied from a region). */
struct prof__field_view {
	const char *name;
	size_t name_cap;
	uint32_t type;
	uint32_t bound;
};

/*
 * prof__event_validate() - check one event definition.
 * @name: its name; @name_cap: bytes readable there (the scan stops there).
 * @kind: enum prof_event_kind.
 * @nfields: number of fields; more than PROF_MAX_FIELDS is refused
 *           before @fields is read.
 * @fields: @nfields views.
 * @fault: filled with the first problem found (PROF__EV_OK and -1 if none).
 *
 * Return: 0 if valid, else -1 with @fault set.
 */
int prof__event_validate(const char *name, size_t name_cap, uint32_t kind, uint32_t nfields,
			 const struct prof__field_view *fields, struct prof__event_fault *fault);

/* The same for a static descriptor (names are C strings). */
int prof__event_desc_validate(const struct prof_event_desc *d, struct prof__event_fault *fault);

/* The same for fields in region layout (a schema record or a reader's
 * struct prof_schema_event: fixed name arrays). */
int prof__event_schema_validate(const char *name, size_t name_cap, uint32_t kind, uint32_t nfields,
				const struct prof_schema_field *fields, struct prof__event_fault *fault);

/* A short English description of @problem ("field name is not a C
 * identifier"); never NULL. */
const char *prof__event_problem_text(uint32_t problem);

/* The encoded size of a fixed-size field type: 1, 2, 4 or 8; 0 for a
 * string (its size depends on the payload) or a type that does not exist.
 * The one table of sizes: the validator, the schema check and the
 * reader's event walker (src/read/packet.c, on its hot path: hence
 * inline) all use it. */
static inline uint32_t prof__field_type_size(uint32_t type)
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
	default:
		return 0;
	}
}

#endif
