/* SPDX-License-Identifier: MIT */
/*
 * viewer/model/model.h - the viewer's model of a trace (no GTK, no cairo):
 * lanes of spans, instants and counters, a level-of-detail index over each,
 * and the queries the window and `mprof render` ask.
 *
 *   trace source (mprof_source.h) --events--> prof_model_add()
 *        |                                        |
 *        |                 lanes: one per (trace, stream, thread), one per
 *        |                 (trace, TCP conn) and one per (trace, counter
 *        |                 name); each holds rows:
 *        |                   rows[d]   spans at nesting depth d, by begin time
 *        |                   instants  ticks, by time
 *        |                   points    counter samples, by time
 *        |                 and each row its LOD summaries (prof_model_index())
 *        v
 *   queries: items in a time range, the LOD level for a pixel width, span
 *   instances by name (slowest first), log-scale duration histograms,
 *   selection statistics (profile/analysis.h), regex search.
 *
 * Level of detail.  A row of n items sorted by start time has summaries at
 * levels k = PROF_MODEL_LOD_MIN (6), 7, ...: entry i of level k covers
 * items [i*2^k, (i+1)*2^k) and holds their earliest start, latest end,
 * count, smallest and largest value (counters) and the name of the longest
 * item.  Drawing a range that holds more items than pixels uses the
 * smallest level whose groups are no more than the pixels, so a frame
 * costs O(width) per row, whatever the trace size (at 16 items a pixel or
 * fewer, items are drawn themselves, a galloping search skipping those in
 * pixels drawn already; from 16 to 32, groups of 64 over 2 to 4 pixels).
 * Starting at groups of 64 keeps the summaries to n/64 + n/128 + ... <
 * n/32 entries (one byte an item).
 *
 * Not thread-safe: the window loads into a model on a worker thread and
 * hands the finished (or, live, a locked) model to the UI thread.
 */
#ifndef PROF_VIEWER_MODEL_H
#define PROF_VIEWER_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "profile/analysis.h"
#include "profile/ctf.h"
#include "profile/error.h"
#include "profile/read.h"

#define PROF_MODEL_NONE UINT32_MAX
#define PROF_MODEL_LOD_MIN 6u /* the first LOD level: groups of 64 items */

/* Item flags. */
#define PROF_ITEM_OPEN 1u   /* a span not ended yet (its end is the trace's last time) */
#define PROF_ITEM_BROKEN 2u /* a span cut by a loss of events: its end is where the loss was seen */
#define PROF_ITEM_UNENDED 4u /* a span left open inside an outer end: its end is that end's time */

/*
 * A row's items come in blocks: block b of the times holds items
 * [b * 2^PROF_MODEL_T0_SHIFT, (b + 1) * 2^PROF_MODEL_T0_SHIFT) and keeps
 * its first item's start (row->t0_base[b]); block c of the fields holds
 * items [c * 2^PROF_MODEL_FIELDS_SHIFT, ...) and keeps where its first
 * item's field values start in the row's arena (row->fields[c]).
 */
#define PROF_MODEL_T0_SHIFT 6u     /* 64 items a time block: 8 bytes each */
#define PROF_MODEL_FIELDS_SHIFT 4u /* 16 items a fields block: 4 bytes each */

/*
 * A span, an instant or a counter sample (its value is its first field:
 * prof_model_item_value()).  8 bytes:
 *  - its start, as 40 bits (t0_lo, t0_hi) above its time block's base;
 *    one that does not fit (2^40 ns, about 18 minutes, past the block's
 *    first item, or before it) keeps PROF_MODEL_T0_FAR there and its start
 *    in the row's table of far starts: read it with prof_model_item_t0();
 *  - its name and flags.
 * A span's duration is beside it, in its row's durs (rows of instants and
 * samples have none: their items end where they start): 32 bits, or for
 * spans of 2^32 - 1 ns or more (about 4.3 s) PROF_MODEL_DUR_LONG there and
 * their end in the row's table of long spans: read the end with
 * prof_model_item_t1().
 * Its field values have no offset of their own: they follow those of the
 * items before it in its fields block (each name has a fixed number of
 * words: prof_model_name's words), so the offset is the block's plus the
 * words of the items before it there (prof_model_field_offset()).
 */
