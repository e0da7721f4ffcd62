/* SPDX-License-Identifier: MIT */
/*
 * tools/mprof/xen.c - `mprof collect --xen` (dom0) and `mprof share --xen`
 * (a Linux guest).  The work is in collectors/xen/; this file parses the
 * command line and runs the loop (docs/XEN.md).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "xen_collect.h"
#include "commands.h"
#include "profile/platform.h"
#include "profile/region.h"
#include "profile/xen.h"
#include "xen_transport.h"

static volatile sig_atomic_t stop_signal, scrape_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

static void on_scrape(int sig)
{
	(void)sig;
	scrape_signal = 1;
}

static void install_stop(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* No SA_RESTART: the signal cuts the collector's wait short. */
	sa.sa_handler = on_scrape;
	sigaction(SIGUSR1, &sa, NULL);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int open_transport(const char *cmd, struct mprof_xen_transport *t, const char *sim, const char *guest_name,
			  int guest)
{
	struct prof_error err;
	char buf[700];
	int ret;

	if (sim)
		ret = mprof_xen_sim_open(t, sim, guest ? guest_name : NULL, &err);
	else
		ret = mprof_xen_real_open(t, guest, &err);
	if (ret)
		mprof_error(cmd, "%s", prof_error_format(&err, buf, sizeof(buf)));
	return ret;
}

/* ---- mprof collect ---- */

static void collect_usage(FILE *f)
{
	fprintf(f,
		"usage: mprof collect --xen [options] DOMAIN...   (domid or name)\n"
		"       mprof collect --xen [options] --all\n"
		"Drains the trace regions Xen guests share (mprof share --xen) into\n"
		"DIR/<domain name>-<domid>/, one CTF trace per guest program run.\n"
		"  -o, --output DIR    output directory (default: mprof-xen)\n"
		"  --all               every domain that advertises a region, as they come\n"
		"  --once              one pass: take what is there, close the traces, exit\n"
		"  --scrape            also take regions whose program ended or whose domain\n"
		"                      crashed before this collector started (one-shot scrape)\n"
		"  --exit-after N      exit once N traces are closed\n"
		"  --scrape-every MS   every MS ms, also take the events the guests' open\n"
		"                      packets hold so far (as SIGUSR1 does once)\n"
		"  --sim DIR           the simulated grant table and XenStore at DIR (tests)\n"
		"Each guest is drained every data/mprof/poll-ms (clamped to 10..60000 ms).\n"
		"SIGUSR1 scrapes on demand: every guest's open packets go into its trace\n"
		"now, the guest keeps running, and no event is written twice.\n"
		"SIGINT/SIGTERM stop: complete packets are taken, open ones stay for the\n"
		"next collector (nothing is lost in discard mode).\n"
		"Exit status: 0; 2 usage; 3 an advertisement or region was refused;\n"
		"4 a trace could not be written.\n");
}

