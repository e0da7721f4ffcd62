# probes/ - TCP/IP probes (docs/PROBES.md).
#
#   $(O)/lib/mprof/libmprof_sockets.so   the LD_PRELOAD shim of probes/sockets
#                                        (`mprof record --sockets`), linked with
#                                        libprofile.so.1 one directory up
#                                        (rpath $ORIGIN/..: built and installed
#                                        layouts alike)
#   $(O)/tests/probes/*                  the programs tests/t_probes_*.sh drive
#
# The shim is built with $(SANFLAGS) in a sanitizer tree, like libprofile.so;
# a sanitized shim can only be preloaded into a sanitized program, so the
# test scripts run the foreign programs (curl) in the plain build only.

SOCK_SHIM := $(O)/lib/mprof/libmprof_sockets.so
SOCK_SHIM_OBJ := $(O)/obj/probes/sockets/mprof_sockets.o
$(SOCK_SHIM_OBJ): OBJ_CFLAGS = $(PROG_CFLAGS)
$(SOCK_SHIM_OBJ): probes/module.mk

$(SOCK_SHIM): $(SOCK_SHIM_OBJ) $(LIB_SO)
	@mkdir -p $(@D)
	$(CC) -shared -o $@ $(SOCK_SHIM_OBJ) -L$(O)/lib -l:libprofile.so.1 -Wl,-rpath,'$$ORIGIN/..' \
		$(LDFLAGS_SAN) -ldl $(LDLIBS_BASE)

# Test programs: plain C (probe_net: epoll server and its forked clients),
# and a Boehm GC server whose requests the test stalls (probe_gc_server),
# linked with the shared libprofile so that the shim and the program share
# one copy (one region per process).
PROBE_TESTS := $(O)/tests/probes/probe_net $(O)/tests/probes/probe_gc_server
PROBE_TEST_OBJS := $(PROBE_TESTS:$(O)/tests/probes/%=$(O)/obj/tests/probes/%.o)
$(PROBE_TEST_OBJS): OBJ_CFLAGS = $(PROG_CFLAGS) $(GC_BOEHM_CFLAGS) -Igc-hooks/boehm
$(PROBE_TEST_OBJS): probes/module.mk
$(O)/tests/probes/probe_net: $(O)/obj/tests/probes/probe_net.o
	@mkdir -p $(@D)
	$(CC) -o $@ $< $(LDFLAGS_SAN)
$(O)/tests/probes/probe_gc_server: $(O)/obj/tests/probes/probe_gc_server.o $(GC_BOEHM_OBJ) $(LIB_SO)
	@mkdir -p $(@D)
	$(CC) -o $@ $< $(GC_BOEHM_OBJ) -L$(O)/lib -l:libprofile.so.1 -Wl,-rpath,'$(abspath $(O))/lib' \
		$(LDFLAGS_SAN) $(LDLIBS_BASE) $(GC_BOEHM_LIBS)

ALL_TARGETS += $(SOCK_SHIM) $(PROBE_TESTS)

install: install-probes
install-probes: $(SOCK_SHIM)
	install -d $(DESTDIR)$(LIBDIR)/mprof
	install -m 755 $(SOCK_SHIM) $(DESTDIR)$(LIBDIR)/mprof/
uninstall: uninstall-probes
uninstall-probes:
	rm -f $(DESTDIR)$(LIBDIR)/mprof/libmprof_sockets.so
	rmdir $(DESTDIR)$(LIBDIR)/mprof 2>/dev/null || true
.PHONY: install-probes uninstall-probes
