/* SPDX-License-Identifier: MIT */
/*
 * tools/mprof/top.c - `mprof top --gc TARGET [--interval S] [--count N]`:
 * live GC timing of a running program.
 *
 * TARGET is either
 *  - a trace directory that `mprof record` is still writing: top follows
 *    it like `tail -f`, re-reading `metadata` when it is replaced and the
 *    packets appended to each stream_<slot> file since the last refresh;
 *  - a live region ("shm:/name", "fd:N" or a region file) of a program
 *    that opened its own: top is then the region's consumer; it peeks
 *    (prof_region_reader_peek), so each thread's events appear as soon as
 *    they are complete, before their packet fills.
 * Either way every byte goes through libprofile's reader
 * (prof_ctf_metadata_parse, prof_packet_check, prof_packet_next, the
 * region reader) and every event into the shared analysis; gcreport.c
 * prints the table.
 *
 *   stream_3 file:  [pkt][pkt][pkt][pa|      <- a packet still being written
 *                   ^ done         ^ off: the next refresh starts here
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "profile/analysis.h"
#include "commands.h"
#include "gcreport.h"
#include "profile/profile.h"

/* One followed stream file of a trace directory. */
struct follow {
	uint32_t slot;
	int fd;
	uint64_t off;        /* file offset of buf[0] */
	uint8_t *buf;        /* bytes read, not yet decoded */
	size_t len, cap;
	uint64_t fail_off;   /* offset + 1 of a packet that failed its check */
	unsigned fail_count; /* refreshes it failed at */
	uint64_t discarded;  /* events_discarded of the last packet */
};

struct top {
	const char *target;
	struct prof_analysis *a;
	uint64_t events;
	/* Trace directory. */
	int dirfd;
	struct prof_trace_desc desc;
	int have_desc;
	struct stat meta_st;
	struct follow *files;
	size_t nfiles;
	/* Live region. */
	struct prof_region *region;
	struct prof_region_reader *reader;
	int failed;          /* a fatal error was reported */
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mprof top --gc TARGET [--interval SECONDS] [--count N]\n"
		"  TARGET              a trace directory being written by `mprof record`, or\n"
		"                      a live region: shm:/NAME, fd:N or a region file\n"
		"  --gc                show garbage-collector timing (the only view so far)\n"
		"  -i, --interval S    seconds between refreshes (default 1; decimals allowed)\n"
		"  -n, --count N       stop after N refreshes (default: until interrupted)\n"
		"Every refresh prints collections per kind, pause p50/p90/p99/max, the\n"
		"share of wall time in GC and the heap counters (docs/GC.md).\n");
}

/* ---- Trace directory ---- */

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_size == b->st_size && a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* Read `metadata` again if it was replaced.  Returns 1 if it changed, 0 if
 * not (or not there yet), -1 on a fatal error (reported). */
