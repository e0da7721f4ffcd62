# tools/mprof/ - the mprof command: every tools/mprof/*.c, linked with
# the trace source (libmprof-source.a, tools/source/), libprofile.a (and
# jansson).

MPROF := $(O)/bin/mprof
MPROF_SRCS := $(sort $(wildcard tools/mprof/*.c))
MPROF_OBJS := $(MPROF_SRCS:%.c=$(O)/obj/%.o)

$(MPROF_OBJS): OBJ_CFLAGS = $(PROG_CFLAGS) $(PKG_JANSSON_CFLAGS) -Itools/mprof -Itools/source -Icollectors/xen
$(MPROF_OBJS): tools/mprof/module.mk

# SOURCE_A and SOURCE_LIBS come from tools/source/module.mk, XEN_A and
# XEN_LDLIBS from collectors/xen/module.mk (which adds XEN_A to the
# prerequisites), both included later: expanded here only when the recipe
# runs.
$(MPROF): $(MPROF_OBJS) $(LIB_A) $(O)/lib/libmprof-source.a
	@mkdir -p $(@D)
	$(CC) -o $@ $(MPROF_OBJS) $(SOURCE_A) $(XEN_A) $(PROG_LDLIBS) $(PKG_JANSSON_LIBS) $(SOURCE_LIBS) $(XEN_LDLIBS)

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
