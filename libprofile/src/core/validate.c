/* SPDX-License-Identifier: MIT */
/*
 * core/validate.c - the one check of an event definition.
 *
 * An event definition reaches mprof three ways: as a static descriptor
 * (PROF_EVENT) at registration, as a schema record copied out of a region
 * by a reader, and as an event of a trace's TSDL metadata.  Each caller
 * builds the same small view and asks this file, so the three agree:
 *
 *   struct prof_event_desc   --\
 *   struct prof_schema_record --+--> prof__event_validate() --> ok, or
 *   struct prof_schema_event --/        (name, kind, fields)    (problem, field)
 *
 * The rules are what the CTF metadata can carry and the packet walker can
 * bound: a non-empty name of less than PROF_NAME_MAX bytes, a known kind,
 * at most PROF_MAX_FIELDS fields, each with a C identifier of less than
 * PROF_FIELD_NAME_MAX bytes for a name (no two alike), a known type, and
 * for strings a bound of 1 to PROF_MAX_STRING_BOUND bytes.
 *
 * Names copied from a region may lack their NUL: every scan is bounded by
 * the caller's capacity.  Freestanding C: no libc.
 */
#include "core/validate.h"

static const char *const problem_texts[PROF__EV_PROBLEM_COUNT] = {
	[PROF__EV_OK] = "valid",
	[PROF__EV_NAME_MISSING] = "the event has no name",
	[PROF__EV_NAME_EMPTY] = "the event name is empty",
	[PROF__EV_NAME_LONG] = "the event name is longer than 63 bytes",
	[PROF__EV_KIND] = "unknown event kind",
	[PROF__EV_TOO_MANY_FIELDS] = "more than 14 fields",
	[PROF__EV_FIELD_NAME_MISSING] = "the field has no name",
	[PROF__EV_FIELD_NAME_EMPTY] = "the field name is empty",
	[PROF__EV_FIELD_NAME_LONG] = "the field name is longer than 27 bytes",
	[PROF__EV_FIELD_NAME_CHARS] = "the field name is not a C identifier",
	[PROF__EV_FIELD_DUPLICATE] = "the field name repeats an earlier field's",
	[PROF__EV_FIELD_TYPE] = "unknown field type",
	[PROF__EV_STRING_BOUND] = "the string bound is not 1 to 4095",
};

_Static_assert(PROF_NAME_MAX == 64 && PROF_FIELD_NAME_MAX == 28 && PROF_MAX_FIELDS == 14 &&
		       PROF_MAX_STRING_BOUND == 4095,
	       "the problem texts quote these limits");

const char *prof__event_problem_text(uint32_t problem)
{
	if (problem >= PROF__EV_PROBLEM_COUNT)
		return "unknown problem";
	return problem_texts[problem];
}


/* Length of @s within @cap bytes; @cap if no NUL there. */
static size_t bounded_len(const char *s, size_t cap)
{
	size_t n = 0;

	while (n < cap && s[n])
		n++;
	return n;
}

