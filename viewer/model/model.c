/* SPDX-License-Identifier: MIT */
/*
 * viewer/model/model.c - lanes, pairing, the LOD index and the queries.
 *
 * Layout of one row and its summaries (n = 11 items, 2^k items a group;
 * drawn from level 1 for the picture's sake: the first level kept is
 * PROF_MODEL_LOD_MIN, 6, groups of 64 items, made from the items):
 *
 *   items    [0][1][2][3][4][5][6][7][8][9][10]     sorted by t0, no overlap
 *   level 1  [ 0  ][ 1  ][ 2  ][ 3  ][ 4  ][5]      (n + 1) >> 1 entries
 *   level 2  [    0     ][    1     ][  2   ]       (n + 3) >> 2
 *   level 3  [          0           ][  1   ]
 *   level 4  [               0              ]       one entry: the last level
 *
 * Entry i of level k is made from entries 2i and 2i+1 of level k-1 (the
 * first level from its items), so building costs O(n) and extending after appends,
 * or after an open span closed at index j, rebuilds only the entries at or
 * after j >> k on each level.
 *
 * An item and its values (8 bytes, 4 more for a span, and a share of its
 * blocks'):
 *
 *   row->t0_base[i >> 6]  | base (u64) |  the start of the time block's first item
 *   row->items[i]   | t0 - base: lo (u32) | name:20 flags:4 hi:8 |
 *                     t0 - base == PROF_MODEL_T0_FAR: the start is in row->fars
 *   row->durs[i]    | t1 - t0 (u32) |     rows of spans only;
 *                     PROF_MODEL_DUR_LONG: the end is in row->longs
 *   row->fields[i >> 4]   | offset (u32) |  the fields block's first item's record
 *                                |
 *   row->arena   ... | w0 | w1 w2 | w3 | w0 w1 | ...   records in item order, each of
 *                      u32   u64    str   u64          its name's words (name's word[]):
 *                      item j         item j+1         j+1's offset is j's + j's words
 *
 * Items without fields (words 0) take no words, so an item's record is
 * found by adding the words of the items before it in its fields block
 * (at most 15): prof_model_field_offset().  Every row has its own arena,
 * so a shard's thread lanes move to the merged model whole.
 *
 * Loading on several threads is described at prof_model_load_threads().
 *
 * Pairing follows the shared analysis (profile/analysis.h): per (trace,
 * stream, thread), an end closes the innermost open begin of its name;
 * begins above it are left unended; a loss on the stream cuts every open
 * span of the stream.  The items keep what the window draws; the analysis
 * of a selection is the shared library's, fed the selection's events.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <regex.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "model.h"
#include "mprof_source.h"
#include "profile/gc.h"

static const char *const gc_span_names[PROF_GC_KIND_COUNT] = {
	"gc.minor", "gc.major", "gc.major_slice", "gc.compact", "gc.mark",
	"gc.sweep", "gc.stop_world", "gc.start_world", "gc.finalise",
};

/*
 * The capacity (in *@out) that holds @need elements of @size, from @cap:
 * by half again each time, from 16; 0 or -ENOMEM.
 */
static int grow_cap(size_t cap, size_t need, size_t size, size_t *out)
{
	size_t c = cap ? cap : 16;

	while (c < need) {
		if (c > SIZE_MAX / 2 / size)
			return -ENOMEM;
		c += c / 2 + 1;
	}
	*out = c;
	return 0;
}

/* Grow *@p (of *@cap elements of @size) to hold @need (a small array); 0 or -ENOMEM. */
static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t c;
	void *q;

	if (need <= *cap)
		return 0;
	if (grow_cap(*cap, need, size, &c))
		return -ENOMEM;
	q = realloc(*p, c * size);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = c;
	return 0;
}

/*
 * The big arrays (a row's items, durations, block words and field arena) grow
 * in place: up to VEC_BIG bytes with realloc(), beyond as an anonymous
 * mapping that mremap() grows (it moves page tables, never copies the
 * pages, so there is never an old and a new copy at once) and shrinks.
 * The capacity reserved ahead is address space: its pages take memory
 * only when written.  Whether an array is mapped follows from its
 * capacity, so nothing else records it.
 */
#define VEC_BIG ((size_t)1 << 16)

static size_t page_round(size_t bytes)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);

	return (bytes + pg - 1) / pg * pg;
}

/* Resize the array *@p of *@cap elements of @size (@used in use) to @ncap; 0 or -ENOMEM. */
static int vec_resize(void **p, size_t *cap, size_t used, size_t ncap, size_t size)
{
	size_t old = *cap * size, bytes = ncap * size;
	void *q;

	if (bytes >= VEC_BIG && old >= VEC_BIG) {
		q = mremap(*p, page_round(old), page_round(bytes), MREMAP_MAYMOVE);
		if (q == MAP_FAILED)
			return -ENOMEM;
	} else if (bytes >= VEC_BIG) {
		q = mmap(NULL, page_round(bytes), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (q == MAP_FAILED)
			return -ENOMEM;
		if (used)
			memcpy(q, *p, used * size);
		free(*p);
	} else if (old >= VEC_BIG) {
		q = malloc(bytes ? bytes : 1);
		if (!q)
			return -ENOMEM;
		memcpy(q, *p, used * size);
		munmap(*p, page_round(old));
	} else {
		q = realloc(*p, bytes ? bytes : 1);
		if (!q)
			return -ENOMEM;
	}
	*p = q;
	*cap = ncap;
	return 0;
}

/* Grow a vec array to hold @need (as grow() does); 0 or -ENOMEM. */
static int vec_grow(void **p, size_t *cap, size_t used, size_t need, size_t size)
{
	size_t c;

	if (need <= *cap)
		return 0;
	if (grow_cap(*cap, need, size, &c))
		return -ENOMEM;
	return vec_resize(p, cap, used, c, size);
}

static void vec_free(void **p, size_t *cap, size_t size)
{
	if (*cap * size >= VEC_BIG)
		munmap(*p, page_round(*cap * size));
	else
		free(*p);
	*p = NULL;
	*cap = 0;
}

/* Give back a vec array's capacity beyond @n (a failure keeps it as it was). */
static void vec_shrink(void **p, size_t *cap, size_t n, size_t size)
{
	if (*p && n && n < *cap)
		(void)vec_resize(p, cap, n, n, size);
}

void prof_model_init(struct prof_model *m)
{
	memset(m, 0, sizeof(*m));
	m->t_first = UINT64_MAX;
}

static void row_free(struct prof_model_row *r)
{
	vec_free((void **)&r->items, &r->cap, sizeof(*r->items));
	vec_free((void **)&r->durs, &r->durs_cap, sizeof(*r->durs));
	vec_free((void **)&r->t0_base, &r->t0_base_cap, sizeof(*r->t0_base));
	vec_free((void **)&r->fields, &r->fields_cap, sizeof(*r->fields));
	vec_free((void **)&r->arena, &r->arena_cap, sizeof(*r->arena));
	free(r->longs);
	free(r->fars);
	for (unsigned int k = 0; k < 48; k++)
		free(r->levels[k]);
	memset(r, 0, sizeof(*r));
}

void prof_model_free(struct prof_model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nlanes; i++) {
		struct prof_model_lane *l = m->lanes[i];

		if (!l)
			continue; /* moved into another model (model_merge()) */
		for (size_t r = 0; r < l->nrows; r++)
			row_free(&l->rows[r]);
		free(l->rows);
		row_free(&l->instants);
		free(l->losses);
		free(l->open);
		free(l);
	}
	free(m->lanes);
	free(m->names);
	free(m->spans);
	for (size_t i = 0; i < m->nstrings; i++)
		free(m->strings[i]);
	free(m->strings);
	free(m->string_hash);
	prof_model_init(m);
}

/* ---- Names ---- */

/* A field type that takes two words of the arena. */
static int wide(uint8_t type)
{
	return type == PROF_TYPE_U64 || type == PROF_TYPE_S64 || type == PROF_TYPE_F64;
}

static int probe_name(const char *name)
{
	return !strncmp(name, "tcp.", 4) || !strncmp(name, "sock.", 5) || !strncmp(name, "ip.", 3);
}

static uint32_t span_get(struct prof_model *m, const char *name, size_t len)
{
	struct prof_model_span *s;

	for (size_t i = 0; i < m->nspans; i++)
		if (strlen(m->spans[i].name) == len && !memcmp(m->spans[i].name, name, len))
			return (uint32_t)i;
	if (grow((void **)&m->spans, &m->spans_cap, m->nspans + 1, sizeof(*m->spans)))
		return PROF_MODEL_NONE;
	s = &m->spans[m->nspans];
	memset(s, 0, sizeof(*s));
	memcpy(s->name, name, len);
	s->gc_kind = -1;
	for (int k = 0; k < PROF_GC_KIND_COUNT; k++)
		if (!strcmp(s->name, gc_span_names[k]))
			s->gc_kind = k;
	/* len is at most 63 - strlen(".begin"): ".end" fits. */
	memcpy(s->end.name, name, len);
	memcpy(s->end.name + len, ".end", len + 5 <= PROF_NAME_MAX ? 5 : 1);
	s->end.kind = PROF_KIND_SPAN_END;
	return (uint32_t)m->nspans++;
}

