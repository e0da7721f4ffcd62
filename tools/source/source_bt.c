/* SPDX-License-Identifier: MIT */
/*
 * tools/source/source_bt.c - foreign CTF through libbabeltrace2.
 *
 *   src.ctf.fs per trace dir --one port per stream--> utils.muxer --> simple sink
 *                                                      (time order)     |
 *                          consume(): bt_message_iterator_next() --> queue of messages
 *                                                                       |
 *                          prof__bt_next(): pop, count, map an event --> prof_decoded_event
 *
 * The graph is run one step at a time (bt_graph_run_once()) whenever the
 * queue is empty, so a trace of any size streams through a few batches of
 * messages.  The message an event came from is kept (one reference) until
 * the next call, so its strings stay valid without a copy.
 *
 * The contract with babeltrace2's output, as drain.c's with hostile memory:
 * babeltrace2 has validated the bytes; what it delivers is mapped, never
 * trusted to fit.  Each event class gets a schema entry when its trace
 * first appears (every trace class is registered whole, so the schema is
 * complete at open for every trace whose stream began before the first
 * event, which the muxer guarantees); names longer than the schema holds
 * are cut; each value the schema cannot carry (arrays, structures,
 * variants, options, fields beyond PROF_MAX_FIELDS) is skipped and counted
 * (struct mprof_source_skips), the first of its kind named in the error;
 * strings longer than PROF_MAX_STRING_BOUND are cut and counted.
 * Discarded-events and discarded-packets messages are counted into the
 * stats (events_discarded, packets_lost) and into each event's
 * packet_discarded and packet_seq, so the shared analysis sees the gap.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <babeltrace2/babeltrace.h>

#include "source_bt.h"

/* One schema entry's origin: where its fields come from. */
struct bt_evmap {
	const bt_event_class *ec;  /* borrowed; the key */
	uint32_t index;            /* schema index */
	uint16_t npayload;         /* mapped payload members (prefix of the schema's fields) */
	uint16_t nctx;             /* mapped specific-context members after them */
	uint8_t src_payload[PROF_MAX_FIELDS]; /* member index per mapped field */
	uint8_t src_ctx[PROF_MAX_FIELDS];
	uint32_t skipped;          /* members not mapped: counted per event */
};

/* Per stream: what the analysis needs to see losses. */
struct bt_stream_state {
	const bt_stream *stream;   /* borrowed; the key */
	uint64_t packets;          /* packet beginnings + packets lost */
	uint64_t discarded;        /* cumulative discarded events */
	uint32_t trace;
};

struct prof__bt_source {
	char path[256];            /* for messages */
	char input[4096];          /* what src.ctf.fs reads */
	bt_graph *graph;
	bt_message_iterator *iter; /* the simple sink's, borrowed */
	int ended;

	/* Messages received, not yet handled: queue[head..count). */
	const bt_message **queue;
	size_t head, count, cap;
	const bt_message *current; /* the last event's message (owned) */

	struct prof_trace_desc desc;
	struct bt_evmap *maps;     /* [nmaps]: one per event class */
	size_t nmaps, maps_cap;    /* maps_cap: of maps and of desc.schema.events */
	/* Open addressing: event class pointer -> maps index + 1. */
	uint32_t *hash;
	size_t hash_cap;

	const bt_trace **traces;   /* borrowed; index is the event's trace */
	size_t ntraces, traces_cap;
	struct bt_stream_state *streams;
	size_t nstreams, streams_cap;

	struct prof_trace_stats stats;
	struct mprof_source_skips skips;
	int have_error;
	struct prof_error err;
	char strbuf[PROF_MAX_FIELDS][PROF_MAX_STRING_BOUND + 1]; /* cut strings only */
};

/* ---- babeltrace2's errors ---- */

