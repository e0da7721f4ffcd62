# bench/gc/ - the overhead of the OCaml GC hooks (docs/GC.md).
#
#   make bench-gc [BENCH_GC_ARGS="RUNS ROUNDS"]
#
# Runs gc_alloc (gc-hooks/ocaml/test/gc_alloc.ml) built without the hooks
# and with them, alternately, under `mprof record`, and prints the ratio of
# the medians (bench/gc/run.sh).  Not built with SANITIZE (see
# gc-hooks/module.mk).  Included before gc-hooks/module.mk, so paths it
# defines are spelled out here.

ifeq ($(SANITIZE),)

OCAMLOPT ?= ocamlopt
BENCH_GC_PLAIN := $(O)/bench/gc/gc_alloc_plain

# The same program with no hooks linked: the baseline.
$(BENCH_GC_PLAIN): gc-hooks/ocaml/test/gc_alloc.ml
	@mkdir -p $(@D)/src
	cp $< $(@D)/src/gc_alloc.ml
	$(OCAMLOPT) -o $@ $(@D)/src/gc_alloc.ml

ALL_TARGETS += $(BENCH_GC_PLAIN)

bench-gc: $(BENCH_GC_PLAIN) $(O)/gc-hooks/ocaml/test/gc_alloc $(MPROF)
	@O=$(O) MPROF=$(MPROF) bash bench/gc/run.sh $(BENCH_GC_ARGS)

# `make bench` runs everything, this too.
bench: bench-gc

.PHONY: bench-gc

endif
