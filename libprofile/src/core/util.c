/* SPDX-License-Identifier: MIT */
/*
 * core/util.c - the few byte and string helpers the core needs, written
 * out so the core links without libc (see `make freestanding`), and the
 * cold-path spin lock, which a signal handler interrupting its holder on
 * the same thread cannot deadlock on: prof__lock() fails with -PROF_EDEADLK.
 */
#include "profile/errno.h"

#include "core/internal.h"

static atomic_flag core_lock = ATOMIC_FLAG_INIT;
/* Set by a thread while it holds or waits for the lock, so that a signal
 * handler on the same thread fails instead of spinning forever. */
static __thread volatile int lock_held_here;

int prof__lock(void)
{
	if (lock_held_here)
		return -PROF_EDEADLK;
	lock_held_here = 1;
	atomic_signal_fence(memory_order_seq_cst);
	/* Pairs with the release in prof__unlock(). */
	while (atomic_flag_test_and_set_explicit(&core_lock, memory_order_acquire))
		;
	return 0;
}

void prof__unlock(void)
{
	/* Pairs with the acquire in prof__lock(). */
	atomic_flag_clear_explicit(&core_lock, memory_order_release);
	atomic_signal_fence(memory_order_seq_cst);
	lock_held_here = 0;
}

void prof__bytes_copy(void *dst, const void *src, size_t n)
{
	volatile uint8_t *d = dst; /* volatile: keep the compiler from making this a memcpy call */
	const uint8_t *s = src;

	while (n--)
		*d++ = *s++;
}

void prof__bytes_zero(void *dst, size_t n)
{
	/* volatile: no memset call in the freestanding core.  Eight bytes a
	 * store once aligned (attach clears the stream table: a byte a store
	 * was most of an attach's instructions). */
	typedef uint64_t __attribute__((may_alias)) word;
	volatile uint8_t *d = dst;
	volatile word *w;

	while (n && ((uintptr_t)d & 7u)) {
		*d++ = 0;
		n--;
	}
	for (w = (volatile word *)(volatile void *)d; n >= 8; n -= 8)
		*w++ = 0;
	for (d = (volatile uint8_t *)w; n; n--)
		*d++ = 0;
}

int prof__str_eq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

size_t prof__str_copy(char *dst, const char *src, size_t size)
{
	size_t n = 0;

	if (size == 0)
		return 0;
	while (src && src[n] && n + 1 < size) {
		dst[n] = src[n];
		n++;
	}
	dst[n] = 0;
	return n;
}

int prof__str_has_prefix(const char *s, const char *prefix)
{
	while (*prefix)
		if (*s++ != *prefix++)
			return 0;
	return 1;
}
