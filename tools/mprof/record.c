/* SPDX-License-Identifier: MIT */
/*
 * tools/mprof/record.c - `mprof record -o DIR -- PROG ARGS...`
 *
 * Creates a region in a memfd, passes it to the program through the
 * environment (MPROF_REGION=fd:N; libprofile attaches at load), and while
 * the program runs drains complete packets into a CTF trace directory.
 * When the program ends, however it ends (exit, crash, SIGKILL), one last
 * drain and a scrape of every stream's open packet recover each event the
 * program completed: the producer release-stores a packet's content size
 * after every event.
 *
 *   program (producer)          region (memfd)           mprof record
 *   PROF_EMIT ------------> per-thread packet rings ----> drain / scrape
 *                                                         -> DIR/stream_N
 *                                                         -> DIR/metadata
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "profile/profile.h"
#include "record.h"

struct recorder {
	const char *dir;
	struct prof_region *region;
	struct prof_region_reader *reader;
	struct prof_ctf_writer *writer;
	struct prof_trace_desc desc;
	uint32_t metadata_count; /* schema events in the metadata written */
	int have_metadata;
	int quiet;
};

static volatile sig_atomic_t forward_signal;
/* The open-files limit mprof record was started with: the program's. */
static struct rlimit program_nofile = { RLIM_INFINITY, RLIM_INFINITY };

static void on_signal(int sig)
{
	forward_signal = sig;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mprof record -o DIR [options] -- PROG [ARGS...]\n"
		"  -o, --output DIR        trace directory to create (must not hold files)\n"
		"  -m, --mode MODE         discard (default: drop and count when full) or\n"
		"                          overwrite (flight recorder: keep the newest)\n"
		"  -s, --packet-size N     bytes per packet, a power of two (default 64K)\n"
		"  -n, --packets N         packets per stream (default 16)\n"
		"  -t, --streams N         stream slots, one per thread (default 64)\n"
		"  -e, --max-events N      distinct events (default 256)\n"
		"  -p, --period MS         drain period in milliseconds (default 10)\n"
		"  -q, --quiet             no summary on stderr\n"
		"Exit status: the program's (128+N if killed by signal N); mprof's own\n"
		"failures: 2 usage, 3 bad input, 4 system error, 5 program not started.\n");
}

static int write_metadata(struct recorder *rec, int force)
{
	const struct prof_schema *schema = prof_region_reader_schema(rec->reader);
	struct prof_error err;
	int ret;

	if (!force && rec->have_metadata && schema->count == rec->metadata_count)
		return 0;
	rec->desc.schema = *schema;
	ret = prof_ctf_writer_metadata(rec->writer, &rec->desc, &err);
	if (ret) {
		char buf[600];

		mprof_error("record", "%s", prof_error_format(&err, buf, sizeof(buf)));
		return ret;
	}
	rec->metadata_count = schema->count;
	rec->have_metadata = 1;
	return 0;
}

static int drain_once(struct recorder *rec)
{
	int ret = write_metadata(rec, 0);

	if (ret)
		return ret;
	ret = prof_region_reader_drain(rec->reader, prof_ctf_writer_sink, rec->writer);
	if (ret < 0) {
		mprof_error("record", "%s: writing the trace: %s", rec->dir, prof_strerror(ret));
		return ret;
	}
	return write_metadata(rec, 0);
}

/* Wait up to period_ms for the child to exit; returns 1 if it did. */
static int wait_child(pid_t pid, int pidfd, int period_ms, int *status)
{
	pid_t r;

	if (pidfd >= 0) {
		struct pollfd p = { .fd = pidfd, .events = POLLIN };

		if (poll(&p, 1, period_ms) < 0 && errno != EINTR)
			return -errno;
	} else {
		struct timespec ts = { 0, (long)period_ms * 1000000L };

		nanosleep(&ts, NULL); /* the drain period when pidfd is unavailable */
	}
	r = waitpid(pid, status, WNOHANG);
	if (r < 0 && errno != EINTR)
		return -errno;
	return r == pid;
}