/* The model's index of @ev's event name (added at first sight). */
static uint32_t name_get(struct prof_model *m, const struct prof_schema_event *ev)
{
	struct prof_model_name *n;
	size_t len;

	for (size_t i = m->nnames; i-- > 0;)
		if (m->names[i].ev.kind == ev->kind && !strcmp(m->names[i].ev.name, ev->name))
			return (uint32_t)i;
	if (m->nnames >= PROF_MODEL_MAX_NAMES ||
	    grow((void **)&m->names, &m->names_cap, m->nnames + 1, sizeof(*m->names)))
		return PROF_MODEL_NONE;
	n = &m->names[m->nnames];
	n->ev = *ev;
	n->ev.name[PROF_NAME_MAX - 1] = '\0';
	n->span = PROF_MODEL_NONE;
	n->gc_kind = -1;
	n->words = 0;
	n->conn_field = -1;
	n->counter_lane = NULL;
	for (unsigned int i = 0; i < PROF_MAX_FIELDS; i++)
		n->last_string[i] = PROF_MODEL_NONE;
	for (uint16_t i = 0; i < n->ev.nfields && i < PROF_MAX_FIELDS; i++) {
		uint8_t t = n->ev.fields[i].type;

		n->word[i] = n->words;
		n->words += wide(t) ? 2 : 1;
		if (n->conn_field < 0 && probe_name(n->ev.name) && !strcmp(n->ev.fields[i].name, "conn") &&
		    t != PROF_TYPE_STRING && t != PROF_TYPE_F64)
			n->conn_field = (int8_t)i;
	}
	len = strlen(n->ev.name);
	if (ev->kind == PROF_KIND_SPAN_BEGIN || ev->kind == PROF_KIND_SPAN_END) {
		const char *suffix = ev->kind == PROF_KIND_SPAN_BEGIN ? ".begin" : ".end";
		size_t sl = strlen(suffix);

		if (len > sl && !strcmp(n->ev.name + len - sl, suffix))
			len -= sl;
		n->span = span_get(m, n->ev.name, len);
		if (n->span == PROF_MODEL_NONE)
			return PROF_MODEL_NONE;
		n->gc_kind = m->spans[n->span].gc_kind;
	}
	return (uint32_t)m->nnames++;
}

/* ---- Strings and fields ---- */

/* A hash of @len bytes at @s, eight at a time. */
static uint64_t hash_str(const char *s, size_t len)
{
	uint64_t h = (uint64_t)len * 0x9e3779b97f4a7c15ull, w;

	for (; len >= 8; s += 8, len -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, s, len);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 29);
}

static int rehash(struct prof_model *m, size_t cap)
{
	uint32_t *t = calloc(cap, sizeof(*t));

	if (!t)
		return -ENOMEM;
	for (size_t i = 0; i < m->nstrings; i++) {
		size_t j = hash_str(m->strings[i], strlen(m->strings[i])) & (cap - 1);

		while (t[j])
			j = (j + 1) & (cap - 1);
		t[j] = (uint32_t)i + 1;
	}
	free(m->string_hash);
	m->string_hash = t;
	m->string_hash_cap = cap;
	return 0;
}

/* The id of string @s (interned at first sight), or PROF_MODEL_NONE. */
static uint32_t string_get(struct prof_model *m, const char *s, size_t len)
{
	size_t j;
	char *copy;

	if (m->nstrings + 1 >= m->string_hash_cap / 2 &&
	    rehash(m, m->string_hash_cap ? m->string_hash_cap * 2 : 256))
		return PROF_MODEL_NONE;
	j = hash_str(s, len) & (m->string_hash_cap - 1);
	while (m->string_hash[j]) {
		const char *t = m->strings[m->string_hash[j] - 1];

		if (!strncmp(t, s, len) && t[len] == '\0')
			return m->string_hash[j] - 1;
		j = (j + 1) & (m->string_hash_cap - 1);
	}
	if (m->nstrings >= UINT32_MAX - 1 ||
	    grow((void **)&m->strings, &m->strings_cap, m->nstrings + 1, sizeof(*m->strings)))
		return PROF_MODEL_NONE;
	copy = malloc(len + 1);
	if (!copy)
		return PROF_MODEL_NONE;
	memcpy(copy, s, len);
	copy[len] = '\0';
	m->strings[m->nstrings] = copy;
	m->string_hash[j] = (uint32_t)m->nstrings + 1;
	return (uint32_t)m->nstrings++;
}

/*
 * Write @ev's field values (name @nm) at @w as a record of nm->words
 * 32-bit words (prof_model_name's word[]); 0 or -ENOMEM (a string could
 * not be interned).  A field the event lacks (a foreign source may
 * deliver fewer) is stored as 0.
 */
static int fields_write(struct prof_model *m, struct prof_model_name *nm, const struct prof_decoded_event *ev,
			uint32_t *w)
{
	uint16_t n = nm->ev.nfields < PROF_MAX_FIELDS ? nm->ev.nfields : PROF_MAX_FIELDS;

	for (uint16_t i = 0; i < n; i++) {
		const struct prof_value *v = &ev->values[i];
		uint64_t u = i < ev->nfields ? v->v.u : 0; /* the union's bits: u, s or f */

		if (i < ev->nfields && v->type == PROF_TYPE_STRING) {
			/* Often the field's last string again: one compare. */
			uint32_t id = nm->last_string[i];

			if (id >= m->nstrings || strncmp(m->strings[id], v->v.str.ptr, v->v.str.len) ||
			    m->strings[id][v->v.str.len] != '\0') {
				id = string_get(m, v->v.str.ptr, v->v.str.len);
				if (id == PROF_MODEL_NONE)
					return -ENOMEM;
				nm->last_string[i] = id;
			}
			u = id;
		}
		if (wide(nm->ev.fields[i].type))
			memcpy(&w[nm->word[i]], &u, 8);
		else
			w[nm->word[i]] = (uint32_t)u;
	}
	return 0;
}

uint32_t prof_model_field_offset(const struct prof_model *m, const struct prof_model_row *row, size_t index)
{
	size_t j = index >> PROF_MODEL_FIELDS_SHIFT << PROF_MODEL_FIELDS_SHIFT;
	uint32_t off = row->fields[index >> PROF_MODEL_FIELDS_SHIFT];

	for (; j < index; j++)
		off += m->names[row->items[j].name].words;
	return off;
}

/* Field @i of the record at @off (name @nm) as a value. */
static void field_get(const struct prof_model *m, const struct prof_model_row *row, const struct prof_model_name *nm,
		      uint32_t off, uint16_t i, struct prof_value *out)
{
	const uint32_t *w = &row->arena[off + nm->word[i]];
	uint64_t u = 0;

	out->type = nm->ev.fields[i].type;
	switch (out->type) {
	case PROF_TYPE_U64: case PROF_TYPE_S64: case PROF_TYPE_F64:
		memcpy(&u, w, 8);
		out->v.u = u;
		break;
	case PROF_TYPE_S8: case PROF_TYPE_S16: case PROF_TYPE_S32:
		out->v.s = (int32_t)*w;
		break;
	case PROF_TYPE_STRING:
		out->v.str.ptr = m->strings[*w];
		out->v.str.len = (uint32_t)strlen(m->strings[*w]);
		break;
	default:
		out->v.u = *w;
		break;
	}
}

/* Rebuild the values of item @i of @row from the arena (strings point into the model). */
static uint16_t fields_get(const struct prof_model *m, const struct prof_model_row *row, size_t i,
			   struct prof_value *out)
{
	const struct prof_model_name *nm = &m->names[row->items[i].name];
	uint16_t n = nm->ev.nfields < PROF_MAX_FIELDS ? nm->ev.nfields : PROF_MAX_FIELDS;
	uint32_t off;

	if (!nm->words)
		return 0;
	off = prof_model_field_offset(m, row, i);
	for (uint16_t f = 0; f < n; f++)
		field_get(m, row, nm, off, f, &out[f]);
	return n;
}

static double value_double(const struct prof_value *v)
{
	switch (v->type) {
	case PROF_TYPE_S8: case PROF_TYPE_S16: case PROF_TYPE_S32: case PROF_TYPE_S64:
		return (double)v->v.s;
	case PROF_TYPE_F64:
		return v->v.f;
	case PROF_TYPE_STRING:
		return 0;
	default:
		return (double)v->v.u;
	}
}

/* ---- Lanes ---- */

/* A lane kind's place in its trace's group: threads, connections, counters. */
static int kind_rank(enum prof_lane_kind kind)
{
	return kind == PROF_LANE_THREAD ? 0 : kind == PROF_LANE_CONN ? 1 : 2;
}

static int lane_is(const struct prof_model_lane *l, enum prof_lane_kind kind, uint32_t trace, uint32_t stream,
		   uint32_t tid, uint32_t counter, uint64_t conn)
{
	if (l->kind != kind || l->trace != trace)
		return 0;
	switch (kind) {
	case PROF_LANE_COUNTER:
		return l->counter == counter;
	case PROF_LANE_CONN:
		return l->conn == conn;
	default:
		return l->stream == stream && l->tid == tid;
	}
}

static struct prof_model_lane *lane_find(const struct prof_model *m, enum prof_lane_kind kind, uint32_t trace,
					 uint32_t stream, uint32_t tid, uint32_t counter, uint64_t conn)
{
	for (size_t i = m->nlanes; i-- > 0;)
		if (lane_is(m->lanes[i], kind, trace, stream, tid, counter, conn))
			return m->lanes[i];
	return NULL;
}

/* The lane of the key, made for @ev (its first event) if there is none. */
static struct prof_model_lane *lane_get(struct prof_model *m, const struct prof_decoded_event *ev,
					enum prof_lane_kind kind, uint32_t trace, uint32_t stream, uint32_t tid,
					uint32_t counter, uint64_t conn)
{
	struct prof_model_lane *l = lane_find(m, kind, trace, stream, tid, counter, conn);
	size_t at;

	if (l)
		return l;
	if (grow((void **)&m->lanes, &m->lanes_cap, m->nlanes + 1, sizeof(*m->lanes)))
		return NULL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->kind = kind;
	l->trace = trace;
	l->stream = stream;
	l->tid = tid;
	l->counter = counter;
	l->conn = conn;
	l->first_t = ev->timestamp;
	l->first_stream = ev->stream;
	l->seq = m->lanes_made++;
	if (kind == PROF_LANE_COUNTER)
		snprintf(l->label, sizeof(l->label), "%s", m->names[counter].ev.name);
	else if (kind == PROF_LANE_CONN)
		snprintf(l->label, sizeof(l->label), "tcp conn %" PRIu64, conn);
	else
		snprintf(l->label, sizeof(l->label), "stream %" PRIu32 " tid %" PRIu32, stream, tid);
	/* Lanes stay grouped by trace (process): threads, connections, counters. */
	at = m->nlanes;
	while (at > 0 && (m->lanes[at - 1]->trace > trace ||
			  (m->lanes[at - 1]->trace == trace && kind_rank(m->lanes[at - 1]->kind) > kind_rank(kind))))
		at--;
	memmove(&m->lanes[at + 1], &m->lanes[at], (m->nlanes - at) * sizeof(*m->lanes));
	m->lanes[at] = l;
	m->nlanes++;
	/* Per (trace, stream) loss tracking lives in the stream's first thread lane. */
	if (kind == PROF_LANE_THREAD) {
		l->stream_lane = l;
		for (size_t i = 0; i < m->nlanes; i++)
			if (m->lanes[i] != l && m->lanes[i]->kind == PROF_LANE_THREAD && m->lanes[i]->trace == trace &&
			    m->lanes[i]->stream == stream) {
				l->stream_lane = m->lanes[i]->stream_lane;
				break;
			}
	}
	return l;
}

