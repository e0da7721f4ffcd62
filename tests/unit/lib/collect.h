/* SPDX-License-Identifier: MIT */
/*
 * collect.h - read back what an in-process region recorded, through
 * libprofile's reader (scrape: every complete and open packet), as a
 * flat list of decoded events, for the producer-side tests.
 */
#ifndef MPROF_TEST_COLLECT_H
#define MPROF_TEST_COLLECT_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/check.h"
#include "profile/profile.h"

struct collected {
	char name[PROF_NAME_MAX];
	uint16_t nfields;
	uint64_t u[PROF_MAX_FIELDS];   /* integers (as u64) */
	char s[PROF_MAX_FIELDS][64];   /* strings, truncated */
};

struct collection {
	struct prof_region_reader *rd;
	size_t n, cap;
	struct collected *ev;          /* malloc'd; collection_free() */
};

static inline int collect_sink(void *arg, uint32_t stream, const uint8_t *pkt, size_t len,
			       const struct prof_packet_info *info)
{
	struct collection *c = (struct collection *)arg;
	const struct prof_schema *schema = prof_region_reader_schema(c->rd);
	struct prof_packet_cursor cur;
	struct prof_decoded_event ev;
	uint16_t i;

	(void)stream;
	(void)len;
	prof_packet_cursor_init(&cur, pkt, info, schema);
	while (prof_packet_next(&cur, &ev) == 1) {
		struct collected *e;

		if (c->n == c->cap) {
			c->cap = c->cap ? 2 * c->cap : 256;
			c->ev = (struct collected *)realloc(c->ev, c->cap * sizeof(*c->ev));
			CHECK(c->ev != NULL);
		}
		e = &c->ev[c->n++];
		memset(e, 0, sizeof(*e));
		snprintf(e->name, sizeof(e->name), "%s", ev.desc->name);
		e->nfields = ev.nfields;
		for (i = 0; i < ev.nfields; i++) {
			if (ev.values[i].type == PROF_TYPE_STRING)
				snprintf(e->s[i], sizeof(e->s[i]), "%s", ev.values[i].v.str.ptr);
			else
				e->u[i] = ev.values[i].v.u;
		}
	}
	return 0;
}

/* Scrape @r's region (the producer is done) into @c. */
static inline void collect(struct prof_region *r, struct collection *c)
{
	struct prof_error err;

	memset(c, 0, sizeof(*c));
	CHECK_OK(prof_region_reader_open(&c->rd, prof_region_memory(r), prof_region_size(r), "test", &err));
	CHECK_OK(prof_region_reader_scrape(c->rd, collect_sink, c));
}

/* How many collected events are named @name. */
static inline size_t collect_count(const struct collection *c, const char *name)
{
	size_t i, n = 0;

	for (i = 0; i < c->n; i++)
		n += strcmp(c->ev[i].name, name) == 0;
	return n;
}

static inline void collection_free(struct collection *c)
{
	prof_region_reader_close(c->rd);
	free(c->ev);
	memset(c, 0, sizeof(*c));
}

#endif
