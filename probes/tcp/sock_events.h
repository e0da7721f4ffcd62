/* SPDX-License-Identifier: MIT */
/*
 * probes/tcp/sock_events.h - the application side of the TCP vocabulary:
 * calls on TCP sockets (docs/PROBES.md, "sock.*").  Include it in the one
 * file that emits them; each definition registers when the program loads.
 *
 *   sock.connect / sock.accept   span around the call (begin: conn)
 *   sock.open                    the connection exists: role, ports, peer
 *   sock.write / sock.read       a data call's result: bytes (or -1), errno,
 *                                call, and start, the trace's clock when the
 *                                call began (the event's timestamp is its end)
 *   sock.close                   close() of a connection's last tracked fd
 *   tcp.info                     a TCP_INFO sample of the connection
 */
#ifndef MPROF_PROBES_SOCK_EVENTS_H
#define MPROF_PROBES_SOCK_EVENTS_H

#include "mprof_tcp.h"

#ifdef MPROF_TCP_LTTNG
/* The LTTng-UST backend, chosen at build time (docs/PROBES.md). */
#include "../lttng/mprof_tcp_lttng.h"
#else
#include "profile/event.h"

PROF_SPAN(mprof_sock_connect, "sock.connect", (u64, conn));
PROF_SPAN(mprof_sock_accept, "sock.accept", (u64, conn));
PROF_INSTANT(mprof_sock_open, "sock.open", (u64, conn), (s32, fd), (u8, role), (u16, lport), (u16, rport),
	     (u32, raddr), (s32, err));
PROF_INSTANT(mprof_sock_close, "sock.close", (u64, conn), (s32, fd));
PROF_INSTANT(mprof_sock_dup, "sock.dup", (u64, conn), (s32, fd), (s32, newfd));
/* A TCP connection's descriptor the shim cannot track (at or above its
 * table's size): its calls are not recorded.  conn: the connection a dup
 * made it from, else 0. */
PROF_INSTANT(mprof_sock_untracked, "sock.untracked", (u64, conn), (s32, fd));
PROF_EVENT(mprof_sock_write, "sock.write", (u64, conn), (s64, bytes), (s32, err), (u8, call), (u64, start));
PROF_EVENT(mprof_sock_read, "sock.read", (u64, conn), (s64, bytes), (s32, err), (u8, call), (u64, start));
PROF_EVENT(mprof_tcp_info, "tcp.info", (u64, conn), (u32, rtt_us), (u32, rttvar_us), (u32, cwnd),
	   (u32, ssthresh), (u32, retransmits), (u32, total_retrans), (u32, state));
#endif

#endif
