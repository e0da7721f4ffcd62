/* SPDX-License-Identifier: MIT */
/*
 * core/gc.c - the GC events every runtime shares (profile/gc.h).
 *
 * One span per kind ("gc.minor.begin"/"gc.minor.end", ...), one counter
 * per heap counter ("gc.heap_bytes", ...), two instants for threads
 * the collector suspends and one for a thread that got its stream.  prof_gc_end() takes no kind: each thread keeps
 * the kinds it has open on a small stack of its own.
 *
 *   thread-local gc_tls              emitted
 *   +-------+-------------------+
 *   | depth | kinds[KIND_COUNT] |   begin(MAJOR)  -> gc.major.begin
 *   |   2   | MAJOR, MARK       |   begin(MARK)   -> gc.mark.begin
 *   +-------+-------------------+   end()         -> gc.mark.end
 *                                   end()         -> gc.major.end
 *
 * Freestanding, like the rest of the core: no libc, no lock after
 * registration (prof_gc_register()) and stream claim
 * (prof_gc_thread_prepare()), so the calls are safe with the world
 * stopped.  The stack is the calling thread's only: no atomics needed.
 */
#include "profile/errno.h"

#include "core/internal.h"
#include "profile/gc.h"

/* kind, identifier, name, pause */
#define GC_KINDS(X)                                               \
	X(PROF_GC_MINOR, gc_minor, "gc.minor", 1)                 \
	X(PROF_GC_MAJOR, gc_major, "gc.major", 1)                 \
	X(PROF_GC_MAJOR_SLICE, gc_major_slice, "gc.major_slice", 1) \
	X(PROF_GC_COMPACT, gc_compact, "gc.compact", 1)           \
	X(PROF_GC_MARK, gc_mark, "gc.mark", 0)                    \
	X(PROF_GC_SWEEP, gc_sweep, "gc.sweep", 0)                 \
	X(PROF_GC_STOP_WORLD, gc_stop_world, "gc.stop_world", 0)  \
	X(PROF_GC_START_WORLD, gc_start_world, "gc.start_world", 0) \
	X(PROF_GC_FINALISE, gc_finalise, "gc.finalise", 0)

/* counter, identifier, name */
#define GC_COUNTERS(X)                                                  \
	X(PROF_GC_HEAP_BYTES, gc_heap_bytes, "gc.heap_bytes")           \
	X(PROF_GC_FREE_BYTES, gc_free_bytes, "gc.free_bytes")           \
	X(PROF_GC_ALLOCATED_BYTES, gc_allocated_bytes, "gc.allocated_bytes") \
	X(PROF_GC_MINOR_BYTES, gc_minor_bytes, "gc.minor_bytes")        \
	X(PROF_GC_PROMOTED_BYTES, gc_promoted_bytes, "gc.promoted_bytes") \
	X(PROF_GC_MAJOR_BYTES, gc_major_bytes, "gc.major_bytes")        \
	X(PROF_GC_TOP_HEAP_BYTES, gc_top_heap_bytes, "gc.top_heap_bytes")

#define DEFINE_SPAN(kind, ident, name, pause) PROF_SPAN(ident, name);
#define DEFINE_COUNTER(counter, ident, name) PROF_COUNTER(ident, name, u64);
GC_KINDS(DEFINE_SPAN)
GC_COUNTERS(DEFINE_COUNTER)
PROF_INSTANT(gc_thread_suspend, "gc.thread_suspend", (u64, thread));
PROF_INSTANT(gc_thread_resume, "gc.thread_resume", (u64, thread));

#define COUNT_ONE(...) +1
_Static_assert(0 GC_KINDS(COUNT_ONE) == PROF_GC_KIND_COUNT, "one span per kind");
_Static_assert(0 GC_COUNTERS(COUNT_ONE) == PROF_GC_COUNTER_COUNT, "one event per counter");
_Static_assert(PROF_GC_KIND_COUNT <= 255, "kinds fit the stack's bytes");

#define KIND_NAME(kind, ident, name, pause) [kind] = name,
#define KIND_PAUSE(kind, ident, name, pause) [kind] = pause,
#define COUNTER_NAME(counter, ident, name) [counter] = name,
static const char *const kind_names[PROF_GC_KIND_COUNT] = { GC_KINDS(KIND_NAME) };
static const uint8_t kind_pause[PROF_GC_KIND_COUNT] = { GC_KINDS(KIND_PAUSE) };
static const char *const counter_names[PROF_GC_COUNTER_COUNT] = { GC_COUNTERS(COUNTER_NAME) };