struct prof_model_item {
	uint32_t t0_lo;       /* t0 - its time block's base, low 32 bits */
	uint32_t name : 20;   /* index into the model's names (below PROF_MODEL_MAX_NAMES) */
	uint32_t flags : 4;   /* PROF_ITEM_* */
	uint32_t t0_hi : 8;   /* t0 - base, bits 32 to 39 */
};
_Static_assert(sizeof(struct prof_model_item) == 8, "an item is 8 bytes");
#ifndef PROF_MODEL_MAX_NAMES /* test_viewer_names_limit builds the model with fewer */
#define PROF_MODEL_MAX_NAMES (1u << 20)
#endif
#define PROF_MODEL_DUR_LONG UINT32_MAX
#define PROF_MODEL_T0_FAR ((UINT64_C(1) << 40) - 1)

/* A span too long for its item's 32-bit duration. */
struct prof_model_long {
	size_t index;       /* the item's index in its row */
	uint64_t t1;        /* its end */
};

/* An item whose start is too far from its time block's base. */
struct prof_model_far {
	size_t index;       /* the item's index in its row */
	uint64_t t0;        /* its start */
};

/*
 * One LOD summary entry: 32 bytes.  A group's item count is not kept: it
 * is 2^k but for a row's last group (prof_model_summary_count()).
 */
struct prof_model_summary {
	uint64_t t0;        /* earliest start */
	uint64_t t1;        /* latest end */
	union {
		struct {
			uint64_t ns;    /* the longest item's duration */
			uint32_t name;  /* its name */
			uint32_t reserved;
		} longest;          /* thread and connection rows */
		struct {
			double min, max;
		} value;            /* counter rows: the smallest and largest value */
	};
};
_Static_assert(sizeof(struct prof_model_summary) == 32, "a summary is 32 bytes");

/*
 * A row's items, durations, block bases, block field offsets and field
 * values (arena) are arrays that grow in place: above 64 KiB they are anonymous
 * mappings grown with mremap(), which moves page tables instead of
 * copying, so loading never holds an old and a new copy at once, and the
 * capacity reserved ahead is address space, not memory, until it is
 * written.
 */
struct prof_model_row {
	struct prof_model_item *items;
	size_t n, cap;
	uint32_t *durs;     /* rows of spans only (else NULL): per item t1 - t0 (0 while open),
			     * or PROF_MODEL_DUR_LONG */
	size_t durs_cap;
	uint64_t *t0_base;  /* per time block: its first item's start */
	size_t t0_base_cap;
	uint32_t *fields;   /* per fields block: its first item's field values in arena */
	size_t fields_cap;
	uint32_t *arena;    /* the items' field values in 32-bit words, in item order:
			     * 64-bit numbers in two (their bits), narrower ones and
			     * strings (their string ids) in one */
	size_t arena_n, arena_cap;
	struct prof_model_long *longs; /* spans of PROF_MODEL_DUR_LONG, by index */
	size_t nlongs, longs_cap;
	struct prof_model_far *fars;   /* items of PROF_MODEL_T0_FAR, by index */
	size_t nfars, fars_cap;
	/* levels[k - 1] is level k, for k from PROF_MODEL_LOD_MIN to nlevels (0: none);
	 * level k has (n + 2^k - 1) >> k entries. */
	struct prof_model_summary *levels[48];
	size_t level_n[48];
	unsigned int nlevels;
	size_t indexed;     /* items summarised so far; summaries of groups at or past dirty are rebuilt */
	size_t dirty;       /* first item changed since the last index */
};

/**
 * prof_model_far_t0() - the start of an item whose t0 is PROF_MODEL_T0_FAR
 * (prof_model_item_t0()'s slow path).
 * @row: its row.
 * @index: its index there.
 *
 * Return: the start (its block's base if the row has no such entry).
 */
uint64_t prof_model_far_t0(const struct prof_model_row *row, size_t index);

/**
 * prof_model_long_t1() - the end of a span whose duration is
 * PROF_MODEL_DUR_LONG (prof_model_item_t1()'s slow path).
 * @row: its row.
 * @index: its index there.
 *
 * Return: the end (its start if the row has no such entry).
 */
uint64_t prof_model_long_t1(const struct prof_model_row *row, size_t index);

