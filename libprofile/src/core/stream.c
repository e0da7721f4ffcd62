/* SPDX-License-Identifier: MIT */
/*
 * core/stream.c - per-thread streams: claiming a slot, switching packets,
 * counting what is dropped.  The fast path is inline in profile/event.h;
 * this file is everything it falls back to.
 *
 * A stream slot belongs to one thread at a time (single writer).  The
 * thread's writer (thread-local) points into the open packet:
 *
 *   ring of stream s (packets_per_stream packets of packet_size bytes)
 *   +-----------+-----------+-----------+-----------+
 *   | seq k-2   | seq k-1   | seq k     |  (free)   |    head == k + 1
 *   | complete  | complete  | open      |           |    tail == k - 2
 *   +-----------+-----------+-----------+-----------+
 *                           ^base  ^pos      ^end
 *
 * Switching packets (prof__packet_switch): close the open packet (stamp
 * timestamp_end), then open seq head:
 *  - discard mode: only if head - tail < packets_per_stream, where tail is
 *    the consumer's position (acquire load, bounds-checked: the consumer
 *    is another party); otherwise the event is dropped and counted in the
 *    open packet's events_discarded.  The new packet's header is written
 *    first and head is release-stored after it, so a reader that sees the
 *    new head sees a well-formed open packet and the closed previous one.
 *  - overwrite mode: always.  head is exchanged first (a full barrier), then the
 *    slot is rewritten, so a reader copying the old packet in that slot
 *    sees head move and drops its copy as torn (a seqlock; the packet
 *    bytes are plain stores, which is the usual seqlock compromise, safe
 *    with GCC/Clang on the targets we build for).
 * In both modes events_discarded is cumulative: each packet starts with
 * the count its predecessor ended with.
 */
#include <errno.h>

#include "core/internal.h"

PROF_EXPORT __thread struct prof__writer prof__tls_writer __attribute__((tls_model("initial-exec")));
/* Whether the attached region's clock is the TSC (set at attach). */
int prof__clock_is_tsc;

/* Each claimed slot's writer, so detach can reset them.  Under the lock. */
static struct prof__writer *writers[PROF_MAX_STREAMS];

static uint32_t slot_index(const struct prof_slot *sl)
{
	return (uint32_t)(sl - prof__region.slots);
}

static struct prof_packet_header *packet_at(uint32_t slot, uint64_t seq)
{
	uint64_t index = (uint64_t)slot * prof__region.packets_per_stream + seq % prof__region.packets_per_stream;

	return (struct prof_packet_header *)(void *)(prof__region.rings + index * prof__region.packet_size);
}

/* The region's clock: the TSC, or the platform's clock. */
static uint64_t clock_now(void)
{
	const struct prof_platform *p = &prof__region.platform;

#if defined(__x86_64__) || defined(__i386__)
	if (prof__clock_is_tsc)
		return __builtin_ia32_rdtsc();
#endif
	return p->now ? p->now(p->ctx) : 0;
}

/* Where the fast path may write up to: the packet's end, or NULL (every
 * emit comes here) when the clock is not the TSC the fast path reads. */
static uint8_t *fast_end(const struct prof__writer *w)
{
	return prof__clock_is_tsc && w->base ? w->base + prof__region.packet_size : NULL;
}

/* Count one dropped event in the open packet.  An atomic add: a signal
 * handler on this thread may count one in the middle of ours. */
static void count_discarded(struct prof__writer *w)
{
	struct prof_packet_header *ph = (struct prof_packet_header *)(void *)w->base;

	if (!ph) {
		__atomic_fetch_add(&prof__region.hdr->dropped_no_slot, 1, __ATOMIC_RELAXED);
		return;
	}
	__atomic_fetch_add(&ph->events_discarded, 1, __ATOMIC_RELAXED);
}

static void packet_init(struct prof_packet_header *ph, uint32_t slot, uint64_t seq, uint64_t ts,
			uint64_t discarded, uint32_t tid)
{
	ph->magic = PROF_CTF_MAGIC;
	prof__bytes_copy(ph->uuid, prof__region.uuid, 16);
	ph->stream_id = 0;
	ph->stream_instance_id = slot;
	ph->timestamp_begin = ts;
	ph->timestamp_end = 0;
	ph->packet_size = (uint64_t)prof__region.packet_size * 8;
	ph->events_discarded = discarded;
	ph->packet_seq_num = seq;
	ph->tid = tid;
	ph->content_size = 0; /* set when it closes */
	/* Publishes the header to a reader of the open packet.  Pairs with
	 * the acquire load of content_bytes in prof__drain_open_packet(). */
	__atomic_store_n(&ph->content_bytes, PROF_PACKET_HEADER_SIZE, __ATOMIC_RELEASE);
}

