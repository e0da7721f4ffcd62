/* SPDX-License-Identifier: MIT */
/*
 * collectors/xen/real.c - the transport on real Xen.
 *
 * XenStore through libxenstore and domain states through libxenctrl, both
 * loaded with dlopen() (mprof runs, and its tests pass, where Xen is
 * absent).  Grants through the kernel devices that libxengnttab and
 * libxengntshr wrap, /dev/xen/gntdev and /dev/xen/gntalloc: the region
 * must be one contiguous mapping whose consumer pages alone are writable,
 * and the libraries map each call's pages at an address of their own with
 * one protection.  So each side makes three grant operations (read-only,
 * writable, read-only) and maps them side by side (MAP_FIXED into a
 * reserved range).  In a guest, the first allocation on a fresh gntalloc
 * file has index 0, so the program maps the whole region with fd:N.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "profile/format.h"
#include "xen_transport.h"

#if defined(__has_include)
#if __has_include(<xenctrl.h>) && __has_include(<xenstore.h>)
#define HAVE_XEN_HEADERS 1
#endif
#endif

#ifndef HAVE_XEN_HEADERS

int mprof_xen_real_open(struct mprof_xen_transport *out, int guest, struct prof_error *err)
{
	(void)guest;
	memset(out, 0, sizeof(*out));
	return prof_error_set(err, -ENOTSUP, NULL, UINT64_MAX,
			      "this mprof was built without the Xen headers (libxen-dev): only --sim works");
}

#else

#include <xenctrl.h>
#include <xenstore.h>

/*
 * The Linux gntdev and gntalloc ioctls (include/uapi/xen/gntdev.h,
 * gntalloc.h: a stable kernel ABI), declared here because libxen-dev's
 * headers of the same names clash with the kernel's.
 */
struct gntdev_grant_ref {
	uint32_t domid;
	uint32_t ref;
};
struct gntdev_map_grant_ref {
	uint32_t count;
	uint32_t pad;
	uint64_t index;
	struct gntdev_grant_ref refs[];
};
struct gntdev_unmap_grant_ref {
	uint64_t index;
	uint32_t count;
	uint32_t pad;
};
/* The kernel's structs end in a one-element array: sizes 24 and 24. */
#define GNTDEV_MAP_GRANT_REF _IOC(_IOC_NONE, 'G', 0, 24)
#define GNTDEV_UNMAP_GRANT_REF _IOC(_IOC_NONE, 'G', 1, sizeof(struct gntdev_unmap_grant_ref))
struct gntalloc_alloc_gref {
	uint16_t domid;
	uint16_t flags;
	uint32_t count;
	uint64_t index;
	uint32_t gref_ids[];
};
#define GNTALLOC_ALLOC_GREF _IOC(_IOC_NONE, 'G', 5, 24)
#define GNTALLOC_WRITABLE 1

struct xs_api {
	struct xs_handle *(*open)(unsigned long flags);
	void (*close)(struct xs_handle *h);
	void *(*read)(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned int *len);
	bool (*write)(struct xs_handle *h, xs_transaction_t t, const char *path, const void *data, unsigned int len);
	char **(*directory)(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned int *num);
	bool (*rm)(struct xs_handle *h, xs_transaction_t t, const char *path);
};

struct xc_api {
	xc_interface *(*open)(xentoollog_logger *logger, xentoollog_logger *dombuild_logger, unsigned open_flags);
	int (*close)(xc_interface *xch);
	int (*getinfo)(xc_interface *xch, uint32_t first_domid, unsigned int max_doms, xc_dominfo_t *info);
};

/* One mapped region: three gntdev maps side by side. */
struct mapping {
	void *mem;
	uint32_t n;
	uint64_t index[3];
	uint32_t count[3];
	struct mapping *next;
};

struct real {
	void *xs_lib, *xc_lib;
	struct xs_api xs;
	struct xc_api xc;
	struct xs_handle *h;
	xc_interface *xch;
	int gntdev, gntalloc;
	struct mapping *maps;
};

static int sym(void *lib, const char *name, void *fn, const char *libname, struct prof_error *err)
{
	void *p = dlsym(lib, name);

	if (!p)
		return prof_error_set(err, -ENOTSUP, libname, UINT64_MAX, "no symbol %s", name);
	memcpy(fn, &p, sizeof(p));
	return 0;
}

