# tests/cxx/ - libprofile's public headers from C++17.
#
# cxx_events is a C++ program that includes every public header and uses
# the definition and emit macros; tests/t_cxx_record.sh records it.  Built
# with the warnings a careful C++ user would turn on.

CXX ?= g++
ifeq ($(origin CXX),default)
CXX := g++
endif
CXX_TEST_FLAGS := -std=c++17 -O2 -g -Wall -Wextra -Werror -pedantic -Wshadow -Ilibprofile/include $(SANFLAGS)

CXX_TEST_BINS := $(O)/tests/cxx/cxx_events

$(O)/tests/cxx/%: tests/cxx/%.cpp $(LIB_HEADERS) $(LIB_A) tests/cxx/module.mk
	@mkdir -p $(@D)
	$(CXX) $(CXX_TEST_FLAGS) -o $@ $< $(PROG_LDLIBS)

ALL_TARGETS += $(CXX_TEST_BINS)
