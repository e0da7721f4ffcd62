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

/* What MPROF_REGION (or `mprof top shm:/x`) names: parsed, not opened. */
enum prof__spec_kind { PROF__SPEC_FD = 1, PROF__SPEC_SHM, PROF__SPEC_PATH, PROF__SPEC_SOCK };
struct prof__region_spec {
	enum prof__spec_kind kind;
	int fd;            /* FD */
	const char *name;  /* SHM: "/name"; PATH, SOCK: the path (into the spec) */
};
int prof__region_spec_parse(const char *spec, struct prof__region_spec *out, struct prof_error *err);

#endif
