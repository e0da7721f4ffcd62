/* SPDX-License-Identifier: MIT */
/*
 * gc-hooks/boehm/mprof_gc_boehm.h - Boehm GC (bdwgc 8.x) collection
 * timing into libprofile (docs/GC.md).
 *
 *   #define GC_THREADS
 *   #include <gc.h>
 *   #include "mprof_gc_boehm.h"
 *
 *   GC_INIT();
 *   mprof_gc_boehm_install();
 *
 * Link with mprof_gc_boehm.o (or libmprof_gc_boehm.a), libprofile.a and -lgc.
 */
#ifndef MPROF_GC_BOEHM_H
#define MPROF_GC_BOEHM_H

#ifdef __cplusplus
extern "C" {
#endif

/**
 * mprof_gc_boehm_install() - time every Boehm collection.
 *
 * Registers the GC events, gives the calling thread its stream, then sets
 * the collection event callback (GC_set_on_collection_event) and, in a
 * collector built with threads, the thread event callback
 * (GC_set_on_thread_event), each calling the callback it replaces.
 *
 * Call it once, after GC_INIT() and before the program starts threads or
 * sets callbacks of its own from several threads (getting and setting a
 * callback are two steps).  A callback set later replaces ours unless it
 * calls what GC_get_on_collection_event() returned.
 *
 * Return: 0, or -EALREADY if it was installed before.
 */
int mprof_gc_boehm_install(void);

#ifdef __cplusplus
}
#endif
#endif
