/* SPDX-License-Identifier: MIT */
/* probes/lttng/mprof_tcp_tp.c - defines the mprof_tcp tracepoint provider
 * (mprof_tcp_tp.h) in the one object a program links for it. */
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#define LTTNG_UST_TRACEPOINT_DEFINE
#include "mprof_tcp_tp.h"
