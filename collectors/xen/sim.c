/* SPDX-License-Identifier: MIT */
/*
 * collectors/xen/sim.c - a simulated grant table and XenStore (make check).
 *
 *   DIR/dom/<domid>/name          the domain's name
 *   DIR/dom/<domid>/state         running | shutdown | crashed (tests write it)
 *   DIR/dom/<domid>/xs/<key>      one file per XenStore key ('/' -> '.'),
 *                                 written to a temp file and renamed
 *   DIR/dom/<domid>/grants        the granted pages (a file: shared memory)
 *   DIR/dom/<domid>/grants.tab    the grant table: { ref, page, writable }
 *
 * Refs are not page numbers (ref = 8 + 2 * page + 1), so a collector that
 * confused the two would map the wrong pages.  Like Xen, mapping a page
 * writable that was granted read-only fails, and read-only pages are
 * mapped PROT_READ: a collector write there faults.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "profile/format.h"
#include "xen_transport.h"

struct sim {
	char *dir;
	uint32_t domid; /* a guest's own domain, 0 in dom0 */
};

struct sim_grant {
	uint32_t ref;
	uint32_t page;
	uint32_t writable;
};

static int path_of(char *buf, size_t size, const struct sim *s, uint32_t domid, const char *what)
{
	int n = snprintf(buf, size, "%s/dom/%u%s%s", s->dir, domid, what ? "/" : "", what ? what : "");

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static int read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size);
	close(fd);
	if (n < 0)
		return -errno;
	return (int)n;
}

static int write_atomic(const char *path, const char *data, size_t len)
{
	char tmp[4200];
	int fd, ret = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (write(fd, data, len) != (ssize_t)len)
		ret = -EIO;
	if (close(fd) != 0 && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path) != 0)
		ret = -errno;
	return ret;
}

static int key_path(char *buf, size_t size, const struct sim *s, uint32_t domid, const char *key)
{
	char k[256];
	size_t i;

	if (strlen(key) >= sizeof(k) - 4)
		return -ENAMETOOLONG;
	snprintf(k, sizeof(k), "xs/%s", key);
	for (i = 3; k[i]; i++)
		if (k[i] == '/')
			k[i] = '.';
	return path_of(buf, size, s, domid, k);
}

static int sim_list(void *ctx, uint32_t *domids, size_t max)
{
	struct sim *s = ctx;
	char path[4096];
	struct dirent *e;
	size_t n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/dom", s->dir);
	d = opendir(path);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d)) != NULL && n < max) {
		char *end;
		unsigned long v = strtoul(e->d_name, &end, 10);

		if (e->d_name[0] >= '1' && e->d_name[0] <= '9' && !*end && v < 0x7ff0)
			domids[n++] = (uint32_t)v;
	}
	closedir(d);
	return (int)n;
}

static int sim_info(void *ctx, uint32_t domid, char *name, size_t size, enum mprof_xen_dom_state *state)
{
	struct sim *s = ctx;
	char path[4096], buf[64];
	int n, i;

	*state = MPROF_XEN_DOM_GONE;
	name[0] = 0;
	path_of(path, sizeof(path), s, domid, "name");
	n = read_small(path, name, size - 1);
	if (n < 0)
		return n == -ENOENT ? 0 : n;
	name[n] = 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x21 || (unsigned char)name[i] >= 0x7f || name[i] == '/')
			name[i] = '_';
	path_of(path, sizeof(path), s, domid, "state");
	n = read_small(path, buf, sizeof(buf) - 1);
	if (n < 0)
		return n == -ENOENT ? 0 : n;
	buf[n] = 0;
	if (!strncmp(buf, "running", 7))
		*state = MPROF_XEN_DOM_RUNNING;
	else if (!strncmp(buf, "crashed", 7))
		*state = MPROF_XEN_DOM_CRASHED;
	else
		*state = MPROF_XEN_DOM_SHUTDOWN;
	return 0;
}

static int sim_read(void *ctx, uint32_t domid, const char *key, char *buf, size_t size)
{
	struct sim *s = ctx;
	char path[4096], one;
	int n, fd, ret;

	ret = key_path(path, sizeof(path), s, domid, key);
	if (ret)
		return ret;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = (int)read(fd, buf, size);
	if (n == (int)size && read(fd, &one, 1) == 1)
		n = -E2BIG;
	else if (n < 0)
		n = -errno;
	close(fd);
	return n;
}

/* Map @count pages of the grant file from its page @page at page @first of @mem. */
static int sim_map_run(uint8_t *mem, uint32_t first, uint32_t count, int rw, int fd, uint32_t page, const char *path,
		       struct prof_error *err)
{
	if (mmap(mem + (size_t)first * PROF_PAGE_SIZE, (size_t)count * PROF_PAGE_SIZE,
		 rw ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED | MAP_FIXED, fd,
		 (off_t)page * PROF_PAGE_SIZE) == MAP_FAILED)
		return prof_error_set(err, -errno, path, UINT64_MAX, "mapping pages %u..%u: %s", first,
				      first + count - 1, strerror(errno));
	return 0;
}

