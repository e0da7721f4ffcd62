/* SPDX-License-Identifier: MIT */
/* src/analysis/analysis_private.h - what analysis.c and gc.c share. */
#ifndef PROF_ANALYSIS_PRIVATE_H
#define PROF_ANALYSIS_PRIVATE_H

#include "profile/analysis.h"

/*
 * Where a span pairs: one stack of open spans per key.  Extending the
 * key (a process id, a CPU) means adding a member here and setting it in
 * key_of() in analysis.c: nothing else compares keys field by field.
 */
struct prof__akey {
	uint32_t trace;  /* which trace (process) of a directory of traces */
	uint32_t stream; /* stream_instance_id */
	uint32_t tid;    /* the thread that wrote the packet */
	uint32_t what;   /* AKEY_THREAD or AKEY_STREAM: which table */
};

/* A merged interval of GC time, in ns: [begin, end). */
struct prof__ival {
	uint64_t begin, end;
};

/* GC time of one process: disjoint intervals sorted by begin. */
struct prof__gc_union {
	uint32_t trace;
	struct prof__ival *iv;
	size_t n, cap;
	uint64_t total_ns;  /* the union's length */
	uint64_t summed_ns; /* the plain sum of what was added */
};

/* Whether a span name is GC time (a collection or phase kind). */
int prof__analysis_is_gc_time(const char *span_name);

/* Add [begin_ns, end_ns) of process @trace to the GC union. */
int prof__analysis_gc_add(struct prof_analysis *a, uint32_t trace, uint64_t begin_ns, uint64_t end_ns);

/* The unions, for gc.c. */
void prof__analysis_gc_unions(const struct prof_analysis *a, const struct prof__gc_union **u, size_t *n);

/* The socket side of the GC join (net.c): its state, fed each sock.* event. */
struct prof__net;
int prof__net_add(struct prof_analysis *a, struct prof__net **net, const struct prof_decoded_event *ev);
void prof__net_free(struct prof__net *net);
void prof__net_reset(struct prof__net *net);
struct prof__net **prof__analysis_net(struct prof_analysis *a);

/* A timestamp of the analysed events in ns. */
uint64_t prof__analysis_ns(const struct prof_analysis *a, uint64_t ticks);

/* Grow a zero-filled array to hold at least @need elements. */
int prof__analysis_grow(void **arr, size_t *cap, size_t need, size_t elem);

#endif
