# bench/ - the benchmarks (docs/PERFORMANCE.md).
#
#   make bench        run everything: bench/run.sh writes $(O)/bench/results.{txt,json}
#   make check        includes bench/smoke.sh: one tiny iteration of each, no timing asserted
#   bench/compare.sh  mprof compare and export on 10^7-event traces (make bench; --smoke in smoke.sh)
#   bench/record_flatout.sh  mprof record of a flat-out producer (make bench; --smoke in smoke.sh)
#
# emit is one binary built from four translation units: the baselines and
# mprof variants (emit.c), the compiled-out variant (emit_off.c, with
# -DPROF_DISABLE), and the LTTng-UST tracepoint and its variants
# (emit_lttng.c, only when pkg-config finds lttng-ust).

BENCH_LTTNG := $(shell pkg-config --exists lttng-ust 2>/dev/null && echo 1)
PKG_LTTNG_CFLAGS := $(if $(BENCH_LTTNG),$(shell pkg-config --cflags lttng-ust))
PKG_LTTNG_LIBS := $(if $(BENCH_LTTNG),$(shell pkg-config --libs lttng-ust))
BENCH_CFLAGS = $(PROG_CFLAGS) $(PKG_JANSSON_CFLAGS) $(if $(BENCH_LTTNG),-DBENCH_HAVE_LTTNG) -Ibench

BENCH_EMIT := $(O)/bench/emit
BENCH_DRAIN := $(O)/bench/drain
BENCH_EVSIZE := $(O)/bench/evsize
BENCH_EMIT_OBJS := $(O)/obj/bench/emit.o $(O)/obj/bench/emit_off.o $(O)/obj/bench/common.o \
	$(if $(BENCH_LTTNG),$(O)/obj/bench/emit_lttng.o)
BENCH_DRAIN_OBJS := $(O)/obj/bench/drain.o $(O)/obj/bench/common.o
BENCH_HEADERS := $(wildcard bench/*.h) $(LIB_HEADERS)

# Every timed loop starts on a 64-byte boundary: a loop of a few
# instructions costs a cycle more when it straddles a fetch block, which
# would otherwise decide the empty, disabled and compiled-out figures by
# link-order luck.
BENCH_LOOP_ALIGN := -falign-loops=64
$(O)/obj/bench/emit.o: BENCH_EXTRA := $(BENCH_LOOP_ALIGN)
$(O)/obj/bench/emit_off.o: BENCH_EXTRA := $(BENCH_LOOP_ALIGN) -DPROF_DISABLE
$(O)/obj/bench/emit_lttng.o: BENCH_EXTRA := $(BENCH_LOOP_ALIGN) $(PKG_LTTNG_CFLAGS)

$(O)/obj/bench/%.o: bench/%.c $(BENCH_HEADERS) bench/module.mk
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) $(BENCH_EXTRA) -c $< -o $@

$(BENCH_EMIT): $(BENCH_EMIT_OBJS) $(LIB_A)
	@mkdir -p $(@D)
	$(CC) -o $@ $(BENCH_EMIT_OBJS) $(PROG_LDLIBS) $(PKG_JANSSON_LIBS) $(PKG_LTTNG_LIBS)

$(BENCH_DRAIN): $(BENCH_DRAIN_OBJS) $(LIB_A)
	@mkdir -p $(@D)
	$(CC) -o $@ $(BENCH_DRAIN_OBJS) $(PROG_LDLIBS) $(PKG_JANSSON_LIBS)

# LTTng-UST's side of evsize (bench/run.sh runs it inside a session).
BENCH_EVSIZE_LTTNG := $(if $(BENCH_LTTNG),$(O)/bench/evsize_lttng)
# It and sinkwrite include no libprofile header: their own rules, so that
# only what they include rebuilds them (tests/t_build_deps.sh).
$(O)/obj/bench/evsize_lttng.o: bench/evsize_lttng.c bench/lttng_tp.h bench/module.mk
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) $(PKG_LTTNG_CFLAGS) -c $< -o $@
$(O)/bench/evsize_lttng: $(O)/obj/bench/evsize_lttng.o
	@mkdir -p $(@D)
	$(CC) -o $@ $(O)/obj/bench/evsize_lttng.o $(LDFLAGS_SAN) $(PKG_LTTNG_LIBS)

$(BENCH_EVSIZE): $(O)/obj/bench/evsize.o $(LIB_A)
	@mkdir -p $(@D)
	$(CC) -o $@ $(O)/obj/bench/evsize.o $(PROG_LDLIBS)

# A producer running flat out, to run under `mprof record` (not run by
# make bench: docs/PERFORMANCE.md gives the command).
$(O)/bench/flatout: $(O)/obj/bench/flatout.o $(LIB_A)
	@mkdir -p $(@D)
	$(CC) -o $@ $(O)/obj/bench/flatout.o $(PROG_LDLIBS)

# How the trace writer appends packets (not run by make bench:
# docs/PERFORMANCE.md gives the command).
$(O)/obj/bench/sinkwrite.o: bench/sinkwrite.c bench/module.mk
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -c $< -o $@

$(O)/bench/sinkwrite: $(O)/obj/bench/sinkwrite.o
	@mkdir -p $(@D)
	$(CC) -o $@ $(O)/obj/bench/sinkwrite.o $(LDFLAGS_SAN)

ALL_TARGETS += $(O)/bench/sinkwrite $(BENCH_EMIT) $(BENCH_DRAIN) $(BENCH_EVSIZE) $(BENCH_EVSIZE_LTTNG) $(O)/bench/flatout
CHECK_TESTS += bench/smoke.sh

bench: $(BENCH_EMIT) $(BENCH_DRAIN) $(BENCH_EVSIZE) $(BENCH_EVSIZE_LTTNG) $(MPROF) $(O)/tests/progs/compare_gen \
	$(O)/bench/flatout
	@O=$(O) bash bench/run.sh $(BENCH_ARGS)
	@O=$(O) MPROF=$(abspath $(MPROF)) bash bench/compare.sh
	@O=$(O) MPROF=$(abspath $(MPROF)) bash bench/record_flatout.sh

.PHONY: bench
