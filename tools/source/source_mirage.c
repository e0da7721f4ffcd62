/* SPDX-License-Identifier: MIT */
/*
 * tools/source/source_mirage.c - mirage-profile traces, read by babeltrace2.
 *
 * mirage-profile (github.com/mirage/mirage-profile, OCaml/Lwt and Mirage
 * unikernels) writes CTF: packets of
 *
 *   header   u32 magic 0xC1FC1FC1 | u8 uuid[16] | u32 packet_size (bits) |
 *            u16 stream_packet_count | u32 content_size (bits)        30 bytes
 *   events   u64 timestamp (ns) | u8 id | [u64 thread] | fields        packed, little-endian
 *
 * described by its `metadata` file, whose only departure from what
 * babeltrace2 reads is the trace block's `major = 0; minor = 1;`.  Its
 * timestamps map to no clock, so babeltrace2 gives them a 1 GHz clock of
 * its own: nanoseconds, as mirage-profile writes them.  So the source
 * decodes nothing itself: this file only prepares a directory whose
 * metadata says `major = 1; minor = 8;`, with links to the stream files.
 *
 * One more thing: mirage-profile's buffer is a ring of packets, reused in
 * turn, numbered by stream_packet_count (16 bits), so once it wrapped the
 * file order is not the time order, and babeltrace2 reads a stream's
 * packets in file order.  A stream file whose packets are out of count
 * order gets a copy with its packets in order instead of a link.  Only
 * the 30-byte headers are looked at (copied, then checked: magic, sizes
 * within the file); a file whose headers do not walk cleanly is linked as
 * it is, and babeltrace2 says what is wrong with it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "source_mirage.h"

#define MIRAGE_METADATA_MAX (1u << 20)

/* Read @path's metadata (a regular file of at most 1 MiB); NULL if there is none. */
static int read_metadata(const char *path, char **text, size_t *len, struct prof_error *err)
{
	char file[PATH_MAX];
	struct stat st;
	ssize_t n;
	size_t got = 0;
	int fd, ret = 0;

	*text = NULL;
	if ((size_t)snprintf(file, sizeof(file), "%s/metadata", path) >= sizeof(file))
		return 0;
	fd = open(file, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (off_t)MIRAGE_METADATA_MAX)
		goto out; /* not ours to judge: babeltrace2 will say what it is */
	*text = malloc((size_t)st.st_size + 1);
	if (!*text) {
		ret = prof_error_set(err, -ENOMEM, file, UINT64_MAX, "out of memory");
		goto out;
	}
	while (got < (size_t)st.st_size && (n = read(fd, *text + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	(*text)[got] = '\0';
	*len = got;
out:
	close(fd);
	return ret;
}

/*
 * Append @text[0..len) to @out with the first `<key> = <digits>;` (any
 * spaces) given @value instead.  Return the bytes written.
 */
static size_t set_version(char *out, const char *text, size_t len, const char *key, const char *value)
{
	const char *p = strstr(text, key), *q;
	size_t k = strlen(key), n;

	for (; p; p = strstr(p + 1, key)) {
		q = p + k;
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q++ != '=')
			continue;
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q < '0' || *q > '9')
			continue;
		while (*q >= '0' && *q <= '9')
			q++;
		if (*q != ';')
			continue;
		n = (size_t)(p - text);
		memcpy(out, text, n);
		n += (size_t)sprintf(out + n, "%s = %s", key, value);
		memcpy(out + n, q, len - (size_t)(q - text));
		return n + len - (size_t)(q - text);
	}
	memcpy(out, text, len);
	return len;
}

static int write_all(const char *file, const char *buf, size_t len, struct prof_error *err)
{
	int fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	ssize_t n;
	size_t done = 0;

	if (fd < 0)
		return prof_error_set(err, -errno, file, UINT64_MAX, "cannot create: %s", strerror(errno));
	while (done < len && (n = write(fd, buf + done, len - done)) > 0)
		done += (size_t)n;
	if (close(fd) < 0 || done < len)
		return prof_error_set(err, -EIO, file, UINT64_MAX, "cannot write");
	return 0;
}

#define MIRAGE_STREAM_MAX (256u << 20)

static int by_key(const void *a, const void *b)
{
	const struct prof__mirage_packet *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint64_t prof__mirage_order(const uint8_t *buf, uint64_t size, struct prof__mirage_packet *pk, int *in_order)
{
	uint8_t hdr[PROF_MIRAGE_HEADER];
	uint64_t off = 0, bits, n = 0, i;
	uint32_t lo = UINT32_MAX, hi = 0;

	*in_order = 1;
	while (off < size) {
		/* Copy, then check: the sizes must walk within the buffer. */
		if (size - off < PROF_MIRAGE_HEADER)
			return 0;
		memcpy(hdr, buf + off, sizeof(hdr));
		bits = le32(hdr + 20);
		if (le32(hdr) != 0xC1FC1FC1u || bits % 8 || bits / 8 < PROF_MIRAGE_HEADER || bits / 8 > size - off)
			return 0;
		pk[n].offset = off;
		pk[n].size = bits / 8;
		pk[n].key = (uint32_t)hdr[24] | (uint32_t)hdr[25] << 8;
		if (pk[n].key < lo)
			lo = pk[n].key;
		if (pk[n].key > hi)
			hi = pk[n].key;
		off += bits / 8;
		n++;
	}
	/* 16-bit counts that wrapped: the small ones came after the large ones. */
	for (i = 0; hi - lo > 0x8000u && i < n; i++)
		if (pk[i].key < 0x8000u)
			pk[i].key += 0x10000u;
	for (i = 1; i < n; i++)
		if (pk[i].key < pk[i - 1].key)
			*in_order = 0;
	if (!*in_order)
		qsort(pk, n, sizeof(*pk), by_key);
	return n;
}

/*
 * If @from (@size bytes, at most MIRAGE_STREAM_MAX) walks as packets whose
 * counts are out of order, write them in order to @to and return 1;
 * return 0 to link @from instead, or a negative errno.
 */
static int reorder(const char *from, uint64_t size, const char *to, struct prof_error *err)
{
	struct prof__mirage_packet *pk = NULL;
	uint8_t *buf = NULL;
	uint64_t n, i, got = 0;
	ssize_t r;
	int fd = -1, ret = 0, in_order;

	if (size == 0 || size > MIRAGE_STREAM_MAX)
		return 0;
	buf = malloc(size);
	pk = calloc(size / PROF_MIRAGE_HEADER + 1, sizeof(*pk));
	if (!buf || !pk) {
		ret = prof_error_set(err, -ENOMEM, from, UINT64_MAX, "out of memory");
		goto out;
	}
	fd = open(from, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto out;
	while (got < size && (r = read(fd, buf + got, size - got)) > 0)
		got += (uint64_t)r;
	if (got != size)
		goto out;
	n = prof__mirage_order(buf, size, pk, &in_order);
	if (n == 0 || in_order)
		goto out;
	close(fd);
	fd = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		ret = prof_error_set(err, -errno, to, UINT64_MAX, "cannot create: %s", strerror(errno));
		goto out;
	}
	for (i = 0; i < n && ret == 0; i++) {
		uint64_t done = 0;

		while (done < pk[i].size && (r = write(fd, buf + pk[i].offset + done, pk[i].size - done)) > 0)
			done += (uint64_t)r;
		if (done < pk[i].size)
			ret = prof_error_set(err, -EIO, to, UINT64_MAX, "cannot write");
	}
	if (ret == 0)
		ret = 1;
out:
	if (fd >= 0 && close(fd) < 0 && ret == 1)
		ret = prof_error_set(err, -EIO, to, UINT64_MAX, "cannot write");
	free(buf);
	free(pk);
	return ret;
}

/* Link (or copy in order) each stream file of @src (regular, no leading dot, not metadata) into @dst. */
static int link_streams(const char *src, const char *dst, struct prof_error *err)
{
	char from[PATH_MAX], to[PATH_MAX], *real;
	struct dirent *de;
	struct stat st;
	DIR *d = opendir(src);
	int ret = 0;

	if (!d)
		return prof_error_set(err, -errno, src, UINT64_MAX, "cannot read the directory: %s", strerror(errno));
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !strcmp(de->d_name, "metadata"))
			continue;
		if ((size_t)snprintf(from, sizeof(from), "%s/%s", src, de->d_name) >= sizeof(from) ||
		    (size_t)snprintf(to, sizeof(to), "%s/%s", dst, de->d_name) >= sizeof(to)) {
			ret = prof_error_set(err, -ENAMETOOLONG, src, UINT64_MAX, "path too long");
			break;
		}
		if (stat(from, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		ret = reorder(from, (uint64_t)st.st_size, to, err);
		if (ret) {
			if (ret < 0)
				break;
			ret = 0;
			continue;
		}
		real = realpath(from, NULL);
		if (!real) {
			ret = prof_error_set(err, -errno, from, UINT64_MAX, "cannot resolve: %s", strerror(errno));
			break;
		}
		if (symlink(real, to) < 0)
			ret = prof_error_set(err, -errno, to, UINT64_MAX, "cannot link: %s", strerror(errno));
		free(real);
		if (ret)
			break;
	}
	closedir(d);
	return ret;
}

/*
 * A mirage-profile buffer file on its own (mirage-profile-unix's mmapped
 * `trace.ctf`) has no metadata to read it with: say so.
 */
static int raw_buffer(const char *path, struct prof_error *err)
{
	static const uint8_t uuid[16] = { 0x05, 0x88, 0x3b, 0x8d, 0x52, 0x1a, 0x48, 0x7b,
					  0xb3, 0x97, 0x45, 0x6a, 0xb1, 0x50, 0x68, 0x0c };
	uint8_t hdr[20];
	struct stat st;
	int fd, ret = 0;

	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (read(fd, hdr, sizeof(hdr)) == (ssize_t)sizeof(hdr) && le32(hdr) == 0xC1FC1FC1u &&
	    memcmp(hdr + 4, uuid, sizeof(uuid)) == 0)
		ret = prof_error_set(err, -EINVAL, path, UINT64_MAX,
				     "a mirage-profile buffer without its metadata: put it in a directory with "
				     "mirage-profile's `metadata` file and read the directory");
	close(fd);
	return ret;
}

int prof__mirage_prepare(const char *path, char **dir, struct prof_error *err)
{
	const char *tmp = getenv("TMPDIR");
	char *text = NULL, *fixed = NULL, *d = NULL, file[PATH_MAX];
	size_t len = 0, n;
	int ret;

	*dir = NULL;
	ret = raw_buffer(path, err);
	if (ret)
		goto out;
	ret = read_metadata(path, &text, &len, err);
	if (ret || !text || !strstr(text, PROF_MIRAGE_UUID))
		goto out;
	/* Each replacement lengthens the text by at most its value's bytes. */
	fixed = malloc(2 * len + 16);
	d = malloc(2 * len + 16);
	if (!fixed || !d) {
		ret = prof_error_set(err, -ENOMEM, path, UINT64_MAX, "out of memory");
		goto out;
	}
	n = set_version(d, text, len, "major", "1");
	d[n] = '\0';
	n = set_version(fixed, d, n, "minor", "8");
	free(d);
	d = NULL;
	if (asprintf(&d, "%s/mprof-mirage.XXXXXX", tmp && *tmp ? tmp : "/tmp") < 0) {
		d = NULL;
		ret = prof_error_set(err, -ENOMEM, path, UINT64_MAX, "out of memory");
		goto out;
	}
	if (!mkdtemp(d)) {
		ret = prof_error_set(err, -errno, d, UINT64_MAX, "cannot create a directory for babeltrace2: %s",
				     strerror(errno));
		goto out;
	}
	snprintf(file, sizeof(file), "%s/metadata", d);
	ret = write_all(file, fixed, n, err);
	if (ret == 0)
		ret = link_streams(path, d, err);
	if (ret) {
		prof__mirage_remove(d);
		goto out;
	}
	*dir = d;
	d = NULL;
	ret = 1;
out:
	free(d);
	free(fixed);
	free(text);
	return ret;
}

void prof__mirage_remove(const char *dir)
{
	char file[PATH_MAX];
	struct dirent *de;
	DIR *d;

	if (!dir || !(d = opendir(dir)))
		return;
	/* Only what prof__mirage_prepare() made: a file and links. */
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if ((size_t)snprintf(file, sizeof(file), "%s/%s", dir, de->d_name) < sizeof(file))
			unlink(file);
	}
	closedir(d);
	rmdir(dir);
}
