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

# The same shim tracking descriptors below 64 only (-DMPROF_SOCKETS_MAX_FDS=64),
# not installed: t_probes_dup.sh's descriptors beyond the table.
SOCK_SHIM_64 := $(O)/lib/mprof-test/libmprof_sockets_64fds.so
SOCK_SHIM_64_OBJ := $(O)/obj/probes/sockets/mprof_sockets_64fds.o
$(SOCK_SHIM_64_OBJ): probes/sockets/mprof_sockets.c probes/module.mk
	@mkdir -p $(@D)
	$(CC) $(PROG_CFLAGS) -DMPROF_SOCKETS_MAX_FDS=64 $(DEPFLAGS) -c $< -o $@
$(SOCK_SHIM_64): $(SOCK_SHIM_64_OBJ) $(LIB_SO)
	@mkdir -p $(@D)
	$(CC) -shared -o $@ $(SOCK_SHIM_64_OBJ) -L$(O)/lib -l:libprofile.so.1 -Wl,-rpath,'$$ORIGIN/..' \
		$(LDFLAGS_SAN) -ldl $(LDLIBS_BASE)
ALL_TARGETS += $(SOCK_SHIM_64)

# Test programs: plain C (probe_net: epoll server and its forked clients;
# probe_pingpong: bench/probes.sh's one-thread request/response loop;
# probe_dup: descriptors made from a socket by dup, dup2, fcntl),
# and a Boehm GC server whose requests the test stalls (probe_gc_server),
# linked with the shared libprofile so that the shim and the program share
# one copy (one region per process).
PROBE_TESTS := $(O)/tests/probes/probe_net $(O)/tests/probes/probe_gc_server $(O)/tests/probes/probe_pingpong \
	$(O)/tests/probes/probe_dup
PROBE_TEST_OBJS := $(PROBE_TESTS:$(O)/tests/probes/%=$(O)/obj/tests/probes/%.o)
$(PROBE_TEST_OBJS): OBJ_CFLAGS = $(PROG_CFLAGS) $(GC_BOEHM_CFLAGS) -Igc-hooks/boehm
$(PROBE_TEST_OBJS): probes/module.mk
$(O)/tests/probes/probe_net: $(O)/obj/tests/probes/probe_net.o
	@mkdir -p $(@D)
	$(CC) -o $@ $< $(LDFLAGS_SAN)
$(O)/tests/probes/probe_pingpong: $(O)/obj/tests/probes/probe_pingpong.o
	@mkdir -p $(@D)
	$(CC) -o $@ $< $(LDFLAGS_SAN)
$(O)/tests/probes/probe_dup: $(O)/obj/tests/probes/probe_dup.o
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

# ---- lwIP 2.1 with mprof's probes (docs/PROBES.md, "lwIP") ----
# Debian's lwIP source package, fetched once into $(O)/lwip-src (cached
# outside the tree: probes/lwip/fetch-lwip.sh) and compiled here with
# probes/lwip/lwipopts.h, arch/ and the hooks.  lwIP's own code keeps its
# own warnings (not -Werror); the probes are compiled as our code.
LWIP_SRC := $(O)/lwip-src
LWIP_STAMP := $(LWIP_SRC)/src/core/tcp.c
LWIP_MODS := core/init core/def core/inet_chksum core/ip core/mem core/memp core/netif core/pbuf core/stats \
	core/tcp core/tcp_in core/tcp_out core/timeouts core/ipv4/ip4 core/ipv4/ip4_addr
LWIP_OBJS := $(LWIP_MODS:%=$(O)/lwip/obj/%.o)
LWIP_INC := -Iprobes/lwip -I$(LWIP_SRC)/src/include
LWIP_CFLAGS := -std=gnu11 $(OPT) -falign-loops=32 -fPIC $(LWIP_INC) -Ilibprofile/include $(SANFLAGS)
LWIP_HDRS := probes/lwip/lwipopts.h probes/lwip/mprof_lwip_hooks.h probes/lwip/arch/cc.h probes/lwip/arch/perf.h \
	probes/module.mk

$(LWIP_STAMP): probes/lwip/fetch-lwip.sh
	bash probes/lwip/fetch-lwip.sh $(LWIP_SRC)
	@touch $@
$(LWIP_OBJS): $(O)/lwip/obj/%.o: $(LWIP_STAMP) $(LWIP_HDRS)
	@mkdir -p $(@D)
	$(CC) $(LWIP_CFLAGS) -c $(LWIP_SRC)/src/$*.c -o $@

LWIP_PROBE_OBJ := $(O)/obj/probes/lwip/mprof_lwip.o
$(LWIP_PROBE_OBJ): OBJ_CFLAGS = $(PROG_CFLAGS) $(LWIP_INC)
$(LWIP_PROBE_OBJ): $(LWIP_STAMP) $(LWIP_HDRS)

