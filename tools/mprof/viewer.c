/* SPDX-License-Identifier: MIT */
/*
 * tools/mprof/viewer.c - `mprof render` and `mprof view`: the viewer is its
 * own programs (mprof-render links cairo, mprof-view GTK 3), so that mprof
 * itself needs neither to start.  They are looked for next to the running
 * mprof first (a build tree, or an installed bin/), then on PATH.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"

static int run_viewer(const char *cmd, const char *prog, int argc, char **argv)
{
	char self[PATH_MAX], path[PATH_MAX + 32];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	(void)argc;
	argv[0] = (char *)prog;
	if (n > 0) {
		char *slash;

		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			snprintf(path, sizeof(path), "%s/%s", self, prog);
			if (access(path, X_OK) == 0) {
				execv(path, argv);
				mprof_error(cmd, "%s: %s", path, strerror(errno));
				return MPROF_EXIT_SYSTEM;
			}
		}
	}
	execvp(prog, argv);
	mprof_error(cmd, "cannot run %s (%s): it is built with the viewer (make; docs/VIEWER.md)", prog,
		    strerror(errno));
	return MPROF_EXIT_SYSTEM;
}

int cmd_render(int argc, char **argv)
{
	return run_viewer("render", "mprof-render", argc, argv);
}

int cmd_view(int argc, char **argv)
{
	return run_viewer("view", "mprof-view", argc, argv);
}
