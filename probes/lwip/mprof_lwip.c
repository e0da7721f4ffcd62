/* SPDX-License-Identifier: MIT */
/*
 * probes/lwip/mprof_lwip.c - mprof's probes inside lwIP 2.1 (the hooks of
 * mprof_lwip_hooks.h and PERF_STOP("tcp_input") of arch/perf.h), emitting
 * the stack side of the TCP vocabulary (probes/tcp/stack_events.h,
 * docs/PROBES.md).
 *
 * lwIP's core runs on one thread (NO_SYS, or under its core lock), so the
 * per-connection entries below need no lock.  Each pcb the probes have
 * seen points at its entry through one of lwIP's per-pcb extension slots
 * (LWIP_TCP_PCB_NUM_EXT_ARGS, the slot allocated at first use); lwIP tells
 * when it frees the pcb (the slot's destroy callback), which is the change
 * to CLOSED, and the entry goes back to the free list:
 *
 *   pcb->ext_args[slot].data --> conns[i] = { conn id, last state seen,
 *                                             highest seq + len sent
 *                                             (snd_max: lwIP's snd_nxt
 *                                             at first sight, then the
 *                                             segments'), last cwnd /
 *                                             ssthresh recorded }
 *   free --> conns[j] --> ...    (MAX_CONNS at once; a pcb beyond them
 *                                 is counted in untracked and recorded as
 *                                 tcp.untracked, its id computed at each
 *                                 segment)
 *   in_pcb                       the pcb the segment being input went to,
 *                                when its state may change without a
 *                                segment out
 *
 * So a segment costs its event (tcp.tx at the sender, tcp.rx at the
 * receiver), one load for its connection, and a few compares (docs/
 * PERFORMANCE.md, "TCP probes").  ip.in is recorded for packets that are
 * not TCP (a TCP segment's tcp.rx carries its connection and length)
 * unless mprof_lwip_ip_in_tcp is set.
 *
 * A state change is seen where lwIP makes it visible: a segment out, the
 * end of tcp_input() (PERF_STOP("tcp_input")) for the pcb that the segment
 * went to unless it was ESTABLISHED (see mprof_lwip_tcp_in()), and the
 * pcb's end.  Wherever it is seen, it is told as a change from the state
 * seen last, so the chain of states stays whole; only the moment can be
 * late.  A retransmission is a segment from the send queue that starts
 * below the connection's snd_max: the same rule by which lwIP leaves
 * retransmitted segments out of its MIB counter tcpOutSegs.
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

#if LWIP_TCP_PCB_NUM_EXT_ARGS < 1
#error "mprof's lwIP probes keep an entry per pcb: LWIP_TCP_PCB_NUM_EXT_ARGS >= 1 in lwipopts.h (docs/PROBES.md)"
#endif

/* Connections followed at once (a test build makes it 1). */
#ifdef MPROF_LWIP_MAX_CONNS
#define MAX_CONNS MPROF_LWIP_MAX_CONNS
#else
#define MAX_CONNS 64
#endif

/* Whether an event records now: its probe's own test (profile/event.h's
 * state word), to skip work done only for it. */
#define RECORDING(ev) ((int32_t)PROF__STATE_LOAD(ev) >= 0)

/* Network to host byte order, inline whatever the platform's lwip_ntohl()
 * is (unless the platform defines it, a function call). */
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
	uint32_t snd_max;   /* from the pcb's snd_nxt at first sight */
	uint32_t cwnd, ssthresh;
	const struct tcp_pcb *pcb; /* whose entry it is */
	struct conn *next_free;
};

static struct conn conns[MAX_CONNS];
static struct conn *free_conns;
static unsigned nused;   /* conns[nused..] were never used */
static u8_t slot = LWIP_TCP_PCB_NUM_EXT_ARG_ID_INVALID;
static const struct tcp_pcb *in_pcb;
/* Segments of connections beyond MAX_CONNS at once: their states and
 * retransmissions are not followed (their segments are still recorded),
 * and each such segment records tcp.untracked with this count, so the
 * trace says what it lacks.  Read by tests. */
unsigned long mprof_lwip_untracked;
int mprof_lwip_ip_in_tcp;

static uint64_t pcb_conn(const struct tcp_pcb *pcb)
{
	return mprof_tcp_conn_id(NET32(ip4_addr_get_u32(ip_2_ip4(&pcb->local_ip))), pcb->local_port,
				 NET32(ip4_addr_get_u32(ip_2_ip4(&pcb->remote_ip))), pcb->remote_port);
}

static void see_state(struct conn *c, int state)
{
	if (c->state != state) {
		PROF_EMIT(mprof_tcp_state, c->id, (uint8_t)(c->state < 0 ? CLOSED : c->state), (uint8_t)state);
		c->state = state;
	}
}