LWIP_ECHO := $(O)/tests/probes/lwip_echo
$(O)/obj/tests/probes/lwip_echo.o: OBJ_CFLAGS = $(PROG_CFLAGS) $(LWIP_INC)
$(O)/obj/tests/probes/lwip_echo.o: $(LWIP_STAMP) $(LWIP_HDRS)
$(LWIP_ECHO): $(O)/obj/tests/probes/lwip_echo.o $(LWIP_PROBE_OBJ) $(LWIP_OBJS) $(LIB_A)
	@mkdir -p $(@D)
	$(CC) -o $@ $< $(LWIP_PROBE_OBJ) $(LWIP_OBJS) $(PROG_LDLIBS)

ALL_TARGETS += $(LWIP_ECHO)

# The same echo with the probes following one connection at once
# (-DMPROF_LWIP_MAX_CONNS=1): the other is untracked (t_probes_lwip.sh).
LWIP_PROBE_OBJ_1 := $(O)/obj/probes/lwip/mprof_lwip_1conn.o
$(LWIP_PROBE_OBJ_1): probes/lwip/mprof_lwip.c $(LWIP_STAMP) $(LWIP_HDRS)
	@mkdir -p $(@D)
	$(CC) $(PROG_CFLAGS) $(LWIP_INC) -DMPROF_LWIP_MAX_CONNS=1 $(DEPFLAGS) -c $< -o $@
LWIP_ECHO_1 := $(O)/tests/probes/lwip_echo_1conn
$(LWIP_ECHO_1): $(O)/obj/tests/probes/lwip_echo.o $(LWIP_PROBE_OBJ_1) $(LWIP_OBJS) $(LIB_A)
	@mkdir -p $(@D)
	$(CC) -o $@ $< $(LWIP_PROBE_OBJ_1) $(LWIP_OBJS) $(PROG_LDLIBS)
ALL_TARGETS += $(LWIP_ECHO_1)

# ---- the LTTng-UST backend (docs/PROBES.md, "LTTng-UST") ----
# The same shim built with -DMPROF_TCP_LTTNG: its events go to an LTTng
# session (provider mprof_tcp) instead of an mprof region.  Built when
# pkg-config finds lttng-ust (PKG_LTTNG_* come from bench/module.mk's
# probe of it, repeated here so the order of modules does not matter).
PROBES_LTTNG := $(shell pkg-config --exists lttng-ust 2>/dev/null && echo 1)
ifeq ($(PROBES_LTTNG),1)
SOCK_SHIM_LTTNG := $(O)/lib/mprof/libmprof_sockets_lttng.so
SOCK_SHIM_LTTNG_OBJS := $(O)/obj/probes/lttng/sockets_lttng.o $(O)/obj/probes/lttng/mprof_tcp_tp.o
$(SOCK_SHIM_LTTNG_OBJS): OBJ_CFLAGS = $(PROG_CFLAGS) -Iprobes/lttng -DMPROF_TCP_LTTNG \
	$(shell pkg-config --cflags lttng-ust)
$(SOCK_SHIM_LTTNG_OBJS): probes/module.mk
$(O)/obj/probes/lttng/sockets_lttng.o: probes/sockets/mprof_sockets.c
	@mkdir -p $(@D)
	$(CC) $(OBJ_CFLAGS) $(DEPFLAGS) -c $< -o $@
$(SOCK_SHIM_LTTNG): $(SOCK_SHIM_LTTNG_OBJS)
	@mkdir -p $(@D)
	$(CC) -shared -o $@ $^ $(LDFLAGS_SAN) $(shell pkg-config --libs lttng-ust) -ldl $(LDLIBS_BASE)
ALL_TARGETS += $(SOCK_SHIM_LTTNG)
endif

# The same echo with lwIP built without the probes (-DMPROF_LWIP_NO_PROBES):
# bench/probes.sh's baseline.
LWIP_NP_OBJS := $(LWIP_MODS:%=$(O)/lwip-noprobes/obj/%.o)
$(LWIP_NP_OBJS): $(O)/lwip-noprobes/obj/%.o: $(LWIP_STAMP) $(LWIP_HDRS)
	@mkdir -p $(@D)
	$(CC) $(LWIP_CFLAGS) -DMPROF_LWIP_NO_PROBES -c $(LWIP_SRC)/src/$*.c -o $@
LWIP_ECHO_NP := $(O)/bench/lwip_echo_noprobes
$(O)/lwip-noprobes/lwip_echo.o: tests/probes/lwip_echo.c $(LWIP_STAMP) $(LWIP_HDRS)
	@mkdir -p $(@D)
	$(CC) $(PROG_CFLAGS) $(LWIP_INC) -DMPROF_LWIP_NO_PROBES -c $< -o $@
$(LWIP_ECHO_NP): $(O)/lwip-noprobes/lwip_echo.o $(LWIP_NP_OBJS)
	@mkdir -p $(@D)
	$(CC) -o $@ $^ $(LDFLAGS_SAN) $(LDLIBS_BASE)
ALL_TARGETS += $(LWIP_ECHO_NP)
