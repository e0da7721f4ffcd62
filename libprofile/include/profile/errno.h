/* SPDX-License-Identifier: MIT */
/*
 * profile/errno.h - the error values libprofile returns, negated.
 *
 * The freestanding core has no libc and so no <errno.h>; it returns these.
 * Each equals the Linux errno of the same name (src/posix/error.c asserts
 * it), so a hosted caller may compare a return with -EINVAL as well as
 * with -PROF_EINVAL, and prof_strerror() describes either.
 */
#ifndef PROFILE_ERRNO_H
#define PROFILE_ERRNO_H

#define PROF_ENOENT 2    /* not found; nothing attached */
#define PROF_EIO 5       /* input/output error */
#define PROF_ENOMEM 12   /* out of memory */
#define PROF_EACCES 13   /* permission denied */
#define PROF_EBUSY 16    /* already attached; busy in a signal handler */
#define PROF_EEXIST 17   /* already exists */
#define PROF_ENOTDIR 20  /* not a directory */
#define PROF_EINVAL 22   /* invalid argument or malformed data */
#define PROF_ENOSPC 28   /* no room (no free stream slot, ring full) */
#define PROF_ERANGE 34   /* value out of range */
#define PROF_EDEADLK 35  /* would deadlock: a signal handler inside libprofile */
#define PROF_EPROTO 71   /* malformed event in a packet */
#define PROF_ENOTSUP 95  /* not supported */

#endif /* PROFILE_ERRNO_H */
