/* SPDX-License-Identifier: MIT */
/*
 * core/registry.c - event registration and the region's schema.
 *
 * An event is registered at its first use (or when it is enabled or
 * disabled by name).  Registration takes the core lock, gives the event an
 * id, and, if a region is attached, writes the event's schema record and
 * then release-stores schema_count: a collector that sees an event with
 * that id has, through the packet's release-stored content size, also seen
 * its record.
 *
 *   struct prof_event (per definition site)      ids[] (process-wide)
 *   +-------+------+------+     first use        +----+----------------+
 *   | state | desc | next | ------------------>  | id | desc           |
 *   +-------+------+------+   same name+fields   +----+----------------+
 *                             share one id              | published
 *                                                       v
 *                                      region schema[id], schema_count
 *
 * Definitions of the same event in several files (a PROF_EVENT in a
 * header) share one id when their names and fields are identical.
 */
#include "profile/errno.h"

#include "core/internal.h"

#define MAX_RULES 16

struct enable_rule {
	char prefix[PROF_NAME_MAX];
	int enabled;
};

static const struct prof_event_desc *ids[PROF__PROCESS_MAX_EVENTS];
static uint32_t id_count;
static struct prof_event *events; /* every registered definition site */
static struct enable_rule rules[MAX_RULES];
static uint32_t rule_count;

static int desc_equal(const struct prof_event_desc *a, const struct prof_event_desc *b)
{
	uint16_t i;

	if (a == b)
		return 1;
	if (a->kind != b->kind || a->nfields != b->nfields || !prof__str_eq(a->name, b->name))
		return 0;
	for (i = 0; i < a->nfields; i++)
		if (a->fields[i].type != b->fields[i].type || a->fields[i].bound != b->fields[i].bound ||
		    !prof__str_eq(a->fields[i].name, b->fields[i].name))
			return 0;
	return 1;
}

