/* SPDX-License-Identifier: MIT */
/* posix/posix.h - the Linux process host, internal. */
#ifndef PROF_POSIX_H
#define PROF_POSIX_H

#include <stdint.h>

#include "profile/platform.h"
#include "profile/region.h"

uint64_t prof__posix_monotonic_ns(void *ctx);
/* The platform callbacks for a Linux process. */
const struct prof_platform *prof__posix_platform(void);

#endif