static int metadata_refresh(struct top *t)
{
	struct prof_trace_desc desc;
	struct prof_error err;
	struct stat st;
	char *text = NULL, buf[600];
	ssize_t n;
	size_t len = 0;
	int fd, ret = -1;

	fd = openat(t->dirfd, "metadata", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : (mprof_error("top", "%s/metadata: %s", t->target, strerror(errno)), -1);
	if (fstat(fd, &st) != 0) {
		mprof_error("top", "%s/metadata: %s", t->target, strerror(errno));
		goto out;
	}
	if (t->have_desc && same_file(&st, &t->meta_st)) {
		ret = 0;
		goto out;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		mprof_error("top", "out of memory");
		goto out;
	}
	while (len < (size_t)st.st_size && (n = read(fd, text + len, (size_t)st.st_size - len)) > 0)
		len += (size_t)n;
	if (prof_ctf_metadata_parse(text, len, "metadata", &desc, &err) != 0) {
		/* The writer replaces it atomically, so this is corruption. */
		mprof_error("top", "%s/%s", t->target, prof_error_format(&err, buf, sizeof(buf)));
		goto out;
	}
	if (t->have_desc)
		prof_trace_desc_free(&t->desc);
	t->desc = desc;
	t->have_desc = 1;
	t->meta_st = st;
	prof_analysis_set_clock(t->a, &t->desc.clock);
	ret = 1;
out:
	free(text);
	close(fd);
	return ret;
}

/* Start following the stream files that appeared. */
static int files_refresh(struct top *t)
{
	DIR *d;
	struct dirent *de;
	int fd = dup(t->dirfd);

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		mprof_error("top", "%s: %s", t->target, strerror(errno));
		return -1;
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		unsigned long slot;
		char *end;
		size_t i;
		struct follow *nf;

		if (strncmp(de->d_name, "stream_", 7) != 0)
			continue;
		slot = strtoul(de->d_name + 7, &end, 10);
		if (*end || end == de->d_name + 7 || slot >= PROF_MAX_STREAMS)
			continue;
		for (i = 0; i < t->nfiles; i++)
			if (t->files[i].slot == slot)
				break;
		if (i < t->nfiles)
			continue;
		nf = realloc(t->files, (t->nfiles + 1) * sizeof(*nf));
		if (!nf) {
			closedir(d);
			mprof_error("top", "out of memory");
			return -1;
		}
		t->files = nf;
		memset(&nf[t->nfiles], 0, sizeof(*nf));
		nf[t->nfiles].slot = (uint32_t)slot;
		nf[t->nfiles].fd = openat(t->dirfd, de->d_name, O_RDONLY | O_CLOEXEC);
		if (nf[t->nfiles].fd < 0) {
			closedir(d);
			mprof_error("top", "%s/%s: %s", t->target, de->d_name, strerror(errno));
			return -1;
		}
		t->nfiles++;
	}
	closedir(d);
	return 0;
}

static int feed_packet(struct top *t, const uint8_t *pkt, const struct prof_packet_info *info,
		       const struct prof_schema *schema)
{
	struct prof_packet_cursor c;
	struct prof_decoded_event ev;
	int r;

	prof_packet_cursor_init(&c, pkt, info, schema);
	while ((r = prof_packet_next(&c, &ev)) > 0) {
		if (prof_analysis_add(t->a, &ev) != 0) {
			mprof_error("top", "out of memory");
			return -ENOMEM;
		}
		t->events++;
	}
	return r;
}

/*
 * Decode the whole packets at the start of f->buf; keep the rest (a packet
 * not entirely in the file yet, or one that fails) for the next call.
 * @at_eof: the whole file has been read, so a failure is counted.
 */
static int follow_decode(struct top *t, struct follow *f, int at_eof)
{
	struct prof_packet_info info;
	struct prof_error err;
	size_t pos = 0;
	int r = 0;

	while (f->len - pos >= PROF_PACKET_HEADER_SIZE) {
		memset(&err, 0, sizeof(err));
		r = prof_packet_check(f->buf + pos, f->len - pos, &t->desc.schema, t->desc.uuid, &info, &err);
		if (r != 0)
			break;
		r = feed_packet(t, f->buf + pos, &info, &t->desc.schema);
		if (r == -ENOMEM)
			return r;
		f->discarded = info.hdr.events_discarded;
		pos += (size_t)(info.hdr.packet_size / 8);
	}
	if (r != 0 && at_eof) {
		/* The end of a packet not yet in the file fails on its
		 * packet_size, and an id the metadata does not name yet on
		 * the event (the recorder rewrites metadata right after):
		 * both pass at a later refresh.  A packet that still fails at
		 * the same offset three refreshes on is reported, once: the
		 * recorder writes only whole, valid packets. */
		if (f->fail_off != f->off + pos + 1) {
			f->fail_off = f->off + pos + 1;
			f->fail_count = 0;
		}
		if (++f->fail_count == 3) {
			char b[600];

			if (err.offset != UINT64_MAX)
				err.offset += f->off + pos;
			snprintf(err.file, sizeof(err.file), "%s/stream_%u", t->target, f->slot);
			mprof_error("top", "%s", prof_error_format(&err, b, sizeof(b)));
		}
	}
	if (pos) {
		memmove(f->buf, f->buf + pos, f->len - pos);
		f->len -= pos;
		f->off += pos;
	}
	return 0;
}

