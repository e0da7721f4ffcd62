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
 * The hot path (prof__emit_* below) costs, when the event is disabled, one
 * relaxed load and a predicted-not-taken branch; when enabled, a few
 * thread-local loads, the payload stores and one release store of the
 * packet's content size.  It never locks, allocates, logs or makes a
 * system call.  With -DPROF_DISABLE every PROF_EMIT compiles to nothing
 * (its arguments are not evaluated).
 *
 * Signal safety: an emit that interrupts another emit on the same thread
 * (a signal handler) finds the thread's writer busy (nest != 0) and is
 * dropped and counted in events_discarded, so a stream is never corrupted.
 */
#ifndef PROFILE_EVENT_H
#define PROFILE_EVENT_H

#include <stdatomic.h>
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
	uint16_t bound; /* strings: max bytes before the NUL */
};

/* The static, constant description of an event. */
struct prof_event_desc {
	const char *name;
	uint16_t kind;  /* enum prof_event_kind */
	uint16_t nfields;
	const struct prof_field *fields;
};

/*
 * The run-time state of one event at one definition site: PROF__UNREGISTERED
 * until first use; then the event's id while it records, or the id with
 * PROF__OFF (the sign bit) set while it does not (no region attached, or
 * disabled: PROF__USER_OFF if the user disabled it).  So a recording event's
 * state word is its id, and an emit stores it as the event header's id with
 * no shift or mask.
 */
struct prof_event {
	_Atomic uint32_t state;
	const struct prof_event_desc *desc;
	struct prof_event *next; /* registry list, owned by the core */
};

#define PROF__UNREGISTERED 0xffffffffu /* not used yet: the first use registers it */
#define PROF__OFF (1u << 31)           /* not recording now */
#define PROF__USER_OFF (1u << 30)      /* disabled by the user (kept across attach) */
#define PROF__ID_MASK (PROF__USER_OFF - 1)

/*
 * A thread's writer: where its next event goes.  nest is 1 while an emit
 * runs on this thread; an emit that finds it set is a signal handler's,
 * interrupting another emit, and is dropped and counted instead of
 * interleaving its bytes.
 */
struct prof__writer {
	uint8_t *pos;   /* next free byte in the open packet */
	uint8_t *end;   /* end of usable space; <= pos (parked) sends every
			 * emit to the slow path: a full ring, or a clock
			 * that is not the TSC */
	uint8_t *base;  /* start of the open packet, NULL before the first */
	void *stream;   /* struct prof_slot *, NULL until claimed */
	uint64_t slow_ts; /* the slow path's timestamp for the event */
	uint32_t tid;   /* the thread's id, asked once at claim */
	volatile uint32_t nest;
};

PROF_EXPORT extern __thread struct prof__writer prof__tls_writer
	__attribute__((tls_model("initial-exec")));

PROF_EXPORT uint32_t prof__event_first_use(struct prof_event *ev);
PROF_EXPORT uint8_t *prof__reserve_slow(struct prof__writer *w, size_t size);
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
 * Return: 0, or -EINVAL if @ev is NULL.
 */
PROF_EXPORT int prof_event_set_enabled(struct prof_event *ev, int enabled);

/**
 * prof_events_set_enabled() - enable or disable every event whose name
 * starts with a prefix, now and when such events are first used later.
 * @prefix: a name prefix ("" matches all).
 * @enabled: non-zero to record them.
 *
 * Return: the number of already registered events changed, or -EINVAL.
 */
PROF_EXPORT int prof_events_set_enabled(const char *prefix, int enabled);

/*
 * Begin an emit of size bytes, inside a generated emitter: sets p to where
 * the event goes and ts to its timestamp, with the writer marked busy, or
 * returns from the emitter if the event was dropped (and counted).
 *
 * The busy mark (nest) is stored before pos and end are read: a signal
 * handler that runs before it completes its emit and leaves pos and end
 * consistent; one that runs after it sees the mark and drops.
 *
 * The fast path reads the TSC.  A writer whose clock is not the invariant
 * TSC is kept with end == NULL, so every emit takes the slow path, which
 * reads the platform's clock: the fast path never tests the clock kind.
 * (A macro, not a function, so that the drop test and the slow path's
 * timestamp stay out of the fast path's code.)
 */
/* The TSC as two 32-bit halves: stored as they come (two stores, little
 * endian), one shift and one or cheaper than forming the 64-bit value. */
