# The cmocka suite and the shell tests.
#
# tests/test_NAME.c is one cmocka program. Files under tests/parts/NAME/ are linked into
# it too (for example the second and third module of a registry test). A test that needs
# its own flags sets TEST_CFLAGS_NAME. tests/test_NAME.sh is a shell test: it prints one
# "ok - ..." or "not ok - ..." line per check and exits nonzero when one failed.
#
# `make test` installs the tools the tests need (scripts/install-test-deps.sh), then runs
# the suite once per compiler and the hardening checks; tests/run.sh prints a
# "tests: N passed, N failed" line for each, and the last line is the grand total.

.PHONY: test test-deps test-one

TEST_OUT     = $(OUT)/test
TEST_C      := $(wildcard tests/test_*.c)
TEST_SH     := $(wildcard tests/test_*.sh)
TEST_BINS    = $(patsubst tests/%.c,$(TEST_OUT)/%,$(TEST_C))
CMOCKA_LIBS := -lcmocka
# Golden text too wide to quote in C within 100 columns lives in tests/data.
TEST_DATA   := -DTEST_DATA_DIR='"$(CURDIR)/tests/data"'

# What single tests need besides their own file.
# The overflow test gives private tables to two threads only, so that the rest of its
# threads record through the shared overflow table.
TEST_CFLAGS_overflow := -DLINDPERF_MAX_THREADS=2
# The example's unit tests link the modules they test.
TEST_CFLAGS_fdtables := -I$(EXAMPLE_DIR)
TEST_CFLAGS_threei   := -I$(EXAMPLE_DIR)
$(TEST_OUT)/test_fdtables: $(EXAMPLE_DIR)/fdtables.c $(EXAMPLE_HEADERS)
$(TEST_OUT)/test_threei: $(addprefix $(EXAMPLE_DIR)/,threei.c rawposix.c fdtables.c lind_common.c) \
    $(EXAMPLE_HEADERS)
# The tools' JSON reader, checked directly.
TEST_CFLAGS_json_reader := -Iscripts
TEST_CFLAGS_gbench := -Iscripts
$(TEST_OUT)/test_json_reader: scripts/lindperf-json.h

.SECONDEXPANSION:
$(TEST_OUT)/test_%: tests/test_%.c $$(wildcard tests/parts/$$*/*.c) $(HEADER) | $(TEST_OUT)
	$(CC) $(OPT) $(WARN) -DLIND_PERF $(CPPFLAGS_LINDPERF) -Itests $(TEST_DATA) \
	    $(TEST_CFLAGS_$*) -o $@ $(filter %.c,$^) $(CMOCKA_LIBS) $(LDLIBS_LINDPERF)

$(TEST_OUT):
	mkdir -p $@

test-deps:
	@sh scripts/install-test-deps.sh

# The programs and fixtures that the tests run, built with the compiler under test.
TEST_PREREQS = $(TEST_BINS) $(OUT)/lind-boot $(OUT)/lind-boot-perf $(TOOLS)

# The tests run without the jobs of the build: a test that runs make runs it as a user would.
test-one: $(TEST_PREREQS)
	@MAKEFLAGS= CC=$(CC) OUT=$(OUT) sh tests/run.sh $(TEST_BINS) $(TEST_SH)

# The whole of `make test`: the suite under gcc and clang, then the checks (lines of at
# most 100 columns, the compile matrix, the linker matrix, the sanitizers, the stress run,
# FUZZ_SECONDS of fuzzing), then the other platforms (check-cross, when test-deps could
# install its tools), then one closing line with the grand total. The checks need clang,
# which test-deps installs.
TEST_TALLY = $(abspath $(OUT)/test-tally)
# Jobs that build a pass's programs; its tests then run one at a time, on a quiet machine.
TEST_JOBS ?= 2
# The tally's lines are "passed failed"; the total fails when any test did.
TEST_TOTAL = { p += $$1; f += $$2 } END { printf "all: %d passed, %d failed\n", p, f; exit f > 0 }
TEST_CHECKS := tests/check/line_length.sh tests/check/matrix.sh tests/check/linkers.sh \
               tests/check/sanitize.sh tests/check/stress.sh tests/check/fuzz.sh

test: test-deps
	@mkdir -p $(OUT) && rm -f $(TEST_TALLY)
	@LINDPERF_TALLY=$(TEST_TALLY) $(MAKE) --no-print-directory -j$(TEST_JOBS) test-one \
	    CC=gcc OUT=$(OUT)/test-gcc
	@LINDPERF_TALLY=$(TEST_TALLY) $(MAKE) --no-print-directory -j$(TEST_JOBS) test-one \
	    CC=clang OUT=$(OUT)/test-clang
	@LINDPERF_TALLY=$(TEST_TALLY) OUT=$(OUT)/check sh tests/run.sh $(TEST_CHECKS)
	@if $(MAKE) -s --no-print-directory cross-tools 2>/dev/null; then \
	    LINDPERF_TALLY=$(TEST_TALLY) $(MAKE) --no-print-directory check-cross \
	        OUT=$(OUT)/check; \
	else echo "lindperf: make test leaves out check-cross: its tools are missing (test-deps" \
	    "said which)"; fi
	@awk '$(TEST_TOTAL)' $(TEST_TALLY)