/* The thread lane of @ev, through the cache of thread lanes. */
static inline struct prof_model_lane *thread_lane(struct prof_model *m, const struct prof_decoded_event *ev)
{
	size_t slot = (ev->stream ^ ev->tid * 37u ^ ev->trace * 101u) & 255;
	struct prof_model_lane *l = m->lane_cache[slot];

	if (l && l->stream == ev->stream && l->tid == ev->tid && l->trace == ev->trace)
		return l;
	l = lane_get(m, ev, PROF_LANE_THREAD, ev->trace, ev->stream, ev->tid, 0, 0);
	if (l)
		m->lane_cache[slot] = l;
	return l;
}

/* The counter lane of (@ev's trace, @name), through the name's cache. */
static inline struct prof_model_lane *counter_lane(struct prof_model *m, const struct prof_decoded_event *ev,
						   uint32_t name)
{
	struct prof_model_name *nm = &m->names[name];

	if (!nm->counter_lane || nm->counter_lane->trace != ev->trace) {
		nm->counter_lane = lane_get(m, ev, PROF_LANE_COUNTER, ev->trace, 0, 0, name, 0);
		if (!nm->counter_lane)
			return NULL;
	}
	return nm->counter_lane;
}

/*
 * Appending an item: row_reserve() makes room for it and @words words of
 * field values (written at r->arena + r->arena_n by the caller, which may
 * still fail), then row_commit() appends it, which cannot fail; so a
 * failure appends nothing and the arena's records stay in item order.
 */

/* Whether an item starting at @t0 appended to @r is a far one (PROF_MODEL_T0_FAR). */
static int row_far(const struct prof_model_row *r, uint64_t t0)
{
	uint64_t base;

	if (!(r->n & (((size_t)1 << PROF_MODEL_T0_SHIFT) - 1)))
		return 0; /* the first of a new block: its base */
	base = r->t0_base[r->n >> PROF_MODEL_T0_SHIFT];
	return t0 < base || t0 - base >= PROF_MODEL_T0_FAR;
}

/* row_reserve()'s slow path: grow what is full; 0 or -ENOMEM. */
static int row_grow(struct prof_model_row *r, size_t words, int span, int far)
{
	size_t n = r->n, tb = n >> PROF_MODEL_T0_SHIFT, fb = n >> PROF_MODEL_FIELDS_SHIFT;

	if (n == r->cap && vec_grow((void **)&r->items, &r->cap, n, n + 1, sizeof(*r->items)))
		return -ENOMEM;
	if (span && n == r->durs_cap && vec_grow((void **)&r->durs, &r->durs_cap, n, n + 1, sizeof(*r->durs)))
		return -ENOMEM;
	if (tb >= r->t0_base_cap && vec_grow((void **)&r->t0_base, &r->t0_base_cap, tb, tb + 1, sizeof(*r->t0_base)))
		return -ENOMEM;
	if (fb >= r->fields_cap && vec_grow((void **)&r->fields, &r->fields_cap, fb, fb + 1, sizeof(*r->fields)))
		return -ENOMEM;
	if (words && vec_grow((void **)&r->arena, &r->arena_cap, r->arena_n, r->arena_n + words, sizeof(*r->arena)))
		return -ENOMEM;
	if (far && grow((void **)&r->fars, &r->fars_cap, r->nfars + 1, sizeof(*r->fars)))
		return -ENOMEM;
	return 0;
}

/*
 * Room in @r for an item at @t0 with @words words of fields, and its
 * duration if @span (a row holds spans or none): 1 if it is a far one
 * (row_far()), 0 if not, or -ENOMEM or -EOVERFLOW (too many words).  Every
 * array is checked in one test, the growing done apart.
 */
static inline int row_reserve(struct prof_model_row *r, uint64_t t0, size_t words, int span)
{
	size_t n = r->n;
	int far = row_far(r, t0), ret;

	/* Offsets are 32 bits: a row's arena stops short of 2^32 words. */
	if (r->arena_n + words >= UINT32_MAX)
		return -EOVERFLOW;
	if (n < r->cap && (!span || n < r->durs_cap) && (n >> PROF_MODEL_T0_SHIFT) < r->t0_base_cap &&
	    (n >> PROF_MODEL_FIELDS_SHIFT) < r->fields_cap && r->arena_n + words <= r->arena_cap &&
	    (!far || r->nfars < r->fars_cap))
		return far;
	ret = row_grow(r, words, span, far);
	return ret ? ret : far;
}

/* Append an item at @t0 (duration 0) after row_reserve() said @far; its index. */
static inline size_t row_commit(struct prof_model_row *r, uint64_t t0, uint32_t name, uint32_t flags, size_t words,
				int far)
{
	size_t n = r->n;
	uint64_t d;

	if (!(n & (((size_t)1 << PROF_MODEL_FIELDS_SHIFT) - 1)))
		r->fields[n >> PROF_MODEL_FIELDS_SHIFT] = (uint32_t)r->arena_n;
	if (!(n & (((size_t)1 << PROF_MODEL_T0_SHIFT) - 1)))
		r->t0_base[n >> PROF_MODEL_T0_SHIFT] = t0;
	if (far) {
		/* Appended in index order: the table stays sorted. */
		r->fars[r->nfars++] = (struct prof_model_far){ .index = n, .t0 = t0 };
		d = PROF_MODEL_T0_FAR;
	} else {
		d = t0 - r->t0_base[n >> PROF_MODEL_T0_SHIFT];
	}
	r->items[n] = (struct prof_model_item){
		.t0_lo = (uint32_t)d, .name = name, .flags = flags & 15u, .t0_hi = (uint32_t)(d >> 32) & 255u,
	};
	if (r->durs)
		r->durs[n] = 0;
	r->arena_n += words;
	return r->n++;
}

/*
 * Append an item for @ev (name @name) to @r, a span (open) if @flags has
 * PROF_ITEM_OPEN; its index in *@index; 0, -ENOMEM or -EOVERFLOW (nothing
 * appended).
 */
static int row_push(struct prof_model *m, struct prof_model_row *r, const struct prof_decoded_event *ev, uint32_t name,
		    uint32_t flags, size_t *index)
{
	struct prof_model_name *nm = &m->names[name];
	int far = row_reserve(r, ev->timestamp, nm->words, (flags & PROF_ITEM_OPEN) != 0), ret = 0;

	if (far < 0)
		return far;
	if (nm->words)
		ret = fields_write(m, nm, ev, &r->arena[r->arena_n]);
	if (ret)
		return ret;
	*index = row_commit(r, ev->timestamp, name, flags, nm->words, far);
	return 0;
}

static void row_changed(struct prof_model_row *r, size_t i)
{
	if (i < r->dirty)
		r->dirty = i;
}

/*
 * The position of item @index in a row's side table (long spans or far
 * starts: @n entries of @size bytes at @table, each beginning with its
 * item's index, sorted by it), or @n if it has none.
 */
static size_t side_find(const void *table, size_t n, size_t size, size_t index)
{
	size_t lo = 0, hi = n, at;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		memcpy(&at, (const char *)table + mid * size, sizeof(at));
		if (at < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < n)
		memcpy(&at, (const char *)table + lo * size, sizeof(at));
	return lo < n && at == index ? lo : n;
}

/* The item's bit fields hold every name below the limit name_get() keeps, and every flag. */
_Static_assert(PROF_MODEL_MAX_NAMES <= 1u << 20, "name is a 20-bit field");
_Static_assert((PROF_ITEM_OPEN | PROF_ITEM_BROKEN | PROF_ITEM_UNENDED) < 16u, "flags is a 4-bit field");
_Static_assert(PROF_MODEL_LOD_MIN >= PROF_MODEL_FIELDS_SHIFT && PROF_MODEL_LOD_MIN >= PROF_MODEL_T0_SHIFT,
	       "a first-level group begins a fields block and a time block");
_Static_assert(offsetof(struct prof_model_long, index) == 0 && offsetof(struct prof_model_far, index) == 0,
	       "side tables begin with the item's index");

uint64_t prof_model_long_t1(const struct prof_model_row *row, size_t index)
{
	size_t at = side_find(row->longs, row->nlongs, sizeof(*row->longs), index);

	return at < row->nlongs ? row->longs[at].t1 : prof_model_item_t0(row, index);
}

uint64_t prof_model_far_t0(const struct prof_model_row *row, size_t index)
{
	size_t at = side_find(row->fars, row->nfars, sizeof(*row->fars), index);

	return at < row->nfars ? row->fars[at].t0 : row->t0_base[index >> PROF_MODEL_T0_SHIFT];
}

/* Set item @i of @r (a row of spans) to end at @t1 (not before its start); 0 or -ENOMEM (unchanged). */
static int item_set_t1(struct prof_model_row *r, size_t i, uint64_t t1)
{
	uint64_t t0 = prof_model_item_t0(r, i), d = t1 > t0 ? t1 - t0 : 0;
	size_t at = r->nlongs;

	if (d < PROF_MODEL_DUR_LONG) {
		r->durs[i] = (uint32_t)d;
		return 0;
	}
	/* A long span: its end in the row's table, kept sorted by index (spans
	 * of a row close in index order but for cut ones: insert in place). */
	while (at > 0 && r->longs[at - 1].index >= i)
		at--;
	if (at < r->nlongs && r->longs[at].index == i) {
		r->longs[at].t1 = t1;
	} else {
		if (grow((void **)&r->longs, &r->longs_cap, r->nlongs + 1, sizeof(*r->longs)))
			return -ENOMEM;
		memmove(&r->longs[at + 1], &r->longs[at], (r->nlongs - at) * sizeof(*r->longs));
		r->longs[at] = (struct prof_model_long){ .index = i, .t1 = t1 };
		r->nlongs++;
	}
	r->durs[i] = PROF_MODEL_DUR_LONG;
	return 0;
}

