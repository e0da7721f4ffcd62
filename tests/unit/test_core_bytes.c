/* SPDX-License-Identifier: MIT */
/*
 * test_core_bytes - the freestanding core's own memset and memcpy
 * (prof__bytes_zero(), prof__bytes_copy()): at every alignment and length
 * up to a few words, exactly the bytes asked for change, none around them.
 */
#include <stdint.h>
#include <string.h>

#include "lib/check.h"
#include "core/internal.h"

#define SPAN 64

int main(void)
{
	uint8_t buf[SPAN + 32], want[SPAN + 32], src[SPAN + 32];
	size_t off, n, i;

	for (i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(0x40 + i);
	for (off = 0; off < 16; off++)
		for (n = 0; n <= SPAN; n++) {
			for (i = 0; i < sizeof(buf); i++)
				buf[i] = want[i] = (uint8_t)(0xa0 ^ i);
			memset(want + off, 0, n);
			prof__bytes_zero(buf + off, n);
			CHECK_MSG(!memcmp(buf, want, sizeof(buf)), "zero at offset %zu, %zu bytes", off, n);

			memcpy(want + off, src + (n % 8), n);
			prof__bytes_copy(buf + off, src + (n % 8), n);
			CHECK_MSG(!memcmp(buf, want, sizeof(buf)), "copy at offset %zu, %zu bytes", off, n);
		}
	printf("test_core_bytes: ok\n");
	return 0;
}
