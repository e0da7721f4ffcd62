/* SPDX-License-Identifier: MIT */
#ifndef PROFILE_EXPORT_H
#define PROFILE_EXPORT_H
/* libprofile builds with -fvisibility=hidden; PROF_EXPORT marks its API. */
#if defined(__GNUC__)
#define PROF_EXPORT __attribute__((visibility("default")))
#else
#define PROF_EXPORT
#endif
#endif
