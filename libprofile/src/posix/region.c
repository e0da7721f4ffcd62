/* SPDX-License-Identifier: MIT */
/*
 * posix/region.c - regions for Linux processes: anonymous memory, POSIX
 * shm, memfd or caller memory; attach from the environment; the thread
 * hooks (id, exit) the core needs.
 *
 * Attaching from the environment (MPROF_REGION), once per process image:
 *
 *   fd:N, shm:/name   map the region named; it is shared by every process
 *                     that inherits the name, so a child forked without
 *                     exec() detaches (it would write into its parent's
 *                     open packets) and runs untraced.
 *   sock:PATH         connect to the recorder (SOCK_SEQPACKET), send a
 *                     struct prof_hello, receive the reply and, by
 *                     SCM_RIGHTS, a memfd region of this process's own;
 *                     keep the connection open: its end (exit, crash,
 *                     exec) tells the recorder the process is done.
 *
 *   parent ---- hello(pid, name) ---->  mprof record
 *          <--- reply + memfd ------    (creates region, trace dir later)
 *   fork() child: drop the inherited writers and mapping, close the
 *          inherited connection, hello(flags FORKED) ----> its own region
 *
 * A region the program opened and attached itself (prof_region_open() with
 * attach) is detached in a forked child too, which then runs untraced.
 *
 * The fork handlers hold the core lock across fork(), so the child never
 * inherits it held by a thread that does not exist there.
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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/internal.h"
#include "posix/posix.h"

struct prof_region {
	void *mem;
	size_t size;
	int fd;
	int conn;        /* sock: the connection to the recorder, or -1 */
	int mapped;      /* we munmap it */
	int attached;    /* we detach it */
	char shm_name[NAME_MAX + 1]; /* we shm_unlink it */
};

static void fork_hooks_once(void);

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
	r->conn = -1;
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
	if (cfg->clock)
		hdr.clock = *cfg->clock;
	else
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
		fork_hooks_once(); /* a forked child must not write into it */
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
	if (strncmp(spec, "sock:", 5) == 0) {
		out->name = spec + 5;
		if (out->name[0] != '/' || strlen(out->name) >= sizeof(((struct sockaddr_un *)0)->sun_path))
			return prof_error_set(err, -EINVAL, spec, UINT64_MAX,
					      "expected sock:/<absolute path> (under %zu bytes)",
					      sizeof(((struct sockaddr_un *)0)->sun_path));
		out->kind = PROF__SPEC_SOCK;
		return 0;
	}
	if (strlen(spec) >= PATH_MAX)
		return prof_error_set(err, -EINVAL, NULL, UINT64_MAX, "region path longer than %d bytes", PATH_MAX);
	out->kind = PROF__SPEC_PATH;
	out->name = spec;
	return 0;
}

/* The program's name for the recorder: what it was started as. */
static void hello_name(char *buf, size_t size)
{
	const char *n = program_invocation_short_name; /* glibc: <errno.h>, _GNU_SOURCE */

	snprintf(buf, size, "%s", n && n[0] ? n : "process");
}

/*
 * sock:PATH - say hello to the recorder; on success r->conn is the open
 * connection and r->fd the region's memfd.  Blocking, with a timeout on
 * each step so that a stopped recorder cannot hang the program for ever.
 */
