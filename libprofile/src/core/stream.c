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
 *                           ^base  ^+off     ^+end
 *
 * The producer trusts only itself.  Its positions live in process-private
 * memory: the writer (base, off, end: thread-local) and, per slot, the
 * stream state below (head, the open packet's length while no thread
 * holds the slot, the owning writer).  The region's copies of them (the
 * slot's head, a packet's content_bytes) are written for the readers and
 * not read back, so a collector that scribbles on every byte it can reach
 * cannot make an emit write outside the region.  The geometry is the
 * validated private copy taken at attach.  What the producer does read
 * from shared pages is bounded before use: the consumer's tail (clamped
 * to head), a slot's head and open packet length, read once at the
 * slot's first claim (stream_adopt(): any head is a valid sequence
 * number, the length is clamped to a packet), the owner word (compared,
 * never used); or it is a plain count that never becomes an offset (a
 * packet's events_discarded, schema_count).
 *
 *   process-private                          region (shared)
 *   streams[s]: head, open_bytes, writer --> slot s: head (a copy),
 *                                            owner (between processes)
 *   writer (TLS): base, off, end         --> packet: content_bytes (a copy)
 *
 * Switching packets (packet_switch): close the open packet (stamp
 * timestamp_end), then open seq head:
 *  - discard mode: only if head - tail < packets_per_stream, where tail is
 *    the consumer's position (acquire load, bounds-checked: the consumer
 *    is another party); otherwise the event is dropped and counted in the
 *    open packet's events_discarded.  The new packet's header is written
 *    first and head is release-stored after it, so a reader that sees the
 *    new head sees a well-formed open packet and the closed previous one.
 *  - overwrite mode: always.  head is stored first, then a release fence,
 *    then the slot is rewritten (Linux's write_seqcount_begin(): the
 *    sequence bump, then smp_wmb()), so a reader that copied any byte of
 *    the rewrite and then re-reads head after its acquire fence sees head
 *    moved and drops its copy as torn.  The packet bytes are plain
 *    stores, the usual seqlock compromise.
 * In both modes events_discarded is cumulative: each packet starts with
 * the count its predecessor ended with.
 */

#include "core/internal.h"

PROF_EXPORT __thread struct prof__writer prof__tls_writer __attribute__((tls_model("initial-exec")));

#ifndef PROF_FREESTANDING
/*
 * A hosted build's core comes with its host.  Every instrumented program
 * links this file (the writer above), and this reference makes a static
 * link (libprofile.a) take src/posix/region.o too, whose load-time
 * constructors register the attach hook and attach the region named by
 * MPROF_REGION.  A reference only: the core calls nothing of the host.
 */
extern const char prof__posix_host_anchor;
static const char *const host_anchor __attribute__((used)) = &prof__posix_host_anchor;
#endif
/* Whether the attached region's clock is the TSC (set at attach). */
int prof__clock_is_tsc;

/*
 * A stream's private state: the truth the region's copies are written
 * from.  head is touched by the slot's owning thread only (or under the
 * lock while no thread owns the slot); writer and open_bytes change hands
 * under the core lock, which orders one owner's last packet before the
 * next owner's first.
 */
struct stream_state {
	uint64_t head;                /* packets opened */
	uint64_t claims;              /* times the slot changed owner */
	uint32_t open_bytes;          /* the open packet's length while no writer holds it */
	uint32_t adopted;             /* head and open_bytes taken over at first claim */
	struct prof__writer *writer;  /* the owning thread's writer; NULL when free */
};
static struct stream_state streams[PROF_MAX_STREAMS];

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

/* Where the fast path may write up to: one byte short of the packet's end
 * (a compact header's timestamp is stored 4 bytes wide, see
 * PROF__TSC_COMPACT), or NULL (every emit comes here) when the clock is
 * not the TSC the fast path reads. */
static size_t fast_end(const struct prof__writer *w)
{
	return PROF__HAVE_COMPACT && prof__clock_is_tsc && w->base ? prof__region.packet_size - 1 : 0;
}