/* Read and decode what was appended to one stream file, a chunk at a time. */
static int follow_read(struct top *t, struct follow *f)
{
	const size_t chunk = 1 << 20;
	ssize_t n;

	for (;;) {
		if (f->cap - f->len < chunk) {
			size_t ncap = f->len + chunk;
			uint8_t *nb = realloc(f->buf, ncap);

			if (!nb) {
				mprof_error("top", "out of memory");
				return -ENOMEM;
			}
			f->buf = nb;
			f->cap = ncap;
		}
		n = pread(f->fd, f->buf + f->len, chunk, (off_t)(f->off + f->len));
		if (n < 0) {
			mprof_error("top", "%s/stream_%u: %s", t->target, f->slot, strerror(errno));
			return -1;
		}
		if (n > 0)
			f->len += (size_t)n;
		if (follow_decode(t, f, n == 0) != 0)
			return -1;
		if (n == 0)
			return 0;
	}
}

static int dir_refresh(struct top *t)
{
	size_t i;
	int r = metadata_refresh(t);

	if (r < 0)
		return -1;
	if (!t->have_desc)
		return 0; /* `mprof record` has not written it yet */
	if (files_refresh(t) != 0)
		return -1;
	for (i = 0; i < t->nfiles; i++)
		if (follow_read(t, &t->files[i]) != 0)
			return -1;
	/* Events named by a metadata written while we read: once more. */
	if (metadata_refresh(t) == 1)
		for (i = 0; i < t->nfiles; i++)
			if (follow_read(t, &t->files[i]) != 0)
				return -1;
	return 0;
}

static uint64_t dir_discarded(const struct top *t)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < t->nfiles; i++)
		sum += t->files[i].discarded;
	return sum;
}

/* ---- Live region ---- */

static int region_sink(void *arg, uint32_t stream, const uint8_t *pkt, size_t len,
		       const struct prof_packet_info *info)
{
	struct top *t = arg;

	(void)stream;
	(void)len;
	/* The reader checked the packet against its schema; a refresh only
	 * appends to it, so the current one decodes it too. */
	return feed_packet(t, pkt, info, prof_region_reader_schema(t->reader)) == -ENOMEM ? -ENOMEM : 0;
}

static int region_open(struct top *t)
{
	struct prof_error err;
	char buf[600];

	if (prof_region_map(&t->region, t->target, &err) != 0) {
		mprof_error("top", "%s", prof_error_format(&err, buf, sizeof(buf)));
		return -1;
	}
	if (prof_region_reader_open(&t->reader, prof_region_memory(t->region), prof_region_size(t->region),
				    t->target, &err) != 0) {
		mprof_error("top", "%s", prof_error_format(&err, buf, sizeof(buf)));
		return -1;
	}
	prof_analysis_set_clock(t->a, &prof_region_reader_header(t->reader)->clock);
	return 0;
}

static int region_refresh(struct top *t)
{
	int r = prof_region_reader_peek(t->reader, region_sink, t);

	if (r < 0) {
		mprof_error("top", "%s: %s", t->target, prof_strerror(r));
		return -1;
	}
	return 0;
}

/* ---- The loop ---- */

static int parse_interval(const char *text, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(text, &end);
	if (errno || end == text || *end || !isfinite(v) || v < 0.01 || v > 3600) {
		mprof_error("top", "--interval: '%s' is not a number of seconds in [0.01, 3600]", text);
		return -1;
	}
	*out = v;
	return 0;
}

