/* SPDX-License-Identifier: MIT */
#ifndef PROFILE_ERROR_H
#define PROFILE_ERROR_H

#include <stddef.h>
#include <stdint.h>

#include "profile/errno.h"
#include "profile/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Functions returning int return 0 (or a count) on success and a negative
 * errno value on failure (PROF_E* in profile/errno.h, equal to Linux's).
 * Parsers and readers also fill a struct prof_error naming the file, the
 * byte offset and what is wrong.
 */
struct prof_error {
	int code;          /* negative errno */
	char file[256];    /* file or object at fault ("" if none) */
	uint64_t offset;   /* byte offset at fault, or UINT64_MAX */
	char text[256];    /* what is wrong, one line */
};

/**
 * prof_strerror() - describe a negative errno returned by libprofile.
 * @err: the value returned.
 *
 * Return: a string that is never NULL: libprofile's own wording for the
 * codes it returns, strerror(-@err) for other negative values (which a
 * later strerror() call may overwrite), "unknown error" for a positive
 * one.
 */
PROF_EXPORT const char *prof_strerror(int err);

/**
 * prof_error_set() - fill @e (if not NULL) with a formatted message.
 * @e: the error to fill, or NULL.
 * @code: negative errno.
 * @file: the file or object at fault, or NULL.
 * @offset: byte offset at fault, or UINT64_MAX.
 * @fmt: printf-style message.
 *
 * Return: @code, so callers can `return prof_error_set(...)`.
 */
PROF_EXPORT int prof_error_set(struct prof_error *e, int code, const char *file,
			       uint64_t offset, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/**
 * prof_error_format() - render @e as "file: offset N: text" into @buf
 * ("file: text" without an offset, "text" without a file), truncated to
 * @size like snprintf.
 * @e: the error; not NULL.
 * @buf: output buffer.
 * @size: its size.
 *
 * Return: @buf.
 */
PROF_EXPORT const char *prof_error_format(const struct prof_error *e, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
