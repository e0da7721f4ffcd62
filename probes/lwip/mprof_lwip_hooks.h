/* SPDX-License-Identifier: MIT */
/*
 * probes/lwip/mprof_lwip_hooks.h - lwIP 2.1's hooks, pointed at mprof's
 * probes (probes/lwip/mprof_lwip.c).  lwipopts.h names this file as
 * LWIP_HOOK_FILENAME; lwIP includes it in the files that call hooks.
 *
 *   LWIP_HOOK_IP4_INPUT            every IPv4 packet in: ip.in (TCP segments
 *                                  only with mprof_lwip_ip_in_tcp set)
 *   mprof_lwip_netif_probe(netif)  (no hook: a call) every IPv4 packet out
 *                                  of that netif: ip.out (likewise)
 *   LWIP_HOOK_TCP_INPACKET_PCB     every TCP segment for a pcb: tcp.rx (and the
 *                                  pcb whose state PERF_STOP("tcp_input") checks)
 *   LWIP_HOOK_TCP_OUT_TCPOPT_LENGTH / LWIP_HOOK_TCP_OUT_ADD_TCPOPTS
 *                                  every TCP segment out (data: tcp_output_segment,
 *                                  control: tcp_output_fill_options): tcp.tx,
 *                                  tcp.retransmit, tcp.state, tcp.window
 *
 * The hooks add no option and drop nothing; what they write in lwIP is
 * their own extension slot of a pcb (LWIP_TCP_PCB_NUM_EXT_ARGS): the
 * connection's entry, whose destroy callback records tcp.state CLOSED.
 */
#ifndef MPROF_LWIP_HOOKS_H
#define MPROF_LWIP_HOOKS_H

struct pbuf;
struct netif;
struct tcp_pcb;
struct tcp_hdr;

int mprof_lwip_ip4_input(struct pbuf *p, struct netif *inp);
int mprof_lwip_tcp_in(struct tcp_pcb *pcb, struct tcp_hdr *hdr, struct pbuf *p);
void mprof_lwip_tcp_out(struct pbuf *p, struct tcp_hdr *hdr, const struct tcp_pcb *pcb, int control);

/*
 * ip.out: lwIP 2.1 has no IPv4 output hook, so the probes interpose a
 * netif's output function (the driver's, e.g. etharp_output): call this
 * once for each netif after netif_add(); every IPv4 packet the netif sends
 * then records ip.out (TCP segments only with mprof_lwip_ip_in_tcp), and
 * goes on to the driver's function.  Returns 0, or -1 for a netif without
 * an output function.
 */
int mprof_lwip_netif_probe(struct netif *netif);

/* Non-zero: ip.in (and ip.out) record TCP segments too (each one's tcp.rx carries the
 * same connection and length; ip.in adds the addresses and the IP length).
 * 0 (the default): ip.in records the packets that are not TCP. */
extern int mprof_lwip_ip_in_tcp;

/* ip4.c has the IP header's macros: a TCP segment's test is inline (the
 * function tests the length again). */
#define LWIP_HOOK_IP4_INPUT(pbuf, input_netif)                                               \
	((pbuf)->len < IP_HLEN || IPH_PROTO((const struct ip_hdr *)(pbuf)->payload) != IP_PROTO_TCP || \
			 mprof_lwip_ip_in_tcp                                                  \
		 ? mprof_lwip_ip4_input(pbuf, input_netif)                                    \
		 : 0)
#define LWIP_HOOK_TCP_INPACKET_PCB(pcb, hdr, optlen, opt1len, opt2, p) mprof_lwip_tcp_in(pcb, hdr, p)
#define LWIP_HOOK_TCP_OUT_TCPOPT_LENGTH(pcb, internal_len) (internal_len)
/* Two call sites: tcp_output_segment() (segments from the send queue,
 * retransmissions included) and tcp_output_fill_options() (control
 * segments: empty ACKs, RST, keepalive); __func__ tells them apart. */
#define LWIP_HOOK_TCP_OUT_ADD_TCPOPTS(p, hdr, pcb, opts) \
	(mprof_lwip_tcp_out(p, hdr, pcb, __func__[11] == 'f'), (opts))

#endif