/* Take the current thread's babeltrace2 error, keep its deepest cause's text. */
static int bt_fail(struct prof__bt_source *b, struct prof_error *err, int code, const char *what)
{
	const bt_error *e = bt_current_thread_take_error();
	const char *cause = NULL;
	char text[200], *q;
	uint64_t n;

	if (e) {
		n = bt_error_get_cause_count(e);
		/* Causes are appended as the error travels up: the first is
		 * the root (the component that found the problem). */
		if (n)
			cause = bt_error_cause_get_message(bt_error_borrow_cause_by_index(e, 0));
	}
	snprintf(text, sizeof(text), "%s", cause ? cause : "no detail");
	/* Its object addresses say nothing to a reader of the message. */
	for (char *p = strstr(text, "addr=0x"); p; p = NULL) {
		while (p > text && p[-1] != ' ' && p[-1] != ',')
			p--;
		while (p > text && (p[-1] == ' ' || p[-1] == ':' || p[-1] == ','))
			p--;
		*p = '\0';
	}
	/* One line: babeltrace2's messages may hold newlines. */
	for (char *p = text; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	/* A mirage-profile trace is read from a prepared directory: name the caller's. */
	q = strcmp(b->input, b->path) ? strstr(text, b->input) : NULL;
	if (q) {
		*q = '\0';
		prof_error_set(err, code, b->path, UINT64_MAX, "babeltrace2: %s: %s%s%s", what, text, b->path,
			       q + strlen(b->input));
	} else {
		prof_error_set(err, code, b->path, UINT64_MAX, "babeltrace2: %s: %s", what, text);
	}
	if (e)
		bt_error_release(e);
	return code;
}

/* ---- the simple sink ---- */

static bt_graph_simple_sink_component_initialize_func_status sink_init(bt_message_iterator *it, void *data)
{
	struct prof__bt_source *b = data;

	b->iter = it;
	return BT_GRAPH_SIMPLE_SINK_COMPONENT_INITIALIZE_FUNC_STATUS_OK;
}

static bt_graph_simple_sink_component_consume_func_status sink_consume(bt_message_iterator *it, void *data)
{
	struct prof__bt_source *b = data;
	bt_message_array_const msgs;
	uint64_t n, i;

	switch (bt_message_iterator_next(it, &msgs, &n)) {
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_OK:
		break;
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_END:
		return BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_END;
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_AGAIN:
		return BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_AGAIN;
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_MEMORY_ERROR:
		return BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_MEMORY_ERROR;
	default:
		return BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_ERROR;
	}
	if (b->count + n > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		const bt_message **q;

		/* The queue is empty when the graph runs (next() drains it
		 * first), so this only grows for a larger batch. */
		while (cap < b->count + n)
			cap *= 2;
		q = realloc(b->queue, cap * sizeof(*q));
		if (!q) {
			for (i = 0; i < n; i++)
				bt_message_put_ref(msgs[i]);
			return BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_MEMORY_ERROR;
		}
		b->queue = q;
		b->cap = cap;
	}
	/* The references move to the queue; prof__bt_next() puts them. */
	for (i = 0; i < n; i++)
		b->queue[b->count++] = msgs[i];
	return BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_OK;
}

/* ---- schema ---- */

static size_t hash_ptr(const void *p, size_t cap)
{
	uint64_t x = (uint64_t)(uintptr_t)p;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return (size_t)x & (cap - 1);
}

static int hash_insert(struct prof__bt_source *b, const bt_event_class *ec, uint32_t value)
{
	size_t i;

	if ((b->nmaps + 1) * 2 > b->hash_cap) {
		size_t cap = b->hash_cap ? b->hash_cap * 2 : 64, j;
		uint32_t *h = calloc(cap, sizeof(*h));

		if (!h)
			return -ENOMEM;
		for (j = 0; j < b->hash_cap; j++) {
			if (!b->hash[j])
				continue;
			i = hash_ptr(b->maps[b->hash[j] - 1].ec, cap);
			while (h[i])
				i = (i + 1) & (cap - 1);
			h[i] = b->hash[j];
		}
		free(b->hash);
		b->hash = h;
		b->hash_cap = cap;
	}
	i = hash_ptr(ec, b->hash_cap);
	while (b->hash[i])
		i = (i + 1) & (b->hash_cap - 1);
	b->hash[i] = value + 1;
	return 0;
}

static const struct bt_evmap *hash_find(const struct prof__bt_source *b, const bt_event_class *ec)
{
	size_t i;

	if (!b->hash_cap)
		return NULL;
	for (i = hash_ptr(ec, b->hash_cap); b->hash[i]; i = (i + 1) & (b->hash_cap - 1))
		if (b->maps[b->hash[i] - 1].ec == ec)
			return &b->maps[b->hash[i] - 1];
	return NULL;
}

/* Note a field that is skipped: the first one is named, the rest counted. */
static void note(struct prof__bt_source *b, const char *event, const char *field, const char *why)
{
	if (b->have_error)
		return;
	prof_error_set(&b->err, -ENOTSUP, b->path, UINT64_MAX, "event \"%s\": field \"%s\": %s (skipped and counted)",
		       event, field, why);
	b->have_error = 1;
}

/* The schema type of a field class, or 0 if it has none. */
static uint8_t field_type(const bt_field_class *fc)
{
	bt_field_class_type t = bt_field_class_get_type(fc);
	uint64_t bits;

	if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_UNSIGNED_INTEGER)) {
		bits = bt_field_class_integer_get_field_value_range(fc);
		return bits <= 8 ? PROF_TYPE_U8 : bits <= 16 ? PROF_TYPE_U16 : bits <= 32 ? PROF_TYPE_U32 : PROF_TYPE_U64;
	}
	if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_SIGNED_INTEGER)) {
		bits = bt_field_class_integer_get_field_value_range(fc);
		return bits <= 8 ? PROF_TYPE_S8 : bits <= 16 ? PROF_TYPE_S16 : bits <= 32 ? PROF_TYPE_S32 : PROF_TYPE_S64;
	}
	if (t == BT_FIELD_CLASS_TYPE_BOOL)
		return PROF_TYPE_U8;
	if (t == BT_FIELD_CLASS_TYPE_BIT_ARRAY)
		return PROF_TYPE_U64;
	if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_REAL))
		return PROF_TYPE_F64;
	if (t == BT_FIELD_CLASS_TYPE_STRING)
		return PROF_TYPE_STRING;
	return 0;
}

