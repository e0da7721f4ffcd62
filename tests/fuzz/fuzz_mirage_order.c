/* SPDX-License-Identifier: MIT */
/*
 * fuzz_mirage_order - libFuzzer target for prof__mirage_order(), the trace
 * source's walk over the packet headers of a mirage-profile stream file
 * (tools/source/source_mirage.c; babeltrace2 decodes the packets).
 *
 * Input: the bytes of a stream file.
 *
 * Properties: nothing reads outside the input (ASan); when it walks, the
 * packets tile the input exactly (each offset and size within it, every
 * byte in exactly one packet, each at least a header), are in
 * non-decreasing count order, and each key is its header's 16-bit count
 * (plus 65536 when unwrapped); the order flag is right.
 * Seeds: corpus/fuzz_mirage_order/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/source/source_mirage.h"
#include "fuzz.h"

static int by_offset(const void *a, const void *b)
{
	const struct prof__mirage_packet *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct prof__mirage_packet *pk = calloc(size / PROF_MIRAGE_HEADER + 1, sizeof(*pk));
	uint64_t n, i, next = 0;
	int in_order = -1, sorted = 1;

	FUZZ_ASSERT(pk != NULL);
	n = prof__mirage_order(data, size, pk, &in_order);
	FUZZ_ASSERT(in_order == 0 || in_order == 1);
	FUZZ_ASSERT(n <= size / PROF_MIRAGE_HEADER);
	for (i = 1; i < n; i++)
		FUZZ_ASSERT(pk[i - 1].key <= pk[i].key);
	for (i = 0; i < n; i++) {
		uint32_t count = (uint32_t)data[pk[i].offset + 24] | (uint32_t)data[pk[i].offset + 25] << 8;

		FUZZ_ASSERT(pk[i].key == count || pk[i].key == count + 0x10000u);
	}
	/* In file order, the packets tile the input. */
	qsort(pk, n, sizeof(*pk), by_offset);
	for (i = 0; i < n; i++) {
		FUZZ_ASSERT(pk[i].offset == next);
		FUZZ_ASSERT(pk[i].size >= PROF_MIRAGE_HEADER && pk[i].size <= size - pk[i].offset);
		next += pk[i].size;
		if (i && pk[i].key < pk[i - 1].key)
			sorted = 0;
	}
	FUZZ_ASSERT(n == 0 || next == size);
	FUZZ_ASSERT(n == 0 || in_order == sorted);
	free(pk);
	return 0;
}
