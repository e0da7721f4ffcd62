# tools/source/ - the trace source (mprof_source.h): one reader of mprof
# traces, foreign CTF (libbabeltrace2) and mirage-profile traces for
# mprof compare/export and the viewer.  A library of the toolkit
# (libmprof-source.a), never linked into instrumented programs.

SOURCE_A := $(O)/lib/libmprof-source.a
SOURCE_SRCS := $(sort $(wildcard tools/source/*.c))
SOURCE_OBJS := $(SOURCE_SRCS:%.c=$(O)/obj/%.o)
SOURCE_CFLAGS := -Itools/source
SOURCE_LIBS :=

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