int cmd_collect(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "xen", no_argument, NULL, 'x' },   { "output", required_argument, NULL, 'o' },
		{ "all", no_argument, NULL, 'a' },   { "once", no_argument, NULL, '1' },
		{ "scrape", no_argument, NULL, 's' }, { "exit-after", required_argument, NULL, 'n' },
		{ "sim", required_argument, NULL, 'S' }, { "help", no_argument, NULL, 'h' },
		{ "scrape-every", required_argument, NULL, 'E' }, { NULL, 0, NULL, 0 },
	};
	const char *out = "mprof-xen", *sim = NULL;
	int xen = 0, all = 0, once = 0, scrape = 0, c, ret, status = MPROF_EXIT_OK;
	uint32_t exit_after = 0, active, passes = 0, scrape_every = 0;
	uint64_t now, next_scrape = 0;
	struct mprof_xen_transport t;
	struct mprof_xen_collector *col = NULL;
	struct mprof_xen_totals tot;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'x': xen = 1; break;
		case 'o': out = optarg; break;
		case 'a': all = 1; break;
		case '1': once = 1; break;
		case 's': scrape = 1; break;
		case 'n':
			if (mprof_parse_u32("collect", "--exit-after", optarg, 0, &exit_after))
				return MPROF_EXIT_USAGE;
			break;
		case 'E':
			if (mprof_parse_u32("collect", "--scrape-every", optarg, 0, &scrape_every))
				return MPROF_EXIT_USAGE;
			if (scrape_every < 1 || scrape_every > 3600000) {
				mprof_error("collect", "--scrape-every: %u is not from 1 to 3600000 ms", scrape_every);
				return MPROF_EXIT_USAGE;
			}
			break;
		case 'S': sim = optarg; break;
		case 'h': collect_usage(stdout); return MPROF_EXIT_OK;
		default: collect_usage(stderr); return MPROF_EXIT_USAGE;
		}
	}
	if (!xen) {
		mprof_error("collect", "say where to collect from: --xen (the only source so far)");
		return MPROF_EXIT_USAGE;
	}
	if (all == (optind < argc)) {
		mprof_error("collect", all ? "--all or domains, not both" : "name the domains, or --all");
		return MPROF_EXIT_USAGE;
	}
	if (open_transport("collect", &t, sim, NULL, 0))
		return MPROF_EXIT_SYSTEM;
	if (mprof_xen_collector_open(&col, &t, out, all, scrape || once)) {
		t.close(t.ctx);
		return MPROF_EXIT_SYSTEM;
	}
	for (; optind < argc; optind++)
		if (mprof_xen_collector_add(col, argv[optind]) != 0)
			status = MPROF_EXIT_USAGE;
	if (status) {
		mprof_xen_collector_close(col, NULL);
		t.close(t.ctx);
		return status;
	}
	install_stop();
	next_scrape = now_ms() + scrape_every;
	for (;;) {
		now = now_ms();
		ret = mprof_xen_collector_step_at(col, now, &active);
		if (ret < 0) {
			status = MPROF_EXIT_SYSTEM;
			break;
		}
		if (scrape_signal || (scrape_every && now >= next_scrape)) {
			scrape_signal = 0;
			next_scrape = now + scrape_every;
			if (mprof_xen_collector_scrape(col) < 0) {
				status = MPROF_EXIT_SYSTEM;
				break;
			}
		}
		if (scrape_every && next_scrape - now < (uint64_t)ret)
			ret = (int)(next_scrape - now);
		mprof_xen_collector_totals(col, &tot);
		/* --once: a first pass maps, a second drains (and scrapes an
		 * ended or crashed guest's open packets). */
		if ((once && ++passes >= 2) || stop_signal || (exit_after && tot.traces >= exit_after))
			break;
		if (once)
			continue;
		t.wait(t.ctx, ret);
	}
	if (mprof_xen_collector_close(col, &tot) != 0)
		status = MPROF_EXIT_SYSTEM;
	t.close(t.ctx);
	fprintf(stderr,
		"mprof collect: %llu traces, %llu events in %llu packets, %llu invalid packets skipped, "
		"%llu events discarded by guests, %llu schema records unusable, %llu regions refused; "
		"%llu on-demand scrapes; at most %llu KiB held for one guest\n",
		(unsigned long long)tot.traces, (unsigned long long)tot.events, (unsigned long long)tot.packets,
		(unsigned long long)tot.invalid_packets, (unsigned long long)tot.events_discarded,
		(unsigned long long)tot.schema_errors, (unsigned long long)tot.refused_guests,
		(unsigned long long)tot.scrapes, (unsigned long long)(tot.guest_bytes_peak + 1023) / 1024);
	if (!status && tot.refused_guests)
		status = MPROF_EXIT_INPUT;
	return status;
}

/* ---- mprof share ---- */

static void share_usage(FILE *f)
{
	fprintf(f,
		"usage: mprof share --xen [options] -- PROG [ARGS...]\n"
		"In a Xen guest: creates a trace region on pages granted to dom0\n"
		"(read-only but for the consumer positions), advertises it under\n"
		"data/mprof/ in XenStore, and runs PROG recording into it; dom0's\n"
		"`mprof collect --xen` drains it.\n"
		"  -p, --packet-size N   bytes per packet (default 16K)\n"
		"  -n, --packets N       packets per stream (default 16)\n"
		"  -t, --streams N       stream slots (default 8)\n"
		"  -e, --max-events N    event types (default 256)\n"
		"  --poll-ms N           how often dom0 should look (default 100)\n"
		"  --linger-ms N         after PROG ends, wait at most N ms for dom0 to\n"
		"                        take the rest (default 10000)\n"
		"  --sim DIR             the simulated Xen at DIR (tests)\n"
		"  --name NAME           with --sim: the simulated domain's name\n"
		"Exit status: PROG's (128+N if killed by signal N); 2 usage; 4 a\n"
		"system error; 5 PROG could not be started.\n");
}

static void sleep_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

