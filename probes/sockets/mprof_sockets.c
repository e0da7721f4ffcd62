/* SPDX-License-Identifier: MIT */
/*
 * probes/sockets/mprof_sockets.c - an LD_PRELOAD shim that traces the calls
 * an unmodified program makes on its TCP sockets (docs/PROBES.md).
 *
 * Each wrapped function calls the real one (dlsym(RTLD_NEXT)) and, when the
 * descriptor is a tracked TCP connection, records one event with its
 * result and its start: the trace's clock read once before the call (the
 * event's own timestamp is its end), so a call costs two clock reads, one
 * event and, at most once per interval, a TCP_INFO sample
 * (docs/PERFORMANCE.md, "TCP probes").  A connection is tracked from a successful
 * (or in-progress, non-blocking) connect() of a stream socket of family
 * AF_INET or AF_INET6, or from accept()/accept4() on such a listener, to
 * its close().  A descriptor made from a tracked one (dup(), dup2(), dup3(),
 * fcntl() F_DUPFD and F_DUPFD_CLOEXEC) is the same connection: tracked
 * under its id and recorded as sock.dup; each descriptor's close() records
 * sock.close with its fd, as does a descriptor dup2()/dup3() closed by
 * reusing its number.  Anything else (files, pipes, Unix sockets such as
 * the recorder's own) costs one load of the table below and is passed
 * through.
 *
 *   conns[fd]:   0 untracked | the connection id (>= 1)
 *   kinds[fd]:   0 not asked | KIND_TCP_LISTENER | KIND_OTHER  (accept only)
 *   info_at[fd]: when the last TCP_INFO sample of fd was taken (ns of
 *                CLOCK_MONOTONIC_COARSE: the interval needs no finer clock)
 *
 * Ids come from one counter per process: unique within the process's trace.
 * A forked child inherits the table with the descriptors, as it should.
 * Descriptors at or above MAX_FDS are not tracked: a TCP connection made on
 * one, or a dup of a tracked one to one, records sock.untracked.  Behaviour is the real
 * call's: its return value and its errno are returned unchanged (errno is
 * saved after the call and restored after recording).
 */
#if (defined(__x86_64__) || defined(__i386__)) && !defined(MPROF_TCP_LTTNG)
#include <cpuid.h>
#define HAVE_TSC 1
#else
#define HAVE_TSC 0
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "../tcp/sock_events.h"

/* Descriptors tracked (a test build makes it 64: t_probes_dup.sh). */
#ifdef MPROF_SOCKETS_MAX_FDS
#define MAX_FDS MPROF_SOCKETS_MAX_FDS
#else
#define MAX_FDS 65536
#endif
enum { KIND_UNKNOWN = 0, KIND_TCP_LISTENER = 1, KIND_OTHER = 2 };

static _Atomic uint64_t conns[MAX_FDS];
static _Atomic uint8_t kinds[MAX_FDS];
static _Atomic uint64_t info_at[MAX_FDS];
static _Atomic uint64_t next_conn;
/* TCP_INFO sampling interval in ns; UINT64_MAX: never (MPROF_TCP_INFO_MS=off). */
static uint64_t info_interval_ns = 100000000ull;
#if HAVE_TSC
/* The trace's clock is the TSC (see clock_start()). */
static int clock_tsc;
#endif

#ifdef MPROF_TCP_LTTNG
/* An LTTng-UST tracepoint tests its own enablement. */
#define RECORDING(ev) 1
#else
/* Whether an event records now (profile/event.h's state word): work done
 * only for it is skipped otherwise. */
#define RECORDING(ev) ((int32_t)PROF__STATE_LOAD(ev) >= 0)
#endif

