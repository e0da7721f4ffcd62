/* SPDX-License-Identifier: MIT */
/*
 * Stress: 2, 4 and 8 threads emit flat out into small rings while a reader
 * thread drains live.  Every thread also takes a timer signal whose handler
 * emits, so emits nest.  Conservation, exactly, every run:
 *
 *   emitted == recorded + discarded + dropped_no_slot
 *
 * and per stream the gaps in each thread's sequence numbers add up to the
 * stream's discarded count, so no event is counted in the wrong place,
 * except a signal handler's emits that interrupt the thread's first claim
 * of its slot: it has no packet yet, and they count in dropped_no_slot.
 * Overwrite mode: every packet seq is delivered, overwritten or torn, and
 * no packet is invalid.  Built with ThreadSanitizer by `make check`.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "lib/check.h"
#include "profile/profile.h"

PROF_EVENT(st_seq, "stress.seq", (u32, thread), (u64, seq));
PROF_EVENT(st_sig, "stress.sig", (u32, thread), (u64, seq));

#define MAX_THREADS 8
#define MAX_STREAMS 16

static _Atomic int go;
static _Atomic int producers_done;
static uint64_t events_per_thread;
/* Written by each producer thread (and its signal handler) only. */
static uint64_t emitted[MAX_THREADS];
static volatile uint64_t sig_emitted[MAX_THREADS];
static __thread uint32_t my_index;
static __thread volatile uint64_t sig_seq;

struct stream_seen {
	uint64_t events;
	uint64_t discarded;      /* the last packet's cumulative count */
	uint64_t next_seq[MAX_THREADS][2]; /* expected next seq, per thread and event */
	uint64_t gaps;           /* sequence numbers missing */
	uint64_t packets;
	uint64_t next_packet;    /* overwrite mode: next packet seq expected */
	uint64_t packet_gaps;
};

struct seen {
	struct stream_seen s[MAX_STREAMS];
	int thread_stream[MAX_THREADS]; /* the one stream each thread wrote, or -1 */
	const struct prof_schema *schema;
	uint32_t seq_id, sig_id;
};

static void on_timer(int sig)
{
	uint64_t seq = sig_seq++;

	(void)sig;
	PROF_EMIT(st_sig, my_index, seq);
	sig_emitted[my_index] = sig_seq;
}

static int sink(void *arg, uint32_t stream, const uint8_t *pkt, size_t len, const struct prof_packet_info *info)
{
	struct seen *seen = arg;
	struct stream_seen *ss;
	struct prof_packet_cursor c;
	struct prof_decoded_event ev;
	int r;

	(void)len;
	CHECK_LT(stream, MAX_STREAMS);
	ss = &seen->s[stream];
	if (info->hdr.packet_seq_num != ss->next_packet)
		ss->packet_gaps += info->hdr.packet_seq_num - ss->next_packet;
	ss->next_packet = info->hdr.packet_seq_num + 1;
	ss->packets++;
	ss->discarded = info->hdr.events_discarded;
	prof_packet_cursor_init(&c, pkt, info, seen->schema);
	while ((r = prof_packet_next(&c, &ev)) > 0) {
		uint32_t t = (uint32_t)ev.values[0].v.u;
		uint64_t seq = ev.values[1].v.u;
		int which = strcmp(ev.desc->name, "stress.sig") == 0;

		CHECK_LT(t, MAX_THREADS);
		/* A thread keeps its stream: there are more slots than threads. */
		if (seen->thread_stream[t] < 0)
			seen->thread_stream[t] = (int)stream;
		CHECK_EQ(seen->thread_stream[t], stream);
		CHECK_GE(seq, ss->next_seq[t][which]);
		ss->gaps += seq - ss->next_seq[t][which];
		ss->next_seq[t][which] = seq + 1;
		ss->events++;
	}
	CHECK_EQ(r, 0);
	return 0;
}

struct reader_ctx {
	struct prof_region_reader *rd;
	struct seen *seen;
};

static void *reader_main(void *arg)
{
	struct reader_ctx *rc = arg;

	while (!atomic_load(&producers_done)) {
		rc->seen->schema = prof_region_reader_schema(rc->rd);
		CHECK_OK(prof_region_reader_drain(rc->rd, sink, rc->seen));
	}
	return NULL;
}

static void *producer_main(void *arg)
{
	struct sigevent sev;
	struct itimerspec its;
	timer_t timer;
	uint64_t i;

	my_index = (uint32_t)(uintptr_t)arg;
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGALRM;
	sev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
	CHECK_EQ(timer_create(CLOCK_MONOTONIC, &sev, &timer), 0);
	memset(&its, 0, sizeof(its));
	its.it_value.tv_nsec = 20000;
	its.it_interval.tv_nsec = 20000; /* every 20 us: many land inside an emit */
	while (!atomic_load(&go))
		;
	CHECK_EQ(timer_settime(timer, 0, &its, NULL), 0);
	for (i = 0; i < events_per_thread; i++) {
		PROF_EMIT(st_seq, my_index, i);
		emitted[my_index]++;
	}
	timer_delete(timer);
	/* A signal queued before the delete may still run: block, then count. */
	{
		sigset_t set;

		sigemptyset(&set);
		sigaddset(&set, SIGALRM);
		pthread_sigmask(SIG_BLOCK, &set, NULL);
	}
	return NULL;
}

