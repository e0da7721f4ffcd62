/* SPDX-License-Identifier: MIT */
/*
 * Emits str(8) and str(5) values whose multi-byte UTF-8 characters
 * straddle the bound (2-, 3- and 4-byte characters at every offset), and
 * prints, one per line, "idx<TAB>expected value" (the value as it must be
 * recorded: cut before the straddling character) for t_str_utf8.sh.
 *
 *   utf8gen
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "profile/profile.h"

PROF_EVENT(u8_val, "utf8.val", (u32, idx), (str(8), s), (str(5), t));

static const char *const chars[] = { "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "x" };

/* What a str(bound) keeps of @in: whole characters up to the bound. */
static size_t kept(const char *in, size_t bound)
{
	size_t n = 0;

	while (in[n]) {
		size_t len = (in[n] & 0x80) == 0 ? 1 : (in[n] & 0xe0) == 0xc0 ? 2 : (in[n] & 0xf0) == 0xe0 ? 3 : 4;

		if (n + len > bound)
			break;
		n += len;
	}
	return n;
}

int main(void)
{
	char in[64];
	uint32_t idx = 0;
	size_t pre, c, rep;

	for (pre = 0; pre < 8; pre++)
		for (c = 0; c < sizeof(chars) / sizeof(chars[0]); c++)
			for (rep = 1; rep <= 3; rep++) {
				size_t i;

				memset(in, 'a', pre);
				in[pre] = 0;
				for (i = 0; i < rep; i++)
					strcat(in, chars[c]);
				PROF_EMIT(u8_val, idx, in, in);
				printf("%u\t%.*s\t%.*s\n", idx, (int)kept(in, 8), in, (int)kept(in, 5), in);
				idx++;
			}
	return 0;
}