#define PROTO(ret, name, ...) typedef ret (*name##_fn)(__VA_ARGS__); static name##_fn real_##name
PROTO(int, connect, int, const struct sockaddr *, socklen_t);
PROTO(int, accept, int, struct sockaddr *, socklen_t *);
PROTO(int, accept4, int, struct sockaddr *, socklen_t *, int);
PROTO(ssize_t, read, int, void *, size_t);
PROTO(ssize_t, write, int, const void *, size_t);
PROTO(ssize_t, recv, int, void *, size_t, int);
PROTO(ssize_t, send, int, const void *, size_t, int);
PROTO(ssize_t, recvfrom, int, void *, size_t, int, struct sockaddr *, socklen_t *);
PROTO(ssize_t, sendto, int, const void *, size_t, int, const struct sockaddr *, socklen_t);
PROTO(ssize_t, recvmsg, int, struct msghdr *, int);
PROTO(ssize_t, sendmsg, int, const struct msghdr *, int);
PROTO(ssize_t, readv, int, const struct iovec *, int);
PROTO(ssize_t, writev, int, const struct iovec *, int);
PROTO(ssize_t, sendfile, int, int, off_t *, size_t);
PROTO(int, close, int);
PROTO(int, dup, int);
PROTO(int, dup2, int, int);
PROTO(int, dup3, int, int, int);
PROTO(int, fcntl, int, int, ...);
PROTO(int, fcntl64, int, int, ...);

/* The real function, looked up on first use (a call may come before our
 * constructor: another library's constructor). */
#define REAL(name) ((name##_fn)lookup((void **)&real_##name, #name))

/* Racing threads store the same value: relaxed is enough. */
static void *lookup(void **slot, const char *name)
{
	void *f = __atomic_load_n(slot, __ATOMIC_RELAXED);

	if (!f) {
		f = dlsym(RTLD_NEXT, name);
		__atomic_store_n(slot, f, __ATOMIC_RELAXED);
	}
	return f;
}

__attribute__((constructor)) static void sockets_init(void)
{
	const char *ms = getenv("MPROF_TCP_INFO_MS");
#if HAVE_TSC
	const char *clk = getenv("MPROF_CLOCK");
	unsigned int a, b, c, d;

	/* libprofile's rule (posix/clock.c): the invariant TSC where the CPU
	 * has it, unless MPROF_CLOCK=monotonic. */
	clock_tsc = !(clk && !strcmp(clk, "monotonic")) && __get_cpuid(0x80000000, &a, &b, &c, &d) &&
		    a >= 0x80000007 && __get_cpuid(0x80000007, &a, &b, &c, &d) && ((d >> 8) & 1);
#endif

	if (ms && *ms) {
		char *end;
		unsigned long long v;

		if (!strcmp(ms, "off"))
			info_interval_ns = UINT64_MAX;
		else if ((v = strtoull(ms, &end, 10)), *end == 0 && v <= 3600000ull)
			info_interval_ns = v * 1000000ull;
		/* Anything else keeps the default: the program must run as it
		 * would without the shim, so no message on its stderr. */
	}
}

static uint64_t conn_of(int fd)
{
	if (fd < 0 || fd >= MAX_FDS)
		return 0;
	return atomic_load_explicit(&conns[fd], memory_order_relaxed);
}

static uint64_t now_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Now, in the trace's clock: the TSC or CLOCK_MONOTONIC in ns, as
 * libprofile chose (an LTTng-UST trace's clock is CLOCK_MONOTONIC). */
static inline uint64_t clock_start(void)
{
#if HAVE_TSC
	if (clock_tsc)
		return __builtin_ia32_rdtsc();
#endif
	return now_ns(CLOCK_MONOTONIC);
}

/* A TCP_INFO sample of @fd, taken at @now (stored as its last).
 * getsockopt() may change errno: the caller restores it. */
static __attribute__((noinline)) void sample_info(int fd, uint64_t conn, uint64_t now)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	atomic_store_explicit(&info_at[fd], now, memory_order_relaxed);
	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0)
		return;
	PROF_EMIT(mprof_tcp_info, conn, ti.tcpi_rtt, ti.tcpi_rttvar, ti.tcpi_snd_cwnd, ti.tcpi_snd_ssthresh,
		  ti.tcpi_retransmits, ti.tcpi_total_retrans, ti.tcpi_state);
}

/* After a data call on @fd: a TCP_INFO sample if the interval since the
 * last one passed (the test inline, the sample out of line). */
