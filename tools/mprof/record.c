/* SPDX-License-Identifier: MIT */
/*
 * tools/mprof/record.c - `mprof record -o DIR -- PROG ARGS...`
 *
 * One region per process.  record listens on a unix socket in a private
 * (0700) temporary directory and runs the program with
 * MPROF_REGION=sock:PATH.  Every process of the tree that loads libprofile
 * connects at load (or after fork(), see posix/region.c), says hello (its
 * name), and receives a memfd region of its own.  record drains each
 * region into its own trace, DIR/<name>-<pid>/, created at its hello (or,
 * for a child forked without exec(), at its first packet: one that execs
 * at once and records nothing leaves no empty trace behind).  When a
 * process's connection ends (exit, crash, SIGKILL, exec), one last drain
 * and a scrape of every stream's open packet recover each event it
 * completed: the producer release-stores a packet's content size after
 * every event.
 *
 *   PROG ----+--- fork ---> child         mprof record (poll loop)
 *     |      |                |            listen socket: accept, hello
 *   hello  region A        hello ------>   region B (memfd, SCM_RIGHTS)
 *     v      v                v            drain every period:
 *   DIR/prog-100/          DIR/prog-101/   A -> DIR/prog-100, B -> ...
 *
 * record ends when the program it started has exited, every process that
 * connected has closed its connection, and no descendant is left (record
 * is a child subreaper: orphans of the tree become its children).  A
 * signal that stops the recording after the program has exited (SIGINT,
 * SIGTERM, SIGHUP) writes what the remaining processes recorded so far.
 *
 * DIR itself carries the incomplete marker until the recording ends
 * cleanly; each trace carries its own until its process ended and its
 * trace was closed.  Every exit path that is not a clean end abandons the
 * writers (the markers stay).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "profile/profile.h"
#include "record.h"

enum proc_state { PROC_HELLO, PROC_LIVE, PROC_DONE };

/* One process that connected. */
struct proc {
	struct proc *next;
	enum proc_state state;
	int conn;                       /* the connection, -1 once closed */
	pid_t pid;                      /* from the kernel (SO_PEERCRED) */
	int forked;                     /* said hello after fork() */
	int still_running;              /* the recording stopped before it ended */
	int refused;                    /* asked for a region, got none */
	char name[PROF_HELLO_NAME_MAX]; /* sanitised */
	char *dir;                      /* DIR/<name>-<pid>, once its trace exists */
	struct prof_region *region;
	struct prof_region_reader *reader;
	struct prof_ctf_writer *writer; /* opened at hello; if forked, at the first packet */
	struct prof_trace_desc desc;    /* as last written (schema, counts) */
	int have_metadata;
	struct prof_drain_stats stats;  /* final once DONE */
	struct prof_region_counts counts; /* likewise: the region-level counts */
	struct prof_schema_problem problems[8]; /* unusable schema records, named */
	size_t nproblems;               /* how many there were (may exceed 8) */
	int error;                      /* writing its trace failed */
};

struct recorder {
	const struct record_options *o;
	const char *dir;
	int dir_created;                /* record made DIR (a failed start removes it) */
	char sockdir[96];               /* $TMPDIR (at most 64 bytes)/mprof-record.XXXXXX */
	char sockpath[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int listen_fd;
	struct proc *procs;             /* in order of connection */
	struct proc **tail;
	pid_t child;
	int child_pidfd;
	int child_exited;
	int status;
	int refused;                    /* processes that asked and got no region */
	struct prof_clock_desc clock;   /* one calibration for every region */
};

/* What the signal handler saw, per signal: sent by a process (forward it)
 * or by the kernel (the terminal, to the whole foreground process group:
 * the program has it already). */
static volatile sig_atomic_t sig_from_user[NSIG];
static volatile sig_atomic_t sig_from_kernel[NSIG];
/* The signals record catches; each is forwarded to the program while it
 * runs (docs/mprof.1, SIGNALS). */
static const int forwarded_signals[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM, SIGWINCH };
/* Ignored by record (errors instead), restored for the program. */
static const int ignored_signals[] = { SIGPIPE, SIGXFSZ };

/* The open-files limit mprof record was started with: the program's. */
static struct rlimit program_nofile = { RLIM_INFINITY, RLIM_INFINITY };

static void on_signal(int sig, siginfo_t *si, void *uctx)
{
	(void)uctx;
	if (sig <= 0 || sig >= NSIG)
		return;
	if (si && si->si_code <= 0) /* SI_USER, SI_QUEUE, SI_TKILL: a process sent it */
		sig_from_user[sig] = 1;
	else
		sig_from_kernel[sig] = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mprof record -o DIR [options] -- PROG [ARGS...]\n"
		"  -o, --output DIR        directory to create (must not hold files); one trace\n"
		"                          per recorded process: DIR/<name>-<pid>/\n"
		"  -m, --mode MODE         discard (default: drop and count when full) or\n"
		"                          overwrite (flight recorder: keep the newest)\n"
		"  -s, --packet-size N     bytes per packet, a power of two (default 512K)\n"
		"  -n, --packets N         packets per stream (default 32)\n"
		"  -t, --streams N         stream slots per process, one per thread (default 64)\n"
		"  -e, --max-events N      distinct events per process (default 256)\n"
		"  -p, --period MS         wait between drains when idle, ms (default 10)\n"
		"  -q, --quiet             no summary on stderr (warnings about loss remain)\n"
		"      --sockets           trace the program's TCP sockets (LD_PRELOAD of\n"
		"                          libmprof_sockets.so; docs/PROBES.md)\n"
		"      --tcp-info MS       with --sockets: TCP_INFO sample interval per\n"
		"                          connection (default 100; 0 every call; off)\n"
		"Exit status: the program's (128+N if killed by signal N); mprof's own\n"
		"failures: 2 usage, 3 bad input, 4 system error, 5 program not started.\n");
}

/* ---- One process's trace ---- */

