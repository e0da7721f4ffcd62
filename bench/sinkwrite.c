/* SPDX-License-Identifier: MIT */
/*
 * bench/sinkwrite.c - how the trace writer should append packets to a
 * stream file: the measurement behind libprofile/src/ctf/writer.c's
 * choice (docs/PERFORMANCE.md, "The file sink's write pattern").
 *
 *   sinkwrite [DIR [MIB [PACKET_BYTES]]]   (default /tmp, 1024, 262144)
 *
 * Appends MIB MiB of packet-sized buffers to a new file in DIR, four ways,
 * interleaved over three rounds (the machine is shared: each way's median
 * of three, and the ratio to per-packet write(2) within the round):
 *
 *   write      one write(2) per packet (the writer before issue 12)
 *   writev     one writev(2) per batch of 64 packets (a drain batch)
 *   buffer     packets copied into a 16 MiB buffer, one write per buffer
 *   reserve    one write(2) per packet into blocks reserved ahead with
 *              fallocate(FALLOC_FL_KEEP_SIZE), as much again as the file
 *              holds, 4 to 64 MiB at a time (the writer now)
 *
 * The data is written without fsync (the writer syncs only at close); the
 * file is deleted after each run.  Not run by make bench.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define NWAYS 4
#define ROUNDS 3

static const char *const ways[NWAYS] = { "write", "writev", "buffer", "reserve" };

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* GB/s of one run of @way, or a negative value on an I/O error. */
static double run(int way, const char *file, const uint8_t *src, uint8_t *buf, size_t total, size_t pkt)
{
	size_t bufsize = (size_t)16 << 20, used = 0, off, i;
	uint64_t reserved = 0;
	struct iovec iov[BATCH];
	double t0, t1;
	int fd, bad = 0;

	fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_APPEND, 0644);
	if (fd < 0)
		return -1;
	t0 = now_s();
	for (off = 0; off < total && !bad; off += pkt * BATCH) {
		switch (way) {
		case 0:
			for (i = 0; i < BATCH && !bad; i++)
				bad = write_all(fd, src + i * pkt, pkt);
			break;
		case 1:
			for (i = 0; i < BATCH; i++) {
				iov[i].iov_base = (void *)(src + i * pkt);
				iov[i].iov_len = pkt;
			}
			bad = writev(fd, iov, BATCH) != (ssize_t)(pkt * BATCH);
			break;
		case 2:
			for (i = 0; i < BATCH && !bad; i++) {
				if (used + pkt > bufsize) {
					bad = write_all(fd, buf, used);
					used = 0;
				}
				memcpy(buf + used, src + i * pkt, pkt);
				used += pkt;
			}
			break;
		default:
			for (i = 0; i < BATCH && !bad; i++) {
				uint64_t size = off + i * pkt, step;

				if (size + pkt > reserved) {
					step = size < (4u << 20) ? (4u << 20) : size > (64u << 20) ? (64u << 20) : size;
					if (fallocate(fd, FALLOC_FL_KEEP_SIZE, (off_t)size, (off_t)step) == 0)
						reserved = size + step;
				}
				bad = write_all(fd, src + i * pkt, pkt);
			}
			break;
		}
	}
	if (!bad && used)
		bad = write_all(fd, buf, used);
	t1 = now_s();
	close(fd);
	unlink(file);
	return bad ? -1 : (double)total / (t1 - t0) / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	size_t total = (size_t)(argc > 2 ? strtoul(argv[2], NULL, 0) : 1024) << 20;
	size_t pkt = argc > 3 ? strtoul(argv[3], NULL, 0) : 262144;
	double gbps[NWAYS][ROUNDS], ratio[NWAYS][ROUNDS];
	uint8_t *src = NULL, *buf = NULL;
	char file[4096];
	int w, r, ret = 1;

	if (pkt == 0 || total < pkt * BATCH) {
		fprintf(stderr, "sinkwrite: MIB must hold at least %d packets of %zu bytes\n", BATCH, pkt);
		return 2;
	}
	snprintf(file, sizeof(file), "%s/mprof-sinkwrite.%ld", dir, (long)getpid());
	src = malloc(pkt * BATCH);
	buf = malloc((size_t)16 << 20);
	if (!src || !buf) {
		fprintf(stderr, "sinkwrite: out of memory\n");
		goto out;
	}
	memset(src, 0x5a, pkt * BATCH);
	for (r = 0; r < ROUNDS; r++) {
		for (w = 0; w < NWAYS; w++) {
			gbps[w][r] = run(w, file, src, buf, total, pkt);
			if (gbps[w][r] < 0) {
				fprintf(stderr, "sinkwrite: %s: %s failed: %s\n", file, ways[w], strerror(errno));
				goto out;
			}
		}
		for (w = 0; w < NWAYS; w++)
			ratio[w][r] = gbps[w][r] / gbps[0][r];
	}
	printf("sinkwrite: %zu MiB in packets of %zu bytes to %s, median of %d interleaved rounds\n",
	       total >> 20, pkt, dir, ROUNDS);
	for (w = 0; w < NWAYS; w++) {
		qsort(gbps[w], ROUNDS, sizeof(double), cmp_double);
		qsort(ratio[w], ROUNDS, sizeof(double), cmp_double);
		printf("  %-8s %6.2f GB/s  x write %.2f  [%.2f - %.2f]\n", ways[w], gbps[w][ROUNDS / 2],
		       ratio[w][ROUNDS / 2], ratio[w][0], ratio[w][ROUNDS - 1]);
	}
	ret = 0;
out:
	free(src);
	free(buf);
	return ret;
}