static const char *field_type_name(const bt_field_class *fc)
{
	bt_field_class_type t = bt_field_class_get_type(fc);

	if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_ARRAY))
		return "an array is not read";
	if (t == BT_FIELD_CLASS_TYPE_STRUCTURE)
		return "a structure is not read";
	if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_VARIANT))
		return "a variant is not read";
	if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_OPTION))
		return "an option is not read";
	return "its type is not read";
}

/* Copy @name into a schema field name: a C identifier, cut to fit. */
static void field_name(char *out, const char *name)
{
	size_t i;

	for (i = 0; name && name[i] && i < PROF_FIELD_NAME_MAX - 1; i++) {
		char c = name[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (i > 0 && c >= '0' && c <= '9');

		out[i] = ok ? c : '_';
	}
	if (i == 0)
		out[i++] = '_';
	out[i] = '\0';
}

/* Map the members of structure class @st (may be NULL) into @ev after its fields. */
static uint16_t map_members(struct prof__bt_source *b, struct prof_schema_event *ev, struct bt_evmap *m,
			    const bt_field_class *st, uint8_t *src, int skip_tid)
{
	uint64_t n, i;
	uint16_t mapped = 0;

	if (!st || bt_field_class_get_type(st) != BT_FIELD_CLASS_TYPE_STRUCTURE)
		return 0;
	n = bt_field_class_structure_get_member_count(st);
	for (i = 0; i < n; i++) {
		const bt_field_class_structure_member *mem = bt_field_class_structure_borrow_member_by_index_const(st, i);
		const char *name = bt_field_class_structure_member_get_name(mem);
		const bt_field_class *fc = bt_field_class_structure_member_borrow_field_class_const(mem);
		uint8_t t = field_type(fc);

		if (skip_tid && name && (!strcmp(name, "vtid") || !strcmp(name, "tid")))
			continue;
		if (!t) {
			m->skipped++;
			note(b, ev->name, name ? name : "", field_type_name(fc));
			continue;
		}
		if (ev->nfields >= PROF_MAX_FIELDS || i > UINT8_MAX) {
			m->skipped++;
			note(b, ev->name, name ? name : "", "beyond the schema's 14 fields");
			continue;
		}
		field_name(ev->fields[ev->nfields].name, name);
		ev->fields[ev->nfields].type = t;
		ev->fields[ev->nfields].bound = t == PROF_TYPE_STRING ? PROF_MAX_STRING_BOUND : 0;
		ev->nfields++;
		src[mapped++] = (uint8_t)i;
	}
	return mapped;
}

static uint16_t event_kind(const char *name)
{
	size_t n = strlen(name);

	if (n > 6 && !strcmp(name + n - 6, ".begin"))
		return PROF_KIND_SPAN_BEGIN;
	if (n > 4 && !strcmp(name + n - 4, ".end"))
		return PROF_KIND_SPAN_END;
	return PROF_KIND_PLAIN;
}

/* Whether schema events @a and @b define the same event (ids aside). */
static int same_event(const struct prof_schema_event *a, const struct prof_schema_event *b)
{
	uint16_t i;

	if (strcmp(a->name, b->name) || a->kind != b->kind || a->nfields != b->nfields)
		return 0;
	for (i = 0; i < a->nfields; i++)
		if (strcmp(a->fields[i].name, b->fields[i].name) || a->fields[i].type != b->fields[i].type ||
		    a->fields[i].bound != b->fields[i].bound)
			return 0;
	return 1;
}

/*
 * Map event class @ec.  Its schema event is built in the slot after the
 * last; an existing one that defines the same event (the same class in
 * another trace of the directory) is used instead, so each distinct
 * definition is in the schema once, as for a directory of mprof traces.
 */
static int add_event_class(struct prof__bt_source *b, const bt_event_class *ec)
{
	struct prof_schema_event *ev;
	struct bt_evmap *m;
	const char *name = bt_event_class_get_name(ec);
	uint32_t idx = b->desc.schema.count, i;
	char idname[32];

	if (b->nmaps == b->maps_cap) {
		size_t cap = b->maps_cap ? b->maps_cap * 2 : 32;
		struct prof_schema_event *e = realloc(b->desc.schema.events, cap * sizeof(*e));

		if (!e)
			return -ENOMEM;
		b->desc.schema.events = e;
		m = realloc(b->maps, cap * sizeof(*m));
		if (!m)
			return -ENOMEM;
		b->maps = m;
		b->maps_cap = cap;
	}
	ev = &b->desc.schema.events[idx];
	m = &b->maps[b->nmaps];
	memset(ev, 0, sizeof(*ev));
	memset(m, 0, sizeof(*m));
	if (!name) {
		snprintf(idname, sizeof(idname), "event%llu", (unsigned long long)bt_event_class_get_id(ec));
		name = idname;
	}
	snprintf(ev->name, sizeof(ev->name), "%s", name);
	ev->id = idx;
	ev->kind = event_kind(ev->name);
	m->ec = ec;
	m->index = idx;
	m->npayload = map_members(b, ev, m, bt_event_class_borrow_payload_field_class_const(ec), m->src_payload, 0);
	m->nctx = map_members(b, ev, m, bt_event_class_borrow_specific_context_field_class_const(ec), m->src_ctx, 1);
	prof_schema_event_sizes(ev);
	for (i = 0; i < idx; i++) {
		if (same_event(&b->desc.schema.events[i], ev)) {
			m->index = i;
			break;
		}
	}
	if (hash_insert(b, ec, (uint32_t)b->nmaps))
		return -ENOMEM;
	b->nmaps++;
	if (m->index == idx)
		b->desc.schema.count++;
	return 0;
}

/* The env string @key of @t into @out (cut to fit), if it has one. */
static void env_string(const bt_trace *t, const char *key, char *out, size_t size)
{
	const bt_value *v = bt_trace_borrow_environment_entry_value_by_name_const(t, key);

	if (v && bt_value_get_type(v) == BT_VALUE_TYPE_STRING)
		snprintf(out, size, "%s", bt_value_string_get(v));
}

/* A trace seen for the first time: index it, register its event classes. */
static int add_trace(struct prof__bt_source *b, const bt_trace *t, uint32_t *index)
{
	const bt_trace_class *tc = bt_trace_borrow_class_const(t);
	uint64_t ns, ne, i, j;
	size_t k;
	int ret;

	for (k = 0; k < b->ntraces; k++) {
		if (b->traces[k] == t) {
			*index = (uint32_t)k;
			return 0;
		}
	}
	if (b->ntraces == b->traces_cap) {
		size_t cap = b->traces_cap ? b->traces_cap * 2 : 4;
		const bt_trace **a = realloc(b->traces, cap * sizeof(*a));

		if (!a)
			return -ENOMEM;
		b->traces = a;
		b->traces_cap = cap;
	}
	if (b->ntraces == 0) {
		const bt_value *v = bt_trace_borrow_environment_entry_value_by_name_const(t, "vpid");
		bt_uuid u = bt_trace_get_uuid(t);

		if (u)
			memcpy(b->desc.uuid, u, 16);
		env_string(t, "hostname", b->desc.origin.hostname, sizeof(b->desc.origin.hostname));
		env_string(t, "procname", b->desc.origin.procname, sizeof(b->desc.origin.procname));
		if (v && bt_value_get_type(v) == BT_VALUE_TYPE_SIGNED_INTEGER && bt_value_integer_signed_get(v) > 0)
			b->desc.origin.pid = (uint64_t)bt_value_integer_signed_get(v);
	}
	*index = (uint32_t)b->ntraces;
	b->traces[b->ntraces++] = t;
	b->stats.traces = b->ntraces;
	ns = bt_trace_class_get_stream_class_count(tc);
	for (i = 0; i < ns; i++) {
		const bt_stream_class *sc = bt_trace_class_borrow_stream_class_by_index_const(tc, i);

		ne = bt_stream_class_get_event_class_count(sc);
		for (j = 0; j < ne; j++) {
			const bt_event_class *ec = bt_stream_class_borrow_event_class_by_index_const(sc, j);

			if (hash_find(b, ec))
				continue;
			ret = add_event_class(b, ec);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/* The state of @st, created (with its trace) on first sight. */
static int stream_state(struct prof__bt_source *b, const bt_stream *st, struct bt_stream_state **out)
{
	struct bt_stream_state *s;
	size_t k;
	uint32_t trace;
	int ret;

	/* Streams are few; the last one used is the likely one. */
	for (k = b->nstreams; k-- > 0;) {
		if (b->streams[k].stream == st) {
			*out = &b->streams[k];
			return 0;
		}
	}
	ret = add_trace(b, bt_stream_borrow_trace_const(st), &trace);
	if (ret)
		return ret;
	if (b->nstreams == b->streams_cap) {
		size_t cap = b->streams_cap ? b->streams_cap * 2 : 16;

		s = realloc(b->streams, cap * sizeof(*s));
		if (!s)
			return -ENOMEM;
		b->streams = s;
		b->streams_cap = cap;
	}
	s = &b->streams[b->nstreams++];
	memset(s, 0, sizeof(*s));
	s->stream = st;
	s->trace = trace;
	b->stats.streams = b->nstreams;
	*out = s;
	return 0;
}

/* ---- events ---- */

static void get_value(struct prof__bt_source *b, const bt_field *f, uint8_t type, struct prof_value *v, size_t slot)
{
	bt_field_class_type t = bt_field_get_class_type(f);

	v->type = type;
	if (type == PROF_TYPE_STRING) {
		uint64_t len = bt_field_string_get_length(f);
		const char *p = bt_field_string_get_value(f);

		if (len > PROF_MAX_STRING_BOUND) {
			len = PROF_MAX_STRING_BOUND;
			memcpy(b->strbuf[slot], p, len);
			b->strbuf[slot][len] = '\0';
			p = b->strbuf[slot];
			b->skips.strings_truncated++;
		}
		v->v.str.ptr = p;
		v->v.str.len = (uint32_t)len;
	} else if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_UNSIGNED_INTEGER)) {
		v->v.u = bt_field_integer_unsigned_get_value(f);
	} else if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_SIGNED_INTEGER)) {
		v->v.s = bt_field_integer_signed_get_value(f);
	} else if (t == BT_FIELD_CLASS_TYPE_BOOL) {
		v->v.u = bt_field_bool_get_value(f) ? 1 : 0;
	} else if (t == BT_FIELD_CLASS_TYPE_BIT_ARRAY) {
		v->v.u = bt_field_bit_array_get_value_as_integer(f);
	} else if (t == BT_FIELD_CLASS_TYPE_SINGLE_PRECISION_REAL) {
		v->v.f = bt_field_real_single_precision_get_value(f);
	} else {
		v->v.f = bt_field_real_double_precision_get_value(f);
	}
}

