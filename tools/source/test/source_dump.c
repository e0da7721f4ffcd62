/* SPDX-License-Identifier: MIT */
/*
 * tools/source/test/source_dump.c - `source_dump [--follow] PATH`: every event the
 * trace source reads from PATH, one a line, then its counts; for the test
 * scripts, which compare it with babeltrace2's own text output.
 *
 *   <ns> <name> trace=<t> stream=<s> tid=<tid> seq=<packet_seq> disc=<packet_discarded> {f=v, ...}
 *   kind <mprof|ctf|mirage>
 *   schema <name> <kind> <field:type>...            (one per schema event)
 *   stats events=.. streams=.. packets=.. discarded=.. packets_lost=.. traces=..
 *   skips fields=.. strings=.. untimed=..
 *   note <mprof_source_error(), if any>
 *
 * Exit status 0, or 1 with the error on stderr.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "mprof_source.h"

static void print_value(const struct prof_value *v)
{
	switch (v->type) {
	case PROF_TYPE_U8: case PROF_TYPE_U16: case PROF_TYPE_U32: case PROF_TYPE_U64:
		printf("%" PRIu64, v->v.u);
		break;
	case PROF_TYPE_S8: case PROF_TYPE_S16: case PROF_TYPE_S32: case PROF_TYPE_S64:
		printf("%" PRId64, v->v.s);
		break;
	case PROF_TYPE_F64:
		printf("%.17g", v->v.f);
		break;
	case PROF_TYPE_STRING:
		printf("\"%s\"", v->v.str.ptr);
		break;
	default:
		printf("?");
	}
}

int main(int argc, char **argv)
{
	static const char *const kinds[] = { "?", "mprof", "ctf", "mirage" };
	struct mprof_source *s;
	struct prof_decoded_event ev;
	struct prof_trace_stats st;
	struct mprof_source_skips sk;
	const struct prof_trace_desc *d;
	const struct prof_error *e;
	struct prof_error err;
	char buf[600];
	uint32_t i, j;
	int ret;

	unsigned int flags = 0;

	if (argc == 3 && !strcmp(argv[1], "--follow")) {
		flags = MPROF_SOURCE_FOLLOW;
		argv++;
		argc--;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: source_dump [--follow] PATH\n");
		return 2;
	}
	ret = mprof_source_open(&s, argv[1], flags, &err);
	if (ret) {
		fprintf(stderr, "source_dump: %s (%s)\n", prof_error_format(&err, buf, sizeof(buf)), prof_strerror(ret));
		return 1;
	}
	while ((ret = mprof_source_next(s, &ev)) == 1) {
		printf("%" PRIu64 " %s trace=%u stream=%u tid=%u seq=%" PRIu64 " disc=%" PRIu64 " {", ev.timestamp,
		       ev.desc->name, ev.trace, ev.stream, ev.tid, ev.packet_seq, ev.packet_discarded);
		for (i = 0; i < ev.nfields; i++) {
			printf("%s%s=", i ? ", " : "", ev.desc->fields[i].name);
			print_value(&ev.values[i]);
		}
		printf("}\n");
	}
	if (ret < 0) {
		e = mprof_source_error(s);
		fprintf(stderr, "source_dump: %s\n", e ? prof_error_format(e, buf, sizeof(buf)) : "error");
		mprof_source_close(s);
		return 1;
	}
	printf("kind %s\n", kinds[mprof_source_kind(s) <= 3 ? mprof_source_kind(s) : 0]);
	d = mprof_source_desc(s);
	for (i = 0; i < d->schema.count; i++) {
		printf("schema %s %u", d->schema.events[i].name, d->schema.events[i].kind);
		for (j = 0; j < d->schema.events[i].nfields; j++)
			printf(" %s:%u", d->schema.events[i].fields[j].name, d->schema.events[i].fields[j].type);
		printf("\n");
	}
	mprof_source_stats(s, &st);
	printf("stats events=%" PRIu64 " streams=%" PRIu64 " packets=%" PRIu64 " discarded=%" PRIu64
	       " packets_lost=%" PRIu64 " traces=%" PRIu64 "\n",
	       st.events, st.streams, st.packets, st.events_discarded, st.packets_lost, st.traces);
	mprof_source_skips(s, &sk);
	printf("skips fields=%" PRIu64 " strings=%" PRIu64 " untimed=%" PRIu64 "\n", sk.fields_skipped,
	       sk.strings_truncated, sk.events_untimed);
	e = mprof_source_error(s);
	if (e)
		printf("note %s\n", prof_error_format(e, buf, sizeof(buf)));
	mprof_source_close(s);
	return 0;
}