/**
 * prof_model_item_t0() - an item's start.
 * @row: the item's row.
 * @i: its index there (below row->n).
 *
 * Return: the start (ns).
 */
static inline uint64_t prof_model_item_t0(const struct prof_model_row *row, size_t i)
{
	const struct prof_model_item *it = &row->items[i];
	uint64_t d = (uint64_t)it->t0_hi << 32 | it->t0_lo;

	return d != PROF_MODEL_T0_FAR ? row->t0_base[i >> PROF_MODEL_T0_SHIFT] + d : prof_model_far_t0(row, i);
}

/**
 * prof_model_item_t1() - an item's end: its start for instants, samples
 * and open spans (PROF_ITEM_OPEN: drawn to the trace's last time).
 * @row: the item's row.
 * @i: its index there (below row->n).
 *
 * Return: the end (ns).
 */
static inline uint64_t prof_model_item_t1(const struct prof_model_row *row, size_t i)
{
	uint32_t dur = row->durs ? row->durs[i] : 0;

	return dur != PROF_MODEL_DUR_LONG ? prof_model_item_t0(row, i) + dur : prof_model_long_t1(row, i);
}

/**
 * prof_model_summary_count() - how many items entry @i of level @k covers.
 * @row: the row.
 * @k: the level.
 * @i: the entry.
 *
 * Return: 2^@k, or fewer for the row's last group.
 */
static inline uint64_t prof_model_summary_count(const struct prof_model_row *row, unsigned int k, size_t i)
{
	size_t a = i << k, b = a + ((size_t)1 << k);

	return (b < row->n ? b : row->n) - a;
}

enum prof_lane_kind {
	PROF_LANE_THREAD = 0,  /* spans and instants of one (trace, stream, thread) */
	PROF_LANE_COUNTER = 1, /* samples of one counter name in one trace */
	PROF_LANE_CONN = 2,    /* the probes' events of one TCP connection in one trace */
};

/*
 * Connection lanes.  An event of the probes' vocabulary (docs/PROBES.md: a
 * name starting with "tcp.", "sock." or "ip.") that is not a span begin or
 * end and has a non-zero `conn` field goes to the lane of (trace, conn)
 * instead of its thread's, as an instant: its state changes, reads and
 * writes (prof_model_conn_class()).  Span begins and ends stay on their
 * thread, which pairs them.  A trace's lanes are ordered threads,
 * connections (by first appearance), counters.
 */
enum prof_conn_class {
	PROF_CONN_STATE = 0, /* tcp.state, sock.open, sock.close, tcp.info, tcp.retransmit, others */
	PROF_CONN_READ = 1,  /* sock.read, tcp.rx, ip.in */
	PROF_CONN_WRITE = 2, /* sock.write, tcp.tx, ip.out */
};
#define PROF_CONN_CLASSES 3

/* A loss seen on a lane: events the stream discarded, or packets missing. */
struct prof_model_loss {
	uint64_t t;         /* first event after the gap */
	uint64_t events;    /* growth of events_discarded (0 if unknown) */
	uint64_t packets;   /* packets missing (packet_seq_num gap) */
};

struct prof_model_lane {
	enum prof_lane_kind kind;
	uint32_t trace, stream, tid;
	uint32_t counter;           /* counter lanes: the counter's name */
	uint64_t conn;              /* connection lanes: the `conn` field's value */
	char label[96];
	struct prof_model_row *rows;/* thread lanes: one per span depth */
	size_t nrows;
	struct prof_model_row instants; /* thread lanes: instants and plain events; counter lanes: samples */
	double vmin, vmax;          /* counter lanes: the value range */
	struct prof_model_loss *losses;
	size_t nlosses, losses_cap;
	/* Pairing state (thread lanes). */
	struct { uint32_t span; size_t row, index; } *open;
	size_t nopen, open_cap;
	struct prof_model_lane *stream_lane; /* thread lanes: the stream's first, which tracks its losses */
	uint64_t first_t;           /* the time of the event that made it */
	uint32_t first_stream;      /* ... and its stream */
	uint32_t seq;               /* lanes made before it in its model */
	int seen;
	uint64_t last_seq, last_discarded;
	int collapsed;              /* the window's state, kept with the lane */
};