/* Close the open span at @d of @l at @t with @flags; 0 or -ENOMEM. */
static int span_close(struct prof_model_lane *l, size_t d, uint64_t t, uint32_t flags)
{
	struct prof_model_row *r = &l->rows[l->open[d].row];
	struct prof_model_item *it = &r->items[l->open[d].index];

	if (item_set_t1(r, l->open[d].index, t))
		return -ENOMEM;
	it->flags = (it->flags & ~PROF_ITEM_OPEN) | flags;
	row_changed(r, l->open[d].index);
	return 0;
}

/* A loss on (@trace, @stream) seen at @t: every open span there is cut. */
static int loss_seen(struct prof_model *m, struct prof_model_lane *at, uint32_t trace, uint32_t stream, uint64_t t,
		     uint64_t events, uint64_t packets)
{
	if (grow((void **)&at->losses, &at->losses_cap, at->nlosses + 1, sizeof(*at->losses)))
		return -ENOMEM;
	at->losses[at->nlosses++] = (struct prof_model_loss){ .t = t, .events = events, .packets = packets };
	for (size_t i = 0; i < m->nlanes; i++) {
		struct prof_model_lane *l = m->lanes[i];

		if (l->kind != PROF_LANE_THREAD || l->trace != trace || l->stream != stream)
			continue;
		for (size_t d = l->nopen; d-- > 0;) {
			if (span_close(l, d, t, PROF_ITEM_BROKEN))
				return -ENOMEM;
			l->nopen = d;
		}
	}
	return 0;
}

enum prof_conn_class prof_model_conn_class(const char *name)
{
	if (!strcmp(name, "sock.read") || !strcmp(name, "tcp.rx") || !strcmp(name, "ip.in"))
		return PROF_CONN_READ;
	if (!strcmp(name, "sock.write") || !strcmp(name, "tcp.tx") || !strcmp(name, "ip.out"))
		return PROF_CONN_WRITE;
	return PROF_CONN_STATE;
}

/* The model's index of @ev's event name, through the cache keyed by its desc's address and id. */
static inline uint32_t name_of(struct prof_model *m, const struct prof_decoded_event *ev)
{
	size_t slot = ev->id & 255;
	uint32_t name;

	if (m->name_cache[slot].desc == ev->desc && m->name_cache[slot].id == ev->id)
		return m->name_cache[slot].name;
	name = name_get(m, ev->desc);
	if (name != PROF_MODEL_NONE) {
		m->name_cache[slot].desc = ev->desc;
		m->name_cache[slot].id = ev->id;
		m->name_cache[slot].name = name;
	}
	return name;
}

int prof_model_add(struct prof_model *m, const struct prof_decoded_event *ev)
{
	struct prof_model_lane *l, *sl;
	struct prof_model_name *nm;
	uint32_t name;
	size_t index;
	int ret = 0;

	if (!ev->desc)
		return -EINVAL;
	name = name_of(m, ev);
	if (name == PROF_MODEL_NONE)
		/* name_get() looks first, so a model full of names refused a new one. */
		return m->nnames >= PROF_MODEL_MAX_NAMES ? -ERANGE : -ENOMEM;
	nm = &m->names[name];

	l = thread_lane(m, ev);
	if (!l)
		return -ENOMEM;
	/* Loss: a growth of events_discarded, or a packet_seq_num gap. */
	sl = l->stream_lane;
	if (!sl->seen) {
		sl->seen = 1;
		sl->last_seq = ev->packet_seq;
		sl->last_discarded = ev->packet_discarded;
		if (ev->packet_discarded || ev->packet_seq)
			ret = loss_seen(m, l, ev->trace, ev->stream, ev->timestamp, ev->packet_discarded, ev->packet_seq);
	} else if (ev->packet_seq != sl->last_seq) {
		uint64_t events = ev->packet_discarded > sl->last_discarded ? ev->packet_discarded - sl->last_discarded : 0;
		uint64_t packets = ev->packet_seq > sl->last_seq + 1 ? ev->packet_seq - sl->last_seq - 1 : 0;

		if (events || packets)
			ret = loss_seen(m, l, ev->trace, ev->stream, ev->timestamp, events, packets);
		sl->last_seq = ev->packet_seq;
		sl->last_discarded = ev->packet_discarded;
	}
	if (ret)
		return ret;

	switch (nm->ev.kind) {
	case PROF_KIND_SPAN_BEGIN: {
		size_t depth = l->nopen;

		if (depth >= l->nrows) {
			if (grow((void **)&l->rows, &(size_t){ l->nrows }, depth + 1, sizeof(*l->rows)))
				return -ENOMEM;
			memset(&l->rows[l->nrows], 0, (depth + 1 - l->nrows) * sizeof(*l->rows));
			l->nrows = depth + 1;
		}
		if (grow((void **)&l->open, &l->open_cap, l->nopen + 1, sizeof(*l->open)))
			return -ENOMEM;
		ret = row_push(m, &l->rows[depth], ev, name, PROF_ITEM_OPEN, &index);
		if (ret)
			return ret;
		l->open[l->nopen].span = nm->span;
		l->open[l->nopen].row = depth;
		l->open[l->nopen].index = index;
		l->nopen++;
		break;
	}
	case PROF_KIND_SPAN_END: {
		size_t d;

		for (d = l->nopen; d-- > 0;)
			if (l->open[d].span == nm->span)
				break;
		if (d == SIZE_MAX) {
			/* An end with no begin: shown as an instant. */
			ret = row_push(m, &l->instants, ev, name, 0, &index);
			if (ret)
				return ret;
			break;
		}
		/* Innermost first: a failure leaves the spans not yet closed open. */
		for (size_t i = l->nopen; i-- > d + 1;) {
			if (span_close(l, i, ev->timestamp, PROF_ITEM_UNENDED))
				return -ENOMEM;
			l->nopen = i;
		}
		if (span_close(l, d, ev->timestamp, 0))
			return -ENOMEM;
		l->nopen = d;
		break;
	}
	case PROF_KIND_COUNTER: {
		struct prof_model_lane *cl = counter_lane(m, ev, name);
		double v;

		if (!cl)
			return -ENOMEM;
		v = ev->nfields ? value_double(&ev->values[0]) : 0;
		ret = row_push(m, &cl->instants, ev, name, 0, &index);
		if (ret)
			return ret;
		if (cl->instants.n == 1 || v < cl->vmin)
			cl->vmin = v;
		if (cl->instants.n == 1 || v > cl->vmax)
			cl->vmax = v;
		break;
	}
	default: {
		struct prof_model_lane *il = l;
		int cf = nm->conn_field;

		/* An event of the probes' vocabulary with a non-zero integer
		 * `conn` goes to its connection's lane. */
		if (cf >= 0 && cf < ev->nfields && ev->values[cf].type != PROF_TYPE_STRING &&
		    ev->values[cf].type != PROF_TYPE_F64 && ev->values[cf].v.u != 0) {
			il = lane_get(m, ev, PROF_LANE_CONN, ev->trace, 0, 0, 0, ev->values[cf].v.u);
			if (!il)
				return -ENOMEM;
		}
		ret = row_push(m, &il->instants, ev, name, 0, &index);
		if (ret)
			return ret;
		break;
	}
	}
	if (ev->timestamp < m->t_first)
		m->t_first = ev->timestamp;
	if (ev->timestamp > m->t_last)
		m->t_last = ev->timestamp;
	m->events++;
	return 0;
}

/* ---- The LOD index ---- */

/* The value of the item of name @nm whose record is at @off of @row's arena (prof_model_item_value()). */
static double value_at(const struct prof_model *m, const struct prof_model_row *row, const struct prof_model_name *nm,
		       uint32_t off)
{
	struct prof_value v;

	if (!nm->words || !nm->ev.nfields || nm->ev.fields[0].type == PROF_TYPE_STRING)
		return 0;
	field_get(m, row, nm, off, 0, &v);
	return value_double(&v);
}

double prof_model_item_value(const struct prof_model *m, const struct prof_model_row *row, size_t index)
{
	const struct prof_model_name *nm = &m->names[row->items[index].name];

	return nm->words ? value_at(m, row, nm, prof_model_field_offset(m, row, index)) : 0;
}

/* The times of a counter row's item @i as a summary (its value set by the caller). */
static void summary_of_item(const struct prof_model_row *r, size_t i, struct prof_model_summary *s)
{
	s->t0 = prof_model_item_t0(r, i);
	s->t1 = prof_model_item_t1(r, i);
}

static void summary_merge(struct prof_model_summary *s, const struct prof_model_summary *b, int counter)
{
	if (b->t0 < s->t0)
		s->t0 = b->t0;
	if (b->t1 > s->t1)
		s->t1 = b->t1;
	if (counter) {
		if (b->value.min < s->value.min)
			s->value.min = b->value.min;
		if (b->value.max > s->value.max)
			s->value.max = b->value.max;
	} else if (b->longest.ns > s->longest.ns) {
		s->longest = b->longest;
	}
}

/*
 * The summary of items [@a, @b) of a thread or connection row: what
 * summary_of_item() and summary_merge() make of them, in one pass.
 */