static int sim_map(void *ctx, uint32_t domid, const uint32_t *refs, uint32_t n, uint32_t rw_first, uint32_t rw_count,
		   void **out, struct prof_error *err)
{
	struct sim *s = ctx;
	struct sim_grant *tab = NULL;
	char path[4096];
	struct stat st;
	size_t ntab = 0;
	uint8_t *mem = MAP_FAILED;
	int fd = -1, tfd = -1, ret = 0, run_rw = 0;
	uint32_t i, run, run_page = 0;
	size_t j;

	*out = NULL;
	path_of(path, sizeof(path), s, domid, "grants.tab");
	tfd = open(path, O_RDONLY | O_CLOEXEC);
	if (tfd < 0 || fstat(tfd, &st) != 0 || st.st_size <= 0 || st.st_size > (off_t)(1u << 24)) {
		ret = prof_error_set(err, -EACCES, path, UINT64_MAX, "no grant table");
		goto out;
	}
	ntab = (size_t)st.st_size / sizeof(*tab);
	tab = malloc(ntab * sizeof(*tab));
	if (!tab || read(tfd, tab, ntab * sizeof(*tab)) != (ssize_t)(ntab * sizeof(*tab))) {
		ret = prof_error_set(err, -EIO, path, UINT64_MAX, "cannot read the grant table");
		goto out;
	}
	path_of(path, sizeof(path), s, domid, "grants");
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = prof_error_set(err, -errno, path, UINT64_MAX, "cannot open: %s", strerror(errno));
		goto out;
	}
	mem = mmap(NULL, (size_t)n * PROF_PAGE_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		ret = prof_error_set(err, -errno, path, UINT64_MAX, "mmap: %s", strerror(errno));
		goto out;
	}
	/* Each ref is looked for from the one after the last found (refs are
	 * usually granted in page order: one step each), and a run of pages
	 * whose grants are consecutive in the file, with one protection, is
	 * mapped at once. */
	for (i = 0, j = 0, run = 0; i < n; i++) {
		int rw = i >= rw_first && i - rw_first < rw_count;
		size_t k;

		for (k = 0; k < ntab && tab[j].ref != refs[i]; k++)
			j = j + 1 < ntab ? j + 1 : 0;
		if (k == ntab) {
			ret = prof_error_set(err, -ENOENT, path, UINT64_MAX, "ref %u (page %u) is not granted", refs[i], i);
			goto out;
		}
		if (rw && !tab[j].writable) {
			ret = prof_error_set(err, -EACCES, path, UINT64_MAX, "ref %u (page %u) is granted read-only",
					     refs[i], i);
			goto out;
		}
		if (run && (rw != run_rw || tab[j].page != run_page + run)) {
			ret = sim_map_run(mem, i - run, run, run_rw, fd, run_page, path, err);
			if (ret)
				goto out;
			run = 0;
		}
		if (!run) {
			run_rw = rw;
			run_page = tab[j].page;
		}
		run++;
		j = j + 1 < ntab ? j + 1 : 0;
	}
	if (run && (ret = sim_map_run(mem, n - run, run, run_rw, fd, run_page, path, err)) != 0)
		goto out;
	*out = mem;
	mem = MAP_FAILED;
out:
	if (mem != MAP_FAILED)
		munmap(mem, (size_t)n * PROF_PAGE_SIZE);
	if (fd >= 0)
		close(fd);
	if (tfd >= 0)
		close(tfd);
	free(tab);
	return ret;
}

static void sim_unmap(void *ctx, void *mem, uint32_t n)
{
	(void)ctx;
	if (mem)
		munmap(mem, (size_t)n * PROF_PAGE_SIZE);
}

static void sim_wait(void *ctx, int timeout_ms)
{
	struct timespec ts = { .tv_sec = timeout_ms / 1000, .tv_nsec = (long)(timeout_ms % 1000) * 1000000 };

	(void)ctx;
	nanosleep(&ts, NULL);
}

static int sim_share(void *ctx, uint32_t n, uint32_t rw_first, uint32_t rw_count, uint32_t *refs, void **mem, int *fd,
		     struct prof_error *err)
{
	struct sim *s = ctx;
	struct sim_grant *tab;
	char path[4096];
	void *m;
	uint32_t i;
	int ret;

	tab = calloc(n, sizeof(*tab));
	if (!tab)
		return prof_error_set(err, -ENOMEM, NULL, UINT64_MAX, "out of memory");
	path_of(path, sizeof(path), s, s->domid, "grants");
	*fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600); /* not close-on-exec: the program maps it */
	if (*fd < 0 || ftruncate(*fd, (off_t)n * PROF_PAGE_SIZE) != 0) {
		ret = prof_error_set(err, -errno, path, UINT64_MAX, "cannot create: %s", strerror(errno));
		goto fail;
	}
	m = mmap(NULL, (size_t)n * PROF_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
	if (m == MAP_FAILED) {
		ret = prof_error_set(err, -errno, path, UINT64_MAX, "mmap: %s", strerror(errno));
		goto fail;
	}
	for (i = 0; i < n; i++) {
		refs[i] = MPROF_XEN_SIM_REF_BASE + 2 * i + 1;
		tab[i].ref = refs[i];
		tab[i].page = i;
		tab[i].writable = i >= rw_first && i - rw_first < rw_count;
	}
	path_of(path, sizeof(path), s, s->domid, "grants.tab");
	ret = write_atomic(path, (const char *)tab, n * sizeof(*tab));
	if (ret) {
		munmap(m, (size_t)n * PROF_PAGE_SIZE);
		prof_error_set(err, ret, path, UINT64_MAX, "cannot write: %s", strerror(-ret));
		goto fail;
	}
	free(tab);
	*mem = m;
	return 0;
fail:
	free(tab);
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
	return ret;
}

