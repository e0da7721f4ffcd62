# tools/mprof/ - the mprof command: every tools/mprof/*.c, linked with
# libprofile.a (and jansson).

MPROF := $(O)/bin/mprof
MPROF_SRCS := $(sort $(wildcard tools/mprof/*.c))
MPROF_OBJS := $(MPROF_SRCS:%.c=$(O)/obj/%.o)

$(MPROF_OBJS): OBJ_CFLAGS = $(PROG_CFLAGS) $(PKG_JANSSON_CFLAGS) -Itools/mprof -Icollectors/xen
$(MPROF_OBJS): tools/mprof/module.mk

# XEN_A, XEN_LDLIBS: the Xen collector (collectors/xen/module.mk, included
# later; it adds XEN_A to the prerequisites).
$(MPROF): $(MPROF_OBJS) $(LIB_A)
	@mkdir -p $(@D)
	$(CC) -o $@ $(MPROF_OBJS) $(XEN_A) $(PROG_LDLIBS) $(PKG_JANSSON_LIBS) $(XEN_LDLIBS)

ALL_TARGETS += $(MPROF)

install: install-mprof
install-mprof: $(MPROF)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(MPROF) $(DESTDIR)$(BINDIR)/
	install -m 644 docs/mprof.1 $(DESTDIR)$(MANDIR)/man1/
uninstall: uninstall-mprof
uninstall-mprof:
	rm -f $(DESTDIR)$(BINDIR)/mprof $(DESTDIR)$(MANDIR)/man1/mprof.1
.PHONY: install-mprof uninstall-mprof
