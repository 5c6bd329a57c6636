# The cmocka suite and the shell tests.
#
# tests/test_NAME.c is one cmocka program. Files under tests/parts/NAME/ are linked into
# it too (for example the second and third module of a registry test). A test that needs
# its own flags sets TEST_CFLAGS_NAME. tests/test_NAME.sh is a shell test: it prints one
# "ok - ..." or "not ok - ..." line per check and exits nonzero when one failed.
#
# `make test` installs the tools the tests need (scripts/install-test-deps.sh), then runs
# the suite once per compiler; tests/run.sh prints the closing "N passed, N failed" line.

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

test: test-deps
	@$(MAKE) --no-print-directory test-one CC=gcc OUT=build/test-gcc
	@if [ -n "$(CLANG)" ]; then \
	    $(MAKE) --no-print-directory test-one CC=clang OUT=build/test-clang; \
	else echo "lindperf: clang is not installed; the suite ran under gcc only"; fi
