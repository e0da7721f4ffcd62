/* SPDX-License-Identifier: MIT */
/*
 * profile/event.h - define events statically, emit them cheaply.
 *
 *   PROF_EVENT(tcp_rx, "tcp.rx", (u64, conn), (u32, len));
 *   ...
 *   PROF_EMIT(tcp_rx, conn_id, nbytes);
 *
 * PROF_EVENT makes a const descriptor (name, fields) and a small mutable
 * state word, and a typed static inline emitter.  Field types: u8 u16 u32
 * u64 s8 s16 s32 s64 f64 and str(N), a string of at most N bytes.
 *
 * The hot path costs, when the event is not recording, one relaxed load,
 * one sign test and a branch not taken (3 instructions), and the
 * arguments are not evaluated; when it records, a few thread-local loads,
 * a 4-byte compact header (docs/REGION.md), the payload stores and one
 * release store of the packet's content size.
 * It never locks, allocates, logs or makes a system call.  Events are
 * registered when the program loads, by a constructor per definition.
 * With -DPROF_DISABLE every PROF_EMIT compiles to nothing (its arguments
 * are not evaluated) and nothing is registered.
 *
 * The header is C11 (-pedantic clean) and C++17.
 *
 * Signal safety: an emit that interrupts another emit on the same thread
 * (a signal handler) finds the thread's writer busy (nest != 0) and is
 * dropped and counted in events_discarded, so a stream is never corrupted.
 */
#ifndef PROFILE_EVENT_H
#define PROFILE_EVENT_H

#ifndef __cplusplus
#include <stdatomic.h>
#endif
#include <stddef.h>
#include <stdint.h>

#include "profile/export.h"
#include "profile/format.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One field of an event descriptor. */
struct prof_field {
	const char *name;
	uint8_t type;   /* enum prof_field_type */
	uint32_t bound; /* strings: max bytes before the NUL (1..PROF_MAX_STRING_BOUND) */
};

/* The static, constant description of an event. */
struct prof_event_desc {
	const char *name;
	uint16_t kind;  /* enum prof_event_kind */
	uint16_t nfields;
	const struct prof_field *fields;
};

/*
 * The state word is atomic in C; C++17 has no _Atomic, so there it is a
 * plain word of the same size that the inline code reads with the
 * compiler's __atomic builtins.
 */
#ifdef __cplusplus
#define PROF__ATOMIC_U32 uint32_t
#define PROF__STATE_LOAD(ev) __atomic_load_n(&(ev).state, __ATOMIC_RELAXED)
#define PROF__STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define PROF__ATOMIC_U32 _Atomic uint32_t
#define PROF__STATE_LOAD(ev) atomic_load_explicit(&(ev).state, memory_order_relaxed)
#define PROF__STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif

/*
 * The run-time state of one event at one definition site: PROF__UNREGISTERED
 * until registered (at load, by the definition's constructor); then the
 * event's id while it records, or the id with PROF__OFF (the sign bit) set
 * while it does not (no region attached, disabled by the user: also
 * PROF__USER_OFF, or refused: PROF__REFUSED).  So a recording event's
 * state word is its id, and an emit stores it as the event header's id with
 * no shift or mask; every other state is negative, one sign test.  An id
 * too large for a compact header (above 254) fails the writer's gate test
 * (struct prof__writer), so every emit of it takes the slow path, which
 * writes the extended header.
 */
struct prof_event {
	PROF__ATOMIC_U32 state;
	const struct prof_event_desc *desc;
	struct prof_event *next; /* registry list, owned by the core */
};

#define PROF__UNREGISTERED 0xffffffffu /* not registered yet: records nothing */
#define PROF__OFF (1u << 31)           /* not recording now */
#define PROF__USER_OFF (1u << 30)      /* disabled by the user (kept across attach) */
#define PROF__REFUSED (1u << 29)       /* refused at registration: never records */
#define PROF__ID_MASK (PROF__REFUSED - 1)

