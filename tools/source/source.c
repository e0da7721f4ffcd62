/* SPDX-License-Identifier: MIT */
/*
 * tools/source/source.c - the trace source (mprof_source.h): picks the
 * backend for a path and presents every backend's events the same way.
 *
 * The mprof backend is libprofile's trace reader (prof_trace), which
 * already validates every byte; this file only converts its timestamps to
 * nanoseconds (a single trace's are in its own clock's ticks; a directory
 * of traces' are nanoseconds already) and presents a description whose
 * clock says so (prof_clock_to_ns()).
 *
 * Choosing the backend: libprofile's reader first (an mprof trace, or a
 * directory of them); when it says the trace is not mprof's (-ENOTSUP) or
 * finds no trace (-ENOENT, -ENOTDIR), babeltrace2 (source_bt.c); an mprof
 * trace that is damaged keeps the reader's precise error.  A
 * mirage-profile trace (its metadata carries mirage-profile's UUID) is CTF
 * whose trace block says `major = 0; minor = 1;`, which babeltrace2
 * refuses: the source hands babeltrace2 a private directory with the same
 * metadata saying `major = 1; minor = 8;` and links to the stream files
 * (source_mirage.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mprof_source.h"
#include "source_bt.h"
#include "source_mirage.h"

struct mprof_source {
	enum mprof_source_kind kind;
	struct prof_trace *trace;          /* MPROF_SOURCE_MPROF */
	struct prof__bt_source *bt;        /* MPROF_SOURCE_CTF, MPROF_SOURCE_MIRAGE */
	char *mirage_dir;                  /* MPROF_SOURCE_MIRAGE: the prepared directory */
	struct prof_clock_desc trace_clock;/* the trace's own clock */
	struct prof_trace_desc desc;       /* presented: clock in ns */
	struct prof_error err;
	int follow;                        /* opened with MPROF_SOURCE_FOLLOW */
};

/* A clock description of plain nanoseconds with @from's origin. */
static struct prof_clock_desc ns_clock(const struct prof_clock_desc *from)
{
	struct prof_clock_desc c = *from;

	if (from->freq_hz != 1000000000u) {
		c.freq_hz = 1000000000u;
		c.ref_ticks = from->ref_monotonic_ns;
		c.source = PROF_CLOCK_MONOTONIC;
	}
	return c;
}

static void refresh_desc(struct mprof_source *s)
{
	const struct prof_trace_desc *d = prof_trace_get_desc(s->trace);

	s->trace_clock = d->clock;
	s->desc = *d;
	s->desc.clock = ns_clock(&d->clock);
}

/* Whether metadata file @file (its first MiB) says it is mprof's. */
static int says_mprof(const char *file)
{
	static const char needle[] = "tracer_name = \"mprof\"";
	char *buf = malloc(1u << 20);
	FILE *f = fopen(file, "re");
	size_t n;
	int yes = 0;

	if (buf && f) {
		n = fread(buf, 1, (1u << 20) - 1, f);
		buf[n] = '\0';
		yes = strstr(buf, needle) != NULL;
	}
	if (f)
		fclose(f);
	free(buf);
	return yes;
}

