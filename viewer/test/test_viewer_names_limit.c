/* SPDX-License-Identifier: MIT */
/*
 * The model's limit on event names (PROF_MODEL_MAX_NAMES, 2^20: the
 * item's 20-bit name) is refused loudly, never truncated: this test
 * builds the model itself with a limit of 4 (as t_probes_dup builds the
 * socket shim with 64 descriptors), so that the fixed trace's 9 names
 * pass it:
 *   - prof_model_add() of a 5th name returns -ERANGE and adds nothing
 *     (the events and the row's items are as before); known names still
 *     add;
 *   - prof_model_load_threads() of the fixed trace, on one thread and on
 *     two, fails with -ERANGE and a message naming the file and the limit.
 */
#define PROF_MODEL_MAX_NAMES 4u
#include "../model/model.c"

#include "gen_trace.h"

static void add(struct prof_model *m, const struct prof_schema_event *desc, uint32_t id, uint64_t ts, int want)
{
	struct prof_decoded_event e;
	int ret;

	memset(&e, 0, sizeof(e));
	e.timestamp = ts;
	e.id = id;
	e.desc = desc;
	e.tid = 1;
	e.nfields = desc->nfields;
	for (uint16_t i = 0; i < e.nfields; i++) {
		e.values[i].type = desc->fields[i].type;
		if (e.values[i].type == PROF_TYPE_STRING) {
			e.values[i].v.str.ptr = "x";
			e.values[i].v.str.len = 1;
		}
	}
	ret = prof_model_add(m, &e);
	if (ret != want)
		CHECK_FAIL("adding %s: %d, expected %d", desc->name, ret, want);
}

int main(void)
{
	struct prof_schema_event ev[GEN_NEVENTS];
	struct prof_model m;
	struct prof_error err;
	char *tmp = test_tmpdir("viewer-names"), dir[512], msg[600];

	gen_schema(ev);
	prof_model_init(&m);
	/* Four names: tick, msg, work.begin, work.end. */
	add(&m, &ev[GEN_TICK], GEN_TICK, 10, 0);
	add(&m, &ev[GEN_MSG], GEN_MSG, 20, 0);
	add(&m, &ev[GEN_WORK_B], GEN_WORK_B, 30, 0);
	add(&m, &ev[GEN_WORK_E], GEN_WORK_E, 40, 0);
	CHECK_EQ_U(m.nnames, 4);
	CHECK_EQ_U(m.events, 4);
	/* A fifth: refused, nothing added. */
	add(&m, &ev[GEN_MINOR_B], GEN_MINOR_B, 50, -ERANGE);
	add(&m, &ev[GEN_HEAP], GEN_HEAP, 60, -ERANGE);
	CHECK_EQ_U(m.nnames, 4);
	CHECK_EQ_U(m.events, 4);
	CHECK_EQ_U(m.nlanes, 1);
	CHECK_EQ_U(m.lanes[0]->instants.n, 2);
	CHECK_EQ_U(m.lanes[0]->rows[0].n, 1);
	/* Known names still add. */
	add(&m, &ev[GEN_TICK], GEN_TICK, 70, 0);
	CHECK_EQ_U(m.lanes[0]->instants.n, 3);
	CHECK_EQ_U(prof_model_item_t0(&m.lanes[0]->instants, 2), 70);
	prof_model_free(&m);

	/* A trace of 9 names, loaded on one thread and on two. */
	snprintf(dir, sizeof(dir), "%s/fixed", tmp);
	gen_fixed(dir);
	for (unsigned int threads = 1; threads <= 2; threads++) {
		int ret;

		prof_model_init(&m);
		memset(&err, 0, sizeof(err));
		ret = prof_model_load_threads(&m, dir, threads, NULL, NULL, &err);
		prof_error_format(&err, msg, sizeof(msg));
		printf("%u thread(s): %s\n", threads, msg);
		if (ret != -ERANGE)
			CHECK_FAIL("loading on %u thread(s): %d, expected -ERANGE (%d)", threads, ret, -ERANGE);
		if (!strstr(msg, dir) || !strstr(msg, "more than 4 event names, the viewer's limit"))
			CHECK_FAIL("the message names neither the trace nor the limit: %s", msg);
		prof_model_free(&m);
	}
	rm_rf(tmp);
	free(tmp);
	printf("test_viewer_names_limit: ok\n");
	return 0;
}
