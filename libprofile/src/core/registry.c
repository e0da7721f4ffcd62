/* SPDX-License-Identifier: MIT */
/*
 * core/registry.c - event registration and the region's schema.
 *
 * An event is registered at load, by a constructor each PROF_EVENT
 * defines (or when it is enabled or disabled, or by prof_gc_register()).
 * Registration takes the core lock, checks the definition with the one
 * validator (core/validate.c), gives it an id, and, if a region is
 * attached, writes the event's schema record and then release-stores
 * schema_count: a collector that sees an event with that id has, through
 * the packet's release-stored content size, also seen its record.
 *
 * Nothing is refused silently:
 *  - an invalid definition still gets an id, and its record is published
 *    with kind PROF_KIND_REFUSED, a printable copy of its name, and what
 *    was wrong (see docs/REGION.md), so a collector in another process can
 *    name it; it is counted in the header's refused_invalid and never
 *    records;
 *  - an event whose id is beyond the region's max_events (or beyond the
 *    process table) is counted in the header's refused_events: the count
 *    is of event TYPES, not of the emits they would have made (those cost
 *    nothing on the fast path and are not counted).
 *
 *   struct prof_event (per definition site)      ids[] (process-wide)
 *   +-------+------+------+   registration       +----+----------------+
 *   | state | desc | next | ------------------>  | id | desc           |
 *   +-------+------+------+   same name+fields   +----+----------------+
 *                             share one id              | published
 *                                                       v
 *                                      region schema[id], schema_count
 *
 * Definitions of the same event in several files (a PROF_EVENT in a
 * header) share one id when their names and fields are identical.
 * Enabling and disabling apply to a name: a per-id mode (follow the prefix
 * rules, on, off) is set for every id of that name, and every site of
 * those ids follows it.
 */
#include "profile/errno.h"

#include "core/internal.h"
#include "core/validate.h"

#define MAX_RULES 16

struct enable_rule {
	char prefix[PROF_NAME_MAX];
	int enabled;
};

/* How an id's sites decide whether they record. */
enum id_mode {
	MODE_RULES = 0, /* the prefix rules (prof_events_set_enabled()) */
	MODE_ON,        /* prof_event_set_enabled(.., 1) on its name */
	MODE_OFF,       /* prof_event_set_enabled(.., 0) on its name */
};

struct id_info {
	const struct prof_event_desc *desc;
	uint8_t mode;       /* enum id_mode */
	uint8_t refused;    /* the validator refused the definition */
	struct prof__event_fault fault;
};

static struct id_info ids[PROF__PROCESS_MAX_EVENTS];
static uint32_t id_count;
static struct prof_event *events; /* every registered definition site */
static struct enable_rule rules[MAX_RULES];
static uint32_t rule_count;
/* Refusals so far in this process: added to each region at attach, and
 * to the attached one as they happen. */
static uint64_t refused_invalid_total;
static uint64_t refused_table_full; /* definitions beyond PROF__PROCESS_MAX_EVENTS */
/* Ids beyond max_events already counted in the attached region. */
static uint32_t over_counted;

/* Both valid (the validator accepted them). */
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

/* Whether the user turned id off (it is valid). */
static int id_user_off(uint32_t id)
{
	if (ids[id].mode == MODE_RULES)
		return !rules_allow(ids[id].desc->name);
	return ids[id].mode == MODE_OFF;
}

/* A printable, NUL-terminated copy of at most size - 1 bytes of @src
 * (which may be NULL or unterminated within the limit): bytes outside
 * printable ASCII become '?'. */
static void printable_copy(char *dst, const char *src, size_t size)
{
	size_t n = 0;

	if (!src) {
		prof__str_copy(dst, "(null)", size);
		return;
	}
	for (; n + 1 < size && src[n]; n++)
		dst[n] = (src[n] >= 0x20 && src[n] < 0x7f) ? src[n] : '?';
	dst[n] = '\0';
}

