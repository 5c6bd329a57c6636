# lindperf: a header-only profiler for layered runtimes.
#
#   make bench          the main job: the example lind-boot host's standard microbenchmarks
#   make test           the test suite, under gcc and (when installed) clang
#   make install        PREFIX=/usr/local by default; make uninstall undoes it
#
# Everything is built into $(OUT) (build/ by default). The test suite builds its own
# copies per compiler into build/test-gcc and build/test-clang, so a test run never
# mixes objects from two compilers.

CC      ?= cc
OUT     ?= build
PREFIX  ?= /usr/local
OPT     ?= -O2 -g
WARN    := -Wall -Wextra -Werror
CPPFLAGS_LINDPERF := -Iinclude
LDLIBS_LINDPERF   := -lpthread
HEADER  := include/lindperf.h
TEST_OUT = $(OUT)/test
TEST_C  := $(wildcard tests/test_*.c)
TEST_SH := $(wildcard tests/test_*.sh)

.PHONY: all test test-deps test-one bench clean install uninstall
.DEFAULT_GOAL := all

all: lind-boot lind-boot-perf tools

$(OUT):
	mkdir -p $@

# Each part of the project adds its targets in its own fragment. The suite comes last:
# its prerequisites name the programs that the other parts define.
include mk/example.mk
include mk/bench.mk
include mk/tools.mk
include mk/install.mk
include mk/check.mk
include mk/cross.mk
include mk/tests.mk

clean:
	rm -rf build results
