/* SPDX-License-Identifier: MIT */
/*
 * CTF trace directory writer.
 *
 *   DIR/
 *     metadata         TSDL text (metadata.c); replaced whole, atomically
 *     .metadata.tmp    only while a new version is being written
 *     stream_<slot>    the packets of stream slot <slot>, appended in the
 *                      order the reader delivered them, nothing else
 *
 * The directory must be new or empty: a trace is never mixed with an older
 * one.  A new metadata version is written to the temporary file, synced,
 * then renamed over `metadata` and the directory synced, so a reader (or a
 * crash) sees the old version or the new one, never a mix.  Since the
 * schema only grows, a newer metadata describes every packet already
 * written.
 *
 * Stream files are opened on a stream's first packet and written with
 * plain write(2), one packet per call sequence, so they always hold whole
 * packets: if a write fails half-way the file is truncated back to the
 * last whole packet.  prof_ctf_writer_close() syncs every file and the
 * directory.  The writer does not validate packets beyond their length;
 * the region reader that feeds it already did.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include "ctf/ctf_private.h"
#include "profile/ctf.h"

#define METADATA_NAME "metadata"
#define METADATA_TMP ".metadata.tmp"

struct stream_file {
	int fd;        /* -1 until the stream's first packet */
	uint64_t size; /* bytes of whole packets written */
	uint64_t put;  /* bytes of the packet put past them (prof_ctf_writer_put()), or 0 */
	uint8_t *map;  /* a window of the file (MAP_SHARED), or NULL ... */
	uint64_t map_off, map_len; /* ... and where it is */
	uint64_t chunks_started;   /* write_behind(): chunks whose writeback was started */
};

/* The file window prof_ctf_writer_put() maps: remapped only when a packet
 * leaves it, so about a hundred mmap calls a GB. */
#define PUT_WINDOW (8u << 20)

/* write_behind()'s chunk, and how many whole chunks stay cached. */
#define BEHIND_CHUNK (8u << 20)
#define BEHIND_CACHED 2u

struct prof_ctf_writer {
	int dirfd;
	char *dir;                    /* for messages */
	struct stream_file *streams;  /* PROF_MAX_STREAMS entries */
	char *metadata;               /* the text last written, or NULL */
	size_t metadata_len;
	int first_err;                /* first failure, returned by close */
	int no_map;                   /* the file system cannot map the files: put reads back into buf */
	uint8_t *buf;
	size_t buf_size;
};

/* Write the @n pieces of @iov whole (short writes and EINTR resumed). */
static int writev_all(int fd, struct iovec *iov, int n)
{
	while (n > 0) {
		ssize_t w = writev(fd, iov, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (w == 0)
			return -EIO;
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

static int write_all(int fd, const void *buf, size_t len)
{
	struct iovec iov = { (void *)(uintptr_t)buf, len };

	return writev_all(fd, &iov, 1);
}

static void note_error(struct prof_ctf_writer *w, int ret)
{
	if (ret < 0 && !w->first_err)
		w->first_err = ret;
}

/* -EEXIST if @dirfd holds anything but . and .. */
static int check_empty(int dirfd)
{
	struct dirent *de;
	DIR *d;
	int fd, ret = 0;

	fd = dup(dirfd);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		ret = -errno;
		close(fd);
		return ret;
	}
	errno = 0;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
			ret = -EEXIST;
			break;
		}
	}
	if (!de && errno)
		ret = -errno;
	closedir(d);
	return ret;
}