static void first_level(const struct prof_model_row *r, size_t a, size_t b, struct prof_model_summary *s)
{
	uint64_t t0 = prof_model_item_t0(r, a), t1 = prof_model_item_t1(r, a), longest = t1 - t0;
	uint32_t name = r->items[a].name;

	for (size_t j = a + 1; j < b; j++) {
		const struct prof_model_item *it = &r->items[j];
		uint64_t b0 = prof_model_item_t0(r, j);
		uint32_t dur = r->durs ? r->durs[j] : 0;
		uint64_t e = dur != PROF_MODEL_DUR_LONG ? b0 + dur : prof_model_long_t1(r, j);

		if (b0 < t0)
			t0 = b0;
		if (e > t1)
			t1 = e;
		if (e - b0 > longest) {
			longest = e - b0;
			name = it->name;
		}
	}
	s->t0 = t0;
	s->t1 = t1;
	s->longest.ns = longest;
	s->longest.name = name;
	s->longest.reserved = 0;
}

static int row_index(const struct prof_model *m, struct prof_model_row *r)
{
	size_t from = r->dirty < r->indexed ? r->dirty : r->indexed;
	size_t below = r->n; /* entries of the level below (the items for the first level) */
	unsigned int k;

	if (from == r->n && r->indexed == r->n)
		return 0;
	for (k = PROF_MODEL_LOD_MIN; below > 1 && k <= 48; k++) {
		size_t n = (r->n + ((size_t)1 << k) - 1) >> k;
		size_t start = from >> k;
		struct prof_model_summary *lv;

		if (n > r->level_n[k - 1] || !r->levels[k - 1]) {
			lv = realloc(r->levels[k - 1], n * sizeof(*lv));
			if (!lv)
				return -ENOMEM;
			r->levels[k - 1] = lv;
		}
		lv = r->levels[k - 1];
		for (size_t i = start; i < n; i++) {
			if (k == PROF_MODEL_LOD_MIN && !m) {
				size_t a = i << k, b = a + ((size_t)1 << k);

				first_level(r, a, b < r->n ? b : r->n, &lv[i]);
			} else if (k == PROF_MODEL_LOD_MIN) {
				/* The first level: groups of 2^PROF_MODEL_LOD_MIN items, which
				 * begin a fields block: their records follow one another. */
				size_t a = i << k, b = a + ((size_t)1 << k);
				uint32_t off = r->fields[a >> PROF_MODEL_FIELDS_SHIFT];

				summary_of_item(r, a, &lv[i]);
				lv[i].value.min = lv[i].value.max = value_at(m, r, &m->names[r->items[a].name], off);
				off += m->names[r->items[a].name].words;
				for (size_t j = a + 1; j < b && j < r->n; j++) {
					const struct prof_model_name *nm = &m->names[r->items[j].name];
					struct prof_model_summary t;

					summary_of_item(r, j, &t);
					t.value.min = t.value.max = value_at(m, r, nm, off);
					off += nm->words;
					summary_merge(&lv[i], &t, 1);
				}
			} else {
				const struct prof_model_summary *lo = r->levels[k - 2];

				lv[i] = lo[2 * i];
				if (2 * i + 1 < below)
					summary_merge(&lv[i], &lo[2 * i + 1], m != NULL);
			}
		}
		r->level_n[k - 1] = n;
		below = n;
	}
	r->nlevels = k > PROF_MODEL_LOD_MIN ? k - 1 : 0;
	r->indexed = r->n;
	r->dirty = SIZE_MAX;
	return 0;
}

int prof_model_index(struct prof_model *m)
{
	int changed = 0;

	for (size_t i = 0; i < m->nlanes; i++) {
		struct prof_model_lane *l = m->lanes[i];

		for (size_t r = 0; r <= l->nrows; r++) {
			struct prof_model_row *row = r < l->nrows ? &l->rows[r] : &l->instants;

			if (row->indexed == row->n && row->dirty >= row->n)
				continue;
			if (row_index(l->kind == PROF_LANE_COUNTER ? m : NULL, row))
				return -ENOMEM;
			changed = 1;
		}
	}
	if (changed)
		m->generation++;
	return 0;
}

/* ---- Loading ---- */

/* Shrink @p (of *@cap elements of @size, @n used) to @n; a failed realloc keeps it as it was. */
static void shrink(void **p, size_t *cap, size_t n, size_t size)
{
	void *q;

	if (!*p || n == *cap || n == 0)
		return;
	q = realloc(*p, n * size);
	if (q) {
		*p = q;
		*cap = n;
	}
}

void prof_model_compact(struct prof_model *m)
{
	for (size_t i = 0; i < m->nlanes; i++) {
		struct prof_model_lane *l = m->lanes[i];

		for (size_t r = 0; r <= l->nrows; r++) {
			struct prof_model_row *row = r < l->nrows ? &l->rows[r] : &l->instants;

			size_t tb = (row->n + ((size_t)1 << PROF_MODEL_T0_SHIFT) - 1) >> PROF_MODEL_T0_SHIFT;
			size_t fb = (row->n + ((size_t)1 << PROF_MODEL_FIELDS_SHIFT) - 1) >> PROF_MODEL_FIELDS_SHIFT;

			vec_shrink((void **)&row->items, &row->cap, row->n, sizeof(*row->items));
			vec_shrink((void **)&row->durs, &row->durs_cap, row->n, sizeof(*row->durs));
			vec_shrink((void **)&row->t0_base, &row->t0_base_cap, tb, sizeof(*row->t0_base));
			vec_shrink((void **)&row->fields, &row->fields_cap, fb, sizeof(*row->fields));
			vec_shrink((void **)&row->arena, &row->arena_cap, row->arena_n, sizeof(*row->arena));
		}
	}
	shrink((void **)&m->strings, &m->strings_cap, m->nstrings, sizeof(*m->strings));
}

void prof_model_set_source_info(struct prof_model *m, const struct prof_trace_desc *desc,
				const struct prof_trace_stats *stats)
{
	m->stats = *stats;
	m->counts = desc->counts;
	m->ntraces = stats->traces ? (uint32_t)stats->traces : 1;
	if (desc->origin.procname[0])
		snprintf(m->origin, sizeof(m->origin), "%.60s (pid %" PRIu64 ") on %.40s", desc->origin.procname,
			 (uint64_t)desc->origin.pid, desc->origin.hostname[0] ? desc->origin.hostname : "?");
}

/*
 * Reading a trace on several threads (prof_model_load_threads()).  Each
 * thread reads one shard of the trace's stream files
 * (mprof_source_open_shard(): every stream file in one shard) into a model
 * of its own and summarises it; lanes are per stream, so each thread lane
 * is whole in one shard's model.  The shards' models are then
 * merged into the first (model_merge()): names and strings are mapped to
 * the first model's (the string ids in each row's field records
 * renumbered in place), lanes moved over with their rows whole, and a
 * counter or connection lane that several shards have (one per trace and
 * counter name, or TCP connection, fed by every thread) merged by time
 * into a new row (row_merge(): the two given back as they are consumed).
 * The lanes are then put in the order one thread reading the merged trace
 * gives them (by first appearance), so the result is the same model.
 *
 *   shard 0 (streams 0, 2, ..) --> model A  (this thread) --+
 *   shard 1 (streams 1, 3, ..) --> model B  (a thread)    --+--> A: merge, order lanes, index
 *
 * Progress: each shard publishes its event count; the first reports the
 * sum.  A cancelled load or a failed shard sets `stop`, which every
 * shard polls at its progress points.  The counts and the flag are only
 * signals (relaxed atomics): the models themselves pass to the first
 * thread by pthread_join(), which orders everything they wrote.
 */
#define LOAD_THREADS_MAX 8u

struct load_shard {
	struct prof_model m;
	struct mprof_source *src;
	const char *path;
	int ret;
	struct prof_error err;
	atomic_uint_fast64_t events;   /* read so far: a progress signal */
	atomic_int *stop;              /* 1: cancelled, 2: a shard failed */
	struct load_shard *all;        /* the first shard: the progress callback's */
	unsigned int nshards;
	prof_model_progress_fn progress;
	void *arg;
	pthread_t thread;
	int started;
};

/* Set @err for @ret, a failure of prof_model_add() or a merge, @what ("after", "merging") @events; @ret. */
static int add_error(struct prof_error *err, int ret, const char *path, const char *what, uint64_t events)
{
	if (ret == -ERANGE)
		return prof_error_set(err, ret, path, UINT64_MAX,
				      "more than %u event names, the viewer's limit, %s %" PRIu64 " events",
				      (unsigned int)PROF_MODEL_MAX_NAMES, what, events);
	if (ret == -EOVERFLOW)
		return prof_error_set(err, ret, path, UINT64_MAX,
				      "one lane's field values reach 2^32 words, the viewer's limit, %s %" PRIu64
				      " events",
				      what, events);
	return prof_error_set(err, ret, path, UINT64_MAX, "out of memory %s %" PRIu64 " events", what, events);
}

/* Read every event of @src into @m; 0, -ECANCELED (@progress asked to stop) or an error, in @err. */
static int read_into(struct prof_model *m, struct mprof_source *src, const char *path,
		     prof_model_progress_fn progress, void *arg, struct prof_error *err)
{
	struct prof_decoded_event ev;
	int ret;

	while ((ret = mprof_source_next(src, &ev)) == 1) {
		ret = prof_model_add(m, &ev);
		if (ret)
			return add_error(err, ret, path, "after", m->events);
		if (progress && (m->events & 0xffff) == 0 && progress(arg, m->events))
			return prof_error_set(err, -ECANCELED, path, UINT64_MAX, "loading cancelled");
	}
	if (ret < 0) {
		const struct prof_error *e = mprof_source_error(src);

		if (err && e)
			*err = *e;
		else
			prof_error_set(err, ret, path, UINT64_MAX, "cannot read the trace");
	}
	return ret;
}

/* A shard's progress point: publish its count; the first shard reports the sum. */
static int shard_progress(void *arg, uint64_t events)
{
	struct load_shard *sh = arg;
	uint64_t total = 0;

	/* Relaxed: a count for a progress bar, ordered by nothing else. */
	atomic_store_explicit(&sh->events, events, memory_order_relaxed);
	if (sh == sh->all && sh->progress) {
		for (unsigned int i = 0; i < sh->nshards; i++)
			total += atomic_load_explicit(&sh->all[i].events, memory_order_relaxed);
		if (sh->progress(sh->arg, total))
			atomic_store_explicit(sh->stop, 1, memory_order_relaxed);
	}
	return atomic_load_explicit(sh->stop, memory_order_relaxed) != 0;
}

