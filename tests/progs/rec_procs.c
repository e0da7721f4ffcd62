/* SPDX-License-Identifier: MIT */
/*
 * rec_procs - a program for tests/t_record_procs.sh and t_record_signals.sh:
 * processes that record in sequence, side by side, after fork() without
 * exec(), and under signals.  Every event carries the emitting pid, so a
 * test can check that each trace holds its own process's events only.
 *
 *   rec_procs emit N        N events, exit 0
 *   rec_procs fork K N      N events, fork K children that each emit N
 *                           (from a thread of their own too: N more), then
 *                           N more in the parent
 *   rec_procs signal N [B]  N events; print "ready"; print and emit (as an
 *                           event) each SIGINT and SIGUSR1, and B more
 *                           events after each SIGUSR1 (default 0); at
 *                           SIGHUP, print what SIGPIPE's disposition was,
 *                           exit 0
 *   rec_procs sleep         print "ready", wait for any signal, exit 0
 *                           (a process that outlives its parent)
 *   rec_procs kill-parent N N events, SIGKILL its parent (mprof record,
 *                           which dies mid-run), N more events, exit 0
 *   rec_procs threads T N   T threads, all alive at once, each emits N
 *                           (with S stream slots, (T - S) * N find none)
 *   rec_procs own-fork N    (not under mprof record) open and attach a
 *                           region of its own, emit N, fork a child that
 *                           emits N, drain the region itself: prints its
 *                           events and invalid packets; exits 1 unless
 *                           they are exactly N and 0
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <profile/profile.h>

PROF_EVENT(tick, "procs.tick", (u32, i), (u32, pid), (u32, role));
PROF_EVENT(got_signal, "procs.signal", (u32, signo), (u32, pid));

static volatile sig_atomic_t signal_count[NSIG];

static void on_signal(int sig)
{
	signal_count[sig]++;
}

static void emit(unsigned n, unsigned role)
{
	unsigned i;

	for (i = 0; i < n; i++)
		PROF_EMIT(tick, i, (uint32_t)getpid(), role);
}

static void *thread_emit(void *arg)
{
	emit((unsigned)(uintptr_t)arg, 2);
	return NULL;
}

static pthread_barrier_t all_alive;

static void *thread_hold(void *arg)
{
	/* Nobody exits (and hands its slot over) before all have emitted. */
	emit((unsigned)(uintptr_t)arg, 3);
	pthread_barrier_wait(&all_alive);
	return NULL;
}

static int do_threads(unsigned t, unsigned n)
{
	pthread_t tid[64];
	unsigned i;

	if (t < 1 || t > 64 || pthread_barrier_init(&all_alive, NULL, t) != 0)
		return 2;
	for (i = 0; i < t; i++)
		if (pthread_create(&tid[i], NULL, thread_hold, (void *)(uintptr_t)n) != 0)
			return 1;
	for (i = 0; i < t; i++)
		pthread_join(tid[i], NULL);
	return 0;
}

static int count_sink(void *arg, uint32_t stream, const uint8_t *pkt, size_t len,
		      const struct prof_packet_info *info)
{
	(void)arg, (void)stream, (void)pkt, (void)len, (void)info;
	return 0;
}

