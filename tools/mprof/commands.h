/* SPDX-License-Identifier: MIT */
/* tools/mprof/commands.h - the mprof subcommands and their exit codes. */
#ifndef MPROF_COMMANDS_H
#define MPROF_COMMANDS_H

#include <stdint.h>

/* Exit codes shared by every subcommand (documented in docs/mprof.1). */
enum {
	MPROF_EXIT_OK = 0,
	MPROF_EXIT_USAGE = 2,   /* bad command line */
	MPROF_EXIT_INPUT = 3,   /* missing, unreadable or corrupt input */
	MPROF_EXIT_SYSTEM = 4,  /* a system call or write failed */
	MPROF_EXIT_CHILD = 5,   /* the recorded program could not be started */
	MPROF_EXIT_REGRESSED = 10, /* compare: a regression was found */
	MPROF_EXIT_UNDECIDED = 11, /* compare: a rule would fail, but on data a run lost events in
				    * (--allow-loss judges anyway) */
};

struct mprof_command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv); /* argv[0] is the subcommand */
};

int cmd_record(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_export(int argc, char **argv);
/* The viewer's programs, executed (tools/mprof/viewer.c). */
int cmd_render(int argc, char **argv);
int cmd_view(int argc, char **argv);
int cmd_collect(int argc, char **argv); /* xen.c */
int cmd_share(int argc, char **argv);   /* xen.c */

/* Print "mprof <cmd>: <message>" on stderr. */
void mprof_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parse an unsigned option value with a suffix K/M/G (powers of 1024) for
 * sizes; returns 0 or -1 with a message naming the option. */
int mprof_parse_u32(const char *cmd, const char *opt, const char *text, int size_suffix, uint32_t *out);

#endif
