/* SPDX-License-Identifier: MIT */
/*
 * Field names that were the emit macros' local names (p, w, st, ts_lo,
 * ts_hi) compile and record the values given, not the locals'.
 */
#include <stdint.h>
#include <string.h>

#include "lib/check.h"
#include "lib/collect.h"
#include "profile/profile.h"

PROF_EVENT(ev_locals, "f.locals", (u64, p), (u32, w), (u32, st), (u32, ts_lo), (u32, ts_hi), (str(4), prof));
PROF_SPAN(sp_locals, "f.span", (u8, p), (u16, w));

int main(void)
{
	struct prof_region_config cfg;
	struct prof_region *r;
	struct prof_error err;
	struct collection c;

	prof_region_config_init(&cfg);
	cfg.attach = 1;
	CHECK_OK(prof_region_open(&r, &cfg, &err));
	PROF_EMIT(ev_locals, 1, 2, 3, 4, 5, "sixsix");
	PROF_SPAN_BEGIN(sp_locals, 7, 8);
	PROF_SPAN_END(sp_locals);
	collect(r, &c);
	CHECK_EQ(c.n, 3);
	CHECK_STREQ(c.ev[0].name, "f.locals");
	CHECK_EQ(c.ev[0].u[0], 1);
	CHECK_EQ(c.ev[0].u[1], 2);
	CHECK_EQ(c.ev[0].u[2], 3);
	CHECK_EQ(c.ev[0].u[3], 4);
	CHECK_EQ(c.ev[0].u[4], 5);
	CHECK_STREQ(c.ev[0].s[5], "sixs");
	CHECK_EQ(c.ev[1].u[0], 7);
	CHECK_EQ(c.ev[1].u[1], 8);
	CHECK_STREQ(c.ev[2].name, "f.span.end");
	collection_free(&c);
	prof_region_close(r);
	printf("test_emit_fieldnames: ok\n");
	return 0;
}
