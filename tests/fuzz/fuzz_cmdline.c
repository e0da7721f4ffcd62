/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the parsers of command lines and region names:
 * `mprof record`'s and `mprof compare`'s options (with compare's
 * --fail-on rules and times), option values (sizes, counts) and the
 * MPROF_REGION spec.  The input is split at NUL bytes into arguments.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "compare.h"
#include "posix/posix.h"
#include "record.h"

#define MAX_ARGS 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *argv[MAX_ARGS + 2];
	struct record_options o;
	struct prof__region_spec spec;
	struct prof_error err;
	int argc = 1;
	size_t i, start = 0;
	uint32_t v;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = 0;
	argv[0] = (char *)"record";
	for (i = 0; i <= size && argc <= MAX_ARGS; i++) {
		if (i == size || buf[i] == 0) {
			buf[i] = 0;
			argv[argc++] = buf + start;
			start = i + 1;
		}
	}
	argv[argc] = NULL;
	if (record_parse_options(argc, argv, &o) == 0) {
		/* What it accepted must be a usable configuration or rejected by
		 * the library with an error, never anything in between. */
		struct prof_region_header hdr;

		if (!o.dir || !o.argv || !o.argv[0])
			abort();
		(void)prof_region_layout(o.cfg.mode, o.cfg.packet_size, o.cfg.packets_per_stream,
					 o.cfg.stream_slots, o.cfg.max_events, &hdr);
	}
	argv[0] = (char *)"compare";
	{
		struct compare_opts co;
		struct compare_rule rule;

		if (compare_parse_options(argc, argv, &co) == 0) {
			/* Accepted: at least one trace per side, rules within bounds. */
			if (co.nbase < 1 || co.nnew < 1 || co.nrules > COMPARE_MAX_RULES)
				abort();
			free(co.base);
			free(co.newer);
		}
		(void)compare_parse_rule(argv[1], &rule);
	}
	(void)mprof_parse_u32("fuzz", "--value", argv[1], 1, &v);
	if (prof__region_spec_parse(argv[1], &spec, &err) == 0 && spec.kind != PROF__SPEC_FD && !spec.name)
		abort();
	free(buf);
	return 0;
}
