/* SPDX-License-Identifier: MIT */
/*
 * The trace writer as the region reader's store (prof_ctf_writer_store,
 * prof_region_reader_drain_into(), the way `mprof record` drains): the
 * trace it writes is byte for byte the one the copying sink writes, from
 * the same region, also with a corrupt packet (left out of the file, and
 * counted) and with a live reader's peek before the drain (the packet is
 * cut to its new events); and put, keep and drop keep the file a sequence
 * of whole packets whatever the caller does.
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "ctf/ctf_private.h"
#include "test_ctf_util.h"
#include "profile/profile.h"

PROF_EVENT(st_ev, "store.ev", (u64, seq), (u32, k));

static uint64_t emitted;

static void emit(uint64_t n)
{
	while (n--) {
		PROF_EMIT(st_ev, emitted, (uint32_t)(emitted * 7));
		emitted++;
	}
}

/* A copy of the region's memory, page-aligned like the original. */
static uint8_t *region_copy(const struct prof_region *region)
{
	size_t size = prof_region_size(region);
	uint8_t *m = aligned_alloc(4096, (size + 4095) / 4096 * 4096);

	CHECK(m != NULL);
	memcpy(m, prof_region_memory(region), size);
	return m;
}

/* The one stream file of a trace (whichever slot the thread took). */
static char *stream_file(const char *dir, size_t *len)
{
	char path[600];
	char *f = NULL;

	for (int i = 0; i < 4 && !f; i++) {
		snprintf(path, sizeof(path), "%s/stream_%d", dir, i);
		f = read_file(path, len);
	}
	return f;
}

static char *file_of(const char *dir, const char *name, size_t *len)
{
	char path[600];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return read_file(path, len);
}

enum way { VIA_SINK, VIA_STORE, VIA_STORE_NO_MAP };

/* Read the region @mem into the trace directory @dir: through the sink or
 * into the store (on a file system that can map the files or not), then
 * the final scrape. */
static void record(uint8_t *mem, size_t size, const char *dir, enum way via, struct prof_drain_stats *st)
{
	struct prof_region_reader *rd;
	struct prof_ctf_writer *w;
	struct prof_error err;

	CHECK_OK(prof_region_reader_open(&rd, mem, size, "store", &err));
	CHECK_OK(prof_ctf_writer_open(&w, dir, &err));
	if (via == VIA_STORE_NO_MAP)
		prof__ctf_writer_no_map(w);
	if (via != VIA_SINK)
		CHECK_GE(prof_region_reader_drain_into(rd, &prof_ctf_writer_store, w), 0);
	else
		CHECK_GE(prof_region_reader_drain(rd, prof_ctf_writer_sink, w), 0);
	CHECK_GE(prof_region_reader_scrape(rd, prof_ctf_writer_sink, w), 0);
	prof_region_reader_stats(rd, st);
	CHECK_OK(prof_ctf_writer_close(w));
	prof_region_reader_close(rd);
}

/* The region emitted so far, read the three ways from identical copies:
 * the same stream file.  @corrupt: poke packet 3's magic in both first.
 * @peek: the live reader peeked at the open packet, which then filled. */