/*
 * A thread's writer: where its next event goes.  gate is the fast path's
 * busy mark and its id test in one word: PROF_EVENT_COMPACT_IDS while the
 * thread has a stream and no emit runs, so that an event with a compact
 * id (below it) passes, and 0 while an emit runs (or before the thread
 * has a stream), so that every event goes to prof__reserve_slow().  nest
 * is 1 while the slow path runs.  An emit that finds the writer busy is a
 * signal handler's, interrupting another emit, and is dropped and counted
 * instead of interleaving its bytes.
 */
struct prof__writer {
	uint8_t *base;  /* start of the open packet, NULL before the first */
	size_t off;     /* next free byte in it: also its content_bytes */
	size_t end;     /* end of usable space, one byte short of the packet's
			 * end (a compact header's timestamp is stored 4
			 * bytes wide); <= off (parked) sends every emit to
			 * the slow path: a full ring, or a clock that is
			 * not the TSC */
	void *stream;   /* struct prof_slot *, NULL until claimed */
	uint32_t epoch; /* bits 24..55 of the stream's last timestamp: a
			 * compact header needs the same */
	uint32_t epoch_ok; /* epoch is the open packet's (the slow path's
			    * test; the fast path runs only when it is) */
	uint32_t tid;   /* the thread's id, asked once at claim */
	uint32_t gate;  /* see above; plain: only this thread and its
			 * signal handlers touch it, ordered by signal fences */
	volatile uint32_t nest;
};

PROF_EXPORT extern __thread struct prof__writer prof__tls_writer
	__attribute__((tls_model("initial-exec")));

/* Register @ev (idempotent): its constructor calls this at load.  Returns
 * its state word. */
PROF_EXPORT uint32_t prof__event_first_use(struct prof_event *ev);
PROF_EXPORT size_t prof__reserve_slow(struct prof__writer *w, size_t size, uint32_t st, int marked);
PROF_EXPORT void prof__drop_nested(struct prof__writer *w);

/**
 * prof_thread_attach() - give the calling thread its stream now.
 *
 * A thread otherwise claims its stream at its first event, under a short
 * lock.  Call this where taking that lock is safe, before code that must
 * not (a garbage collector with the world stopped, a signal handler), so
 * that its emits never lock.  Cheap if the thread already has a stream.
 *
 * Return: 0, -ENOENT if no region is attached, -ENOSPC if every stream
 * slot is taken, -EBUSY or -EDEADLK when called from a signal handler that
 * interrupted this thread inside libprofile.
 */
PROF_EXPORT int prof_thread_attach(void);

/**
 * prof_event_set_enabled() - enable or disable one event at run time.
 * @ev: the event (the identifier given to PROF_EVENT, with &).
 * @enabled: non-zero to record it.
 *
 * The setting applies to the event's NAME: every definition site with the
 * same name (a PROF_EVENT in a header, or the same event defined in
 * several files), now and when such sites are registered later, until a
 * later call or prof_events_set_enabled() changes it.  Registers @ev if it
 * was not yet.  A definition the registry refused stays off (and the call
 * still returns 0).
 *
 * Return: 0, -EINVAL if @ev or its descriptor is NULL, -EDEADLK from a
 * signal handler that interrupted libprofile on this thread.
 */
PROF_EXPORT int prof_event_set_enabled(struct prof_event *ev, int enabled);

/**
 * prof_events_set_enabled() - enable or disable every event whose name
 * starts with a prefix, now and when such events are registered later.
 * @prefix: a name prefix ("" matches all).
 * @enabled: non-zero to record them.
 *
 * The newest rule wins; the newest 16 rules are kept.
 *
 * Return: the number of registered definition sites (valid ones) whose
 * name has @prefix, -EINVAL if @prefix is NULL, or -EDEADLK from a signal
 * handler that interrupted libprofile on this thread.
 */
PROF_EXPORT int prof_events_set_enabled(const char *prefix, int enabled);