static int sock_hello(struct prof_region *r, const char *spec, const char *path, uint32_t flags,
		      struct prof_error *err)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 30 };
	struct prof_hello hello = { .magic = PROF_HELLO_MAGIC, .version = PROF_HELLO_VERSION };
	struct prof_hello_reply reply = { 0 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov = { .iov_base = &reply, .iov_len = sizeof(reply) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
			      .msg_controllen = sizeof(ctl.buf) };
	struct cmsghdr *c;
	ssize_t n;

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	r->conn = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (r->conn < 0)
		return prof_error_set(err, -errno, spec, UINT64_MAX, "socket: %s", strerror(errno));
	if (setsockopt(r->conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
	    setsockopt(r->conn, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0)
		return prof_error_set(err, -errno, spec, UINT64_MAX, "setsockopt: %s", strerror(errno));
	while (connect(r->conn, (struct sockaddr *)&addr, sizeof(addr)) != 0)
		if (errno != EINTR)
			return prof_error_set(err, -errno, spec, UINT64_MAX, "cannot reach the recorder: %s",
					      strerror(errno));
	hello.pid = (uint32_t)getpid();
	hello.flags = flags;
	hello_name(hello.name, sizeof(hello.name));
	do
		n = send(r->conn, &hello, sizeof(hello), MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(hello))
		return prof_error_set(err, n < 0 ? -errno : -EIO, spec, UINT64_MAX, "saying hello to the recorder: %s",
				      n < 0 ? strerror(errno) : "short send");
	do
		n = recvmsg(r->conn, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	for (c = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL; c; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(&r->fd, CMSG_DATA(c), sizeof(int));
	if (n != (ssize_t)sizeof(reply) || reply.magic != PROF_HELLO_MAGIC)
		return prof_error_set(err, n < 0 ? -errno : -EPROTO, spec, UINT64_MAX,
				      "no answer from the recorder: %s",
				      n < 0 ? strerror(errno) : n == 0 ? "it closed the connection" : "bad reply");
	if (reply.status != 0)
		return prof_error_set(err, reply.status < 0 ? reply.status : -EPROTO, spec, UINT64_MAX,
				      "the recorder gave no region: %s", strerror(-reply.status));
	if (r->fd < 0)
		return prof_error_set(err, -EPROTO, spec, UINT64_MAX, "the recorder sent no region");
	return 0;
}

static int region_map_flags(struct prof_region **out, const char *spec, uint32_t hello_flags,
			    struct prof_error *err)
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
	r->conn = -1;
	ret = prof__region_spec_parse(spec, &parsed, err);
	if (ret)
		goto fail;
	switch (parsed.kind) {
	case PROF__SPEC_FD: r->fd = fcntl(parsed.fd, F_DUPFD_CLOEXEC, 0); break;
	case PROF__SPEC_SHM: r->fd = shm_open(parsed.name, O_RDWR | O_CLOEXEC, 0); break;
	case PROF__SPEC_SOCK:
		ret = sock_hello(r, spec, parsed.name, hello_flags, err);
		if (ret)
			goto fail;
		break;
	default: r->fd = open(parsed.name, O_RDWR | O_CLOEXEC); break;
	}
	if (r->fd < 0) {
		ret = prof_error_set(err, -errno, spec, UINT64_MAX, "cannot open the region: %s", strerror(errno));
		goto fail;
	}
	if (fstat(r->fd, &st) != 0) {
		ret = prof_error_set(err, -errno, spec, UINT64_MAX, "fstat: %s", strerror(errno));
		goto fail;
	}
	if (st.st_size == 0 && S_ISCHR(st.st_mode)) {
		/* A device with no size (a Xen guest's /dev/xen/gntalloc, from
		 * `mprof share --xen`): the region's own header says how big
		 * it is.  Our own region, made by our own share; still bounded. */
		struct prof_region_header h;
		void *first = mmap(NULL, PROF_PAGE_SIZE, PROT_READ, MAP_SHARED, r->fd, 0);

		if (first == MAP_FAILED) {
			ret = prof_error_set(err, -errno, spec, UINT64_MAX, "mmap: %s", strerror(errno));
			goto fail;
		}
		memcpy(&h, first, sizeof(h));
		munmap(first, PROF_PAGE_SIZE);
		st.st_size = h.region_size % PROF_PAGE_SIZE || h.region_size > ((uint64_t)1 << 32) ? 0
			   : (off_t)h.region_size;
	}
	if (st.st_size < (off_t)PROF_PAGE_SIZE) {
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

PROF_EXPORT int prof_region_map(struct prof_region **out, const char *spec, struct prof_error *err)
{
	return region_map_flags(out, spec, 0, err);
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
	if (r->conn >= 0)
		close(r->conn);
	if (r->shm_name[0])
		shm_unlink(r->shm_name);
	free(r);
}

/* ---- Attaching the region named in the environment ---- */

/*
 * The region attached from the environment.  Never freed (it lives as long
 * as the process) and read by the fork handlers, so it stays reachable: a
 * pointer that was only stored could be optimised away, and LeakSanitizer
 * would report the region as leaked at exit.
 */
static struct prof_region *env_region;
static char env_spec[PATH_MAX + 8]; /* the spec it came from, for a forked child */
static pthread_once_t env_once = PTHREAD_ONCE_INIT;
static pthread_once_t fork_once = PTHREAD_ONCE_INIT;
static int fork_locked; /* the prepare handler holds the core lock */

static int env_attach(const char *spec, uint32_t hello_flags, struct prof_error *err)
{
	struct prof_region *r = NULL;
	int ret;

	ret = region_map_flags(&r, spec, hello_flags, err);
	if (ret)
		return ret;
	ret = prof_region_attach(r->mem, r->size, &posix_platform);
	if (ret) {
		prof_error_set(err, ret, spec, UINT64_MAX, "cannot attach: %s",
			       ret == -EINVAL ? "not a valid mprof region" :
			       ret == -EBUSY ? "this process already has a region attached" : prof_strerror(ret));
		prof_region_close(r);
		return ret;
	}
	r->attached = 1;
	env_region = r;
	return 0;
}

static void fork_prepare(void)
{
	/* Nobody registers an event or claims a slot while the address space
	 * is copied.  -EDEADLK: fork() from a signal handler that interrupted
	 * libprofile on this thread, which holds the lock already. */
	fork_locked = prof__lock() == 0;
}

static void fork_parent(void)
{
	if (fork_locked)
		prof__unlock();
}

static void fork_child(void)
{
	struct prof_region *old = env_region;
	struct prof_error err;

	if (fork_locked)
		prof__unlock();
	if (!old) {
		/* A region the program opened and attached itself (or none):
		 * the child forgets it; the parent's prof_region stays its. */
		prof_region_detach();
		return;
	}
	/* Forget the parent's region without writing a byte into it: the
	 * writers (this thread's among them) point into its open packets. */
	env_region = NULL;
	prof_region_detach();
	old->attached = 0;
	prof_region_close(old); /* our copies of its mapping, fd and connection */
	if (strncmp(env_spec, "sock:", 5) != 0)
		return; /* a shared region: the child runs untraced */
	/* A region of our own; attaching republishes every event we know. */
	if (env_attach(env_spec, PROF_HELLO_FORKED, &err) != 0) {
		char buf[600];

		fprintf(stderr, "libprofile: pid %d after fork: %s\n", (int)getpid(),
			prof_error_format(&err, buf, sizeof(buf)));
	}
}

static void fork_hooks_install(void)
{
	pthread_atfork(fork_prepare, fork_parent, fork_child);
}

static void fork_hooks_once(void)
{
	pthread_once(&fork_once, fork_hooks_install);
}

PROF_EXPORT int prof_region_open_env(struct prof_error *err)
{
	const char *spec = getenv(PROF_REGION_ENV);
	int ret;

	if (!spec)
		return prof_error_set(err, -ENOENT, PROF_REGION_ENV, UINT64_MAX, "not set");
	if (strlen(spec) >= sizeof(env_spec))
		return prof_error_set(err, -EINVAL, PROF_REGION_ENV, UINT64_MAX, "longer than %zu bytes",
				      sizeof(env_spec) - 1);
	if (env_region)
		return prof_error_set(err, -EBUSY, spec, UINT64_MAX, "already attached");
	ret = env_attach(spec, 0, err);
	if (ret)
		return ret;
	snprintf(env_spec, sizeof(env_spec), "%s", spec);
	fork_hooks_once();
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

/* The host's one autoattach entry point (the core calls it at first use). */
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