/* What the reader has seen of a process's region so far: its drain
 * statistics, region-level counts (as its trace carries them) and the
 * unusable schema records by name.  Kept in the proc, so the summary can
 * use them after the reader is closed. */
static void proc_take_stats(struct proc *p)
{
	prof_region_reader_stats(p->reader, &p->stats);
	prof_region_reader_counts(p->reader, &p->counts);
	p->nproblems = prof_region_reader_schema_problems(p->reader, p->problems,
							  sizeof(p->problems) / sizeof(p->problems[0]));
}

static void proc_counts(const struct proc *p, struct prof_region_counts *c)
{
	*c = p->counts;
}

/* Where a trace came from, for its env: this host, the process's name
 * and pid, its command line (the program's own arguments for the program
 * record started; /proc/PID/cmdline for the others, as far as it can be
 * read) and mprof's version. */
static void proc_origin(const struct recorder *rec, struct proc *p)
{
	struct prof_trace_origin *o = &p->desc.origin;
	char path[64];
	size_t len = 0;
	int fd;

	memset(o, 0, sizeof(*o));
	if (gethostname(o->hostname, sizeof(o->hostname)) != 0)
		o->hostname[0] = 0;
	o->hostname[sizeof(o->hostname) - 1] = 0;
	snprintf(o->procname, sizeof(o->procname), "%s", p->name);
	o->pid = (uint64_t)p->pid;
	snprintf(o->version, sizeof(o->version), "%s", PROF_VERSION_STRING);
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)p->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, o->cmdline, sizeof(o->cmdline) - 1);

		len = n > 0 ? (size_t)n : 0;
		close(fd);
	}
	if (!len && p->pid == rec->child) {
		for (char **a = rec->o->argv; *a && len + 1 < sizeof(o->cmdline); a++)
			len += (size_t)snprintf(o->cmdline + len, sizeof(o->cmdline) - len, "%s%s", len ? " " : "", *a);
		len = len < sizeof(o->cmdline) ? len : sizeof(o->cmdline) - 1;
	}
	o->cmdline[len] = 0;
	/* Arguments joined by spaces; only printable characters are kept. */
	while (len > 0 && o->cmdline[len - 1] == 0)
		o->cmdline[--len] = 0;
	for (size_t i = 0; i < len; i++)
		if (o->cmdline[i] == 0)
			o->cmdline[i] = ' ';
		else if ((unsigned char)o->cmdline[i] < 0x20 || o->cmdline[i] == 0x7f)
			o->cmdline[i] = '?';
}

/* (Re)write the metadata when the schema or the counts changed (the
 * writer replaces the file atomically). */
static int proc_metadata(struct proc *p)
{
	const struct prof_schema *schema = prof_region_reader_schema(p->reader);
	struct prof_region_counts counts;
	struct prof_error err;
	char buf[600];
	int ret;

	proc_take_stats(p);
	proc_counts(p, &counts);
	if (p->have_metadata && schema->count == p->desc.schema.count &&
	    !memcmp(&counts, &p->desc.counts, sizeof(counts)))
		return 0;
	p->desc.schema = *schema;
	p->desc.counts = counts;
	ret = prof_ctf_writer_metadata(p->writer, &p->desc, &err);
	if (ret)
		mprof_error("record", "%s", prof_error_format(&err, buf, sizeof(buf)));
	else
		p->have_metadata = 1;
	return ret;
}

/* Create DIR/<name>-<pid> (with a suffix should a pid come back under the
 * same name: exec() of the same program). */
static int proc_open_trace(struct recorder *rec, struct proc *p)
{
	struct prof_error err;
	char buf[600];
	int ret = -EEXIST;
	unsigned i;

	for (i = 1; i < 100 && ret == -EEXIST; i++) {
		size_t len = strlen(rec->dir) + strlen(p->name) + 32;

		free(p->dir);
		p->dir = malloc(len);
		if (!p->dir) {
			mprof_error("record", "out of memory");
			return -ENOMEM;
		}
		if (i == 1)
			snprintf(p->dir, len, "%s/%s-%d", rec->dir, p->name, (int)p->pid);
		else
			snprintf(p->dir, len, "%s/%s-%d.%u", rec->dir, p->name, (int)p->pid, i);
		ret = prof_ctf_writer_open(&p->writer, p->dir, &err);
	}
	if (ret) {
		mprof_error("record", "%s", prof_error_format(&err, buf, sizeof(buf)));
		return ret;
	}
	return 0;
}

struct sink_ctx {
	struct recorder *rec;
	struct proc *p;
};

/* The trace is created with its first packet. */
static int proc_writer(struct sink_ctx *c)
{
	return c->p->writer ? 0 : proc_open_trace(c->rec, c->p);
}

/* The sink of the final scrape's open packets. */
static int proc_sink(void *arg, uint32_t stream, const uint8_t *pkt, size_t len, const struct prof_packet_info *info)
{
	struct sink_ctx *c = arg;
	int ret = proc_writer(c);

	return ret ? ret : prof_ctf_writer_sink(c->p->writer, stream, pkt, len, info);
}

/* The drain's store: complete packets go from the region straight into
 * the stream files (one copy, the kernel's), and are checked there. */
static int proc_put(void *arg, uint32_t stream, const uint8_t *src, size_t len, uint8_t **copy)
{
	struct sink_ctx *c = arg;
	int ret = proc_writer(c);

	return ret ? ret : prof_ctf_writer_put(c->p->writer, stream, src, len, copy);
}

static int proc_keep(void *arg, uint32_t stream, size_t len, const struct prof_packet_info *info)
{
	struct sink_ctx *c = arg;

	(void)info;
	return prof_ctf_writer_keep(c->p->writer, stream, len);
}

static void proc_drop(void *arg, uint32_t stream)
{
	struct sink_ctx *c = arg;

	prof_ctf_writer_drop(c->p->writer, stream);
}

static const struct prof_packet_store proc_store = { proc_put, proc_keep, proc_drop };

/* Take every complete packet; with @final (the process is gone, or the
 * recording stops), its open packets too.  @packets (may be NULL) receives
 * how many complete packets were taken. */