/*
 * Begin an emit of an event whose compact form takes size bytes, inside a
 * generated emitter: sets b_ to the open packet and o_ to where the
 * event's header starts in it, written, in the compact frame (the payload
 * goes at o_ + PROF_EVENT_COMPACT_SIZE; after an extended header the slow
 * path returns its end minus that), with the writer marked busy, or
 * returns from the emitter if the event was dropped (and counted).
 *
 * The gate test is the busy test and the compact-id test at once (see
 * struct prof__writer).  The busy mark (gate = 0) is stored before pos
 * and end are read: a signal handler that runs before it completes its
 * emit and leaves pos and end consistent; one that runs after it sees the
 * mark and drops.
 *
 * The fast path then reads the TSC and writes a compact header when the
 * event fits the open packet and its timestamp is in the stream's epoch
 * (its bits 24..55 are the last timestamp's).  Anything else goes to
 * prof__reserve_slow(), which may write the 12-byte extended header, as
 * does a writer whose clock is not the invariant TSC (kept with end ==
 * NULL): the fast path never tests the clock kind.  (A macro, not a
 * function, so that the drop test and the slow path stay out of the fast
 * path's code.)
 */
#if (defined(__x86_64__) || defined(__i386__)) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* rdtsc; the low 32 bits stored at p + 1 (bytes 1..3 are the compact
 * timestamp, byte 4 is the payload's or unused room: end is one byte
 * short); then the epoch, bits 24..55, in one shld. */
static inline __attribute__((always_inline)) uint32_t prof__tsc_compact(uint8_t *b, size_t o, uint32_t st)
{
	uint32_t lo, epoch;

	/* The id byte goes first: if the epoch differs, the slow path
	 * writes the header again.  eax and edx are early-clobbered: rdtsc
	 * writes them before the stores use their addresses. */
	__asm__ volatile("movb %b[st], %[id]\n\t"
			 "rdtsc\n\t"
			 "movl %%eax, %[ts]\n\t"
			 "shldl $8, %%eax, %%edx"
			 : "=&a"(lo), "=&d"(epoch), [id] "=m"(b[o]),
			   [ts] "=m"(*(uint8_t(*)[4])(void *)(b + o + 1))
			 : [st] "q"(st));
	(void)lo;
	return epoch;
}
#define PROF__HAVE_COMPACT 1
#else
/* Without the TSC (or big endian): every emit takes the slow path. */
static inline uint32_t prof__tsc_compact(uint8_t *b, size_t o, uint32_t st)
{
	(void)b;
	(void)o;
	(void)st;
	return 0;
}
#define PROF__HAVE_COMPACT 0
#endif
#define PROF__BEGIN(w, size, st, b_, o_, slow)                                          \
	do {                                                                            \
		if (__builtin_expect((st) >= (w)->gate, 0)) {                           \
			(o_) = prof__reserve_slow((w), (size), (st), 0);                \
			goto slow;                                                      \
		}                                                                       \
		/* Check, then mark: a handler that interrupts between the two  \
		 * runs to completion and leaves the gate open; one that         \
		 * interrupts later finds it shut and drops without touching    \
		 * it, at any depth. */                                          \
		(w)->gate = 0;                                                  \
		/* Orders the mark before the loads below against a signal     \
		 * handler on this thread; no other thread reads w. */          \
		__atomic_signal_fence(__ATOMIC_SEQ_CST);                        \
		(b_) = (w)->base;                                               \
		(o_) = (w)->off;                                                \
		if (__builtin_expect((o_) + (size) > (w)->end, 0) ||            \
		    __builtin_expect(prof__tsc_compact((b_), (o_), (st)) != (w)->epoch, 0)) { \
			(o_) = prof__reserve_slow((w), (size), (st), 1);        \
			goto slow;                                              \
		}                                                               \
	} while (0)

/* End an emit at @off in @base (the open packet). */
static inline void prof__commit(struct prof__writer *w, uint8_t *base, size_t off)
{
	uint32_t *content_bytes = (uint32_t *)(void *)(base +
		offsetof(struct prof_packet_header, content_bytes));

	w->off = off;
	/* Publishes the event's bytes.  Pairs with the acquire load of
	 * content_bytes in prof__drain_open_packet() (src/read/drain.c). */
	__atomic_store_n(content_bytes, (uint32_t)off, __ATOMIC_RELEASE);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	w->gate = PROF_EVENT_COMPACT_IDS;
}

