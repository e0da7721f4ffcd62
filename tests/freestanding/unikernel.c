/* SPDX-License-Identifier: MIT */
/*
 * A unikernel in miniature: no libc, no loader, its own _start, its own
 * thread pointer, a static array as the region.  It links with the core
 * objects alone (`make freestanding`), emits events and checks them.  The
 * only way out is the exit system call, made directly.  It attaches its
 * region lazily, through the core's attach hook, as a host does.
 */
#include <stddef.h>
#include <stdint.h>

#include "profile/errno.h"
#include "profile/event.h"
#include "profile/platform.h"

#define REGION_PAGES 64
static uint8_t region[REGION_PAGES * 4096] __attribute__((aligned(4096)));
static uint8_t tls_block[4096] __attribute__((aligned(64)));
static uint64_t fake_clock;

PROF_EVENT(tick, "unikernel.tick", (u64, n), (str(8), tag));

static uint64_t now(void *ctx) { (void)ctx; return ++fake_clock; }
static uint64_t vcpu(void *ctx) { (void)ctx; return 1; }
static const struct prof_platform plat = { now, vcpu, NULL, NULL };
static int hook_calls, hook_attach_rc = 1;

/* The host's attach hook: the core calls it before an event's first use. */
static void attach_hook(void)
{
	hook_calls++;
	if (hook_attach_rc == 1)
		hook_attach_rc = prof_region_attach(region, sizeof(region), &plat);
}

static __attribute__((noreturn)) void sys_exit(int code)
{
	__asm__ volatile("mov $60, %%eax\n\tsyscall" : : "D"(code) : "rax", "rcx", "r11", "memory");
	__builtin_unreachable();
}

static long sys_arch_prctl(int code, unsigned long addr)
{
	long ret;

	__asm__ volatile("syscall" : "=a"(ret) : "a"(158), "D"(code), "S"(addr) : "rcx", "r11", "memory");
	return ret;
}

extern void (*__init_array_start[])(void) __attribute__((visibility("hidden")));
extern void (*__init_array_end[])(void) __attribute__((visibility("hidden")));

static int run(void)
{
	void (**ctor)(void);
	struct prof_region_header hdr;
	struct prof_region_header *h = (struct prof_region_header *)(void *)region;
	struct prof_slot *slots;
	uint64_t i;

	/* x86-64 TLS variant II: the thread pointer points at a word that
	 * holds its own address; thread-locals sit just below it. */
	uint8_t *tp = tls_block + sizeof(tls_block) / 2;
	*(uint8_t **)(void *)tp = tp;
	if (sys_arch_prctl(0x1002 /* ARCH_SET_FS */, (unsigned long)tp) != 0)
		return 10;
	if (prof_region_layout(PROF_MODE_OVERWRITE, 4096, 8, 2, 8, &hdr) != 0)
		return 11;
	if (hdr.region_size > sizeof(region))
		return 12;
	hdr.clock.source = PROF_CLOCK_PLATFORM;
	hdr.clock.freq_hz = 1000000000u;
	if (prof_region_format(region, sizeof(region), &hdr) != 0)
		return 13;
	prof_host_set_attach_hook(attach_hook);
	/* The constructors (every PROF_EVENT registers itself from one), as
	 * a unikernel's boot runs them once thread-locals work and its host
	 * hook is set: the first registration attaches the region. */
	for (ctor = __init_array_start; ctor < __init_array_end; ctor++)
		(*ctor)();
	for (i = 0; i < 10000; i++)
		PROF_EMIT(tick, i, i == 0 ? "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac" : "u");
	/* The first registration attached the region (the hook runs at each
	 * registration; it attaches once); a second attach is refused. */
	if (hook_calls == 0 || hook_attach_rc != 0)
		return 14;
	if (prof_region_attach(region, sizeof(region), &plat) != -PROF_EBUSY)
		return 18;
	/* Three euro signs in a str(8): cut to two, counted. */
	if (h->strings_truncated != 1)
		return 19;
	slots = (struct prof_slot *)(void *)(region + h->slots_offset);
	/* 10000 events of 4 + 8 + 2 bytes (compact headers: the fake clock
	 * never leaves its first 2^24-tick epoch), each needing room for an
	 * extended header's 8 more: 285 events a packet (88 + 285 * 14 =
	 * 4078 bytes), 36 packets opened. */
	/* Every event linked in (the core's GC events too) was registered at
	 * load; the region has room for 8. */
	if (h->schema_count != 8 || h->refused_events == 0)
		return 15;
	if (slots[1].head != 36)
		return 100 + (int)(slots[1].head & 127);
	if (slots[1].owner != 1)
		return 17;
	if (prof_region_detach() != 0)
		return 16;
	return 0;
}

/* The entry point: align the stack as a call would, then run. */
void start_c(void);
void start_c(void)
{
	sys_exit(run());
}
__asm__(".globl _start\n"
	"_start:\n"
	"\txor %ebp, %ebp\n"
	"\tand $-16, %rsp\n"
	"\tcall start_c\n"
	"\thlt\n");
