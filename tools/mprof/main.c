/* SPDX-License-Identifier: MIT */
/* tools/mprof/main.c - the mprof command: dispatch to a subcommand. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "profile/version.h"

static const struct mprof_command commands[] = {
	{ "record", "run a program and write its trace (CTF 1.8) to a directory", cmd_record },
	{ "stats", "summarise a trace: counts, span percentiles, drops", cmd_stats },
	{ "top", "live GC timing of a running program or a trace being written", cmd_top },
	{ "compare", "compare traces statistically: a regression gate for CI", cmd_compare },
	{ "export", "export a trace to Chrome trace-event JSON (Perfetto) or CSV", cmd_export },
	{ "view", "open a trace in the timeline viewer (GTK 3; --live follows one being written)", cmd_view },
	{ "render", "draw a trace's timeline to PNG, SVG or PDF, headless", cmd_render },
	{ "collect", "dom0: drain Xen guests' shared regions into a trace per guest", cmd_collect },
	{ "share", "in a Xen guest: run a program recording into pages granted to dom0", cmd_share },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: mprof <command> [options]\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'mprof <command> --help' describes a command's options;\n"
		   "'mprof --version' prints the version.\n");
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
	if (!strcmp(argv[1], "--version")) {
		/* The library's own run-time version: mprof links libprofile.a. */
		if (printf("mprof %s\n", prof_version()) < 0 || fflush(stdout) != 0)
			return MPROF_EXIT_SYSTEM;
		return MPROF_EXIT_OK;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "mprof: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return MPROF_EXIT_USAGE;
}