/* One event name (as the model numbers them; stable when the schema grows). */
struct prof_model_name {
	struct prof_schema_event ev; /* a copy: name, kind, fields */
	uint32_t span;               /* span begin/end: the span name's index, else PROF_MODEL_NONE */
	int gc_kind;                 /* enum prof_gc_kind of a "gc.<kind>" span, or -1 */
	uint8_t word[PROF_MAX_FIELDS]; /* each field's first word in its item's record (its row's arena) */
	uint8_t words;               /* the record's words (0: no fields) */
	int8_t conn_field;           /* a probe event's integer `conn` field, or -1 (connection lanes) */
	struct prof_model_lane *counter_lane; /* counters: the lane last used (a cache) */
	uint32_t last_string[PROF_MAX_FIELDS]; /* string fields: the id last stored (a cache) */
};

/* A span name ("work" for "work.begin"/"work.end"). */
struct prof_model_span {
	char name[PROF_NAME_MAX];
	int gc_kind;                 /* enum prof_gc_kind, or -1 */
	struct prof_schema_event end;/* an end event of the name (for the analysis of a selection) */
};

struct prof_model {
	struct prof_model_lane **lanes;
	size_t nlanes, lanes_cap;
	struct prof_model_name *names;
	size_t nnames, names_cap;
	struct prof_model_span *spans;
	size_t nspans, spans_cap;
	char **strings;              /* interned string values */
	size_t nstrings, strings_cap;
	uint32_t *string_hash;       /* open addressing: string id + 1, 0 empty */
	size_t string_hash_cap;
	uint64_t t_first, t_last;    /* time range of the events (ns) */
	uint64_t events;             /* events added */
	struct prof_trace_stats stats;   /* the source's loss counts (set by the loader) */
	struct prof_region_counts counts;/* region-level losses (the trace's metadata) */
	uint32_t ntraces;
	char origin[128];            /* a name for the trace (process, host) */
	unsigned int generation;     /* bumped by every prof_model_index() that changed something */
	/* prof_model_add()'s caches (a hit is checked, a miss looks the slow way). */
	struct { const struct prof_schema_event *desc; uint32_t id, name; } name_cache[256];
	struct prof_model_lane *lane_cache[256]; /* thread lanes */
	uint32_t lanes_made;
};

/**
 * prof_model_init() - an empty model.
 * @m: the model.
 */
void prof_model_init(struct prof_model *m);

/**
 * prof_model_free() - free everything a model holds (it is empty afterwards).
 * @m: the model, may be NULL.
 */
void prof_model_free(struct prof_model *m);

/**
 * prof_model_add() - add one decoded event (timestamps in ns).
 * @m: the model.
 * @ev: the event, with desc set; events come in timestamp order (the trace
 *      source's order), so every row stays sorted.  An event definition is
 *      known by its address and id after its first event: a definition at
 *      an address with an id must stay the same while the model is used (a
 *      trace source's schema does: follow mode only adds events).
 *
 * A begin opens a span on its lane; an end closes the innermost open span
 * of its name (others above it stay open, as in the shared analysis); a
 * counter adds a sample to its counter lane; anything else is an instant.
 * A growth of the stream's events_discarded or a packet_seq_num gap adds a
 * loss marker and cuts every open span of the lane there (PROF_ITEM_BROKEN).
 *
 * Return: 0, -EINVAL (no desc), -ERANGE (a name beyond the model's
 * PROF_MODEL_MAX_NAMES), -EOVERFLOW (a row's field values beyond 2^32 - 1
 * words): limits of the item's encoding, refused, never truncated; or
 * -ENOMEM (the event is not added in any case).
 */
int prof_model_add(struct prof_model *m, const struct prof_decoded_event *ev);

/**
 * prof_model_index() - build or extend the LOD summaries of every row for
 * the items added or changed since the last call.
 * @m: the model.
 *
 * Return: 0 or -ENOMEM (the model is unchanged where it failed: the old
 * summaries stay valid for the items they covered).
 */
int prof_model_index(struct prof_model *m);

/**
 * prof_model_compact() - give back the memory the growing arrays hold
 * beyond what they use (a trace that is complete: prof_model_load() does
 * it; adding events afterwards grows them again).
 * @m: the model.
 */
void prof_model_compact(struct prof_model *m);

/* Progress callback for prof_model_load(): events read so far; return non-zero to stop. */
typedef int (*prof_model_progress_fn)(void *arg, uint64_t events);