/* A context member named vtid or tid, if @ctx (may be NULL) has one. */
static int find_tid(const bt_field *ctx, uint32_t *tid)
{
	static const char *const names[] = { "vtid", "tid" };
	size_t i;

	if (!ctx || bt_field_get_class_type(ctx) != BT_FIELD_CLASS_TYPE_STRUCTURE)
		return 0;
	for (i = 0; i < 2; i++) {
		const bt_field *f = bt_field_structure_borrow_member_field_by_name_const(ctx, names[i]);
		bt_field_class_type t;

		if (!f)
			continue;
		t = bt_field_get_class_type(f);
		if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_UNSIGNED_INTEGER)) {
			*tid = (uint32_t)bt_field_integer_unsigned_get_value(f);
			return 1;
		}
		if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_SIGNED_INTEGER)) {
			*tid = (uint32_t)bt_field_integer_signed_get_value(f);
			return 1;
		}
	}
	return 0;
}

static int map_event(struct prof__bt_source *b, const bt_message *msg, struct prof_decoded_event *ev)
{
	const bt_event *e = bt_message_event_borrow_event_const(msg);
	const bt_event_class *ec = bt_event_borrow_class_const(e);
	const bt_field *payload = bt_event_borrow_payload_field_const(e);
	const bt_field *sctx = bt_event_borrow_specific_context_field_const(e);
	const struct bt_evmap *m;
	struct bt_stream_state *st;
	const struct prof_schema_event *d;
	int64_t ns = 0;
	uint16_t i, n = 0;
	int ret;

	ret = stream_state(b, bt_event_borrow_stream_const(e), &st);
	if (ret)
		return ret;
	m = hash_find(b, ec);
	if (!m) {
		/* A class added to its stream class after its trace was seen. */
		ret = add_event_class(b, ec);
		if (ret)
			return ret;
		m = hash_find(b, ec);
	}
	d = &b->desc.schema.events[m->index];
	memset(ev, 0, offsetof(struct prof_decoded_event, values));
	ev->id = m->index;
	ev->desc = d;
	ev->stream = (uint32_t)bt_stream_get_id(bt_event_borrow_stream_const(e));
	ev->trace = st->trace;
	ev->packet_seq = st->packets ? st->packets - 1 : 0;
	ev->packet_discarded = st->discarded;
	if (bt_message_event_borrow_stream_class_default_clock_class_const(msg) &&
	    bt_clock_snapshot_get_ns_from_origin(bt_message_event_borrow_default_clock_snapshot_const(msg), &ns) ==
		    BT_CLOCK_SNAPSHOT_GET_NS_FROM_ORIGIN_STATUS_OK &&
	    ns >= 0)
		ev->timestamp = (uint64_t)ns;
	else
		b->skips.events_untimed++;
	if (!find_tid(bt_event_borrow_common_context_field_const(e), &ev->tid))
		find_tid(sctx, &ev->tid);
	for (i = 0; i < m->npayload; i++, n++)
		get_value(b, bt_field_structure_borrow_member_field_by_index_const(payload, m->src_payload[i]),
			  d->fields[n].type, &ev->values[n], n);
	for (i = 0; i < m->nctx; i++, n++)
		get_value(b, bt_field_structure_borrow_member_field_by_index_const(sctx, m->src_ctx[i]),
			  d->fields[n].type, &ev->values[n], n);
	ev->nfields = n;
	b->skips.fields_skipped += m->skipped;
	b->stats.events++;
	return 0;
}

