/* SPDX-License-Identifier: MIT */
/*
 * The trace writer reserves a stream file's blocks ahead of its packets
 * (fallocate, FALLOC_FL_KEEP_SIZE) and gives the excess back at close:
 *
 *   - while the writer is open, a stream file's size is exactly its whole
 *     packets (a reader or a crash sees nothing else), and, where the file
 *     system supports the reservation, blocks beyond the size are held;
 *   - after prof_ctf_writer_close() and after prof_ctf_writer_abandon()
 *     the size is still the packets' and no reserved block remains;
 *   - the packets read back byte for byte.
 *
 * A file system without fallocate (the probe below) skips the
 * reservation check and still checks the rest.
 */
#include <fcntl.h>

#include "test_ctf_util.h"

#define NPACKETS 40

static char *join(const char *dir, const char *name)
{
	char *p;

	CHECK(asprintf(&p, "%s/%s", dir, name) > 0);
	return p;
}

/* 1 if @dir's file system takes fallocate(FALLOC_FL_KEEP_SIZE). */
static int can_reserve(const char *dir)
{
	char *probe = join(dir, "probe");
	int fd = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0644), ok;

	CHECK(fd >= 0);
	ok = fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 1 << 20) == 0;
	close(fd);
	CHECK_OK(unlink(probe));
	free(probe);
	return ok;
}

/* Writes NPACKETS packets to stream 0 of a new trace under @dir; closes
 * or abandons it; checks sizes and blocks on the way. */
static void run(const char *dir, int abandon, int reserve)
{
	struct prof_ctf_writer *w = NULL;
	struct prof_error err;
	uint8_t *all = malloc(NPACKETS * 512), *back;
	char *file = join(dir, "stream_0");
	size_t len = 0, got = 0;
	struct stat st;
	uint64_t seq;

	CHECK(all != NULL);
	CHECK_OK(prof_ctf_writer_open(&w, dir, &err));
	for (seq = 0; seq < NPACKETS; seq++) {
		struct test_pkt p = { .swap = false };

		pkt_begin(&p, 0, seq, 0, 7);
		pkt_event(&p, 10 * seq + 1, 2);
		pkt_end(&p);
		CHECK(len + p.len <= NPACKETS * 512);
		CHECK_OK(prof_ctf_writer_packet(w, 0, p.buf, p.len));
		memcpy(all + len, p.buf, p.len);
		len += p.len;

		CHECK_OK(stat(file, &st));
		CHECK_EQ_U(st.st_size, len);
		if (reserve)
			CHECK_GE((uint64_t)st.st_blocks * 512, (uint64_t)1 << 20);
	}
	if (abandon)
		CHECK_OK(prof_ctf_writer_abandon(w));
	else
		CHECK_OK(prof_ctf_writer_close(w));

	CHECK_OK(stat(file, &st));
	CHECK_EQ_U(st.st_size, len);
	/* Whole 4 KiB blocks hold the packets; nothing more is kept. */
	CHECK_LE((uint64_t)st.st_blocks * 512, (len + 4095) / 4096 * 4096);
	back = (uint8_t *)read_file(file, &got);
	CHECK_EQ_U(got, len);
	CHECK(memcmp(back, all, len) == 0);
	free(back);
	free(all);
	free(file);
}

int main(void)
{
	char *tmp = test_tmpdir("ctf-reserve");
	char *a = join(tmp, "closed"), *b = join(tmp, "abandoned");
	int reserve = can_reserve(tmp);

	if (!reserve)
		printf("test_ctf_writer_reserve: %s takes no fallocate: sizes checked, reservation not\n", tmp);
	run(a, 0, reserve);
	run(b, 1, reserve);
	rm_rf(tmp);
	free(a);
	free(b);
	free(tmp);
	printf("test_ctf_writer_reserve: ok\n");
	return 0;
}
