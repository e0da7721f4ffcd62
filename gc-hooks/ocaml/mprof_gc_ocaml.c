/* SPDX-License-Identifier: MIT */
/*
 * gc-hooks/ocaml/mprof_gc_ocaml.c - OCaml 4.x GC timing through the
 * runtime's own timing hooks (caml/misc.h), with no patched runtime.
 *
 *   runtime (4.13)                         hook here           event
 *   caml_empty_minor_heap, heap non-empty:
 *     caml_minor_gc_begin_hook      ->     minor_begin    ->   gc.minor.begin
 *     ... promote, ++stat_minor_collections
 *     caml_minor_gc_end_hook        ->     minor_end      ->   counters, gc.minor.end
 *   caml_major_collection_slice:
 *     caml_major_slice_begin_hook   ->     slice_begin    ->   gc.major_slice.begin
 *     caml_major_slice_end_hook     ->     slice_end      ->   counters, gc.major_slice.end
 *   caml_final_do_calls_exn, finalisers pending:
 *     caml_finalise_begin_hook      ->     final_begin    ->   gc.finalise.begin
 *     caml_finalise_end_hook        ->     final_end      ->   gc.finalise.end
 *
 * The runtime fires the minor hooks only when the minor heap is not
 * empty, and increments stat_minor_collections only then (between the two
 * hooks), so the gc.minor spans and Gc.quick_stat's minor_collections
 * count the same collections.  Not hooked by 4.13, hence not timed:
 * caml_finish_major_cycle (Gc.full_major, Gc.major) and compaction.
 *
 * The hooks run inside the collector: they must not allocate on the OCaml
 * heap, change a heap value or call OCaml code.  They read plain C
 * counters of the runtime (Caml_state->stat_*, caml_allocated_words,
 * caml_fl_cur_wsz) and call libprofile's GC API, which neither allocates
 * nor locks once prof_gc_register() has run (at install time, here).
 *
 * Install: a constructor installs the hooks at load time, before the
 * runtime starts, so linking this object is enough.  Hooks installed
 * before ours (another object's constructor) are chained: ours call
 * them.  A tool that installs its hooks later must chain ours the same
 * way.  The external mprof_gc_ocaml_install exists for programs that
 * prefer an explicit call; after the constructor it does nothing.  With
 * MPROF_GC_HOOKS=0 in the environment the constructor installs nothing
 * (then the external still can).
 */
#define CAML_NAME_SPACE
#define CAML_INTERNALS /* caml_allocated_words, caml_fl_cur_wsz */

#include <stdlib.h>
#include <string.h>

#include <caml/mlvalues.h>
#include <caml/misc.h>
#include <caml/domain_state.h>
#include <caml/freelist.h>
#include <caml/major_gc.h>

#include "profile/gc.h"

/* The hooks that were installed before ours: each of ours calls its
 * predecessor, so another tool's hooks keep working. */
static caml_timing_hook prev_minor_begin, prev_minor_end;
static caml_timing_hook prev_slice_begin, prev_slice_end;
static caml_timing_hook prev_final_begin, prev_final_end;

static uint64_t words(double w)
{
	return w > 0 ? (uint64_t)w * sizeof(value) : 0;
}

static uint64_t iwords(intnat w)
{
	return w > 0 ? (uint64_t)w * sizeof(value) : 0;
}

/*
 * Gc.quick_stat's major_words: words allocated directly in the major heap
 * or promoted to it.  The runtime folds caml_allocated_words into
 * stat_major_words at each major slice, so add what is pending.
 */
static uint64_t major_bytes(void)
{
	return words(Caml_state->stat_major_words + (double)caml_allocated_words);
}

static void heap_counters(void)
{
	prof_gc_counter(PROF_GC_HEAP_BYTES, iwords(Caml_state->stat_heap_wsz));
	prof_gc_counter(PROF_GC_TOP_HEAP_BYTES, iwords(Caml_state->stat_top_heap_wsz));
	prof_gc_counter(PROF_GC_MAJOR_BYTES, major_bytes());
}

