# make check-cross: every platform the manual names, built and run.
#
#   aarch64     aarch64-linux-gnu-gcc, run under qemu-aarch64 (user mode): --perftsc reads
#               the generic timer, cntvct_el0
#   i686-gcc    i686-linux-gnu-gcc, run natively: 32-bit x86, rdtsc, 64-bit atomics on a
#   i686-clang  32-bit CPU; clang --target=i686-linux-gnu on the same libc
#   musl        musl-gcc on x86-64, run natively: a libc other than glibc
#
# Everything is linked statically, so no target libc needs installing to run it. Each
# platform gets the example host in both builds and cmocka tests (below), made by the
# suite's own rules into $(CROSS_OUT)/PLATFORM. Debian has cmocka for the build machine
# only, so the cross builds compile the tests against tests/cross/cmocka.h, a stand-in for
# the part of cmocka's API the suite uses. tests/cross/check.sh then runs them, checks the
# host's report and the disassembly, and that the off build's code is identical
# (tests/test_off_build.sh, with each compiler); tests/run.sh counts the results.
# scripts/install-test-deps.sh installs the tools.
#
# The tests, kept to what each platform can tell that another cannot (the part costs about
# 30 s of CPU on top of the rest of make test):
#   aarch64, i686-gcc  the whole suite but test_accuracy, and on aarch64 test_distribution:
#                      both assert timing figures, which emulation cannot give and which
#                      the native suite checks; five test_report tests under qemu, whose
#                      expected text is x86's cycles (named in tests/cross/check.sh, and
#                      checked in ticks by test_platform)
#   i686-clang, musl   the tests of the platform layer, scopes, threads, thread exit and
#                      fork, and of the report's number formatting

.PHONY: check-cross cross-tools cross-all $(CROSS_PLATFORMS:%=cross-build-%)

CROSS_OUT        = $(OUT)/cross
CROSS_PLATFORMS := aarch64 i686-gcc i686-clang musl
CROSS_CC_aarch64    := aarch64-linux-gnu-gcc
CROSS_CC_i686-gcc   := i686-linux-gnu-gcc
CROSS_CC_i686-clang := clang --target=i686-linux-gnu
CROSS_CC_musl       := musl-gcc
CROSS_TOOLS  := aarch64-linux-gnu-gcc aarch64-linux-gnu-objdump qemu-aarch64 i686-linux-gnu-gcc \
                clang musl-gcc objdump
CROSS_SHIM   := tests/cross/cmocka.h
CROSS_FEW    := platform scope lossless overflow hardening report_layout report_figures \
                report_rows json_writer csv_writer
CROSS_TESTS_aarch64    := $(filter-out accuracy distribution,$(TEST_C:tests/test_%.c=%))
CROSS_TESTS_i686-gcc   := $(filter-out accuracy,$(TEST_C:tests/test_%.c=%))
CROSS_TESTS_i686-clang := $(CROSS_FEW)
CROSS_TESTS_musl       := $(CROSS_FEW)

# In a platform's own make (CROSS_PLATFORM set), every test program depends on the stand-in.
ifdef CROSS_PLATFORM
$(patsubst tests/%.c,$(TEST_OUT)/%,$(TEST_C)): $(CROSS_SHIM)
endif

# One platform: $1. Its compiler links statically and finds the stand-in before any cmocka.
# Its own make knows what is out of date, so it is always asked; the list of its tests is
# left for tests/cross/check.sh. No -g: nobody debugs these, and it costs a sixth of the CPU.
define cross_platform
cross-build-$1:
	@$$(MAKE) --no-print-directory -s OUT=$(CROSS_OUT)/$1 CROSS_PLATFORM=$1 OPT=-O2 \
	    CC="$(CROSS_CC_$1) -static -I$(dir $(CROSS_SHIM))" CMOCKA_LIBS= \
	    $(CROSS_TESTS_$1:%=$(CROSS_OUT)/$1/test/test_%) \
	    $(CROSS_OUT)/$1/lind-boot $(CROSS_OUT)/$1/lind-boot-perf
	@printf '%s\n' $(CROSS_TESTS_$1:%=test_%) >$(CROSS_OUT)/$1/tests
endef
$(foreach p,$(CROSS_PLATFORMS),$(eval $(call cross_platform,$p)))

cross-tools:
	@for t in $(CROSS_TOOLS); do command -v $$t >/dev/null || { \
	    echo "lindperf: check-cross needs $$t; run scripts/install-test-deps.sh," \
	         "or apt-get install" \
	         "gcc-aarch64-linux-gnu libc6-dev-arm64-cross" \
	         "gcc-i686-linux-gnu libc6-dev-i386-cross" \
	         "qemu-user musl-tools clang" >&2; exit 1; }; done

cross-all: $(CROSS_PLATFORMS:%=cross-build-%)

check-cross: cross-tools
	@$(MAKE) --no-print-directory -j$(CHECK_JOBS) cross-all
	@CROSS_OUT=$(CROSS_OUT) CROSS_PLATFORMS="$(CROSS_PLATFORMS)" \
	    CROSS_STRICT_WARN="$(MATRIX_WARN) $(MATRIX_WARN_C)" sh tests/run.sh tests/cross/check.sh
