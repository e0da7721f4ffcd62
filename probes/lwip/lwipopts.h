/* SPDX-License-Identifier: MIT */
/*
 * probes/lwip/lwipopts.h - the lwIP 2.1 options mprof's lwIP tests build
 * with (docs/PROBES.md, "lwIP").  A unikernel keeps its own lwipopts.h and
 * adds the lines marked "mprof" below.
 */
#ifndef MPROF_LWIPOPTS_H
#define MPROF_LWIPOPTS_H

#define NO_SYS 1
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_SOCKET 0
#define LWIP_NETCONN 0
#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_TCP 1
#define LWIP_UDP 0
#define LWIP_RAW 0
#define LWIP_ICMP 0
#define LWIP_ARP 0
#define LWIP_ETHERNET 0
#define LWIP_DHCP 0
#define LWIP_IGMP 0
#define LWIP_DNS 0
#define IP_REASSEMBLY 0
#define IP_FRAG 0
#define LWIP_NETIF_LOOPBACK 0
#define LWIP_HAVE_LOOPIF 0

#define MEM_ALIGNMENT 8
#define MEM_SIZE (256 * 1024)
#define MEMP_NUM_PBUF 64
#define MEMP_NUM_TCP_PCB 8
#define MEMP_NUM_TCP_SEG 128
#define PBUF_POOL_SIZE 64
#define TCP_MSS 1460
#define TCP_WND (8 * TCP_MSS)
#define TCP_SND_BUF (8 * TCP_MSS)
#define TCP_SND_QUEUELEN 32
#define TCP_QUEUE_OOSEQ 1
#define LWIP_TCP_SACK_OUT 0

/* lwIP's own counters: the tests compare the probes with them. */
#define LWIP_STATS 1
#define TCP_STATS 1
#define MIB2_STATS 1
#define LWIP_STATS_DISPLAY 0

/* mprof: the hooks (probes/lwip/mprof_lwip_hooks.h), PERF_START/STOP
 * (probes/lwip/arch/perf.h) and one per-pcb extension slot for the
 * probes' connection entry (add 1 to the number the unikernel uses). */
#ifndef MPROF_LWIP_NO_PROBES /* bench/probes.sh's baseline build */
#define LWIP_HOOK_FILENAME "mprof_lwip_hooks.h"
#define LWIP_PERF 1
#define LWIP_TCP_PCB_NUM_EXT_ARGS 1
#endif

#endif