PROF_EXPORT int prof_ctf_writer_open(struct prof_ctf_writer **out, const char *dir, struct prof_error *err)
{
	static const char incomplete_text[] =
		"This trace was not closed by its writer (mprof record stopped or failed): it may end early.\n";
	struct prof_ctf_writer *w = NULL;
	uint32_t i;
	int ret, fd;

	if (!out || !dir || !dir[0])
		return prof_error_set(err, -EINVAL, dir, UINT64_MAX, "no trace directory given");
	*out = NULL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return prof_error_set(err, -ENOMEM, dir, UINT64_MAX, "out of memory");
	w->dirfd = -1;
	w->dir = strdup(dir);
	w->streams = malloc(PROF_MAX_STREAMS * sizeof(*w->streams));
	if (!w->dir || !w->streams) {
		ret = prof_error_set(err, -ENOMEM, dir, UINT64_MAX, "out of memory");
		goto fail;
	}
	for (i = 0; i < PROF_MAX_STREAMS; i++) {
		w->streams[i] = (struct stream_file){ .fd = -1 };
	}

	if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
		ret = prof_error_set(err, -errno, dir, UINT64_MAX, "cannot create the trace directory: %s",
				     strerror(errno));
		goto fail;
	}
	w->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (w->dirfd < 0) {
		ret = prof_error_set(err, -errno, dir, UINT64_MAX, "cannot open the trace directory: %s",
				     strerror(errno));
		goto fail;
	}
	ret = check_empty(w->dirfd);
	if (ret == -EEXIST) {
		prof_error_set(err, ret, dir, UINT64_MAX, "the directory is not empty; refusing to mix traces");
		goto fail;
	} else if (ret) {
		prof_error_set(err, ret, dir, UINT64_MAX, "cannot list the directory: %s", strerror(-ret));
		goto fail;
	}
	/* Until a clean close, the trace says it may be cut short. */
	fd = openat(w->dirfd, PROF_CTF_INCOMPLETE_MARKER, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || write_all(fd, incomplete_text, sizeof(incomplete_text) - 1) != 0) {
		ret = -errno;
		prof_error_set(err, ret, dir, UINT64_MAX, "cannot create %s: %s", PROF_CTF_INCOMPLETE_MARKER,
			       strerror(errno));
		if (fd >= 0)
			close(fd);
		goto fail;
	}
	close(fd);
	*out = w;
	return 0;

fail:
	if (w->dirfd >= 0)
		close(w->dirfd);
	free(w->streams);
	free(w->dir);
	free(w);
	return ret;
}

PROF_EXPORT int prof_ctf_writer_metadata(struct prof_ctf_writer *w, const struct prof_trace_desc *desc,
					 struct prof_error *err)
{
	char *text = NULL;
	int fd = -1, len, ret;

	if (!w)
		return prof_error_set(err, -EINVAL, NULL, UINT64_MAX, "no writer");
	len = prof_ctf_metadata(desc, NULL, 0);
	if (len < 0)
		return prof_error_set(err, len, w->dir, UINT64_MAX,
				      "cannot describe the trace in TSDL (bad byte order, clock or schema)");
	text = malloc((size_t)len + 1);
	if (!text) {
		ret = prof_error_set(err, -ENOMEM, w->dir, UINT64_MAX, "out of memory");
		goto out;
	}
	prof_ctf_metadata(desc, text, (size_t)len + 1);
	if (w->metadata && w->metadata_len == (size_t)len && memcmp(w->metadata, text, (size_t)len) == 0) {
		ret = 0;
		goto out;
	}

	fd = openat(w->dirfd, METADATA_TMP, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0) {
		ret = prof_error_set(err, -errno, w->dir, UINT64_MAX, "cannot create %s: %s", METADATA_TMP,
				     strerror(errno));
		goto out;
	}
	ret = write_all(fd, text, (size_t)len);
	if (!ret && fsync(fd) < 0)
		ret = -errno;
	if (close(fd) < 0 && !ret)
		ret = -errno;
	fd = -1;
	if (!ret && renameat(w->dirfd, METADATA_TMP, w->dirfd, METADATA_NAME) < 0)
		ret = -errno;
	if (ret) {
		unlinkat(w->dirfd, METADATA_TMP, 0);
		prof_error_set(err, ret, w->dir, UINT64_MAX, "cannot write %s: %s", METADATA_NAME, strerror(-ret));
		goto out;
	}
	/* The rename is durable once the directory is. */
	if (fsync(w->dirfd) < 0) {
		ret = prof_error_set(err, -errno, w->dir, UINT64_MAX, "cannot sync the directory: %s",
				     strerror(errno));
		goto out;
	}
	free(w->metadata);
	w->metadata = text;
	w->metadata_len = (size_t)len;
	text = NULL;
out:
	free(text);
	note_error(w, ret);
	return ret;
}

