# mprof - top-level build.  Plain GNU Make + pkg-config.
#
#   make            build libprofile, mprof, examples, tests
#   make demo       install what is missing, build, record the example
#   make check      install what is missing, build, run every test
#   make check SANITIZE=address,undefined   (or SANITIZE=thread)
#   make fuzz       run each libFuzzer target for FUZZ_SECONDS (default 60)
#   make bench      run the benchmarks (bench/)
#   make install PREFIX=/usr/local DESTDIR=
#
# Each folder may add to the build with a module.mk (included below).

SHELL := /bin/bash
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SUFFIXES:

CC ?= cc
ifeq ($(origin CC),default)
CC := gcc
endif
PREFIX ?= /usr/local
DESTDIR ?=
SANITIZE ?=
ifeq ($(SANITIZE),)
O ?= build
else
O ?= build-$(subst $(comma),-,$(SANITIZE))
endif
comma := ,

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
OPT ?= -O2 -g
SANFLAGS := $(if $(SANITIZE),-fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all)
BASE_CFLAGS := -std=c11 $(OPT) -fPIC -D_GNU_SOURCE $(WARN) -Ilibprofile/include -Ilibprofile/src $(SANFLAGS)
LIB_CFLAGS := $(BASE_CFLAGS) -fvisibility=hidden
CFLAGS_EXTRA ?=
LDLIBS_BASE := -lpthread -lrt -lm
LDFLAGS_SAN := $(SANFLAGS)

PKG_JANSSON_CFLAGS = $(shell pkg-config --cflags jansson 2>/dev/null)
PKG_JANSSON_LIBS = $(shell pkg-config --libs jansson 2>/dev/null)

