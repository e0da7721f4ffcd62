/* SPDX-License-Identifier: MIT */
/*
 * viewer/render/mprof_render.c - `mprof render` (the program mprof-render,
 * which `mprof render` executes): a trace to PNG, SVG or PDF with cairo
 * and no display.  Links cairo, never GTK.
 *
 * Exit codes are mprof's (tools/mprof/commands.h): 2 usage, 3 input, 4
 * system.  The output is written to a temporary file next to it and
 * renamed only once complete, so a failure never leaves a file that looks
 * finished.
 */
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model.h"
#include "render.h"
#include "timearg.h"

enum { EXIT_OK = 0, EXIT_USAGE = 2, EXIT_INPUT = 3, EXIT_SYSTEM = 4 };

static void usage(FILE *f)
{
	fprintf(f, "usage: mprof render DIR -o OUT.png|OUT.svg|OUT.pdf [--from T] [--to T] [--width W] [--height H]\n"
		   "  DIR     an mprof trace directory, a directory of them, or a foreign trace\n"
		   "  T       a time from the trace's first event: a number with a unit (ns, us, ms, s;\n"
		   "          seconds if none), e.g. 1.5ms\n"
		   "  W, H    the picture's size in pixels (default 1600 wide, as tall as the lanes)\n");
}

static int write_surface(const struct prof_model *m, const struct prof_viewport *vp, const char *out,
			 const char *tmp)
{
	const char *ext = strrchr(out, '.');
	cairo_surface_t *s;
	cairo_t *cr;
	cairo_status_t st;
	int ret = 0;

	if (!strcmp(ext, ".png"))
		s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, vp->width, vp->height);
	else if (!strcmp(ext, ".svg"))
		s = cairo_svg_surface_create(tmp, vp->width, vp->height);
	else
		s = cairo_pdf_surface_create(tmp, vp->width, vp->height);
	cr = cairo_create(s);
	prof_render_draw(cr, m, vp);
	cairo_destroy(cr);
	if (!strcmp(ext, ".png"))
		st = cairo_surface_write_to_png(s, tmp);
	else {
		cairo_surface_finish(s);
		st = cairo_surface_status(s);
	}
	if (st != CAIRO_STATUS_SUCCESS) {
		fprintf(stderr, "mprof render: %s: cannot write: %s\n", out, cairo_status_to_string(st));
		ret = -EIO;
	}
	cairo_surface_destroy(s);
	return ret;
}

int main(int argc, char **argv)
{
	const char *dir = NULL, *out = NULL, *from = NULL, *to = NULL, *ext;
	struct prof_model m;
	struct prof_viewport vp;
	struct prof_error err;
	char tmp[4096], loss[512];
	long width = 1600, height = 0;
	int ret, status = EXIT_OK;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return EXIT_OK;
		}
		if ((!strcmp(a, "-o") || !strcmp(a, "--from") || !strcmp(a, "--to") || !strcmp(a, "--width") ||
		     !strcmp(a, "--height")) && i + 1 >= argc) {
			fprintf(stderr, "mprof render: %s needs a value\n", a);
			return EXIT_USAGE;
		}
		if (!strcmp(a, "-o"))
			out = argv[++i];
		else if (!strcmp(a, "--from"))
			from = argv[++i];
		else if (!strcmp(a, "--to"))
			to = argv[++i];
		else if (!strcmp(a, "--width") || !strcmp(a, "--height")) {
			char *end;
			long v = strtol(argv[++i], &end, 10);

			if (*end || v < 64 || v > 32768) {
				fprintf(stderr, "mprof render: %s '%s': a number of pixels from 64 to 32768\n", a, argv[i]);
				return EXIT_USAGE;
			}
			*(a[2] == 'w' ? &width : &height) = v;
		} else if (a[0] == '-') {
			fprintf(stderr, "mprof render: unknown option '%s'\n", a);
			usage(stderr);
			return EXIT_USAGE;
		} else if (!dir) {
			dir = a;
		} else {
			fprintf(stderr, "mprof render: one trace only ('%s' and '%s')\n", dir, a);
			return EXIT_USAGE;
		}
	}
	if (!dir || !out) {
		fprintf(stderr, "mprof render: %s\n", !dir ? "no trace given" : "no output file given (-o)");
		usage(stderr);
		return EXIT_USAGE;
	}
	ext = strrchr(out, '.');
	if (!ext || (strcmp(ext, ".png") && strcmp(ext, ".svg") && strcmp(ext, ".pdf"))) {
		fprintf(stderr, "mprof render: %s: the output must end in .png, .svg or .pdf\n", out);
		return EXIT_USAGE;
	}
	prof_model_init(&m);
	memset(&err, 0, sizeof(err));
	ret = prof_model_load(&m, dir, NULL, NULL, &err);
	if (ret) {
		char msg[600];

		prof_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, "mprof render: %s\n", msg);
		status = ret == -ENOMEM ? EXIT_SYSTEM : EXIT_INPUT;
		goto out;
	}
	if (m.stats.invalid_packets) {
		/* Drawn anyway: the loss line shows the count. */
		fprintf(stderr, "mprof render: %s: warning: %" PRIu64 " invalid packets skipped\n", dir,
			m.stats.invalid_packets);
	}
	memset(&vp, 0, sizeof(vp));
	vp.width = (int)width;
	prof_render_fit(&m, &vp);
	if (from || to) {
		uint64_t base = m.t_first == UINT64_MAX ? 0 : m.t_first, t;

		if (from) {
			if (prof_parse_time(from, &t)) {
				fprintf(stderr, "mprof render: --from '%s': a time such as 1.5ms, 200us or 2s\n", from);
				status = EXIT_USAGE;
				goto out;
			}
			vp.t0 = base + t;
		}
		if (to) {
			if (prof_parse_time(to, &t)) {
				fprintf(stderr, "mprof render: --to '%s': a time such as 1.5ms, 200us or 2s\n", to);
				status = EXIT_USAGE;
				goto out;
			}
			vp.t1 = base + t;
		}
		if (vp.t1 <= vp.t0) {
			fprintf(stderr, "mprof render: --from must come before --to\n");
			status = EXIT_USAGE;
			goto out;
		}
	}
	vp.height = height ? (int)height : prof_render_content_height(&m) + 8;
	if (vp.height > 32768)
		vp.height = 32768;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", out, (long)getpid()) >= (int)sizeof(tmp)) {
		fprintf(stderr, "mprof render: %s: name too long\n", out);
		status = EXIT_USAGE;
		goto out;
	}
	if (write_surface(&m, &vp, out, tmp)) {
		unlink(tmp);
		status = EXIT_SYSTEM;
		goto out;
	}
	if (rename(tmp, out)) {
		fprintf(stderr, "mprof render: %s: %s\n", out, strerror(errno));
		unlink(tmp);
		status = EXIT_SYSTEM;
		goto out;
	}
	prof_render_loss_text(&m, loss, sizeof(loss));
	printf("%s: %zu lanes, %s\n", out, m.nlanes, loss);
out:
	prof_model_free(&m);
	return status;
}
