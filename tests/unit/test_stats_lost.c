/* SPDX-License-Identifier: MIT */
/*
 * The "lost" section of `mprof stats` (tools/mprof/lossreport.c, compiled
 * in here): every region-level and trace-level count, in full, each
 * non-zero one with a hint naming the `mprof record` option to change.
 * Independent of the metadata env that carries the region counts into a
 * trace (t_stats_json.sh checks that path once it lands).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/check.h"
#include "../../tools/mprof/lossreport.c"

/* The report's line that starts with @what (after the indent). */
static const char *line_of(const char *text, const char *what, char *out, size_t size)
{
	char key[96];
	const char *p, *e;

	snprintf(key, sizeof(key), "\n  %s ", what);
	p = strstr(text, key);
	if (!p)
		CHECK_FAIL("no line \"%s\" in:\n%s", what, text);
	p += 3;
	e = strchr(p, '\n');
	snprintf(out, size, "%.*s", (int)(e ? e - p : (long)strlen(p)), p);
	return out;
}

static char *render(const struct loss_report *r, int *lossy)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CHECK(f != NULL);
	*lossy = loss_report_print(f, r);
	CHECK_EQ(fclose(f), 0);
	return buf;
}

static void expect_line(const char *text, const char *what, const char *count, const char *hint)
{
	char line[512];

	line_of(text, what, line, sizeof(line));
	if (!strstr(line, count) || (hint && !strstr(line, hint)) || (!hint && strstr(line, "hint")))
		CHECK_FAIL("line \"%s\": want count %s and %s%s", line, count, hint ? "hint " : "no hint",
			   hint ? hint : "");
	printf("ok: %s\n", line);
}

int main(void)
{
	struct loss_report r;
	char *text;
	int lossy;

	memset(&r, 0, sizeof(r));
	text = render(&r, &lossy);
	CHECK_EQ(lossy, 0);
	expect_line(text, "events discarded (ring full)", " 0", NULL);
	expect_line(text, "events without a stream slot", " 0", NULL);
	expect_line(text, "event types refused (schema full)", " 0", NULL);
	expect_line(text, "event definitions refused (invalid)", " 0", NULL);
	expect_line(text, "schema records unusable", " 0", NULL);
	expect_line(text, "strings truncated", " 0", NULL);
	free(text);

	r.trace.events_discarded = 120;
	r.trace.packets_lost = 2;
	r.trace.invalid_packets = 1;
	r.region.dropped_no_slot = UINT64_MAX;
	r.region.refused_events = 44;
	r.region.refused_invalid = 3;
	r.region.schema_errors = 4;
	r.region.strings_truncated = (1ull << 53) + 1;
	r.spans_broken = 6;
	r.gaps = 2;
	text = render(&r, &lossy);
	CHECK_EQ(lossy, 7);
	expect_line(text, "events discarded (ring full)", " 120", "record -s, -n, -p");
	expect_line(text, "packets lost (sequence gaps)", " 2", "-n");
	expect_line(text, "invalid packets skipped", " 1", "damaged");
	expect_line(text, "events without a stream slot", " 18446744073709551615", "record -t");
	expect_line(text, "event types refused (schema full)", " 44", "record -e");
	expect_line(text, "event definitions refused (invalid)", " 3", "summary names them");
	expect_line(text, "schema records unusable", " 4", "skipped");
	expect_line(text, "strings truncated", " 9007199254740993", "str(N)");
	expect_line(text, "spans broken by loss", " 6", "not timed");
	CHECK(strstr(text, "at 2 places") != NULL);
	free(text);
	printf("test_stats_lost: ok\n");
	return 0;
}