/**
 * prof_model_load() - read a whole trace through the trace source and index it.
 * @m: an empty model.
 * @path: an mprof trace directory, a directory of them, or a foreign trace.
 * @progress: called every 65536 events, may be NULL.
 * @arg: its argument.
 * @err: filled on failure (file and what is wrong); may be NULL.
 *
 * A trace that the source reads with skipped packets still loads (they are
 * counted in m->stats and shown); one the source cannot read fails.  An
 * mprof trace is read on as many threads as there are processors
 * (prof_model_load_threads()).  Afterwards the model no longer knows the
 * source's event definitions by address (prof_model_add()).
 *
 * Return: 0, -ECANCELED (@progress asked to stop), or the source's error
 * (-ENOENT, -EINVAL, -ENOTSUP, -ENOMEM...).
 */
int prof_model_load(struct prof_model *m, const char *path, prof_model_progress_fn progress, void *arg,
		    struct prof_error *err);

/**
 * prof_model_load_threads() - prof_model_load() on up to @threads threads.
 * @m: an empty model.
 * @path: as prof_model_load().
 * @threads: 1 reads on the calling thread alone; 0 as many as there are
 *           processors (at most 8).
 * @progress: as prof_model_load() (called on the calling thread, with the
 *            events all threads read).
 * @arg: its argument.
 * @err: as prof_model_load().
 *
 * An mprof trace is read in shards of its stream files
 * (mprof_source_open_shard()), one a thread, each into a model of its own,
 * merged afterwards into @m: the same lanes in the same order, the same
 * items and values, the same statistics as one thread reading it (only
 * the model's internal numbering of names and strings may differ; at
 * equal nanoseconds, lanes made by different streams are ordered by
 * stream, and a counter's or connection's samples by shard).  A foreign
 * trace, or one that cannot be opened so, is read by one thread.
 *
 * Return: as prof_model_load().
 */
int prof_model_load_threads(struct prof_model *m, const char *path, unsigned int threads,
			    prof_model_progress_fn progress, void *arg, struct prof_error *err);

/**
 * prof_model_set_source_info() - take the loss counts and origin of a source.
 * @m: the model.
 * @desc: the source's description.
 * @stats: the source's statistics.
 */
void prof_model_set_source_info(struct prof_model *m, const struct prof_trace_desc *desc,
				const struct prof_trace_stats *stats);

/**
 * prof_model_row_range() - the items of a row that overlap [@t0, @t1].
 * @row: the row.
 * @t0: start of the range (ns).
 * @t1: its end.
 * @first: receives the first index.
 * @last: receives one past the last index (== *first if none).
 *
 * Rows are sorted by start time and, within a row, items do not overlap
 * (spans of one depth on one thread, or points), so the range is
 * contiguous.
 */
void prof_model_row_range(const struct prof_model_row *row, uint64_t t0, uint64_t t1, size_t *first, size_t *last);

/**
 * prof_model_lod_level() - the level to draw @n items in @pixels pixels.
 * @row: the row.
 * @n: items in the visible range.
 * @pixels: pixels they span.
 *
 * Return: 0 (draw the items themselves: at most 16 a pixel), or a level
 * k >= PROF_MODEL_LOD_MIN whose groups of 2^k items are about a pixel each
 * (the smallest whose groups are no more than the pixels), or the first
 * level (groups of 64 items, 2 to 4 pixels each) for 16 to 32 items a
 * pixel; at most row->nlevels.
 */
unsigned int prof_model_lod_level(const struct prof_model_row *row, size_t n, double pixels);

/**
 * prof_model_instances() - the spans of one name, slowest first.
 * @m: the model.
 * @span: the span name's index.
 * @out: receives a malloc'd array of (lane, row, index) triples, 3 per instance.
 * @n: receives the number of instances.
 *
 * Return: 0 or -ENOMEM.
 */
int prof_model_instances(const struct prof_model *m, uint32_t span, size_t **out, size_t *n);

/**
 * prof_model_histogram() - a log-scale histogram of a span's durations.
 * @m: the model.
 * @span: the span name's index.
 * @bins: receives @nbins counts.
 * @nbins: how many bins.
 * @lo: receives the shortest duration (ns, at least 1).
 * @hi: receives the longest.
 *
 * Bin i covers [lo * r^i, lo * r^(i+1)) with r = (hi/lo)^(1/nbins); the
 * longest lands in the last bin.
 *
 * Return: the number of instances counted.
 */
