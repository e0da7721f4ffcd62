/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: prof_ctf_metadata_parse() over arbitrary text.
 *
 * Whatever the input, the parser must not crash, must report an offset
 * inside the input when it refuses it (or none, for CTF that is not
 * mprof's), and must leave nothing allocated.
 * When it accepts the input, the description it returns must generate
 * metadata that parses back to the same description (the generator and
 * the parser agree on everything the parser lets through).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "profile/ctf.h"

static void same_desc(const struct prof_trace_desc *a, const struct prof_trace_desc *b)
{
	if (memcmp(a->uuid, b->uuid, 16) != 0 || a->byte_order != b->byte_order ||
	    memcmp(&a->clock, &b->clock, sizeof(a->clock)) != 0 || a->schema.count != b->schema.count ||
	    memcmp(&a->counts, &b->counts, sizeof(a->counts)) != 0 ||
	    memcmp(&a->origin, &b->origin, sizeof(a->origin)) != 0)
		abort();
	if (a->schema.count &&
	    memcmp(a->schema.events, b->schema.events, a->schema.count * sizeof(a->schema.events[0])) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct prof_trace_desc d, again;
	struct prof_error err;
	char *text;
	int n;

	if (prof_ctf_metadata_parse((const char *)data, size, "fuzz", &d, &err) != 0) {
		/* Foreign CTF is refused as a whole (-ENOTSUP, no offset). */
		if ((err.offset > size && !(err.code == -ENOTSUP && err.offset == UINT64_MAX)) || d.schema.events)
			abort();
		return 0;
	}
	n = prof_ctf_metadata(&d, NULL, 0);
	if (n < 0)
		abort();
	text = malloc((size_t)n + 1);
	if (!text)
		abort();
	if (prof_ctf_metadata(&d, text, (size_t)n + 1) != n)
		abort();
	if (prof_ctf_metadata_parse(text, (size_t)n, "again", &again, &err) != 0)
		abort();
	same_desc(&d, &again);
	prof_trace_desc_free(&again);
	prof_trace_desc_free(&d);
	free(text);
	return 0;
}