/*
 * str(N) values.  A string longer than N bytes is cut at N, or before N at
 * the start of a UTF-8 character that would straddle N, so that a valid
 * UTF-8 input stays valid (a malformed one is cut at N, never made
 * worse).  Counted in the region's strings_truncated, once per recorded
 * value.  The common case, a string that fits well within its bound, is
 * one inline scan; anything within 3 bytes of the bound goes out of line.
 */
PROF_EXPORT size_t prof__str_cut(const char *s, size_t bound);
PROF_EXPORT size_t prof__putstr_tail(uint8_t *p, const char *s, size_t n, size_t bound);

static inline size_t prof__strsize(const char *s, size_t bound)
{
	size_t n = 0;

	if (!s)
		return 1;
	while (n < bound && s[n])
		n++;
	if (__builtin_expect(n == bound, 0))
		n = prof__str_cut(s, bound); /* out of line: reads s[bound] */
	return n + 1;
}

static inline uint8_t *prof__putstr(uint8_t *p, const char *s, size_t bound)
{
	/* Copy freely up to 3 bytes short of the bound: no cut can fall
	 * before that.  The rest (and the cut, and its count) out of line. */
	size_t safe = bound > 3 ? bound - 3 : 0, n = 0;

	if (s) {
		for (; n < safe && s[n]; n++)
			p[n] = (uint8_t)s[n];
		if (__builtin_expect(n == safe, 0))
			n = prof__putstr_tail(p, s, n, bound);
	}
	p[n] = 0;
	return p + n + 1;
}

/* ---- Field type tables for the definition macros. ---- */
#define PROF__CT_u8 uint8_t
#define PROF__CT_u16 uint16_t
#define PROF__CT_u32 uint32_t
#define PROF__CT_u64 uint64_t
#define PROF__CT_s8 int8_t
#define PROF__CT_s16 int16_t
#define PROF__CT_s32 int32_t
#define PROF__CT_s64 int64_t
#define PROF__CT_f64 double
#define PROF__CT_str(n) const char *
#define PROF__TY_u8 PROF_TYPE_U8
#define PROF__TY_u16 PROF_TYPE_U16
#define PROF__TY_u32 PROF_TYPE_U32
#define PROF__TY_u64 PROF_TYPE_U64
#define PROF__TY_s8 PROF_TYPE_S8
#define PROF__TY_s16 PROF_TYPE_S16
#define PROF__TY_s32 PROF_TYPE_S32
#define PROF__TY_s64 PROF_TYPE_S64
#define PROF__TY_f64 PROF_TYPE_F64
#define PROF__TY_str(n) PROF_TYPE_STRING
#define PROF__BD_u8 0
#define PROF__BD_u16 0
#define PROF__BD_u32 0
#define PROF__BD_u64 0
#define PROF__BD_s8 0
#define PROF__BD_s16 0
#define PROF__BD_s32 0
#define PROF__BD_s64 0
#define PROF__BD_f64 0
#define PROF__BD_str(n) (n)
#define PROF__ISSTR_u8 0
#define PROF__ISSTR_u16 0
#define PROF__ISSTR_u32 0
#define PROF__ISSTR_u64 0
#define PROF__ISSTR_s8 0
#define PROF__ISSTR_s16 0
#define PROF__ISSTR_s32 0
#define PROF__ISSTR_s64 0
#define PROF__ISSTR_f64 0
#define PROF__ISSTR_str(n) 1

#define PROF__CAT_(a, b) a##b
#define PROF__CAT(a, b) PROF__CAT_(a, b)
#define PROF__FIRST_(a, b) a
#define PROF__FIRST(t) PROF__FIRST_ t
#define PROF__SECOND_(a, b) b
#define PROF__SECOND(t) PROF__SECOND_ t
#define PROF__UNPACK(...) __VA_ARGS__
#define PROF__CALL(m, args) m args
#define PROF__CALL2(m, args) m args
#define PROF__HEAD(...) PROF__HEAD_(__VA_ARGS__, ~)
#define PROF__HEAD_(a, ...) a

