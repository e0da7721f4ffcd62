# collectors/xen/ - the Xen dom0 collector and guest sharing (docs/XEN.md):
# libmprof-xen.a, linked into mprof (collect, share) and the Xen tests.
# Nothing here links libxen*: the real transport loads them with dlopen()
# when `--xen` is used without `--sim`, so mprof runs anywhere.

XEN_SRCS := $(sort $(wildcard collectors/xen/*.c))
XEN_OBJS := $(XEN_SRCS:%.c=$(O)/obj/%.o)
XEN_A := $(O)/lib/libmprof-xen.a
XEN_LDLIBS := -ldl

$(XEN_OBJS): OBJ_CFLAGS = $(PROG_CFLAGS) -Icollectors/xen
$(XEN_OBJS): collectors/xen/module.mk

$(XEN_A): $(XEN_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(MPROF): $(XEN_A)
# Xen's public headers (xenctrl.h) use GNU C extensions.
$(O)/obj/collectors/xen/real.o: OBJ_CFLAGS = $(PROG_CFLAGS) -std=gnu11 -Icollectors/xen

# Unit tests that drive the collector in-process link libmprof-xen.a (and
# libprofile.a after it: the test link line puts its own flags last).
XEN_UNIT_TESTS := test_xen_hostile test_xen_limits
$(XEN_UNIT_TESTS:%=$(O)/obj/tests/unit/%.o): OBJ_CFLAGS = $(PROG_CFLAGS) -Itests/unit -Icollectors/xen
$(XEN_UNIT_TESTS:%=$(O)/tests/%): $(XEN_A)
$(foreach t,$(XEN_UNIT_TESTS),$(eval TEST_LDFLAGS_$(t) = $(XEN_A) $(LIB_A) $(LDFLAGS_SAN) $(LDLIBS_BASE) $(XEN_LDLIBS)))

# The guest side's Xen-independent part (libprofile/src/xen/share.c: which
# pages are writable, what the advertisement says) builds freestanding like
# the core, so a unikernel links it with its own grant and XenStore calls
# (docs/XEN.md): `make freestanding` compiles it with the core's flags and
# refuses any symbol it would need from outside.
$(O)/freestanding/xen-share.o: libprofile/src/xen/share.c Makefile collectors/xen/module.mk
	@mkdir -p $(@D)
	$(CC) $(FREESTANDING_FLAGS) $(DEPFLAGS) -c $< -o $@.tmp
	@undef=$$(nm -u $@.tmp | awk '$$2 != "_GLOBAL_OFFSET_TABLE_" {print $$2}'); \
	if [ -n "$$undef" ]; then echo "freestanding: src/xen/share.c needs symbols from outside: $$undef"; rm -f $@.tmp; exit 1; fi
	mv $@.tmp $@
freestanding: $(O)/freestanding/xen-share.o

# make demo-xen: the real-Xen path under QEMU end to end (tests/xen/run.sh,
# which make check runs as tests/t_xen_real.sh, stats and render included);
# the guest's traces are left in $(O)/xen-demo/ for mprof stats and the
# viewer, and a picture of them in $(O)/xen-demo.png.
demo-xen: deps
	@$(MAKE) --no-print-directory all
	XEN_KEEP=$(abspath $(O))/xen-demo bash tests/xen/run.sh $(O)
	$(MPROF) stats $(O)/xen-demo
	@echo "demo-xen: the guest's traces: $(O)/xen-demo/ (mprof stats, mprof view); a picture: $(O)/xen-demo.png"
.PHONY: demo-xen

# tests/fuzz/fuzz_xen_pages.c: the collector's reading of a guest's pages
# (collect.c over the region reader) behind an in-memory transport.
FUZZ_EXTRA_fuzz_xen_pages := collectors/xen/collect.c
$(O)/fuzz/obj/tests/fuzz/fuzz_xen_pages.o $(O)/fuzz/obj/collectors/xen/collect.o: FUZZ_CFLAGS += -Icollectors/xen
