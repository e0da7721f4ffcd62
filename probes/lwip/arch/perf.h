/* SPDX-License-Identifier: MIT */
/*
 * probes/lwip/arch/perf.h - lwIP's PERF_START/PERF_STOP (LWIP_PERF 1).
 * lwIP 2.1 brackets tcp_input() (and pbuf_free()) with them; at the end of
 * tcp_input() the probe looks for the connection state change that the
 * input made (mprof_lwip_tcp_input_done()).  The name is a string literal,
 * so the test below is decided at compile time: pbuf_free()'s PERF_STOP
 * compiles to nothing.
 */
#ifndef MPROF_LWIP_ARCH_PERF_H
#define MPROF_LWIP_ARCH_PERF_H

void mprof_lwip_tcp_input_done(void);
void mprof_lwip_perf_stop(const char *what);

#define PERF_START do { } while (0)
#define PERF_STOP(x)                                        \
	do {                                                \
		if (__builtin_strcmp((x), "tcp_input") == 0) \
			mprof_lwip_tcp_input_done();        \
	} while (0)

#endif
