/* SPDX-License-Identifier: MIT */
/*
 * profile/region.h - open the process's trace region (Linux host).
 *
 * A program records into one region at a time.  Under `mprof record` the
 * region is created by the recorder and found through the environment
 * (MPROF_REGION); prof_region_open_env() runs automatically at load time
 * when that variable is set.  A program that collects its own trace opens
 * a region itself and drains it with the reader (profile/read.h).
 */
#ifndef PROFILE_REGION_H
#define PROFILE_REGION_H

#include <stddef.h>
#include <stdint.h>

#include "profile/error.h"
#include "profile/export.h"
#include "profile/format.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Environment variable naming the region: "fd:N" or "shm:/name". */
#define PROF_REGION_ENV "MPROF_REGION"

enum prof_backing {
	PROF_BACKING_ANON = 1,   /* private to this process (and its threads) */
	PROF_BACKING_SHM = 2,    /* a named POSIX shm object (shm_open) */
	PROF_BACKING_MEMFD = 3,  /* an anonymous file, shareable by fd */
	PROF_BACKING_MEMORY = 4, /* memory the caller provides */
};

struct prof_region_config {
	uint32_t mode;               /* enum prof_mode, default discard */
	uint32_t packet_size;        /* bytes, power of two >= 256; default 64 KiB */
	uint32_t packets_per_stream; /* >= 2; default 16 */
	uint32_t stream_slots;       /* default 64 */
	uint32_t max_events;         /* default 256 */
	enum prof_backing backing;   /* default anon */
	const char *name;            /* SHM: the object's name ("/mprof-x") */
	void *memory;                /* MEMORY: page-aligned, zeroed */
	size_t memory_size;          /* MEMORY: its size */
	int attach;                  /* non-zero: attach as this process's region */
};

struct prof_region;

/**
 * prof_region_config_init() - fill @cfg with the defaults.
 * @cfg: the configuration.
 */
PROF_EXPORT void prof_region_config_init(struct prof_region_config *cfg);

/**
 * prof_region_open() - create and format a region.
 * @out: receives the region.
 * @cfg: configuration (see struct prof_region_config).
 * @err: filled on failure; may be NULL.
 *
 * Calibrates the clock (TSC against CLOCK_MONOTONIC where the TSC is
 * invariant) and records the calibration in the region.
 *
 * Return: 0, or a negative errno.
 */
PROF_EXPORT int prof_region_open(struct prof_region **out, const struct prof_region_config *cfg,
				 struct prof_error *err);

/**
 * prof_region_open_env() - attach the region named by MPROF_REGION.
 * @err: filled on failure; may be NULL.
 *
 * Return: 0, -ENOENT if the variable is unset, or a negative errno.
 */
PROF_EXPORT int prof_region_open_env(struct prof_error *err);

/**
 * prof_region_map() - map an existing region (a collector's view).
 * @out: receives the region.
 * @spec: "fd:N", "shm:/name" or a file path.
 * @err: filled on failure; may be NULL.
 *
 * Return: 0, or a negative errno.
 */
PROF_EXPORT int prof_region_map(struct prof_region **out, const char *spec, struct prof_error *err);

/**
 * prof_region_memory() - the region's bytes.
 * @r: the region; not NULL.
 *
 * Return: the start of the mapping (or of the caller's memory).
 */
PROF_EXPORT void *prof_region_memory(const struct prof_region *r);

/**
 * prof_region_size() - the region's size.
 * @r: the region; not NULL.
 *
 * Return: its size in bytes: the layout's region_size for a region this
 * process created, the file's size for one it mapped.
 */
PROF_EXPORT size_t prof_region_size(const struct prof_region *r);

/**
 * prof_region_fd() - the region's backing file descriptor.
 * @r: the region; not NULL.
 *
 * Return: the fd (memfd, shm, or the mapped file; owned by @r), or -1 for
 * anonymous or caller memory.
 */
PROF_EXPORT int prof_region_fd(const struct prof_region *r);

/**
 * prof_region_close() - detach (if attached) and unmap; unlinks a SHM
 * object this process created.
 * @r: the region, may be NULL.
 */
PROF_EXPORT void prof_region_close(struct prof_region *r);

/**
 * prof_clock_calibrate() - describe the best clock this machine has.
 * @clock: filled in.
 *
 * The invariant TSC where the CPU has it (and MPROF_CLOCK is not
 * "monotonic"), its frequency measured against CLOCK_MONOTONIC over about
 * 10 ms; otherwise CLOCK_MONOTONIC in nanoseconds (calibrated 0).
 *
 * Return: 0: it cannot fail (a failed measurement falls back to
 * CLOCK_MONOTONIC).
 */
PROF_EXPORT int prof_clock_calibrate(struct prof_clock_desc *clock);

#ifdef __cplusplus
}
#endif
#endif