/* Count a non-event message; -errno on failure. */
static int count_message(struct prof__bt_source *b, const bt_message *msg)
{
	struct bt_stream_state *st;
	uint64_t n = 0;
	int ret = 0;

	switch (bt_message_get_type(msg)) {
	case BT_MESSAGE_TYPE_STREAM_BEGINNING:
		ret = stream_state(b, bt_message_stream_beginning_borrow_stream_const(msg), &st);
		break;
	case BT_MESSAGE_TYPE_PACKET_BEGINNING:
		ret = stream_state(b, bt_packet_borrow_stream_const(bt_message_packet_beginning_borrow_packet_const(msg)),
				   &st);
		if (ret == 0) {
			st->packets++;
			b->stats.packets++;
		}
		break;
	case BT_MESSAGE_TYPE_DISCARDED_EVENTS:
		ret = stream_state(b, bt_message_discarded_events_borrow_stream_const(msg), &st);
		/* A count babeltrace2 does not know is still at least one. */
		if (ret == 0 && bt_message_discarded_events_get_count(msg, &n) != BT_PROPERTY_AVAILABILITY_AVAILABLE)
			n = 1;
		if (ret == 0) {
			st->discarded += n;
			b->stats.events_discarded += n;
		}
		break;
	case BT_MESSAGE_TYPE_DISCARDED_PACKETS:
		ret = stream_state(b, bt_message_discarded_packets_borrow_stream_const(msg), &st);
		if (ret == 0 && bt_message_discarded_packets_get_count(msg, &n) != BT_PROPERTY_AVAILABILITY_AVAILABLE)
			n = 1;
		if (ret == 0) {
			st->packets += n;
			b->stats.packets_lost += n;
		}
		break;
	default:
		break;
	}
	return ret;
}