/* A field name TSDL can carry: a C identifier that fits its record. */
static int field_name_valid(const char *name)
{
	size_t n = 0;

	if (!name || !((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z') || name[0] == '_'))
		return 0;
	for (; name[n]; n++)
		if (!((name[n] >= 'a' && name[n] <= 'z') || (name[n] >= 'A' && name[n] <= 'Z') ||
		      (name[n] >= '0' && name[n] <= '9') || name[n] == '_'))
			return 0;
	return n < PROF_FIELD_NAME_MAX;
}

static size_t str_len(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

static int desc_valid(const struct prof_event_desc *d)
{
	uint16_t i, j;

	if (!d->name || !d->name[0] || str_len(d->name) >= PROF_NAME_MAX || d->nfields > PROF_MAX_FIELDS ||
	    d->kind > PROF_KIND_INSTANT)
		return 0;
	for (i = 0; i < d->nfields; i++) {
		const struct prof_field *f = &d->fields[i];

		if (!field_name_valid(f->name) || f->type < PROF_TYPE_U8 || f->type > PROF_TYPE_STRING)
			return 0;
		for (j = 0; j < i; j++)
			if (prof__str_eq(f->name, d->fields[j].name))
				return 0;
		if (f->type == PROF_TYPE_STRING && (f->bound < 1 || f->bound > PROF_MAX_STRING_BOUND))
			return 0;
	}
	return 1;
}

/* The last matching rule wins; events are enabled by default. */
static int rules_allow(const char *name)
{
	int enabled = 1;
	uint32_t i;

	for (i = 0; i < rule_count; i++)
		if (prof__str_has_prefix(name, rules[i].prefix))
			enabled = rules[i].enabled;
	return enabled;
}

static void schema_write(uint32_t id)
{
	struct prof_schema_record *rec = &prof__region.schema[id];
	const struct prof_event_desc *d = ids[id];
	uint16_t i;

	prof__bytes_zero(rec, sizeof(*rec));
	prof__str_copy(rec->name, d->name, sizeof(rec->name));
	rec->id = id;
	rec->kind = d->kind;
	rec->nfields = d->nfields;
	for (i = 0; i < d->nfields; i++) {
		prof__str_copy(rec->fields[i].name, d->fields[i].name, sizeof(rec->fields[i].name));
		rec->fields[i].type = d->fields[i].type;
		rec->fields[i].bound = d->fields[i].bound;
	}
}

/* Under the lock, with a region attached. */
static void schema_publish_upto(uint32_t count)
{
	uint32_t have = __atomic_load_n(&prof__region.hdr->schema_count, __ATOMIC_RELAXED);

	if (count > prof__region.max_events)
		count = prof__region.max_events;
	if (have > count)
		have = 0; /* a region someone else wrote into: rewrite all */
	for (; have < count; have++)
		schema_write(have);
	/* Publishes the records.  Pairs with the acquire load of schema_count
	 * in the reader's schema refresh (src/read/drain.c). */
	__atomic_store_n(&prof__region.hdr->schema_count, count, __ATOMIC_RELEASE);
}

void prof__schema_publish_all(void)
{
	if (prof__region.base)
		schema_publish_upto(id_count);
}

/* The state word an event should have now; under the lock. */
static uint32_t state_for(const struct prof_event *ev, uint32_t id, int user_off)
{
	(void)ev;
	if (user_off)
		return id | PROF__USER_OFF | PROF__OFF;
	if (!prof__region.base || id >= prof__region.max_events)
		return id | PROF__OFF;
	return id; /* recording: the state word is the id */
}

void prof__events_refresh_enabled(void)
{
	struct prof_event *ev;

	for (ev = events; ev; ev = ev->next) {
		uint32_t st = atomic_load_explicit(&ev->state, memory_order_relaxed);

		atomic_store_explicit(&ev->state, state_for(ev, st & PROF__ID_MASK, (st & PROF__USER_OFF) != 0),
				      memory_order_relaxed);
	}
}

/* Register @ev under the lock; returns its state word. */
static uint32_t register_locked(struct prof_event *ev)
{
	uint32_t st = atomic_load_explicit(&ev->state, memory_order_relaxed);
	uint32_t id;

	if (st != PROF__UNREGISTERED)
		return st;
	if (!desc_valid(ev->desc)) {
		/* Registered but never recorded: a bad descriptor. */
		st = PROF__OFF | PROF__USER_OFF;
		atomic_store_explicit(&ev->state, st, memory_order_relaxed);
		return st;
	}
	for (id = 0; id < id_count; id++)
		if (desc_equal(ids[id], ev->desc))
			break;
	if (id == id_count) {
		if (id_count == PROF__PROCESS_MAX_EVENTS) {
			st = PROF__OFF | PROF__USER_OFF;
			atomic_store_explicit(&ev->state, st, memory_order_relaxed);
			return st;
		}
		ids[id_count++] = ev->desc;
		if (prof__region.base)
			schema_publish_upto(id_count);
	}
	ev->next = events;
	events = ev;
	st = state_for(ev, id, !rules_allow(ev->desc->name));
	/* Relaxed is enough: the emitting thread reads its own store, and
	 * another thread that sees it also took the lock (or sees the schema
	 * through the release of schema_count above). */
	atomic_store_explicit(&ev->state, st, memory_order_relaxed);
	return st;
}

PROF_EXPORT uint32_t prof__event_first_use(struct prof_event *ev)
{
	uint32_t st;

	prof__host_first_use();
	if (prof__lock() != 0) {
		/* A signal handler's emit interrupted registration on this
		 * thread: drop this event, count it, register next time. */
		prof__count_nested_drop();
		return PROF__UNREGISTERED;
	}
	st = register_locked(ev);
	prof__unlock();
	return st;
}

PROF_EXPORT int prof_event_set_enabled(struct prof_event *ev, int enabled)
{
	uint32_t st;

	if (!ev || !ev->desc)
		return -PROF_EINVAL;
	if (prof__lock() != 0)
		return -PROF_EDEADLK;
	st = register_locked(ev);
	if ((st & PROF__ID_MASK) < id_count && ids[st & PROF__ID_MASK] && desc_valid(ev->desc))
		atomic_store_explicit(&ev->state, state_for(ev, st & PROF__ID_MASK, !enabled),
				      memory_order_relaxed);
	prof__unlock();
	return 0;
}

PROF_EXPORT int prof_events_set_enabled(const char *prefix, int enabled)
{
	struct prof_event *ev;
	int changed = 0;

	if (!prefix)
		return -PROF_EINVAL;
	if (prof__lock() != 0)
		return -PROF_EDEADLK;
	if (rule_count == MAX_RULES) {
		/* Keep the newest rules: they win anyway. */
		prof__bytes_copy(&rules[0], &rules[1], sizeof(rules[0]) * (MAX_RULES - 1));
		rule_count--;
	}
	prof__str_copy(rules[rule_count].prefix, prefix, sizeof(rules[rule_count].prefix));
	rules[rule_count].enabled = enabled;
	rule_count++;
	for (ev = events; ev; ev = ev->next) {
		uint32_t st = atomic_load_explicit(&ev->state, memory_order_relaxed);

		if (!prof__str_has_prefix(ev->desc->name, prefix) || !desc_valid(ev->desc))
			continue;
		atomic_store_explicit(&ev->state, state_for(ev, st & PROF__ID_MASK, !enabled),
				      memory_order_relaxed);
		changed++;
	}
	prof__unlock();
	return changed;
}