/*
 * write_behind() - after stream @s grew: start the writeback of each chunk
 * of BEHIND_CHUNK bytes as it fills, and drop from the page cache the
 * chunk BEHIND_CACHED behind it (its pages are clean by then, or being
 * written, which the advice leaves alone).  A trace is written once and
 * read later: without this, a long recording fills memory with dirty
 * pages, the kernel's writeback starts late and all at once, and every
 * new page is memory not touched before (which on a virtual machine can
 * cost more than the copy into it).  With it, the writer keeps about
 * (BEHIND_CACHED + 1) chunks a stream in the page cache, reusing the
 * pages it frees.  (LTTng's consumer daemon does the same per
 * sub-buffer.)  Advice only: a failure here shows at the close's fsync.
 */
static void write_behind(struct stream_file *s)
{
	uint64_t whole = s->size / BEHIND_CHUNK;

	while (s->chunks_started < whole) {
		uint64_t c = s->chunks_started++;

		(void)sync_file_range(s->fd, (off_t)(c * BEHIND_CHUNK), BEHIND_CHUNK, SYNC_FILE_RANGE_WRITE);
		/* Never a chunk prof_ctf_writer_put()'s window still maps. */
		if (c >= BEHIND_CACHED && (!s->map || (c - BEHIND_CACHED + 1) * BEHIND_CHUNK <= s->map_off))
			(void)posix_fadvise(s->fd, (off_t)((c - BEHIND_CACHED) * BEHIND_CHUNK), BEHIND_CHUNK,
					    POSIX_FADV_DONTNEED);
	}
}

/* Create stream @stream's file at its first packet.  Read-write, for
 * prof_ctf_writer_put()'s mapping; appending, so that the file's end is
 * always s->size between calls. */
static int stream_open(struct prof_ctf_writer *w, uint32_t stream)
{
	struct stream_file *s = &w->streams[stream];
	char name[32];

	if (s->fd >= 0)
		return 0;
	snprintf(name, sizeof(name), "stream_%u", stream);
	s->fd = openat(w->dirfd, name, O_RDWR | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0666);
	return s->fd < 0 ? -errno : 0;
}

/* Cut stream @s's file back to its whole packets (after a failed or
 * dropped write). */
static void stream_cut(struct prof_ctf_writer *w, struct stream_file *s)
{
	if (ftruncate(s->fd, (off_t)s->size) < 0)
		note_error(w, -errno);
	s->put = 0;
}

/* Before a packet of @len bytes on @stream: check the arguments, open the
 * file, cut a packet left put; *@out is the stream.  -EINVAL is not
 * remembered; an open's failure is. */
static int stream_next(struct prof_ctf_writer *w, uint32_t stream, size_t len, struct stream_file **out)
{
	int ret;

	if (!w || stream >= PROF_MAX_STREAMS || len < PROF_PACKET_HEADER_SIZE || len > PROF_MAX_PACKET_SIZE)
		return -EINVAL;
	*out = &w->streams[stream];
	ret = stream_open(w, stream);
	if (ret) {
		note_error(w, ret);
		return ret;
	}
	if ((*out)->put)
		stream_cut(w, *out);
	return 0;
}

/*
 * stream_map() - map the window of stream @s's file that holds the @len
 * bytes past its whole packets, unless the window mapped holds them:
 * PUT_WINDOW bytes from the page where they start (more for a packet
 * larger than that); beyond the file's end is mapped but never touched.
 * Return: 0 or the mmap's negative errno.
 */
