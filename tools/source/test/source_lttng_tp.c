/* SPDX-License-Identifier: MIT */
/* tools/source/test/source_lttng_tp.c - the provider of lttng_tp.h's tracepoints. */
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#define LTTNG_UST_TRACEPOINT_DEFINE
#include "lttng_tp.h"
