# mprof - top-level build.  Plain GNU Make + pkg-config.
#
#   make            build libprofile, mprof, examples, tests
#   make demo       install what is missing, build, record the example
#   make check      install what is missing, build, run every test
#   make check SANITIZE=address,undefined   (or SANITIZE=thread)
#   make fuzz       run each libFuzzer target for FUZZ_SECONDS (default 60)
#   make bench      run the benchmarks (bench/)
#   make install PREFIX=/usr/local [LIBDIR=...] DESTDIR=    (make uninstall: the same)
#
# Each folder adds to the build with a module.mk (included below):
# libprofile/module.mk and tools/mprof/module.mk first, then every other
# */module.mk and */*/module.mk.  A module appends its programs to
# ALL_TARGETS, its tests to CHECK_TESTS, and its install/uninstall steps
# to the install and uninstall targets.

SHELL := /bin/bash
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SUFFIXES:

comma := ,
CC ?= cc
ifeq ($(origin CC),default)
CC := gcc
endif
PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=
SANITIZE ?=
ifeq ($(SANITIZE),)
O ?= build
else
O ?= build-$(subst $(comma),-,$(SANITIZE))
endif

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

# ---- how every C object is built ----
# One rule compiles every $(O)/obj/<path>.o from <path>.c with OBJ_CFLAGS
# (a module sets it for its objects as a target-specific variable) and
# records the headers the object included in <path>.d (-MMD -MP): touching
# a header rebuilds exactly the objects that include it
# (tests/t_build_deps.sh).  Objects also depend on the Makefile, and a
# module's objects on its module.mk, so that changed flags rebuild them.
DEPFLAGS := -MMD -MP
OBJ_CFLAGS = $(PROG_CFLAGS)
$(O)/obj/%.o: %.c Makefile
	@mkdir -p $(@D)
	$(CC) $(OBJ_CFLAGS) $(DEPFLAGS) $(CFLAGS_EXTRA) -c $< -o $@

# ---- version: libprofile/include/profile/version.h is the one source ----
PROF_VERSION := $(shell awk '$$2 ~ /^PROF_VERSION_(MAJOR|MINOR|PATCH)$$/ { v = v s $$3; s = "." } END { print v }' \
	libprofile/include/profile/version.h)
ifneq ($(words $(subst ., ,$(PROF_VERSION))),3)
$(error libprofile/include/profile/version.h: cannot read PROF_VERSION_MAJOR, _MINOR, _PATCH (got '$(PROF_VERSION)'))
endif

# ---- programs linked with libprofile ----
PROG_CFLAGS := $(BASE_CFLAGS)
PROG_LDLIBS = $(LIB_A) $(LDFLAGS_SAN) $(LDLIBS_BASE)

ALL_TARGETS :=
CHECK_TESTS :=
FUZZ_TARGETS :=
# libprofile and mprof first: the other modules use LIB_A, LIB_HEADERS, MPROF.
include libprofile/module.mk tools/mprof/module.mk

# The core must build freestanding, without libc: compile it so, with no
# system headers at all (-nostdinc: only the compiler's own stddef.h,
# stdint.h and stdatomic.h, so a libc include fails to compile), check that
# it needs no symbol from outside, then link it into a program with no libc
# and no loader (tests/freestanding/unikernel.c: its own _start and thread
# pointer, a static array as the region) and run that.
FREESTANDING_FLAGS := -std=c11 -O2 -ffreestanding -fno-builtin -nostdlib -nostdinc \
	-isystem $(shell $(CC) -print-file-name=include) -fno-stack-protector \
	-fno-pic -fno-pie -fvisibility=hidden $(WARN) -Ilibprofile/include -Ilibprofile/src -DPROF_FREESTANDING
freestanding: $(O)/freestanding/core.o $(O)/freestanding/unikernel
	@if echo '#include <string.h>' | $(CC) $(FREESTANDING_FLAGS) -x c -c -o /dev/null - 2>/dev/null; then \
		echo "freestanding: a libc header compiles with these flags: the check proves nothing"; exit 1; fi
	@undef=$$(nm -u $(O)/freestanding/core.o | awk '$$2 != "_GLOBAL_OFFSET_TABLE_" {print $$2}'); \
	if [ -n "$$undef" ]; then echo "freestanding: core needs symbols from outside: $$undef"; exit 1; fi
	$(O)/freestanding/unikernel
	@echo "freestanding: core links and runs with no libc"
