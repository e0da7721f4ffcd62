# tools/source/ - the trace source (mprof_source.h): one reader of mprof
# traces, foreign CTF (libbabeltrace2) and mirage-profile traces for
# mprof compare/export and the viewer.  A library of the toolkit
# (libmprof-source.a), never linked into instrumented programs.

SOURCE_A := $(O)/lib/libmprof-source.a
SOURCE_SRCS := $(sort $(wildcard tools/source/*.c))
SOURCE_OBJS := $(SOURCE_SRCS:%.c=$(O)/obj/%.o)
# libbabeltrace2 (Debian: libbabeltrace2-dev) reads foreign CTF.
SOURCE_CFLAGS := -Itools/source $(shell pkg-config --cflags babeltrace2 2>/dev/null)
SOURCE_LIBS := $(shell pkg-config --libs babeltrace2 2>/dev/null)

$(SOURCE_OBJS): OBJ_CFLAGS = $(PROG_CFLAGS) $(SOURCE_CFLAGS)
$(SOURCE_OBJS): tools/source/module.mk

$(SOURCE_A): $(SOURCE_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

ALL_TARGETS += $(SOURCE_A)

# Its test: tools/source/test/test_*.c, linked with the source and
# libprofile, run by make check (and under ASan+UBSan).
SOURCE_TEST_SRCS := $(sort $(wildcard tools/source/test/test_*.c))
SOURCE_TEST_BINS := $(SOURCE_TEST_SRCS:tools/source/test/%.c=$(O)/tests/%)
SOURCE_TEST_OBJS := $(SOURCE_TEST_SRCS:%.c=$(O)/obj/%.o)
$(SOURCE_TEST_OBJS): OBJ_CFLAGS = $(PROG_CFLAGS) $(SOURCE_CFLAGS) -Itests/unit
$(SOURCE_TEST_BINS): $(O)/tests/%: $(O)/obj/tools/source/test/%.o $(SOURCE_A) $(LIB_A)
	@mkdir -p $(@D)
	$(CC) -o $@ $< $(SOURCE_A) $(PROG_LDLIBS) $(SOURCE_LIBS)

ALL_TARGETS += $(SOURCE_TEST_BINS)
CHECK_TESTS += $(SOURCE_TEST_BINS)
SAN_ASAN_TESTS += $(SOURCE_TEST_BINS)

# Programs the source's test scripts drive (tools/source/test/t_*.sh):
# source_dump (every event the source reads, for comparison with
# babeltrace2's text), and source_lttng_emit (LTTng-UST events; built only
# when pkg-config finds lttng-ust).
SOURCE_DUMP := $(O)/tests/source_dump
$(O)/obj/tools/source/test/source_dump.o: OBJ_CFLAGS = $(PROG_CFLAGS) $(SOURCE_CFLAGS)
$(SOURCE_DUMP): $(O)/obj/tools/source/test/source_dump.o $(SOURCE_A) $(LIB_A)
	@mkdir -p $(@D)
	$(CC) -o $@ $< $(SOURCE_A) $(PROG_LDLIBS) $(SOURCE_LIBS)
ALL_TARGETS += $(SOURCE_DUMP)

SOURCE_LTTNG := $(shell pkg-config --exists lttng-ust 2>/dev/null && echo 1)
ifneq ($(SOURCE_LTTNG),)
SOURCE_LTTNG_EMIT := $(O)/tests/source_lttng_emit
SOURCE_LTTNG_OBJS := $(O)/obj/tools/source/test/source_lttng_emit.o $(O)/obj/tools/source/test/source_lttng_tp.o
$(SOURCE_LTTNG_OBJS): OBJ_CFLAGS = $(PROG_CFLAGS) -Itools/source/test $(shell pkg-config --cflags lttng-ust)
$(SOURCE_LTTNG_EMIT): $(SOURCE_LTTNG_OBJS)
	@mkdir -p $(@D)
	$(CC) -o $@ $^ $(LDFLAGS_SAN) $(shell pkg-config --libs lttng-ust) -lpthread
ALL_TARGETS += $(SOURCE_LTTNG_EMIT)
endif

# The scripts: run by make check and under ASan+UBSan.
SOURCE_TEST_SCRIPTS := $(sort $(wildcard tools/source/test/t_*.sh))
CHECK_TESTS += $(SOURCE_TEST_SCRIPTS)
SAN_ASAN_TESTS += $(SOURCE_TEST_SCRIPTS)

# fuzz_mirage_order (tests/fuzz/) links the mirage-profile packet walk.
FUZZ_EXTRA_fuzz_mirage_order := tools/source/source_mirage.c
