/* SPDX-License-Identifier: MIT */
/* probes/lwip/arch/cc.h - lwIP's compiler/platform glue for a hosted build. */
#ifndef MPROF_LWIP_ARCH_CC_H
#define MPROF_LWIP_ARCH_CC_H

#include <stdio.h>
#include <stdlib.h>

#define LWIP_PLATFORM_DIAG(x) do { printf x; } while (0)
#define LWIP_PLATFORM_ASSERT(x) do { fprintf(stderr, "lwIP assertion: %s (%s:%d)\n", x, __FILE__, __LINE__); abort(); } while (0)
#define LWIP_RAND() ((u32_t)rand())

#endif