/* Fill the queue: run the graph until it delivers messages or ends. */
static int fill(struct prof__bt_source *b, struct prof_error *err)
{
	b->head = b->count = 0;
	while (!b->ended && b->count == 0) {
		switch (bt_graph_run_once(b->graph)) {
		case BT_GRAPH_RUN_ONCE_STATUS_OK:
		case BT_GRAPH_RUN_ONCE_STATUS_AGAIN:
			break;
		case BT_GRAPH_RUN_ONCE_STATUS_END:
			b->ended = 1;
			break;
		case BT_GRAPH_RUN_ONCE_STATUS_MEMORY_ERROR:
			b->ended = 1;
			return bt_fail(b, err, -ENOMEM, "reading");
		default:
			b->ended = 1;
			return bt_fail(b, err, -EINVAL, "reading");
		}
	}
	return 0;
}

int prof__bt_next(struct prof__bt_source *b, struct prof_decoded_event *ev)
{
	const bt_message *msg;
	int ret;

	if (b->current) {
		bt_message_put_ref(b->current);
		b->current = NULL;
	}
	for (;;) {
		if (b->head == b->count) {
			if (b->ended)
				return 0;
			ret = fill(b, &b->err);
			if (ret) {
				b->have_error = 1;
				return ret;
			}
			continue;
		}
		msg = b->queue[b->head++];
		if (bt_message_get_type(msg) == BT_MESSAGE_TYPE_EVENT) {
			ret = map_event(b, msg, ev);
			if (ret == 0) {
				b->current = msg;
				return 1;
			}
		} else {
			ret = count_message(b, msg);
		}
		bt_message_put_ref(msg);
		if (ret) {
			b->have_error = 1;
			return prof_error_set(&b->err, ret, b->path, UINT64_MAX, "out of memory");
		}
	}
}

/* ---- the graph ---- */

#define MAX_TRACE_DIRS 4096u
#define MAX_DEPTH 8

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Append to @inputs each directory at or under @dir (depth at most
 * MAX_DEPTH) that holds a regular file `metadata`: src.ctf.fs reads trace
 * directories, not the trees LTTng writes them in (ust/uid/0/64-bit/).
 * Sorted, so that trace indices do not depend on readdir()'s order.
 */