static void schema_write(uint32_t id)
{
	struct prof_schema_record *rec = &prof__region.schema[id];
	const struct id_info *info = &ids[id];
	const struct prof_event_desc *d = info->desc;
	uint16_t i;

	prof__bytes_zero(rec, sizeof(*rec));
	rec->id = id;
	if (info->refused) {
		/* A name for the collector's report, and why. */
		printable_copy(rec->name, d->name, sizeof(rec->name));
		rec->kind = PROF_KIND_REFUSED;
		rec->reserved[0] = info->fault.problem;
		rec->reserved[1] = (uint32_t)(info->fault.field + 1);
		if (info->fault.field >= 0 && d->fields)
			printable_copy(rec->fields[0].name, d->fields[info->fault.field].name,
				       sizeof(rec->fields[0].name));
		return;
	}
	prof__str_copy(rec->name, d->name, sizeof(rec->name));
	rec->kind = d->kind;
	rec->nfields = d->nfields;
	for (i = 0; i < d->nfields; i++) {
		prof__str_copy(rec->fields[i].name, d->fields[i].name, sizeof(rec->fields[i].name));
		rec->fields[i].type = d->fields[i].type;
		rec->fields[i].bound = (uint16_t)d->fields[i].bound;
	}
}

/* Under the lock, with a region attached. */
static void schema_publish_upto(uint32_t count)
{
	uint32_t have = __atomic_load_n(&prof__region.hdr->schema_count, __ATOMIC_RELAXED);

	if (count > prof__region.max_events) {
		uint32_t over = count - prof__region.max_events;

		/* Types the schema has no room for: counted once each.  A
		 * statistic; readers load it relaxed. */
		if (over > over_counted) {
			__atomic_fetch_add(&prof__region.hdr->refused_events, over - over_counted, __ATOMIC_RELAXED);
			over_counted = over;
		}
		count = prof__region.max_events;
	}
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
	if (!prof__region.base)
		return;
	/* A new region: what this process refused before is news to it. */
	over_counted = 0;
	if (refused_invalid_total)
		__atomic_fetch_add(&prof__region.hdr->refused_invalid, refused_invalid_total, __ATOMIC_RELAXED);
	if (refused_table_full)
		__atomic_fetch_add(&prof__region.hdr->refused_events, refused_table_full, __ATOMIC_RELAXED);
	schema_publish_upto(id_count);
}

/* The state word a site of @id should have now; under the lock. */
static uint32_t state_for(uint32_t id)
{
	if (ids[id].refused)
		return id | PROF__REFUSED | PROF__OFF;
	if (id_user_off(id))
		return id | PROF__USER_OFF | PROF__OFF;
	if (!prof__region.base || id >= prof__region.max_events)
		return id | PROF__OFF;
	return id; /* recording: the state word is the id */
}

/* Under the lock.  Relaxed stores: the emitting thread reads its own, and
 * another thread that sees one also took the lock (or sees the schema
 * through the release of schema_count). */
static void site_refresh(struct prof_event *ev)
{
	uint32_t st = atomic_load_explicit(&ev->state, memory_order_relaxed);

	if (st == PROF__UNREGISTERED || (st & PROF__ID_MASK) >= id_count)
		return; /* a site the process table had no room for: stays off */
	atomic_store_explicit(&ev->state, state_for(st & PROF__ID_MASK), memory_order_relaxed);
}

void prof__events_refresh_enabled(void)
{
	struct prof_event *ev;

	for (ev = events; ev; ev = ev->next)
		site_refresh(ev);
}

/* A new id for @d (under the lock), or UINT32_MAX if the table is full. */
static uint32_t id_new(const struct prof_event_desc *d, const struct prof__event_fault *fault)
{
	struct id_info *info;
	uint32_t id = id_count, i;

	if (id_count == PROF__PROCESS_MAX_EVENTS) {
		refused_table_full++;
		if (prof__region.base)
			__atomic_fetch_add(&prof__region.hdr->refused_events, 1, __ATOMIC_RELAXED);
		return UINT32_MAX;
	}
	info = &ids[id_count++];
	info->desc = d;
	info->refused = fault != NULL;
	info->mode = MODE_RULES;
	if (fault) {
		info->fault = *fault;
		refused_invalid_total++;
		if (prof__region.base)
			__atomic_fetch_add(&prof__region.hdr->refused_invalid, 1, __ATOMIC_RELAXED);
	} else {
		/* A name the user switched on or off keeps its setting. */
		for (i = 0; i < id; i++)
			if (!ids[i].refused && prof__str_eq(ids[i].desc->name, d->name)) {
				info->mode = ids[i].mode;
				break;
			}
	}
	if (prof__region.base)
		schema_publish_upto(id_count);
	return id;
}