static int is_ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_ident_char(char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

/* Both names are known to end within PROF_FIELD_NAME_MAX bytes. */
static int names_equal(const char *a, const char *b)
{
	size_t i;

	for (i = 0; a[i] == b[i]; i++)
		if (!a[i])
			return 1;
	return 0;
}

static int fail(struct prof__event_fault *fault, uint32_t problem, int32_t field)
{
	if (fault) {
		fault->problem = problem;
		fault->field = field;
	}
	return -1;
}

int prof__event_validate(const char *name, size_t name_cap, uint32_t kind, uint32_t nfields,
			 const struct prof__field_view *fields, struct prof__event_fault *fault)
{
	uint32_t i, j;
	size_t n;

	if (!name)
		return fail(fault, PROF__EV_NAME_MISSING, -1);
	n = bounded_len(name, name_cap < PROF_NAME_MAX ? name_cap : PROF_NAME_MAX);
	if (n == 0 && name_cap > 0)
		return fail(fault, PROF__EV_NAME_EMPTY, -1);
	if (n >= PROF_NAME_MAX || n == name_cap)
		return fail(fault, n == 0 ? PROF__EV_NAME_EMPTY : PROF__EV_NAME_LONG, -1);
	if (kind > PROF_KIND_INSTANT)
		return fail(fault, PROF__EV_KIND, -1);
	if (nfields > PROF_MAX_FIELDS)
		return fail(fault, PROF__EV_TOO_MANY_FIELDS, -1);
	for (i = 0; i < nfields; i++) {
		const struct prof__field_view *f = &fields[i];
		size_t cap = f->name_cap < PROF_FIELD_NAME_MAX ? f->name_cap : PROF_FIELD_NAME_MAX;

		if (!f->name)
			return fail(fault, PROF__EV_FIELD_NAME_MISSING, (int32_t)i);
		n = bounded_len(f->name, cap);
		if (n == 0 && cap > 0)
			return fail(fault, PROF__EV_FIELD_NAME_EMPTY, (int32_t)i);
		if (n >= PROF_FIELD_NAME_MAX || n == cap)
			return fail(fault, n == 0 ? PROF__EV_FIELD_NAME_EMPTY : PROF__EV_FIELD_NAME_LONG, (int32_t)i);
		if (!is_ident_start(f->name[0]))
			return fail(fault, PROF__EV_FIELD_NAME_CHARS, (int32_t)i);
		for (j = 1; j < n; j++)
			if (!is_ident_char(f->name[j]))
				return fail(fault, PROF__EV_FIELD_NAME_CHARS, (int32_t)i);
		for (j = 0; j < i; j++)
			if (names_equal(fields[j].name, f->name))
				return fail(fault, PROF__EV_FIELD_DUPLICATE, (int32_t)i);
		if (f->type == PROF_TYPE_STRING) {
			if (f->bound < 1 || f->bound > PROF_MAX_STRING_BOUND)
				return fail(fault, PROF__EV_STRING_BOUND, (int32_t)i);
		} else if (prof__field_type_size(f->type) == 0) {
			return fail(fault, PROF__EV_FIELD_TYPE, (int32_t)i);
		}
	}
	if (fault) {
		fault->problem = PROF__EV_OK;
		fault->field = -1;
	}
	return 0;
}

int prof__event_desc_validate(const struct prof_event_desc *d, struct prof__event_fault *fault)
{
	struct prof__field_view v[PROF_MAX_FIELDS];
	uint32_t i;

	if (!d)
		return fail(fault, PROF__EV_NAME_MISSING, -1);
	if (d->nfields <= PROF_MAX_FIELDS) {
		if (d->nfields && !d->fields)
			return fail(fault, PROF__EV_FIELD_NAME_MISSING, 0);
		for (i = 0; i < d->nfields; i++) {
			v[i].name = d->fields[i].name;
			v[i].name_cap = PROF_FIELD_NAME_MAX;
			v[i].type = d->fields[i].type;
			v[i].bound = d->fields[i].bound;
		}
	}
	/* A C string: scanning up to the limit is safe, it ends sooner or
	 * is refused there. */
	return prof__event_validate(d->name, PROF_NAME_MAX, d->kind, d->nfields, v, fault);
}

int prof__event_schema_validate(const char *name, size_t name_cap, uint32_t kind, uint32_t nfields,
				const struct prof_schema_field *fields, struct prof__event_fault *fault)
{
	struct prof__field_view v[PROF_MAX_FIELDS];
	uint32_t i;

	if (nfields <= PROF_MAX_FIELDS) {
		for (i = 0; i < nfields; i++) {
			v[i].name = fields[i].name;
			v[i].name_cap = sizeof(fields[i].name);
			v[i].type = fields[i].type;
			v[i].bound = fields[i].bound;
		}
	}
	return prof__event_validate(name, name_cap, kind, nfields, v, fault);
}
