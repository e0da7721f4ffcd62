/* SPDX-License-Identifier: MIT */
/*
 * profile/platform.h - what the freestanding core needs from its host.
 *
 * The core (ring, streams, schema) never calls the OS.  A host (a Linux
 * process, a Xen guest, a unikernel) hands it a struct prof_platform and
 * the region's memory.  src/posix/ is the Linux process host.
 */
#ifndef PROFILE_PLATFORM_H
#define PROFILE_PLATFORM_H

#include <stdint.h>

#include "profile/export.h"
#include "profile/format.h"

#ifdef __cplusplus
extern "C" {
#endif

struct prof_platform {
	/* Current time in the region's clock units when the TSC is not the
	 * clock (may be NULL if the clock is the invariant TSC). */
	uint64_t (*now)(void *ctx);
	/* A non-zero id of the calling thread (or vCPU). */
	uint64_t (*thread_id)(void *ctx);
	/* Called (cold path) when stream @slot closes a packet; may be NULL.
	 * A Xen guest kicks an event channel here. */
	void (*packet_closed)(void *ctx, uint32_t slot);
	void *ctx;
};

/**
 * prof_region_layout() - compute the geometry of a region.
 * @cfg_mode: enum prof_mode.
 * @packet_size: bytes per packet: a power of two from
 *               PROF_MIN_PACKET_SIZE to PROF_MAX_PACKET_SIZE.
 * @packets_per_stream: 2 to 2^20.
 * @stream_slots: 1 to PROF_MAX_STREAMS.
 * @max_events: 1 to PROF_MAX_EVENTS.
 * @hdr: filled with the offsets and sizes (region_size included).
 *
 * Return: 0, or -EINVAL if a parameter is out of range (@hdr untouched).
 */
PROF_EXPORT int prof_region_layout(uint32_t cfg_mode, uint32_t packet_size,
				   uint32_t packets_per_stream, uint32_t stream_slots,
				   uint32_t max_events, struct prof_region_header *hdr);

/**
 * prof_region_format() - lay out a new region in memory the caller owns.
 * @mem: page-aligned, zeroed memory of hdr->region_size bytes.
 * @size: its size.
 * @hdr: geometry from prof_region_layout(), with uuid and clock filled in.
 *
 * Writes the header only (schema_count and dropped_no_slot zeroed): the
 * rest of the region must already be zero.
 *
 * Return: 0, or -EINVAL for a NULL or misaligned @mem, a NULL @hdr, or a
 * header that is not valid: a wrong magic, version, header or page size,
 * offsets that prof_region_layout() of its own geometry does not
 * reproduce, or a region_size over @size.
 */
PROF_EXPORT int prof_region_format(void *mem, uint64_t size, const struct prof_region_header *hdr);

/**
 * prof_region_attach() - make a formatted region the process's region.
 * @mem: the region.
 * @size: its size.
 * @platform: the host's callbacks; copied.  thread_id is required, and
 *            now too unless the region's clock is the TSC.
 *
 * The header is copied and checked as prof_region_format() checks it;
 * only the copy's geometry is used from then on.  Events registered before
 * the attach are published into its schema now.  Only one region is
 * attached at a time.
 *
 * Return: 0; -EINVAL for a NULL @mem or @platform, a missing callback, or
 * a header that is not valid; -EBUSY if a region is already attached;
 * -EDEADLK if called from a signal handler that interrupted libprofile
 * on this thread.
 */
PROF_EXPORT int prof_region_attach(void *mem, uint64_t size, const struct prof_platform *platform);

/**
 * prof_region_detach() - stop recording into the attached region.
 *
 * Threads' open packets stay readable (a collector scrapes them).  The
 * caller must ensure no thread is emitting (join them first).
 *
 * Return: 0, -ENOENT if no region is attached, or -EDEADLK if called from
 * a signal handler that interrupted libprofile on this thread.
 */
PROF_EXPORT int prof_region_detach(void);

/**
 * prof_host_set_attach_hook() - have the core call @hook before it
 * registers an event at its first use, so that a host can attach its
 * region lazily (the posix host attaches the region named by
 * MPROF_REGION; it sets its hook in a load-time constructor).
 * @hook: the host's function, or NULL for none.  It is called with no lock
 *        held, from any thread, possibly many times and concurrently: it
 *        must be idempotent (pthread_once) and may call
 *        prof_region_attach().  It must not emit events.
 *
 * The core itself never calls the OS; without a hook (a unikernel, a Xen
 * guest that attaches explicitly) nothing is called.
 */
PROF_EXPORT void prof_host_set_attach_hook(void (*hook)(void));

/**
 * prof_thread_release() - give up the calling thread's stream slot, so
 * another thread can take it over (its packets continue the same stream).
 * Called by the posix host at thread exit.
 */
PROF_EXPORT void prof_thread_release(void);

#ifdef __cplusplus
}
#endif
#endif
