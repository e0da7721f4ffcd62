/* SPDX-License-Identifier: MIT */
/*
 * probes/tcp/stack_events.h - the stack side of the TCP vocabulary
 * (docs/PROBES.md, "ip.*" and "tcp.*"): what a TCP/IP stack's own probes
 * emit (probes/lwip).  Include it in the one file that emits them.
 *
 * conn is the connection id of the endpoint that sees the segment, from
 * its 4-tuple (mprof_tcp_conn_id()), so both endpoints of one connection
 * inside one process have lanes of their own.
 */
#ifndef MPROF_PROBES_STACK_EVENTS_H
#define MPROF_PROBES_STACK_EVENTS_H

#include <stdint.h>

#include "profile/event.h"
#include "mprof_tcp.h"

PROF_EVENT(mprof_ip_in, "ip.in", (u64, conn), (u32, src), (u32, dst), (u16, len), (u8, proto));
PROF_EVENT(mprof_ip_out, "ip.out", (u64, conn), (u32, src), (u32, dst), (u16, len), (u8, proto));
PROF_EVENT(mprof_tcp_rx, "tcp.rx", (u64, conn), (u32, seq), (u32, ack), (u8, flags), (u16, wnd), (u16, len));
PROF_EVENT(mprof_tcp_tx, "tcp.tx", (u64, conn), (u32, seq), (u32, ack), (u8, flags), (u16, wnd), (u16, len),
	   (u8, ctl));
PROF_EVENT(mprof_tcp_retransmit, "tcp.retransmit", (u64, conn), (u32, seq), (u16, len), (u8, fast));
PROF_EVENT(mprof_tcp_state, "tcp.state", (u64, conn), (u8, from), (u8, to));
PROF_EVENT(mprof_tcp_window, "tcp.window", (u64, conn), (u32, cwnd), (u32, ssthresh), (u32, snd_wnd),
	   (u32, rcv_wnd));
/* A segment of a connection the stack's probes do not follow (no entry
 * free: its states, retransmissions and windows are not recorded, its
 * segments are); @segments counts them all so far. */
PROF_EVENT(mprof_tcp_untracked, "tcp.untracked", (u64, conn), (u64, segments));

/* The connection id of the endpoint (laddr, lport) talking to (raddr,
 * rport), IPv4 addresses and ports in host byte order. */
static inline uint64_t mprof_tcp_conn_id(uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport)
{
	return ((uint64_t)(laddr ^ (raddr * 0x9e3779b1u)) << 32) | ((uint64_t)lport << 16) | rport;
}

#endif