static void print_refresh(struct top *t, unsigned long n, const struct prof_gc_totals *prev, int clear)
{
	struct prof_drain_stats ds;
	uint64_t discarded;

	if (clear)
		fputs("\033[H\033[2J", stdout);
	if (t->reader) {
		prof_region_reader_stats(t->reader, &ds);
		discarded = ds.events_discarded + ds.dropped_no_slot;
	} else {
		discarded = dir_discarded(t);
	}
	printf("mprof top --gc %s  refresh %lu  events %llu  dropped %llu\n", t->target, n,
	       (unsigned long long)t->events, (unsigned long long)discarded);
	if (!t->reader && !t->have_desc)
		printf("(no %s/metadata yet: waiting for mprof record to write it)\n", t->target);
	gc_report_print_live(stdout, t->a, prev);
	if (!clear)
		putchar('\n');
	fflush(stdout);
}

int cmd_top(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "gc", no_argument, NULL, 'g' },
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct top t = { .dirfd = -1 };
	struct prof_gc_totals prev, now;
	struct sigaction sa;
	struct timespec next;
	struct stat st;
	double interval = 1.0;
	uint32_t count = 0;
	unsigned long n;
	int gc = 0, c, clear, ret = MPROF_EXIT_INPUT;

	optind = 1;
	while ((c = getopt_long(argc, argv, "gi:n:h", opts, NULL)) != -1) {
		switch (c) {
		case 'g': gc = 1; break;
		case 'i': if (parse_interval(optarg, &interval)) return MPROF_EXIT_USAGE; break;
		case 'n':
			if (mprof_parse_u32("top", "--count", optarg, 0, &count))
				return MPROF_EXIT_USAGE;
			if (count == 0) {
				mprof_error("top", "--count must be at least 1");
				return MPROF_EXIT_USAGE;
			}
			break;
		case 'h': usage(stdout); return MPROF_EXIT_OK;
		default: usage(stderr); return MPROF_EXIT_USAGE;
		}
	}
	if (!gc || optind != argc - 1) {
		mprof_error("top", "%s", !gc ? "--gc (GC timing) is the only view: add --gc" : "expected one TARGET");
		usage(stderr);
		return MPROF_EXIT_USAGE;
	}
	t.target = argv[optind];
	t.a = prof_analysis_new(NULL);
	if (!t.a) {
		mprof_error("top", "out of memory");
		return MPROF_EXIT_SYSTEM;
	}
	if (strncmp(t.target, "shm:", 4) && strncmp(t.target, "fd:", 3) && stat(t.target, &st) == 0 &&
	    S_ISDIR(st.st_mode)) {
		t.dirfd = open(t.target, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (t.dirfd < 0) {
			mprof_error("top", "%s: %s", t.target, strerror(errno));
			goto out;
		}
	} else if (region_open(&t) != 0) {
		goto out;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	clear = isatty(STDOUT_FILENO);
	clock_gettime(CLOCK_MONOTONIC, &next);
	memset(&prev, 0, sizeof(prev));
	/* Refresh 1 right away, then one every interval. */
	for (n = 1; !stop; n++) {
		if ((t.dirfd >= 0 ? dir_refresh(&t) : region_refresh(&t)) != 0)
			goto out;
		print_refresh(&t, n, n > 1 ? &prev : NULL, clear);
		prof_analysis_gc_totals(t.a, &now);
		prev = now;
		if (count && n >= count)
			break;
		next.tv_sec += (time_t)interval;
		next.tv_nsec += (long)((interval - floor(interval)) * 1e9);
		if (next.tv_nsec >= 1000000000L) {
			next.tv_sec++;
			next.tv_nsec -= 1000000000L;
		}
		/* The refresh period; a signal ends it early (EINTR). */
		while (!stop && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			;
	}
	ret = MPROF_EXIT_OK;
out:
	if (t.have_desc)
		prof_trace_desc_free(&t.desc);
	for (size_t i = 0; i < t.nfiles; i++) {
		close(t.files[i].fd);
		free(t.files[i].buf);
	}
	free(t.files);
	if (t.dirfd >= 0)
		close(t.dirfd);
	prof_region_reader_close(t.reader);
	prof_region_close(t.region);
	prof_analysis_free(t.a);
	return ret;
}