/*
 * Every local of the generated code is named prof__*, so that field names
 * and event identifiers (p, w, st, ts_lo...) never collide with them.
 * The macros use no __VA_OPT__ and never pass an empty "...", so they are
 * C11 -pedantic clean and valid C++17.
 */

/* Per-field expansions; t is a (type, name) tuple. */
#define PROF__PARAM(t) , PROF__CAT(PROF__CT_, PROF__FIRST(t)) PROF__SECOND(t)
#define PROF__SIZE(t) + (PROF__CAT(PROF__ISSTR_, PROF__FIRST(t)) \
	? prof__strsize((const char *)(uintptr_t)PROF__SECOND(t), (size_t)PROF__CAT(PROF__BD_, PROF__FIRST(t))) \
	: sizeof(PROF__CAT(PROF__CT_, PROF__FIRST(t))))
#define PROF__PUT(t) prof__k = PROF__CAT(PROF__ISSTR_, PROF__FIRST(t)) \
	? (size_t)(prof__putstr(prof__b + prof__k, (const char *)(uintptr_t)PROF__SECOND(t), \
				(size_t)PROF__CAT(PROF__BD_, PROF__FIRST(t))) - prof__b) \
	: (__builtin_memcpy(prof__b + prof__k, &PROF__SECOND(t), sizeof(PROF__SECOND(t))), \
	   prof__k + sizeof(PROF__SECOND(t)));
#define PROF__FNAME(t) PROF__FNAME_ t
#define PROF__FNAME_(type, name) #name
#define PROF__FIELDDEF(t) { PROF__FNAME(t), PROF__CAT(PROF__TY_, PROF__FIRST(t)), PROF__CAT(PROF__BD_, PROF__FIRST(t)) },
/* What the compiler can refuse: bounds and name lengths are constants. */
#define PROF__FIELDCHECK(t)                                                              \
	PROF__STATIC_ASSERT(!PROF__CAT(PROF__ISSTR_, PROF__FIRST(t)) ||                   \
		(PROF__CAT(PROF__BD_, PROF__FIRST(t)) >= 1 &&                            \
		 PROF__CAT(PROF__BD_, PROF__FIRST(t)) <= PROF_MAX_STRING_BOUND),          \
		"PROF_EVENT field " PROF__FNAME(t) ": str(N) needs 1 <= N <= 4095"); \
	PROF__STATIC_ASSERT(sizeof(PROF__FNAME(t)) <= PROF_FIELD_NAME_MAX,               \
		"PROF_EVENT field " PROF__FNAME(t) ": the field name is longer than 27 bytes");

/* FOR_EACH over 0 to 16 tuples, given their number and (tuples). */
#define PROF__FOR(M, n, group) PROF__CALL(PROF__CAT(PROF__EACH_, n), (M, PROF__UNPACK group))
#define PROF__EACH_0(M, z)
#define PROF__EACH_1(M, a) M(a)
#define PROF__EACH_2(M, a, b) M(a) M(b)
#define PROF__EACH_3(M, a, b, c) M(a) M(b) M(c)
#define PROF__EACH_4(M, a, b, c, d) M(a) M(b) M(c) M(d)
#define PROF__EACH_5(M, a, b, c, d, e) M(a) M(b) M(c) M(d) M(e)
#define PROF__EACH_6(M, a, b, c, d, e, f) M(a) M(b) M(c) M(d) M(e) M(f)
#define PROF__EACH_7(M, a, b, c, d, e, f, g) M(a) M(b) M(c) M(d) M(e) M(f) M(g)
#define PROF__EACH_8(M, a, b, c, d, e, f, g, h) PROF__EACH_7(M, a, b, c, d, e, f, g) M(h)
#define PROF__EACH_9(M, a, b, c, d, e, f, g, h, i) PROF__EACH_8(M, a, b, c, d, e, f, g, h) M(i)
#define PROF__EACH_10(M, a, b, c, d, e, f, g, h, i, j) PROF__EACH_9(M, a, b, c, d, e, f, g, h, i) M(j)
#define PROF__EACH_11(M, a, b, c, d, e, f, g, h, i, j, k) PROF__EACH_10(M, a, b, c, d, e, f, g, h, i, j) M(k)
#define PROF__EACH_12(M, a, b, c, d, e, f, g, h, i, j, k, l) \
	PROF__EACH_11(M, a, b, c, d, e, f, g, h, i, j, k) M(l)
