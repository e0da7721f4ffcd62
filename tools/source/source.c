/* SPDX-License-Identifier: MIT */
/*
 * tools/source/source.c - the trace source (mprof_source.h): picks the
 * backend for a path and presents every backend's events the same way.
 *
 * The mprof backend is libprofile's trace reader (prof_trace), which
 * already validates every byte; this file only converts its timestamps to
 * nanoseconds (a single trace's are in its own clock's ticks; a directory
 * of traces' are nanoseconds already) and presents a description whose
 * clock says so.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mprof_source.h"

struct mprof_source {
	enum mprof_source_kind kind;
	struct prof_trace *trace;          /* MPROF_SOURCE_MPROF */
	struct prof_clock_desc trace_clock;/* the trace's own clock */
	struct prof_trace_desc desc;       /* presented: clock in ns */
	struct prof_error err;
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

int mprof_source_open(struct mprof_source **out, const char *path, unsigned int flags, struct prof_error *err)
{
	struct mprof_source *s;
	int ret;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return prof_error_set(err, -ENOMEM, path, UINT64_MAX, "out of memory");
	ret = prof_trace_open_flags(&s->trace, path, (flags & MPROF_SOURCE_FOLLOW) ? PROF_TRACE_FOLLOW : 0, err);
	if (ret == 0) {
		s->kind = MPROF_SOURCE_MPROF;
		refresh_desc(s);
		*out = s;
		return 0;
	}
	free(s);
	return ret;
}

enum mprof_source_kind mprof_source_kind(const struct mprof_source *s)
{
	return s->kind;
}

const struct prof_trace_desc *mprof_source_desc(const struct mprof_source *s)
{
	return &s->desc;
}

int mprof_source_next(struct mprof_source *s, struct prof_decoded_event *ev)
{
	int ret = prof_trace_next(s->trace, ev);

	if (ret == 1) {
		const struct prof_trace_desc *d = prof_trace_get_desc(s->trace);

		/* Follow mode: a replaced metadata file may have grown the schema. */
		if (d->schema.events != s->desc.schema.events || d->schema.count != s->desc.schema.count)
			refresh_desc(s);
		ev->timestamp = prof_clock_to_ns(&s->trace_clock, ev->timestamp);
	}
	return ret;
}

void mprof_source_stats(const struct mprof_source *s, struct prof_trace_stats *out)
{
	prof_trace_get_stats(s->trace, out);
}

const struct prof_error *mprof_source_error(const struct mprof_source *s)
{
	return prof_trace_last_error(s->trace);
}

void mprof_source_close(struct mprof_source *s)
{
	if (!s)
		return;
	prof_trace_close(s->trace);
	free(s);
}
