/* SPDX-License-Identifier: MIT */
/*
 * tests/probes/lwip_echo.c - a TCP echo between two lwIP 2.1 endpoints in
 * one process, through real lwIP built with mprof's probes
 * (tests/t_probes_lwip.sh).
 *
 *   lwip_echo BYTES DROP_EVERY [ip-in-tcp | ip-out]
 *
 * Two netifs, A (10.0.0.1, the client) and B (10.0.0.2, the echo server),
 * joined in memory: each netif's output queues a copy of the packet for the
 * other's input.  A drops every DROP_EVERY-th packet it sends that carries
 * TCP payload (0: none), so lwIP retransmits.  Time is virtual: sys_now()
 * is a counter the loop advances when no packet is in flight, so lwIP's
 * timers (retransmission, TIME_WAIT) run without waiting.  With ip-out,
 * both netifs are probed (mprof_lwip_netif_probe(): ip.out of every packet
 * out, TCP included) and ip.in records TCP segments too.  With ip-in-tcp,
 * the probes record ip.in for TCP segments too (mprof_lwip_ip_in_tcp).  The client
 * sends BYTES, reads the echo back, and closes; the server closes on the
 * client's FIN.  The loop runs until both pcbs are gone (bounded).
 *
 * Prints what the test compares with the trace: the bytes each side sent
 * and received, the dropped packets and payload bytes, and lwIP's own
 * counters (lwip_stats.tcp.xmit, MIB2 tcpOutSegs, tcpInSegs,
 * tcpRetransSegs), and the CPU time it took (cpu_us: user + system, for
 * bench/probes.sh).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "lwip/init.h"
#include "lwip/ip4.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/prot/ip4.h"
#include "lwip/prot/tcp.h"
#include "lwip/stats.h"
#include "lwip/tcp.h"
#include "lwip/timeouts.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/sys.h"
#ifndef MPROF_LWIP_NO_PROBES
#include "mprof_lwip_hooks.h"
#endif

#define QMAX 1024

static u32_t now_ms;
static struct netif na, nb;
static struct pbuf *q[QMAX];
static struct netif *qto[QMAX];
static unsigned qhead, qtail;
static long sent_out, drop_every, packets_with_data, dropped, dropped_bytes, ip_out;
static long total, client_sent, client_got, server_got, server_sent;
static struct tcp_pcb *client, *server_conn;
static int client_closed, server_closed;
static char pattern[4096];

u32_t sys_now(void)
{
	return now_ms;
}

static err_t out(struct netif *netif, struct pbuf *p, const ip4_addr_t *dst)
{
	struct pbuf *c;
	const struct ip_hdr *iph = (const struct ip_hdr *)p->payload;
	unsigned hl = IPH_HL(iph) * 4u;

	(void)dst;
	ip_out++;
	if (netif == &na && IPH_PROTO(iph) == IP_PROTO_TCP) {
		const struct tcp_hdr *th = (const struct tcp_hdr *)((const u8_t *)p->payload + hl);
		long payload = (long)p->tot_len - (long)hl - (long)TCPH_HDRLEN_BYTES(th);

		if (payload > 0 && drop_every && ++packets_with_data % drop_every == 0) {
			dropped++;
			dropped_bytes += payload;
			return ERR_OK; /* lost on the wire */
		}
	}
	if ((qtail + 1) % QMAX == qhead) {
		fprintf(stderr, "lwip_echo: queue full\n");
		exit(1);
	}
	c = pbuf_clone(PBUF_RAW, PBUF_RAM, p);
	if (!c) {
		fprintf(stderr, "lwip_echo: out of pbufs\n");
		exit(1);
	}
	q[qtail] = c;
	qto[qtail] = netif == &na ? &nb : &na;
	qtail = (qtail + 1) % QMAX;
	sent_out++;
	return ERR_OK;
}

static err_t nif_init(struct netif *n)
{
	n->output = out;
	n->mtu = 1500;
	n->name[0] = 'm';
	n->name[1] = n == &na ? 'a' : 'b';
	return ERR_OK;
}

static void client_push(void)
{
	while (client_sent < total && tcp_sndbuf(client) > 0) {
		long n = total - client_sent;

		if (n > (long)tcp_sndbuf(client))
			n = tcp_sndbuf(client);
		if (n > (long)sizeof(pattern))
			n = sizeof(pattern);
		if (tcp_write(client, pattern, (u16_t)n, TCP_WRITE_FLAG_COPY) != ERR_OK)
			break;
		client_sent += n;
	}
	tcp_output(client);
}

static err_t client_sent_cb(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	(void)arg; (void)pcb; (void)len;
	client_push();
	return ERR_OK;
}

static err_t client_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	(void)arg; (void)err;
	if (!p)
		return ERR_OK;
	client_got += p->tot_len;
	tcp_recved(pcb, p->tot_len);
	pbuf_free(p);
	if (client_got == total && !client_closed) {
		client_closed = 1;
		tcp_close(pcb);
	}
	return ERR_OK;
}

static err_t connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	(void)arg; (void)pcb;
	if (err != ERR_OK)
		return err;
	client_push();
	return ERR_OK;
}

