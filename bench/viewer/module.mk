# bench/viewer/ - the viewer's benchmark (docs/PERFORMANCE.md, "Viewer"):
# index time, frame time at several zoom levels and peak memory on
# generated traces.  `make bench` runs 10^6, 10^7 and 10^8 events
# (VIEWER_BENCH_SIZES to choose); make check runs a tiny smoke (no timing asserted).

VIEWER_BENCH := $(O)/bench/viewer_bench
$(O)/obj/bench/viewer/viewer_bench.o: bench/viewer/viewer_bench.c Makefile bench/viewer/module.mk
	@mkdir -p $(@D)
	$(CC) $(PROG_CFLAGS) $(VIEWER_INC) $(PKG_CAIRO_CFLAGS) $(DEPFLAGS) $(CFLAGS_EXTRA) -c $< -o $@
# viewer/module.mk and tools/source/module.mk are read after this file:
# name their libraries by path (SOURCE_A is still empty here).
$(VIEWER_BENCH): $(O)/obj/bench/viewer/viewer_bench.o $(O)/lib/libmprof-viewer.a $(O)/lib/libmprof-source.a $(LIB_A)
	@mkdir -p $(@D)
	$(CC) -o $@ $< $(VIEWER_LDLIBS) $(PKG_CAIRO_LIBS)

ALL_TARGETS += $(VIEWER_BENCH)
CHECK_TESTS += bench/viewer/viewer_smoke.sh

VIEWER_BENCH_SIZES ?= 1000000 10000000 100000000
bench: bench-viewer
bench-viewer: $(VIEWER_BENCH) $(O)/tests/progs/gen_viewer_trace
	@O=$(O) bash bench/viewer/run.sh $(VIEWER_BENCH_SIZES)
.PHONY: bench-viewer
