/* SPDX-License-Identifier: MIT */
/*
 * tests/probes/probe_net.c - a real TCP workload on loopback for the socket
 * shim (tests/t_probes_sockets.sh): an epoll server with non-blocking
 * sockets and accept4, and CLIENTS forked clients (fork without exec), each
 * sending REQS requests of SIZE bytes and reading each echoed back.  The
 * calls rotate over write/send/sendmsg/writev and read/recv/recvmsg/readv;
 * the server answers the first request of each connection with sendfile.
 *
 *   probe_net CLIENTS REQS SIZE
 *
 * Prints what each side did, for the test to compare with the trace:
 *   server accepted N read_bytes B wrote_bytes B reads N writes N sendfiles N
 *   client I connects 1 sent_bytes B received_bytes B sends N recvs N
 *   errno_checks ok      (errno as the real calls set it, through the shim)
 *   cpu_us N             CPU time (user + system) of the server and its
 *                        clients (bench/probes.sh)
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAXC 64

static int fail(const char *what)
{
	fprintf(stderr, "probe_net: %s: %s\n", what, strerror(errno));
	exit(1);
}

static ssize_t send_some(int fd, const char *p, size_t n, int how)
{
	struct iovec iov[2] = { { (void *)p, n / 2 }, { (void *)(p + n / 2), n - n / 2 } };
	struct msghdr m;

	switch (how % 4) {
	case 0: return write(fd, p, n);
	case 1: return send(fd, p, n, 0);
	case 2:
		memset(&m, 0, sizeof(m));
		m.msg_iov = iov;
		m.msg_iovlen = 2;
		return sendmsg(fd, &m, 0);
	default: return writev(fd, iov, 2);
	}
}

static ssize_t recv_some(int fd, char *p, size_t n, int how)
{
	struct iovec iov[1] = { { p, n } };
	struct msghdr m;

	switch (how % 4) {
	case 0: return read(fd, p, n);
	case 1: return recv(fd, p, n, 0);
	case 2:
		memset(&m, 0, sizeof(m));
		m.msg_iov = iov;
		m.msg_iovlen = 1;
		return recvmsg(fd, &m, 0);
	default: return readv(fd, iov, 1);
	}
}

static void client(int id, int port, int reqs, size_t size)
{
	struct sockaddr_in a;
	char *buf = malloc(size), *in = malloc(size);
	long long sent = 0, got = 0, sends = 0, recvs = 0;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (!buf || !in || fd < 0)
		fail("client setup");
	memset(buf, 'a' + id % 26, size);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
		fail("connect");
	for (int r = 0; r < reqs; r++) {
		size_t off = 0;

		while (off < size) {
			ssize_t n = send_some(fd, buf + off, size - off, r + (int)off);

			sends++;
			if (n <= 0)
				fail("client send");
			off += (size_t)n;
			sent += n;
		}
		for (off = 0; off < size;) {
			ssize_t n = recv_some(fd, in + off, size - off, r + (int)off);

			recvs++;
			if (n <= 0)
				fail("client recv");
			off += (size_t)n;
			got += n;
		}
	}
	close(fd);
	printf("client %d connects 1 sent_bytes %lld received_bytes %lld sends %lld recvs %lld\n", id, sent, got,
	       sends, recvs);
	free(buf);
	free(in);
}

/* errno as the real calls leave it, seen through the shim. */
static int errno_checks(int port_closed)
{
	struct sockaddr_in a;
	char c;
	int fd, ok = 1;

	errno = 0;
	if (close(-1) != -1 || errno != EBADF)
		ok = 0, fprintf(stderr, "close(-1): errno %d, expected EBADF\n", errno);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port_closed);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	errno = 0;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != -1 || errno != ECONNREFUSED)
		ok = 0, fprintf(stderr, "connect to a closed port: errno %d, expected ECONNREFUSED\n", errno);
	close(fd);
	errno = 0;
	if (read(-1, &c, 1) != -1 || errno != EBADF)
		ok = 0, fprintf(stderr, "read(-1): errno %d, expected EBADF\n", errno);
	return ok;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	struct epoll_event ev, evs[16];
	int clients, reqs, lfd, ep, port, accepted = 0, done = 0, status, ok = 1, closed_port;
	size_t size;
	long long rb = 0, wb = 0, reads = 0, writes = 0, sendfiles = 0;
	char *buf;
	int first[MAXC + 8] = { 0 };
	pid_t pids[MAXC];
	FILE *tmp;
	struct rusage rs, rc;

	if (argc != 4 || (clients = atoi(argv[1])) < 1 || clients > MAXC || (reqs = atoi(argv[2])) < 1 ||
	    (size = (size_t)atol(argv[3])) < 2 || size > 1 << 20) {
		fprintf(stderr, "usage: probe_net CLIENTS(1-%d) REQS SIZE(2-1M)\n", MAXC);
		return 2;
	}
	buf = malloc(size);
	tmp = tmpfile(); /* what sendfile sends: SIZE bytes */
	if (!buf || !tmp)
		fail("setup");
	memset(buf, 'z', size);
	if (fwrite(buf, 1, size, tmp) != size || fflush(tmp) != 0)
		fail("tmpfile");
	/* A port nobody listens on: bind one, take its number, close it. */
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) != 0 || getsockname(lfd, (struct sockaddr *)&a, &al) != 0)
		fail("bind");
	closed_port = ntohs(a.sin_port);
	close(lfd);
	ok = errno_checks(closed_port);

	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	a.sin_port = 0;
	al = sizeof(a);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(lfd, 64) != 0 ||
	    getsockname(lfd, (struct sockaddr *)&a, &al) != 0)
		fail("listen");
	port = ntohs(a.sin_port);
	fflush(stdout);
	for (int i = 0; i < clients; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			fail("fork");
		if (pids[i] == 0) {
			close(lfd);
			client(i, port, reqs, size);
			fflush(stdout);
			_exit(0);
		}
	}
	ep = epoll_create1(0);
	ev.events = EPOLLIN;
	ev.data.fd = lfd;
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) != 0)
		fail("epoll");
	while (done < clients) {
		int n = epoll_wait(ep, evs, 16, 10000);

		if (n <= 0)
			fail("epoll_wait (timeout or error)");
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;

			if (fd == lfd) {
				int c;

				while ((c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
					accepted++;
					ev.events = EPOLLIN;
					ev.data.fd = c;
					if (epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev) != 0)
						fail("epoll_ctl");
				}
				if (errno != EAGAIN && errno != EWOULDBLOCK)
					fail("accept4 (errno not EAGAIN)");
				continue;
			}
			for (;;) {
				ssize_t r = recv_some(fd, buf, size, (int)rb), off = 0;

				reads++;
				if (r < 0) {
					if (errno != EAGAIN && errno != EWOULDBLOCK)
						fail("server read (errno not EAGAIN)");
					break;
				}
				if (r == 0) {
					epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
					close(fd);
					done++;
					break;
				}
				rb += r;
				if (fd < MAXC + 8 && !first[fd] && r == (ssize_t)size) {
					/* A whole first request: answer with sendfile. */
					off_t fo = 0;
					ssize_t s;

					first[fd] = 1;
					while (off < r) {
						s = sendfile(fd, fileno(tmp), &fo, (size_t)(r - off));
						sendfiles++; /* every call, as the shim sees them */
						if (s <= 0)
							break;
						off += s, wb += s, writes++;
					}
				}
				/* Echo the rest (blocking briefly on a full socket is
				 * fine for a test of this size: the client reads). */
				while (off < r) {
					ssize_t s = send_some(fd, buf + off, (size_t)(r - off), (int)off);

					writes++;
					if (s < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
						continue;
					if (s <= 0)
						fail("server write");
					off += s;
					wb += s;
				}
			}
		}
	}
	for (int i = 0; i < clients; i++)
		if (waitpid(pids[i], &status, 0) != pids[i] || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			ok = 0, fprintf(stderr, "client %d failed\n", i);
	close(ep);
	close(lfd);
	printf("server accepted %d read_bytes %lld wrote_bytes %lld reads %lld writes %lld sendfiles %lld\n", accepted,
	       rb, wb, reads, writes, sendfiles);
	printf("errno_checks %s\n", ok ? "ok" : "FAILED");
	if (getrusage(RUSAGE_SELF, &rs) == 0 && getrusage(RUSAGE_CHILDREN, &rc) == 0)
		printf("cpu_us %lld\n",
		       (long long)(rs.ru_utime.tv_sec + rs.ru_stime.tv_sec + rc.ru_utime.tv_sec + rc.ru_stime.tv_sec) *
				       1000000 +
			       rs.ru_utime.tv_usec + rs.ru_stime.tv_usec + rc.ru_utime.tv_usec + rc.ru_stime.tv_usec);
	fclose(tmp);
	free(buf);
	return ok ? 0 : 1;
}
