/* SPDX-License-Identifier: MIT */
/*
 * probes/lwip/arch/perf.h - lwIP's PERF_START/PERF_STOP (LWIP_PERF 1).
 * lwIP 2.1 brackets tcp_input() (and pbuf_free()) with them; at the end of
 * tcp_input() the probe looks for connection state changes that the input
 * made (mprof_lwip_perf_stop()).
 */
#ifndef MPROF_LWIP_ARCH_PERF_H
#define MPROF_LWIP_ARCH_PERF_H

void mprof_lwip_perf_stop(const char *what);

#define PERF_START do { } while (0)
#define PERF_STOP(x) mprof_lwip_perf_stop(x)

#endif