static pid_t spawn(char **argv, int region_fd, int *exec_errno)
{
	int pipefd[2];
	char spec[32];
	pid_t pid;
	int child_errno = 0;
	ssize_t n;

	if (pipe2(pipefd, O_CLOEXEC) != 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return -1;
	}
	if (pid == 0) {
		int fd = dup(region_fd); /* without CLOEXEC: the program inherits it */

		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		if (program_nofile.rlim_cur != RLIM_INFINITY)
			setrlimit(RLIMIT_NOFILE, &program_nofile);
		snprintf(spec, sizeof(spec), "fd:%d", fd);
		if (fd < 0 || setenv(PROF_REGION_ENV, spec, 1) != 0)
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

/* Event types that were not recorded, and why: each unusable schema
 * record by name (skipped: the rest of the trace is kept), and the types
 * the region had no room for, with the option that makes room. */
static void print_schema_losses(struct recorder *rec)
{
	struct prof_schema_problem pr[16];
	struct prof_region_counts c;
	size_t i, n = prof_region_reader_schema_problems(rec->reader, pr, 16);

	for (i = 0; i < n && i < 16; i++)
		fprintf(stderr, "mprof record: event id %u not recorded: %s\n", pr[i].id, pr[i].reason);
	if (n > 16)
		fprintf(stderr, "mprof record: ... and %zu more unusable event records\n", n - 16);
	prof_region_reader_counts(rec->reader, &c);
	if (c.refused_events)
		fprintf(stderr, "mprof record: %llu event types not recorded: more than the region's %u "
			"(raise --max-events, -e)\n", (unsigned long long)c.refused_events,
			prof_region_reader_header(rec->reader)->max_events);
}

static void print_summary(struct recorder *rec, const char *prog, int status)
{
	struct prof_drain_stats s;

	prof_region_reader_stats(rec->reader, &s);
	if (WIFEXITED(status))
		fprintf(stderr, "mprof record: %s exited with status %d\n", prog, WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		fprintf(stderr, "mprof record: %s was killed by signal %d (%s)\n", prog, WTERMSIG(status),
			strsignal(WTERMSIG(status)));
	fprintf(stderr,
		"mprof record: wrote %s: %llu events in %llu packets (%llu partial), %llu bytes; "
		"discarded %llu events, %llu packets overwritten, %llu torn, %llu invalid, "
		"%llu events without a stream slot\n",
		rec->dir, (unsigned long long)s.events, (unsigned long long)s.packets,
		(unsigned long long)s.partial_packets, (unsigned long long)s.bytes,
		(unsigned long long)s.events_discarded, (unsigned long long)s.overwritten_packets,
		(unsigned long long)s.torn_packets, (unsigned long long)s.invalid_packets,
		(unsigned long long)s.dropped_no_slot);
	print_schema_losses(rec);
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
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	prof_region_config_init(&o->cfg);
	o->cfg.backing = PROF_BACKING_MEMFD;
	o->period_ms = 10;
	optind = 0; /* full getopt reset (glibc) */
	opterr = 1;
	while ((c = getopt_long(argc, argv, "+o:m:s:n:t:e:p:qh", opts, NULL)) != -1) {
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
		case 'h': usage(stdout); return 1;
		default: usage(stderr); return -1;
		}
	}
	if (!o->dir || optind >= argc) {
		mprof_error("record", "%s", !o->dir ? "missing -o DIR" : "missing the program to run (after --)");
		usage(stderr);
		return -1;
	}
	o->argv = argv + optind;
	return 0;
}

int cmd_record(int argc, char **argv)
{
	struct record_options o;
	struct recorder rec = { 0 };
	struct prof_error err;
	struct sigaction sa;
	int status = 0, exec_errno = 0, pidfd = -1, ret = MPROF_EXIT_SYSTEM, exited = 0;
	pid_t pid;
	char buf[600];

	switch (record_parse_options(argc, argv, &o)) {
	case 0: break;
	case 1: return MPROF_EXIT_OK;
	default: return MPROF_EXIT_USAGE;
	}
	rec.dir = o.dir;
	rec.quiet = o.quiet;
	/* One file per stream: up to 4096, above the usual soft limit of
	 * open files.  Take what the hard limit allows (the program gets the
	 * limit it would have had: see spawn()). */
	if (getrlimit(RLIMIT_NOFILE, &program_nofile) == 0 && program_nofile.rlim_cur < program_nofile.rlim_max) {
		struct rlimit rl = program_nofile;

		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}

	if (prof_region_open(&rec.region, &o.cfg, &err) != 0) {
		mprof_error("record", "%s", prof_error_format(&err, buf, sizeof(buf)));
		return err.code == -EINVAL ? MPROF_EXIT_USAGE : MPROF_EXIT_SYSTEM;
	}
	if (prof_ctf_writer_open(&rec.writer, rec.dir, &err) != 0) {
		mprof_error("record", "%s", prof_error_format(&err, buf, sizeof(buf)));
		ret = err.code == -EEXIST ? MPROF_EXIT_USAGE : MPROF_EXIT_SYSTEM;
		goto out;
	}
	if (prof_region_reader_open(&rec.reader, prof_region_memory(rec.region), prof_region_size(rec.region),
				    "region", &err) != 0) {
		mprof_error("record", "%s", prof_error_format(&err, buf, sizeof(buf)));
		goto out;
	}
	{
		const struct prof_region_header *h = prof_region_reader_header(rec.reader);

		memcpy(rec.desc.uuid, h->uuid, 16);
		rec.desc.byte_order = h->byte_order;
		rec.desc.clock = h->clock;
	}
	if (write_metadata(&rec, 1) != 0)
		goto out;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	pid = spawn(o.argv, prof_region_fd(rec.region), &exec_errno);
	if (pid < 0 || exec_errno) {
		mprof_error("record", "cannot run '%s': %s", o.argv[0], strerror(pid < 0 ? errno : exec_errno));
		if (pid > 0)
			waitpid(pid, NULL, 0);
		ret = MPROF_EXIT_CHILD;
		goto out;
	}
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);

	while (!exited) {
		int r = wait_child(pid, pidfd, (int)o.period_ms, &status);

		if (forward_signal) {
			kill(pid, forward_signal);
			forward_signal = 0;
		}
		if (r < 0) {
			mprof_error("record", "waiting for the program: %s", strerror(-r));
			goto out;
		}
		exited = r;
		if (drain_once(&rec) != 0)
			goto out;
	}
	/* The program is gone: take what is left, including open packets. */
	if (drain_once(&rec) != 0)
		goto out;
	if (prof_region_reader_scrape(rec.reader, prof_ctf_writer_sink, rec.writer) < 0) {
		mprof_error("record", "%s: writing the trace failed", rec.dir);
		goto out;
	}
	if (write_metadata(&rec, 0) != 0)
		goto out;
	if (prof_ctf_writer_close(rec.writer) != 0) {
		rec.writer = NULL;
		mprof_error("record", "%s: closing the trace failed", rec.dir);
		goto out;
	}
	rec.writer = NULL;
	if (!rec.quiet)
		print_summary(&rec, o.argv[0], status);
	if (WIFEXITED(status))
		ret = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		ret = 128 + WTERMSIG(status);
	else
		ret = MPROF_EXIT_OK;
out:
	if (pidfd >= 0)
		close(pidfd);
	if (rec.writer)
		prof_ctf_writer_close(rec.writer);
	prof_region_reader_close(rec.reader);
	prof_region_close(rec.region);
	return ret;
}
