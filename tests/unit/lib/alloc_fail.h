/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/lib/alloc_fail.h - failing allocations for a sweep (jansson's
 * chaos malloc): malloc, calloc, realloc and strdup are wrapped at link
 * time (the test's TEST_LDFLAGS_<name> in the Makefile: -Wl,--wrap=...),
 * which reaches every call in libprofile.  A run sets count to 0 and
 * fail_at to N to fail its Nth allocation (0: none).
 *
 * Defines the wrappers: include it in one file of a test binary only.
 */
#ifndef TEST_ALLOC_FAIL_H
#define TEST_ALLOC_FAIL_H

#include <stddef.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);

static long fail_at;  /* fail the fail_at-th allocation (0: none) */
static long count;    /* allocations so far in this run */

static int should_fail(void)
{
	return fail_at && ++count == fail_at;
}

void *__wrap_malloc(size_t n) { return should_fail() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t size) { return should_fail() ? NULL : __real_calloc(n, size); }
void *__wrap_realloc(void *p, size_t n) { return should_fail() ? NULL : __real_realloc(p, n); }
char *__wrap_strdup(const char *s) { return should_fail() ? NULL : __real_strdup(s); }

#endif
