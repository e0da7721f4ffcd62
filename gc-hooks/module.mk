# gc-hooks/ - GC timing from the runtimes' own callbacks (docs/GC.md).
#
#   $(O)/gc-hooks/ocaml/mprof_gc_ocaml.o   OCaml 4.x hooks and the libprofile
#                                          members they need: the one object an
#                                          OCaml program links
#   $(O)/gc-hooks/boehm/mprof_gc_boehm.o   Boehm GC hooks (link with
#                                          libprofile.a and -lgc)
# plus the test programs of tests/t_gc_*.sh (which the top Makefile runs:
# they match tests/t_*.sh).  With SANITIZE (make check's ASan+UBSan
# phase) everything here is built sanitized too: the hooks, libprofile and
# the Boehm programs with $(SANFLAGS); the OCaml program is linked by
# ocamlopt with -ccopt $(SANFLAGS), so its C parts (hooks and libprofile)
# are sanitized and the sanitizer runtime is linked; the OCaml runtime and
# the OCaml code are not instrumented (tests/lsan.supp names the one leak of
# OCaml 4.13's runtime).  Debian's libgc is not instrumented either.

OCAMLOPT ?= ocamlopt
GC_OCAML_WHERE := $(shell $(OCAMLOPT) -where 2>/dev/null)
GC_BOEHM_LIBS := $(or $(shell pkg-config --libs bdw-gc 2>/dev/null),-lgc)
GC_BOEHM_CFLAGS := $(shell pkg-config --cflags bdw-gc 2>/dev/null)

GCH := $(O)/gc-hooks
GC_OCAML_OBJ := $(GCH)/ocaml/mprof_gc_ocaml.o
GC_BOEHM_OBJ := $(GCH)/boehm/mprof_gc_boehm.o
GC_OCAML_TEST := $(GCH)/ocaml/test/gc_alloc
GC_BOEHM_TESTS := $(GCH)/boehm/test/boehm_alloc $(GCH)/boehm/test/boehm_live
GC_CHECK := $(O)/tests/gc/gc_check
GC_API_TEST := $(O)/tests/gc/test_gc_api
# Header dependencies come from -MMD (GC_DEPFLAGS); a changed module.mk rebuilds.
GC_HEADERS := gc-hooks/module.mk
GC_DEPFLAGS = $(DEPFLAGS) -MF $@.d

$(GCH)/ocaml/hooks.o: gc-hooks/ocaml/mprof_gc_ocaml.c $(GC_HEADERS)
	@mkdir -p $(@D)
	$(CC) $(PROG_CFLAGS) $(GC_DEPFLAGS) -isystem $(GC_OCAML_WHERE) -c $< -o $@

# ld -r takes from the archive exactly the members the hooks need.
$(GC_OCAML_OBJ): $(GCH)/ocaml/hooks.o $(LIB_A)
	ld -r -o $@ $< $(LIB_A)

# ocamlopt writes its .cmi/.cmx/.o next to the source: build from a copy.
$(GC_OCAML_TEST): gc-hooks/ocaml/test/gc_alloc.ml $(GC_OCAML_OBJ)
	@mkdir -p $(@D)/src
	cp $< $(@D)/src/gc_alloc.ml
	$(OCAMLOPT) $(if $(SANFLAGS),-ccopt "$(SANFLAGS)") -o $@ $(@D)/src/gc_alloc.ml $(GC_OCAML_OBJ)

$(GC_BOEHM_OBJ): gc-hooks/boehm/mprof_gc_boehm.c $(GC_HEADERS)
	@mkdir -p $(@D)
	$(CC) $(PROG_CFLAGS) $(GC_DEPFLAGS) $(GC_BOEHM_CFLAGS) -c $< -o $@

# The programs: objects from the top Makefile's rule (with -MMD), linked here.
GC_BOEHM_TEST_OBJS := $(GC_BOEHM_TESTS:$(GCH)/boehm/test/%=$(O)/obj/gc-hooks/boehm/test/%.o)
$(GC_BOEHM_TEST_OBJS): OBJ_CFLAGS = $(PROG_CFLAGS) $(GC_BOEHM_CFLAGS) -Igc-hooks/boehm
$(O)/obj/tests/gc/test_gc_api.o: OBJ_CFLAGS = $(PROG_CFLAGS) -Itests/unit
$(GC_BOEHM_TEST_OBJS) $(O)/obj/tests/gc/gc_check.o $(O)/obj/tests/gc/test_gc_api.o: $(GC_HEADERS)

$(GC_BOEHM_TESTS): $(GCH)/boehm/test/%: $(O)/obj/gc-hooks/boehm/test/%.o $(GC_BOEHM_OBJ) $(LIB_A)
	@mkdir -p $(@D)
	$(CC) -o $@ $< $(GC_BOEHM_OBJ) $(PROG_LDLIBS) $(GC_BOEHM_LIBS)

$(GC_CHECK): $(O)/obj/tests/gc/gc_check.o $(LIB_A)
	@mkdir -p $(@D)
	$(CC) -o $@ $< $(PROG_LDLIBS)

$(GC_API_TEST): $(O)/obj/tests/gc/test_gc_api.o $(LIB_A)
	@mkdir -p $(@D)
	$(CC) -o $@ $< $(PROG_LDLIBS)

ALL_TARGETS += $(GC_OCAML_OBJ) $(GC_BOEHM_OBJ) $(GC_OCAML_TEST) $(GC_BOEHM_TESTS) $(GC_CHECK) $(GC_API_TEST)
CHECK_TESTS += $(GC_API_TEST)
SAN_ASAN_TESTS += $(GC_API_TEST)

# make install: the hook objects under $(LIBDIR)/mprof/, the Boehm header
# with libprofile's headers under $(INCLUDEDIR)/profile/ (one include
# directory: #include <profile/mprof_gc_boehm.h>).
install: install-gc-hooks
install-gc-hooks: $(GC_OCAML_OBJ) $(GC_BOEHM_OBJ)
	install -d $(DESTDIR)$(LIBDIR)/mprof $(DESTDIR)$(INCLUDEDIR)/profile
	install -m 644 $(GC_OCAML_OBJ) $(GC_BOEHM_OBJ) $(DESTDIR)$(LIBDIR)/mprof/
	install -m 644 gc-hooks/boehm/mprof_gc_boehm.h $(DESTDIR)$(INCLUDEDIR)/profile/
uninstall: uninstall-gc-hooks
uninstall-gc-hooks:
	rm -f $(addprefix $(DESTDIR)$(LIBDIR)/mprof/,$(notdir $(GC_OCAML_OBJ) $(GC_BOEHM_OBJ))) \
		$(DESTDIR)$(INCLUDEDIR)/profile/mprof_gc_boehm.h
	rmdir $(DESTDIR)$(LIBDIR)/mprof $(DESTDIR)$(INCLUDEDIR)/profile 2>/dev/null || true
.PHONY: install-gc-hooks uninstall-gc-hooks