/* lwIP frees the pcb of @data: its end (CLOSED), and its entry is free. */
static void conn_destroyed(u8_t id, void *data)
{
	struct conn *c = data;

	(void)id;
	if (RECORDING(mprof_tcp_state))
		see_state(c, CLOSED);
	if (in_pcb == c->pcb)
		in_pcb = NULL;
	c->next_free = free_conns;
	free_conns = c;
}

static const struct tcp_ext_arg_callbacks conn_callbacks = { conn_destroyed, NULL };

/* The entry of @pcb at its first sight, or NULL if none is free; @seq is
 * the segment's going out then (lwIP's snd_nxt is one past a SYN before
 * it is sent), or snd_nxt. */
static __attribute__((noinline)) struct conn *conn_new(const struct tcp_pcb *pcb, uint32_t seq)
{
	struct tcp_pcb *p = (struct tcp_pcb *)(uintptr_t)pcb; /* our slot only */
	struct conn *c;

	if (slot == LWIP_TCP_PCB_NUM_EXT_ARG_ID_INVALID)
		slot = tcp_ext_arg_alloc_id();
	if (free_conns) {
		c = free_conns;
		free_conns = c->next_free;
	} else if (nused < MAX_CONNS) {
		c = &conns[nused++];
	} else {
		mprof_lwip_untracked++;
		PROF_EMIT(mprof_tcp_untracked, pcb_conn(pcb), (uint64_t)mprof_lwip_untracked);
		return NULL;
	}
	memset(c, 0, sizeof(*c));
	c->id = pcb_conn(pcb);
	c->state = -1;
	c->snd_max = (int32_t)(seq - pcb->snd_nxt) < 0 ? seq : pcb->snd_nxt; /* the highest sent so far */
	c->pcb = pcb;
	tcp_ext_arg_set_callbacks(p, slot, &conn_callbacks);
	tcp_ext_arg_set(p, slot, c);
	return c;
}

/* The entry of @pcb (not a listener), made at first sight (@seq: see
 * conn_new()). */
static inline struct conn *conn_get(const struct tcp_pcb *pcb, uint32_t seq)
{
	struct conn *c;

	if (__builtin_expect(slot != LWIP_TCP_PCB_NUM_EXT_ARG_ID_INVALID, 1) &&
	    (c = pcb->ext_args[slot].data) != NULL)
		return c;
	return conn_new(pcb, seq);
}

/*
 * The connection of the IPv4 packet at @p's payload for the endpoint that
 * @in ? receives : sends it (0 if it is not a whole TCP header's worth).
 */
static uint64_t packet_conn(const struct pbuf *p, const struct ip_hdr *iph, int in)
{
	uint16_t hlen = (uint16_t)(IPH_HL(iph) * 4);
	const struct tcp_hdr *th;

	if (IPH_PROTO(iph) != IP_PROTO_TCP || p->len < hlen + TCP_HLEN)
		return 0;
	th = (const struct tcp_hdr *)((const uint8_t *)p->payload + hlen);
	return in ? mprof_tcp_conn_id(NET32(iph->dest.addr), NET16(th->dest), NET32(iph->src.addr), NET16(th->src))
		  : mprof_tcp_conn_id(NET32(iph->src.addr), NET16(th->src), NET32(iph->dest.addr), NET16(th->dest));
}

/* Each probed netif's own output function, by netif->num (a u8). */
static netif_output_fn probed_netif_output[256];

/* A probed netif's output: ip.out of the packet (TCP segments only with
 * mprof_lwip_ip_in_tcp: tcp.tx carries them), then the driver's own. */
static err_t output_probe(struct netif *netif, struct pbuf *p, const ip4_addr_t *ipaddr)
{
	const struct ip_hdr *iph = (const struct ip_hdr *)p->payload;

	if (RECORDING(mprof_ip_out) && p->len >= IP_HLEN &&
	    (IPH_PROTO(iph) != IP_PROTO_TCP || mprof_lwip_ip_in_tcp))
		PROF_EMIT(mprof_ip_out, packet_conn(p, iph, 0), NET32(iph->src.addr), NET32(iph->dest.addr),
			  NET16(IPH_LEN(iph)), IPH_PROTO(iph));
	return probed_netif_output[netif->num](netif, p, ipaddr);
}

int mprof_lwip_netif_probe(struct netif *netif)
{
	if (!netif || !netif->output)
		return -1;
	if (netif->output != output_probe) {
		probed_netif_output[netif->num] = netif->output;
		netif->output = output_probe;
	}
	return 0;
}

