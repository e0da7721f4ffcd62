/* SPDX-License-Identifier: MIT */
/*
 * probes/lwip/mprof_lwip.c - mprof's probes inside lwIP 2.1 (the hooks of
 * mprof_lwip_hooks.h and PERF_STOP of arch/perf.h), emitting the stack
 * side of the TCP vocabulary (probes/tcp/stack_events.h, docs/PROBES.md).
 *
 * lwIP's core runs on one thread (NO_SYS, or under its core lock), so the
 * per-connection table below needs no lock:
 *
 *   conns[i] = { conn id, last state seen, highest seq + len sent (snd_max),
 *                last cwnd / ssthresh recorded }      (up to MAX_CONNS, then
 *                                                      counted in untracked)
 *
 * A state change is seen where lwIP makes it visible: a segment in (before
 * and after tcp_input(), through PERF_STOP("tcp_input")) or out.  A
 * retransmission is a segment from the send queue that starts below the
 * connection's snd_max: the same rule by which lwIP leaves retransmitted
 * segments out of its MIB counter tcpOutSegs.
 */
#include <string.h>

#include "lwip/ip.h"
#include "lwip/pbuf.h"
#include "lwip/prot/ip4.h"
#include "lwip/prot/tcp.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"

#include "mprof_lwip_hooks.h"
#include "../tcp/stack_events.h"

#define MAX_CONNS 64

/* Whether an event records now: its probe's own test (profile/event.h's
 * state word), to skip work done only for it. */
#define RECORDING(ev) ((int32_t)PROF__STATE_LOAD(ev) >= 0)

struct conn {
	uint64_t id;
	int state;          /* enum tcp_state, -1 before the first sight */
	uint32_t snd_max;
	int sent;           /* snd_max is set */
	uint32_t cwnd, ssthresh;
};

static struct conn conns[MAX_CONNS];
static unsigned nconns;
/* Connections beyond MAX_CONNS: their states and retransmissions are not
 * followed (their segments are still recorded).  Read by tests. */
unsigned long mprof_lwip_untracked;

static uint64_t pcb_conn(const struct tcp_pcb *pcb)
{
	return mprof_tcp_conn_id(lwip_ntohl(ip4_addr_get_u32(ip_2_ip4(&pcb->local_ip))), pcb->local_port,
				 lwip_ntohl(ip4_addr_get_u32(ip_2_ip4(&pcb->remote_ip))), pcb->remote_port);
}

static struct conn *conn_get(uint64_t id)
{
	for (unsigned i = 0; i < nconns; i++)
		if (conns[i].id == id)
			return &conns[i];
	if (nconns == MAX_CONNS) {
		mprof_lwip_untracked++;
		return NULL;
	}
	memset(&conns[nconns], 0, sizeof(conns[0]));
	conns[nconns].id = id;
	conns[nconns].state = -1;
	return &conns[nconns++];
}

static void see_state(struct conn *c, int state)
{
	if (c && c->state != state) {
		PROF_EMIT(mprof_tcp_state, c->id, (uint8_t)(c->state < 0 ? CLOSED : c->state), (uint8_t)state);
		c->state = state;
	}
}

int mprof_lwip_ip4_input(struct pbuf *p, struct netif *inp)
{
	const struct ip_hdr *iph = (const struct ip_hdr *)p->payload;
	uint64_t conn = 0;
	uint16_t hlen;

	(void)inp;
	if (!RECORDING(mprof_ip_in) || p->len < IP_HLEN)
		return 0;
	hlen = (uint16_t)(IPH_HL(iph) * 4);
	if (IPH_PROTO(iph) == IP_PROTO_TCP && p->len >= hlen + TCP_HLEN) {
		const struct tcp_hdr *th = (const struct tcp_hdr *)((const uint8_t *)p->payload + hlen);

		conn = mprof_tcp_conn_id(lwip_ntohl(iph->dest.addr), lwip_ntohs(th->dest), lwip_ntohl(iph->src.addr),
					 lwip_ntohs(th->src));
	}
	PROF_EMIT(mprof_ip_in, conn, lwip_ntohl(iph->src.addr), lwip_ntohl(iph->dest.addr), lwip_ntohs(IPH_LEN(iph)),
		  IPH_PROTO(iph));
	return 0; /* not consumed: lwIP goes on */
}

