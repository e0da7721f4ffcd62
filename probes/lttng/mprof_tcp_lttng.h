/* SPDX-License-Identifier: MIT */
/*
 * probes/lttng/mprof_tcp_lttng.h - the LTTng-UST backend of the TCP
 * vocabulary, selected at build time with -DMPROF_TCP_LTTNG: then
 * probes/tcp/sock_events.h includes this file instead of defining mprof
 * events, and PROF_EMIT / PROF_SPAN_BEGIN / PROF_SPAN_END of a probe
 * (probes/sockets) become LTTng-UST tracepoints of provider mprof_tcp
 * (mprof_tcp_tp.h).  One object of the program defines the provider:
 * probes/lttng/mprof_tcp_tp.c.  Do not include profile/event.h with it.
 */
#ifndef MPROF_TCP_LTTNG_H
#define MPROF_TCP_LTTNG_H

#include <stdint.h>

#include "mprof_tcp_tp.h"

#define PROF_EMIT(ident, ...) ident##__lttng(__VA_ARGS__)
#define PROF_SPAN_BEGIN(ident, ...) ident##_begin__lttng(__VA_ARGS__)
#define PROF_SPAN_END(ident) ident##_end__lttng()

/* One emitter per event: ident##__lttng(fields) fires the tracepoint
 * (mprof_tcp, name, fields...) that @call spells out. */
#define MPROF__LTTNG_FN(ident, params, call) \
	static inline void ident##__lttng params { lttng_ust_tracepoint call; }

MPROF__LTTNG_FN(mprof_sock_connect_begin, (uint64_t conn),
		(mprof_tcp, sock_connect_begin, conn))
MPROF__LTTNG_FN(mprof_sock_connect_end, (void),
		(mprof_tcp, sock_connect_end))
MPROF__LTTNG_FN(mprof_sock_accept_begin, (uint64_t conn),
		(mprof_tcp, sock_accept_begin, conn))
MPROF__LTTNG_FN(mprof_sock_accept_end, (void),
		(mprof_tcp, sock_accept_end))
MPROF__LTTNG_FN(mprof_sock_open, (uint64_t conn, int32_t fd, uint8_t role, uint16_t lport, uint16_t rport, uint32_t raddr, int32_t err),
		(mprof_tcp, sock_open, conn, fd, role, lport, rport, raddr, err))
MPROF__LTTNG_FN(mprof_sock_close, (uint64_t conn, int32_t fd),
		(mprof_tcp, sock_close, conn, fd))
MPROF__LTTNG_FN(mprof_sock_dup, (uint64_t conn, int32_t fd, int32_t newfd),
		(mprof_tcp, sock_dup, conn, fd, newfd))
MPROF__LTTNG_FN(mprof_sock_untracked, (uint64_t conn, int32_t fd),
		(mprof_tcp, sock_untracked, conn, fd))
MPROF__LTTNG_FN(mprof_sock_write, (uint64_t conn, int64_t bytes, int32_t err, uint8_t call, uint64_t start),
		(mprof_tcp, sock_write, conn, bytes, err, call, start))
MPROF__LTTNG_FN(mprof_sock_read, (uint64_t conn, int64_t bytes, int32_t err, uint8_t call, uint64_t start),
		(mprof_tcp, sock_read, conn, bytes, err, call, start))
MPROF__LTTNG_FN(mprof_tcp_info, (uint64_t conn, uint32_t rtt_us, uint32_t rttvar_us, uint32_t cwnd, uint32_t ssthresh, uint32_t retransmits, uint32_t total_retrans, uint32_t state),
		(mprof_tcp, tcp_info, conn, rtt_us, rttvar_us, cwnd, ssthresh, retransmits, total_retrans, state))

#endif