# ---- libprofile ----
LIB_CORE_SRCS := $(sort $(wildcard libprofile/src/core/*.c))
LIB_SRCS := $(LIB_CORE_SRCS) $(sort $(wildcard libprofile/src/posix/*.c libprofile/src/read/*.c libprofile/src/ctf/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(O)/obj/%.o)
LIB_A := $(O)/lib/libprofile.a
LIB_SO := $(O)/lib/libprofile.so.1
LIB_HEADERS := $(wildcard libprofile/include/profile/*.h)

$(O)/obj/libprofile/%.o: libprofile/%.c $(LIB_HEADERS) $(wildcard libprofile/src/*/*.h) Makefile
	@mkdir -p $(@D)
	$(CC) $(LIB_CFLAGS) $(CFLAGS_EXTRA) -c $< -o $@

$(LIB_A): $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(LIB_SO): $(LIB_OBJS)
	@mkdir -p $(@D)
	$(CC) -shared -Wl,-soname,libprofile.so.1 -o $@ $^ $(LDFLAGS_SAN) $(LDLIBS_BASE)
	ln -sf libprofile.so.1 $(O)/lib/libprofile.so

# The core must build freestanding, without libc: compile it so, check that
# it needs no symbol from outside, then link it into a program with no libc
# and no loader (tests/freestanding/unikernel.c: its own _start and thread
# pointer, a static array as the region) and run that.
FREESTANDING_FLAGS := -std=c11 -O2 -ffreestanding -fno-builtin -nostdlib -fno-stack-protector \
	-fno-pic -fno-pie -fvisibility=hidden $(WARN) -Ilibprofile/include -Ilibprofile/src -DPROF_FREESTANDING
freestanding: $(O)/freestanding/core.o $(O)/freestanding/unikernel
	@undef=$$(nm -u $(O)/freestanding/core.o | awk '$$2 != "_GLOBAL_OFFSET_TABLE_" {print $$2}'); \
	if [ -n "$$undef" ]; then echo "freestanding: core needs symbols from outside: $$undef"; exit 1; fi
	$(O)/freestanding/unikernel
	@echo "freestanding: core links and runs with no libc"
$(O)/freestanding/core.o: $(LIB_CORE_SRCS) $(LIB_HEADERS) $(wildcard libprofile/src/core/*.h) Makefile
	@mkdir -p $(@D)
	for f in $(LIB_CORE_SRCS); do $(CC) $(FREESTANDING_FLAGS) -c $$f -o $(@D)/$$(basename $$f .c).o || exit 1; done
	ld -r -o $@ $(patsubst libprofile/src/core/%.c,$(@D)/%.o,$(LIB_CORE_SRCS))
$(O)/freestanding/unikernel: tests/freestanding/unikernel.c $(O)/freestanding/core.o
	$(CC) $(FREESTANDING_FLAGS) -static -no-pie -o $@ $< $(O)/freestanding/core.o

# ---- programs linked with libprofile ----
PROG_CFLAGS := $(BASE_CFLAGS)
PROG_LDLIBS := $(LIB_A) $(LDFLAGS_SAN) $(LDLIBS_BASE)

# mprof: tools/mprof/*.c
MPROF := $(O)/bin/mprof
MPROF_SRCS := $(sort $(wildcard tools/mprof/*.c))
$(MPROF): $(MPROF_SRCS) $(wildcard tools/mprof/*.h) $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(PROG_CFLAGS) $(PKG_JANSSON_CFLAGS) -Itools/mprof -o $@ $(MPROF_SRCS) $(PROG_LDLIBS) $(PKG_JANSSON_LIBS)

# Unit and integration test programs: tests/unit/test_*.c, one binary each,
# with the shared helpers in tests/unit/lib/*.c.
TEST_LIB_SRCS := $(wildcard tests/unit/lib/*.c)
TEST_SRCS := $(sort $(wildcard tests/unit/test_*.c))
TEST_BINS := $(TEST_SRCS:tests/unit/%.c=$(O)/tests/%)
# A test may add link flags: TEST_LDFLAGS_<name>.
TEST_LDFLAGS_test_alloc_fail := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup
TEST_LDFLAGS_test_ctf_alloc_fail := $(TEST_LDFLAGS_test_alloc_fail)
$(O)/tests/%: tests/unit/%.c $(TEST_LIB_SRCS) $(wildcard tests/unit/lib/*.h) $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(PROG_CFLAGS) -Itests/unit -o $@ $< $(TEST_LIB_SRCS) $(PROG_LDLIBS) $(TEST_LDFLAGS_$*)

# Programs the test scripts drive: tests/progs/*.c, linked with libprofile
# (and with the test helpers and the reader API).
TEST_PROG_SRCS := $(sort $(wildcard tests/progs/*.c))
TEST_PROG_BINS := $(TEST_PROG_SRCS:tests/progs/%.c=$(O)/tests/progs/%)
$(O)/tests/progs/%: tests/progs/%.c $(LIB_A) $(wildcard tests/unit/lib/*.h)
	@mkdir -p $(@D)
	$(CC) $(PROG_CFLAGS) -Itests/unit -o $@ $< $(PROG_LDLIBS)

# Examples: examples/*.c
EXAMPLE_SRCS := $(sort $(wildcard examples/*.c))
EXAMPLE_BINS := $(EXAMPLE_SRCS:examples/%.c=$(O)/examples/%)
$(O)/examples/%: examples/%.c $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(PROG_CFLAGS) -o $@ $< $(PROG_LDLIBS)

# Test scripts: tests/t_*.sh (they use $O, $MPROF).
TEST_SCRIPTS := $(sort $(wildcard tests/t_*.sh))

# Modules add programs to ALL_TARGETS and tests to CHECK_TESTS.
ALL_TARGETS := $(LIB_A) $(LIB_SO) $(MPROF) $(EXAMPLE_BINS) $(TEST_BINS) $(TEST_PROG_BINS)
CHECK_TESTS := $(TEST_BINS) $(TEST_SCRIPTS)
FUZZ_TARGETS :=
-include $(sort $(wildcard */module.mk */*/module.mk))

all: $(ALL_TARGETS)

# ---- setup, check, demo ----
deps:
	@bash tools/install-deps.sh

# Tests to run in the sanitizer builds (see .ci/run and check-sanitizers).
SAN_ASAN_TESTS ?= $(filter-out %_stress,$(TEST_BINS))
SAN_TSAN_TESTS ?= $(filter %_stress,$(TEST_BINS))

check: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory check-run

check-run: all
	@O=$(O) MPROF=$(abspath $(MPROF)) SANITIZE=$(SANITIZE) bash tests/run-tests.sh \
		$(if $(SANITIZE),$(if $(findstring thread,$(SANITIZE)),$(SAN_TSAN_TESTS),$(SAN_ASAN_TESTS)),freestanding-test $(CHECK_TESTS) $(if $(SKIP_SANITIZERS),,asan-ubsan-test tsan-test) $(if $(SKIP_FUZZ),,fuzz-smoke-test))

freestanding-test:
	@$(MAKE) --no-print-directory freestanding

# The unit tests under AddressSanitizer + UBSan, the stress test under
# ThreadSanitizer: each a separate build tree (build-address-undefined/,
# build-thread/), each one line in the summary.
asan-ubsan-test:
	@$(MAKE) --no-print-directory all SANITIZE=address,undefined OPT="-O1 -g" >/dev/null
	@$(MAKE) --no-print-directory check-run SANITIZE=address,undefined OPT="-O1 -g"
tsan-test:
	@$(MAKE) --no-print-directory all SANITIZE=thread OPT="-O1 -g" >/dev/null
	@$(MAKE) --no-print-directory check-run SANITIZE=thread OPT="-O1 -g"
sanitizers-test: asan-ubsan-test tsan-test

FUZZ_SECONDS ?= 60
FUZZ_CC := clang
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(O)/fuzz/%)
# A target may link extra sources: FUZZ_EXTRA_<name> (the command line
# fuzzer links mprof's option parsers).
FUZZ_EXTRA_fuzz_cmdline := tools/mprof/record.c tools/mprof/util.c
.SECONDEXPANSION:
$(O)/fuzz/%: tests/fuzz/%.c $(LIB_SRCS) $(LIB_HEADERS) $$(FUZZ_EXTRA_$$*) $(wildcard tests/unit/*.h tests/unit/lib/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) -std=c11 -O1 -g -D_GNU_SOURCE -Wall -Wextra -Werror -Ilibprofile/include -Ilibprofile/src -Itools/mprof \
		-fsanitize=fuzzer,address,undefined -o $@ $< $(FUZZ_EXTRA_$*) $(LIB_SRCS) -lpthread -lrt -lm
fuzz-build: $(FUZZ_BINS)
fuzz: $(FUZZ_BINS)
	@set -o pipefail; for f in $(FUZZ_BINS); do n=$$(basename $$f); mkdir -p $(O)/fuzz-corpus/$$n; \
		echo "fuzz: $$n for $(FUZZ_SECONDS)s"; \
		$$f -max_total_time=$(FUZZ_SECONDS) $(FUZZ_FLAGS) -close_fd_mask=3 -print_final_stats=1 $(O)/fuzz-corpus/$$n tests/fuzz/corpus/$$n \
			2>&1 | tail -n 12 || exit 1; done
# make check's short run uses a fixed seed, so that on a clean clone (only
# the committed seed corpus) it replays the same mutations every time and
# a red CI is a real finding, reproducible; `make fuzz` explores freely.
FUZZ_FLAGS ?=
fuzz-smoke-test:
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$${FUZZ_SMOKE_SECONDS:-10} FUZZ_FLAGS=-seed=1

demo: deps
	@$(MAKE) --no-print-directory all
	@bash examples/demo.sh $(O)

# ---- install ----
install: $(LIB_A) $(LIB_SO) $(MPROF)
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include/profile $(DESTDIR)$(PREFIX)/bin \
		$(DESTDIR)$(PREFIX)/share/man/man1
	install -m 644 $(LIB_A) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(LIB_SO) $(DESTDIR)$(PREFIX)/lib/
	ln -sf libprofile.so.1 $(DESTDIR)$(PREFIX)/lib/libprofile.so
	install -m 644 $(LIB_HEADERS) $(DESTDIR)$(PREFIX)/include/profile/
	install -m 755 $(MPROF) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 docs/mprof.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	sed -e 's|@PREFIX@|$(PREFIX)|g' libprofile/libprofile.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/libprofile.pc

clean:
	rm -rf build build-*

.PHONY: all deps check check-run freestanding freestanding-test sanitizers-test asan-ubsan-test tsan-test fuzz fuzz-build fuzz-smoke-test demo install clean
