/* SPDX-License-Identifier: MIT */
/*
 * gc-hooks/boehm/mprof_gc_boehm.c - Boehm GC collection events as mprof
 * GC spans.
 *
 * bdwgc 8.2 calls the collection event callback on the collecting thread,
 * with the allocation lock held, in this order for each full collection
 * (GC_try_to_collect_inner, then GC_stopped_mark, GC_finish_collection):
 *
 *   GC_EVENT_START              gc.major.begin   (world running; lock held)
 *     GC_EVENT_PRE_STOP_WORLD     gc.stop_world.begin
 *     GC_EVENT_POST_STOP_WORLD    gc.stop_world.end    (world stopped)
 *     GC_EVENT_MARK_START         gc.mark.begin
 *     GC_EVENT_MARK_END           gc.mark.end
 *     GC_EVENT_PRE_START_WORLD    gc.start_world.begin
 *     GC_EVENT_POST_START_WORLD   gc.start_world.end   (world running)
 *     GC_EVENT_RECLAIM_START      gc.sweep.begin
 *     GC_EVENT_RECLAIM_END        gc.sweep.end
 *   GC_EVENT_END                counters, gc.major.end
 *
 * and the thread event callback once per thread it suspends or resumes
 * (gc.thread_suspend / gc.thread_resume, inside gc.stop_world and
 * gc.start_world).  Every collection of a non-incremental collector is a
 * whole-heap one, hence gc.major.  In incremental mode GC_stopped_mark
 * may run without START/END; its phases then have no enclosing
 * collection.  An abandoned collection (a stop function returned true)
 * has a START and no END: the next START closes it (profile/gc.h).
 *
 * Constraints of the callbacks: with the world stopped, another thread
 * may be suspended anywhere, so the callbacks must not allocate from the
 * collector, must not call malloc (a stopped thread may hold its lock)
 * and must not take any lock.  libprofile's GC calls take none once the
 * events are registered (at install) and the thread has a stream (claimed
 * at GC_EVENT_START, while the world still runs: prof_gc_thread_prepare()).
 * The heap counters use the collector's unsynchronised getters, which
 * are the ones meant for callers holding the allocation lock.
 */
#include <errno.h>
#include <stdint.h>

#define GC_THREADS
#include <gc.h>

#include "mprof_gc_boehm.h"
#include "profile/gc.h"

static GC_on_collection_event_proc prev_event;
#if defined(GC_THREADS)
static GC_on_thread_event_proc prev_thread;
#endif
static int installed;

static void end_collection(void)
{
	prof_gc_counter(PROF_GC_HEAP_BYTES, GC_get_heap_size());
	prof_gc_counter(PROF_GC_FREE_BYTES, GC_get_free_bytes());
	prof_gc_counter(PROF_GC_ALLOCATED_BYTES, GC_get_total_bytes());
	prof_gc_end();
}

static void GC_CALLBACK on_collection_event(GC_EventType ev)
{
	switch (ev) {
	case GC_EVENT_START:
		/* The world still runs: the one moment a lock is safe. */
		prof_gc_thread_prepare();
		prof_gc_begin(PROF_GC_MAJOR);
		break;
	case GC_EVENT_PRE_STOP_WORLD: prof_gc_begin(PROF_GC_STOP_WORLD); break;
	case GC_EVENT_MARK_START: prof_gc_begin(PROF_GC_MARK); break;
	case GC_EVENT_PRE_START_WORLD: prof_gc_begin(PROF_GC_START_WORLD); break;
	case GC_EVENT_RECLAIM_START: prof_gc_begin(PROF_GC_SWEEP); break;
	case GC_EVENT_POST_STOP_WORLD:
	case GC_EVENT_MARK_END:
	case GC_EVENT_POST_START_WORLD:
	case GC_EVENT_RECLAIM_END:
		prof_gc_end();
		break;
	case GC_EVENT_END: end_collection(); break;
	default: break;
	}
	if (prev_event)
		prev_event(ev);
}

#if defined(GC_THREADS)
static void GC_CALLBACK on_thread_event(GC_EventType ev, void *thread)
{
	if (ev == GC_EVENT_THREAD_SUSPENDED || ev == GC_EVENT_THREAD_UNSUSPENDED)
		prof_gc_thread_event(ev == GC_EVENT_THREAD_UNSUSPENDED, (uint64_t)(uintptr_t)thread);
	if (prev_thread)
		prev_thread(ev, thread);
}
#endif

int mprof_gc_boehm_install(void)
{
	if (installed)
		return -EALREADY;
	installed = 1;
	prof_gc_register();
	prof_gc_thread_prepare();
	prev_event = GC_get_on_collection_event();
	GC_set_on_collection_event(on_collection_event);
#if defined(GC_THREADS)
	prev_thread = GC_get_on_thread_event();
	GC_set_on_thread_event(on_thread_event);
#endif
	return 0;
}