static void same_trace(struct prof_region *region, int corrupt, int peek)
{
	size_t size = prof_region_size(region), la, lb;
	const struct prof_region_header *h = prof_region_memory(region);
	uint8_t *a = region_copy(region), *b = region_copy(region), *c = region_copy(region);
	char *da = test_tmpdir("store-sink"), *db = test_tmpdir("store-store"), *dc = test_tmpdir("store-nomap");
	struct prof_drain_stats sa, sb, sc;
	size_t lc;
	char *fa, *fb, *fc;

	if (corrupt) {
		/* Packet 3 of whichever slot the thread took (the others are
		 * never read). */
		for (uint32_t s = 0; s < h->stream_slots; s++) {
			uint64_t off = h->rings_offset + ((uint64_t)s * h->packets_per_stream + 3) * h->packet_size;

			memset(a + off, 0, 4);
			memset(b + off, 0, 4);
			memset(c + off, 0, 4);
		}
	}
	if (peek) {
		/* Peek at the open packet in both copies, then let it fill:
		 * the drain delivers only what the peek did not. */
		uint8_t *copies[3] = { a, b, c };
		char *dp = test_tmpdir("store-peek");
		struct prof_region_reader *rd;
		struct prof_ctf_writer *w;
		struct prof_error err;

		CHECK_OK(prof_ctf_writer_open(&w, dp, &err));
		for (int i = 0; i < 3; i++) {
			CHECK_OK(prof_region_reader_open(&rd, copies[i], size, "copy", &err));
			CHECK_GE(prof_region_reader_peek(rd, prof_ctf_writer_sink, w), 0);
			prof_region_reader_close(rd);
		}
		prof_ctf_writer_abandon(w);
		rm_rf(dp);
		free(dp);
		/* The peeks left their record in the consumer pages of each
		 * copy; the producer goes on in the original, so bring the
		 * rings over and keep each copy's consumer pages. */
		emit(400);
		for (int i = 0; i < 3; i++) {
			memcpy(copies[i] + h->rings_offset, (const uint8_t *)h + h->rings_offset,
			       size - h->rings_offset);
			memcpy(copies[i] + h->slots_offset, (const uint8_t *)h + h->slots_offset,
			       h->consumer_offset - h->slots_offset);
		}
	}
	record(a, size, da, VIA_SINK, &sa);
	record(b, size, db, VIA_STORE, &sb);
	record(c, size, dc, VIA_STORE_NO_MAP, &sc);
	fa = stream_file(da, &la);
	fb = stream_file(db, &lb);
	fc = stream_file(dc, &lc);
	CHECK(fa && fb && fc);
	if (la != lb || memcmp(fa, fb, la) != 0)
		CHECK_FAIL("corrupt %d, peek %d: the stream file in %s (%zu bytes) differs from %s's (%zu bytes)",
			   corrupt, peek, da, la, db, lb);
	if (la != lc || memcmp(fa, fc, la) != 0)
		CHECK_FAIL("corrupt %d, peek %d, no mapping: the stream file in %s (%zu bytes) differs from %s's (%zu bytes)",
			   corrupt, peek, da, la, dc, lc);
	CHECK_EQ_U(sc.events, sb.events);
	CHECK_EQ_U(sc.invalid_packets, sb.invalid_packets);
	CHECK_EQ_U(sa.packets, sb.packets);
	CHECK_EQ_U(sa.events, sb.events);
	CHECK_EQ_U(sa.bytes, sb.bytes);
	CHECK_EQ_U(sb.bytes, lb);
	CHECK_EQ_U(sa.invalid_packets, (uint64_t)corrupt);
	CHECK_EQ_U(sb.invalid_packets, (uint64_t)corrupt);
	/* Every event, or all but the corrupt packet's (a dozen or so). */
	if (!peek && !corrupt)
		CHECK_EQ_U(sb.events, emitted);
	if (corrupt) {
		CHECK_LT(sb.events, emitted);
		CHECK_GE(sb.events, emitted - 16);
	}
	free(fa);
	free(fb);
	free(fc);
	rm_rf(da);
	rm_rf(db);
	rm_rf(dc);
	free(da);
	free(db);
	free(dc);
	free(a);
	free(b);
	free(c);
}

static void test_same_trace(void)
{
	struct prof_region_config cfg;
	struct prof_region *region;
	struct prof_error err;

	prof_region_config_init(&cfg);
	cfg.packet_size = 256;  /* a dozen events a packet */
	cfg.packets_per_stream = 64;
	cfg.stream_slots = 2;
	cfg.attach = 1;
	CHECK_OK(prof_region_open(&region, &cfg, &err));
	emitted = 0;
	emit(245);              /* some 20 complete packets and an open one */
	same_trace(region, 0, 0);
	same_trace(region, 1, 0);
	same_trace(region, 0, 1);
	prof_region_close(region);
}