int cmd_share(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "xen", no_argument, NULL, 'x' },          { "packet-size", required_argument, NULL, 'p' },
		{ "packets", required_argument, NULL, 'n' }, { "streams", required_argument, NULL, 't' },
		{ "max-events", required_argument, NULL, 'e' }, { "poll-ms", required_argument, NULL, 'P' },
		{ "linger-ms", required_argument, NULL, 'L' }, { "sim", required_argument, NULL, 'S' },
		{ "name", required_argument, NULL, 'N' },   { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint32_t packet_size = 16 * 1024, packets = 16, streams = 8, max_events = 256, poll_ms = 100,
		 linger_ms = 10000;
	const char *sim = NULL, *name = "guest", *prog;
	struct prof_region_header hdr;
	struct prof_region_config cfg;
	struct mprof_xen_transport t;
	struct mprof_xen_shared sh;
	struct prof_error err;
	char buf[700], spec[32], state[16];
	int xen = 0, c, ret, status = MPROF_EXIT_SYSTEM, wstatus, have_t = 0;
	pid_t pid;

	memset(&sh, 0, sizeof(sh));
	sh.fd = -1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+p:n:t:e:h", opts, NULL)) != -1) {
		int bad = 0;

		switch (c) {
		case 'x': xen = 1; break;
		case 'p': bad = mprof_parse_u32("share", "--packet-size", optarg, 1, &packet_size); break;
		case 'n': bad = mprof_parse_u32("share", "--packets", optarg, 0, &packets); break;
		case 't': bad = mprof_parse_u32("share", "--streams", optarg, 0, &streams); break;
		case 'e': bad = mprof_parse_u32("share", "--max-events", optarg, 0, &max_events); break;
		case 'P': bad = mprof_parse_u32("share", "--poll-ms", optarg, 0, &poll_ms); break;
		case 'L': bad = mprof_parse_u32("share", "--linger-ms", optarg, 0, &linger_ms); break;
		case 'S': sim = optarg; break;
		case 'N': name = optarg; break;
		case 'h': share_usage(stdout); return MPROF_EXIT_OK;
		default: share_usage(stderr); return MPROF_EXIT_USAGE;
		}
		if (bad)
			return MPROF_EXIT_USAGE;
	}
	if (!xen || optind >= argc) {
		mprof_error("share", !xen ? "say how to share: --xen (the only way so far)" : "no program to run");
		return MPROF_EXIT_USAGE;
	}
	if (poll_ms < 1 || poll_ms > 60000) {
		mprof_error("share", "--poll-ms: %u is not from 1 to 60000", poll_ms);
		return MPROF_EXIT_USAGE;
	}
	if (streams > MPROF_XEN_CAP_STREAMS || packet_size > MPROF_XEN_CAP_PACKET_SIZE ||
	    max_events > MPROF_XEN_CAP_EVENTS) {
		mprof_error("share", "a collector takes at most %u streams, %u-byte packets and %u event types per "
				     "guest (docs/XEN.md)", MPROF_XEN_CAP_STREAMS, MPROF_XEN_CAP_PACKET_SIZE,
			    MPROF_XEN_CAP_EVENTS);
		return MPROF_EXIT_USAGE;
	}
	prof_region_config_init(&cfg);
	cfg.packet_size = packet_size;
	cfg.packets_per_stream = packets;
	cfg.stream_slots = streams;
	cfg.max_events = max_events;
	if (prof_region_layout(cfg.mode, packet_size, packets, streams, max_events, &hdr) != 0 ||
	    hdr.region_size / PROF_PAGE_SIZE > PROF_XEN_MAX_PAGES) {
		mprof_error("share", "bad region geometry (packet size a power of two >= 256, at least 2 packets, "
				     "at most %u pages in all)", PROF_XEN_MAX_PAGES);
		return MPROF_EXIT_USAGE;
	}
	prog = strrchr(argv[optind], '/') ? strrchr(argv[optind], '/') + 1 : argv[optind];

	if (open_transport("share", &t, sim, name, 1))
		return MPROF_EXIT_SYSTEM;
	have_t = 1;
	ret = mprof_xen_share_region(&t, &cfg, poll_ms, 0, prog, &sh, &err);
	if (ret) {
		mprof_error("share", "sharing %llu pages: %s", (unsigned long long)(hdr.region_size / PROF_PAGE_SIZE),
			    prof_error_format(&err, buf, sizeof(buf)));
		status = ret == -EINVAL ? MPROF_EXIT_USAGE : MPROF_EXIT_SYSTEM;
		goto out;
	}
	snprintf(spec, sizeof(spec), "fd:%d", sh.fd);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		mprof_error("share", "fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		setenv(PROF_REGION_ENV, spec, 1);
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "mprof share: cannot run %s: %s\n", argv[optind], strerror(errno));
		_exit(MPROF_EXIT_CHILD);
	}
	signal(SIGINT, SIG_IGN); /* the program gets the terminal's signals; we wait for it */
	while (waitpid(pid, &wstatus, 0) < 0)
		if (errno != EINTR) {
			mprof_error("share", "waitpid: %s", strerror(errno));
			goto out;
		}
	status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
	/* The program ended: tell dom0, and keep the pages granted until it
	 * took the rest (or --linger-ms passed). */
	if (prof_xen_withdraw(&sh.ops) == 0) {
		uint32_t waited;

		for (waited = 0; waited < linger_ms; waited += 20) {
			int n = t.self_read(t.ctx, prof_xen_key_name(PROF_XEN_KEY_STATE), state, sizeof(state));

			if (n == 9 && !memcmp(state, "collected", 9))
				break;
			sleep_ms(20);
		}
		if (waited >= linger_ms)
			mprof_error("share", "dom0 did not collect the trace within %u ms (is `mprof collect --xen` "
					     "running?); the pages are released", linger_ms);
	}
	sh.advertised = 0;
out:
	mprof_xen_unshare(&sh);
	if (have_t)
		t.close(t.ctx); /* releases the grants */
	return status;
}