static int dom_path(struct real *r, uint32_t domid, const char *key, char *buf, size_t size)
{
	int n = snprintf(buf, size, "/local/domain/%u/%s", domid, key);

	(void)r;
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static int real_list(void *ctx, uint32_t *domids, size_t max)
{
	struct real *r = ctx;
	unsigned int num = 0, i;
	char **ents = r->xs.directory(r->h, XBT_NULL, "/local/domain", &num);
	size_t n = 0;

	if (!ents)
		return -errno;
	for (i = 0; i < num && n < max; i++) {
		char *end;
		unsigned long v = strtoul(ents[i], &end, 10);

		if (!*end && v > 0 && v < DOMID_FIRST_RESERVED)
			domids[n++] = (uint32_t)v;
	}
	free(ents);
	return (int)n;
}

static int real_info(void *ctx, uint32_t domid, char *name, size_t size, enum mprof_xen_dom_state *state)
{
	struct real *r = ctx;
	xc_dominfo_t info;
	char path[128];
	unsigned int len = 0, i;
	char *v;

	*state = MPROF_XEN_DOM_GONE;
	name[0] = 0;
	if (r->xc.getinfo(r->xch, domid, 1, &info) != 1 || info.domid != domid)
		return 0;
	dom_path(r, domid, "name", path, sizeof(path));
	v = r->xs.read(r->h, XBT_NULL, path, &len);
	if (v) {
		for (i = 0; i < len && i + 1 < size; i++)
			name[i] = (unsigned char)v[i] < 0x21 || (unsigned char)v[i] >= 0x7f || v[i] == '/' ? '_' : v[i];
		name[i] = 0;
		free(v);
	}
	if (info.dying)
		*state = MPROF_XEN_DOM_GONE;
	else if (info.crashed || (info.shutdown && info.shutdown_reason == SHUTDOWN_crash))
		*state = MPROF_XEN_DOM_CRASHED;
	else if (info.shutdown)
		*state = MPROF_XEN_DOM_SHUTDOWN;
	else
		*state = MPROF_XEN_DOM_RUNNING;
	return 0;
}

static int real_read_path(struct real *r, const char *path, char *buf, size_t size)
{
	unsigned int len = 0;
	char *v = r->xs.read(r->h, XBT_NULL, path, &len);
	int ret;

	if (!v)
		return errno == ENOENT ? -ENOENT : -(errno ? errno : EIO);
	if (len > size)
		ret = -E2BIG;
	else {
		memcpy(buf, v, len);
		ret = (int)len;
	}
	free(v);
	return ret;
}

static int real_read(void *ctx, uint32_t domid, const char *key, char *buf, size_t size)
{
	struct real *r = ctx;
	char path[256];
	int ret = dom_path(r, domid, key, path, sizeof(path));

	return ret ? ret : real_read_path(r, path, buf, size);
}

static int real_self_read(void *ctx, const char *key, char *buf, size_t size)
{
	return real_read_path(ctx, key, buf, size); /* relative: this domain's home */
}

static int real_write(void *ctx, const char *key, const char *value)
{
	struct real *r = ctx;

	return r->xs.write(r->h, XBT_NULL, key, value, (unsigned int)strlen(value)) ? 0 : -(errno ? errno : EIO);
}

static int real_dom_write(void *ctx, uint32_t domid, const char *key, const char *value)
{
	struct real *r = ctx;
	char path[256];
	int ret = dom_path(r, domid, key, path, sizeof(path));

	return ret ? ret : real_write(ctx, path, value);
}

static int real_clear(void *ctx)
{
	struct real *r = ctx;

	return r->xs.rm(r->h, XBT_NULL, "data/mprof") ? 0 : -(errno ? errno : EIO);
}

static void gntdev_unmap_index(struct real *r, uint64_t index, uint32_t count)
{
	struct gntdev_unmap_grant_ref u = { .index = index, .count = count };

	if (count)
		ioctl(r->gntdev, GNTDEV_UNMAP_GRANT_REF, &u);
}

static int real_map(void *ctx, uint32_t domid, const uint32_t *refs, uint32_t n, uint32_t rw_first,
		    uint32_t rw_count, void **out, struct prof_error *err)
{
	struct real *r = ctx;
	struct mapping *m = calloc(1, sizeof(*m));
	uint32_t start[3] = { 0, rw_first, rw_first + rw_count };
	uint8_t *mem = MAP_FAILED;
	int ret = 0, k;

	*out = NULL;
	if (!m)
		return prof_error_set(err, -ENOMEM, NULL, UINT64_MAX, "out of memory");
	if (rw_first > n || rw_count > n - rw_first) {
		ret = prof_error_set(err, -EINVAL, NULL, UINT64_MAX, "writable pages outside the region");
		goto fail;
	}
	m->count[0] = rw_first;
	m->count[1] = rw_count;
	m->count[2] = n - rw_first - rw_count;
	mem = mmap(NULL, (size_t)n * PROF_PAGE_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		ret = prof_error_set(err, -errno, NULL, UINT64_MAX, "mmap: %s", strerror(errno));
		goto fail;
	}
	for (k = 0; k < 3; k++) {
		struct gntdev_map_grant_ref *op;
		uint32_t i;

		if (!m->count[k])
			continue;
		op = calloc(1, sizeof(*op) + m->count[k] * sizeof(op->refs[0]));
		if (!op) {
			ret = prof_error_set(err, -ENOMEM, NULL, UINT64_MAX, "out of memory");
			goto fail;
		}
		op->count = m->count[k];
		for (i = 0; i < m->count[k]; i++) {
			op->refs[i].domid = domid;
			op->refs[i].ref = refs[start[k] + i];
		}
		if (ioctl(r->gntdev, GNTDEV_MAP_GRANT_REF, op) != 0) {
			ret = prof_error_set(err, -errno, "/dev/xen/gntdev", UINT64_MAX, "mapping %u refs: %s",
					     m->count[k], strerror(errno));
			free(op);
			m->count[k] = 0;
			goto fail;
		}
		m->index[k] = op->index;
		free(op);
		if (mmap(mem + (size_t)start[k] * PROF_PAGE_SIZE, (size_t)m->count[k] * PROF_PAGE_SIZE,
			 k == 1 ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED | MAP_FIXED, r->gntdev,
			 (off_t)m->index[k]) == MAP_FAILED) {
			ret = prof_error_set(err, -errno, "/dev/xen/gntdev", UINT64_MAX,
					     "mmap of %u granted pages (%s): %s", m->count[k],
					     k == 1 ? "writable" : "read-only", strerror(errno));
			goto fail;
		}
	}
	m->mem = mem;
	m->n = n;
	m->next = r->maps;
	r->maps = m;
	*out = mem;
	return 0;
fail:
	if (mem != MAP_FAILED)
		munmap(mem, (size_t)n * PROF_PAGE_SIZE);
	for (k = 0; k < 3; k++)
		gntdev_unmap_index(r, m->index[k], m->count[k]);
	free(m);
	return ret;
}

static void real_unmap(void *ctx, void *mem, uint32_t n)
{
	struct real *r = ctx;
	struct mapping **pp, *m;
	int k;

	for (pp = &r->maps; (m = *pp) != NULL; pp = &m->next)
		if (m->mem == mem)
			break;
	if (!m)
		return;
	*pp = m->next;
	munmap(mem, (size_t)n * PROF_PAGE_SIZE);
	for (k = 0; k < 3; k++)
		gntdev_unmap_index(r, m->index[k], m->count[k]);
	free(m);
}

static void real_wait(void *ctx, int timeout_ms)
{
	struct timespec ts = { .tv_sec = timeout_ms / 1000, .tv_nsec = (long)(timeout_ms % 1000) * 1000000 };

	(void)ctx;
	nanosleep(&ts, NULL);
}

static int real_share(void *ctx, uint32_t n, uint32_t rw_first, uint32_t rw_count, uint32_t *refs, void **mem,
		      int *fd, struct prof_error *err)
{
	struct real *r = ctx;
	uint32_t start[3] = { 0, rw_first, rw_first + rw_count }, count[3];
	void *m;
	int k;

	count[0] = rw_first;
	count[1] = rw_count;
	count[2] = n - rw_first - rw_count;
	*fd = -1;
	/* A fresh gntalloc file per region: its first allocation is at offset 0. */
	r->gntalloc = open("/dev/xen/gntalloc", O_RDWR); /* not close-on-exec: the program maps it */
	if (r->gntalloc < 0)
		return prof_error_set(err, -errno, "/dev/xen/gntalloc", UINT64_MAX,
				      "cannot open: %s (modprobe xen-gntalloc; run in a Xen guest)", strerror(errno));
	for (k = 0; k < 3; k++) {
		struct gntalloc_alloc_gref *op;

		if (!count[k])
			continue;
		op = calloc(1, sizeof(*op) + count[k] * sizeof(op->gref_ids[0]));
		if (!op)
			return prof_error_set(err, -ENOMEM, NULL, UINT64_MAX, "out of memory");
		op->domid = 0;
		op->flags = k == 1 ? GNTALLOC_WRITABLE : 0;
		op->count = count[k];
		if (ioctl(r->gntalloc, GNTALLOC_ALLOC_GREF, op) != 0) {
			int e = errno;

			free(op);
			return prof_error_set(err, -e, "/dev/xen/gntalloc", UINT64_MAX, "granting %u pages: %s",
					      count[k], strerror(e));
		}
		if (op->index != (uint64_t)start[k] * PROF_PAGE_SIZE) {
			unsigned long long index = op->index;

			free(op);
			return prof_error_set(err, -EPROTO, "/dev/xen/gntalloc", UINT64_MAX,
					      "pages not consecutive in the file (index %llu)", index);
		}
		memcpy(refs + start[k], op->gref_ids, count[k] * sizeof(*refs));
		free(op);
	}
	m = mmap(NULL, (size_t)n * PROF_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, r->gntalloc, 0);
	if (m == MAP_FAILED)
		return prof_error_set(err, -errno, "/dev/xen/gntalloc", UINT64_MAX, "mmap: %s", strerror(errno));
	memset(m, 0, (size_t)n * PROF_PAGE_SIZE);
	*mem = m;
	*fd = r->gntalloc;
	return 0;
}

static void real_close(void *ctx)
{
	struct real *r = ctx;

	if (!r)
		return;
	while (r->maps)
		real_unmap(r, r->maps->mem, r->maps->n);
	if (r->h)
		r->xs.close(r->h);
	if (r->xch)
		r->xc.close(r->xch);
	if (r->gntdev >= 0)
		close(r->gntdev);
	if (r->gntalloc >= 0)
		close(r->gntalloc);
	if (r->xs_lib)
		dlclose(r->xs_lib);
	if (r->xc_lib)
		dlclose(r->xc_lib);
	free(r);
}

static const struct mprof_xen_transport real_ops = {
	.kind = "xen",
	.list = real_list,
	.info = real_info,
	.read = real_read,
	.map = real_map,
	.unmap = real_unmap,
	.dom_write = real_dom_write,
	.wait = real_wait,
	.share = real_share,
	.write = real_write,
	.self_read = real_self_read,
	.clear = real_clear,
	.close = real_close,
};

int mprof_xen_real_open(struct mprof_xen_transport *out, int guest, struct prof_error *err)
{
	struct real *r = calloc(1, sizeof(*r));
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (!r)
		return prof_error_set(err, -ENOMEM, NULL, UINT64_MAX, "out of memory");
	r->gntdev = r->gntalloc = -1;
	r->xs_lib = dlopen("libxenstore.so.4", RTLD_NOW | RTLD_LOCAL);
	if (!r->xs_lib) {
		ret = prof_error_set(err, -ENOTSUP, "libxenstore.so.4", UINT64_MAX, "cannot load it (apt-get install "
				     "libxenstore4): %s", dlerror());
		goto fail;
	}
	if ((ret = sym(r->xs_lib, "xs_open", &r->xs.open, "libxenstore", err)) ||
	    (ret = sym(r->xs_lib, "xs_close", &r->xs.close, "libxenstore", err)) ||
	    (ret = sym(r->xs_lib, "xs_read", &r->xs.read, "libxenstore", err)) ||
	    (ret = sym(r->xs_lib, "xs_write", &r->xs.write, "libxenstore", err)) ||
	    (ret = sym(r->xs_lib, "xs_directory", &r->xs.directory, "libxenstore", err)) ||
	    (ret = sym(r->xs_lib, "xs_rm", &r->xs.rm, "libxenstore", err)))
		goto fail;
	r->h = r->xs.open(0);
	if (!r->h) {
		ret = prof_error_set(err, -(errno ? errno : ENOENT), "xenstore", UINT64_MAX,
				     "cannot connect: %s (not a Xen domain, or xenfs not mounted?)", strerror(errno));
		goto fail;
	}
	if (!guest) {
		r->xc_lib = dlopen("libxenctrl.so.4.17", RTLD_NOW | RTLD_LOCAL);
		if (!r->xc_lib)
			r->xc_lib = dlopen("libxenctrl.so", RTLD_NOW | RTLD_LOCAL);
		if (!r->xc_lib) {
			ret = prof_error_set(err, -ENOTSUP, "libxenctrl", UINT64_MAX, "cannot load it: %s", dlerror());
			goto fail;
		}
		if ((ret = sym(r->xc_lib, "xc_interface_open", &r->xc.open, "libxenctrl", err)) ||
		    (ret = sym(r->xc_lib, "xc_interface_close", &r->xc.close, "libxenctrl", err)) ||
		    (ret = sym(r->xc_lib, "xc_domain_getinfo", &r->xc.getinfo, "libxenctrl", err)))
			goto fail;
		r->xch = r->xc.open(NULL, NULL, 0);
		if (!r->xch) {
			ret = prof_error_set(err, -(errno ? errno : EACCES), "libxenctrl", UINT64_MAX,
					     "xc_interface_open: %s (dom0 only)", strerror(errno));
			goto fail;
		}
		r->gntdev = open("/dev/xen/gntdev", O_RDWR | O_CLOEXEC);
		if (r->gntdev < 0) {
			ret = prof_error_set(err, -errno, "/dev/xen/gntdev", UINT64_MAX,
					     "cannot open: %s (modprobe xen-gntdev)", strerror(errno));
			goto fail;
		}
	}
	*out = real_ops;
	out->ctx = r;
	return 0;
fail:
	real_close(r);
	return ret;
}

#endif