static off_t size_of(const char *dir)
{
	char path[600];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/stream_1", dir);
	CHECK_OK(stat(path, &sb));
	return sb.st_size;
}

/* A packet of @len bytes: a header and filler. */
static void fill(uint8_t *p, size_t len, uint8_t v)
{
	memset(p, v, len);
}

static void test_put_keep_drop(void)
{
	char *dir = test_tmpdir("store-ops");
	struct prof_ctf_writer *w;
	struct prof_error err;
	uint8_t src[1024], *copy = NULL;
	long page = sysconf(_SC_PAGESIZE);
	uint8_t *none;

	CHECK_OK(prof_ctf_writer_open(&w, dir, &err));
	fill(src, sizeof(src), 1);
	/* Put and keep: the copy holds the bytes, and is the file's. */
	CHECK_OK(prof_ctf_writer_put(w, 1, src, 200, &copy));
	CHECK(memcmp(copy, src, 200) == 0);
	copy[0] = 9;  /* normalised in place: the file sees it */
	CHECK_OK(prof_ctf_writer_keep(w, 1, 200));
	CHECK_EQ((long)size_of(dir), 200);
	/* Kept shorter: cut to what is kept. */
	CHECK_OK(prof_ctf_writer_put(w, 1, src, 300, &copy));
	CHECK_OK(prof_ctf_writer_keep(w, 1, 100));
	CHECK_EQ((long)size_of(dir), 300);
	/* Dropped: gone; a second drop does nothing. */
	CHECK_OK(prof_ctf_writer_put(w, 1, src, 500, &copy));
	CHECK_EQ((long)size_of(dir), 800);
	prof_ctf_writer_drop(w, 1);
	prof_ctf_writer_drop(w, 1);
	CHECK_EQ((long)size_of(dir), 300);
	/* Keep with nothing put, or more than put: refused. */
	CHECK_EQ(prof_ctf_writer_keep(w, 1, 100), -EINVAL);
	CHECK_OK(prof_ctf_writer_put(w, 1, src, 100, &copy));
	CHECK_EQ(prof_ctf_writer_keep(w, 1, 101), -EINVAL);
	CHECK_EQ(prof_ctf_writer_keep(w, 1, 10), -EINVAL);
	/* Another packet while one is put: the put one is cut first. */
	fill(src, sizeof(src), 2);
	CHECK_OK(prof_ctf_writer_packet(w, 1, src, 100));
	CHECK_EQ((long)size_of(dir), 400);
	/* Bad arguments. */
	CHECK_EQ(prof_ctf_writer_put(w, 1, src, 10, &copy), -EINVAL);
	CHECK_EQ(prof_ctf_writer_put(w, PROF_MAX_STREAMS, src, 100, &copy), -EINVAL);
	CHECK_EQ(prof_ctf_writer_put(w, 1, NULL, 100, &copy), -EINVAL);
	CHECK_EQ(prof_ctf_writer_put(NULL, 1, src, 100, &copy), -EINVAL);
	/* Source memory that cannot be read (a producer that unmapped it):
	 * an error, and the file still ends on its last whole packet. */
	none = mmap(NULL, (size_t)page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(none != MAP_FAILED);
	CHECK_EQ(prof_ctf_writer_put(w, 1, none, 100, &copy), -EFAULT);
	CHECK_EQ((long)size_of(dir), 400);
	munmap(none, (size_t)page);
	/* Many packets: the mapping window moves along the file, and each
	 * copy is the packet put. */
	for (int i = 0; i < 300; i++) {
		static uint8_t big[256 * 1024];

		fill(big, sizeof(big), (uint8_t)i);
		CHECK_OK(prof_ctf_writer_put(w, 1, big, sizeof(big), &copy));
		CHECK(copy[0] == (uint8_t)i && copy[sizeof(big) - 1] == (uint8_t)i);
		CHECK_OK(prof_ctf_writer_keep(w, 1, sizeof(big)));
	}
	CHECK_EQ((long)size_of(dir), 400 + 300L * 256 * 1024);
	/* Closed with a packet put: it is cut.  (The close reports the
	 * failed put above, as every failure.) */
	CHECK_OK(prof_ctf_writer_put(w, 1, src, 100, &copy));
	CHECK_EQ(prof_ctf_writer_close(w), -EFAULT);
	CHECK_EQ((long)size_of(dir), 400 + 300L * 256 * 1024);
	{
		size_t len;
		char *f = file_of(dir, "stream_1", &len);

		CHECK(f != NULL);
		CHECK_EQ((uint8_t)f[0], 9);
		CHECK_EQ((uint8_t)f[199], 1);
		CHECK_EQ((uint8_t)f[300], 2);
		CHECK_EQ((uint8_t)f[400 + 256 * 1024 * 299], 43); /* 299 & 0xff */
		free(f);
	}
	rm_rf(dir);
	free(dir);
}

/* Pages of [@off, @off + @len) of @path in the page cache. */
static size_t resident(const char *path, size_t off, size_t len)
{
	long page = sysconf(_SC_PAGESIZE);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	unsigned char vec[(40u << 20) / 4096];
	size_t n = 0;
	void *m;

	CHECK(fd >= 0);
	CHECK(len / (size_t)page <= sizeof(vec));
	m = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, (off_t)off);
	CHECK(m != MAP_FAILED);
	CHECK_OK(mincore(m, len, vec));
	for (size_t i = 0; i < len / (size_t)page; i++)
		n += vec[i] & 1;
	munmap(m, len);
	close(fd);
	return n;
}

