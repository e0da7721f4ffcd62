/* SPDX-License-Identifier: MIT */
/*
 * profile/gc.h - garbage-collector timing for any runtime.
 *
 * A runtime (or a hook library for one, see gc-hooks/) reports when each
 * collection, and each phase inside it, starts and ends, and samples its
 * heap counters.  Every runtime uses the same event names, so `mprof top
 * --gc` and `mprof stats` summarise an OCaml program, a Boehm GC program or
 * your own runtime the same way (docs/GC.md):
 *
 *   prof_gc_begin(PROF_GC_MINOR);            "gc.minor.begin"
 *   ... the runtime collects ...
 *   prof_gc_counter(PROF_GC_HEAP_BYTES, n);  "gc.heap_bytes" (value n)
 *   prof_gc_end();                           "gc.minor.end"
 *
 * Spans nest per thread: a phase (mark, sweep, stopping the world) begins
 * and ends inside the collection that contains it, on the same thread.
 *
 * What these functions do, and do not do.  Once registered (see
 * prof_gc_register()), each call is one PROF_EMIT: a relaxed load and, if
 * the event records, a few stores into the calling thread's packet.  They
 * never allocate, never lock and never call back into the runtime, so
 * they may be called with the world stopped, with the runtime's
 * allocation lock held, or from a hook that must not touch the managed
 * heap.  (When a packet fills, the switch to the next one asks the host
 * for the thread id: on Linux a gettid system call, which takes no lock.)
 * Two exceptions, both avoided by calling prof_gc_register() and
 * prof_gc_thread_prepare() first:
 *  - registering an event takes a spin lock (every event is registered
 *    when the program loads, by its constructor; prof_gc_register()
 *    makes sure);
 *  - the first event of a thread claims a stream slot (a compare-and-swap)
 *    and records the slot under the same spin lock.
 * If another thread is stopped while holding that lock (the world is
 * stopped), a thread that needs it would spin forever.
 */
#ifndef PROFILE_GC_H
#define PROFILE_GC_H

#include <stdint.h>

#include "profile/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * What a span times.  The collection kinds are the pauses: a thread that
 * runs one is not running the program, and the time between its begin and
 * end counts as GC time.  The phase kinds happen inside a collection and
 * are not counted a second time.  Finalisation runs program code (the
 * finalisers), may itself allocate and collect, and is neither.
 */
enum prof_gc_kind {
	/* Collections (pauses). */
	PROF_GC_MINOR = 0,       /* "gc.minor": the young generation (nursery) */
	PROF_GC_MAJOR = 1,       /* "gc.major": the whole heap in one go (every
				  * collection of a non-generational collector) */
	PROF_GC_MAJOR_SLICE = 2, /* "gc.major_slice": one increment of an
				  * incremental major collection */
	PROF_GC_COMPACT = 3,     /* "gc.compact": a compaction of the heap */
	/* Phases, inside a collection. */
	PROF_GC_MARK = 4,        /* "gc.mark": marking (tracing) */
	PROF_GC_SWEEP = 5,       /* "gc.sweep": sweeping / reclaiming */
	PROF_GC_STOP_WORLD = 6,  /* "gc.stop_world": stopping the other threads */
	PROF_GC_START_WORLD = 7, /* "gc.start_world": restarting them */
	/* Neither. */
	PROF_GC_FINALISE = 8,    /* "gc.finalise": running finalisers */
	PROF_GC_KIND_COUNT = 9,
};

/*
 * Heap counters, all in bytes, sampled by the runtime (usually at the end
 * of a collection).  A runtime that counts in words multiplies by its word
 * size.  "Since start" counters never decrease.
 */
enum prof_gc_counter {
	PROF_GC_HEAP_BYTES = 0,      /* "gc.heap_bytes": size of the (major) heap */
	PROF_GC_FREE_BYTES = 1,      /* "gc.free_bytes": free bytes in the heap */
	PROF_GC_ALLOCATED_BYTES = 2, /* "gc.allocated_bytes": allocated since start */
	PROF_GC_MINOR_BYTES = 3,     /* "gc.minor_bytes": allocated in the minor
				      * heap since start */
	PROF_GC_PROMOTED_BYTES = 4,  /* "gc.promoted_bytes": promoted from the
				      * minor to the major heap since start */
	PROF_GC_MAJOR_BYTES = 5,     /* "gc.major_bytes": allocated in (or
				      * promoted to) the major heap since start */
	PROF_GC_TOP_HEAP_BYTES = 6,  /* "gc.top_heap_bytes": largest heap size */
	PROF_GC_COUNTER_COUNT = 7,
};

