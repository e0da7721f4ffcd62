/* SPDX-License-Identifier: MIT */
/*
 * tests/probes/probe_dup.c - descriptors made from a TCP socket, for the
 * socket shim (tests/t_probes_dup.sh): over loopback, connection A's
 * client socket c writes 100 bytes through c, through dup(c), through
 * dup2(c, 100), through fcntl(c, F_DUPFD_CLOEXEC, 200), and through the
 * number of connection B's client socket, which dup2(c, b) closed; the
 * server reads all of A's bytes.  Every descriptor is closed.  Prints what
 * it did, for the test to compare with the trace:
 *
 *   writes 5 bytes 500 dups 4 server_bytes 500 b_closed_by_dup2 1
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int die(const char *what)
{
	perror(what);
	return 1;
}

int main(void)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	char buf[100], in[600];
	int l, c, b, sc, sb, fds[5], i, n = 0, got = 0;

	memset(buf, 'x', sizeof(buf));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((l = socket(AF_INET, SOCK_STREAM, 0)) < 0 || bind(l, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(l, 4) != 0 || getsockname(l, (struct sockaddr *)&sa, &sl) != 0)
		return die("listener");
	if ((c = socket(AF_INET, SOCK_STREAM, 0)) < 0 || connect(c, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    (sc = accept(l, NULL, NULL)) < 0)
		return die("connection A");
	if ((b = socket(AF_INET, SOCK_STREAM, 0)) < 0 || connect(b, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    (sb = accept(l, NULL, NULL)) < 0)
		return die("connection B");
	fds[0] = c;
	fds[1] = dup(c);
	fds[2] = dup2(c, 100);
	fds[3] = fcntl(c, F_DUPFD_CLOEXEC, 200);
	fds[4] = dup2(c, b); /* closes B's client descriptor */
	for (i = 0; i < 5; i++) {
		if (fds[i] < 0)
			return die("dup");
		if (write(fds[i], buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			return die("write");
		n += (int)sizeof(buf);
	}
	while (got < n) {
		ssize_t r = read(sc, in, sizeof(in));

		if (r <= 0)
			return die("read");
		got += (int)r;
	}
	for (i = 0; i < 5; i++)
		close(fds[i]);
	close(sc);
	close(sb);
	close(l);
	printf("writes 5 bytes %d dups 4 server_bytes %d b_closed_by_dup2 1\n", n, got);
	return 0;
}