/* Append @n packets of @len bytes at @src to stream 2, put and kept or
 * written. */
static void append(struct prof_ctf_writer *w, int via_put, const uint8_t *src, size_t len, size_t n)
{
	uint8_t *copy;

	while (n--) {
		if (via_put) {
			CHECK_OK(prof_ctf_writer_put(w, 2, src, len, &copy));
			CHECK_OK(prof_ctf_writer_keep(w, 2, len));
		} else {
			CHECK_OK(prof_ctf_writer_packet(w, 2, src, len));
		}
	}
}

/* Write-behind: once a chunk of 8 MiB fills, the chunk two behind it is
 * dropped from the page cache (its clean pages: here made clean by an
 * fdatasync before they are advised away), through either way in. */
static void test_write_behind(int via_put)
{
	const size_t chunk = 8u << 20, pkt = 512u << 10;
	char *dir = test_tmpdir("store-behind"), path[600];
	static uint8_t src[512u << 10];
	struct prof_ctf_writer *w;
	struct prof_error err;
	size_t before;
	int fd;

	snprintf(path, sizeof(path), "%s/stream_2", dir);
	CHECK_OK(prof_ctf_writer_open(&w, dir, &err));
	fill(src, sizeof(src), 5);
	append(w, via_put, src, pkt, 3 * chunk / pkt);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0);
	CHECK_OK(fdatasync(fd));
	close(fd);
	before = resident(path, chunk, 2 * chunk);
	/* Chunks 3 and 4: each drops the clean chunk two behind it. */
	append(w, via_put, src, pkt, 2 * chunk / pkt);
	if (resident(path, chunk, 2 * chunk) != 0)
		CHECK_FAIL("%s: chunks 1 and 2 still hold %zu of %zu pages in the page cache (before: %zu)",
			   via_put ? "put" : "packet", resident(path, chunk, 2 * chunk),
			   2 * chunk / (size_t)sysconf(_SC_PAGESIZE), before);
	/* The latest chunks stay. */
	CHECK_GT(resident(path, 3 * chunk, 2 * chunk), 0);
	CHECK_OK(prof_ctf_writer_close(w));
	rm_rf(dir);
	free(dir);
}

int main(void)
{
	test_same_trace();
	test_put_keep_drop();
	test_write_behind(1);
	test_write_behind(0);
	printf("test_ctf_store: ok\n");
	return 0;
}