FREESTANDING_OBJS := $(LIB_CORE_SRCS:libprofile/src/core/%.c=$(O)/freestanding/obj/%.o)
$(FREESTANDING_OBJS): $(O)/freestanding/obj/%.o: libprofile/src/core/%.c Makefile libprofile/module.mk
	@mkdir -p $(@D)
	$(CC) $(FREESTANDING_FLAGS) $(DEPFLAGS) -c $< -o $@
$(O)/freestanding/core.o: $(FREESTANDING_OBJS)
	ld -r -o $@ $^
$(O)/freestanding/unikernel: tests/freestanding/unikernel.c $(O)/freestanding/core.o
	$(CC) $(FREESTANDING_FLAGS) $(DEPFLAGS) -MF $@.d -static -no-pie -o $@ $< $(O)/freestanding/core.o

# Unit and integration test programs: tests/unit/test_*.c, one binary each,
# with the shared helpers in tests/unit/lib/*.c.
TEST_LIB_SRCS := $(sort $(wildcard tests/unit/lib/*.c))
TEST_LIB_OBJS := $(TEST_LIB_SRCS:%.c=$(O)/obj/%.o)
TEST_SRCS := $(sort $(wildcard tests/unit/test_*.c))
TEST_BINS := $(TEST_SRCS:tests/unit/%.c=$(O)/tests/%)
TEST_OBJS := $(TEST_SRCS:%.c=$(O)/obj/%.o)
$(TEST_OBJS) $(TEST_LIB_OBJS): OBJ_CFLAGS = $(PROG_CFLAGS) -Itests/unit
# A test may add link flags: TEST_LDFLAGS_<name>.
TEST_LDFLAGS_test_alloc_fail := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup
TEST_LDFLAGS_test_ctf_alloc_fail := $(TEST_LDFLAGS_test_alloc_fail)
$(TEST_BINS): $(O)/tests/%: $(O)/obj/tests/unit/%.o $(TEST_LIB_OBJS) $(LIB_A)
	@mkdir -p $(@D)
	$(CC) -o $@ $< $(TEST_LIB_OBJS) $(PROG_LDLIBS) $(TEST_LDFLAGS_$*)

# Programs the test scripts drive: tests/progs/*.c, linked with libprofile
# (and with the test helpers and the reader API).
TEST_PROG_SRCS := $(sort $(wildcard tests/progs/*.c))
TEST_PROG_BINS := $(TEST_PROG_SRCS:tests/progs/%.c=$(O)/tests/progs/%)
$(TEST_PROG_SRCS:%.c=$(O)/obj/%.o): OBJ_CFLAGS = $(PROG_CFLAGS) -Itests/unit
$(TEST_PROG_BINS): $(O)/tests/progs/%: $(O)/obj/tests/progs/%.o $(LIB_A)
	@mkdir -p $(@D)
	$(CC) -o $@ $< $(PROG_LDLIBS)

# Examples: examples/*.c
EXAMPLE_SRCS := $(sort $(wildcard examples/*.c))
EXAMPLE_BINS := $(EXAMPLE_SRCS:examples/%.c=$(O)/examples/%)
$(EXAMPLE_BINS): $(O)/examples/%: $(O)/obj/examples/%.o $(LIB_A)
	@mkdir -p $(@D)
	$(CC) -o $@ $< $(PROG_LDLIBS)

# Test scripts: tests/t_*.sh (they use $O, $MPROF).
TEST_SCRIPTS := $(sort $(wildcard tests/t_*.sh))

ALL_TARGETS += $(EXAMPLE_BINS) $(TEST_BINS) $(TEST_PROG_BINS)
CHECK_TESTS += $(TEST_BINS) $(TEST_SCRIPTS)

# What the ASan+UBSan and TSan phases run (modules may add to them): the
# unit tests and every test script under ASan+UBSan (but the build and
# install tests, which test the build, not the code), the stress tests
# under TSan.  Each phase first proves that every program in its tree
# carries its sanitizer's runtime (sanitizer-runtime-check).
SAN_SKIP_SCRIPTS := tests/t_install.sh tests/t_build_deps.sh tests/t_check_phases.sh
SAN_ASAN_TESTS = $(filter-out %_stress,$(TEST_BINS)) $(filter-out $(SAN_SKIP_SCRIPTS),$(TEST_SCRIPTS))
SAN_TSAN_TESTS = $(filter %_stress,$(TEST_BINS))
# Programs a phase may run that cannot carry the runtime, each with its
# reason in the module that adds it (SAN_EXEMPT += path).
SAN_EXEMPT :=

-include $(sort $(filter-out libprofile/module.mk tools/mprof/module.mk,$(wildcard */module.mk */*/module.mk)))

all: $(ALL_TARGETS)

# Header dependencies recorded by -MMD (no file yet on a clean tree).
-include $(shell find -H $(O) -name '*.d' -type f 2>/dev/null)

# ---- setup, check, demo ----
deps:
	@bash tools/install-deps.sh

# make check: the plain build's tests, the freestanding proof, the two
# sanitizer phases, then one line per fuzz target.  With SANITIZE set, the
# check of that sanitizer's build only.
FUZZ_SMOKE := $(patsubst tests/fuzz/fuzz_%.c,fuzz-%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
ifeq ($(SANITIZE),)
CHECK_BUILD = $(ALL_TARGETS)
CHECK_LIST = freestanding-test $(CHECK_TESTS) $(if $(SKIP_SANITIZERS),,asan-ubsan-test tsan-test) \
	$(if $(SKIP_FUZZ),,$(FUZZ_SMOKE))
else ifneq ($(findstring thread,$(SANITIZE)),)
CHECK_BUILD = $(SAN_TSAN_TESTS)
CHECK_LIST = sanitizer-runtime-check $(SAN_TSAN_TESTS)
else
CHECK_BUILD = $(ALL_TARGETS)
CHECK_LIST = sanitizer-runtime-check $(SAN_ASAN_TESTS)
endif

check: deps
	@$(MAKE) --no-print-directory check-build
	@$(MAKE) --no-print-directory check-run

check-build: $(CHECK_BUILD)
check-run: check-build
	@O=$(O) MPROF=$(abspath $(MPROF)) SANITIZE=$(SANITIZE) $(if $(SANITIZE),CRASH_RUNS=$${CRASH_RUNS:-$(SAN_CRASH_RUNS)}) \
		bash tests/run-tests.sh $(CHECK_LIST)

# What check-run would run, one a line (tests/t_check_phases.sh).
print-check-list:
	@printf '%s\n' $(CHECK_LIST)

freestanding-test:
	@$(MAKE) --no-print-directory freestanding

# The sanitizer phases: ASan+UBSan (unit tests, and every test script with
# ASan+UBSan builds of mprof and of the programs it records) and TSan (the
# stress tests), each in its own tree, $(O)-address-undefined/ and
# $(O)-thread/, each one line in make check's summary (its own summary in
# its log, $(O)/test-logs/).  tests/run-tests.sh sets strict sanitizer
# options and fails a test on any sanitizer report, even from a program
# whose exit status the test does not look at.  With SANITIZE, the crash
# test runs SAN_CRASH_RUNS of its 60 runs (unless CRASH_RUNS is set).
SAN_OPT := -O1 -g
SAN_CRASH_RUNS ?= 12
asan-ubsan-test:
	@$(MAKE) --no-print-directory check-build check-run SANITIZE=address,undefined O=$(O)-address-undefined OPT="$(SAN_OPT)"
tsan-test:
	@$(MAKE) --no-print-directory check-build check-run SANITIZE=thread O=$(O)-thread OPT="$(SAN_OPT)"
sanitizers-test: asan-ubsan-test tsan-test

# Every program in a sanitizer tree must carry that sanitizer's runtime:
# a phase that runs unsanitized binaries fails here instead of passing.
SAN_SYMBOLS := $(if $(findstring address,$(SANITIZE)),__asan_init) $(if $(findstring undefined,$(SANITIZE)),__ubsan_handle_) \
	$(if $(findstring thread,$(SANITIZE)),__tsan_init)
sanitizer-runtime-check: $(CHECK_BUILD)
	@[ -n "$(SANITIZE)" ] || { echo "sanitizer-runtime-check: SANITIZE is not set"; exit 1; }
	@set -u; bad=0; n=0; \
	for f in $$(find $(abspath $(O)) -type f -perm -u+x ! -name '*.so*' | sort); do \
		head -c 4 "$$f" | grep -q ELF || continue; \
		case " $(abspath $(SAN_EXEMPT)) " in *" $$f "*) echo "exempt: $$f"; continue ;; esac; \
		n=$$((n + 1)); syms=$$(nm "$$f" 2>/dev/null); \
		for s in $(SAN_SYMBOLS); do \
			if grep -q -- "$$s" <<< "$$syms"; then echo "ok: $$f: $$s"; \
			else echo "FAIL: $$f: no $$s (not built with -fsanitize=$(SANITIZE))"; bad=1; fi; \
		done; \
	done; \
	[ "$$n" -gt 0 ] || { echo "FAIL: no program found under $(O)"; bad=1; }; \
	echo "$$n programs under $(O) checked for $(SAN_SYMBOLS)"; \
	[ "$${RUN_TESTS_MPROF-$(abspath $(MPROF))}" = "$(abspath $(MPROF))" ] || \
		{ echo "FAIL: the tests run MPROF=$$RUN_TESTS_MPROF, not $(abspath $(MPROF))"; bad=1; }; \
	exit $$bad

# ---- fuzzing ----
# The fuzz targets link libprofile (and a few mprof sources) built with
# clang's coverage and ASan+UBSan; each object once, with its dependencies.
FUZZ_SECONDS ?= 60
FUZZ_CC := clang
FUZZ_CFLAGS := -std=c11 -O1 -g -D_GNU_SOURCE -Wall -Wextra -Werror -Ilibprofile/include -Ilibprofile/src -Itools/mprof \
	-fsanitize=fuzzer-no-link,address,undefined
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(O)/fuzz/%)
# A target may link extra sources: FUZZ_EXTRA_<name> (the command line
# fuzzer links mprof's option parsers).
FUZZ_EXTRA_fuzz_cmdline := tools/mprof/record.c tools/mprof/compare_opts.c tools/mprof/util.c
fuzz_extra_objs = $(patsubst %.c,$(O)/fuzz/obj/%.o,$(FUZZ_EXTRA_$1))
$(O)/fuzz/obj/%.o: %.c Makefile
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(DEPFLAGS) -c $< -o $@
.SECONDEXPANSION:
$(FUZZ_BINS): $(O)/fuzz/%: $(O)/fuzz/obj/tests/fuzz/%.o $$(call fuzz_extra_objs,$$*) \
		$(LIB_SRCS:%.c=$(O)/fuzz/obj/%.o)
	@mkdir -p $(@D)
	$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $@ $^ -lpthread -lrt -lm
fuzz-build: $(FUZZ_BINS)
fuzz: $(FUZZ_BINS)
	@set -o pipefail; for f in $(FUZZ_BINS); do n=$$(basename $$f); mkdir -p $(O)/fuzz-corpus/$$n; \
		echo "fuzz: $$n for $(FUZZ_SECONDS)s"; \
		$$f -max_total_time=$(FUZZ_SECONDS) $(FUZZ_FLAGS) -close_fd_mask=3 -print_final_stats=1 $(O)/fuzz-corpus/$$n tests/fuzz/corpus/$$n \
			2>&1 | tail -n 12 || exit 1; done
# make check's short run (one fuzz-<target> line each in its summary) uses
# a fixed seed, so that on a clean clone (only the committed seed corpus) it
# replays the same mutations every time and a red CI is a real finding,
# reproducible; `make fuzz` explores freely.
FUZZ_FLAGS ?=
FUZZ_SMOKE_SECONDS ?= 10
$(FUZZ_SMOKE): fuzz-%: $(O)/fuzz/fuzz_%
	@mkdir -p $(O)/fuzz-corpus/fuzz_$*
	@set -o pipefail; $< -max_total_time=$(FUZZ_SMOKE_SECONDS) -seed=1 -close_fd_mask=3 -print_final_stats=1 \
		$(O)/fuzz-corpus/fuzz_$* tests/fuzz/corpus/fuzz_$* 2>&1 | tail -n 12
fuzz-smoke-test: $(FUZZ_SMOKE)

demo: deps
	@$(MAKE) --no-print-directory all
	@bash examples/demo.sh $(O)

# ---- install ----
# The modules add their steps to install and uninstall; headers all go
# under $(INCLUDEDIR)/profile/.  libprofile.pc's Libs carry an rpath when
# LIBDIR is not one the loader searches without configuration, so that a
# program built with `pkg-config --cflags --libs libprofile` starts.
PC_MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)
PC_SYSTEM_LIBDIRS := /lib /usr/lib /lib64 /usr/lib64 $(if $(PC_MULTIARCH),/lib/$(PC_MULTIARCH) /usr/lib/$(PC_MULTIARCH))
PC_RPATH := $(if $(filter $(patsubst %/,%,$(LIBDIR)),$(PC_SYSTEM_LIBDIRS)),,-Wl$(comma)-rpath$(comma)$${libdir})
install:
uninstall:

clean:
	rm -rf build build-*

.PHONY: all deps check check-build check-run freestanding freestanding-test sanitizers-test asan-ubsan-test tsan-test \
	sanitizer-runtime-check print-check-list fuzz fuzz-build fuzz-smoke-test $(FUZZ_SMOKE) demo install uninstall clean
