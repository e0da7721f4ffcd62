/* SPDX-License-Identifier: MIT */
/*
 * posix/region.c - regions for Linux processes: anonymous memory, POSIX
 * shm, memfd or caller memory; attach from the environment; the thread
 * hooks (id, exit) the core needs.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "posix/posix.h"

struct prof_region {
	void *mem;
	size_t size;
	int fd;
	int mapped;      /* we munmap it */
	int attached;    /* we detach it */
	char shm_name[NAME_MAX + 1]; /* we shm_unlink it */
};

static pthread_key_t exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;

static void thread_exit(void *arg)
{
	(void)arg;
	prof_thread_release();
}

static void exit_key_create(void)
{
	pthread_key_create(&exit_key, thread_exit);
}

/* Called by the core when a thread claims a stream: also the moment to
 * arrange for the slot to be handed back at thread exit. */
static uint64_t posix_thread_id(void *ctx)
{
	(void)ctx;
	pthread_once(&exit_key_once, exit_key_create);
	pthread_setspecific(exit_key, (void *)1);
	return (uint64_t)syscall(SYS_gettid);
}

static const struct prof_platform posix_platform = {
	.now = prof__posix_monotonic_ns,
	.thread_id = posix_thread_id,
	.packet_closed = NULL,
	.ctx = NULL,
};

const struct prof_platform *prof__posix_platform(void)
{
	return &posix_platform;
}

PROF_EXPORT void prof_region_config_init(struct prof_region_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mode = PROF_MODE_DISCARD;
	cfg->packet_size = 64 * 1024;
	cfg->packets_per_stream = 16;
	cfg->stream_slots = 64;
	cfg->max_events = 256;
	cfg->backing = PROF_BACKING_ANON;
}

static int map_fd(int fd, size_t size, void **out)
{
	void *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (mem == MAP_FAILED)
		return -errno;
	*out = mem;
	return 0;
}

PROF_EXPORT int prof_region_open(struct prof_region **out, const struct prof_region_config *cfg,
				 struct prof_error *err)
{
	struct prof_region_header hdr;
	struct prof_region *r = NULL;
	int ret;

	*out = NULL;
	ret = prof_region_layout(cfg->mode, cfg->packet_size, cfg->packets_per_stream, cfg->stream_slots,
				 cfg->max_events, &hdr);
	if (ret)
		return prof_error_set(err, ret, NULL, UINT64_MAX,
				      "bad region configuration (packet size %u must be a power of two in "
				      "[256, 64 MiB], packets %u >= 2, streams %u in [1, %u], events %u in [1, %u])",
				      cfg->packet_size, cfg->packets_per_stream, cfg->stream_slots, PROF_MAX_STREAMS,
				      cfg->max_events, PROF_MAX_EVENTS);
	r = calloc(1, sizeof(*r));
	if (!r)
		return prof_error_set(err, -ENOMEM, NULL, UINT64_MAX, "out of memory");
	r->fd = -1;
	r->size = hdr.region_size;

