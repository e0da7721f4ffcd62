/* SPDX-License-Identifier: MIT */
/*
 * tests/probes/probe_pingpong.c - a request/response loop over loopback TCP
 * in one thread, for bench/probes.sh: the per-call cost of the socket shim
 * measured without the scheduler's noise (no second process to wake).
 *
 *   probe_pingpong ROUNDS SIZE BATCHES
 *
 * Connects to itself (listen, connect, accept); each round writes SIZE
 * bytes on the client, reads them on the server, writes them back and
 * reads them on the client: four data calls.  SIZE 0 makes the four calls
 * with no bytes (each returns 0 at once): the cheapest call on a
 * connection, so that the shim's own cost per call stands out.  The rounds run in BATCHES
 * batches; each batch's thread CPU time (CLOCK_THREAD_CPUTIME_ID) per
 * round is measured, and the smallest and the median are printed:
 *
 *   rounds R size S calls C
 *   ns_per_round min M median D
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void fail(const char *what)
{
	perror(what);
	exit(1);
}

static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* @n bytes from @from to @to, or exit; with @n 0 a write and a read of
 * nothing. */
static long move(int from, int to, char *buf, size_t n)
{
	long calls = 0;

	if (!n) {
		if (write(from, buf, 0) != 0 || read(to, buf, 0) != 0)
			fail("zero-byte call");
		return 2;
	}

	for (size_t off = 0; off < n; calls++) {
		ssize_t w = write(from, buf + off, n - off);

		if (w <= 0)
			fail("write");
		off += (size_t)w;
	}
	for (size_t off = 0; off < n; calls++) {
		ssize_t r = read(to, buf + off, n - off);

		if (r <= 0)
			fail("read");
		off += (size_t)r;
	}
	return calls;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	long rounds, batches, calls = 0;
	size_t size;
	int lfd, c, s, one = 1;
	uint64_t *per;
	char *buf;

	if (argc != 4 || (rounds = atol(argv[1])) < 1 || (size = (size_t)atol(argv[2])) > 65536 ||
	    (batches = atol(argv[3])) < 1 || batches > 1000) {
		fprintf(stderr, "usage: probe_pingpong ROUNDS SIZE(0-65536) BATCHES(1-1000)\n");
		return 2;
	}
	buf = calloc(1, size + 1);
	per = calloc((size_t)batches, sizeof(*per));
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (!buf || !per || lfd < 0 || c < 0)
		fail("setup");
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(lfd, 1) != 0 ||
	    getsockname(lfd, (struct sockaddr *)&a, &al) != 0 || connect(c, (struct sockaddr *)&a, sizeof(a)) != 0)
		fail("connect");
	s = accept(lfd, NULL, NULL);
	if (s < 0)
		fail("accept");
	/* Small messages go at once, as a request/response protocol's do. */
	setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	for (long b = 0; b < batches; b++) {
		long n = rounds / batches + (b < rounds % batches);
		uint64_t t0 = cpu_ns();

		for (long r = 0; r < n; r++) {
			calls += move(c, s, buf, size);
			calls += move(s, c, buf, size);
		}
		per[b] = n ? (cpu_ns() - t0) / (uint64_t)n : 0;
	}
	qsort(per, (size_t)batches, sizeof(*per), cmp_u64);
	printf("rounds %ld size %zu calls %ld\n", rounds, size, calls);
	printf("ns_per_round min %llu median %llu\n", (unsigned long long)per[0],
	       (unsigned long long)per[batches / 2]);
	close(s);
	close(c);
	close(lfd);
	free(per);
	free(buf);
	return 0;
}