/* ip.in of a packet that has one (the hook's test is inline in ip4.c). */
int mprof_lwip_ip4_input(struct pbuf *p, struct netif *inp)
{
	const struct ip_hdr *iph = (const struct ip_hdr *)p->payload;

	(void)inp;
	if (!RECORDING(mprof_ip_in) || p->len < IP_HLEN)
		return 0;
	PROF_EMIT(mprof_ip_in, packet_conn(p, iph, 1), NET32(iph->src.addr), NET32(iph->dest.addr), NET16(IPH_LEN(iph)),
		  IPH_PROTO(iph));
	return 0; /* not consumed: lwIP goes on */
}

int mprof_lwip_tcp_in(struct tcp_pcb *pcb, struct tcp_hdr *hdr, struct pbuf *p)
{
	/* Here the header is in host byte order (but for its flags) and
	 * p->payload is the data.  A listener's segment makes a new pcb,
	 * whose SYN|ACK out shows its state. */
	struct conn *c;

	if (pcb->state == LISTEN) {
		PROF_EMIT(mprof_tcp_rx, 0, hdr->seqno, hdr->ackno, TCP_FLAGS_OF(hdr), hdr->wnd, p->tot_len);
		return ERR_OK;
	}
	if (!RECORDING(mprof_tcp_rx) && !RECORDING(mprof_tcp_state))
		return ERR_OK;
	c = conn_get(pcb, pcb->snd_nxt);
	PROF_EMIT(mprof_tcp_rx, c ? c->id : pcb_conn(pcb), hdr->seqno, hdr->ackno, TCP_FLAGS_OF(hdr), hdr->wnd,
		  p->tot_len);
	/* An ESTABLISHED pcb leaves that state on input only with a segment
	 * out (the ACK of a FIN, or a RST) or freed: its segments need no
	 * second look when tcp_input() ends (mprof_lwip_tcp_input_done()). */
	if (pcb->state != ESTABLISHED && c)
		in_pcb = pcb;
	return ERR_OK;
}

/* The rare event of a segment out, out of line. */
static __attribute__((noinline)) void window_changed(struct conn *c, const struct tcp_pcb *pcb)
{
	c->cwnd = pcb->cwnd;
	c->ssthresh = pcb->ssthresh;
	PROF_EMIT(mprof_tcp_window, c->id, pcb->cwnd, pcb->ssthresh, pcb->snd_wnd, pcb->rcv_wnd);
}

void mprof_lwip_tcp_out(struct pbuf *p, struct tcp_hdr *hdr, const struct tcp_pcb *pcb, int control)
{
	/* Network byte order here; p->payload is the TCP header.  Nothing is
	 * kept while no event of a segment out records. */
	uint32_t seq, seqlen;
	uint8_t flags;
	uint16_t len;
	struct conn *c = NULL;
	int track = RECORDING(mprof_tcp_retransmit) || RECORDING(mprof_tcp_state) || RECORDING(mprof_tcp_window);

	if (!track && !RECORDING(mprof_tcp_tx))
		return;
	seq = NET32(hdr->seqno);
	if (pcb && pcb->state != LISTEN)
		c = conn_get(pcb, seq);
	flags = TCP_FLAGS_OF(hdr);
	len = (uint16_t)(p->tot_len - TCP_HLEN_OF(hdr));
	PROF_EMIT(mprof_tcp_tx, c ? c->id : pcb && pcb->state != LISTEN ? pcb_conn(pcb) : 0, seq, NET32(hdr->ackno),
		  flags, NET16(hdr->wnd), len, (uint8_t)control);
	if (!c || !track)
		return;
	seqlen = len + ((flags & (TCP_SYN | TCP_FIN)) ? 1 : 0);
	if (!control && seqlen) {
		if ((int32_t)(seq - c->snd_max) < 0)
			PROF_EMIT(mprof_tcp_retransmit, c->id, seq, len, (uint8_t)((pcb->flags & TF_INFR) != 0));
		else if ((int32_t)(seq + seqlen - c->snd_max) > 0)
			c->snd_max = seq + seqlen;
	}
	see_state(c, pcb->state);
	if (c->cwnd != pcb->cwnd || c->ssthresh != pcb->ssthresh)
		window_changed(c, pcb);
}

void mprof_lwip_tcp_input_done(void)
{
	const struct tcp_pcb *pcb = in_pcb;

	/* in_pcb is cleared when lwIP frees it (conn_destroyed()): it is
	 * alive here. */
	in_pcb = NULL;
	if (pcb && RECORDING(mprof_tcp_state))
		see_state(pcb->ext_args[slot].data, pcb->state);
}

void mprof_lwip_perf_stop(const char *what)
{
	if (what[0] == 't' && strcmp(what, "tcp_input") == 0)
		mprof_lwip_tcp_input_done();
}