#define PROF__EACH_13(M, a, b, c, d, e, f, g, h, i, j, k, l, m) \
	PROF__EACH_12(M, a, b, c, d, e, f, g, h, i, j, k, l) M(m)
#define PROF__EACH_14(M, a, b, c, d, e, f, g, h, i, j, k, l, m, n) \
	PROF__EACH_13(M, a, b, c, d, e, f, g, h, i, j, k, l, m) M(n)
#define PROF__EACH_15(M, a, b, c, d, e, f, g, h, i, j, k, l, m, n, o) \
	PROF__EACH_14(M, a, b, c, d, e, f, g, h, i, j, k, l, m, n) M(o)
#define PROF__EACH_16(M, a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, q) \
	PROF__EACH_15(M, a, b, c, d, e, f, g, h, i, j, k, l, m, n, o) M(q)

/* Split (name, tuples...) by count: 1 to 17 arguments. */
#define PROF__NARG(...) PROF__NARG_(__VA_ARGS__, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define PROF__NARG_(a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, N, ...) N
#define PROF__DEFINE(ident, kind, suffix, ...) \
	PROF__CALL2(PROF__CAT(PROF__DEF_, PROF__NARG(__VA_ARGS__)), (ident, kind, suffix, __VA_ARGS__))
#define PROF__DEF_1(i, k, x, nm) PROF__BODY(i, k, nm x, 0, ())
#define PROF__DEF_2(i, k, x, nm, a) PROF__BODY(i, k, nm x, 1, (a))
#define PROF__DEF_3(i, k, x, nm, a, b) PROF__BODY(i, k, nm x, 2, (a, b))
#define PROF__DEF_4(i, k, x, nm, a, b, c) PROF__BODY(i, k, nm x, 3, (a, b, c))
#define PROF__DEF_5(i, k, x, nm, a, b, c, d) PROF__BODY(i, k, nm x, 4, (a, b, c, d))
#define PROF__DEF_6(i, k, x, nm, a, b, c, d, e) PROF__BODY(i, k, nm x, 5, (a, b, c, d, e))
#define PROF__DEF_7(i, k, x, nm, a, b, c, d, e, f) PROF__BODY(i, k, nm x, 6, (a, b, c, d, e, f))
#define PROF__DEF_8(i, k, x, nm, a, b, c, d, e, f, g) PROF__BODY(i, k, nm x, 7, (a, b, c, d, e, f, g))
#define PROF__DEF_9(i, k, x, nm, a, b, c, d, e, f, g, h) PROF__BODY(i, k, nm x, 8, (a, b, c, d, e, f, g, h))
#define PROF__DEF_10(i, k, x, nm, a, b, c, d, e, f, g, h, j) \
	PROF__BODY(i, k, nm x, 9, (a, b, c, d, e, f, g, h, j))
#define PROF__DEF_11(i, k, x, nm, a, b, c, d, e, f, g, h, j, l) \
	PROF__BODY(i, k, nm x, 10, (a, b, c, d, e, f, g, h, j, l))
#define PROF__DEF_12(i, k, x, nm, a, b, c, d, e, f, g, h, j, l, m) \
	PROF__BODY(i, k, nm x, 11, (a, b, c, d, e, f, g, h, j, l, m))