static inline void maybe_sample_info(int fd, uint64_t conn)
{
	uint64_t now, last;

	if (info_interval_ns == UINT64_MAX || !RECORDING(mprof_tcp_info))
		return;
	if (!info_interval_ns) {
		sample_info(fd, conn, 1); /* any non-zero "taken" */
		return;
	}
	now = now_ns(CLOCK_MONOTONIC_COARSE);
	last = atomic_load_explicit(&info_at[fd], memory_order_relaxed);
	if (!last || now - last >= info_interval_ns)
		sample_info(fd, conn, now);
}

static int is_tcp_family(int family)
{
	return family == AF_INET || family == AF_INET6;
}

static int is_tcp_socket(int fd)
{
	int type = 0, domain = 0;
	socklen_t l1 = sizeof(type), l2 = sizeof(domain);

	return getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &l1) == 0 && type == SOCK_STREAM &&
	       getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &l2) == 0 && is_tcp_family(domain);
}

static void addr_port(const struct sockaddr_storage *ss, uint16_t *port, uint32_t *addr)
{
	*port = 0;
	*addr = 0;
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)ss;

		*port = ntohs(in->sin_port);
		*addr = ntohl(in->sin_addr.s_addr);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;
		uint32_t last;

		*port = ntohs(in6->sin6_port);
		memcpy(&last, &in6->sin6_addr.s6_addr[12], 4); /* v4-mapped: the IPv4 address */
		*addr = ntohl(last);
	}
}

/* A TCP connection on descriptor @fd, beyond the table: said, not
 * followed (@conn: the connection it was made from, or 0).  errno is kept. */
static __attribute__((noinline)) void untracked(uint64_t conn, int fd)
{
	int err = errno;

	PROF_EMIT(mprof_sock_untracked, conn, fd);
	errno = err;
}

/* Start tracking @fd as connection @conn and record sock.open. */
static void track(int fd, uint64_t conn, int role, int err)
{
	struct sockaddr_storage l, r;
	socklen_t ll = sizeof(l), rl = sizeof(r);
	uint16_t lport = 0, rport = 0;
	uint32_t laddr, raddr = 0;

	if (fd < 0)
		return;
	if (fd >= MAX_FDS) {
		untracked(0, fd);
		return;
	}
	atomic_store_explicit(&conns[fd], conn, memory_order_relaxed);
	atomic_store_explicit(&info_at[fd], 0, memory_order_relaxed);
	memset(&l, 0, sizeof(l));
	memset(&r, 0, sizeof(r));
	if (getsockname(fd, (struct sockaddr *)&l, &ll) == 0)
		addr_port(&l, &lport, &laddr);
	if (getpeername(fd, (struct sockaddr *)&r, &rl) == 0)
		addr_port(&r, &rport, &raddr);
	PROF_EMIT(mprof_sock_open, conn, fd, (uint8_t)role, lport, rport, raddr, err);
}

static uint64_t new_conn(void)
{
	return atomic_fetch_add_explicit(&next_conn, 1, memory_order_relaxed) + 1;
}

int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	uint64_t conn;
	int ret, err;

	if (!addr || len < sizeof(sa_family_t) || !is_tcp_family(addr->sa_family) || fd < 0 || !is_tcp_socket(fd))
		return REAL(connect)(fd, addr, len);
	if (fd >= MAX_FDS) {
		ret = REAL(connect)(fd, addr, len);
		if (ret == 0 || errno == EINPROGRESS)
			untracked(0, fd);
		return ret;
	}
	conn = new_conn();
	PROF_SPAN_BEGIN(mprof_sock_connect, conn);
	ret = REAL(connect)(fd, addr, len);
	err = ret < 0 ? errno : 0;
	PROF_SPAN_END(mprof_sock_connect);
	if (ret == 0 || err == EINPROGRESS)
		track(fd, conn, MPROF_TCP_ROLE_CLIENT, err);
	else
		PROF_EMIT(mprof_sock_open, conn, fd, MPROF_TCP_ROLE_CLIENT, 0, 0, 0, err);
	errno = err;
	return ret;
}