/* As XenStore does, writing a/b/c creates a and a/b with empty values. */
static int sim_write(void *ctx, const char *key, const char *value)
{
	struct sim *s = ctx;
	char path[4096], parent[256];
	const char *slash;
	int ret;

	for (slash = strchr(key, '/'); slash; slash = strchr(slash + 1, '/')) {
		if ((size_t)(slash - key) >= sizeof(parent))
			return -ENAMETOOLONG;
		memcpy(parent, key, (size_t)(slash - key));
		parent[slash - key] = 0;
		ret = key_path(path, sizeof(path), s, s->domid, parent);
		if (ret)
			return ret;
		if (access(path, F_OK) != 0 && (ret = write_atomic(path, "", 0)) != 0)
			return ret;
	}
	ret = key_path(path, sizeof(path), s, s->domid, key);
	return ret ? ret : write_atomic(path, value, strlen(value));
}

static int sim_dom_write(void *ctx, uint32_t domid, const char *key, const char *value)
{
	struct sim *s = ctx;
	char path[4096];
	int ret = key_path(path, sizeof(path), s, domid, key);

	return ret ? ret : write_atomic(path, value, strlen(value));
}

static int sim_self_read(void *ctx, const char *key, char *buf, size_t size)
{
	return sim_read(ctx, ((struct sim *)ctx)->domid, key, buf, size);
}

static int sim_clear(void *ctx)
{
	struct sim *s = ctx;
	char path[4096];
	struct dirent *e;
	DIR *d;

	path_of(path, sizeof(path), s, s->domid, "xs");
	d = opendir(path);
	if (!d)
		return -errno;
	while ((e = readdir(d)) != NULL) {
		if (!strncmp(e->d_name, "data.mprof.", 11)) {
			char p[4400];

			snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
			unlink(p);
		}
	}
	closedir(d);
	return 0;
}

static void sim_close(void *ctx)
{
	struct sim *s = ctx;

	if (s)
		free(s->dir);
	free(s);
}

static const struct mprof_xen_transport sim_ops = {
	.kind = "sim",
	.list = sim_list,
	.info = sim_info,
	.read = sim_read,
	.map = sim_map,
	.unmap = sim_unmap,
	.dom_write = sim_dom_write,
	.wait = sim_wait,
	.share = sim_share,
	.write = sim_write,
	.self_read = sim_self_read,
	.clear = sim_clear,
	.close = sim_close,
};

uint32_t mprof_xen_sim_domid(const struct mprof_xen_transport *t)
{
	return ((const struct sim *)t->ctx)->domid;
}

int mprof_xen_sim_open(struct mprof_xen_transport *out, const char *dir, const char *guest_name,
		       struct prof_error *err)
{
	struct sim *s = calloc(1, sizeof(*s));
	char path[4096];
	uint32_t id;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (!s || !(s->dir = strdup(dir))) {
		ret = prof_error_set(err, -ENOMEM, dir, UINT64_MAX, "out of memory");
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/dom", dir);
	if ((mkdir(dir, 0755) != 0 && errno != EEXIST) || (mkdir(path, 0755) != 0 && errno != EEXIST)) {
		ret = prof_error_set(err, -errno, path, UINT64_MAX, "cannot create: %s", strerror(errno));
		goto fail;
	}
	if (guest_name) {
		/* A new domain: the first free domid (mkdir is atomic). */
		for (id = 1; id < 0x7ff0; id++) {
			path_of(path, sizeof(path), s, id, NULL);
			if (mkdir(path, 0755) == 0)
				break;
			if (errno != EEXIST) {
				ret = prof_error_set(err, -errno, path, UINT64_MAX, "cannot create: %s", strerror(errno));
				goto fail;
			}
		}
		s->domid = id;
		path_of(path, sizeof(path), s, id, "xs");
		if (mkdir(path, 0755) != 0) {
			ret = prof_error_set(err, -errno, path, UINT64_MAX, "cannot create: %s", strerror(errno));
			goto fail;
		}
		path_of(path, sizeof(path), s, id, "name");
		ret = write_atomic(path, guest_name, strlen(guest_name));
		if (!ret) {
			path_of(path, sizeof(path), s, id, "state");
			ret = write_atomic(path, "running", 7);
		}
		if (ret) {
			prof_error_set(err, ret, path, UINT64_MAX, "cannot write: %s", strerror(-ret));
			goto fail;
		}
	}
	*out = sim_ops;
	out->ctx = s;
	return 0;
fail:
	sim_close(s);
	return ret;
}
