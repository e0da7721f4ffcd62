/* SPDX-License-Identifier: MIT */
/*
 * probes/lwip/mprof_lwip.c - mprof's probes inside lwIP 2.1 (the hooks of
 * mprof_lwip_hooks.h and PERF_STOP("tcp_input") of arch/perf.h), emitting
 * the stack side of the TCP vocabulary (probes/tcp/stack_events.h,
 * docs/PROBES.md).
 *
 * lwIP's core runs on one thread (NO_SYS, or under its core lock), so the
 * per-connection table below needs no lock:
 *
 *   conns[hash(id)...] = { conn id (0: free), last state seen, highest
 *                          seq + len sent (snd_max), last cwnd / ssthresh
 *                          recorded }          (open addressing; up to
 *                                              MAX_CONNS, then counted in
 *                                              untracked)
 *   in_pcb, in_id           the pcb the segment being input went to, and
 *                           its connection id, when its state may change
 *                           without a segment out
 *
 * Per segment, the probes cost an event each way (tcp.tx at the sender,
 * tcp.rx at the receiver) and a few loads (docs/PERFORMANCE.md, "TCP
 * probes"): the connection id is computed once per hook, with inline byte
 * swaps (lwIP's lwip_htonl() is a function call unless the platform
 * defines it); ip.in is recorded for packets that are not TCP (a TCP
 * segment's tcp.rx carries its connection and length) unless
 * mprof_lwip_ip_in_tcp is set.
 *
 * A state change is seen where lwIP makes it visible: a segment out, and
 * the end of tcp_input() (PERF_STOP("tcp_input")) for the pcb that the
 * segment went to, unless it was ESTABLISHED (see mprof_lwip_tcp_in()).
 * Wherever it is seen, it is told as a change from the state seen last, so
 * the chain of states stays whole; only the moment can be late.  A retransmission is a segment from the send queue that
 * starts below the connection's snd_max: the same rule by which lwIP
 * leaves retransmitted segments out of its MIB counter tcpOutSegs.
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

#define CONN_BITS 6
#define MAX_CONNS (1u << CONN_BITS)

/* Whether an event records now: its probe's own test (profile/event.h's
 * state word), to skip work done only for it. */
#define RECORDING(ev) ((int32_t)PROF__STATE_LOAD(ev) >= 0)

/* Network to host byte order, inline whatever the platform's lwip_ntohl()
 * is. */
#if BYTE_ORDER == LITTLE_ENDIAN
#define NET32(x) __builtin_bswap32(x)
#define NET16(x) __builtin_bswap16(x)
#else
#define NET32(x) ((uint32_t)(x))
#define NET16(x) ((uint16_t)(x))
#endif

/* A TCP header's flags and length, in network byte order in both hooks
 * (tcp_input() converts the other fields to host order, not these). */
#define TCP_FLAGS_OF(h) ((uint8_t)(NET16((h)->_hdrlen_rsvd_flags) & TCP_FLAGS))
#define TCP_HLEN_OF(h) ((uint16_t)((NET16((h)->_hdrlen_rsvd_flags) >> 12) * 4))

struct conn {
	uint64_t id;
	int state;          /* enum tcp_state, -1 before the first sight */
	uint32_t snd_max;
	int sent;           /* snd_max is set */
	uint32_t cwnd, ssthresh;
};

static struct conn conns[MAX_CONNS];
static const struct tcp_pcb *in_pcb;
static uint64_t in_id;
/* Connections beyond MAX_CONNS: their states and retransmissions are not
 * followed (their segments are still recorded).  Read by tests. */
unsigned long mprof_lwip_untracked;
int mprof_lwip_ip_in_tcp;

static uint64_t pcb_conn(const struct tcp_pcb *pcb)
{
	return mprof_tcp_conn_id(NET32(ip4_addr_get_u32(ip_2_ip4(&pcb->local_ip))), pcb->local_port,
				 NET32(ip4_addr_get_u32(ip_2_ip4(&pcb->remote_ip))), pcb->remote_port);
}

/* The entry of connection @id (never 0: a pcb's ports are not), made on
 * first sight: open addressing from a hash of the id. */
static inline struct conn *conn_get(uint64_t id)
{
	unsigned i = (unsigned)(((uint32_t)(id >> 32) ^ (uint32_t)id) * 0x9e3779b1u) >> (32 - CONN_BITS);

	for (unsigned n = 0; n < MAX_CONNS; n++, i = (i + 1) & (MAX_CONNS - 1)) {
		if (conns[i].id == id)
			return &conns[i];
		if (conns[i].id == 0) {
			conns[i].id = id;
			conns[i].state = -1;
			return &conns[i];
		}
	}
	mprof_lwip_untracked++;
	return NULL;
}

static void see_state(struct conn *c, int state)
{
	if (c && c->state != state) {
		PROF_EMIT(mprof_tcp_state, c->id, (uint8_t)(c->state < 0 ? CLOSED : c->state), (uint8_t)state);
		c->state = state;
	}
}

