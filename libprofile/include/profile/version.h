/* SPDX-License-Identifier: MIT */
/*
 * profile/version.h - libprofile's version.
 *
 * The one source of the version: the Makefile reads the three numbers
 * below for libprofile.pc, `mprof --version` prints them, and
 * prof_version() returns the version of the library a program actually
 * runs with (which may differ from the headers it was compiled against).
 */
#ifndef PROFILE_VERSION_H
#define PROFILE_VERSION_H

#include "profile/export.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PROF_VERSION_MAJOR 0
#define PROF_VERSION_MINOR 2
#define PROF_VERSION_PATCH 0

#define PROF__VERSION_STR(x) #x
#define PROF__VERSION_XSTR(x) PROF__VERSION_STR(x)
/** PROF_VERSION_STRING - the version as a string literal, "MAJOR.MINOR.PATCH". */
#define PROF_VERSION_STRING                                                                       \
	PROF__VERSION_XSTR(PROF_VERSION_MAJOR)                                                    \
	"." PROF__VERSION_XSTR(PROF_VERSION_MINOR) "." PROF__VERSION_XSTR(PROF_VERSION_PATCH)
/** PROF_VERSION_NUMBER - the version as one integer for #if: MAJOR * 10000 + MINOR * 100 + PATCH. */
#define PROF_VERSION_NUMBER (PROF_VERSION_MAJOR * 10000 + PROF_VERSION_MINOR * 100 + PROF_VERSION_PATCH)

/**
 * prof_version() - the version of the libprofile a program runs with.
 *
 * Return: a static string "MAJOR.MINOR.PATCH", the PROF_VERSION_STRING the
 * library was built with; never NULL.  Safe from any thread, freestanding.
 */
PROF_EXPORT const char *prof_version(void);

#ifdef __cplusplus
}
#endif

#endif