static void *shard_main(void *arg)
{
	struct load_shard *sh = arg;
	int zero = 0;

	sh->ret = read_into(&sh->m, sh->src, sh->path, shard_progress, sh, &sh->err);
	/* Its thread lanes' summaries here, in parallel: they move to the
	 * first model whole (the merged rows are summarised after). */
	if (!sh->ret) {
		prof_model_compact(&sh->m);
		sh->ret = prof_model_index(&sh->m);
		if (sh->ret)
			prof_error_set(&sh->err, sh->ret, sh->path, UINT64_MAX, "out of memory indexing %" PRIu64 " events",
				       sh->m.events);
	}
	if (sh->ret && sh->ret != -ECANCELED)
		atomic_compare_exchange_strong_explicit(sh->stop, &zero, 2, memory_order_relaxed,
							memory_order_relaxed);
	return NULL;
}

/*
 * Give back the memory of the elements of a vec array of @cap elements of
 * @size that is a mapping, from element *@done to @to, whole pages only
 * (those wholly below @to); *@done moves to the first element not given
 * back.  The elements given back must not be read again.
 */
static void vec_release_front(void *p, size_t cap, size_t size, size_t *done, size_t to)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t a = page_round(*done * size), b = to * size / pg * pg;

	if (cap * size < VEC_BIG || b <= a)
		return;
	(void)madvise((char *)p + a, b - a, MADV_DONTNEED);
	*done = b / size;
}

/* Append item @i of @src (its name already @m's) with its field values to @out; 0, -ENOMEM or -EOVERFLOW. */
static int row_copy(const struct prof_model *m, struct prof_model_row *out, const struct prof_model_row *src, size_t i,
		    uint32_t off)
{
	const struct prof_model_item *it = &src->items[i];
	uint64_t t0 = prof_model_item_t0(src, i);
	size_t words = m->names[it->name].words, at;
	int far = row_reserve(out, t0, words, src->durs != NULL);

	if (far < 0)
		return far;
	memcpy(&out->arena[out->arena_n], &src->arena[off], words * sizeof(*src->arena));
	at = row_commit(out, t0, it->name, it->flags, words, far);
	if (src->durs && item_set_t1(out, at, prof_model_item_t1(src, i)))
		return -ENOMEM;
	return 0;
}

/*
 * Merge @src's instants row into @dst's, by time (@dst's first at equal
 * times), into a new row appended from the front, with each item's block
 * bases and field records made anew, while the two inputs' items and
 * field values are given back as they are consumed (every 64 KiB of items), so
 * the merged row never takes much memory beside the two.  0, -ENOMEM or
 * -EOVERFLOW (@dst unchanged, but for memory given back: the model is then
 * freed).
 */
static int row_merge(const struct prof_model *m, struct prof_model_row *dst, struct prof_model_row *src)
{
	const size_t step = ((size_t)1 << 16) / sizeof(*src->items); /* 64 KiB of items */
	struct prof_model_row out;
	size_t i = 0, j = 0, di = 0, dj = 0, dwi = 0, dwj = 0;
	uint32_t oi = 0, oj = 0; /* the field offsets of items i and j (records in item order) */
	int ret = 0;

	memset(&out, 0, sizeof(out));
	while (i < dst->n || j < src->n) {
		int from_src = i == dst->n || (j < src->n && prof_model_item_t0(src, j) < prof_model_item_t0(dst, i));

		if (from_src) {
			ret = row_copy(m, &out, src, j, oj);
			oj += m->names[src->items[j++].name].words;
		} else {
			ret = row_copy(m, &out, dst, i, oi);
			oi += m->names[dst->items[i++].name].words;
		}
		if (ret) {
			row_free(&out);
			return ret;
		}
		if (i - di >= step || j - dj >= step) {
			vec_release_front(dst->items, dst->cap, sizeof(*dst->items), &di, i);
			vec_release_front(src->items, src->cap, sizeof(*src->items), &dj, j);
			vec_release_front(dst->arena, dst->arena_cap, sizeof(*dst->arena), &dwi, oi);
			vec_release_front(src->arena, src->arena_cap, sizeof(*src->arena), &dwj, oj);
		}
	}
	row_free(dst);
	row_free(src);
	*dst = out;
	/* Every summary again. */
	dst->indexed = 0;
	dst->dirty = 0;
	return 0;
}

/* Lanes in the order a single reader of the merged trace makes them (lane_get()). */
static int lane_order(const void *a, const void *b)
{
	const struct prof_model_lane *x = *(struct prof_model_lane *const *)a;
	const struct prof_model_lane *y = *(struct prof_model_lane *const *)b;

	if (x->trace != y->trace)
		return x->trace < y->trace ? -1 : 1;
	if (kind_rank(x->kind) != kind_rank(y->kind))
		return kind_rank(x->kind) < kind_rank(y->kind) ? -1 : 1;
	if (x->first_t != y->first_t)
		return x->first_t < y->first_t ? -1 : 1;
	if (x->first_stream != y->first_stream)
		return x->first_stream < y->first_stream ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/*
 * Move everything of @b (a shard's model, same trace) into @a; @b keeps
 * only what was not moved (prof_model_free() it).  0 or -ENOMEM (@a may
 * then hold part of @b).
 */
static int model_merge(struct prof_model *a, struct prof_model *b)
{
	uint32_t *nmap = NULL, *smap = NULL, *spanmap = NULL;
	int ret = -ENOMEM;

	nmap = malloc((b->nnames + 1) * sizeof(*nmap));
	smap = malloc((b->nstrings + 1) * sizeof(*smap));
	spanmap = malloc((b->nspans + 1) * sizeof(*spanmap));
	if (!nmap || !smap || !spanmap)
		goto out;
	for (size_t i = 0; i < b->nnames; i++) {
		nmap[i] = name_get(a, &b->names[i].ev);
		if (nmap[i] == PROF_MODEL_NONE) {
			ret = a->nnames >= PROF_MODEL_MAX_NAMES ? -ERANGE : -ENOMEM;
			goto out;
		}
		if (b->names[i].span != PROF_MODEL_NONE)
			spanmap[b->names[i].span] = a->names[nmap[i]].span;
	}
	for (size_t i = 0; i < b->nstrings; i++) {
		smap[i] = string_get(a, b->strings[i], strlen(b->strings[i]));
		if (smap[i] == PROF_MODEL_NONE)
			goto out;
	}
	/* Rows keep their field records (each row has its arena): their
	 * strings are renumbered, in item order. */
	for (size_t li = 0; li < b->nlanes; li++) {
		struct prof_model_lane *l = b->lanes[li];

		for (size_t r = 0; r <= l->nrows; r++) {
			struct prof_model_row *row = r < l->nrows ? &l->rows[r] : &l->instants;
			uint32_t off = 0;

			for (size_t i = 0; i < row->n; i++) {
				const struct prof_model_name *nm = &b->names[row->items[i].name];

				for (uint16_t f = 0; nm->words && f < nm->ev.nfields && f < PROF_MAX_FIELDS; f++)
					if (nm->ev.fields[f].type == PROF_TYPE_STRING) {
						uint32_t *w = &row->arena[off + nm->word[f]];

						*w = smap[*w];
					}
				off += nm->words;
				row->items[i].name = nmap[row->items[i].name];
			}
			/* Summaries made by the shard's thread name its longest item. */
			for (unsigned int k = 0; l->kind != PROF_LANE_COUNTER && k < row->nlevels; k++)
				for (size_t g = 0; g < row->level_n[k]; g++)
					row->levels[k][g].longest.name = nmap[row->levels[k][g].longest.name];
		}
		for (size_t d = 0; d < l->nopen; d++)
			l->open[d].span = spanmap[l->open[d].span];
		if (l->kind == PROF_LANE_COUNTER)
			l->counter = nmap[l->counter];
	}
	/* Lanes: moved over, or merged into the same lane of a (counters and
	 * connections, which every thread of a trace feeds). */
	for (size_t li = 0; li < b->nlanes; li++) {
		struct prof_model_lane *l = b->lanes[li];
		struct prof_model_lane *same = l->kind == PROF_LANE_THREAD ? NULL :
			lane_find(a, l->kind, l->trace, l->stream, l->tid, l->counter, l->conn);

		if (same) {
			ret = row_merge(a, &same->instants, &l->instants);
			if (ret)
				goto out;
			ret = -ENOMEM;
			if (l->vmin < same->vmin)
				same->vmin = l->vmin;
			if (l->vmax > same->vmax)
				same->vmax = l->vmax;
			if (l->first_t < same->first_t ||
			    (l->first_t == same->first_t && l->first_stream < same->first_stream)) {
				same->first_t = l->first_t;
				same->first_stream = l->first_stream;
			}
			continue;
		}
		if (grow((void **)&a->lanes, &a->lanes_cap, a->nlanes + 1, sizeof(*a->lanes)))
			goto out;
		a->lanes[a->nlanes++] = l;
		b->lanes[li] = NULL;
	}
	if (b->t_first < a->t_first)
		a->t_first = b->t_first;
	if (b->t_last > a->t_last)
		a->t_last = b->t_last;
	a->events += b->events;
	qsort(a->lanes, a->nlanes, sizeof(*a->lanes), lane_order);
	ret = 0;
out:
	free(nmap);
	free(smap);
	free(spanmap);
	return ret;
}

static void add_stats(struct prof_trace_stats *sum, const struct prof_trace_stats *s)
{
	sum->streams += s->streams;
	sum->packets += s->packets;
	sum->events += s->events;
	sum->invalid_packets += s->invalid_packets;
	sum->events_discarded += s->events_discarded;
	sum->packets_lost += s->packets_lost;
	sum->packets_out_of_order += s->packets_out_of_order;
	sum->packets_misplaced += s->packets_misplaced;
}

int prof_model_load_threads(struct prof_model *m, const char *path, unsigned int threads,
			    prof_model_progress_fn progress, void *arg, struct prof_error *err)
{
	struct load_shard *sh = NULL;
	struct prof_trace_stats st, one;
	atomic_int stop = 0;
	unsigned int n = 0;
	int ret = 0;

	if (!threads) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		threads = cpus > 1 ? (unsigned int)cpus : 1;
	}
	threads = threads < LOAD_THREADS_MAX ? threads : LOAD_THREADS_MAX;
	sh = calloc(threads, sizeof(*sh));
	if (!sh)
		return prof_error_set(err, -ENOMEM, path, UINT64_MAX, "out of memory");
	/* An mprof trace in shards; anything else (or a failure to open it
	 * so) is read whole by one thread, which says what is wrong. */
	for (n = 0; threads > 1 && n < threads; n++)
		if (mprof_source_open_shard(&sh[n].src, path, n, threads, NULL))
			break;
	if (n < threads) {
		for (unsigned int i = 0; i < n; i++)
			mprof_source_close(sh[i].src);
		n = 1;
		sh[0].src = NULL;
		ret = mprof_source_open(&sh[0].src, path, 0, err);
		if (ret)
			goto out;
	}
	for (unsigned int i = 0; i < n; i++) {
		if (i)
			prof_model_init(&sh[i].m);
		sh[i].path = path;
		sh[i].stop = &stop;
		sh[i].all = sh;
		sh[i].nshards = n;
		sh[i].progress = progress;
		sh[i].arg = arg;
		atomic_init(&sh[i].events, 0);
	}
	/* Shards 1.. on threads of their own (or here, if none can start). */
	for (unsigned int i = 1; i < n; i++)
		sh[i].started = pthread_create(&sh[i].thread, NULL, shard_main, &sh[i]) == 0;
	ret = read_into(m, sh[0].src, path, progress ? shard_progress : NULL, &sh[0], err);
	if (!ret && n > 1) {
		prof_model_compact(m);
		ret = prof_model_index(m);
		if (ret)
			prof_error_set(err, ret, path, UINT64_MAX, "out of memory indexing %" PRIu64 " events", m->events);
	}
	if (ret)
		atomic_store_explicit(&stop, ret == -ECANCELED ? 1 : 2, memory_order_relaxed);
	for (unsigned int i = 1; i < n; i++) {
		if (sh[i].started)
			pthread_join(sh[i].thread, NULL);
		else if (!atomic_load_explicit(&stop, memory_order_relaxed))
			shard_main(&sh[i]);
	}
	/* The first real failure is the load's (a shard that stopped because
	 * another failed says only "cancelled"). */
	if (atomic_load_explicit(&stop, memory_order_relaxed) == 2 && (!ret || ret == -ECANCELED))
		for (unsigned int i = 1; i < n; i++)
			if (sh[i].ret && sh[i].ret != -ECANCELED) {
				ret = sh[i].ret;
				if (err)
					*err = sh[i].err;
				break;
			}
	if (!ret && atomic_load_explicit(&stop, memory_order_relaxed) == 1)
		ret = prof_error_set(err, -ECANCELED, path, UINT64_MAX, "loading cancelled");
	if (ret)
		goto out;
	for (unsigned int i = 1; i < n; i++) {
		ret = model_merge(m, &sh[i].m);
		if (ret) {
			add_error(err, ret, path, "merging", m->events);
			goto out;
		}
		prof_model_free(&sh[i].m);
	}
	mprof_source_stats(sh[0].src, &st);
	for (unsigned int i = 1; i < n; i++) {
		mprof_source_stats(sh[i].src, &one);
		add_stats(&st, &one);
	}
	prof_model_set_source_info(m, mprof_source_desc(sh[0].src), &st);
	prof_model_compact(m);
	ret = prof_model_index(m);
	if (ret)
		prof_error_set(err, ret, path, UINT64_MAX, "out of memory indexing %" PRIu64 " events", m->events);
out:
	/* The sources' event definitions go with them: forget their addresses. */
	memset(m->name_cache, 0, sizeof(m->name_cache));
	for (unsigned int i = 0; i < n; i++) {
		if (i)
			prof_model_free(&sh[i].m);
		mprof_source_close(sh[i].src);
	}
	free(sh);
	return ret;
}