/* The accept of both accept() and accept4(). */
static int do_accept(int fd, struct sockaddr *addr, socklen_t *len, int flags, int four)
{
	int ret, err;
	uint8_t kind = fd >= 0 && fd < MAX_FDS ? atomic_load_explicit(&kinds[fd], memory_order_relaxed) : KIND_OTHER;

	if (fd >= MAX_FDS) {
		ret = four ? REAL(accept4)(fd, addr, len, flags) : REAL(accept)(fd, addr, len);
		if (ret >= 0 && is_tcp_socket(fd))
			untracked(0, ret);
		return ret;
	}
	if (kind == KIND_UNKNOWN) {
		err = errno;
		kind = is_tcp_socket(fd) ? KIND_TCP_LISTENER : KIND_OTHER;
		atomic_store_explicit(&kinds[fd], kind, memory_order_relaxed);
		errno = err;
	}
	if (kind != KIND_TCP_LISTENER)
		return four ? REAL(accept4)(fd, addr, len, flags) : REAL(accept)(fd, addr, len);
	PROF_SPAN_BEGIN(mprof_sock_accept, 0);
	ret = four ? REAL(accept4)(fd, addr, len, flags) : REAL(accept)(fd, addr, len);
	err = ret < 0 ? errno : 0;
	PROF_SPAN_END(mprof_sock_accept);
	if (ret >= 0)
		track(ret, new_conn(), MPROF_TCP_ROLE_SERVER, 0);
	errno = err;
	return ret;
}

int accept(int fd, struct sockaddr *addr, socklen_t *len)
{
	return do_accept(fd, addr, len, 0, 0);
}

int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
	return do_accept(fd, addr, len, flags, 1);
}

/*
 * The data calls.  IO(fd, result, call, expr): if fd is a connection, the
 * clock before expr, then the result event (its start and, as its
 * timestamp, its end) and maybe a TCP_INFO sample; errno as the real call
 * left it.
 */
#define IO(fd, result, call, expr)                                                      \
	do {                                                                            \
		uint64_t conn_ = conn_of(fd), start_;                                   \
		ssize_t ret_;                                                           \
		int err_;                                                               \
		if (!conn_)                                                             \
			return (expr);                                                  \
		start_ = RECORDING(result) ? clock_start() : 0;                         \
		ret_ = (expr);                                                          \
		err_ = errno;                                                           \
		PROF_EMIT(result, conn_, (int64_t)ret_, ret_ < 0 ? err_ : 0, call, start_); \
		maybe_sample_info(fd, conn_);                                           \
		errno = err_;                                                           \
		return ret_;                                                            \
	} while (0)

ssize_t read(int fd, void *buf, size_t n)
{
	IO(fd, mprof_sock_read, MPROF_TCP_CALL_READ, REAL(read)(fd, buf, n));
}

ssize_t write(int fd, const void *buf, size_t n)
{
	IO(fd, mprof_sock_write, MPROF_TCP_CALL_WRITE, REAL(write)(fd, buf, n));
}

ssize_t recv(int fd, void *buf, size_t n, int flags)
{
	IO(fd, mprof_sock_read, MPROF_TCP_CALL_RECV, REAL(recv)(fd, buf, n, flags));
}

ssize_t send(int fd, const void *buf, size_t n, int flags)
{
	IO(fd, mprof_sock_write, MPROF_TCP_CALL_SEND, REAL(send)(fd, buf, n, flags));
}

ssize_t recvfrom(int fd, void *buf, size_t n, int flags, struct sockaddr *addr, socklen_t *len)
{
	IO(fd, mprof_sock_read, MPROF_TCP_CALL_RECV, REAL(recvfrom)(fd, buf, n, flags, addr, len));
}

ssize_t sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *addr, socklen_t len)
{
	IO(fd, mprof_sock_write, MPROF_TCP_CALL_SEND, REAL(sendto)(fd, buf, n, flags, addr, len));
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	IO(fd, mprof_sock_read, MPROF_TCP_CALL_RECVMSG, REAL(recvmsg)(fd, msg, flags));
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	IO(fd, mprof_sock_write, MPROF_TCP_CALL_SENDMSG, REAL(sendmsg)(fd, msg, flags));
}