#define PROF__DEF_13(i, k, x, nm, a, b, c, d, e, f, g, h, j, l, m, n) \
	PROF__BODY(i, k, nm x, 12, (a, b, c, d, e, f, g, h, j, l, m, n))
#define PROF__DEF_14(i, k, x, nm, a, b, c, d, e, f, g, h, j, l, m, n, o) \
	PROF__BODY(i, k, nm x, 13, (a, b, c, d, e, f, g, h, j, l, m, n, o))
#define PROF__DEF_15(i, k, x, nm, a, b, c, d, e, f, g, h, j, l, m, n, o, q) \
	PROF__BODY(i, k, nm x, 14, (a, b, c, d, e, f, g, h, j, l, m, n, o, q))
#define PROF__DEF_16(i, k, x, nm, a, b, c, d, e, f, g, h, j, l, m, n, o, q, r) \
	PROF__BODY(i, k, nm x, 15, (a, b, c, d, e, f, g, h, j, l, m, n, o, q, r))
#define PROF__DEF_17(i, k, x, nm, a, b, c, d, e, f, g, h, j, l, m, n, o, q, r, t) \
	PROF__BODY(i, k, nm x, 16, (a, b, c, d, e, f, g, h, j, l, m, n, o, q, r, t))

/* With PROF_DISABLE nothing is registered either: the program's
 * probes compile to nothing and its events take no room in a region. */
#ifndef PROF_DISABLE
#define PROF__REGISTER_AT_LOAD(ident)                                             \
	__attribute__((constructor(101))) static void ident##__register(void)     \
	{                                                                          \
		prof__event_first_use(&ident);                                     \
	}
#else
#define PROF__REGISTER_AT_LOAD(ident)
#endif

/*
 * One definition: the checks, the descriptor, the state word, a
 * constructor that registers it at load (so that the probe itself never
 * tests for "not registered yet"), and the emitter, called only when the
 * state word says the event records.  An emit that runs before the
 * constructor (from a constructor of priority 100 or lower, or another
 * shared object's constructor calling into this one) finds the state
 * PROF__UNREGISTERED and records nothing, as an emit before a region is
 * attached does.  The name must be a string literal ("" evname checks it).
 */
