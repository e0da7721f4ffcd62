/* SPDX-License-Identifier: MIT */
/*
 * A program whose region gets one bad schema record: under `mprof record`
 * it takes the region libprofile attached (the core's view), appends a record
 * whose field name is "a-b" (no valid definition can have it) and
 * publishes it, as a buggy or hostile producer might, then emits N events
 * of each of its two valid events (tests/t_bad_schema_record.sh).
 *
 *   scribble_schema N
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "profile/profile.h"

PROF_EVENT(sc_a, "scribble.a", (u32, i));
PROF_EVENT(sc_b, "scribble.b", (u64, v), (str(8), tag));

int main(int argc, char **argv)
{
	struct prof_region_header *h;
	struct prof_schema_record *rec;
	uint32_t i, n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 1000, at;

	/* The region libprofile attached at load (mprof record's, for this
	 * process): the core's own view of it. */
	h = prof__region.hdr;
	if (!h) {
		fprintf(stderr, "scribble_schema: run me under mprof record (no region attached)\n");
		return 2;
	}
	at = __atomic_load_n(&h->schema_count, __ATOMIC_ACQUIRE);
	if (at >= h->max_events)
		return 2;
	rec = (struct prof_schema_record *)(void *)((char *)h + h->schema_offset) + at;
	memset(rec, 0, sizeof(*rec));
	strcpy(rec->name, "scribbled.bad");
	rec->id = at;
	rec->nfields = 1;
	strcpy(rec->fields[0].name, "a-b");
	rec->fields[0].type = PROF_TYPE_U32;
	__atomic_store_n(&h->schema_count, at + 1, __ATOMIC_RELEASE);

	for (i = 0; i < n; i++) {
		PROF_EMIT(sc_a, i);
		PROF_EMIT(sc_b, (uint64_t)i * 3, "ok");
	}
	printf("scribble_schema: %u of each\n", n);
	return 0;
}
