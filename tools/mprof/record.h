/* SPDX-License-Identifier: MIT */
/* tools/mprof/record.h - `mprof record`'s options (parsed apart, fuzzed). */
#ifndef MPROF_RECORD_H
#define MPROF_RECORD_H

#include <stdint.h>

#include "profile/region.h"

/* record's ring per stream: 512 KiB packets x 32 (see record_parse_options). */
#define RECORD_DEFAULT_PACKET_SIZE (512u * 1024u)
#define RECORD_DEFAULT_PACKETS 32u

struct record_options {
	const char *dir;
	struct prof_region_config cfg;
	uint32_t period_ms;
	int quiet;
	int sockets;             /* --sockets: preload probes/sockets' shim */
	const char *tcp_info_ms; /* --tcp-info MS: its TCP_INFO interval, or "off" */
	char **argv;   /* the program and its arguments */
};

int record_parse_options(int argc, char **argv, struct record_options *o);

#endif
