/* SPDX-License-Identifier: MIT */
/*
 * Minimal test assertions that print both sides of a failed comparison
 * (libuv's ASSERT_EQ style).  A failed assertion exits the test with 1.
 */
#ifndef MPROF_TEST_CHECK_H
#define MPROF_TEST_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK_FAIL(...)                                                          \
	do {                                                                     \
		fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                  \
		fprintf(stderr, __VA_ARGS__);                                    \
		fprintf(stderr, "\n");                                           \
		exit(1);                                                         \
	} while (0)

/* CHECK_MSG(cond, fmt, ...): on failure, says what with the values. */
#define CHECK_MSG(cond, ...)                                                     \
	do {                                                                     \
		if (!(cond))                                                     \
			CHECK_FAIL(__VA_ARGS__);                                 \
	} while (0)

#define CHECK(cond)                                                              \
	do {                                                                     \
		if (!(cond))                                                     \
			CHECK_FAIL("check failed: %s", #cond);                   \
	} while (0)

#define CHECK_CMP_(a, op, b, fmt, type)                                          \
	do {                                                                     \
		type a_ = (type)(a), b_ = (type)(b);                             \
		if (!(a_ op b_))                                                 \
			CHECK_FAIL("check failed: %s %s %s (%" fmt " vs %" fmt ")", \
				   #a, #op, #b, a_, b_);                         \
	} while (0)

#define CHECK_EQ(a, b) CHECK_CMP_(a, ==, b, PRId64, int64_t)
#define CHECK_NE(a, b) CHECK_CMP_(a, !=, b, PRId64, int64_t)
#define CHECK_LT(a, b) CHECK_CMP_(a, <, b, PRId64, int64_t)
#define CHECK_LE(a, b) CHECK_CMP_(a, <=, b, PRId64, int64_t)
#define CHECK_GT(a, b) CHECK_CMP_(a, >, b, PRId64, int64_t)
#define CHECK_GE(a, b) CHECK_CMP_(a, >=, b, PRId64, int64_t)
#define CHECK_EQ_U(a, b) CHECK_CMP_(a, ==, b, PRIu64, uint64_t)
#define CHECK_STREQ(a, b)                                                        \
	do {                                                                     \
		const char *a_ = (a), *b_ = (b);                                 \
		if (!a_ || !b_ || strcmp(a_, b_) != 0)                           \
			CHECK_FAIL("check failed: %s == %s (\"%s\" vs \"%s\")",  \
				   #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
	} while (0)
/* 0 or a count expected, negative errno reported by name. */
#define CHECK_OK(expr)                                                           \
	do {                                                                     \
		long r_ = (long)(expr);                                          \
		if (r_ < 0)                                                      \
			CHECK_FAIL("%s failed: %ld (%s)", #expr, r_,             \
				   prof_strerror((int)r_));                      \
	} while (0)

#endif