#define PROF__BODY(ident, kind, evname, nf, group)                                       \
	PROF__STATIC_ASSERT(sizeof("" evname) > 1, "PROF_EVENT: the event name is empty");  \
	PROF__STATIC_ASSERT(sizeof("" evname) <= PROF_NAME_MAX,                             \
		"PROF_EVENT " evname ": the event name is longer than 63 bytes");           \
	PROF__STATIC_ASSERT((nf) <= PROF_MAX_FIELDS, "PROF_EVENT " evname ": more than 14 fields"); \
	PROF__FOR(PROF__FIELDCHECK, nf, group)                                            \
	static const struct prof_field ident##__fields[(nf) + 1] = {                     \
		PROF__FOR(PROF__FIELDDEF, nf, group) { 0, 0, 0 } };                       \
	static const struct prof_event_desc ident##__desc = {                            \
		evname, (kind), (nf), ident##__fields };                                  \
	static struct prof_event ident __attribute__((unused)) = { PROF__UNREGISTERED, &ident##__desc, 0 }; \
	PROF__REGISTER_AT_LOAD(ident)                                                     \
	static inline __attribute__((always_inline, unused)) void ident##__emit(          \
		uint32_t prof__st, int prof__ref PROF__FOR(PROF__PARAM, nf, group))       \
	{                                                                                 \
		struct prof__writer *prof__w = &prof__tls_writer;                         \
		const size_t prof__sz = PROF_EVENT_COMPACT_SIZE PROF__FOR(PROF__SIZE, nf, group); \
		uint8_t *prof__b;                                                         \
		size_t prof__o, prof__k;                                                  \
		(void)prof__ref;                                                          \
		/* A recording event's state word is its id (header written). */          \
		PROF__BEGIN(prof__w, prof__sz, prof__st, prof__b, prof__o, prof__slow);   \
		if (0) {                                                                  \
	prof__slow:                                                                       \
			if (!prof__o)                                                     \
				return;                                                   \
			prof__b = prof__w->base;                                          \
		}                                                                         \
		/* The payload fills [o + 4, o + sz): the size the string     \
		 * fields were measured at is the size they are written at.     \
		 * Addressed as packet + offset, as the header was. */           \
		prof__k = prof__o + PROF_EVENT_COMPACT_SIZE;                              \
		PROF__FOR(PROF__PUT, nf, group)                                           \
		(void)prof__k;                                                            \
		prof__commit(prof__w, prof__b, prof__o + prof__sz);                       \
	}                                                                                 \
	/* Last, without its ';': the user's ends the definition. */                      \
	enum { prof__ref_##ident = 0 }

/**
 * PROF_EVENT() - define an event: PROF_EVENT(ident, "name", (type, field)...).
 * Up to 14 fields.  Defines `ident` (a struct prof_event) in this file.
 * The name is a string literal of 1 to 63 bytes; each field name a C
 * identifier of at most 27 bytes; str(N) needs 1 <= N <= 4095.  Constant
 * violations fail to compile with a message naming the event or field.
 */
#define PROF_EVENT(ident, ...) PROF__DEFINE(ident, PROF_KIND_PLAIN, , __VA_ARGS__)
/** PROF_INSTANT() - an event that marks a moment (a convention for viewers). */
#define PROF_INSTANT(ident, ...) PROF__DEFINE(ident, PROF_KIND_INSTANT, , __VA_ARGS__)
/** PROF_COUNTER() - a counter sample: PROF_COUNTER(ident, "name", type); field "value". */
#define PROF_COUNTER(ident, name, type) PROF__DEFINE(ident, PROF_KIND_COUNTER, , name, (type, value))
/**
 * PROF_SPAN() - a span: defines ident_begin ("name.begin", with the given
 * fields) and ident_end ("name.end", no fields).  Spans on one stream nest.
 */
#define PROF_SPAN(ident, ...)                                                              \
	PROF__DEFINE(ident##_begin, PROF_KIND_SPAN_BEGIN, ".begin", __VA_ARGS__);          \
	PROF__DEFINE(ident##_end, PROF_KIND_SPAN_END, ".end", PROF__HEAD(__VA_ARGS__));    \
	enum { prof__ref_##ident = 0 }

/*
 * The probe: one relaxed load of the state word and one sign test; the
 * arguments are evaluated only when the event records (as LTTng-UST's
 * tracepoint()).  The first argument is the event's identifier: pasted
 * onto prof__ref_ it becomes a constant, and the rest are the fields.
 */
#define PROF__EMIT1(ident, ...) PROF__EMIT2(ident, __VA_ARGS__)
#define PROF__EMIT2(ident, ...)                                                         \
	do {                                                                            \
		uint32_t prof__st_ = PROF__STATE_LOAD(ident);                           \
		if (__builtin_expect((int32_t)prof__st_ >= 0, 0))                       \
			ident##__emit(prof__st_, prof__ref_##__VA_ARGS__);              \
	} while (0)

#ifndef PROF_DISABLE
/** PROF_EMIT() - record one event: PROF_EMIT(ident, field values...). */
#define PROF_EMIT(...) PROF__EMIT1(PROF__HEAD(__VA_ARGS__), __VA_ARGS__)
/** PROF_SPAN_BEGIN() - PROF_SPAN_BEGIN(ident, field values...). */
#define PROF_SPAN_BEGIN(...) PROF__EMIT1(PROF__CAT(PROF__HEAD(__VA_ARGS__), _begin), __VA_ARGS__)
/** PROF_SPAN_END() - PROF_SPAN_END(ident). */
#define PROF_SPAN_END(ident) PROF__EMIT1(ident##_end, ident)
#else
#define PROF_EMIT(...) do { } while (0)
#define PROF_SPAN_BEGIN(...) do { } while (0)
#define PROF_SPAN_END(ident) do { } while (0)
#endif

#ifdef __cplusplus
}
#endif
#endif /* PROFILE_EVENT_H */