/* Register @ev under the lock; returns its state word. */
static uint32_t register_locked(struct prof_event *ev)
{
	uint32_t st = atomic_load_explicit(&ev->state, memory_order_relaxed);
	struct prof__event_fault fault;
	uint32_t id;

	if (st != PROF__UNREGISTERED)
		return st;
	if (prof__event_desc_validate(ev->desc, &fault) != 0) {
		id = id_new(ev->desc, &fault);
	} else {
		for (id = 0; id < id_count; id++)
			if (!ids[id].refused && desc_equal(ids[id].desc, ev->desc))
				break;
		if (id == id_count)
			id = id_new(ev->desc, NULL);
	}
	if (id == UINT32_MAX || ids[id].refused) {
		/* Off for good: never in the list, which only refreshes
		 * states that can change. */
		st = id == UINT32_MAX ? PROF__OFF | PROF__REFUSED | PROF__ID_MASK : state_for(id);
		atomic_store_explicit(&ev->state, st, memory_order_relaxed);
		return st;
	}
	ev->next = events;
	events = ev;
	st = state_for(id);
	atomic_store_explicit(&ev->state, st, memory_order_relaxed);
	return st;
}

PROF_EXPORT uint32_t prof__event_first_use(struct prof_event *ev)
{
	uint32_t st;

	if (!ev || !ev->desc)
		return PROF__UNREGISTERED;
	prof__host_first_use();
	if (prof__lock() != 0) {
		/* A signal handler interrupted registration on this thread:
		 * drop this event, count it, register next time. */
		prof__count_nested_drop();
		return PROF__UNREGISTERED;
	}
	st = register_locked(ev);
	prof__unlock();
	return st;
}

/* Whether a registered site's id is a valid event (not refused). */
static int site_valid(uint32_t st)
{
	return (st & PROF__ID_MASK) < id_count && !ids[st & PROF__ID_MASK].refused;
}

PROF_EXPORT int prof_event_set_enabled(struct prof_event *ev, int enabled)
{
	struct prof_event *e;
	const char *name;
	uint32_t st, id;

	if (!ev || !ev->desc)
		return -PROF_EINVAL;
	if (prof__lock() != 0)
		return -PROF_EDEADLK;
	st = register_locked(ev);
	if (!site_valid(st))
		goto out; /* refused: stays off */
	/* Every id of this name, and so every site of those ids. */
	name = ids[st & PROF__ID_MASK].desc->name;
	for (id = 0; id < id_count; id++)
		if (!ids[id].refused && prof__str_eq(ids[id].desc->name, name))
			ids[id].mode = enabled ? MODE_ON : MODE_OFF;
	for (e = events; e; e = e->next)
		site_refresh(e);
out:
	prof__unlock();
	return 0;
}

PROF_EXPORT int prof_events_set_enabled(const char *prefix, int enabled)
{
	struct prof_event *ev;
	uint32_t id;
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
	/* The newest rule matches these names: they follow the rules again. */
	for (id = 0; id < id_count; id++)
		if (!ids[id].refused && prof__str_has_prefix(ids[id].desc->name, prefix))
			ids[id].mode = MODE_RULES;
	for (ev = events; ev; ev = ev->next) {
		uint32_t st = atomic_load_explicit(&ev->state, memory_order_relaxed);

		if (!site_valid(st) || !prof__str_has_prefix(ev->desc->name, prefix))
			continue;
		site_refresh(ev);
		changed++;
	}
	prof__unlock();
	return changed;
}
