/* SPDX-License-Identifier: MIT */
/*
 * tools/source/source_bt.h - the trace source's foreign backend (internal):
 * CTF that libprofile's reader does not read (LTTng-UST, barectf, any CTF
 * 1.8 trace babeltrace2's src.ctf.fs reads, and mirage-profile traces),
 * decoded by libbabeltrace2.  Only source.c uses it.
 */
#ifndef MPROF_SOURCE_BT_H
#define MPROF_SOURCE_BT_H

#include "mprof_source.h"

struct prof__bt_source;

/**
 * prof__bt_open() - read @path with babeltrace2 (src.ctf.fs -> utils.muxer
 * -> a simple sink), building the schema from every trace class found.
 * @out: receives the backend.
 * @path: a CTF trace directory, or a directory of them.
 * @name: what messages call it (the caller's path; @path may be a
 *        directory prepared for babeltrace2, see source.c's mirage-profile).
 * @err: filled on failure, naming @path and babeltrace2's reason.
 *
 * Return: 0, -EINVAL (babeltrace2 cannot read it), -ENOTSUP (babeltrace2's
 * ctf plugin is missing), -ENOMEM.
 */
int prof__bt_open(struct prof__bt_source **out, const char *path, const char *name, struct prof_error *err);

/** prof__bt_desc() - the schema, a nanosecond clock and the first trace's origin. */
const struct prof_trace_desc *prof__bt_desc(const struct prof__bt_source *b);

/** prof__bt_next() - as mprof_source_next(), never -EAGAIN. */
int prof__bt_next(struct prof__bt_source *b, struct prof_decoded_event *ev);

/** prof__bt_stats() - as mprof_source_stats(). */
void prof__bt_stats(const struct prof__bt_source *b, struct prof_trace_stats *out);

/** prof__bt_skips() - as mprof_source_skips(). */
void prof__bt_skips(const struct prof__bt_source *b, struct mprof_source_skips *out);

/** prof__bt_error() - the last problem (a skipped field, or the error that stopped it), or NULL. */
const struct prof_error *prof__bt_error(const struct prof__bt_source *b);

/** prof__bt_close() - free everything; @b may be NULL. */
void prof__bt_close(struct prof__bt_source *b);

#endif