#if defined(__x86_64__) || defined(__i386__)
#define PROF__READ_TSC(lo, hi) __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi))
#else
#define PROF__READ_TSC(lo, hi) ((lo) = 0, (hi) = 0) /* not reached: without a TSC every emit is slow */
#endif
#define PROF__BEGIN(w, size, p, ts_lo, ts_hi)                                                     \
	do {                                                                            \
		/* Check, then mark: a handler that interrupts between the two  \
		 * runs to completion and leaves nest at 0; one that interrupts  \
		 * later finds 1 and drops without touching it, at any depth. */ \
		if (__builtin_expect((w)->nest != 0, 0)) {                              \
			prof__drop_nested(w);                                           \
			return;                                                         \
		}                                                                       \
		(w)->nest = 1;                                                          \
		/* Orders the mark before the loads below against a signal     \
		 * handler on this thread; no other thread reads w. */                  \
		atomic_signal_fence(memory_order_seq_cst);                              \
		(p) = (w)->pos;                                                         \
		if (__builtin_expect((uintptr_t)(p) + (size) <= (uintptr_t)(w)->end, 1)) { \
			PROF__READ_TSC(ts_lo, ts_hi);                                   \
		} else {                                                                \
			(p) = prof__reserve_slow((w), (size));                          \
			if (!(p)) {                                                     \
				atomic_signal_fence(memory_order_seq_cst);              \
				(w)->nest = 0;                                          \
				return;                                                 \
			}                                                               \
			(ts_lo) = (uint32_t)(w)->slow_ts;                               \
			(ts_hi) = (uint32_t)((w)->slow_ts >> 32);                       \
		}                                                                       \
	} while (0)

static inline void prof__commit(struct prof__writer *w, uint8_t *p)
{
	uint32_t *content_bytes = (uint32_t *)(void *)(w->base +
		offsetof(struct prof_packet_header, content_bytes));

	w->pos = p;
	/* Publishes the event's bytes.  Pairs with the acquire load of
	 * content_bytes in prof__drain_open_packet() (src/read/drain.c). */
	__atomic_store_n(content_bytes, (uint32_t)(p - w->base), __ATOMIC_RELEASE);
	atomic_signal_fence(memory_order_seq_cst);
	w->nest = 0;
}

static inline uint8_t *prof__put_header(uint8_t *p, uint32_t ts_lo, uint32_t ts_hi, uint32_t id)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	__builtin_memcpy(p, &ts_lo, 4);
	__builtin_memcpy(p + 4, &ts_hi, 4);
#else
	uint64_t ts = ((uint64_t)ts_hi << 32) | ts_lo;

	__builtin_memcpy(p, &ts, 8);
#endif
	__builtin_memcpy(p + 8, &id, 4);
	return p + PROF_EVENT_HEADER_SIZE;
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
#define PROF__FIRST_(a, ...) a
#define PROF__FIRST(t) PROF__FIRST_ t
#define PROF__SECOND_(a, b) b
#define PROF__SECOND(t) PROF__SECOND_ t

/* Per-field expansions; t is a (type, name) tuple. */
#define PROF__PARAM(t) , PROF__CAT(PROF__CT_, PROF__FIRST(t)) PROF__SECOND(t)
#define PROF__SIZE(t) + (PROF__CAT(PROF__ISSTR_, PROF__FIRST(t)) \
	? prof__strsize((const char *)(uintptr_t)PROF__SECOND(t), (size_t)PROF__CAT(PROF__BD_, PROF__FIRST(t))) \
	: sizeof(PROF__CAT(PROF__CT_, PROF__FIRST(t))))
#define PROF__PUT(t) p = PROF__CAT(PROF__ISSTR_, PROF__FIRST(t)) \
	? prof__putstr(p, (const char *)(uintptr_t)PROF__SECOND(t), (size_t)PROF__CAT(PROF__BD_, PROF__FIRST(t))) \
	: (__builtin_memcpy(p, &PROF__SECOND(t), sizeof(PROF__SECOND(t))), p + sizeof(PROF__SECOND(t)));
#define PROF__FNAME(t) PROF__FNAME_ t
#define PROF__FNAME_(type, name) #name

/* FOR_EACH over 0 to 14 tuples. */
#define PROF__N(...) PROF__N_(0 __VA_OPT__(,) __VA_ARGS__, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define PROF__N_(z, a, b, c, d, e, f, g, h, i, j, k, l, m, n, N, ...) N
#define PROF__EACH(M, ...) PROF__CAT(PROF__EACH_, PROF__N(__VA_ARGS__))(M __VA_OPT__(,) __VA_ARGS__)
#define PROF__EACH_0(M)
#define PROF__EACH_1(M, a) M(a)
#define PROF__EACH_2(M, a, ...) M(a) PROF__EACH_1(M, __VA_ARGS__)
#define PROF__EACH_3(M, a, ...) M(a) PROF__EACH_2(M, __VA_ARGS__)
#define PROF__EACH_4(M, a, ...) M(a) PROF__EACH_3(M, __VA_ARGS__)
#define PROF__EACH_5(M, a, ...) M(a) PROF__EACH_4(M, __VA_ARGS__)
#define PROF__EACH_6(M, a, ...) M(a) PROF__EACH_5(M, __VA_ARGS__)
#define PROF__EACH_7(M, a, ...) M(a) PROF__EACH_6(M, __VA_ARGS__)
#define PROF__EACH_8(M, a, ...) M(a) PROF__EACH_7(M, __VA_ARGS__)
#define PROF__EACH_9(M, a, ...) M(a) PROF__EACH_8(M, __VA_ARGS__)
#define PROF__EACH_10(M, a, ...) M(a) PROF__EACH_9(M, __VA_ARGS__)
#define PROF__EACH_11(M, a, ...) M(a) PROF__EACH_10(M, __VA_ARGS__)
#define PROF__EACH_12(M, a, ...) M(a) PROF__EACH_11(M, __VA_ARGS__)
#define PROF__EACH_13(M, a, ...) M(a) PROF__EACH_12(M, __VA_ARGS__)
#define PROF__EACH_14(M, a, ...) M(a) PROF__EACH_13(M, __VA_ARGS__)
#define PROF__FIELDDEF(t) { PROF__FNAME(t), PROF__CAT(PROF__TY_, PROF__FIRST(t)), PROF__CAT(PROF__BD_, PROF__FIRST(t)) },