static void run(uint32_t mode, uint32_t nthreads)
{
	struct prof_region_config cfg;
	struct prof_region *region;
	struct prof_error err;
	struct reader_ctx rc;
	struct prof_drain_stats ds;
	static struct seen seen;
	pthread_t th[MAX_THREADS], reader;
	uint64_t total_emitted = 0, total_recorded = 0, total_discarded = 0, total_gaps = 0;
	uint32_t t, s;

	memset(&seen, 0, sizeof(seen));
	for (t = 0; t < MAX_THREADS; t++)
		seen.thread_stream[t] = -1;
	memset(emitted, 0, sizeof(emitted));
	for (t = 0; t < MAX_THREADS; t++)
		sig_emitted[t] = 0;
	prof_region_config_init(&cfg);
	cfg.mode = mode;
	cfg.packet_size = 512;
	cfg.packets_per_stream = 4;
	cfg.stream_slots = MAX_STREAMS;
	cfg.attach = 1;
	CHECK_OK(prof_region_open(&region, &cfg, &err));
	CHECK_OK(prof_region_reader_open(&rc.rd, prof_region_memory(region), prof_region_size(region), "stress",
					 &err));
	rc.seen = &seen;
	atomic_store(&go, 0);
	atomic_store(&producers_done, 0);
	CHECK_EQ(pthread_create(&reader, NULL, reader_main, &rc), 0);
	for (t = 0; t < nthreads; t++)
		CHECK_EQ(pthread_create(&th[t], NULL, producer_main, (void *)(uintptr_t)t), 0);
	atomic_store(&go, 1);
	for (t = 0; t < nthreads; t++)
		CHECK_EQ(pthread_join(th[t], NULL), 0);
	atomic_store(&producers_done, 1);
	CHECK_EQ(pthread_join(reader, NULL), 0);
	/* Final drain and scrape, as a collector does after the program. */
	seen.schema = prof_region_reader_schema(rc.rd);
	CHECK_OK(prof_region_reader_drain(rc.rd, sink, &seen));
	CHECK_OK(prof_region_reader_scrape(rc.rd, sink, &seen));
	prof_region_reader_stats(rc.rd, &ds);
	CHECK_EQ(ds.invalid_packets, 0);

	for (t = 0; t < nthreads; t++) {
		int ts = seen.thread_stream[t];

		total_emitted += emitted[t] + sig_emitted[t];
		/* Events dropped after a thread's last recorded one are missing
		 * at the end of its sequence, not between recorded events. */
		CHECK_GE(ts, 0);
		seen.s[ts].gaps += emitted[t] - seen.s[ts].next_seq[t][0];
		seen.s[ts].gaps += sig_emitted[t] - seen.s[ts].next_seq[t][1];
	}
	for (s = 0; s < MAX_STREAMS; s++) {
		total_recorded += seen.s[s].events;
		total_discarded += seen.s[s].discarded;
		total_gaps += seen.s[s].gaps;
		if (mode == PROF_MODE_DISCARD) {
			/* Each missing sequence number is a counted discard, or
			 * (signal handlers during the first claim, before the
			 * thread has a packet) a drop without a slot. */
			CHECK_GE(seen.s[s].gaps, seen.s[s].discarded);
			CHECK_EQ(seen.s[s].packet_gaps, 0);
		}
	}
	printf("%s %u threads: emitted %llu (%llu from signal handlers), recorded %llu, discarded %llu, "
	       "without a slot %llu, packets %llu, overwritten %llu, torn %llu\n",
	       mode == PROF_MODE_DISCARD ? "discard" : "overwrite", nthreads, (unsigned long long)total_emitted,
	       (unsigned long long)(total_emitted - (nthreads * events_per_thread)),
	       (unsigned long long)total_recorded, (unsigned long long)total_discarded,
	       (unsigned long long)ds.dropped_no_slot, (unsigned long long)ds.packets, (unsigned long long)ds.overwritten_packets,
	       (unsigned long long)ds.torn_packets);
	if (mode == PROF_MODE_DISCARD) {
		CHECK_EQ(total_recorded + total_discarded + ds.dropped_no_slot, total_emitted);
		CHECK_EQ(total_gaps, total_discarded + ds.dropped_no_slot);
		CHECK_EQ(ds.events_discarded, total_discarded);
	} else {
		uint64_t packet_gaps = 0;

		for (s = 0; s < MAX_STREAMS; s++)
			packet_gaps += seen.s[s].packet_gaps;
		/* Every packet never delivered was overwritten or torn. */
		CHECK_EQ(packet_gaps, ds.overwritten_packets + ds.torn_packets);
		CHECK_LE(total_recorded, total_emitted);
	}
	prof_region_reader_close(rc.rd);
	prof_region_close(region);
}

int main(int argc, char **argv)
{
	static const uint32_t threads[] = { 2, 4, 8 };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_timer;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	events_per_thread = argc > 1 ? strtoull(argv[1], NULL, 10) : 200000;
#if defined(__SANITIZE_THREAD__)
	events_per_thread /= 10; /* ThreadSanitizer is slow; the interleavings are what count */
#endif
	for (i = 0; i < sizeof(threads) / sizeof(threads[0]); i++)
		run(PROF_MODE_DISCARD, threads[i]);
#if !defined(__SANITIZE_THREAD__)
	/* Overwrite mode reads packets the producer may be rewriting (a
	 * seqlock: the copy is checked afterwards), which ThreadSanitizer
	 * reports by design; it runs in the other builds. */
	for (i = 0; i < sizeof(threads) / sizeof(threads[0]); i++)
		run(PROF_MODE_OVERWRITE, threads[i]);
#endif
	printf("test_emit_stress: ok\n");
	return 0;
}
