/* SPDX-License-Identifier: MIT */
/*
 * More event types than the region has room for (--max-events): 300 event
 * types under the default 256.  The 44 that do not fit are counted in the
 * header's refused_events, at attach and as they are registered, and a
 * reader reports the count; emits of them record nothing (their cost is
 * the disabled probe's: not counted per emit, documented).  A larger
 * region records them all and counts nothing.  Invalid definitions
 * registered at run time are counted in refused_invalid, named by their
 * PROF_KIND_REFUSED records, and a reader lists them.
 */
#include <stdint.h>
#include <string.h>

#include "lib/check.h"
#include "lib/collect.h"
#include "profile/profile.h"

#define EV1(n) PROF_EVENT(ev_##n, "r." #n, (u32, v));
#define EV10(n) EV1(n##0) EV1(n##1) EV1(n##2) EV1(n##3) EV1(n##4) EV1(n##5) EV1(n##6) EV1(n##7) EV1(n##8) EV1(n##9)
#define EV100(n) EV10(n##0) EV10(n##1) EV10(n##2) EV10(n##3) EV10(n##4) EV10(n##5) EV10(n##6) EV10(n##7) \
	EV10(n##8) EV10(n##9)
EV100(1) EV100(2) EV100(3)

static const struct prof_field bad_fields[] = { { "a-b", PROF_TYPE_U8, 0 } };
static const struct prof_event_desc bad_desc = { "r.bad", PROF_KIND_PLAIN, 1, bad_fields };

static struct prof_region *open_region(uint32_t max_events)
{
	struct prof_region_config cfg;
	struct prof_region *r;
	struct prof_error err;

	prof_region_config_init(&cfg);
	cfg.attach = 1;
	if (max_events)
		cfg.max_events = max_events;
	CHECK_OK(prof_region_open(&r, &cfg, &err));
	return r;
}

int main(void)
{
	struct prof_region *r;
	struct prof_region_header *hdr;
	struct prof_region_counts counts;
	struct prof_schema_problem pr[4];
	struct collection c;
	static struct prof_event bad = { PROF__UNREGISTERED, &bad_desc, NULL };

	/* The default region: 256 event types. */
	r = open_region(0);
	hdr = prof_region_memory(r);
	CHECK_EQ(hdr->max_events, 256);
	CHECK_EQ(hdr->schema_count, 256);
	CHECK_EQ(hdr->refused_events, 300 - 256);
	PROF_EMIT(ev_100, 1);   /* id 0: recorded */
	PROF_EMIT(ev_355, 2);   /* id 255: recorded */
	PROF_EMIT(ev_356, 3);   /* id 256: no room, not recorded */
	PROF_EMIT(ev_399, 4);
	/* An invalid definition registered now: counted and named. */
	CHECK((prof__event_first_use(&bad) & PROF__REFUSED) != 0);
	CHECK_EQ(hdr->refused_invalid, 1);
	CHECK_EQ(hdr->refused_events, 300 - 256 + 1); /* its record has no room either */
	collect(r, &c);
	CHECK_EQ(c.n, 2);
	CHECK_STREQ(c.ev[0].name, "r.100");
	CHECK_STREQ(c.ev[1].name, "r.355");
	prof_region_reader_counts(c.rd, &counts);
	CHECK_EQ_U(counts.refused_events, 300 - 256 + 1);
	CHECK_EQ_U(counts.refused_invalid, 1);
	CHECK_EQ_U(counts.schema_errors, 0);
	collection_free(&c);
	prof_region_close(r);

	/* Room for all: nothing refused for want of room; the invalid one is
	 * counted again in this region (each region hears of it), and its
	 * record names it for the reader. */
	r = open_region(512);
	hdr = prof_region_memory(r);
	CHECK_EQ(hdr->schema_count, 301);
	CHECK_EQ(hdr->refused_events, 0);
	CHECK_EQ(hdr->refused_invalid, 1);
	PROF_EMIT(ev_399, 5);
	collect(r, &c);
	CHECK_EQ(c.n, 1);
	CHECK_STREQ(c.ev[0].name, "r.399");
	CHECK_EQ(c.ev[0].u[0], 5);
	prof_region_reader_counts(c.rd, &counts);
	CHECK_EQ_U(counts.refused_events, 0);
	CHECK_EQ_U(counts.refused_invalid, 1);
	CHECK_EQ_U(counts.schema_errors, 0); /* a refusal is not the reader's error */
	CHECK_EQ(prof_region_reader_schema_problems(c.rd, pr, 4), 1);
	CHECK_EQ(pr[0].id, 300);
	CHECK_EQ(pr[0].refused, 1);
	CHECK_STREQ(pr[0].name, "r.bad");
	if (!strstr(pr[0].reason, "field 0 ('a-b'): the field name is not a C identifier"))
		CHECK_FAIL("reason \"%s\"", pr[0].reason);
	collection_free(&c);
	prof_region_close(r);
	printf("test_refused_events: ok\n");
	return 0;
}
