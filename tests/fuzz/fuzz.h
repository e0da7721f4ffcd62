/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz.h - what the libFuzzer targets share: the entry point's
 * prototype (-Wmissing-prototypes) and FUZZ_ASSERT, which traps, so
 * libFuzzer records the input that broke a property as a crash.
 */
#ifndef MPROF_FUZZ_H
#define MPROF_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#define FUZZ_ASSERT(c)                  \
	do {                            \
		if (!(c))               \
			__builtin_trap(); \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
