/* SPDX-License-Identifier: MIT */
/*
 * Checks a trace (or a directory of traces) of tests/progs/xen_guest:
 * every xg.seq event carries seq 0..N-1 exactly once, with check =
 * seq * 3 + 7.  For the real-Xen test (tests/xen/), where dom0 has no
 * babeltrace2 or python.
 *
 *   xen_check DIR N      exit 0 if so; prints what it found
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/ctf.h"
#include "profile/read.h"

int main(int argc, char **argv)
{
	struct prof_trace *t = NULL;
	struct prof_decoded_event ev;
	struct prof_error err;
	uint64_t n, events = 0, dups = 0, bad = 0, extra = 0, missing = 0, i;
	uint8_t *seen;
	char buf[700];
	int ret;

	if (argc != 3) {
		fprintf(stderr, "usage: xen_check DIR N\n");
		return 2;
	}
	n = strtoull(argv[2], NULL, 10);
	seen = calloc(n ? n : 1, 1);
	ret = prof_trace_open(&t, argv[1], &err);
	if (ret) {
		fprintf(stderr, "xen_check: %s\n", prof_error_format(&err, buf, sizeof(buf)));
		return 1;
	}
	while ((ret = prof_trace_next(t, &ev)) == 1) {
		uint64_t s, c;

		if (!ev.desc || strcmp(ev.desc->name, "xg.seq") || ev.nfields != 2)
			continue;
		events++;
		s = ev.values[0].v.u;
		c = ev.values[1].v.u;
		if (c != s * 3 + 7)
			bad++;
		if (s >= n)
			extra++;
		else if (seen[s]++)
			dups++;
	}
	for (i = 0; i < n; i++)
		missing += !seen[i];
	printf("xen_check: %s: events=%llu missing=%llu dup=%llu extra=%llu badcheck=%llu\n", argv[1],
	       (unsigned long long)events, (unsigned long long)missing, (unsigned long long)dups,
	       (unsigned long long)extra, (unsigned long long)bad);
	prof_trace_close(t);
	free(seen);
	return ret < 0 || missing || dups || extra || bad ? 1 : 0;
}