static int proc_drain(struct recorder *rec, struct proc *p, int final, int *packets)
{
	struct sink_ctx c = { rec, p };
	int ret;

	ret = prof_region_reader_drain_into(p->reader, &proc_store, &c);
	if (packets)
		*packets = ret > 0 ? ret : 0;
	if (ret >= 0 && final)
		ret = prof_region_reader_scrape(p->reader, proc_sink, &c);
	if (ret < 0) {
		mprof_error("record", "%s: writing the trace: %s", p->dir ? p->dir : rec->dir, prof_strerror(ret));
		p->error = 1;
		return ret;
	}
	proc_take_stats(p);
	if (final && !p->writer) {
		struct prof_region_counts k;

		/* Nothing recorded: a trace only if something was lost. */
		proc_counts(p, &k);
		if (!p->stats.events_discarded && !k.dropped_no_slot && !k.refused_events && !k.refused_invalid &&
		    !k.schema_errors)
			return 0;
		ret = proc_open_trace(rec, p);
		if (ret) {
			p->error = 1;
			return ret;
		}
	}
	if (p->writer && (ret = proc_metadata(p)) != 0)
		p->error = 1;
	return ret;
}

/* Closes the connection, the reader and the region: the process is done. */
static void proc_release(struct proc *p)
{
	if (p->conn >= 0)
		close(p->conn);
	p->conn = -1;
	prof_region_reader_close(p->reader);
	p->reader = NULL;
	prof_region_close(p->region);
	p->region = NULL;
	p->state = PROC_DONE;
}

/* The process ended (or the recording stops): take the rest, close. */
static int proc_finish(struct recorder *rec, struct proc *p)
{
	int ret = proc_drain(rec, p, 1, NULL);

	if (p->writer) {
		int r = ret ? prof_ctf_writer_abandon(p->writer) : prof_ctf_writer_close(p->writer);

		p->writer = NULL;
		if (r && !ret) {
			mprof_error("record", "%s: closing the trace: %s", p->dir, prof_strerror(r));
			p->error = 1;
			ret = r;
		}
	}
	proc_release(p);
	return ret;
}

static void proc_free(struct proc *p)
{
	/* Only after a failure: a writer still open leaves its marker. */
	if (p->writer)
		prof_ctf_writer_abandon(p->writer);
	if (p->conn >= 0)
		close(p->conn);
	prof_region_reader_close(p->reader);
	prof_region_close(p->region);
	free(p->dir);
	free(p);
}

/* A program name as a directory name: [A-Za-z0-9._+-], not starting with
 * a dot, never empty. */
static void sanitize_name(const char *in, size_t in_size, char *out, size_t out_size)
{
	size_t i, n = 0;

	for (i = 0; i < in_size && in[i] && n + 1 < out_size; i++) {
		char ch = in[i];
		int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
			 ch == '-' || ch == '+' || (ch == '.' && n > 0);

		out[n++] = ok ? ch : '_';
	}
	out[n] = 0;
	if (!n)
		snprintf(out, out_size, "process");
}