static int stream_map(struct stream_file *s, size_t len)
{
	uint64_t end = s->size + len, page, off, maplen;
	void *m;

	if (s->map && s->size >= s->map_off && end <= s->map_off + s->map_len)
		return 0;
	page = (uint64_t)sysconf(_SC_PAGESIZE);
	off = s->size / page * page;
	maplen = end - off > PUT_WINDOW ? (end - off + page - 1) / page * page : PUT_WINDOW;
	if (s->map)
		munmap(s->map, (size_t)s->map_len);
	s->map = NULL;
	m = mmap(NULL, (size_t)maplen, PROT_READ | PROT_WRITE, MAP_SHARED, s->fd, (off_t)off);
	if (m == MAP_FAILED)
		return -errno;
	s->map = m;
	s->map_off = off;
	s->map_len = maplen;
	return 0;
}

/*
 * put_read_back() - prof_ctf_writer_put() where the file cannot be mapped:
 * the @len bytes just appended to stream @s are read back into the
 * writer's buffer, which is the copy; prof_ctf_writer_keep() then writes
 * the buffer over them (normalisation changed it).  Three copies instead
 * of one, and still no user-space read of the shared source.
 */
static int put_read_back(struct prof_ctf_writer *w, struct stream_file *s, size_t len, uint8_t **copy)
{
	size_t got = 0;
	int ret = 0;

	if (len > w->buf_size) {
		uint8_t *b = realloc(w->buf, len);

		if (!b) {
			ret = -ENOMEM;
			goto fail;
		}
		w->buf = b;
		w->buf_size = len;
	}
	while (got < len) {
		ssize_t n = pread(s->fd, w->buf + got, len - got, (off_t)(s->size + got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			goto fail;
		}
		got += (size_t)n;
	}
	*copy = w->buf;
	return 0;
fail:
	stream_cut(w, s);
	return ret;
}

PROF_EXPORT int prof_ctf_writer_put(struct prof_ctf_writer *w, uint32_t stream, const uint8_t *src, size_t len,
				    uint8_t **copy)
{
	struct stream_file *s;
	int ret;

	if (!src || !copy)
		return -EINVAL;
	ret = stream_next(w, stream, len, &s);
	if (ret)
		return ret;
	/* The kernel's copy, out of the shared region into the page cache. */
	ret = write_all(s->fd, src, len);
	if (ret) {
		stream_cut(w, s);
		goto out;
	}
	s->put = len;
	ret = w->no_map ? -ENODEV : stream_map(s, len);
	if (ret == -ENODEV) {
		/* A file system that cannot map files (FUSE in direct I/O
		 * mode): read back instead, from now on. */
		w->no_map = 1;
		ret = put_read_back(w, s, len, copy);
	} else if (ret) {
		stream_cut(w, s);
	} else {
		*copy = s->map + (s->size - s->map_off);
	}
out:
	note_error(w, ret);
	return ret;
}

PROF_EXPORT int prof_ctf_writer_keep(struct prof_ctf_writer *w, uint32_t stream, size_t len)
{
	struct stream_file *s;

	if (!w || stream >= PROF_MAX_STREAMS)
		return -EINVAL;
	s = &w->streams[stream];
	if (!s->put || len < PROF_PACKET_HEADER_SIZE || len > s->put)
		return -EINVAL;
	if (w->no_map) {
		/* The buffer, normalised, replaces the bytes put. */
		int ret = ftruncate(s->fd, (off_t)s->size) < 0 ? -errno : write_all(s->fd, w->buf, len);

		if (ret) {
			note_error(w, ret);
			return ret;
		}
	} else if (len < s->put && ftruncate(s->fd, (off_t)(s->size + len)) < 0) {
		/* Normalisation shortened it (a peeked packet): cut the rest. */
		int ret = -errno;

		note_error(w, ret);
		return ret;
	}
	s->size += len;
	s->put = 0;
	write_behind(s);
	return 0;
}

PROF_EXPORT void prof_ctf_writer_drop(struct prof_ctf_writer *w, uint32_t stream)
{
	if (w && stream < PROF_MAX_STREAMS && w->streams[stream].put)
		stream_cut(w, &w->streams[stream]);
}

static int store_put(void *arg, uint32_t stream, const uint8_t *src, size_t len, uint8_t **copy)
{
	return prof_ctf_writer_put(arg, stream, src, len, copy);
}

static int store_keep(void *arg, uint32_t stream, size_t len, const struct prof_packet_info *info)
{
	(void)info;
	return prof_ctf_writer_keep(arg, stream, len);
}

static void store_drop(void *arg, uint32_t stream)
{
	prof_ctf_writer_drop(arg, stream);
}

PROF_EXPORT const struct prof_packet_store prof_ctf_writer_store = { store_put, store_keep, store_drop };

PROF_EXPORT int prof_ctf_writer_packet(struct prof_ctf_writer *w, uint32_t stream, const uint8_t *pkt,
				       size_t len)
{
	return prof_ctf_writer_packet_header(w, stream, NULL, pkt, len);
}

PROF_EXPORT int prof_ctf_writer_packet_header(struct prof_ctf_writer *w, uint32_t stream,
					      const struct prof_packet_header *hdr, const uint8_t *pkt, size_t len)
{
	struct iovec iov[2];
	struct stream_file *s;
	int ret;

	if (!pkt)
		return -EINVAL;
	ret = stream_next(w, stream, len, &s);
	if (ret)
		return ret;
	/* The header (@hdr's, or the packet's own), then the rest. */
	iov[0].iov_base = (void *)(uintptr_t)(hdr ? (const uint8_t *)hdr : pkt);
	iov[0].iov_len = sizeof(*hdr);
	iov[1].iov_base = (void *)(uintptr_t)(pkt + sizeof(*hdr));
	iov[1].iov_len = len - sizeof(*hdr);
	ret = writev_all(s->fd, iov, 2);
	if (ret) {
		/* Keep the file a sequence of whole packets.  Should even
		 * that fail, a reader stops at the partial packet and says so. */
		note_error(w, ret);
		if (ftruncate(s->fd, (off_t)s->size) < 0)
			note_error(w, -errno);
		goto out;
	}
	s->size += len;
	write_behind(s);
out:
	note_error(w, ret);
	return ret;
}

PROF_EXPORT int prof_ctf_writer_sink(void *arg, uint32_t stream, const uint8_t *pkt, size_t len,
				     const struct prof_packet_info *info)
{
	(void)info;
	return prof_ctf_writer_packet(arg, stream, pkt, len);
}

/* Sync and close every file; remove the incomplete marker only if @whole
 * and nothing failed.  Frees @w.  Returns the first error. */
static int writer_finish(struct prof_ctf_writer *w, int whole)
{
	uint32_t i;
	int ret;

	for (i = 0; i < PROF_MAX_STREAMS; i++) {
		if (w->streams[i].fd < 0)
			continue;
		if (w->streams[i].put)
			stream_cut(w, &w->streams[i]);
		if (w->streams[i].map)
			munmap(w->streams[i].map, (size_t)w->streams[i].map_len);
		if (fsync(w->streams[i].fd) < 0)
			note_error(w, -errno);
		if (close(w->streams[i].fd) < 0)
			note_error(w, -errno);
		w->streams[i].fd = -1;
	}
	/* Everything is on disk: the trace is whole. */
	if (whole && w->first_err == 0 && unlinkat(w->dirfd, PROF_CTF_INCOMPLETE_MARKER, 0) < 0)
		note_error(w, -errno);
	if (fsync(w->dirfd) < 0)
		note_error(w, -errno);
	close(w->dirfd);
	ret = w->first_err;
	free(w->metadata);
	free(w->streams);
	free(w->buf);
	free(w->dir);
	free(w);
	return ret;
}

void prof__ctf_writer_no_map(struct prof_ctf_writer *w)
{
	w->no_map = 1;
}

PROF_EXPORT size_t prof_ctf_writer_memory(const struct prof_ctf_writer *w)
{
	if (!w)
		return 0;
	return sizeof(*w) + strlen(w->dir) + 1 + PROF_MAX_STREAMS * sizeof(*w->streams) + w->metadata_len;
}

PROF_EXPORT int prof_ctf_writer_close(struct prof_ctf_writer *w)
{
	return w ? writer_finish(w, 1) : 0;
}

PROF_EXPORT int prof_ctf_writer_abandon(struct prof_ctf_writer *w)
{
	return w ? writer_finish(w, 0) : 0;
}