static err_t server_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	(void)arg; (void)err;
	if (!p) {
		if (!server_closed) {
			server_closed = 1;
			tcp_close(pcb);
		}
		return ERR_OK;
	}
	/* Echo: the send buffer (TCP_SND_BUF) holds the receive window, so a
	 * segment's worth always fits. */
	for (struct pbuf *b = p; b; b = b->next)
		if (tcp_write(pcb, b->payload, b->len, TCP_WRITE_FLAG_COPY) != ERR_OK) {
			fprintf(stderr, "lwip_echo: server tcp_write failed\n");
			exit(1);
		}
	server_got += p->tot_len;
	server_sent += p->tot_len;
	tcp_recved(pcb, p->tot_len);
	pbuf_free(p);
	tcp_output(pcb);
	return ERR_OK;
}

static err_t accepted(void *arg, struct tcp_pcb *pcb, err_t err)
{
	(void)arg;
	if (err != ERR_OK || !pcb)
		return ERR_VAL;
	server_conn = pcb;
	tcp_recv(pcb, server_recv);
	return ERR_OK;
}

int main(int argc, char **argv)
{
	ip4_addr_t a, b, mask, gw;
	struct tcp_pcb *lp;
	struct rusage ru;
	long steps = 0;

	if (argc < 3 || argc > 4 || (total = atol(argv[1])) < 1 || (drop_every = atol(argv[2])) < 0 ||
	    (argc == 4 && strcmp(argv[3], "ip-in-tcp") != 0 && strcmp(argv[3], "ip-out") != 0)) {
		fprintf(stderr, "usage: lwip_echo BYTES DROP_EVERY [ip-in-tcp | ip-out]\n");
		return 2;
	}
#ifndef MPROF_LWIP_NO_PROBES
	mprof_lwip_ip_in_tcp = argc == 4;
#endif
	for (size_t i = 0; i < sizeof(pattern); i++)
		pattern[i] = (char)('a' + i % 26);
	lwip_init();
	IP4_ADDR(&a, 10, 0, 0, 1);
	IP4_ADDR(&b, 10, 0, 0, 2);
	IP4_ADDR(&mask, 255, 255, 255, 0);
	ip4_addr_set_zero(&gw);
	netif_add(&na, &a, &mask, &gw, NULL, nif_init, ip4_input);
	netif_add(&nb, &b, &mask, &gw, NULL, nif_init, ip4_input);
#ifndef MPROF_LWIP_NO_PROBES
	if (argc == 4 && !strcmp(argv[3], "ip-out") &&
	    (mprof_lwip_netif_probe(&na) != 0 || mprof_lwip_netif_probe(&nb) != 0)) {
		fprintf(stderr, "lwip_echo: mprof_lwip_netif_probe failed\n");
		return 1;
	}
#endif
	netif_set_up(&na);
	netif_set_up(&nb);
	netif_set_link_up(&na);
	netif_set_link_up(&nb);

	lp = tcp_new();
	tcp_bind(lp, &b, 7);
	lp = tcp_listen(lp);
	tcp_accept(lp, accepted);
	client = tcp_new();
	tcp_bind_netif(client, &na);
	tcp_recv(client, client_recv);
	tcp_sent(client, client_sent_cb);
	if (tcp_connect(client, &b, 7, connected) != ERR_OK) {
		fprintf(stderr, "lwip_echo: tcp_connect failed\n");
		return 1;
	}
	/* Until both connections are gone (TIME_WAIT included): at most 10
	 * virtual minutes. */
	while (steps++ < 600000) {
		if (qhead != qtail) {
			struct pbuf *p = q[qhead];
			struct netif *to = qto[qhead];

			qhead = (qhead + 1) % QMAX;
			if (to->input(p, to) != ERR_OK)
				pbuf_free(p);
			continue;
		}
		if (client_closed && server_closed && !tcp_active_pcbs && !tcp_tw_pcbs)
			break;
		now_ms += 1;
		sys_check_timeouts();
	}
	printf("client sent %ld received %ld\n", client_sent, client_got);
	printf("server received %ld sent %ld\n", server_got, server_sent);
	printf("dropped packets %ld payload_bytes %ld\n", dropped, dropped_bytes);
	printf("ip_out %ld\n", ip_out);
	printf("lwip tcp_xmit %lu mib2_tcpoutsegs %lu mib2_tcpinsegs %lu mib2_tcpretranssegs %lu\n",
	       (unsigned long)lwip_stats.tcp.xmit, (unsigned long)lwip_stats.mib2.tcpoutsegs,
	       (unsigned long)lwip_stats.mib2.tcpinsegs, (unsigned long)lwip_stats.mib2.tcpretranssegs);
#ifndef MPROF_LWIP_NO_PROBES
	{
		extern unsigned long mprof_lwip_untracked;

		printf("untracked %lu\n", mprof_lwip_untracked);
	}
#endif
	printf("virtual_ms %lu done %d\n", (unsigned long)now_ms,
	       client_closed && server_closed && !tcp_active_pcbs && !tcp_tw_pcbs);
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		printf("cpu_us %lld\n", (long long)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec +
					   (long long)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec);
	return client_got == total && server_got == total ? 0 : 1;
}
