/* SPDX-License-Identifier: MIT */
/*
 * gen_viewer_open TRACE - load a trace into the viewer's model as the
 * window does and print what it holds ("lanes N events N spans N"), or
 * the error, then a line per connection lane ("conn TRACE ID state N reads
 * N writes N": its instants per band).  Exit 0 (loaded), 77 (the trace source returned -ENOTSUP: a
 * kind this build cannot read), 3 (another error).  The foreign-trace
 * test uses it to skip only for -ENOTSUP.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "model.h"

int main(int argc, char **argv)
{
	struct prof_model m;
	struct prof_error err;
	char msg[600];
	size_t spans = 0, conns = 0;
	int ret;

	if (argc != 2) {
		fprintf(stderr, "usage: gen_viewer_open TRACE\n");
		return 2;
	}
	prof_model_init(&m);
	ret = prof_model_load(&m, argv[1], NULL, NULL, &err);
	if (ret) {
		prof_error_format(&err, msg, sizeof(msg));
		printf("%s: %s\n", ret == -ENOTSUP ? "ENOTSUP" : "error", msg);
		prof_model_free(&m);
		return ret == -ENOTSUP ? 77 : 3;
	}
	for (size_t i = 0; i < m.nlanes; i++) {
		for (size_t r = 0; r < m.lanes[i]->nrows; r++)
			spans += m.lanes[i]->rows[r].n;
		conns += m.lanes[i]->kind == PROF_LANE_CONN;
	}
	printf("lanes %zu events %" PRIu64 " spans %zu conns %zu\n", m.nlanes, m.events, spans, conns);
	for (size_t i = 0; i < m.nlanes; i++) {
		const struct prof_model_lane *l = m.lanes[i];
		size_t n[PROF_CONN_CLASSES] = { 0 };

		if (l->kind != PROF_LANE_CONN)
			continue;
		for (size_t j = 0; j < l->instants.n; j++)
			n[prof_model_conn_class(m.names[l->instants.items[j].name].ev.name)]++;
		printf("conn %" PRIu32 " %" PRIu64 " state %zu reads %zu writes %zu\n", l->trace, l->conn,
		       n[PROF_CONN_STATE], n[PROF_CONN_READ], n[PROF_CONN_WRITE]);
	}
	prof_model_free(&m);
	return 0;
}