static int send_reply(int conn, int status, int fd)
{
	struct prof_hello_reply reply = { .magic = PROF_HELLO_MAGIC, .status = status };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov = { .iov_base = &reply, .iov_len = sizeof(reply) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (fd >= 0) {
		struct cmsghdr *c;

		memset(&ctl, 0, sizeof(ctl));
		msg.msg_control = ctl.buf;
		msg.msg_controllen = sizeof(ctl.buf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	do
		n = sendmsg(conn, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof(reply) ? 0 : -1;
}

/* A hello arrived: give the process its region.  Returns 0, or a negative
 * errno for a failure of record itself (the process is refused either way). */
static int proc_hello(struct recorder *rec, struct proc *p)
{
	struct prof_hello hello;
	struct prof_error err;
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	char buf[600];
	ssize_t n;
	int ret;

	do
		n = recv(p->conn, &hello, sizeof(hello), MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (n != (ssize_t)sizeof(hello) || hello.magic != PROF_HELLO_MAGIC || hello.version != PROF_HELLO_VERSION ||
	    getsockopt(p->conn, SOL_SOCKET, SO_PEERCRED, &cred, &clen) != 0) {
		/* Not a libprofile of this version: refuse it, quietly if it
		 * just went away. */
		if (n > 0) {
			send_reply(p->conn, -EPROTO, -1);
			rec->refused++;
			mprof_error("record", "a process sent a bad hello (%zd bytes): refused", n);
		}
		close(p->conn);
		p->conn = -1;
		p->state = PROC_DONE;
		return 0;
	}
	p->pid = cred.pid;
	p->forked = (hello.flags & PROF_HELLO_FORKED) != 0;
	sanitize_name(hello.name, sizeof(hello.name), p->name, sizeof(p->name));
	ret = prof_region_open(&p->region, &rec->o->cfg, &err);
	if (ret == 0)
		ret = prof_region_reader_open(&p->reader, prof_region_memory(p->region), prof_region_size(p->region),
					      p->name, &err);
	if (ret) {
		mprof_error("record", "pid %d (%s): %s", (int)p->pid, p->name, prof_error_format(&err, buf, sizeof(buf)));
		send_reply(p->conn, ret, -1);
		rec->refused++;
		p->refused = 1;
		close(p->conn);
		p->conn = -1;
		p->state = PROC_DONE;
		return 0;
	}
	{
		const struct prof_region_header *h = prof_region_reader_header(p->reader);

		memcpy(p->desc.uuid, h->uuid, 16);
		p->desc.byte_order = h->byte_order;
		p->desc.clock = h->clock;
	}
	proc_origin(rec, p);
	/* A program that started (not a fork() child, which often exec()s
	 * at once) has its trace from now on, so that a trace exists and is
	 * marked incomplete should record die before the program does. */
	if (!p->forked && (proc_open_trace(rec, p) != 0 || proc_metadata(p) != 0)) {
		send_reply(p->conn, -EIO, -1);
		rec->refused++;
		p->error = 1;
		return -EIO;
	}
	if (send_reply(p->conn, 0, prof_region_fd(p->region)) != 0) {
		/* It went away before it had its region: nothing to record. */
		if (p->writer) {
			prof_ctf_writer_close(p->writer);
			p->writer = NULL;
		}
		proc_release(p);
		return 0;
	}
	p->state = PROC_LIVE;
	return 0;
}

static void accept_all(struct recorder *rec)
{
	for (;;) {
		int fd = accept4(rec->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		struct proc *p;

		if (fd < 0)
			return; /* EAGAIN, or an error the next poll reports again */
		p = calloc(1, sizeof(*p));
		if (!p) {
			close(fd); /* the process is told nothing and runs untraced */
			rec->refused++;
			continue;
		}
		p->conn = fd;
		p->state = PROC_HELLO;
		*rec->tail = p;
		rec->tail = &p->next;
	}
}

/* ---- The program ---- */

static pid_t spawn(char **argv, const char *spec, int *exec_errno)
{
	int pipefd[2];
	pid_t pid;
	int child_errno = 0;
	ssize_t n;
	size_t i;

	if (pipe2(pipefd, O_CLOEXEC) != 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return -1;
	}
	if (pid == 0) {
		sigset_t none;

		/* The program gets the dispositions and limits it would have
		 * had without record. */
		for (i = 0; i < sizeof(forwarded_signals) / sizeof(forwarded_signals[0]); i++)
			signal(forwarded_signals[i], SIG_DFL);
		for (i = 0; i < sizeof(ignored_signals) / sizeof(ignored_signals[0]); i++)
			signal(ignored_signals[i], SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (program_nofile.rlim_cur != RLIM_INFINITY)
			setrlimit(RLIMIT_NOFILE, &program_nofile);
		if (setenv(PROF_REGION_ENV, spec, 1) != 0)
			child_errno = errno;
		else {
			execvp(argv[0], argv);
			child_errno = errno;
		}
		n = write(pipefd[1], &child_errno, sizeof(child_errno));
		(void)n;
		_exit(127);
	}
	close(pipefd[1]);
	do
		n = read(pipefd[0], &child_errno, sizeof(child_errno));
	while (n < 0 && errno == EINTR);
	close(pipefd[0]);
	*exec_errno = n == (ssize_t)sizeof(child_errno) ? child_errno : 0;
	return pid;
}

/* Reap every child that ended (the program, and orphans of its tree: record
 * is their subreaper).  Returns 1 if record has no child left. */
static int reap(struct recorder *rec)
{
	for (;;) {
		int st;
		pid_t r = waitpid(-1, &st, WNOHANG);

		if (r == 0)
			return 0;
		if (r < 0)
			return errno == ECHILD;
		if (r == rec->child) {
			rec->status = st;
			rec->child_exited = 1;
		}
	}
}

/* record cannot go on: the program would run untraced, so stop it (as
 * perf record does): SIGTERM, then SIGKILL if it is still there after 5 s. */
static void stop_program(struct recorder *rec)
{
	struct proc *p;

	if (!rec->child_exited && rec->child > 0) {
		const char *name = rec->o->argv[0];
		int st;

		for (p = rec->procs; p; p = p->next)
			if (p->pid == rec->child && p->name[0])
				name = p->name; /* what it is now, should it have exec'd */
		fprintf(stderr, "mprof record: stopping %s (pid %d) with SIGTERM: it would run untraced\n", name,
			(int)rec->child);
		kill(rec->child, SIGTERM);
		if (rec->child_pidfd >= 0) {
			struct pollfd pf = { .fd = rec->child_pidfd, .events = POLLIN };

			if (poll(&pf, 1, 5000) == 0) {
				fprintf(stderr, "mprof record: %s (pid %d) ignored SIGTERM: SIGKILL\n", name,
					(int)rec->child);
				kill(rec->child, SIGKILL);
			}
		} else {
			kill(rec->child, SIGKILL);
		}
		if (waitpid(rec->child, &st, 0) == rec->child) {
			rec->status = st;
			rec->child_exited = 1;
		}
	}
	for (p = rec->procs; p; p = p->next)
		if (p->state == PROC_LIVE && p->pid != rec->child)
			fprintf(stderr, "mprof record: pid %d (%s) keeps running untraced; its trace%s%s is incomplete\n",
				(int)p->pid, p->name, p->dir ? " " : "", p->dir ? p->dir : "");
}

/* ---- The directory and the socket ---- */

static const char incomplete_text[] =
	"mprof record did not finish this recording (it was stopped or failed): processes may be missing.\n";

static int dir_start(struct recorder *rec)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int fd, ret = 0;

	if (mkdir(rec->dir, 0777) == 0)
		rec->dir_created = 1;
	else if (errno != EEXIST) {
		mprof_error("record", "%s: cannot create the directory: %s", rec->dir, strerror(errno));
		return MPROF_EXIT_SYSTEM;
	}
	d = opendir(rec->dir);
	if (!d) {
		mprof_error("record", "%s: cannot open the directory: %s", rec->dir, strerror(errno));
		return MPROF_EXIT_SYSTEM;
	}
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
			mprof_error("record", "%s: the directory is not empty; refusing to mix traces", rec->dir);
			ret = MPROF_EXIT_USAGE;
			break;
		}
	closedir(d);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "%s/%s", rec->dir, PROF_CTF_INCOMPLETE_MARKER);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, incomplete_text, sizeof(incomplete_text) - 1) != (ssize_t)sizeof(incomplete_text) - 1) {
		mprof_error("record", "%s: cannot create %s: %s", rec->dir, PROF_CTF_INCOMPLETE_MARKER, strerror(errno));
		if (fd >= 0)
			close(fd);
		return MPROF_EXIT_SYSTEM;
	}
	close(fd);
	return 0;
}

/* A start that failed leaves nothing behind: the marker, and DIR if record
 * made it (it holds nothing else: traces appear only once a process
 * recorded something). */
static void dir_undo(struct recorder *rec)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", rec->dir, PROF_CTF_INCOMPLETE_MARKER);
	unlink(path);
	if (rec->dir_created)
		rmdir(rec->dir);
}

static int dir_finish(struct recorder *rec)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", rec->dir, PROF_CTF_INCOMPLETE_MARKER);
	if (unlink(path) != 0) {
		mprof_error("record", "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int sock_start(struct recorder *rec)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	const char *tmp = getenv("TMPDIR");

	if (!tmp || tmp[0] != '/' || strlen(tmp) > 64)
		tmp = "/tmp";
	snprintf(rec->sockdir, sizeof(rec->sockdir), "%s/mprof-record.XXXXXX", tmp);
	if (!mkdtemp(rec->sockdir)) { /* mode 0700: only this user connects */
		mprof_error("record", "%s: cannot create a private directory: %s", rec->sockdir, strerror(errno));
		rec->sockdir[0] = 0;
		return -1;
	}
	snprintf(rec->sockpath, sizeof(rec->sockpath), "%s/sock", rec->sockdir);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", rec->sockpath);
	rec->listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (rec->listen_fd < 0 || bind(rec->listen_fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
	    listen(rec->listen_fd, 128) != 0) {
		mprof_error("record", "%s: cannot listen: %s", rec->sockpath, strerror(errno));
		return -1;
	}
	return 0;
}

static void sock_stop(struct recorder *rec)
{
	if (rec->listen_fd >= 0)
		close(rec->listen_fd);
	rec->listen_fd = -1;
	if (rec->sockpath[0])
		unlink(rec->sockpath);
	if (rec->sockdir[0])
		rmdir(rec->sockdir);
	rec->sockpath[0] = rec->sockdir[0] = 0;
}

/* ---- The summary ---- */

static const char *plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

static int proc_lost(const struct proc *p)
{
	struct prof_region_counts k;

	proc_counts(p, &k);
	return p->stats.events_discarded || p->stats.overwritten_packets || p->stats.torn_packets ||
	       p->stats.invalid_packets || k.dropped_no_slot || k.refused_events || k.refused_invalid ||
	       k.schema_errors;
}

/*
 * What was lost, and what to change: loud whatever --quiet says, as
 * `lttng stop` is.  Returns the number of processes that lost something.
 */
static int print_losses(const struct recorder *rec)
{
	const struct record_options *o = rec->o;
	struct prof_drain_stats t = { 0 };
	struct prof_region_counts tk = { 0 };
	const struct proc *p;
	int n = 0;

	for (p = rec->procs; p; p = p->next) {
		struct prof_region_counts k;

		if (!proc_lost(p))
			continue;
		n++;
		proc_counts(p, &k);
		fprintf(stderr, "mprof record: warning: %s lost:", p->dir ? p->dir : p->name);
		if (p->stats.events_discarded)
			fprintf(stderr, " %llu events discarded (ring full);", (unsigned long long)p->stats.events_discarded);
		if (k.dropped_no_slot)
			fprintf(stderr, " %llu events without a stream slot;", (unsigned long long)k.dropped_no_slot);
		if (k.refused_events)
			fprintf(stderr, " %llu event type%s beyond --max-events;", (unsigned long long)k.refused_events,
				plural(k.refused_events));
		if (k.refused_invalid)
			fprintf(stderr, " %llu invalid event definition%s;", (unsigned long long)k.refused_invalid,
				plural(k.refused_invalid));
		if (k.schema_errors)
			fprintf(stderr, " %llu bad schema record%s;", (unsigned long long)k.schema_errors,
				plural(k.schema_errors));
		if (p->stats.overwritten_packets)
			fprintf(stderr, " %llu packet%s overwritten;", (unsigned long long)p->stats.overwritten_packets,
				plural(p->stats.overwritten_packets));
		if (p->stats.torn_packets)
			fprintf(stderr, " %llu packet%s torn;", (unsigned long long)p->stats.torn_packets,
				plural(p->stats.torn_packets));
		if (p->stats.invalid_packets)
			fprintf(stderr, " %llu invalid packet%s;", (unsigned long long)p->stats.invalid_packets,
				plural(p->stats.invalid_packets));
		fprintf(stderr, " see the hints below\n");
		for (size_t i = 0; i < p->nproblems && i < sizeof(p->problems) / sizeof(p->problems[0]); i++)
			fprintf(stderr, "mprof record: %s: event id %u not recorded: %s\n", p->dir ? p->dir : p->name,
				p->problems[i].id, p->problems[i].reason);
		if (p->nproblems > sizeof(p->problems) / sizeof(p->problems[0]))
			fprintf(stderr, "mprof record: %s: ... and %zu more unusable event records\n",
				p->dir ? p->dir : p->name, p->nproblems - sizeof(p->problems) / sizeof(p->problems[0]));
		t.events_discarded += p->stats.events_discarded;
		t.overwritten_packets += p->stats.overwritten_packets;
		t.torn_packets += p->stats.torn_packets;
		t.invalid_packets += p->stats.invalid_packets;
		tk.dropped_no_slot += k.dropped_no_slot;
		tk.refused_events += k.refused_events;
		tk.refused_invalid += k.refused_invalid;
		tk.schema_errors += k.schema_errors;
	}
	if (t.events_discarded)
		fprintf(stderr,
			"mprof record: hint: %llu events were discarded because a stream's ring was full: give it "
			"more room (--packet-size/-s %u, --packets/-n %u now) or drain more often (--period/-p %u ms "
			"now)\n",
			(unsigned long long)t.events_discarded, o->cfg.packet_size, o->cfg.packets_per_stream,
			o->period_ms);
	if (t.overwritten_packets || t.torn_packets)
		fprintf(stderr,
			"mprof record: hint: overwrite mode kept only the newest packets (%llu overwritten, %llu "
			"torn): more --packets/-n (%u now) or --packet-size/-s keep more\n",
			(unsigned long long)t.overwritten_packets, (unsigned long long)t.torn_packets,
			o->cfg.packets_per_stream);
	if (tk.dropped_no_slot)
		fprintf(stderr,
			"mprof record: hint: %llu events came from threads that found no free stream slot: raise "
			"--streams/-t (%u now) to the number of threads that emit at once\n",
			(unsigned long long)tk.dropped_no_slot, o->cfg.stream_slots);
	if (tk.refused_events)
		fprintf(stderr,
			"mprof record: hint: %llu event types were not recorded: raise --max-events/-e (%u now)\n",
			(unsigned long long)tk.refused_events, o->cfg.max_events);
	if (tk.refused_invalid)
		fprintf(stderr,
			"mprof record: hint: %llu event definitions were refused as invalid: fix them in the program "
			"(mprof stats names them)\n",
			(unsigned long long)tk.refused_invalid);
	if (tk.schema_errors || t.invalid_packets)
		fprintf(stderr,
			"mprof record: hint: %llu schema records and %llu packets were unusable: the program wrote "
			"over its region (a memory bug in the program?)\n",
			(unsigned long long)tk.schema_errors, (unsigned long long)t.invalid_packets);
	return n;
}

static void print_summary(const struct recorder *rec, int quiet)
{
	const char *prog = rec->o->argv[0];
	const struct proc *p;
	uint64_t events = 0;
	unsigned traces = 0, procs = 0;

	if (!quiet) {
		if (WIFEXITED(rec->status))
			fprintf(stderr, "mprof record: %s exited with status %d\n", prog, WEXITSTATUS(rec->status));
		else if (WIFSIGNALED(rec->status))
			fprintf(stderr, "mprof record: %s was killed by signal %d (%s)\n", prog, WTERMSIG(rec->status),
				strsignal(WTERMSIG(rec->status)));
	}
	for (p = rec->procs; p; p = p->next) {
		if (!p->pid || p->refused)
			continue; /* never said hello, or counted as refused below */
		procs++;
		events += p->stats.events;
		if (p->dir)
			traces++;
		if (quiet)
			continue;
		if (p->dir)
			fprintf(stderr,
				"mprof record: wrote %s: %llu events in %llu packets (%llu partial), %llu bytes%s%s\n",
				p->dir, (unsigned long long)p->stats.events, (unsigned long long)p->stats.packets,
				(unsigned long long)p->stats.partial_packets, (unsigned long long)p->stats.bytes,
				p->forked ? " (forked)" : "", p->still_running ? "; still running when recording stopped" : "");
		else if (p->state == PROC_DONE && !p->error)
			fprintf(stderr, "mprof record: %s (pid %d)%s recorded no events: no trace\n", p->name, (int)p->pid,
				p->forked ? ", forked," : "");
	}
	if (!procs) {
		/* Loud: the user expected a trace. */
		fprintf(stderr,
			"mprof record: %s never attached to the region: is it linked with libprofile? (no trace "
			"written)\n",
			prog);
	} else if (!quiet) {
		fprintf(stderr, "mprof record: %u process%s recorded, %u trace%s under %s, %llu events\n", procs,
			procs == 1 ? "" : "es", traces, plural(traces), rec->dir, (unsigned long long)events);
	}
	if (rec->refused)
		fprintf(stderr, "mprof record: warning: %d process%s asked for a region and got none: they ran untraced\n",
			rec->refused, rec->refused == 1 ? "" : "es");
	print_losses(rec);
}

/*
 * Parse record's command line into @o.  Returns 0, 1 for --help (printed),
 * or -1 after printing what is wrong.  Runs nothing: the fuzz target
 * tests/fuzz/fuzz_cmdline.c calls it with arbitrary arguments.
 */
int record_parse_options(int argc, char **argv, struct record_options *o)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "mode", required_argument, NULL, 'm' },
		{ "packet-size", required_argument, NULL, 's' },
		{ "packets", required_argument, NULL, 'n' },
		{ "streams", required_argument, NULL, 't' },
		{ "max-events", required_argument, NULL, 'e' },
		{ "period", required_argument, NULL, 'p' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "sockets", no_argument, NULL, 'S' },
		{ "tcp-info", required_argument, NULL, 'I' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	prof_region_config_init(&o->cfg);
	o->cfg.backing = PROF_BACKING_MEMFD;
	/* Roomier than the library's defaults: 16 MiB of ring per stream.  A
	 * memfd's pages cost nothing until a stream touches them, so only
	 * threads that emit pay, and a busy 4-thread program drained every
	 * 10 ms keeps its events (docs/mprof.1). */
	o->cfg.packet_size = RECORD_DEFAULT_PACKET_SIZE;
	o->cfg.packets_per_stream = RECORD_DEFAULT_PACKETS;
	o->period_ms = 10;
	optind = 0; /* full getopt reset (glibc) */
	opterr = 1;
	while ((c = getopt_long(argc, argv, "+o:m:s:n:t:e:p:qhSI:", opts, NULL)) != -1) {
		switch (c) {
		case 'o': o->dir = optarg; break;
		case 'm':
			if (!strcmp(optarg, "discard"))
				o->cfg.mode = PROF_MODE_DISCARD;
			else if (!strcmp(optarg, "overwrite"))
				o->cfg.mode = PROF_MODE_OVERWRITE;
			else {
				mprof_error("record", "--mode: '%s' is neither 'discard' nor 'overwrite'", optarg);
				return -1;
			}
			break;
		case 's': if (mprof_parse_u32("record", "--packet-size", optarg, 1, &o->cfg.packet_size)) return -1; break;
		case 'n': if (mprof_parse_u32("record", "--packets", optarg, 0, &o->cfg.packets_per_stream)) return -1; break;
		case 't': if (mprof_parse_u32("record", "--streams", optarg, 0, &o->cfg.stream_slots)) return -1; break;
		case 'e': if (mprof_parse_u32("record", "--max-events", optarg, 0, &o->cfg.max_events)) return -1; break;
		case 'p':
			if (mprof_parse_u32("record", "--period", optarg, 0, &o->period_ms))
				return -1;
			if (o->period_ms < 1 || o->period_ms > 60000) {
				mprof_error("record", "--period must be 1 to 60000 ms");
				return -1;
			}
			break;
		case 'q': o->quiet = 1; break;
		case 'S': o->sockets = 1; break;
		case 'I': {
			uint32_t ms;

			if (strcmp(optarg, "off") && mprof_parse_u32("record", "--tcp-info", optarg, 0, &ms))
				return -1;
			o->tcp_info_ms = optarg;
			break;
		}
		case 'h': usage(stdout); return 1;
		default: usage(stderr); return -1;
		}
	}
	if (o->tcp_info_ms && !o->sockets) {
		mprof_error("record", "--tcp-info needs --sockets");
		return -1;
	}
	if (!o->dir || optind >= argc) {
		mprof_error("record", "%s", !o->dir ? "missing -o DIR" : "missing the program to run (after --)");
		usage(stderr);
		return -1;
	}
	o->argv = argv + optind;
	return 0;
}

/*
 * --sockets: the program's environment preloads probes/sockets' shim, found
 * as MPROF_SOCKETS_LIB or beside mprof (BINDIR/../lib/mprof/, the layout of
 * the build tree and of make install).  Before anything is created, so a
 * missing shim leaves nothing behind.
 */
static int sockets_preload(const struct record_options *o)
{
	char exe[PATH_MAX], shim[PATH_MAX + 64], pre[2 * PATH_MAX + 80];
	const char *env = getenv("MPROF_SOCKETS_LIB"), *old = getenv("LD_PRELOAD");
	ssize_t n;
	char *slash;

	if (env && *env)
		snprintf(shim, sizeof(shim), "%s", env);
	else {
		n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		if (n <= 0) {
			mprof_error("record", "--sockets: cannot read /proc/self/exe: %s", strerror(errno));
			return MPROF_EXIT_SYSTEM;
		}
		exe[n] = 0;
		slash = strrchr(exe, '/');
		if (slash)
			*slash = 0;
		snprintf(shim, sizeof(shim), "%s/../lib/mprof/libmprof_sockets.so", exe);
	}
	if (access(shim, R_OK) != 0) {
		mprof_error("record", "--sockets: cannot use the socket shim '%s': %s (set MPROF_SOCKETS_LIB)", shim,
			    strerror(errno));
		return MPROF_EXIT_INPUT;
	}
	snprintf(pre, sizeof(pre), "%s%s%s", shim, old && *old ? ":" : "", old && *old ? old : "");
	if (setenv("LD_PRELOAD", pre, 1) != 0 ||
	    (o->tcp_info_ms && setenv("MPROF_TCP_INFO_MS", o->tcp_info_ms, 1) != 0)) {
		mprof_error("record", "--sockets: setenv: %s", strerror(errno));
		return MPROF_EXIT_SYSTEM;
	}
	return 0;
}

static void install_signals(void)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(forwarded_signals) / sizeof(forwarded_signals[0]); i++)
		sigaction(forwarded_signals[i], &sa, NULL);
	for (i = 0; i < sizeof(ignored_signals) / sizeof(ignored_signals[0]); i++)
		signal(ignored_signals[i], SIG_IGN);
}

