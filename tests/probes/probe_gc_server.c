/* SPDX-License-Identifier: MIT */
/*
 * tests/probes/probe_gc_server.c - a Boehm GC program serving TCP requests
 * on loopback, some of which it stalls with a forced collection: the
 * workload of tests/t_probes_gc_join.sh.
 *
 *   probe_gc_server REQS SIZE STALL...
 *
 * Before GC_INIT it forks its client (no exec), which sends REQS requests
 * of SIZE bytes on one connection, each after the previous response.  The
 * server reads each request whole, and for request numbers listed in
 * STALL (from 0) allocates garbage and calls GC_gcollect() before it
 * writes the SIZE-byte response; other requests allocate nothing from the
 * collected heap, so no other collection lands inside a request.  Prints
 * "stalled I" for each stalled request and "collections N" (GC_get_gc_no()
 * difference over the serving loop).  Run it with the socket shim
 * (`mprof record --sockets`); it links libprofile.so, the copy the shim
 * uses, so its GC events and the shim's socket events share one region.
 */
#include <errno.h>
#include <gc.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mprof_gc_boehm.h"

static void die(const char *what)
{
	fprintf(stderr, "probe_gc_server: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void xfer(int fd, char *buf, size_t n, int out)
{
	size_t off = 0;

	while (off < n) {
		ssize_t r = out ? write(fd, buf + off, n - off) : read(fd, buf + off, n - off);

		if (r <= 0)
			die(out ? "write" : "read (short)");
		off += (size_t)r;
	}
}

static void client(int port, int reqs, size_t size)
{
	struct sockaddr_in a;
	char *buf = malloc(size);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (!buf || fd < 0)
		die("client setup");
	memset(buf, 'q', size);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
		die("connect");
	for (int i = 0; i < reqs; i++) {
		xfer(fd, buf, size, 1);
		xfer(fd, buf, size, 0);
	}
	close(fd);
	free(buf);
}

int main(int argc, char **argv)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	int reqs, lfd, fd, port, status;
	size_t size;
	char *buf, stall[1024] = { 0 };
	GC_word gc0;
	pid_t pid;

	if (argc < 3 || (reqs = atoi(argv[1])) < 1 || reqs > 1024 || (size = (size_t)atol(argv[2])) < 1 ||
	    size > 1 << 20) {
		fprintf(stderr, "usage: probe_gc_server REQS(1-1024) SIZE STALL...\n");
		return 2;
	}
	for (int i = 3; i < argc; i++) {
		int s = atoi(argv[i]);

		if (s < 0 || s >= reqs) {
			fprintf(stderr, "probe_gc_server: stall %s is not a request number below %d\n", argv[i], reqs);
			return 2;
		}
		stall[s] = 1;
	}
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(lfd, 4) != 0 ||
	    getsockname(lfd, (struct sockaddr *)&a, &al) != 0)
		die("listen");
	port = ntohs(a.sin_port);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(lfd);
		client(port, reqs, size);
		_exit(0);
	}
	GC_INIT();
	if (mprof_gc_boehm_install() != 0)
		fprintf(stderr, "probe_gc_server: mprof_gc_boehm_install failed (no trace of GC)\n");
	buf = malloc(size);
	if (!buf)
		die("malloc");
	memset(buf, 'r', size);
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		die("accept");
	gc0 = GC_get_gc_no();
	for (int i = 0; i < reqs; i++) {
		xfer(fd, buf, size, 0);
		if (stall[i]) {
			/* Garbage, so the collection has work, then collect. */
			for (int k = 0; k < 2000; k++) {
				void *volatile p = GC_MALLOC(256);

				(void)p;
			}
			GC_gcollect();
			printf("stalled %d\n", i);
		}
		xfer(fd, buf, size, 1);
	}
	printf("collections %lu\n", (unsigned long)(GC_get_gc_no() - gc0));
	close(fd);
	close(lfd);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "probe_gc_server: the client failed\n");
		return 1;
	}
	free(buf);
	return 0;
}