uint64_t prof_model_histogram(const struct prof_model *m, uint32_t span, uint64_t *bins, size_t nbins,
			      uint64_t *lo, uint64_t *hi);

/**
 * prof_model_histogram_bin() - the bin a duration falls in (the same rule).
 * @d: the duration.
 * @nbins: bins.
 * @lo: the histogram's lo.
 * @hi: its hi.
 *
 * Return: the bin.
 */
size_t prof_model_histogram_bin(uint64_t d, size_t nbins, uint64_t lo, uint64_t hi);

/**
 * prof_model_select() - statistics of the selection [@t0, @t1] through
 * the shared analysis: every event of the range (span begins and ends,
 * instants, counter samples) is fed to a new analysis, finished.
 * @m: the model.
 * @t0: start (ns).
 * @t1: end (ns).
 * @out: receives the analysis (prof_analysis_free() it).
 *
 * Return: 0, -ENOMEM.
 */
int prof_model_select(const struct prof_model *m, uint64_t t0, uint64_t t1, struct prof_analysis **out);

/* Where an item lives. */
struct prof_model_ref {
	uint32_t lane;
	uint32_t row;       /* a span depth, or PROF_MODEL_NONE for the instants row */
	size_t index;
};

/**
 * prof_model_row_of() - the row a reference names.
 * @m: the model.
 * @ref: the reference.
 *
 * Return: the row.
 */
const struct prof_model_row *prof_model_row_of(const struct prof_model *m, const struct prof_model_ref *ref);

/**
 * prof_model_search() - the next (or previous) item whose event name or a
 * string field matches a POSIX extended regular expression.
 * @m: the model.
 * @regex: the expression.
 * @from: the item to search from (excluded), or NULL for the start (the
 *        end, backward).  Items are ordered by start time, then lane, row
 *        and index.
 * @backward: search backward.
 * @out: receives the item found.
 * @err: receives the regcomp() message for a bad expression; may be NULL.
 *
 * Return: 1 (found), 0 (none), -EINVAL (bad expression), -ENOMEM.
 */
int prof_model_search(const struct prof_model *m, const char *regex, const struct prof_model_ref *from,
		      int backward, struct prof_model_ref *out, struct prof_error *err);

/**
 * prof_model_describe() - an item's event name and every field, one
 * "name = value" a line (the tooltip's text).
 * @m: the model.
 * @ref: the item.
 * @buf: output.
 * @size: its size (the text is cut to fit, NUL-terminated).
 */
void prof_model_describe(const struct prof_model *m, const struct prof_model_ref *ref, char *buf, size_t size);

/**
 * prof_model_item_value() - an item's value: its first field as a number
 * (a counter's sample), 0 if it has none or a string.
 * @m: the model.
 * @row: the item's row.
 * @index: its index there.
 *
 * Return: the value.
 */
double prof_model_item_value(const struct prof_model *m, const struct prof_model_row *row, size_t index);

/**
 * prof_model_field_offset() - where item @index's field values start in
 * its row's arena: its fields block's offset plus the words of the items
 * before it in that block.
 * @m: the model.
 * @row: the item's row.
 * @index: its index there.
 *
 * Return: the offset (meaningful only if its name has words).
 */
uint32_t prof_model_field_offset(const struct prof_model *m, const struct prof_model_row *row, size_t index);

/** prof_model_bytes() - the memory the model holds (items, summaries, arena, strings). */
size_t prof_model_bytes(const struct prof_model *m);

/** prof_model_span_name() - a span's display name. */
const char *prof_model_span_name(const struct prof_model *m, uint32_t span);

/**
 * prof_model_conn_class() - which band of a connection lane an event
 * name's instants are drawn in.
 * @name: the event name.
 *
 * Return: enum prof_conn_class.
 */
enum prof_conn_class prof_model_conn_class(const char *name);

/**
 * prof_model_span_find() - a span name's index.
 * @m: the model.
 * @name: the name without ".begin"/".end".
 *
 * Return: the index, or PROF_MODEL_NONE.
 */
uint32_t prof_model_span_find(const struct prof_model *m, const char *name);

#endif