/*
 * Act on the signals caught since the last call.  While the program runs,
 * one a process sent is forwarded to it (one from the terminal reached it
 * already).  After it exited, SIGHUP, SIGINT or SIGTERM stop the
 * recording: returns 1.
 */
static int handle_signals(struct recorder *rec)
{
	size_t i;
	int stop = 0;

	for (i = 0; i < sizeof(forwarded_signals) / sizeof(forwarded_signals[0]); i++) {
		int sig = forwarded_signals[i], user = sig_from_user[sig], kern = sig_from_kernel[sig];

		if (!user && !kern)
			continue;
		sig_from_user[sig] = sig_from_kernel[sig] = 0;
		if (!rec->child_exited) {
			if (user)
				kill(rec->child, sig);
		} else if (sig == SIGHUP || sig == SIGINT || sig == SIGTERM) {
			stop = 1;
		}
	}
	return stop;
}

int cmd_record(int argc, char **argv)
{
	struct record_options o;
	struct recorder rec = { 0 };
	struct prof_error err;
	struct prof_region *probe = NULL;
	char spec[PATH_MAX + 8], buf[600];
	int exec_errno = 0, ret = MPROF_EXIT_SYSTEM, started = 0, stopped = 0, told_waiting = 0, failed = 0, busy = 0;
	struct proc *p;

	switch (record_parse_options(argc, argv, &o)) {
	case 0: break;
	case 1: return MPROF_EXIT_OK;
	default: return MPROF_EXIT_USAGE;
	}
	rec.o = &o;
	rec.dir = o.dir;
	rec.listen_fd = -1;
	rec.child_pidfd = -1;
	rec.tail = &rec.procs;
	/* One file per stream: up to 4096, above the usual soft limit of
	 * open files.  Take what the hard limit allows (the program gets the
	 * limit it would have had: see spawn()). */
	if (getrlimit(RLIMIT_NOFILE, &program_nofile) == 0 && program_nofile.rlim_cur < program_nofile.rlim_max) {
		struct rlimit rl = program_nofile;

		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	/* The configuration is checked once, here, not per process. */
	{
		struct prof_region_header hdr;

		if (prof_region_layout(o.cfg.mode, o.cfg.packet_size, o.cfg.packets_per_stream, o.cfg.stream_slots,
				       o.cfg.max_events, &hdr) != 0) {
			struct prof_region_config bad = o.cfg;

			prof_region_open(&probe, &bad, &err); /* for its message */
			prof_region_close(probe);
			mprof_error("record", "%s", prof_error_format(&err, buf, sizeof(buf)));
			return MPROF_EXIT_USAGE;
		}
	}
	if (o.sockets && (ret = sockets_preload(&o)) != 0)
		return ret;
	/* Calibrated once: a process's start does not wait 10 ms for it, and
	 * the traces of DIR share one time base. */
	prof_clock_calibrate(&rec.clock);
	o.cfg.clock = &rec.clock;
	ret = dir_start(&rec);
	if (ret) {
		if (ret != MPROF_EXIT_USAGE) /* not the user's files: they stay */
			dir_undo(&rec);
		return ret;
	}
	ret = MPROF_EXIT_SYSTEM;
	if (sock_start(&rec) != 0)
		goto out;
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	install_signals();
	snprintf(spec, sizeof(spec), "sock:%s", rec.sockpath);
	rec.child = spawn(o.argv, spec, &exec_errno);
	if (rec.child < 0 || exec_errno) {
		mprof_error("record", "cannot run '%s': %s", o.argv[0], strerror(rec.child < 0 ? errno : exec_errno));
		if (rec.child > 0)
			waitpid(rec.child, NULL, 0);
		ret = MPROF_EXIT_CHILD;
		goto out;
	}
	started = 1;
	rec.child_pidfd = (int)syscall(SYS_pidfd_open, rec.child, 0);

	/* A round that took packets is followed at once by another, without
	 * waiting for the period: a producer running flat out is drained back
	 * to back until its rings are empty, instead of filling them for a
	 * whole period after each round (the period is the idle wait only). */
	for (;;) {
		struct pollfd *pf;
		struct proc **pp;
		size_t n = 2, i;
		int live = 0, no_children;

		for (p = rec.procs; p; p = p->next)
			n += p->state != PROC_DONE;
		pf = calloc(n, sizeof(*pf));
		if (!pf) {
			mprof_error("record", "out of memory");
			failed = 1;
			break;
		}
		pf[0].fd = rec.listen_fd;
		pf[0].events = POLLIN;
		pf[1].fd = rec.child_exited ? -1 : rec.child_pidfd;
		pf[1].events = POLLIN;
		for (i = 2, p = rec.procs; p; p = p->next)
			if (p->state != PROC_DONE) {
				pf[i].fd = p->conn;
				pf[i++].events = POLLIN;
			}
		if (poll(pf, n, busy ? 0 : (int)o.period_ms) < 0 && errno != EINTR) {
			mprof_error("record", "poll: %s", strerror(errno));
			free(pf);
			failed = 1;
			break;
		}
		if (pf[0].revents & POLLIN)
			accept_all(&rec);
		for (i = 2, p = rec.procs; p && i < n; p = p->next) {
			short rev;

			if (p->state == PROC_DONE || pf[i].fd != p->conn)
				continue;
			rev = pf[i++].revents;
			if (!rev)
				continue;
			if (p->state == PROC_HELLO) {
				if (proc_hello(&rec, p) != 0)
					failed = 1;
			} else {
				char c;
				ssize_t r = recv(p->conn, &c, 1, MSG_DONTWAIT);

				/* EOF: the process ended (or exec'd).  A message
				 * is not part of the protocol: ignore it. */
				if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
					if (proc_finish(&rec, p) != 0)
						failed = 1;
				}
			}
		}
		free(pf);
		if (failed)
			break;
		no_children = reap(&rec);
		busy = 0;
		for (p = rec.procs; p; p = p->next) {
			int taken;

			if (p->state != PROC_LIVE)
				continue;
			if (proc_drain(&rec, p, 0, &taken) != 0) {
				failed = 1;
				break;
			}
			busy |= taken > 0;
			live++;
		}
		if (failed)
			break;
		if (handle_signals(&rec)) {
			stopped = 1;
			break;
		}
		for (p = rec.procs; p; p = p->next)
			live += p->state == PROC_HELLO;
		if (rec.child_exited && !live && no_children)
			break;
		/* The program's connection ends before it becomes a zombie
		 * (exit closes files first): one more round takes that EOF, so
		 * say we wait only if something is left after it. */
		if (rec.child_exited && told_waiting < 2 && ++told_waiting == 2 && !o.quiet) {
			fprintf(stderr,
				"mprof record: %s exited; waiting for the processes it left running (%d recorded); "
				"SIGINT (Ctrl-C), SIGTERM or SIGHUP stops the recording\n",
				o.argv[0], live);
		}
		/* Keep the list short in a forking server: drop ended processes
		 * that left nothing to report. */
		for (pp = &rec.procs; *pp;) {
			p = *pp;
			if (p->state == PROC_DONE && !p->pid && !p->dir) {
				*pp = p->next;
				if (rec.tail == &p->next)
					rec.tail = pp;
				proc_free(p);
			} else {
				pp = &p->next;
			}
		}
	}
	if (failed) {
		stop_program(&rec);
		goto out;
	}
	/* Stopped with processes still running: write what they recorded. */
	for (p = rec.procs; p; p = p->next) {
		if (p->state == PROC_HELLO) {
			close(p->conn);
			p->conn = -1;
			p->state = PROC_DONE;
		} else if (p->state == PROC_LIVE) {
			p->still_running = stopped;
			if (stopped)
				fprintf(stderr, "mprof record: recording stopped: pid %d (%s) keeps running untraced\n",
					(int)p->pid, p->name);
			if (proc_finish(&rec, p) != 0)
				failed = 1;
		}
	}
	if (failed)
		goto out;
	for (p = rec.procs; p; p = p->next)
		failed |= p->error;
	if (failed || dir_finish(&rec) != 0)
		goto out;
	print_summary(&rec, o.quiet);
	if (WIFEXITED(rec.status))
		ret = WEXITSTATUS(rec.status);
	else if (WIFSIGNALED(rec.status))
		ret = 128 + WTERMSIG(rec.status);
	else
		ret = MPROF_EXIT_OK;
out:
	if (failed)
		fprintf(stderr, "mprof record: %s: the recording failed; traces that were open are marked incomplete\n",
			rec.dir);
	sock_stop(&rec);
	if (!started)
		dir_undo(&rec);
	if (rec.child_pidfd >= 0)
		close(rec.child_pidfd);
	while (rec.procs) {
		p = rec.procs;
		rec.procs = p->next;
		proc_free(p);
	}
	return ret;
}