static int find_traces(const char *dir, int depth, bt_value *inputs, uint64_t *n)
{
	char *path = NULL, **subs = NULL;
	size_t nsubs = 0, cap = 0, i;
	struct dirent *de;
	struct stat st;
	DIR *d;
	int ret = 0;

	if (asprintf(&path, "%s/metadata", dir) < 0)
		return -ENOMEM;
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
		free(path);
		if (*n >= MAX_TRACE_DIRS)
			return 0;
		(*n)++;
		return bt_value_array_append_string_element(inputs, dir) ? -ENOMEM : 0;
	}
	free(path);
	if (depth >= MAX_DEPTH || !(d = opendir(dir)))
		return 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (asprintf(&path, "%s/%s", dir, de->d_name) < 0) {
			ret = -ENOMEM;
			break;
		}
		if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
			free(path);
			continue;
		}
		if (nsubs == cap) {
			char **a = realloc(subs, (cap = cap ? cap * 2 : 8) * sizeof(*a));

			if (!a) {
				free(path);
				ret = -ENOMEM;
				break;
			}
			subs = a;
		}
		subs[nsubs++] = path;
	}
	closedir(d);
	if (nsubs)
		qsort(subs, nsubs, sizeof(*subs), by_name);
	for (i = 0; i < nsubs; i++) {
		if (ret == 0)
			ret = find_traces(subs[i], depth + 1, inputs, n);
		free(subs[i]);
	}
	free(subs);
	return ret;
}

/* Connect every output port of @src to the muxer. */
static int connect_source(struct prof__bt_source *b, const bt_component_source *src, const bt_component_filter *mux,
			  struct prof_error *err)
{
	uint64_t i, nports = bt_component_source_get_output_port_count(src);

	for (i = 0; i < nports; i++) {
		/* The muxer always has one free input port: its last. */
		const bt_port_input *in =
			bt_component_filter_borrow_input_port_by_index_const(mux, bt_component_filter_get_input_port_count(mux) - 1);

		if (bt_graph_connect_ports(b->graph, bt_component_source_borrow_output_port_by_index_const(src, i), in,
					   NULL) != BT_GRAPH_CONNECT_PORTS_STATUS_OK)
			return bt_fail(b, err, -ENOMEM, "cannot connect a stream to the muxer");
	}
	return 0;
}

/*
 * One src.ctf.fs per trace directory found, each connected to the muxer:
 * babeltrace2 2.0 reads several traces in one component only when each has
 * a UUID (it merges those that share one), and barectf's may have none.
 */
static int add_sources(struct prof__bt_source *b, const bt_component_filter *mux, struct prof_error *err)
{
	const bt_plugin *plugin = NULL;
	const bt_component_class_source *cls;
	const bt_component_source *src;
	bt_value *found = NULL, *params = NULL, *inputs = NULL;
	uint64_t ntraces = 0, k;
	char name[32];
	int ret = -ENOMEM;

	if (bt_plugin_find("ctf", BT_TRUE, BT_TRUE, BT_TRUE, BT_TRUE, BT_TRUE, &plugin) != BT_PLUGIN_FIND_STATUS_OK) {
		ret = bt_fail(b, err, -ENOTSUP, "no ctf plugin (is babeltrace2's plugin package installed?)");
		goto out;
	}
	cls = bt_plugin_borrow_source_component_class_by_name_const(plugin, "fs");
	if (!cls) {
		ret = prof_error_set(err, -ENOTSUP, b->path, UINT64_MAX, "babeltrace2's ctf plugin has no fs source");
		goto out;
	}
	found = bt_value_array_create();
	if (!found || find_traces(b->input, 0, found, &ntraces)) {
		ret = bt_fail(b, err, -ENOMEM, "out of memory");
		goto out;
	}
	if (ntraces == 0) {
		struct stat st;

		ret = prof_error_set(err, -EINVAL, b->path, UINT64_MAX, "%s",
				     stat(b->input, &st) == 0 && !S_ISDIR(st.st_mode)
					     ? "not a trace: a file, not a trace directory"
					     : "not a trace: no metadata file in it or in its subdirectories");
		goto out;
	}
	for (k = 0; k < ntraces; k++) {
		const char *dir = bt_value_string_get(bt_value_array_borrow_element_by_index_const(found, k));

		params = bt_value_map_create();
		inputs = bt_value_array_create();
		if (!params || !inputs || bt_value_array_append_string_element(inputs, dir) ||
		    bt_value_map_insert_entry(params, "inputs", inputs)) {
			ret = bt_fail(b, err, -ENOMEM, "out of memory");
			goto out;
		}
		snprintf(name, sizeof(name), "source-%llu", (unsigned long long)k);
		if (bt_graph_add_source_component(b->graph, cls, name, params, BT_LOGGING_LEVEL_NONE, &src) !=
		    BT_GRAPH_ADD_COMPONENT_STATUS_OK) {
			ret = bt_fail(b, err, -EINVAL, "cannot read it");
			goto out;
		}
		ret = connect_source(b, src, mux, err);
		if (ret)
			goto out;
		BT_VALUE_PUT_REF_AND_RESET(inputs);
		BT_VALUE_PUT_REF_AND_RESET(params);
	}
	ret = 0;
out:
	bt_value_put_ref(inputs);
	bt_value_put_ref(params);
	bt_value_put_ref(found);
	bt_plugin_put_ref(plugin);
	return ret;
}

