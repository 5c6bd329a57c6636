# lindperf: a header-only profiler for layered runtimes.
#
#   make bench          the main job: the example lind-boot host's standard microbenchmarks
#   make test           the test suite, under gcc and (when installed) clang
#   make install        PREFIX=/usr/local by default; make uninstall undoes it
#
# Everything is built into $(OUT) (build/ by default). The test suite builds its own
# copies per compiler into build/test-gcc and build/test-clang, so a test run never
# mixes objects from two compilers.

# What every fragment shares: the compiler, where things go, the warnings and the header.
CC      ?= cc
OUT     ?= build
OPT     ?= -O2 -g
WARN    := -Wall -Wextra -Werror
CPPFLAGS_LINDPERF := -Iinclude
LDLIBS_LINDPERF   := -lpthread
HEADER  := include/lindperf.h

.PHONY: all clean
.DEFAULT_GOAL := all

all: lind-boot lind-boot-perf tools

$(OUT):
	mkdir -p $@

# Each part of the project keeps its variables and targets in its own fragment. The suite
# comes after the parts whose programs it names as prerequisites, and the hardening checks
# after the suite, whose list of tests they reuse.
include mk/example.mk
include mk/bench.mk
include mk/tools.mk
include mk/install.mk
include mk/tests.mk
include mk/check.mk
include mk/cross.mk

# Removes $(OUT) and the microbenchmarks' results. An OUT that holds the checkout (., ..,
# /) would take the sources with it, so it is refused.
clean:
	@case "$(CURDIR)/" in "$(patsubst %/,%,$(abspath $(OUT)))/"*) \
	    echo "lindperf: make clean will not remove OUT=$(OUT): it holds the sources; give the" \
	        "build folder, as in OUT=build" >&2; exit 2;; esac
	rm -rf $(OUT) results
