/* SPDX-License-Identifier: MIT */
/*
 * The emit macros as a user meets them:
 *  - PROF_EMIT evaluates its arguments only when the event records (0 of
 *    1000 calls while disabled, 1000 of 1000 while enabled);
 *  - event identifiers that were the macros' local names (p, w, st, ts_lo)
 *    compile and record;
 *  - events are registered at load: a constructor that runs after the
 *    registrations (the default priority) finds its event registered, and
 *    an emit from one that runs before them (priority 100) is a no-op,
 *    never a crash.
 * (Field names that were local names: test_emit_fieldnames.c.)
 */
#include <stdint.h>
#include <string.h>

#include "lib/check.h"
#include "lib/collect.h"
#include "profile/profile.h"

PROF_EVENT(early, "m.early", (u32, x));

static uint32_t state_in_early_ctor, state_in_late_ctor;

/* Runs before every registration (priority 100 < 101; GCC reserves it
 * for the implementation, which is what libprofile's ordering is about):
 * the event is not registered yet. */
#pragma GCC diagnostic ignored "-Wprio-ctor-dtor"
__attribute__((constructor(100))) static void early_ctor(void)
{
	state_in_early_ctor = PROF__STATE_LOAD(early);
	PROF_EMIT(early, 1); /* a no-op, never a crash */
}

PROF_EVENT(side, "m.side", (u64, v), (u32, w2));
PROF_EVENT(p, "m.p", (u32, a));
PROF_EVENT(w, "m.w", (u64, a), (str(8), b));
PROF_EVENT(st, "m.st");
PROF_COUNTER(ts_lo, "m.ts_lo", u64);
PROF_SPAN(ts_hi, "m.ts_hi", (u32, depth));

__attribute__((constructor)) static void late_ctor(void)
{
	state_in_late_ctor = PROF__STATE_LOAD(early);
}

static int calls;

static uint64_t counted(void)
{
	calls++;
	return 7;
}

int main(void)
{
	struct prof_region_config cfg;
	struct prof_region *r;
	struct prof_error err;
	struct collection c;
	int i;

	CHECK_EQ_U(state_in_early_ctor, PROF__UNREGISTERED);
	CHECK(state_in_late_ctor != PROF__UNREGISTERED);

	prof_region_config_init(&cfg);
	cfg.attach = 1;
	CHECK_OK(prof_region_open(&r, &cfg, &err));

	/* Disabled: the arguments are not evaluated. */
	CHECK_OK(prof_event_set_enabled(&side, 0));
	for (i = 0; i < 1000; i++)
		PROF_EMIT(side, counted(), (uint32_t)counted());
	CHECK_EQ(calls, 0);
	/* Enabled: each once per emit. */
	CHECK_OK(prof_event_set_enabled(&side, 1));
	for (i = 0; i < 1000; i++)
		PROF_EMIT(side, counted(), (uint32_t)i);
	CHECK_EQ(calls, 1000);

	/* Identifiers named like the macros' locals used to be. */
	PROF_EMIT(p, 11);
	PROF_EMIT(w, 12, "thirteen");
	PROF_EMIT(st);
	PROF_EMIT(ts_lo, 14);
	PROF_SPAN_BEGIN(ts_hi, 15);
	PROF_SPAN_END(ts_hi);
	/* An if without braces takes the macro as one statement. */
	if (calls == 0)
		PROF_EMIT(st);
	else
		PROF_EMIT(p, 16);

	collect(r, &c);
	CHECK_EQ(collect_count(&c, "m.side"), 1000);
	CHECK_EQ(collect_count(&c, "m.early"), 0);
	CHECK_EQ(c.n, 1000 + 7);
	CHECK_STREQ(c.ev[1000].name, "m.p");
	CHECK_EQ(c.ev[1000].u[0], 11);
	CHECK_STREQ(c.ev[1001].name, "m.w");
	CHECK_EQ(c.ev[1001].u[0], 12);
	CHECK_STREQ(c.ev[1001].s[1], "thirteen");
	CHECK_STREQ(c.ev[1002].name, "m.st");
	CHECK_STREQ(c.ev[1003].name, "m.ts_lo");
	CHECK_EQ(c.ev[1003].u[0], 14);
	CHECK_STREQ(c.ev[1004].name, "m.ts_hi.begin");
	CHECK_EQ(c.ev[1004].u[0], 15);
	CHECK_STREQ(c.ev[1005].name, "m.ts_hi.end");
	CHECK_STREQ(c.ev[1006].name, "m.p");
	CHECK_EQ(c.ev[1006].u[0], 16);
	CHECK_EQ(c.ev[0].u[0], 7);
	CHECK_EQ(c.ev[999].u[1], 999);
	collection_free(&c);
	prof_region_close(r);
	printf("test_emit_macros: ok\n");
	return 0;
}
