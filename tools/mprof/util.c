/* SPDX-License-Identifier: MIT */
/* tools/mprof/util.c - messages and option values shared by the commands. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"

void mprof_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mprof %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int mprof_parse_u32(const char *cmd, const char *opt, const char *text, int size_suffix, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (!text || !*text || *text == '-') {
		mprof_error(cmd, "%s needs a non-negative number", opt);
		return -1;
	}
	errno = 0;
	v = strtoull(text, &end, 10);
	if (size_suffix && *end && !end[1]) {
		switch (*end) {
		case 'k': case 'K': v <<= 10; end++; break;
		case 'm': case 'M': v <<= 20; end++; break;
		case 'g': case 'G': v <<= 30; end++; break;
		}
	}
	if (errno || end == text || *end || v > UINT32_MAX) {
		mprof_error(cmd, "%s: '%s' is not a number in range%s", opt, text,
			    size_suffix ? " (a size may end in K, M or G)" : "");
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