	switch (cfg->backing) {
	case PROF_BACKING_ANON:
		r->mem = mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (r->mem == MAP_FAILED) {
			ret = prof_error_set(err, -errno, NULL, UINT64_MAX, "mmap of %zu bytes: %s", r->size,
					     strerror(errno));
			goto fail;
		}
		r->mapped = 1;
		break;
	case PROF_BACKING_MEMFD:
	case PROF_BACKING_SHM:
		if (cfg->backing == PROF_BACKING_MEMFD) {
			r->fd = memfd_create("mprof-region", MFD_CLOEXEC);
		} else {
			if (!cfg->name || cfg->name[0] != '/' || strlen(cfg->name) > NAME_MAX) {
				ret = prof_error_set(err, -EINVAL, cfg->name, UINT64_MAX,
						     "shm name must start with '/' and be at most %d bytes",
						     NAME_MAX);
				goto fail;
			}
			r->fd = shm_open(cfg->name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
			if (r->fd >= 0)
				snprintf(r->shm_name, sizeof(r->shm_name), "%s", cfg->name);
		}
		if (r->fd < 0) {
			ret = prof_error_set(err, -errno, cfg->name, UINT64_MAX, "creating the region: %s",
					     strerror(errno));
			goto fail;
		}
		if (ftruncate(r->fd, (off_t)r->size) != 0 || (ret = map_fd(r->fd, r->size, &r->mem)) != 0) {
			ret = prof_error_set(err, ret ? ret : -errno, cfg->name, UINT64_MAX,
					     "sizing or mapping %zu bytes: %s", r->size, strerror(errno));
			goto fail;
		}
		r->mapped = 1;
		break;
	case PROF_BACKING_MEMORY:
		if (!cfg->memory || cfg->memory_size < r->size || ((uintptr_t)cfg->memory & (PROF_PAGE_SIZE - 1))) {
			ret = prof_error_set(err, -EINVAL, NULL, UINT64_MAX,
					     "caller memory must be page-aligned and at least %zu bytes", r->size);
			goto fail;
		}
		r->mem = cfg->memory;
		memset(r->mem, 0, r->size);
		break;
	default:
		ret = prof_error_set(err, -EINVAL, NULL, UINT64_MAX, "unknown backing %d", (int)cfg->backing);
		goto fail;
	}

	if (getrandom(hdr.uuid, sizeof(hdr.uuid), 0) != (ssize_t)sizeof(hdr.uuid)) {
		ret = prof_error_set(err, -EIO, NULL, UINT64_MAX, "getrandom: %s", strerror(errno));
		goto fail;
	}
	hdr.uuid[6] = (uint8_t)((hdr.uuid[6] & 0x0f) | 0x40); /* RFC 4122 version 4 */
	hdr.uuid[8] = (uint8_t)((hdr.uuid[8] & 0x3f) | 0x80);
	prof_clock_calibrate(&hdr.clock);
	ret = prof_region_format(r->mem, r->size, &hdr);
	if (ret) {
		prof_error_set(err, ret, NULL, UINT64_MAX, "formatting the region failed");
		goto fail;
	}
	if (cfg->attach) {
		ret = prof_region_attach(r->mem, r->size, &posix_platform);
		if (ret) {
			prof_error_set(err, ret, NULL, UINT64_MAX, "attaching the region: %s", prof_strerror(ret));
			goto fail;
		}
		r->attached = 1;
	}
	*out = r;
	return 0;
fail:
	prof_region_close(r);
	return ret;
}

int prof__region_spec_parse(const char *spec, struct prof__region_spec *out, struct prof_error *err)
{
	char *endp;
	long fd;

	memset(out, 0, sizeof(*out));
	if (!spec || !*spec)
		return prof_error_set(err, -EINVAL, NULL, UINT64_MAX, "empty region name");
	if (strncmp(spec, "fd:", 3) == 0) {
		errno = 0;
		fd = strtol(spec + 3, &endp, 10);
		if (errno || endp == spec + 3 || *endp || fd < 0 || fd > INT_MAX)
			return prof_error_set(err, -EINVAL, spec, UINT64_MAX, "expected fd:<number>");
		out->kind = PROF__SPEC_FD;
		out->fd = (int)fd;
		return 0;
	}
	if (strncmp(spec, "shm:", 4) == 0) {
		out->name = spec + 4;
		if (out->name[0] != '/' || strlen(out->name) > NAME_MAX || strchr(out->name + 1, '/'))
			return prof_error_set(err, -EINVAL, spec, UINT64_MAX,
					      "expected shm:/<name> (one '/', at most %d bytes)", NAME_MAX);
		out->kind = PROF__SPEC_SHM;
		return 0;
	}
	if (strlen(spec) >= PATH_MAX)
		return prof_error_set(err, -EINVAL, NULL, UINT64_MAX, "region path longer than %d bytes", PATH_MAX);
	out->kind = PROF__SPEC_PATH;
	out->name = spec;
	return 0;
}

PROF_EXPORT int prof_region_map(struct prof_region **out, const char *spec, struct prof_error *err)
{
	struct prof__region_spec parsed;
	struct prof_region *r;
	struct stat st;
	int ret = 0;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return prof_error_set(err, -ENOMEM, spec, UINT64_MAX, "out of memory");
	r->fd = -1;
	ret = prof__region_spec_parse(spec, &parsed, err);
	if (ret)
		goto fail;
	switch (parsed.kind) {
	case PROF__SPEC_FD: r->fd = fcntl(parsed.fd, F_DUPFD_CLOEXEC, 0); break;
	case PROF__SPEC_SHM: r->fd = shm_open(parsed.name, O_RDWR | O_CLOEXEC, 0); break;
	default: r->fd = open(parsed.name, O_RDWR | O_CLOEXEC); break;
	}
	if (r->fd < 0) {
		ret = prof_error_set(err, -errno, spec, UINT64_MAX, "cannot open the region: %s", strerror(errno));
		goto fail;
	}
	if (fstat(r->fd, &st) != 0 || st.st_size < (off_t)PROF_PAGE_SIZE) {
		ret = prof_error_set(err, -EINVAL, spec, UINT64_MAX, "not a region: %lld bytes",
				     (long long)st.st_size);
		goto fail;
	}
	r->size = (size_t)st.st_size;
	ret = map_fd(r->fd, r->size, &r->mem);
	if (ret) {
		prof_error_set(err, ret, spec, UINT64_MAX, "mmap: %s", strerror(-ret));
		goto fail;
	}
	r->mapped = 1;
	*out = r;
	return 0;
fail:
	prof_region_close(r);
	return ret;
}

PROF_EXPORT void *prof_region_memory(const struct prof_region *r)
{
	return r->mem;
}

PROF_EXPORT size_t prof_region_size(const struct prof_region *r)
{
	return r->size;
}

PROF_EXPORT int prof_region_fd(const struct prof_region *r)
{
	return r->fd;
}

PROF_EXPORT void prof_region_close(struct prof_region *r)
{
	if (!r)
		return;
	if (r->attached)
		prof_region_detach();
	if (r->mapped && r->mem)
		munmap(r->mem, r->size);
	if (r->fd >= 0)
		close(r->fd);
	if (r->shm_name[0])
		shm_unlink(r->shm_name);
	free(r);
}

/* ---- Attaching the region named in the environment ---- */

static struct prof_region *env_region;
static pthread_once_t env_once = PTHREAD_ONCE_INIT;

PROF_EXPORT int prof_region_open_env(struct prof_error *err)
{
	const char *spec = getenv(PROF_REGION_ENV);
	struct prof_region *r = NULL;
	int ret;

	if (!spec)
		return prof_error_set(err, -ENOENT, PROF_REGION_ENV, UINT64_MAX, "not set");
	ret = prof_region_map(&r, spec, err);
	if (ret)
		return ret;
	ret = prof_region_attach(r->mem, r->size, &posix_platform);
	if (ret) {
		prof_error_set(err, ret, spec, UINT64_MAX, "cannot attach: %s",
			       ret == -EINVAL ? "not a valid mprof region" : prof_strerror(ret));
		prof_region_close(r);
		return ret;
	}
	r->attached = 1;
	env_region = r;
	return 0;
}

static void autoattach_once(void)
{
	struct prof_error err;

	if (!getenv(PROF_REGION_ENV))
		return;
	if (prof_region_open_env(&err) != 0) {
		char buf[600];

		/* Not fatal for the program: it runs untraced, and says why. */
		fprintf(stderr, "libprofile: %s\n", prof_error_format(&err, buf, sizeof(buf)));
	}
}

void prof__host_autoattach(void);
void prof__host_autoattach(void)
{
	pthread_once(&env_once, autoattach_once);
}

/* Referenced by the hosted core (core/stream.c) so that a static link
 * takes this file and its constructors. */
extern const char prof__posix_host_anchor;
const char prof__posix_host_anchor = 1;

/* Before any other constructor of a static link (priority 101): an event
 * first used by one still finds the region attached. */
__attribute__((constructor(101))) static void autoattach_hook_set(void)
{
	prof_host_set_attach_hook(prof__host_autoattach);
}

__attribute__((constructor)) static void autoattach_at_load(void)
{
	prof__host_autoattach();
}