#define KIND_EVENTS(kind, ident, name, pause) &ident##_begin, &ident##_end,
#define COUNTER_EVENT(counter, ident, name) &ident,
static struct prof_event *const all_events[] = {
	GC_KINDS(KIND_EVENTS) GC_COUNTERS(COUNTER_EVENT) &gc_thread_suspend, &gc_thread_resume,
};

/*
 * The kinds this thread has open, innermost last.  A kind is open at most
 * once (prof_gc_begin() closes a stale one), so PROF_GC_KIND_COUNT entries
 * always suffice.
 */
struct gc_thread {
	uint32_t depth;
	uint8_t kinds[PROF_GC_KIND_COUNT];
};

static __thread struct gc_thread gc_tls __attribute__((tls_model("initial-exec")));

PROF_EXPORT int prof_gc_register(void)
{
	size_t i;

	for (i = 0; i < sizeof(all_events) / sizeof(all_events[0]); i++)
		if (atomic_load_explicit(&all_events[i]->state, memory_order_relaxed) == PROF__UNREGISTERED)
			prof__event_first_use(all_events[i]);
	return 0;
}

PROF_EXPORT int prof_gc_thread_prepare(void)
{
	return prof_thread_attach();
}

static void emit_begin(uint32_t kind)
{
#define EMIT_BEGIN(k, ident, name, pause) case k: PROF_SPAN_BEGIN(ident); break;
	switch (kind) {
	GC_KINDS(EMIT_BEGIN)
	default: break;
	}
#undef EMIT_BEGIN
}

static void emit_end(uint32_t kind)
{
#define EMIT_END(k, ident, name, pause) case k: PROF_SPAN_END(ident); break;
	switch (kind) {
	GC_KINDS(EMIT_END)
	default: break;
	}
#undef EMIT_END
}

PROF_EXPORT int prof_gc_begin(enum prof_gc_kind kind)
{
	struct gc_thread *t = &gc_tls;
	uint32_t i;

	if ((uint32_t)kind >= PROF_GC_KIND_COUNT)
		return -PROF_EINVAL;
	/* A kind never nests in itself: if it is open, its end never came. */
	for (i = 0; i < t->depth; i++) {
		if (t->kinds[i] == (uint8_t)kind) {
			t->depth = i;
			break;
		}
	}
	t->kinds[t->depth++] = (uint8_t)kind;
	emit_begin((uint32_t)kind);
	return 0;
}

PROF_EXPORT int prof_gc_end(void)
{
	struct gc_thread *t = &gc_tls;
	uint32_t kind;

	if (t->depth == 0)
		return -PROF_ENOENT;
	kind = t->kinds[--t->depth];
	emit_end(kind);
	return (int)kind;
}

PROF_EXPORT int prof_gc_counter(enum prof_gc_counter counter, uint64_t value)
{
#define EMIT_COUNTER(c, ident, name) case c: PROF_EMIT(ident, value); return 0;
	switch (counter) {
	GC_COUNTERS(EMIT_COUNTER)
	default: break;
	}
#undef EMIT_COUNTER
	(void)value;
	return -PROF_EINVAL;
}

PROF_EXPORT int prof_gc_thread_event(int resumed, uint64_t thread)
{
	/* Usually called with the world stopped: never claim a stream here.
	 * An event that would have recorded is dropped, and counted like
	 * any emit that finds no slot. */
	if (!prof__tls_writer.stream) {
		struct prof_event *ev = resumed ? &gc_thread_resume : &gc_thread_suspend;

		if ((int32_t)atomic_load_explicit(&ev->state, memory_order_relaxed) >= 0)
			prof__count_no_slot();
		return -PROF_ENOENT;
	}
	if (resumed)
		PROF_EMIT(gc_thread_resume, thread);
	else
		PROF_EMIT(gc_thread_suspend, thread);
	(void)thread;
	return 0;
}

PROF_EXPORT const char *prof_gc_kind_name(enum prof_gc_kind kind)
{
	return (uint32_t)kind < PROF_GC_KIND_COUNT ? kind_names[kind] : (const char *)0;
}

PROF_EXPORT int prof_gc_kind_is_pause(enum prof_gc_kind kind)
{
	return (uint32_t)kind < PROF_GC_KIND_COUNT ? kind_pause[kind] : 0;
}

PROF_EXPORT const char *prof_gc_counter_name(enum prof_gc_counter counter)
{
	return (uint32_t)counter < PROF_GC_COUNTER_COUNT ? counter_names[counter] : (const char *)0;
}
