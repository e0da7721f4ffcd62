/* SPDX-License-Identifier: MIT */
/*
 * probes/tcp/mprof_tcp.h - the TCP/IP vocabulary every stack probe shares
 * (docs/PROBES.md): the codes its fields carry.  The events themselves are
 * defined in sock_events.h (the application side: calls on sockets, as the
 * LD_PRELOAD shim of probes/sockets sees them) so that a probe includes
 * only the definitions it emits (each definition takes a schema id).
 *
 * Every event carries `conn`, a connection id unique within its process
 * (its trace): a viewer draws one lane per (trace, conn), and the shared
 * analysis pairs a request with its response on it.  0 means "no
 * connection yet" (the begin of an accept).
 */
#ifndef MPROF_PROBES_TCP_H
#define MPROF_PROBES_TCP_H

/* sock.open's role: which side opened the connection. */
enum mprof_tcp_role {
	MPROF_TCP_ROLE_CLIENT = 0, /* connect() */
	MPROF_TCP_ROLE_SERVER = 1, /* accept() / accept4() */
};

/* sock.read's and sock.write's call: which function moved the bytes. */
enum mprof_tcp_call {
	MPROF_TCP_CALL_READ = 0,     /* read() */
	MPROF_TCP_CALL_WRITE = 1,    /* write() */
	MPROF_TCP_CALL_RECV = 2,     /* recv(), recvfrom() */
	MPROF_TCP_CALL_SEND = 3,     /* send(), sendto() */
	MPROF_TCP_CALL_RECVMSG = 4,  /* recvmsg() */
	MPROF_TCP_CALL_SENDMSG = 5,  /* sendmsg() */
	MPROF_TCP_CALL_READV = 6,    /* readv() */
	MPROF_TCP_CALL_WRITEV = 7,   /* writev() */
	MPROF_TCP_CALL_SENDFILE = 8, /* sendfile() */
	MPROF_TCP_CALL_COUNT = 9,
};

#endif