static int add_muxer(struct prof__bt_source *b, const bt_component_filter **mux, struct prof_error *err)
{
	const bt_plugin *plugin = NULL;
	const bt_component_class_filter *cls;
	int ret = 0;

	if (bt_plugin_find("utils", BT_TRUE, BT_TRUE, BT_TRUE, BT_TRUE, BT_TRUE, &plugin) != BT_PLUGIN_FIND_STATUS_OK) {
		ret = bt_fail(b, err, -ENOTSUP, "no utils plugin (is babeltrace2's plugin package installed?)");
		goto out;
	}
	cls = bt_plugin_borrow_filter_component_class_by_name_const(plugin, "muxer");
	if (!cls) {
		ret = prof_error_set(err, -ENOTSUP, b->path, UINT64_MAX, "babeltrace2's utils plugin has no muxer");
		goto out;
	}
	if (bt_graph_add_filter_component(b->graph, cls, "muxer", NULL, BT_LOGGING_LEVEL_NONE, mux) !=
	    BT_GRAPH_ADD_COMPONENT_STATUS_OK)
		ret = bt_fail(b, err, -ENOMEM, "cannot add the muxer");
out:
	bt_plugin_put_ref(plugin);
	return ret;
}

static int build_graph(struct prof__bt_source *b, struct prof_error *err)
{
	const bt_component_filter *mux = NULL;
	const bt_component_sink *sink = NULL;
	int ret;

	b->graph = bt_graph_create(0);
	if (!b->graph)
		return bt_fail(b, err, -ENOMEM, "cannot create a graph");
	ret = add_muxer(b, &mux, err);
	if (ret)
		return ret;
	ret = add_sources(b, mux, err);
	if (ret)
		return ret;
	if (bt_graph_add_simple_sink_component(b->graph, "mprof", sink_init, sink_consume, NULL, b, &sink) !=
	    BT_GRAPH_ADD_COMPONENT_STATUS_OK)
		return bt_fail(b, err, -ENOMEM, "cannot add the sink");
	if (bt_graph_connect_ports(b->graph, bt_component_filter_borrow_output_port_by_index_const(mux, 0),
				   bt_component_sink_borrow_input_port_by_index_const(sink, 0),
				   NULL) != BT_GRAPH_CONNECT_PORTS_STATUS_OK)
		return bt_fail(b, err, -ENOMEM, "cannot connect the muxer to the sink");
	return 0;
}

int prof__bt_open(struct prof__bt_source **out, const char *path, const char *name, struct prof_error *err)
{
	struct prof__bt_source *b;
	size_t k;
	int ret;

	*out = NULL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return prof_error_set(err, -ENOMEM, path, UINT64_MAX, "out of memory");
	snprintf(b->path, sizeof(b->path), "%s", name);
	snprintf(b->input, sizeof(b->input), "%s", path);
	b->desc.byte_order = PROF_BYTE_ORDER_LE;
	/* Timestamps are babeltrace2's nanoseconds from the clock's origin. */
	b->desc.clock.source = PROF_CLOCK_PLATFORM;
	b->desc.clock.freq_hz = 1000000000u;
	ret = build_graph(b, err);
	if (ret)
		goto fail;
	/*
	 * Read up to the first event, so that every trace whose streams have
	 * begun is in the schema before the caller sees it: the muxer
	 * delivers the stream beginnings (no timestamp) before any event.
	 */
	for (;;) {
		ret = fill(b, err);
		if (ret)
			goto fail;
		for (k = b->head; k < b->count; k++) {
			if (bt_message_get_type(b->queue[k]) == BT_MESSAGE_TYPE_EVENT)
				break;
			ret = count_message(b, b->queue[k]);
			if (ret) {
				prof_error_set(err, ret, name, UINT64_MAX, "out of memory");
				goto fail;
			}
			bt_message_put_ref(b->queue[k]);
			b->queue[k] = NULL;
		}
		b->head = k;
		if (k < b->count || b->ended)
			break;
	}
	*out = b;
	return 0;
fail:
	prof__bt_close(b);
	return ret;
}

const struct prof_trace_desc *prof__bt_desc(const struct prof__bt_source *b)
{
	return &b->desc;
}

void prof__bt_stats(const struct prof__bt_source *b, struct prof_trace_stats *out)
{
	*out = b->stats;
}

void prof__bt_skips(const struct prof__bt_source *b, struct mprof_source_skips *out)
{
	*out = b->skips;
}

const struct prof_error *prof__bt_error(const struct prof__bt_source *b)
{
	return b->have_error ? &b->err : NULL;
}

void prof__bt_close(struct prof__bt_source *b)
{
	if (!b)
		return;
	bt_message_put_ref(b->current);
	for (; b->head < b->count; b->head++)
		bt_message_put_ref(b->queue[b->head]);
	/* The graph's last reference: finalizes the sink, which does nothing. */
	bt_graph_put_ref(b->graph);
	free(b->queue);
	free(b->desc.schema.events);
	free(b->maps);
	free(b->hash);
	free(b->traces);
	free(b->streams);
	free(b);
}
