# libprofile/ - the library: static (libprofile.a) and shared (libprofile.so.1).
#
# Every libprofile/src/<dir>/*.c is a member, picked up by wildcard, so a new
# source directory (libprofile/src/analysis/, ...) needs no change here.  The
# freestanding proof (top Makefile: FREESTANDING_FLAGS) builds only
# libprofile/src/core/*.c.  Objects record their header dependencies
# (-MMD -MP, the top Makefile's compile rule).

LIB_CORE_SRCS := $(sort $(wildcard libprofile/src/core/*.c))
LIB_SRCS := $(LIB_CORE_SRCS) $(sort $(filter-out $(LIB_CORE_SRCS),$(wildcard libprofile/src/*/*.c)))
LIB_OBJS := $(LIB_SRCS:%.c=$(O)/obj/%.o)
LIB_A := $(O)/lib/libprofile.a
LIB_SO := $(O)/lib/libprofile.so.1
LIB_HEADERS := $(wildcard libprofile/include/profile/*.h)

$(LIB_OBJS): OBJ_CFLAGS = $(LIB_CFLAGS)
$(LIB_OBJS): libprofile/module.mk

$(LIB_A): $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(LIB_SO): $(LIB_OBJS)
	@mkdir -p $(@D)
	$(CC) -shared -Wl,-soname,libprofile.so.1 -o $@ $^ $(LDFLAGS_SAN) $(LDLIBS_BASE)
	ln -sf libprofile.so.1 $(O)/lib/libprofile.so

ALL_TARGETS += $(LIB_A) $(LIB_SO)

# make install: the libraries, the headers (all under $(INCLUDEDIR)/profile/)
# and libprofile.pc, whose version is the one in profile/version.h and whose
# Libs carry an rpath when LIBDIR is outside the loader's default directories.
install: install-libprofile
install-libprofile: $(LIB_A) $(LIB_SO)
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)/profile
	install -m 644 $(LIB_A) $(DESTDIR)$(LIBDIR)/
	install -m 755 $(LIB_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf libprofile.so.1 $(DESTDIR)$(LIBDIR)/libprofile.so
	install -m 644 $(LIB_HEADERS) $(DESTDIR)$(INCLUDEDIR)/profile/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' \
		-e 's|@VERSION@|$(PROF_VERSION)|g' -e 's|@RPATH@|$(PC_RPATH)|g' \
		libprofile/libprofile.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/libprofile.pc
uninstall: uninstall-libprofile
uninstall-libprofile:
	rm -f $(DESTDIR)$(LIBDIR)/libprofile.a $(DESTDIR)$(LIBDIR)/libprofile.so.1 $(DESTDIR)$(LIBDIR)/libprofile.so \
		$(DESTDIR)$(LIBDIR)/pkgconfig/libprofile.pc \
		$(addprefix $(DESTDIR)$(INCLUDEDIR)/profile/,$(notdir $(LIB_HEADERS)))
	rmdir $(DESTDIR)$(INCLUDEDIR)/profile $(DESTDIR)$(LIBDIR)/pkgconfig 2>/dev/null || true
.PHONY: install-libprofile uninstall-libprofile