/*
 * Begin hooks: the predecessor first, then the begin, so the span holds
 * the collector's work and not another tool's hook.  End hooks: the end
 * first, then the predecessor.
 */
static void minor_begin(void)
{
	if (prev_minor_begin)
		prev_minor_begin();
	prof_gc_begin(PROF_GC_MINOR);
}

static void minor_end(void)
{
	/* Updated by the runtime before this hook: this collection's young
	 * words are in stat_minor_words, its promotions in
	 * stat_promoted_words. */
	prof_gc_counter(PROF_GC_MINOR_BYTES, words(Caml_state->stat_minor_words));
	prof_gc_counter(PROF_GC_PROMOTED_BYTES, words(Caml_state->stat_promoted_words));
	prof_gc_counter(PROF_GC_HEAP_BYTES, iwords(Caml_state->stat_heap_wsz));
	prof_gc_end();
	if (prev_minor_end)
		prev_minor_end();
}

static void slice_begin(void)
{
	if (prev_slice_begin)
		prev_slice_begin();
	prof_gc_begin(PROF_GC_MAJOR_SLICE);
}

static void slice_end(void)
{
	heap_counters();
	prof_gc_counter(PROF_GC_FREE_BYTES, iwords((intnat)caml_fl_cur_wsz));
	prof_gc_end();
	if (prev_slice_end)
		prev_slice_end();
}

static void final_begin(void)
{
	if (prev_final_begin)
		prev_final_begin();
	prof_gc_begin(PROF_GC_FINALISE);
}

static void final_end(void)
{
	prof_gc_end();
	if (prev_final_end)
		prev_final_end();
}

static int installed;

/* Put ours in *slot, keeping what was there to call it. */
static void chain(caml_timing_hook *slot, caml_timing_hook ours, caml_timing_hook *prev)
{
	*prev = *slot;
	*slot = ours;
}

/**
 * mprof_gc_ocaml_install_hooks() - install the GC hooks, once.
 *
 * Registers the GC events first, so that no hook ever takes libprofile's
 * registration lock, then puts each hook in front of the one already
 * installed (which it calls).  Later calls do nothing: re-chaining behind
 * a tool that chained to us would make the two call each other forever.
 *
 * Call it outside a collection, before other threads start (the
 * constructor below does, at load time).
 */
void mprof_gc_ocaml_install_hooks(void);
void mprof_gc_ocaml_install_hooks(void)
{
	if (installed)
		return;
	installed = 1;
	prof_gc_register();
	chain(&caml_minor_gc_begin_hook, minor_begin, &prev_minor_begin);
	chain(&caml_minor_gc_end_hook, minor_end, &prev_minor_end);
	chain(&caml_major_slice_begin_hook, slice_begin, &prev_slice_begin);
	chain(&caml_major_slice_end_hook, slice_end, &prev_slice_end);
	chain(&caml_finalise_begin_hook, final_begin, &prev_final_begin);
	chain(&caml_finalise_end_hook, final_end, &prev_final_end);
}

/* OCaml: external mprof_gc_install : unit -> unit = "mprof_gc_ocaml_install" [@@noalloc] */
value mprof_gc_ocaml_install(value unit);
value mprof_gc_ocaml_install(value unit)
{
	(void)unit;
	mprof_gc_ocaml_install_hooks();
	return Val_unit;
}

/*
 * At load time, before caml_main: every collection of the program is
 * seen.  MPROF_GC_HOOKS=0 leaves the runtime untouched (the same binary
 * without hooks: bench/gc's baseline).
 */
__attribute__((constructor)) static void install_at_load(void)
{
	const char *env = getenv("MPROF_GC_HOOKS");

	if (env && !strcmp(env, "0"))
		return;
	mprof_gc_ocaml_install_hooks();
}