int mprof_lwip_tcp_in(struct tcp_pcb *pcb, struct tcp_hdr *hdr, struct pbuf *p)
{
	/* Here the header is in host byte order and p->payload is the data. */
	PROF_EMIT(mprof_tcp_rx, pcb->state == LISTEN ? 0 : pcb_conn(pcb), hdr->seqno, hdr->ackno,
		  (uint8_t)TCPH_FLAGS(hdr), hdr->wnd, p->tot_len);
	if (pcb->state != LISTEN && RECORDING(mprof_tcp_state))
		see_state(conn_get(pcb_conn(pcb)), pcb->state);
	return ERR_OK;
}

void mprof_lwip_tcp_out(struct pbuf *p, struct tcp_hdr *hdr, const struct tcp_pcb *pcb, int control)
{
	/* Network byte order here; p->payload is the TCP header. */
	uint32_t seq, seqlen;
	uint8_t flags;
	uint16_t len;
	uint64_t id;
	struct conn *c;

	PROF_EMIT(mprof_tcp_tx, pcb && pcb->state != LISTEN ? pcb_conn(pcb) : 0, lwip_ntohl(hdr->seqno),
		  lwip_ntohl(hdr->ackno), (uint8_t)TCPH_FLAGS(hdr), lwip_ntohs(hdr->wnd),
		  (uint16_t)(p->tot_len - TCPH_HDRLEN_BYTES(hdr)), (uint8_t)control);
	if (!pcb || pcb->state == LISTEN ||
	    !(RECORDING(mprof_tcp_retransmit) || RECORDING(mprof_tcp_state) || RECORDING(mprof_tcp_window)))
		return;
	id = pcb_conn(pcb);
	c = conn_get(id);
	if (!c)
		return;
	seq = lwip_ntohl(hdr->seqno);
	flags = (uint8_t)TCPH_FLAGS(hdr);
	len = (uint16_t)(p->tot_len - TCPH_HDRLEN_BYTES(hdr));
	seqlen = len + ((flags & (TCP_SYN | TCP_FIN)) ? 1 : 0);
	if (!control && seqlen) {
		if (c->sent && (int32_t)(seq - c->snd_max) < 0)
			PROF_EMIT(mprof_tcp_retransmit, id, seq, len, (uint8_t)((pcb->flags & TF_INFR) != 0));
		if (!c->sent || (int32_t)(seq + seqlen - c->snd_max) > 0) {
			c->snd_max = seq + seqlen;
			c->sent = 1;
		}
	}
	see_state(c, pcb->state);
	if (c->cwnd != pcb->cwnd || c->ssthresh != pcb->ssthresh) {
		c->cwnd = pcb->cwnd;
		c->ssthresh = pcb->ssthresh;
		PROF_EMIT(mprof_tcp_window, id, pcb->cwnd, pcb->ssthresh, pcb->snd_wnd, pcb->rcv_wnd);
	}
}

void mprof_lwip_perf_stop(const char *what)
{
	struct tcp_pcb *pcb;

	/* "tcp_input" (not "pbuf_free"), when states record. */
	if (what[0] != 't' || !RECORDING(mprof_tcp_state) || strcmp(what, "tcp_input") != 0)
		return;
	for (pcb = tcp_active_pcbs; pcb; pcb = pcb->next)
		see_state(conn_get(pcb_conn(pcb)), pcb->state);
	for (pcb = tcp_tw_pcbs; pcb; pcb = pcb->next)
		see_state(conn_get(pcb_conn(pcb)), pcb->state);
}
