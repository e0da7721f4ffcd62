/* SPDX-License-Identifier: MIT */
/* tools/mprof/main.c - the mprof command: dispatch to a subcommand. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

static const struct mprof_command commands[] = {
	{ "record", "run a program and write its trace (CTF 1.8) to a directory", cmd_record },
	{ "stats", "summarise a trace: counts, span percentiles, drops", cmd_stats },
	{ "top", "live GC timing of a running program or a trace being written", cmd_top },
};

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

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: mprof <command> [options]\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'mprof <command> --help' describes a command's options.\n");
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return MPROF_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return MPROF_EXIT_OK;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "mprof: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return MPROF_EXIT_USAGE;
}