/**
 * prof_gc_register() - register every GC event now.
 *
 * Call it once when the runtime (or its hook library) installs its
 * callbacks, from an ordinary context, before the first collection: then
 * no GC call ever takes the registration lock.  Registering does not
 * enable an event the user disabled (prof_events_set_enabled("gc.", 0)).
 * Calling it again is harmless.
 *
 * Return: 0.
 */
PROF_EXPORT int prof_gc_register(void);

/**
 * prof_gc_thread_prepare() - give the calling thread its stream now.
 *
 * Call it on a thread that may run a collection, at a point where taking a
 * lock is safe: before stopping the world (Boehm GC: at the collection's
 * start event), or when the thread starts.  Then the GC calls that follow,
 * with the world stopped, take no lock.  Cheap when the thread already has
 * a stream (one thread-local load).  The same as prof_thread_attach().
 *
 * Return: 0 if the thread has a stream, -ENOENT if no region is attached
 * yet, -ENOSPC if every stream slot is taken (its events are counted as
 * dropped), or, as prof_thread_attach(), -EBUSY or -EDEADLK when called
 * from a signal handler that interrupted this thread inside libprofile.
 */
PROF_EXPORT int prof_gc_thread_prepare(void);

/**
 * prof_gc_begin() - a collection or a phase starts on this thread.
 * @kind: what starts (enum prof_gc_kind).
 *
 * Call it first thing, before the runtime does any of the work, so the
 * span measures the whole pause.  Each begin needs a prof_gc_end() on the
 * same thread.  A kind already open on this thread (its end never came:
 * a finaliser raised, a collection was abandoned) is closed silently
 * first, with what was opened inside it: its begin stays in the trace
 * without an end, which readers count as unmatched.
 *
 * Return: 0, or -EINVAL for an unknown kind.
 */
PROF_EXPORT int prof_gc_begin(enum prof_gc_kind kind);

/**
 * prof_gc_end() - the innermost open GC span of this thread ends.
 *
 * Call it last thing, after the runtime has finished the work and after
 * any prof_gc_counter() samples of the collection.
 *
 * Return: the kind that ended (>= 0), or -ENOENT if no GC span is open
 * on this thread.
 */
PROF_EXPORT int prof_gc_end(void);

/**
 * prof_gc_counter() - sample a heap counter.
 * @counter: which (enum prof_gc_counter).
 * @value: its value, in bytes.
 *
 * Read the value from the runtime's own C state without allocating.
 *
 * Return: 0, or -EINVAL for an unknown counter.
 */
PROF_EXPORT int prof_gc_counter(enum prof_gc_counter counter, uint64_t value);

/**
 * prof_gc_thread_event() - a thread was suspended or resumed by the
 * collector (an instant event, "gc.thread_suspend" / "gc.thread_resume").
 * @resumed: 0 for suspended, non-zero for resumed.
 * @thread: the runtime's identifier of that thread.
 *
 * Called by the collecting thread, usually with the world stopped, so it
 * records only if that thread already has its stream (it emitted a GC
 * event before, or called prof_gc_thread_prepare()): it never takes a lock.
 *
 * Return: 0, or -ENOENT if the calling thread has no stream (the event is
 * not recorded; if it is enabled, it counts in the attached region's
 * dropped_no_slot).
 */
PROF_EXPORT int prof_gc_thread_event(int resumed, uint64_t thread);

/**
 * prof_gc_kind_name() - the span name of a kind ("gc.minor").
 * @kind: the kind.
 *
 * Return: a static string, or NULL for an unknown kind.
 */
PROF_EXPORT const char *prof_gc_kind_name(enum prof_gc_kind kind);

/**
 * prof_gc_kind_is_pause() - whether a kind is a collection (its time is
 * GC time, and it is a pause) rather than a phase or finalisation.
 * @kind: the kind.
 *
 * Return: 1 or 0.
 */
PROF_EXPORT int prof_gc_kind_is_pause(enum prof_gc_kind kind);

/**
 * prof_gc_counter_name() - the event name of a counter ("gc.heap_bytes").
 * @counter: the counter.
 *
 * Return: a static string, or NULL for an unknown counter.
 */
PROF_EXPORT const char *prof_gc_counter_name(enum prof_gc_counter counter);

#ifdef __cplusplus
}
#endif
#endif /* PROFILE_GC_H */