int prof_model_load(struct prof_model *m, const char *path, prof_model_progress_fn progress, void *arg,
		    struct prof_error *err)
{
	return prof_model_load_threads(m, path, 0, progress, arg, err);
}

/* ---- Queries ---- */

void prof_model_row_range(const struct prof_model_row *row, uint64_t t0, uint64_t t1, size_t *first, size_t *last)
{
	size_t lo = 0, hi = row->n;

	/* The first item starting after t0 ... */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (prof_model_item_t0(row, mid) <= t0)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* ... or the one before it, if it reaches t0 (or is still open). */
	if (lo > 0 && (prof_model_item_t1(row, lo - 1) >= t0 || (row->items[lo - 1].flags & PROF_ITEM_OPEN)))
		lo--;
	*first = lo;
	hi = row->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (prof_model_item_t0(row, mid) <= t1)
			lo = mid + 1;
		else
			hi = mid;
	}
	*last = lo;
}

unsigned int prof_model_lod_level(const struct prof_model_row *row, size_t n, double pixels)
{
	unsigned int k = 0;

	if (pixels < 1)
		pixels = 1;
	/* The smallest level whose groups are no more than the pixels. */
	while (k < row->nlevels && (double)n / (double)((size_t)1 << k) > pixels)
		k++;
	/* More than 16 items a pixel: the first level (groups of 64, 2 to 4 pixels). */
	if (k == PROF_MODEL_LOD_MIN - 1 && row->nlevels >= PROF_MODEL_LOD_MIN)
		return PROF_MODEL_LOD_MIN;
	return k < PROF_MODEL_LOD_MIN ? 0 : k;
}

static int by_duration_desc(const void *a, const void *b, void *arg)
{
	const struct prof_model *m = arg;
	const size_t *x = a, *y = b;
	const struct prof_model_row *rx = &m->lanes[x[0]]->rows[x[1]], *ry = &m->lanes[y[0]]->rows[y[1]];
	uint64_t tx = prof_model_item_t0(rx, x[2]), ty = prof_model_item_t0(ry, y[2]);
	uint64_t dx = prof_model_item_t1(rx, x[2]) - tx, dy = prof_model_item_t1(ry, y[2]) - ty;

	if (dx != dy)
		return dx < dy ? 1 : -1;
	return tx < ty ? -1 : tx > ty;
}

/* Calls @fn on every timed (ended) span of @span. */
#define FOR_EACH_SPAN(m, span, l, r, i, it)                                                      \
	for (size_t l = 0; l < (m)->nlanes; l++)                                                 \
		for (size_t r = 0; r < (m)->lanes[l]->nrows; r++)                                \
			for (size_t i = 0; i < (m)->lanes[l]->rows[r].n; i++)                    \
				for (const struct prof_model_item *it = &(m)->lanes[l]->rows[r].items[i]; \
				     it && !it->flags && (m)->names[it->name].span == (span); it = NULL)

int prof_model_instances(const struct prof_model *m, uint32_t span, size_t **out, size_t *n)
{
	size_t count = 0, *v, j = 0;

	*out = NULL;
	*n = 0;
	FOR_EACH_SPAN(m, span, l, r, i, it)
		count++;
	if (!count)
		return 0;
	v = malloc(count * 3 * sizeof(*v));
	if (!v)
		return -ENOMEM;
	FOR_EACH_SPAN(m, span, l, r, i, it) {
		v[j++] = l;
		v[j++] = r;
		v[j++] = i;
	}
	qsort_r(v, count, 3 * sizeof(*v), by_duration_desc, (void *)m);
	*out = v;
	*n = count;
	return 0;
}

size_t prof_model_histogram_bin(uint64_t d, size_t nbins, uint64_t lo, uint64_t hi)
{
	double f;
	size_t b;

	if (d <= lo || hi <= lo || nbins < 2)
		return 0;
	if (d >= hi)
		return nbins - 1;
	f = log((double)d / (double)lo) / log((double)hi / (double)lo);
	b = (size_t)(f * (double)nbins);
	return b >= nbins ? nbins - 1 : b;
}

uint64_t prof_model_histogram(const struct prof_model *m, uint32_t span, uint64_t *bins, size_t nbins,
			      uint64_t *lo, uint64_t *hi)
{
	uint64_t n = 0, a = UINT64_MAX, b = 0;

	memset(bins, 0, nbins * sizeof(*bins));
	FOR_EACH_SPAN(m, span, l, r, i, it) {
		uint64_t d = prof_model_item_t1(&m->lanes[l]->rows[r], i) - prof_model_item_t0(&m->lanes[l]->rows[r], i);

		d = d ? d : 1;

		a = d < a ? d : a;
		b = d > b ? d : b;
		n++;
	}
	*lo = n ? a : 1;
	*hi = n ? b : 1;
	FOR_EACH_SPAN(m, span, l, r, i, it) {
		uint64_t d = prof_model_item_t1(&m->lanes[l]->rows[r], i) - prof_model_item_t0(&m->lanes[l]->rows[r], i);

		d = d ? d : 1;

		bins[prof_model_histogram_bin(d, nbins, *lo, *hi)]++;
	}
	return n;
}

/* One event of a selection, to be sorted into its lane's order. */
struct sel_event {
	uint64_t t;
	int order;          /* at equal times (prof_model_select()) */
	const struct prof_model_row *row;
	size_t index;
	int end;
};

static int sel_cmp(const void *a, const void *b)
{
	const struct sel_event *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return (x->order > y->order) - (x->order < y->order);
}