int mprof_source_open(struct mprof_source **out, const char *path, unsigned int flags, struct prof_error *err)
{
	struct mprof_source *s;
	struct prof_error mprof_err;
	struct stat st;
	int ret, keep_mprof_err = 0;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return prof_error_set(err, -ENOMEM, path, UINT64_MAX, "out of memory");
	ret = prof_trace_open_flags(&s->trace, path, (flags & MPROF_SOURCE_FOLLOW) ? PROF_TRACE_FOLLOW : 0, err);
	if (ret == 0) {
		s->kind = MPROF_SOURCE_MPROF;
		s->follow = (flags & MPROF_SOURCE_FOLLOW) != 0;
		refresh_desc(s);
		*out = s;
		return 0;
	}
	/* Not there at all: the reader's message says so. */
	if (stat(path, &st) < 0)
		goto fail;
	/*
	 * Metadata the reader's strict parser refused at an offset may be
	 * another tracer's (mirage-profile's is one): babeltrace2 gets its
	 * chance; if it fails too, the parser's precise error stands for
	 * metadata that says it is mprof's; for any other, the metadata file
	 * is named with the parser's finding, and babeltrace2's failure.  Any
	 * other failure (a FIFO for a stream file, say) is final.
	 */
	if (ret == -EINVAL && err && err->offset != UINT64_MAX && strlen(err->file) >= 8 &&
	    strcmp(err->file + strlen(err->file) - 8, "metadata") == 0) {
		mprof_err = *err;
		keep_mprof_err = 1;
	} else if (ret != -ENOTSUP && ret != -ENOENT && ret != -ENOTDIR) {
		goto fail;
	}
	if (flags & MPROF_SOURCE_FOLLOW) {
		ret = prof_error_set(err, -ENOTSUP, path, UINT64_MAX,
				     "not an mprof trace: a foreign trace cannot be followed (read it once it is complete)");
		goto fail;
	}
	ret = prof__mirage_prepare(path, &s->mirage_dir, err);
	if (ret < 0)
		goto fail;
	s->kind = ret == 1 ? MPROF_SOURCE_MIRAGE : MPROF_SOURCE_CTF;
	ret = prof__bt_open(&s->bt, s->mirage_dir ? s->mirage_dir : path, path, err);
	if (ret && keep_mprof_err && says_mprof(mprof_err.file)) {
		*err = mprof_err;
		ret = mprof_err.code;
	} else if (ret && keep_mprof_err && err) {
		/* Neither reads it: name the metadata file and what mprof's
		 * parser found at its offset, and say babeltrace2 failed too. */
		char parser[sizeof(err->text)];

		snprintf(parser, sizeof(parser), "%s", mprof_err.text);
		prof_error_set(err, ret, mprof_err.file, mprof_err.offset,
			       "not a trace mprof or babeltrace2 reads (mprof's parser: %.160s)", parser);
	}
	if (ret)
		goto fail;
	s->desc = *prof__bt_desc(s->bt);
	*out = s;
	return 0;
fail:
	prof__mirage_remove(s->mirage_dir);
	free(s->mirage_dir);
	free(s);
	return ret;
}

int mprof_source_open_shard(struct mprof_source **out, const char *path, uint32_t shard, uint32_t nshards,
			    struct prof_error *err)
{
	struct mprof_source *s;
	int ret;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return prof_error_set(err, -ENOMEM, path, UINT64_MAX, "out of memory");
	ret = prof_trace_open_shard(&s->trace, path, shard, nshards, err);
	if (ret) {
		free(s);
		return ret;
	}
	s->kind = MPROF_SOURCE_MPROF;
	refresh_desc(s);
	*out = s;
	return 0;
}

enum mprof_source_kind mprof_source_kind(const struct mprof_source *s)
{
	return s->kind;
}

const struct prof_trace_desc *mprof_source_desc(const struct mprof_source *s)
{
	return s->bt ? prof__bt_desc(s->bt) : &s->desc;
}

const struct prof_trace_desc *mprof_source_part_desc(const struct mprof_source *s, uint32_t index)
{
	if (s->bt)
		return index == 0 ? prof__bt_desc(s->bt) : NULL;
	return prof_trace_get_part_desc(s->trace, index);
}

int mprof_source_next(struct mprof_source *s, struct prof_decoded_event *ev)
{
	int ret;

	if (s->bt)
		return prof__bt_next(s->bt, ev);
	ret = prof_trace_next(s->trace, ev);

	if (ret == 1) {
		/* Follow mode: a replaced metadata file may have grown the schema. */
		if (s->follow) {
			const struct prof_trace_desc *d = prof_trace_get_desc(s->trace);

			if (d->schema.events != s->desc.schema.events || d->schema.count != s->desc.schema.count)
				refresh_desc(s);
		}
		ev->timestamp = prof_clock_to_ns(&s->trace_clock, ev->timestamp);
	}
	return ret;
}

void mprof_source_stats(const struct mprof_source *s, struct prof_trace_stats *out)
{
	if (s->bt)
		prof__bt_stats(s->bt, out);
	else
		prof_trace_get_stats(s->trace, out);
}

void mprof_source_skips(const struct mprof_source *s, struct mprof_source_skips *out)
{
	if (s->bt)
		prof__bt_skips(s->bt, out);
	else
		memset(out, 0, sizeof(*out));
}

const struct prof_error *mprof_source_error(const struct mprof_source *s)
{
	return s->bt ? prof__bt_error(s->bt) : prof_trace_last_error(s->trace);
}

void mprof_source_close(struct mprof_source *s)
{
	if (!s)
		return;
	prof_trace_close(s->trace);
	prof__bt_close(s->bt);
	prof__mirage_remove(s->mirage_dir);
	free(s->mirage_dir);
	free(s);
}