static int do_own_fork(unsigned n)
{
	struct prof_region_config cfg;
	struct prof_region *r = NULL;
	struct prof_region_reader *rd = NULL;
	struct prof_drain_stats st;
	struct prof_error err;
	char buf[600];
	pid_t pid;
	int status, ret = 1;

	prof_region_config_init(&cfg);
	cfg.attach = 1; /* anonymous shared memory: a forked child maps it too */
	if (prof_region_open(&r, &cfg, &err) != 0) {
		fprintf(stderr, "rec_procs: %s\n", prof_error_format(&err, buf, sizeof(buf)));
		return 2;
	}
	emit(n, 0);
	pid = fork();
	if (pid == 0) {
		emit(n, 1); /* must not reach the parent's open packet */
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		goto out;
	/* No emit here: it would write over what a child wrongly appended. */
	if (prof_region_reader_open(&rd, prof_region_memory(r), prof_region_size(r), "own", &err) != 0) {
		fprintf(stderr, "rec_procs: %s\n", prof_error_format(&err, buf, sizeof(buf)));
		goto out;
	}
	if (prof_region_reader_drain(rd, count_sink, NULL) < 0 || prof_region_reader_scrape(rd, count_sink, NULL) < 0)
		goto out;
	prof_region_reader_stats(rd, &st);
	printf("events %llu invalid %llu\n", (unsigned long long)st.events, (unsigned long long)st.invalid_packets);
	ret = st.events == n && st.invalid_packets == 0 ? 0 : 1;
out:
	prof_region_reader_close(rd);
	prof_region_close(r);
	return ret;
}

static int do_fork(unsigned k, unsigned n)
{
	unsigned i;
	int failed = 0;

	emit(n, 0);
	for (i = 0; i < k; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			pthread_t t;

			emit(n, 1);
			if (pthread_create(&t, NULL, thread_emit, (void *)(uintptr_t)n) != 0 || pthread_join(t, NULL) != 0)
				_exit(3);
			exit(0);
		}
	}
	for (i = 0; i < k; i++) {
		int st;

		if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			failed = 1;
	}
	emit(n, 0);
	return failed;
}

static int do_signal(unsigned n, unsigned burst)
{
	struct sigaction sa, old;
	sigset_t block, none;
	int seen[NSIG] = { 0 };

	sigaction(SIGPIPE, NULL, &old);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&block);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	emit(n, 0);
	printf("ready\n");
	fflush(stdout);
	sigemptyset(&none);
	while (!seen[SIGHUP]) {
		static const int sigs[] = { SIGINT, SIGUSR1, SIGHUP };
		unsigned k;

		sigsuspend(&none); /* returns once handlers ran; the signals are blocked again */
		for (k = 0; k < sizeof(sigs) / sizeof(sigs[0]); k++)
			for (; seen[sigs[k]] < signal_count[sigs[k]]; seen[sigs[k]]++) {
				PROF_EMIT(got_signal, (uint32_t)sigs[k], (uint32_t)getpid());
				if (sigs[k] == SIGUSR1)
					emit(burst, 0);
				printf("got signal %d\n", sigs[k]);
				fflush(stdout);
			}
	}
	printf("sigpipe %s\n", old.sa_handler == SIG_DFL ? "default" : "not default");
	return 0;
}

static int do_sleep(void)
{
	sigset_t all;
	int sig;

	emit(10, 0);
	sigfillset(&all);
	sigdelset(&all, SIGKILL);
	sigprocmask(SIG_BLOCK, &all, NULL);
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	sigwait(&all, &sig);
	PROF_EMIT(got_signal, (uint32_t)sig, (uint32_t)getpid());
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "emit")) {
		emit((unsigned)strtoul(argv[2], NULL, 0), 0);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "fork"))
		return do_fork((unsigned)strtoul(argv[2], NULL, 0), (unsigned)strtoul(argv[3], NULL, 0));
	if (argc == 4 && !strcmp(argv[1], "threads"))
		return do_threads((unsigned)strtoul(argv[2], NULL, 0), (unsigned)strtoul(argv[3], NULL, 0));
	if (argc == 3 && !strcmp(argv[1], "own-fork"))
		return do_own_fork((unsigned)strtoul(argv[2], NULL, 0));
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "signal"))
		return do_signal((unsigned)strtoul(argv[2], NULL, 0),
				 argc == 4 ? (unsigned)strtoul(argv[3], NULL, 0) : 0);
	if (argc == 3 && !strcmp(argv[1], "kill-parent")) {
		emit((unsigned)strtoul(argv[2], NULL, 0), 0);
		kill(getppid(), SIGKILL);
		emit((unsigned)strtoul(argv[2], NULL, 0), 0);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "sleep"))
		return do_sleep();
	fprintf(stderr, "usage: rec_procs emit N | fork K N | signal N [B] | sleep | kill-parent N | threads T N | own-fork N\n");
	return 2;
}