int prof_model_select(const struct prof_model *m, uint64_t t0, uint64_t t1, struct prof_analysis **out)
{
	struct prof_clock_desc ns = { .freq_hz = 1000000000u, .source = PROF_CLOCK_MONOTONIC };
	struct prof_analysis *a = prof_analysis_new(&ns);
	struct sel_event *ev = NULL;
	size_t cap = 0;
	int ret = 0;

	*out = NULL;
	if (!a)
		return -ENOMEM;
	for (size_t li = 0; li < m->nlanes; li++) {
		const struct prof_model_lane *l = m->lanes[li];
		size_t n = 0, first, last;

		for (size_t r = 0; r <= l->nrows; r++) {
			const struct prof_model_row *row = r < l->nrows ? &l->rows[r] : &l->instants;
			int depth = r < l->nrows ? (int)r : -1;

			prof_model_row_range(row, t0, t1, &first, &last);
			for (size_t i = first; i < last; i++) {
				const struct prof_model_item *it = &row->items[i];
				uint64_t start = prof_model_item_t0(row, i), end = prof_model_item_t1(row, i);

				if (grow((void **)&ev, &cap, n + 2, sizeof(*ev))) {
					ret = -ENOMEM;
					goto out;
				}
				/* At one time: ends of spans begun before, begins (outermost
				 * first), instants, then ends of spans begun at that time
				 * (innermost first). */
				if (start >= t0 && start <= t1)
					ev[n++] = (struct sel_event){ start, depth < 0 ? 3 << 20 : (2 << 20) + depth, row, i, 0 };
				if (depth >= 0 && !it->flags && end >= t0 && end <= t1)
					ev[n++] = (struct sel_event){ end, (end == start ? 5 << 20 : 1 << 20) - depth, row, i, 1 };
			}
		}
		qsort(ev, n, sizeof(*ev), sel_cmp);
		for (size_t i = 0; i < n; i++) {
			struct prof_decoded_event d;
			const struct prof_model_name *nm = &m->names[ev[i].row->items[ev[i].index].name];

			memset(&d, 0, sizeof(d));
			d.timestamp = ev[i].t;
			d.trace = l->trace;
			d.stream = l->stream;
			d.tid = l->tid;
			if (ev[i].end) {
				d.desc = &m->spans[nm->span].end;
			} else {
				d.desc = &nm->ev;
				d.nfields = fields_get(m, ev[i].row, ev[i].index, d.values);
			}
			d.id = d.desc->id;
			ret = prof_analysis_add(a, &d);
			if (ret)
				goto out;
		}
	}
	prof_analysis_finish(a);
	*out = a;
	a = NULL;
out:
	free(ev);
	prof_analysis_free(a);
	return ret;
}

const struct prof_model_row *prof_model_row_of(const struct prof_model *m, const struct prof_model_ref *ref)
{
	const struct prof_model_lane *l = m->lanes[ref->lane];

	return ref->row == PROF_MODEL_NONE ? &l->instants : &l->rows[ref->row];
}

/* Items in search order: by start time, then lane, row (instants last) and index. */
struct search_key {
	uint64_t t;
	size_t lane, row, index;
};

static int key_cmp(const struct search_key *a, const struct search_key *b)
{
	if (a->t != b->t)
		return a->t < b->t ? -1 : 1;
	if (a->lane != b->lane)
		return a->lane < b->lane ? -1 : 1;
	if (a->row != b->row)
		return a->row < b->row ? -1 : 1;
	return (a->index > b->index) - (a->index < b->index);
}

int prof_model_search(const struct prof_model *m, const char *regex, const struct prof_model_ref *from,
		      int backward, struct prof_model_ref *out, struct prof_error *err)
{
	regex_t re;
	uint8_t *name_hit = NULL, *str_hit = NULL;
	int rc, found = 0;
	struct search_key start = { 0 }, best = { 0 };

	rc = regcomp(&re, regex, REG_EXTENDED | REG_NOSUB);
	if (rc) {
		char msg[160];

		regerror(rc, &re, msg, sizeof(msg));
		prof_error_set(err, -EINVAL, regex, UINT64_MAX, "bad regular expression: %s", msg);
		return -EINVAL;
	}
	if (from) {
		start.t = prof_model_item_t0(prof_model_row_of(m, from), from->index);
		start.lane = from->lane;
		start.row = from->row == PROF_MODEL_NONE ? SIZE_MAX : from->row;
		start.index = from->index;
	}
	name_hit = calloc(m->nnames + 1, 1);
	str_hit = calloc(m->nstrings + 1, 1);
	if (!name_hit || !str_hit) {
		found = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < m->nnames; i++)
		name_hit[i] = regexec(&re, m->names[i].ev.name, 0, NULL, 0) == 0;
	for (size_t i = 0; i < m->nstrings; i++)
		str_hit[i] = regexec(&re, m->strings[i], 0, NULL, 0) == 0;
	for (size_t li = 0; li < m->nlanes; li++) {
		const struct prof_model_lane *l = m->lanes[li];

		for (size_t r = 0; r <= l->nrows; r++) {
			const struct prof_model_row *row = r < l->nrows ? &l->rows[r] : &l->instants;

			for (size_t i = 0; i < row->n; i++) {
				const struct prof_model_item *it = &row->items[i];
				const struct prof_schema_event *e = &m->names[it->name].ev;
				const struct prof_model_name *nm = &m->names[it->name];
				struct search_key k = { prof_model_item_t0(row, i), li, r < l->nrows ? r : SIZE_MAX, i };
				int hit = name_hit[it->name];
				uint32_t off = 0;

				if (from && (backward ? key_cmp(&k, &start) >= 0 : key_cmp(&k, &start) <= 0))
					continue;
				if (found && (backward ? key_cmp(&k, &best) <= 0 : key_cmp(&k, &best) >= 0))
					continue;
				if (!hit && nm->words)
					off = prof_model_field_offset(m, row, i);
				for (uint16_t f = 0; !hit && nm->words && f < e->nfields && f < PROF_MAX_FIELDS; f++)
					if (e->fields[f].type == PROF_TYPE_STRING)
						hit = str_hit[row->arena[off + nm->word[f]]];
				if (!hit)
					continue;
				found = 1;
				best = k;
				out->lane = (uint32_t)li;
				out->row = r < l->nrows ? (uint32_t)r : PROF_MODEL_NONE;
				out->index = i;
			}
		}
	}
out:
	regfree(&re);
	free(name_hit);
	free(str_hit);
	return found;
}

void prof_model_describe(const struct prof_model *m, const struct prof_model_ref *ref, char *buf, size_t size)
{
	const struct prof_model_row *row = prof_model_row_of(m, ref);
	const struct prof_model_item *it = &row->items[ref->index];
	const struct prof_model_name *nm = &m->names[it->name];
	struct prof_value v[PROF_MAX_FIELDS];
	uint16_t n = fields_get(m, row, ref->index, v);
	uint64_t t0 = prof_model_item_t0(row, ref->index);
	size_t len = 0;

#define PUT(...)                                                                   \
	do {                                                                       \
		int w_ = snprintf(buf + len, size - len, __VA_ARGS__);             \
		if (w_ < 0 || (size_t)w_ >= size - len) {                          \
			len = size - 1;                                            \
			return;                                                    \
		}                                                                  \
		len += (size_t)w_;                                                 \
	} while (0)
	if (!size)
		return;
	buf[0] = '\0';
	if (nm->span != PROF_MODEL_NONE && ref->row != PROF_MODEL_NONE) {
		PUT("%s\nstart = %.9f s\n", m->spans[nm->span].name, (double)t0 / 1e9);
		if (it->flags & PROF_ITEM_OPEN)
			PUT("duration = (still open)\n");
		else
			PUT("duration = %" PRIu64 " ns%s\n", prof_model_item_t1(row, ref->index) - t0,
			    it->flags & PROF_ITEM_BROKEN ? " (cut by a loss of events)" :
			    it->flags & PROF_ITEM_UNENDED ? " (never ended: an outer span ended)" : "");
	} else {
		PUT("%s\ntime = %.9f s\n", nm->ev.name, (double)t0 / 1e9);
	}
	for (uint16_t i = 0; i < n; i++) {
		const char *fn = nm->ev.fields[i].name;

		switch (v[i].type) {
		case PROF_TYPE_STRING:
			PUT("%s = \"%s\"\n", fn, v[i].v.str.ptr);
			break;
		case PROF_TYPE_F64:
			PUT("%s = %g\n", fn, v[i].v.f);
			break;
		case PROF_TYPE_S8: case PROF_TYPE_S16: case PROF_TYPE_S32: case PROF_TYPE_S64:
			PUT("%s = %" PRId64 "\n", fn, v[i].v.s);
			break;
		default:
			PUT("%s = %" PRIu64 "\n", fn, v[i].v.u);
			break;
		}
	}
#undef PUT
	if (len && buf[len - 1] == '\n')
		buf[len - 1] = '\0';
}

size_t prof_model_bytes(const struct prof_model *m)
{
	size_t b = m->nlanes * sizeof(struct prof_model_lane) + m->names_cap * sizeof(*m->names) +
		   m->string_hash_cap * sizeof(uint32_t);

	for (size_t i = 0; i < m->nstrings; i++)
		b += strlen(m->strings[i]) + 1 + sizeof(char *);
	for (size_t i = 0; i < m->nlanes; i++) {
		const struct prof_model_lane *l = m->lanes[i];

		for (size_t r = 0; r <= l->nrows; r++) {
			const struct prof_model_row *row = r < l->nrows ? &l->rows[r] : &l->instants;

			b += row->cap * sizeof(*row->items) + row->durs_cap * sizeof(*row->durs) + row->t0_base_cap * sizeof(*row->t0_base) +
			     row->fields_cap * sizeof(*row->fields) + row->arena_cap * sizeof(*row->arena) +
			     row->longs_cap * sizeof(*row->longs) + row->fars_cap * sizeof(*row->fars);
			for (unsigned int k = 0; k < row->nlevels; k++)
				b += row->level_n[k] * sizeof(struct prof_model_summary);
		}
		b += l->losses_cap * sizeof(*l->losses) + l->open_cap * sizeof(*l->open);
	}
	return b;
}

const char *prof_model_span_name(const struct prof_model *m, uint32_t span)
{
	return span < m->nspans ? m->spans[span].name : "?";
}

uint32_t prof_model_span_find(const struct prof_model *m, const char *name)
{
	for (size_t i = 0; i < m->nspans; i++)
		if (!strcmp(m->spans[i].name, name))
			return (uint32_t)i;
	return PROF_MODEL_NONE;
}
