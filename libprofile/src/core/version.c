/* SPDX-License-Identifier: MIT */
/* core/version.c - prof_version(): the library's own version string. */
#include "profile/version.h"

const char *prof_version(void)
{
	return PROF_VERSION_STRING;
}