/* The epoch of a timestamp: its bits 24..55, as the fast path's shld
 * computes them.  A compact header is written only within the epoch of
 * the stream's last timestamp. */
static uint32_t ts_epoch(uint64_t ts)
{
	return (uint32_t)(ts >> PROF_EVENT_TS_BITS);
}

/* Count one dropped event in the open packet, or, before the thread has
 * one, in the region's dropped_no_slot.  An atomic add: a signal handler
 * on this thread may count one in the middle of ours. */
static void count_discarded(struct prof__writer *w)
{
	struct prof_packet_header *ph = (struct prof_packet_header *)(void *)w->base;

	if (ph)
		__atomic_fetch_add(&ph->events_discarded, 1, __ATOMIC_RELAXED);
	else if (prof__region.hdr)
		__atomic_fetch_add(&prof__region.hdr->dropped_no_slot, 1, __ATOMIC_RELAXED);
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
 * The overwrite-mode writer's fence between the store of head and the
 * rewrite of the slot (write_seqcount_begin()'s smp_wmb()).  GCC's
 * ThreadSanitizer rejects thread fences; under it the fence is a compiler
 * barrier, which is what a release fence is on x86, the only target TSan
 * runs on here (as in src/read/drain.c).
 */
#if defined(__SANITIZE_THREAD__)
#define STREAM_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define STREAM_TSAN 1
#endif
#endif

static void seqlock_write_fence(void)
{
#ifdef STREAM_TSAN
	atomic_signal_fence(memory_order_seq_cst);
#else
	/* Pairs with the acquire fence in seqlock_fence() (src/read/drain.c),
	 * between the reader's copy of a packet and its re-read of head. */
	atomic_thread_fence(memory_order_release);
#endif
}

/* The open packet's length, from private memory only: the writer's own
 * position while it holds the packet, else what the last one left. */
static uint32_t open_length(const struct prof__writer *w, uint32_t slot)
{
	if (w->base)
		return (uint32_t)w->off;
	return streams[slot].open_bytes;
}

/*
 * Close the open packet (if any) and open the next.  Returns 0, or
 * -PROF_ENOSPC in discard mode when the consumer has not freed the next
 * slot.
 */
static int packet_switch(struct prof__writer *w, struct prof_slot *sl, uint32_t tid)
{
	uint32_t slot = slot_index(sl);
	struct stream_state *ss = &streams[slot];
	uint64_t head = ss->head; /* ours: never read back from the slot */
	uint64_t n = prof__region.packets_per_stream;
	struct prof_packet_header *old = head ? packet_at(slot, head - 1) : NULL;
	struct prof_packet_header *next = packet_at(slot, head);
	/* A count, never an offset: a scribbled value corrupts only itself. */
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
			return -PROF_ENOSPC;
	}
	ts = clock_now();
	if (old) {
		uint32_t len = open_length(w, slot);

		/* Close it: a complete CTF packet, its sizes from our own
		 * count.  Published with head below. */
		old->timestamp_end = ts;
		old->content_size = (uint64_t)len * 8;
		__atomic_store_n(&old->content_bytes, len, __ATOMIC_RELAXED);
	}

	ss->head = head + 1;
	if (prof__region.mode == PROF_MODE_DISCARD) {
		packet_init(next, slot, head, ts, discarded, tid);
		/* Publishes the closed packet and the new open one.  Pairs with
		 * the reader's acquire load of head (load_head()). */
		__atomic_store_n(&sl->head, head + 1, __ATOMIC_RELEASE);
	} else {
		/* The seqlock's write side.  The release store publishes the
		 * closed packet (pairs with the reader's acquire load of head
		 * in load_head()); the fence after it keeps every store of the
		 * rewrite below from becoming visible before the new head. */
		__atomic_store_n(&sl->head, head + 1, __ATOMIC_RELEASE);
		seqlock_write_fence();
		packet_init(next, slot, head, ts, discarded, tid);
	}
	w->base = (uint8_t *)next;
	w->off = PROF_PACKET_HEADER_SIZE;
	w->end = fast_end(w);
	/* A reader's clock starts the packet at timestamp_begin. */
	w->epoch = ts_epoch(ts);
	w->epoch_ok = 1;
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

/* Make @w point at the open packet of a slot it cannot switch yet, full:
 * every emit retries the switch. */
static void writer_park(struct prof__writer *w, struct prof_slot *sl)
{
	uint32_t slot = slot_index(sl);
	uint64_t head = streams[slot].head;

	if (!head) {
		w->base = NULL;
		w->off = w->end = 0;
		return;
	}
	if (!w->base) {
		/* Taking over the slot: its open packet as the last owner
		 * left it (private memory, never the packet's own words),
		 * whose last timestamp this writer does not know. */
		w->base = (uint8_t *)packet_at(slot, head - 1);
		w->off = streams[slot].open_bytes;
		w->epoch_ok = 0;
	}
	w->end = w->off;
}

PROF_EXPORT void prof__drop_nested(struct prof__writer *w)
{
	count_discarded(w);
}

void prof__count_no_slot(void)
{
	if (prof__region.hdr)
		__atomic_fetch_add(&prof__region.hdr->dropped_no_slot, 1, __ATOMIC_RELAXED);
}

void prof__count_nested_drop(void)
{
	prof__drop_nested(&prof__tls_writer);
}

/*
 * The first claim of a slot since attach takes the stream over as the
 * region has it: from a fresh region, nothing; from a process that used
 * the region before this one and exited, its packet count and open
 * packet.  Read once, and bounded: any head is a valid sequence number
 * (the ring index is taken modulo packets_per_stream), and the open
 * packet's length is clamped to a packet.  From then on the private state
 * is the truth.
 */
static void stream_adopt(uint32_t slot, struct prof_slot *sl)
{
	struct stream_state *ss = &streams[slot];
	uint64_t head = __atomic_load_n(&sl->head, __ATOMIC_RELAXED);

	ss->head = head;
	ss->claims = __atomic_load_n(&sl->claims, __ATOMIC_RELAXED);
	ss->open_bytes = PROF_PACKET_HEADER_SIZE;
	if (head) {
		uint32_t cb = __atomic_load_n(&packet_at(slot, head - 1)->content_bytes, __ATOMIC_RELAXED);

		if (cb > PROF_PACKET_HEADER_SIZE && cb <= prof__region.packet_size)
			ss->open_bytes = cb;
	}
	ss->adopted = 1;
}

/* Claim a free slot for the calling thread; returns 0 or -PROF_ENOSPC.
 * Under the lock: streams[].writer, private, says which slots this
 * process holds; the slot's owner word, which only arbitrates between
 * processes, is never trusted with more. */
static int stream_claim(struct prof__writer *w)
{
	uint64_t me = prof__region.platform.thread_id(prof__region.platform.ctx);
	uint32_t i, nslots = prof__region.stream_slots;

	if (me == 0)
		me = 1;
	w->tid = (uint32_t)me; /* asked once: packet switches reuse it */
	for (i = 0; i < nslots; i++) {
		uint32_t slot = (i + (uint32_t)me) % nslots;
		struct prof_slot *sl = &prof__region.slots[slot];

		uint64_t expect = 0;

		/* Ours to give: the private owner decides within this process. */
		if (streams[slot].writer)
			continue;
		/* Between processes sharing a region (one that exited, one
		 * that came after it), the shared owner word arbitrates.  Pairs
		 * with the release store of owner in writer_leave(). */
		if (!__atomic_compare_exchange_n(&sl->owner, &expect, me, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			continue;
		if (!streams[slot].adopted)
			stream_adopt(slot, sl);
		streams[slot].writer = w;
		streams[slot].claims++;
		__atomic_store_n(&sl->claims, streams[slot].claims, __ATOMIC_RELAXED);
		w->stream = sl;
		w->base = NULL;
		w->off = w->end = 0;
		w->epoch_ok = 0;
		/* A fresh packet for this thread (its tid is in the context). */
		if (packet_switch(w, sl, w->tid) != 0)
			writer_park(w, sl);
		return 0;
	}
	return -PROF_ENOSPC;
}

/* The low 24 bits of @v in the producer's byte order (a CTF 24-bit field). */
static void put_u24(uint8_t *p, uint32_t v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
#else
	p[0] = (uint8_t)(v >> 16);
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)v;
#endif
}

/*
 * Everything the inline fast path cannot do: claim a stream, switch
 * packets, drop, read a clock other than the TSC, write an extended
 * header.  Runs with the writer marked busy (nest != 0, gate == 0), so an
 * emit from a signal handler that interrupts it only counts a drop.  @size
 * is the event's compact size (PROF_EVENT_COMPACT_SIZE + payload) and @st
 * its state word.  Writes the header and returns where it starts in the
 * compact frame (the payload goes at the return value +
 * PROF_EVENT_COMPACT_SIZE), or NULL if the event was dropped (and
 * counted).
 *
 * The header is compact when the id is (below 255) and the event's
 * timestamp is in the epoch of the stream's last one (the packet's
 * timestamp_begin or this writer's last event: w->epoch, when epoch_ok);
 * else extended, 8 bytes more, reserved here.  The rule is the fast
 * path's, so a platform clock (every emit here) gets compact headers too.
 * Either way w->epoch becomes the event's.
 */
static uint8_t *reserve(struct prof__writer *w, size_t size, uint32_t st)
{
	struct prof_slot *sl = w->stream;
	size_t need = size + (PROF_EVENT_EXTENDED_SIZE - PROF_EVENT_COMPACT_SIZE);
	uint32_t id = st & PROF__ID_MASK;
	uint64_t ts;
	uint8_t *p;

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
	}
	if (need > prof__region.packet_size - PROF_PACKET_HEADER_SIZE) {
		count_discarded(w); /* can never fit a packet */
		return NULL;
	}
	/* Room in the open packet (a non-TSC writer, a parked one whose
	 * packet still fits this smaller event, or an epoch change): no
	 * switch. */
	if (!w->base || prof__region.packet_size - w->off < need) {
		if (packet_switch(w, sl, w->tid) != 0) {
			writer_park(w, sl);
			count_discarded(w);
			return NULL;
		}
	}
	ts = clock_now();
	p = w->base + w->off;
	if (w->epoch_ok && st < PROF_EVENT_COMPACT_IDS && ts_epoch(ts) == w->epoch) {
		p[0] = (uint8_t)st;
		put_u24(p + 1, (uint32_t)ts);
		return p;
	}
	p[0] = PROF_EVENT_EXTENDED;
	put_u24(p + 1, id);
	prof__bytes_copy(p + 4, &ts, 8);
	w->epoch = ts_epoch(ts);
	return p + (PROF_EVENT_EXTENDED_SIZE - PROF_EVENT_COMPACT_SIZE);
}

/*
 * The fast path's way out (profile/event.h's PROF__BEGIN): @marked says
 * whether it had shut the gate already (the event did not fit, or its
 * epoch changed) or found it shut (an emit in progress, no stream yet, or
 * an id too large for a compact header).
 */
PROF_EXPORT size_t prof__reserve_slow(struct prof__writer *w, size_t size, uint32_t st, int marked)
{
	uint8_t *p;

	if (!marked) {
		/* Shut by an emit in progress: the slow path's (nest), or the
		 * fast path's (with a stream: the gate is open between emits
		 * once the thread has one).  A signal handler's emit: drop. */
		if (w->nest || (w->gate == 0 && w->stream)) {
			prof__drop_nested(w);
			return 0;
		}
		w->gate = 0;
	}
	w->nest = 1;
	atomic_signal_fence(memory_order_seq_cst);
	p = reserve(w, size, st);
	atomic_signal_fence(memory_order_seq_cst);
	w->nest = 0;
	/* Dropped: open the gate again (the commit does otherwise). */
	if (!p) {
		w->gate = w->stream ? PROF_EVENT_COMPACT_IDS : 0;
		return 0;
	}
	return (size_t)(p - w->base); /* never 0: after the packet header */
}

PROF_EXPORT int prof_thread_attach(void)
{
	struct prof__writer *w = &prof__tls_writer;
	int ret;

	if (w->stream)
		return 0;
	if (!prof__region.base)
		return -PROF_ENOENT;
	if (w->nest)
		return -PROF_EBUSY; /* from a signal handler interrupting an emit */
	w->nest = 1;
	atomic_signal_fence(memory_order_seq_cst);
	ret = prof__lock();
	if (ret == 0) {
		ret = stream_claim(w);
		prof__unlock();
	}
	atomic_signal_fence(memory_order_seq_cst);
	w->nest = 0;
	/* The gate opens once the thread has a stream (event.h). */
	if (w->stream)
		w->gate = PROF_EVENT_COMPACT_IDS;
	return ret;
}

/* Under the lock: hand the slot back, keeping the open packet's length
 * for the next owner. */
static void writer_leave(struct prof__writer *w)
{
	uint32_t slot = slot_index(w->stream);

	if (w->base)
		streams[slot].open_bytes = (uint32_t)w->off;
	streams[slot].writer = NULL;
	w->stream = NULL;
	w->gate = 0;
	w->base = NULL;
	w->off = w->end = 0;
	/* Within this process the lock orders this owner's packets before
	 * the next owner's.  For a process that claims the slot after this
	 * one (sharing the region), pairs with the acquire CAS in
	 * stream_claim(). */
	__atomic_store_n(&prof__region.slots[slot].owner, 0, __ATOMIC_RELEASE);
}

PROF_EXPORT void prof_thread_release(void)
{
	struct prof__writer *w = &prof__tls_writer;

	if (!w->stream)
		return;
	if (prof__lock() != 0)
		return;
	if (prof__region.base && w->stream)
		writer_leave(w);
	else
		w->stream = NULL;
	prof__unlock();
}

void prof__writers_reset(void)
{
	uint32_t i;

	for (i = 0; i < PROF_MAX_STREAMS; i++) {
		struct prof__writer *w = streams[i].writer;

		if (w) {
			w->stream = NULL;
			w->gate = 0;
			w->base = NULL;
			w->off = w->end = 0;
		}
	}
	prof__bytes_zero(streams, sizeof(streams));
}

/* The length of @s cut to at most @bound bytes (the caller saw its first
 * @bound bytes are not NUL) without splitting a UTF-8 character: if the first byte left out
 * continues a character whose lead byte is among the last 3 kept, the
 * cut moves back to that lead byte.  Anything else (ASCII, a stray
 * continuation byte, an invalid lead) is cut at @bound as before. */
PROF_EXPORT size_t prof__str_cut(const char *s, size_t bound)
{
	const uint8_t *u = (const uint8_t *)s;
	size_t i;

	if (u[bound] == 0 || (u[bound] & 0xc0) != 0x80)
		return bound; /* it fits, or the cut falls between characters */
	for (i = 1; i <= 3 && i <= bound; i++) {
		uint8_t c = u[bound - i];
		size_t len;

		if ((c & 0xc0) == 0x80)
			continue; /* a continuation byte: keep looking for the lead */
		len = c >= 0xf0 && c < 0xf8 ? 4 : c >= 0xe0 && c < 0xf0 ? 3 : c >= 0xc0 && c < 0xe0 ? 2 : 1;
		return len > i ? bound - i : bound;
	}
	return bound; /* no lead byte within reach: malformed, leave it */
}

/* prof__putstr()'s end: copy from @n (where the inline loop stopped, 3
 * bytes short of @bound, with s[0..n) copied and not NUL) to the end or
 * the cut, and count a cut.  Returns the length written. */
PROF_EXPORT size_t prof__putstr_tail(uint8_t *p, const char *s, size_t n, size_t bound)
{
	size_t end = n;

	while (end < bound && s[end])
		end++;
	if (end == bound && s[end]) {
		end = prof__str_cut(s, bound);
		if (prof__region.hdr)
			__atomic_fetch_add(&prof__region.hdr->strings_truncated, 1, __ATOMIC_RELAXED);
	}
	for (; n < end; n++)
		p[n] = (uint8_t)s[n];
	return end;
}