/* ip.in of a packet that has one (the hook's test, out of line so that a
 * TCP segment's return takes no stack frame). */
static __attribute__((noinline)) void ip_in(const struct pbuf *p, const struct ip_hdr *iph)
{
	uint16_t hlen = (uint16_t)(IPH_HL(iph) * 4);
	uint64_t conn = 0;

	if (IPH_PROTO(iph) == IP_PROTO_TCP && p->len >= hlen + TCP_HLEN) {
		const struct tcp_hdr *th = (const struct tcp_hdr *)((const uint8_t *)p->payload + hlen);

		conn = mprof_tcp_conn_id(NET32(iph->dest.addr), NET16(th->dest), NET32(iph->src.addr),
					 NET16(th->src));
	}
	PROF_EMIT(mprof_ip_in, conn, NET32(iph->src.addr), NET32(iph->dest.addr), NET16(IPH_LEN(iph)),
		  IPH_PROTO(iph));
}

int mprof_lwip_ip4_input(struct pbuf *p, struct netif *inp)
{
	const struct ip_hdr *iph = (const struct ip_hdr *)p->payload;

	(void)inp;
	if (RECORDING(mprof_ip_in) && p->len >= IP_HLEN &&
	    (IPH_PROTO(iph) != IP_PROTO_TCP || mprof_lwip_ip_in_tcp))
		ip_in(p, iph);
	return 0; /* not consumed: lwIP goes on */
}

int mprof_lwip_tcp_in(struct tcp_pcb *pcb, struct tcp_hdr *hdr, struct pbuf *p)
{
	/* Here the header is in host byte order (but for its flags) and
	 * p->payload is the data.  A listener's segment makes a new pcb,
	 * whose SYN|ACK out shows its state; any other pcb is looked at again
	 * when tcp_input() ends (mprof_lwip_tcp_input_done()). */
	uint64_t id;

	if (pcb->state == LISTEN) {
		PROF_EMIT(mprof_tcp_rx, 0, hdr->seqno, hdr->ackno, TCP_FLAGS_OF(hdr), hdr->wnd, p->tot_len);
		return ERR_OK;
	}
	id = pcb_conn(pcb);
	PROF_EMIT(mprof_tcp_rx, id, hdr->seqno, hdr->ackno, TCP_FLAGS_OF(hdr), hdr->wnd, p->tot_len);
	/* An ESTABLISHED pcb leaves that state on input only with a segment
	 * out (the ACK of a FIN, or a RST), which shows the change, or freed
	 * (a RST in): its segments need no second look. */
	if (pcb->state != ESTABLISHED) {
		in_pcb = pcb;
		in_id = id;
	}
	return ERR_OK;
}

void mprof_lwip_tcp_out(struct pbuf *p, struct tcp_hdr *hdr, const struct tcp_pcb *pcb, int control)
{
	/* Network byte order here; p->payload is the TCP header.  The
	 * connection's table entry is kept only while an event that needs it
	 * records. */
	uint32_t seq, seqlen;
	uint8_t flags;
	uint16_t len;
	uint64_t id;
	struct conn *c;
	int track = pcb && pcb->state != LISTEN &&
		    (RECORDING(mprof_tcp_retransmit) || RECORDING(mprof_tcp_state) || RECORDING(mprof_tcp_window));

	if (!track && !RECORDING(mprof_tcp_tx))
		return;
	seq = NET32(hdr->seqno);
	flags = TCP_FLAGS_OF(hdr);
	len = (uint16_t)(p->tot_len - TCP_HLEN_OF(hdr));
	id = pcb && pcb->state != LISTEN ? pcb_conn(pcb) : 0;
	PROF_EMIT(mprof_tcp_tx, id, seq, NET32(hdr->ackno), flags, NET16(hdr->wnd), len, (uint8_t)control);
	if (!track || !(c = conn_get(id)))
		return;
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

/* Whether @pcb is still one of lwIP's (tcp_input() may have freed it). */
static int pcb_alive(const struct tcp_pcb *pcb)
{
	const struct tcp_pcb *q;

	for (q = tcp_active_pcbs; q; q = q->next)
		if (q == pcb)
			return 1;
	for (q = tcp_tw_pcbs; q; q = q->next)
		if (q == pcb)
			return 1;
	return 0;
}

void mprof_lwip_tcp_input_done(void)
{
	const struct tcp_pcb *pcb = in_pcb;

	in_pcb = NULL;
	if (pcb && RECORDING(mprof_tcp_state) && pcb_alive(pcb))
		see_state(conn_get(in_id), pcb->state);
}

void mprof_lwip_perf_stop(const char *what)
{
	if (what[0] == 't' && strcmp(what, "tcp_input") == 0)
		mprof_lwip_tcp_input_done();
}
