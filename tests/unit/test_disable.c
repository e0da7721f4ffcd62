/* SPDX-License-Identifier: MIT */
/*
 * With -DPROF_DISABLE every probe site compiles to nothing: its arguments
 * are not evaluated and nothing reaches the region, even with a region
 * attached and the event enabled.
 */
#define PROF_DISABLE 1

#include "lib/check.h"
#include "profile/profile.h"

PROF_EVENT(off_ev, "off.ev", (u64, a));
PROF_SPAN(off_span, "off.span", (u32, x));
PROF_COUNTER(off_counter, "off.counter", u64);

static int evaluated;

static __attribute__((unused)) uint64_t side_effect(void)
{
	evaluated++;
	return 42;
}

int main(void)
{
	struct prof_region_config cfg;
	struct prof_region *r;
	struct prof_error err;
	struct prof_region_header *hdr;
	int i;

	prof_region_config_init(&cfg);
	cfg.attach = 1;
	CHECK_OK(prof_region_open(&r, &cfg, &err));
	hdr = prof_region_memory(r);
	for (i = 0; i < 1000; i++) {
		PROF_EMIT(off_ev, side_effect());
		PROF_SPAN_BEGIN(off_span, (uint32_t)side_effect());
		PROF_SPAN_END(off_span);
		PROF_EMIT(off_counter, side_effect());
	}
	CHECK_EQ(evaluated, 0);
	CHECK_EQ(hdr->schema_count, 0);
	CHECK_EQ(prof__tls_writer.stream, NULL); /* no stream was ever claimed */
	prof_region_close(r);
	printf("test_disable: ok\n");
	return 0;
}
