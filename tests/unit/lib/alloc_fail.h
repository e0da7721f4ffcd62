/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/lib/alloc_fail.h - failing allocations for a sweep (jansson's
 * chaos malloc): malloc, calloc, realloc and strdup are wrapped at link
 * time (the test's TEST_LDFLAGS_<name> in the Makefile: -Wl,--wrap=...),
 * which reaches every call in libprofile.  A run sets count to 0 and
 * fail_at to N to fail its Nth allocation (0: none).
 *
 * alloc_fail_sweep() runs a scenario failing each of its allocations in
 * turn.
 *
 * Defines the wrappers: include it in one file of a test binary only.
 */
#ifndef TEST_ALLOC_FAIL_H
#define TEST_ALLOC_FAIL_H

#include <stddef.h>
#include <stdio.h>

#include "lib/check.h"

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

/*
 * alloc_fail_sweep() - runs @scenario once per allocation it makes, the
 * Nth run failing the Nth allocation, until a run makes fewer: every
 * failed allocation must come back as a negative return, and a clean run
 * after each must succeed (nothing left broken).  @name labels the
 * summary line and any failure.
 */
static void alloc_fail_sweep(const char *name, int (*scenario)(void))
{
	long n;
	int failures = 0;

	for (n = 1;; n++) {
		int ret;

		count = 0;
		fail_at = n;
		ret = scenario();
		fail_at = 0;
		if (count < n) {
			/* No allocation failed this time: it must have worked. */
			CHECK_EQ(ret, 0);
			break;
		}
		if (ret < 0)
			failures++;
		else
			CHECK_FAIL("%s: allocation %ld failed and the run returned %d", name, n, ret);
		/* Usable after the failure: a clean run succeeds. */
		CHECK_EQ(scenario(), 0);
	}
	printf("%s: %ld allocations, each failed in turn; %d runs reported it\n", name, n - 1, failures);
	CHECK_EQ(failures, n - 1); /* every failed allocation came back as an error */
}

#endif