/*
 * Close the open packet (if any) and open the next.  Returns 0, or
 * -ENOSPC in discard mode when the consumer has not freed the next slot.
 */
static int packet_switch(struct prof__writer *w, struct prof_slot *sl, uint32_t tid)
{
	uint32_t slot = slot_index(sl);
	uint64_t head = __atomic_load_n(&sl->head, __ATOMIC_RELAXED); /* we are its only writer */
	uint64_t n = prof__region.packets_per_stream;
	struct prof_packet_header *old = head ? packet_at(slot, head - 1) : NULL;
	struct prof_packet_header *next = packet_at(slot, head);
	uint64_t discarded = old ? __atomic_load_n(&old->events_discarded, __ATOMIC_RELAXED) : 0;
	uint64_t ts;

	if (prof__region.mode == PROF_MODE_DISCARD) {
		/* Pairs with the reader's release store of tail after it copied
		 * the packet out (src/read/drain.c).  tail is written by the
		 * consumer: clamp it, never trust it. */
		uint64_t tail = __atomic_load_n(&prof__region.consumer[slot].tail, __ATOMIC_ACQUIRE);

		if (tail > head)
			tail = head;
		if (head - tail >= n)
			return -ENOSPC;
	}
	ts = clock_now();
	if (old) {
		/* Close it: a complete CTF packet.  Published with head below. */
		old->timestamp_end = ts;
		old->content_size = (uint64_t)__atomic_load_n(&old->content_bytes, __ATOMIC_RELAXED) * 8;
	}

	if (prof__region.mode == PROF_MODE_DISCARD) {
		packet_init(next, slot, head, ts, discarded, tid);
		/* Publishes the closed packet and the new open one.  Pairs with
		 * the reader's acquire load of head. */
		__atomic_store_n(&sl->head, head + 1, __ATOMIC_RELEASE);
	} else {
		/* Publishes the closed packet (pairs with the reader's acquire
		 * load of head) and announces the slot's reuse before a byte of
		 * it changes: the reader re-checks head after its copy. */
		(void)__atomic_exchange_n(&sl->head, head + 1, __ATOMIC_SEQ_CST);
		/* seq_cst exchange rather than a release store: its acquire half
		 * keeps the rewrite below from moving above it (a locked xchg on
		 * x86, a full barrier), which a release store alone would not. */
		packet_init(next, slot, head, ts, discarded, tid);
	}
	w->base = (uint8_t *)next;
	w->pos = w->base + PROF_PACKET_HEADER_SIZE;
	w->end = fast_end(w);
	if (old) {
		uint64_t late;

		/* A signal handler may have counted a drop in the old packet
		 * after we read its count: carry it into the new one.  From
		 * the store of w->base above on, handlers count in the new. */
		atomic_signal_fence(memory_order_seq_cst);
		late = __atomic_load_n(&old->events_discarded, __ATOMIC_RELAXED) - discarded;
		if (late)
			__atomic_fetch_add(&next->events_discarded, late, __ATOMIC_RELAXED);
	}
	if (old && prof__region.platform.packet_closed)
		prof__region.platform.packet_closed(prof__region.platform.ctx, slot);
	return 0;
}

/* Make @w point at the open packet of a slot it cannot switch yet. */
static void writer_park(struct prof__writer *w, struct prof_slot *sl)
{
	uint64_t head = __atomic_load_n(&sl->head, __ATOMIC_RELAXED);

	if (!head) {
		w->base = w->pos = w->end = NULL;
		return;
	}
	w->base = (uint8_t *)packet_at(slot_index(sl), head - 1);
	w->pos = w->base + __atomic_load_n(&((struct prof_packet_header *)(void *)w->base)->content_bytes,
					   __ATOMIC_RELAXED);
	w->end = w->pos; /* full: every emit retries the switch */
}

/* Drops counted before this thread had a packet (a signal handler during
 * its first claim); folded into its first packet. */
static __thread uint64_t early_drops;

PROF_EXPORT void prof__drop_nested(struct prof__writer *w)
{
	if (w->base)
		count_discarded(w);
	else
		__atomic_fetch_add(&early_drops, 1, __ATOMIC_RELAXED);
}

void prof__count_nested_drop(void)
{
	prof__drop_nested(&prof__tls_writer);
}

static void fold_early_drops(struct prof__writer *w)
{
	/* One instruction (xchg): a signal cannot split it. */
	uint64_t n = __atomic_exchange_n(&early_drops, 0, __ATOMIC_RELAXED);
	struct prof_packet_header *ph = (struct prof_packet_header *)(void *)w->base;

	if (!n)
		return;
	if (ph)
		__atomic_fetch_add(&ph->events_discarded, n, __ATOMIC_RELAXED);
	else
		__atomic_fetch_add(&prof__region.hdr->dropped_no_slot, n, __ATOMIC_RELAXED);
}

