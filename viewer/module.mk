# viewer/ - the timeline viewer (docs/VIEWER.md), three layers:
#   viewer/model/   no GTK, no cairo: lanes, the LOD index, queries
#   viewer/render/  cairo only: the picture; mprof-render (`mprof render`)
#   viewer/ui/      GTK 3: mprof-view (`mprof view`)
# `mprof` itself links neither: `mprof render` and `mprof view` execute
# mprof-render and mprof-view from the directory mprof runs from (or PATH).
# Every trace is read through the trace source (tools/source/).

PKG_CAIRO_CFLAGS := $(patsubst -I%,-isystem %,$(shell pkg-config --cflags cairo 2>/dev/null))
PKG_CAIRO_LIBS := $(shell pkg-config --libs cairo 2>/dev/null)
PKG_GTK_CFLAGS := $(patsubst -I%,-isystem %,$(shell pkg-config --cflags gtk+-3.0 2>/dev/null))
PKG_GTK_LIBS := $(shell pkg-config --libs gtk+-3.0 2>/dev/null)

VIEWER_INC := -Iviewer/model -Iviewer/render -Iviewer/ui -Itools/source
VIEWER_A := $(O)/lib/libmprof-viewer.a
VIEWER_MODEL_SRCS := $(sort $(wildcard viewer/model/*.c))
VIEWER_RENDER_SRCS := $(filter-out viewer/render/mprof_render.c,$(sort $(wildcard viewer/render/*.c)))
VIEWER_UI_SRCS := $(sort $(wildcard viewer/ui/*.c))
VIEWER_LIB_OBJS := $(VIEWER_MODEL_SRCS:%.c=$(O)/obj/%.o) $(VIEWER_RENDER_SRCS:%.c=$(O)/obj/%.o)
VIEWER_UI_OBJS := $(VIEWER_UI_SRCS:%.c=$(O)/obj/%.o)
MPROF_RENDER := $(O)/bin/mprof-render
MPROF_VIEW := $(O)/bin/mprof-view

$(VIEWER_MODEL_SRCS:%.c=$(O)/obj/%.o): OBJ_CFLAGS = $(PROG_CFLAGS) $(VIEWER_INC)
$(VIEWER_RENDER_SRCS:%.c=$(O)/obj/%.o) $(O)/obj/viewer/render/mprof_render.o: \
	OBJ_CFLAGS = $(PROG_CFLAGS) $(VIEWER_INC) $(PKG_CAIRO_CFLAGS)
$(VIEWER_UI_OBJS): OBJ_CFLAGS = $(PROG_CFLAGS) $(VIEWER_INC) $(PKG_GTK_CFLAGS)
$(VIEWER_LIB_OBJS) $(VIEWER_UI_OBJS) $(O)/obj/viewer/render/mprof_render.o: viewer/module.mk

$(VIEWER_A): $(VIEWER_LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

VIEWER_LDLIBS = $(VIEWER_A) $(SOURCE_A) $(PROG_LDLIBS) $(SOURCE_LIBS)

$(MPROF_RENDER): $(O)/obj/viewer/render/mprof_render.o $(VIEWER_A) $(SOURCE_A) $(LIB_A)
	@mkdir -p $(@D)
	$(CC) -o $@ $< $(VIEWER_LDLIBS) $(PKG_CAIRO_LIBS)

$(MPROF_VIEW): $(VIEWER_UI_OBJS) $(VIEWER_A) $(SOURCE_A) $(LIB_A)
	@mkdir -p $(@D)
	$(CC) -o $@ $(VIEWER_UI_OBJS) $(VIEWER_LDLIBS) $(PKG_GTK_LIBS)

ALL_TARGETS += $(VIEWER_A) $(MPROF_RENDER) $(MPROF_VIEW)

# Unit tests: viewer/test/test_*.c, headless (model and cairo on image surfaces).
VIEWER_TEST_SRCS := $(sort $(wildcard viewer/test/test_*.c))
VIEWER_TEST_BINS := $(VIEWER_TEST_SRCS:viewer/test/%.c=$(O)/tests/%)
$(VIEWER_TEST_SRCS:%.c=$(O)/obj/%.o): OBJ_CFLAGS = $(PROG_CFLAGS) $(VIEWER_INC) $(PKG_CAIRO_CFLAGS) -Itests/unit
$(VIEWER_TEST_SRCS:%.c=$(O)/obj/%.o): viewer/module.mk
$(VIEWER_TEST_BINS): $(O)/tests/%: $(O)/obj/viewer/test/%.o $(VIEWER_A) $(SOURCE_A) $(LIB_A)
	@mkdir -p $(@D)
	$(CC) -o $@ $< $(VIEWER_LDLIBS) $(PKG_CAIRO_LIBS)

# Programs the viewer's test scripts drive (trace generators): viewer/test/gen_*.c.
VIEWER_GEN_SRCS := $(sort $(wildcard viewer/test/gen_*.c))
VIEWER_GEN_BINS := $(VIEWER_GEN_SRCS:viewer/test/%.c=$(O)/tests/progs/%)
$(VIEWER_GEN_SRCS:%.c=$(O)/obj/%.o): OBJ_CFLAGS = $(PROG_CFLAGS) $(VIEWER_INC) $(PKG_CAIRO_CFLAGS) -Itests/unit
$(VIEWER_GEN_BINS): $(O)/tests/progs/%: $(O)/obj/viewer/test/%.o $(VIEWER_A) $(SOURCE_A) $(LIB_A)
	@mkdir -p $(@D)
	$(CC) -o $@ $< $(VIEWER_LDLIBS) $(PKG_CAIRO_LIBS)

# A program that writes LTTng-UST events (tracef) for the foreign-trace
# test, when lttng-ust is installed.
VIEWER_LTTNG := $(shell pkg-config --exists lttng-ust 2>/dev/null && echo 1)
ifeq ($(VIEWER_LTTNG),1)
VIEWER_TRACEF := $(O)/tests/progs/viewer_tracef
$(O)/obj/viewer/test/lttng/viewer_tracef.o: OBJ_CFLAGS = $(PROG_CFLAGS) $(shell pkg-config --cflags lttng-ust)
$(VIEWER_TRACEF): $(O)/obj/viewer/test/lttng/viewer_tracef.o
	@mkdir -p $(@D)
	$(CC) -o $@ $< $(LDFLAGS_SAN) $(shell pkg-config --libs lttng-ust) -ldl
ALL_TARGETS += $(VIEWER_TRACEF)
endif

ALL_TARGETS += $(VIEWER_TEST_BINS) $(VIEWER_GEN_BINS)
CHECK_TESTS += $(VIEWER_TEST_BINS)
SAN_ASAN_TESTS += $(VIEWER_TEST_BINS)

install: install-viewer
install-viewer: $(MPROF_RENDER) $(MPROF_VIEW)
	install -d $(DESTDIR)$(BINDIR)
	install -m 755 $(MPROF_RENDER) $(MPROF_VIEW) $(DESTDIR)$(BINDIR)/
uninstall: uninstall-viewer
uninstall-viewer:
	rm -f $(DESTDIR)$(BINDIR)/mprof-render $(DESTDIR)$(BINDIR)/mprof-view
.PHONY: install-viewer uninstall-viewer
