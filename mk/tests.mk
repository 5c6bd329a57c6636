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

TEST_BINS   = $(patsubst tests/%.c,$(TEST_OUT)/%,$(TEST_C))
CMOCKA_LIBS := -lcmocka

.SECONDEXPANSION:
$(TEST_OUT)/test_%: tests/test_%.c $$(wildcard tests/parts/$$*/*.c) $(HEADER) | $(TEST_OUT)
	$(CC) $(OPT) $(WARN) -DLIND_PERF $(CPPFLAGS_LINDPERF) -Itests $(TEST_CFLAGS_$*) \
	    -o $@ $(filter %.c,$^) $(CMOCKA_LIBS) $(LDLIBS_LINDPERF)

$(TEST_OUT):
	mkdir -p $@

test-deps:
	@sh scripts/install-test-deps.sh

# The programs and fixtures that the tests run, built with the compiler under test.
TEST_PREREQS = $(TEST_BINS) $(OUT)/lind-boot $(OUT)/lind-boot-perf $(TOOLS)

test-one: $(TEST_PREREQS)
	@CC=$(CC) OUT=$(OUT) sh tests/run.sh $(TEST_BINS) $(TEST_SH)

# The whole of `make test`: the suite under gcc and clang, then the hardening checks
# (the compile matrix, the sanitizers, the stress run, FUZZ_SECONDS of fuzzing), then the
# other platforms (check-cross, when test-deps could install its tools), then one closing
# line with the grand total. The checks need clang, which test-deps installs.
TEST_TALLY = $(abspath build/test-tally)
TEST_CHECKS := tests/check/matrix.sh tests/check/sanitize.sh tests/check/stress.sh tests/check/fuzz.sh

test: test-deps
	@mkdir -p build && rm -f $(TEST_TALLY)
	@LINDPERF_TALLY=$(TEST_TALLY) $(MAKE) --no-print-directory test-one CC=gcc OUT=build/test-gcc
	@LINDPERF_TALLY=$(TEST_TALLY) $(MAKE) --no-print-directory test-one CC=clang OUT=build/test-clang
	@LINDPERF_TALLY=$(TEST_TALLY) OUT=build/check sh tests/run.sh $(TEST_CHECKS)
	@if $(MAKE) -s --no-print-directory cross-tools 2>/dev/null; then \
	    LINDPERF_TALLY=$(TEST_TALLY) $(MAKE) --no-print-directory check-cross OUT=build/check; \
	else echo "lindperf: make test leaves out check-cross: its tools are missing (test-deps said which)"; fi
	@awk '{ p += $$1; f += $$2 } END { printf "all: %d passed, %d failed\n", p, f; exit f > 0 }' $(TEST_TALLY)
