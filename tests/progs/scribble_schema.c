/* SPDX-License-Identifier: MIT */
/*
 * A program whose region gets one bad schema record: under `mprof record`
 * it maps its own region a second time (MPROF_REGION), appends a record
 * whose field name is "a-b" (no valid definition can have it) and
 * publishes it, as a buggy or hostile producer might, then emits N events
 * of each of its two valid events (tests/t_bad_schema_record.sh).
 *
 *   scribble_schema N
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/profile.h"

PROF_EVENT(sc_a, "scribble.a", (u32, i));
PROF_EVENT(sc_b, "scribble.b", (u64, v), (str(8), tag));

int main(int argc, char **argv)
{
	const char *spec = getenv("MPROF_REGION");
	struct prof_region_header *h;
	struct prof_schema_record *rec;
	struct prof_region *r;
	struct prof_error err;
	uint32_t i, n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 1000, at;

	if (!spec) {
		fprintf(stderr, "scribble_schema: run me under mprof record\n");
		return 2;
	}
	if (prof_region_map(&r, spec, &err) != 0) {
		fprintf(stderr, "scribble_schema: %s\n", err.text);
		return 2;
	}
	h = prof_region_memory(r);
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
	prof_region_close(r);
	printf("scribble_schema: %u of each\n", n);
	return 0;
}
