/* SPDX-License-Identifier: MIT */
/*
 * profile/region.h - open the process's trace region (Linux host).
 *
 * A program records into one region at a time.  Under `mprof record` the
 * region is created by the recorder and found through the environment
 * (MPROF_REGION); prof_region_open_env() runs automatically at load time
 * when that variable is set.  A program that collects its own trace opens
 * a region itself and drains it with the reader (profile/read.h).
 *
 * MPROF_REGION=sock:PATH gives every process its own region: the process
 * connects to the recorder's unix socket (SOCK_SEQPACKET), sends a struct
 * prof_hello, and receives a struct prof_hello_reply with the region's
 * memfd (SCM_RIGHTS).  It keeps the connection open for its life; the
 * recorder takes the end of the connection as the end of the process.  A
 * child made by fork() without exec() drops the inherited region (it never
 * writes into its parent's) and says hello again for a region of its own,
 * republishing every event it knows.  With fd:N or shm:/name the region
 * is shared, so a forked child records nothing (it detaches); so does a
 * child of a program that opened and attached a region itself.
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

/* Environment variable naming the region: "fd:N", "shm:/name" or
 * "sock:PATH" (a recorder's socket, which hands each process a region). */
#define PROF_REGION_ENV "MPROF_REGION"

/* The sock: protocol: one message each way, then the connection stays
 * open until the process ends (exec() closes it too: close-on-exec). */
#define PROF_HELLO_MAGIC 0x484f524du   /* "MROH" */
#define PROF_HELLO_VERSION 1u
#define PROF_HELLO_NAME_MAX 64u
#define PROF_HELLO_FORKED 1u           /* flags: a child after fork() */

struct prof_hello {
	uint32_t magic;                  /* PROF_HELLO_MAGIC */
	uint32_t version;                /* PROF_HELLO_VERSION */
	uint32_t pid;                    /* informative: a recorder asks the kernel */
	uint32_t flags;                  /* PROF_HELLO_* */
	char name[PROF_HELLO_NAME_MAX];  /* program name, NUL-terminated */
};

struct prof_hello_reply {
	uint32_t magic;                  /* PROF_HELLO_MAGIC */
	int32_t status;                  /* 0: the region's fd rides along; or -errno */
};

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
	const struct prof_clock_desc *clock; /* non-NULL: use this calibration (from
				      * prof_clock_calibrate(), shared by a recorder's
				      * regions) instead of measuring 10 ms anew */
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
 * invariant), unless @cfg->clock gives a calibration, and records it in
 * the region.
 *
 * Return: 0, or a negative errno.
 */
PROF_EXPORT int prof_region_open(struct prof_region **out, const struct prof_region_config *cfg,
				 struct prof_error *err);

/**
 * prof_region_open_env() - attach the region named by MPROF_REGION.
 * @err: filled on failure; may be NULL.
 *
 * For sock:PATH, says hello to the recorder and attaches the region it
 * hands over (waiting at most 30 s for the answer).  The region stays
 * attached for the life of the process (a forked child gets its own, see
 * above); it is never freed, and stays reachable for leak checkers.
 *
 * Return: 0, -ENOENT if the variable is unset, -EBUSY if a region is
 * already attached, or a negative errno.
 */
PROF_EXPORT int prof_region_open_env(struct prof_error *err);

/**
 * prof_region_map() - map an existing region (a collector's view).
 * @out: receives the region.
 * @spec: "fd:N", "shm:/name", "sock:PATH" (asks the recorder there for a
 *        region of this process's own) or a file path.
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
