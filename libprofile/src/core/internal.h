/* SPDX-License-Identifier: MIT */
/*
 * core/internal.h - state shared by the freestanding core's files.
 *
 * The core keeps one attached region per process.  Everything here is
 * process-private memory; only the region itself is shared.
 */
#ifndef PROF_CORE_INTERNAL_H
#define PROF_CORE_INTERNAL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "profile/errno.h"
#include "profile/event.h"
#include "profile/format.h"
#include "profile/platform.h"

/* Upper bound on distinct events one process registers. */
#define PROF__PROCESS_MAX_EVENTS 4096u

struct prof__attached {
	uint8_t *base;                   /* the region */
	uint64_t size;
	struct prof_region_header *hdr;  /* == base */
	struct prof_schema_record *schema;
	struct prof_slot *slots;
	struct prof_consumer_pos *consumer;
	uint8_t *rings;
	uint32_t mode;
	uint32_t packet_size;
	uint32_t packets_per_stream;
	uint32_t stream_slots;
	uint32_t max_events;
	uint8_t uuid[16];
	struct prof_platform platform;
};

/* The attached region; base is NULL when none.  Written under the core lock. */
extern struct prof__attached prof__region;
/* Whether its clock is the TSC the fast path reads. */
extern int prof__clock_is_tsc;

/* A spin lock for the cold paths (registration, attach, slot changes).
 * Returns 0, or -PROF_EDEADLK when called from a signal handler that
 * interrupted this thread while it held (or waited for) the lock. */
int prof__lock(void);
void prof__unlock(void);

/* Small freestanding helpers (no libc in the core). */
void prof__bytes_copy(void *dst, const void *src, size_t n);
void prof__bytes_zero(void *dst, size_t n);
int prof__str_eq(const char *a, const char *b);
size_t prof__str_copy(char *dst, const char *src, size_t size);
int prof__str_has_prefix(const char *s, const char *prefix);

/* registry.c: publish every registered event into the attached region's
 * schema; set or clear every event's ENABLED bit.  Called under the lock. */
void prof__schema_publish_all(void);
void prof__events_refresh_enabled(void);

/* stream.c: forget every thread's writer and every stream's private
 * state (at detach).  Under the lock. */
void prof__writers_reset(void);

/* region.c: call the host's attach hook, if one is set (before an event's
 * first use registers it; see prof_host_set_attach_hook()).  No lock held. */
void prof__host_first_use(void);

/* stream.c: count an event dropped because its emit nested inside a cold
 * path on the same thread (a signal handler), in the open packet's
 * events_discarded (or, before the thread has one, in the region's
 * dropped_no_slot). */
void prof__count_nested_drop(void);

/* stream.c: count one event dropped because its thread has no stream
 * slot and may not claim one now (region header dropped_no_slot). */
void prof__count_no_slot(void);

/* region.c: check a header against its own geometry and a size. */
int prof__region_header_check(const struct prof_region_header *hdr, uint64_t size);

#endif