#define PROF__DEFINE(ident, evname, kind, ...)                                          \
	static const struct prof_field ident##__fields[PROF__N(__VA_ARGS__) + 1] = {     \
		PROF__EACH(PROF__FIELDDEF __VA_OPT__(,) __VA_ARGS__) { 0, 0, 0 } };     \
	static const struct prof_event_desc ident##__desc = {                          \
		(evname), (kind), PROF__N(__VA_ARGS__), ident##__fields };              \
	_Static_assert(PROF__N(__VA_ARGS__) <= PROF_MAX_FIELDS, "too many fields");     \
	static struct prof_event ident __attribute__((unused)) = { PROF__UNREGISTERED, &ident##__desc, 0 }; \
	static inline __attribute__((always_inline, unused)) void ident##__emit(        \
		int prof__unused_ PROF__EACH(PROF__PARAM __VA_OPT__(,) __VA_ARGS__))    \
	{                                                                               \
		uint32_t st = atomic_load_explicit(&ident.state, memory_order_relaxed); \
		struct prof__writer *w;                                                 \
		uint8_t *p;                                                             \
		uint32_t ts_lo, ts_hi;                                                  \
		(void)prof__unused_;                                                    \
		/* Laid out for the disabled case: a disabled probe falls   \
		 * through one load, one test and no taken branch. */             \
		if (__builtin_expect((int32_t)st < 0, 1)) {                             \
			if (__builtin_expect(st != PROF__UNREGISTERED, 1))              \
				return;                                                 \
			st = prof__event_first_use(&ident);                             \
			if ((int32_t)st < 0)                                            \
				return;                                                 \
		}                                                                       \
		w = &prof__tls_writer;                                                  \
		PROF__BEGIN(w, PROF_EVENT_HEADER_SIZE                                   \
			PROF__EACH(PROF__SIZE __VA_OPT__(,) __VA_ARGS__), p, ts_lo, ts_hi); \
		p = prof__put_header(p, ts_lo, ts_hi, st); /* st is the id */           \
		PROF__EACH(PROF__PUT __VA_OPT__(,) __VA_ARGS__)                         \
		prof__commit(w, p);                                                     \
	}

/**
 * PROF_EVENT() - define an event: PROF_EVENT(ident, "name", (type, field)...).
 * Up to 14 fields.  Defines `ident` (a struct prof_event) in this file.
 */
#define PROF_EVENT(ident, name, ...) PROF__DEFINE(ident, name, PROF_KIND_PLAIN __VA_OPT__(,) __VA_ARGS__)
/** PROF_INSTANT() - an event that marks a moment (a convention for viewers). */
#define PROF_INSTANT(ident, name, ...) PROF__DEFINE(ident, name, PROF_KIND_INSTANT __VA_OPT__(,) __VA_ARGS__)
/** PROF_COUNTER() - a counter sample: PROF_COUNTER(ident, "name", type); field "value". */
#define PROF_COUNTER(ident, name, type) PROF__DEFINE(ident, name, PROF_KIND_COUNTER, (type, value))
/**
 * PROF_SPAN() - a span: defines ident_begin ("name.begin", with the given
 * fields) and ident_end ("name.end", no fields).  Spans on one stream nest.
 */
#define PROF_SPAN(ident, name, ...)                                                   \
	PROF__DEFINE(ident##_begin, name ".begin", PROF_KIND_SPAN_BEGIN __VA_OPT__(,) __VA_ARGS__) \
	PROF__DEFINE(ident##_end, name ".end", PROF_KIND_SPAN_END)

#ifndef PROF_DISABLE
/** PROF_EMIT() - record one event: PROF_EMIT(ident, field values...). */
#define PROF_EMIT(ident, ...) ident##__emit(0 __VA_OPT__(,) __VA_ARGS__)
#define PROF_SPAN_BEGIN(ident, ...) ident##_begin__emit(0 __VA_OPT__(,) __VA_ARGS__)
#define PROF_SPAN_END(ident) ident##_end__emit(0)
#else
#define PROF_EMIT(ident, ...) do { } while (0)
#define PROF_SPAN_BEGIN(ident, ...) do { } while (0)
#define PROF_SPAN_END(ident) do { } while (0)
#endif

#ifdef __cplusplus
}
#endif
#endif /* PROFILE_EVENT_H */