ssize_t readv(int fd, const struct iovec *iov, int n)
{
	IO(fd, mprof_sock_read, MPROF_TCP_CALL_READV, REAL(readv)(fd, iov, n));
}

ssize_t writev(int fd, const struct iovec *iov, int n)
{
	IO(fd, mprof_sock_write, MPROF_TCP_CALL_WRITEV, REAL(writev)(fd, iov, n));
}

ssize_t sendfile(int out, int in, off_t *off, size_t n)
{
	IO(out, mprof_sock_write, MPROF_TCP_CALL_SENDFILE, REAL(sendfile)(out, in, off, n));
}

/* @fd was closed (by close(), or by dup2()/dup3() reusing its number): its
 * connection's sock.close, and the descriptor is untracked. */
static void untrack(int fd, uint64_t conn)
{
	atomic_store_explicit(&conns[fd], 0, memory_order_relaxed);
	PROF_EMIT(mprof_sock_close, conn, fd);
}

int close(int fd)
{
	uint64_t conn = conn_of(fd);
	int err;

	if (fd >= 0 && fd < MAX_FDS)
		atomic_store_explicit(&kinds[fd], KIND_UNKNOWN, memory_order_relaxed);
	if (conn) {
		err = errno;
		if (info_interval_ns != UINT64_MAX && RECORDING(mprof_tcp_info))
			sample_info(fd, conn, 1);
		untrack(fd, conn);
		errno = err;
	}
	return REAL(close)(fd);
}

/* @newfd, just made from @fd (whose connection is @conn, 0: none), now
 * refers to what @fd does; what @newfd was tracked as (@was) was closed
 * by the call.  errno is kept. */
static void dup_done(int fd, int newfd, uint64_t conn, uint64_t was)
{
	int err = errno;

	if (newfd < 0)
		return;
	if (newfd >= MAX_FDS) {
		if (conn)
			untracked(conn, newfd);
		errno = err;
		return;
	}
	atomic_store_explicit(&kinds[newfd], KIND_UNKNOWN, memory_order_relaxed);
	if (was)
		untrack(newfd, was);
	if (conn) {
		atomic_store_explicit(&conns[newfd], conn, memory_order_relaxed);
		atomic_store_explicit(&info_at[newfd], 0, memory_order_relaxed);
		PROF_EMIT(mprof_sock_dup, conn, fd, newfd);
	}
	errno = err;
}

int dup(int fd)
{
	int ret = REAL(dup)(fd);

	if (ret >= 0)
		dup_done(fd, ret, conn_of(fd), 0);
	return ret;
}

int dup2(int fd, int newfd)
{
	uint64_t was = fd != newfd ? conn_of(newfd) : 0;
	int ret = REAL(dup2)(fd, newfd);

	if (ret >= 0 && fd != newfd)
		dup_done(fd, ret, conn_of(fd), was);
	return ret;
}

int dup3(int fd, int newfd, int flags)
{
	uint64_t was = conn_of(newfd);
	int ret = REAL(dup3)(fd, newfd, flags);

	if (ret >= 0)
		dup_done(fd, ret, conn_of(fd), was);
	return ret;
}

/* fcntl()'s third argument is an int or a pointer, by command: passed on
 * as glibc's own fcntl() reads it (a pointer-sized va_arg). */
#define FCNTL_WRAPPER(name)                                                      \
	int name(int fd, int cmd, ...)                                           \
	{                                                                        \
		va_list ap;                                                      \
		void *arg;                                                       \
		int ret;                                                         \
                                                                                 \
		va_start(ap, cmd);                                               \
		arg = va_arg(ap, void *);                                        \
		va_end(ap);                                                      \
		ret = REAL(name)(fd, cmd, arg);                                  \
		if (ret >= 0 && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC))      \
			dup_done(fd, ret, conn_of(fd), 0);                       \
		return ret;                                                      \
	}
FCNTL_WRAPPER(fcntl)
FCNTL_WRAPPER(fcntl64)