/* Claim a free slot for the calling thread (CAS); returns 0 or -ENOSPC. */
static int stream_claim(struct prof__writer *w)
{
	uint64_t me = prof__region.platform.thread_id(prof__region.platform.ctx);
	uint32_t i, nslots = prof__region.stream_slots;

	if (me == 0)
		me = 1;
	w->tid = (uint32_t)me; /* asked once: packet switches reuse it */
	for (i = 0; i < nslots; i++) {
		struct prof_slot *sl = &prof__region.slots[(i + (uint32_t)me) % nslots];
		uint64_t expect = 0;

		if (__atomic_load_n(&sl->owner, __ATOMIC_RELAXED) != 0)
			continue;
		/* Pairs with the release store of owner in prof_thread_release():
		 * the new owner sees the previous owner's last packet state. */
		if (!__atomic_compare_exchange_n(&sl->owner, &expect, me, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			continue;
		__atomic_store_n(&sl->claims, __atomic_load_n(&sl->claims, __ATOMIC_RELAXED) + 1, __ATOMIC_RELAXED);
		writers[slot_index(sl)] = w; /* under the lock: see prof__reserve_slow() */
		w->stream = sl;
		/* A fresh packet for this thread (its tid is in the context). */
		if (packet_switch(w, sl, w->tid) != 0)
			writer_park(w, sl);
		return 0;
	}
	return -ENOSPC;
}

/*
 * Everything the inline fast path cannot do: claim a stream, switch
 * packets, drop, read a clock other than the TSC.  Called with the writer
 * marked busy (nest != 0), so an emit from a signal handler that
 * interrupts it only counts a drop.  Returns where to write @size bytes
 * (the event's timestamp in w->slow_ts), or NULL if the event was dropped
 * (and counted).
 */
PROF_EXPORT uint8_t *prof__reserve_slow(struct prof__writer *w, size_t size)
{
	struct prof_slot *sl = w->stream;

	if (!sl) {
		int claimed;

		if (!prof__region.base)
			return NULL;
		if (prof__lock() != 0) {
			prof__drop_nested(w);
			return NULL;
		}
		claimed = stream_claim(w);
		prof__unlock();
		if (claimed != 0) {
			__atomic_fetch_add(&prof__region.hdr->dropped_no_slot, 1, __ATOMIC_RELAXED);
			return NULL;
		}
		sl = w->stream;
		fold_early_drops(w);
	}
	if (size > prof__region.packet_size - PROF_PACKET_HEADER_SIZE) {
		count_discarded(w); /* can never fit a packet */
		return NULL;
	}
	/* Room in the open packet (a non-TSC writer, or a parked one whose
	 * packet still fits this smaller event): no switch. */
	if (!w->base || (size_t)(w->base + prof__region.packet_size - w->pos) < size) {
		if (packet_switch(w, sl, w->tid) != 0) {
			writer_park(w, sl);
			count_discarded(w);
			return NULL;
		}
	}
	w->slow_ts = clock_now();
	return w->pos;
}

PROF_EXPORT int prof_thread_attach(void)
{
	struct prof__writer *w = &prof__tls_writer;
	int ret;

	if (w->stream)
		return 0;
	if (!prof__region.base)
		return -ENOENT;
	if (w->nest)
		return -EBUSY; /* from a signal handler interrupting an emit */
	w->nest = 1;
	atomic_signal_fence(memory_order_seq_cst);
	ret = prof__lock();
	if (ret == 0) {
		ret = stream_claim(w);
		prof__unlock();
		if (ret == 0)
			fold_early_drops(w);
	}
	atomic_signal_fence(memory_order_seq_cst);
	w->nest = 0;
	return ret;
}

PROF_EXPORT void prof_thread_release(void)
{
	struct prof__writer *w = &prof__tls_writer;
	struct prof_slot *sl = w->stream;

	if (!sl)
		return;
	if (prof__lock() != 0)
		return;
	if (prof__region.base)
		writers[slot_index(sl)] = NULL;
	w->stream = NULL;
	w->base = w->pos = w->end = NULL;
	/* Hands the slot over.  Pairs with the acquire CAS in stream_claim(). */
	if (prof__region.base)
		__atomic_store_n(&sl->owner, 0, __ATOMIC_RELEASE);
	prof__unlock();
}

void prof__writers_reset(void)
{
	uint32_t i;

	for (i = 0; i < PROF_MAX_STREAMS; i++) {
		if (!writers[i])
			continue;
		writers[i]->stream = NULL;
		writers[i]->base = writers[i]->pos = writers[i]->end = NULL;
		writers[i] = NULL;
	}
}
