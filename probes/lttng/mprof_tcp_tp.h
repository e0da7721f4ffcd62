/* SPDX-License-Identifier: MIT */
/*
 * probes/lttng/mprof_tcp_tp.h - the TCP vocabulary's application side
 * (probes/tcp/sock_events.h) as an LTTng-UST tracepoint provider,
 * `mprof_tcp`: event `sock.write` is `mprof_tcp:sock_write`, a span
 * `sock.connect` is `mprof_tcp:sock_connect_begin` and
 * `mprof_tcp:sock_connect_end`
 * (docs/PROBES.md, "LTTng-UST").  Fields have the same names and types.
 * Keep it in step with mprof_tcp_lttng.h (one emitter per event here).
 */
#undef LTTNG_UST_TRACEPOINT_PROVIDER
#define LTTNG_UST_TRACEPOINT_PROVIDER mprof_tcp

#undef LTTNG_UST_TRACEPOINT_INCLUDE
#define LTTNG_UST_TRACEPOINT_INCLUDE "mprof_tcp_tp.h"

#if !defined(MPROF_TCP_TP_H) || defined(LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ)
#define MPROF_TCP_TP_H

#include <stdint.h>
#include <lttng/tracepoint.h>

/* Span begins carry the connection; span ends carry nothing. */
LTTNG_UST_TRACEPOINT_EVENT_CLASS(mprof_tcp, span_begin,
	LTTNG_UST_TP_ARGS(uint64_t, conn),
	LTTNG_UST_TP_FIELDS(lttng_ust_field_integer(uint64_t, conn, conn)))
LTTNG_UST_TRACEPOINT_EVENT_CLASS(mprof_tcp, span_end, LTTNG_UST_TP_ARGS(void), LTTNG_UST_TP_FIELDS())
/* A data call's result (sock_write, sock_read); start is CLOCK_MONOTONIC
 * (ns, LTTng-UST's clock) when the call began. */
LTTNG_UST_TRACEPOINT_EVENT_CLASS(mprof_tcp, io,
	LTTNG_UST_TP_ARGS(uint64_t, conn, int64_t, bytes, int32_t, err, uint8_t, call, uint64_t, start),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(uint64_t, conn, conn)
		lttng_ust_field_integer(int64_t, bytes, bytes)
		lttng_ust_field_integer(int32_t, err, err)
		lttng_ust_field_integer(uint8_t, call, call)
		lttng_ust_field_integer(uint64_t, start, start)))

#define MPROF__TP_SPAN(name)                                                              \
	LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(mprof_tcp, span_begin, mprof_tcp, name##_begin,      \
		LTTNG_UST_TP_ARGS(uint64_t, conn))                                         \
	LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(mprof_tcp, span_end, mprof_tcp, name##_end, LTTNG_UST_TP_ARGS(void))
MPROF__TP_SPAN(sock_connect)
MPROF__TP_SPAN(sock_accept)
LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(mprof_tcp, io, mprof_tcp, sock_write,
	LTTNG_UST_TP_ARGS(uint64_t, conn, int64_t, bytes, int32_t, err, uint8_t, call, uint64_t, start))
LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(mprof_tcp, io, mprof_tcp, sock_read,
	LTTNG_UST_TP_ARGS(uint64_t, conn, int64_t, bytes, int32_t, err, uint8_t, call, uint64_t, start))

LTTNG_UST_TRACEPOINT_EVENT(mprof_tcp, sock_open,
	LTTNG_UST_TP_ARGS(uint64_t, conn, int32_t, fd, uint8_t, role, uint16_t, lport, uint16_t, rport,
			  uint32_t, raddr, int32_t, err),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(uint64_t, conn, conn)
		lttng_ust_field_integer(int32_t, fd, fd)
		lttng_ust_field_integer(uint8_t, role, role)
		lttng_ust_field_integer(uint16_t, lport, lport)
		lttng_ust_field_integer(uint16_t, rport, rport)
		lttng_ust_field_integer(uint32_t, raddr, raddr)
		lttng_ust_field_integer(int32_t, err, err)))

LTTNG_UST_TRACEPOINT_EVENT(mprof_tcp, sock_close,
	LTTNG_UST_TP_ARGS(uint64_t, conn, int32_t, fd),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(uint64_t, conn, conn)
		lttng_ust_field_integer(int32_t, fd, fd)))

LTTNG_UST_TRACEPOINT_EVENT(mprof_tcp, sock_dup,
	LTTNG_UST_TP_ARGS(uint64_t, conn, int32_t, fd, int32_t, newfd),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(uint64_t, conn, conn)
		lttng_ust_field_integer(int32_t, fd, fd)
		lttng_ust_field_integer(int32_t, newfd, newfd)))

LTTNG_UST_TRACEPOINT_EVENT(mprof_tcp, sock_untracked,
	LTTNG_UST_TP_ARGS(uint64_t, conn, int32_t, fd),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(uint64_t, conn, conn)
		lttng_ust_field_integer(int32_t, fd, fd)))

LTTNG_UST_TRACEPOINT_EVENT(mprof_tcp, tcp_info,
	LTTNG_UST_TP_ARGS(uint64_t, conn, uint32_t, rtt_us, uint32_t, rttvar_us, uint32_t, cwnd, uint32_t, ssthresh,
			  uint32_t, retransmits, uint32_t, total_retrans, uint32_t, state),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(uint64_t, conn, conn)
		lttng_ust_field_integer(uint32_t, rtt_us, rtt_us)
		lttng_ust_field_integer(uint32_t, rttvar_us, rttvar_us)
		lttng_ust_field_integer(uint32_t, cwnd, cwnd)
		lttng_ust_field_integer(uint32_t, ssthresh, ssthresh)
		lttng_ust_field_integer(uint32_t, retransmits, retransmits)
		lttng_ust_field_integer(uint32_t, total_retrans, total_retrans)
		lttng_ust_field_integer(uint32_t, state, state)))

#endif

#include <lttng/tracepoint-event.h>
