/* SPDX-License-Identifier: MIT */
/* Error values and messages (hosted: uses vsnprintf). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "profile/errno.h"
#include "profile/error.h"

/* The core's own error values (it has no libc) are Linux's errno values. */
_Static_assert(PROF_ENOENT == ENOENT && PROF_EIO == EIO && PROF_ENOMEM == ENOMEM && PROF_EACCES == EACCES &&
		       PROF_EBUSY == EBUSY && PROF_EEXIST == EEXIST && PROF_ENOTDIR == ENOTDIR &&
		       PROF_EINVAL == EINVAL && PROF_ENOSPC == ENOSPC && PROF_ERANGE == ERANGE &&
		       PROF_EDEADLK == EDEADLK && PROF_EPROTO == EPROTO && PROF_ENOTSUP == ENOTSUP,
	       "profile/errno.h matches <errno.h>");

PROF_EXPORT const char *prof_strerror(int err)
{
	switch (err) {
	case 0: return "success";
	case -EINVAL: return "invalid argument or malformed data";
	case -ENOMEM: return "out of memory";
	case -ENOSPC: return "no space left in the region";
	case -EBUSY: return "a region is already attached";
	case -ENOENT: return "not found";
	case -EEXIST: return "already exists";
	case -EPROTO: return "malformed event in packet";
	case -ERANGE: return "value out of range";
	case -EIO: return "input/output error";
	case -EACCES: return "permission denied";
	case -ENOTSUP: return "not supported";
	case -EDEADLK: return "called from a signal handler inside libprofile";
	default: return err < 0 ? strerror(-err) : "unknown error";
	}
}

PROF_EXPORT int prof_error_set(struct prof_error *e, int code, const char *file, uint64_t offset,
			       const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return code;
	e->code = code;
	snprintf(e->file, sizeof(e->file), "%s", file ? file : "");
	e->offset = offset;
	va_start(ap, fmt);
	vsnprintf(e->text, sizeof(e->text), fmt, ap);
	va_end(ap);
	return code;
}

PROF_EXPORT const char *prof_error_format(const struct prof_error *e, char *buf, size_t size)
{
	if (e->file[0] && e->offset != UINT64_MAX)
		snprintf(buf, size, "%s: offset %llu: %s", e->file, (unsigned long long)e->offset, e->text);
	else if (e->file[0])
		snprintf(buf, size, "%s: %s", e->file, e->text);
	else
		snprintf(buf, size, "%s", e->text);
	return buf;
}
