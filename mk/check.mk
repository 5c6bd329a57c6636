# The hardening checks: lindperf is compiled into other people's programs, under their
# compiler, standard, warnings and threads, so each of these must pass with zero reports.
#
#   make check            check-matrix, check-sanitize and check-stress (about 3 minutes
#                         of CPU on 2 cores); fuzz is apart, bounded by FUZZ_SECONDS
#   make check-matrix     tests/matrix under gcc and clang, five C standards, -O0/-O2/-O3,
#                         with and without LIND_PERF; then g++ and clang++ as C++11/17/20.
#                         Every build is linked and run, and checks exact counts (on) or
#                         that nothing at all is emitted (off).
#   make check-linkers    tests/linkers linked by gcc and clang with ld.bfd, gold and lld,
#                         under --gc-sections, -z start-stop-gc and -flto: exact counts
#   make check-sanitize   the cmocka suite and the example host under ASan+UBSan, and the
#                         thread tests with the stress program under TSan
#   make check-stress     16 threads, coming and going, against a host that enables,
#                         resets and reports all the while; then an exact phase
#   make fuzz             lindperf_try_parse_args under libFuzzer for FUZZ_SECONDS (60)
#
# Everything builds under $(OUT)/check, $(OUT)/matrix, $(OUT)/asan and $(OUT)/tsan.

.PHONY: check check-matrix check-linkers matrix-all check-sanitize check-asan check-tsan \
        check-stress fuzz

CHECK_JOBS ?= 2

check: check-matrix check-linkers check-sanitize check-stress

# ---------------------------------------------------------------------------------------
# Compile matrix
#
# The warnings are the strictest set the header passes. Not in it:
#   -Wdeclaration-after-statement  lindperf is C99 and later by design
#   -Wcast-qual, -Wformat=2        one line each in the header; add them here once fixed
MATRIX_CCS      := gcc clang
MATRIX_STDS     := gnu99 c11 gnu11 c17 c2x
MATRIX_OPTS     := O0 O2 O3
MATRIX_MODES    := perf off
MATRIX_CXXS     := g++ clang++
MATRIX_CXX_STDS := c++11 c++17 c++20
MATRIX_CXX_OPTS := O0 O2

MATRIX_WARN     := -Wall -Wextra -Wpedantic -Werror -Wshadow -Wconversion -Wsign-conversion \
                   -Wcast-align -Wundef -Wredundant-decls -Wdouble-promotion -Wcast-qual -Wformat=2
MATRIX_WARN_C   := -Wstrict-prototypes -Wmissing-prototypes
MATRIX_WARN_CXX := -Wmissing-declarations
# Under the strict ISO standards (c11, c17, c2x) glibc declares no POSIX function unless
# asked; the header asks for POSIX itself when it comes first, as it does here. A program
# whose system headers come first passes -D_POSIX_C_SOURCE=200809L through this.
MATRIX_STRICT   :=

MATRIX_OUT   = $(OUT)/matrix
MATRIX_DIR  := tests/matrix
MATRIX_DEPS := $(wildcard $(MATRIX_DIR)/*.h) $(HEADER)
MATRIX_INC  := $(CPPFLAGS_LINDPERF) -I$(MATRIX_DIR)

matrix_c_of = $(if $(filter g++,$1),gcc,clang)

MATRIX_C_RUNS = $(foreach cc,$(MATRIX_CCS),$(foreach std,$(MATRIX_STDS),\
    $(foreach opt,$(MATRIX_OPTS),$(foreach mode,$(MATRIX_MODES),\
    $(MATRIX_OUT)/$(cc)-$(std)-$(opt)-$(mode).ok))))
MATRIX_CXX_RUNS = $(foreach cxx,$(MATRIX_CXXS),$(foreach std,$(MATRIX_CXX_STDS),\
    $(foreach opt,$(MATRIX_CXX_OPTS),$(foreach mode,$(MATRIX_MODES),\
    $(MATRIX_OUT)/$(cxx)-$(std)-$(opt)-$(mode).ok))))
MATRIX_EXTRA_RUNS = $(MATRIX_OUT)/no-gnu-error.ok $(MATRIX_OUT)/no-gnu-off.ok

# One variant: $1 compiler, $2 standard, $3 optimization, $4 perf or off.
define matrix_c_variant
$(MATRIX_OUT)/$1-$2-$3-$4.ok: $(MATRIX_DIR)/matrix_module.c $(MATRIX_DIR)/matrix_host.c \
                              $(MATRIX_DEPS)
	@d=$$(@:.ok=); mkdir -p $$$$d; \
	flags="-std=$2 -$3 -g0 $(if $(filter perf,$4),-DLIND_PERF)"; \
	flags="$$$$flags $(if $(filter c%,$2),$(MATRIX_STRICT))"; \
	$1 $$$$flags $(MATRIX_WARN) $(MATRIX_WARN_C) $(MATRIX_INC) \
	    -c -o $$$$d/module.o $(MATRIX_DIR)/matrix_module.c && \
	$1 $$$$flags $(MATRIX_WARN) $(MATRIX_WARN_C) $(MATRIX_INC) \
	    -c -o $$$$d/host.o $(MATRIX_DIR)/matrix_host.c && \
	$1 -o $$$$d/matrix $$$$d/module.o $$$$d/host.o $(LDLIBS_LINDPERF) && \
	$$$$d/matrix && \
	$(if $(filter off,$4),$$(call matrix_off_is_empty,$1,$$$$flags,$$$$d) &&) \
	touch $$@ && \
	echo "ok - matrix $1 -std=$2 -$3 $(if $(filter perf,$4),-DLIND_PERF,(off))" || \
	{ echo "not ok - matrix $1 -std=$2 -$3 $(if $(filter perf,$4),-DLIND_PERF,(off))"; exit 1; }
endef

# The off build's module object has no lindperf symbol and no registry section, and its
# code is the code of the same file with every lindperf line deleted (-DMATRIX_BARE).
matrix_off_is_empty = \
    ! nm $3/module.o | grep -q lindperf && \
    ! objdump -h $3/module.o | grep -q lindperf_counters && \
    $1 $2 $(MATRIX_INC) -DMATRIX_BARE -c -o $3/bare.o $(MATRIX_DIR)/matrix_module.c && \
    objdump -d --no-show-raw-insn $3/module.o | sed 1,3d > $3/module.s && \
    objdump -d --no-show-raw-insn $3/bare.o | sed 1,3d > $3/bare.s && \
    cmp -s $3/module.s $3/bare.s

# A C++ variant: the C++ module and host, linked with the C module built by the matching
# C compiler, so both languages share one registry. $1 compiler, $2 standard, $3, $4.
define matrix_cxx_variant
$(MATRIX_OUT)/$1-$2-$3-$4.ok: $(MATRIX_DIR)/matrix_module.c $(MATRIX_DIR)/matrix_cxx.cpp \
                              $(MATRIX_DEPS)
	@d=$$(@:.ok=); mkdir -p $$$$d; \
	perf="$(if $(filter perf,$4),-DLIND_PERF)"; \
	$(call matrix_c_of,$1) -std=gnu11 -$3 $$$$perf $(MATRIX_WARN) $(MATRIX_WARN_C) \
	    $(MATRIX_INC) -c -o $$$$d/module.o $(MATRIX_DIR)/matrix_module.c && \
	$1 -std=$2 -$3 $$$$perf $(MATRIX_WARN) $(MATRIX_WARN_CXX) $(MATRIX_INC) \
	    -c -o $$$$d/cxx.o $(MATRIX_DIR)/matrix_cxx.cpp && \
	$1 -o $$$$d/matrix $$$$d/module.o $$$$d/cxx.o $(LDLIBS_LINDPERF) && \
	$$$$d/matrix && \
	touch $$@ && \
	echo "ok - matrix $1 -std=$2 -$3 $(if $(filter perf,$4),-DLIND_PERF,(off))" || \
	{ echo "not ok - matrix $1 -std=$2 -$3 $(if $(filter perf,$4),-DLIND_PERF,(off))"; exit 1; }
endef

$(foreach cc,$(MATRIX_CCS),$(foreach std,$(MATRIX_STDS),$(foreach opt,$(MATRIX_OPTS),\
    $(foreach mode,$(MATRIX_MODES),\
    $(eval $(call matrix_c_variant,$(cc),$(std),$(opt),$(mode)))))))
$(foreach cxx,$(MATRIX_CXXS),$(foreach std,$(MATRIX_CXX_STDS),$(foreach opt,$(MATRIX_CXX_OPTS),\
    $(foreach mode,$(MATRIX_MODES),\
    $(eval $(call matrix_cxx_variant,$(cxx),$(std),$(opt),$(mode)))))))

# A compiler that is neither GCC nor Clang, faked by clang without their macros: with
# LIND_PERF it must stop at the header's #error, and without it the program builds and runs.
MATRIX_NO_GNU := clang -U__GNUC__ -U__clang__ -Wno-builtin-macro-redefined

$(MATRIX_OUT)/no-gnu-error.ok: $(MATRIX_DIR)/matrix_module.c $(MATRIX_DEPS)
	@mkdir -p $(@D); \
	if $(MATRIX_NO_GNU) -std=c11 -DLIND_PERF $(MATRIX_INC) -E -o /dev/null $< \
	        2>$(@:.ok=.err); then \
	    echo "not ok - a compiler without cleanup gets no #error with LIND_PERF"; exit 1; fi; \
	grep -q '"lindperf: LIND_PERF needs GCC or Clang' $(@:.ok=.err) && touch $@ && \
	echo "ok - a compiler without cleanup stops at the header's #error with LIND_PERF" || \
	{ cat $(@:.ok=.err); echo "not ok - the #error for a compiler without cleanup"; exit 1; }

$(MATRIX_OUT)/no-gnu-off.ok: $(MATRIX_DIR)/matrix_module.c $(MATRIX_DIR)/matrix_host.c \
                             $(MATRIX_DEPS)
	@mkdir -p $(@D); \
	$(MATRIX_NO_GNU) -std=c11 -O2 -Wall -Wextra -Wpedantic -Werror $(MATRIX_INC) -o $(@:.ok=) \
	    $(MATRIX_DIR)/matrix_module.c $(MATRIX_DIR)/matrix_host.c && $(@:.ok=) && touch $@ && \
	echo "ok - the off build compiles and runs on a compiler without GNU extensions" || \
	{ echo "not ok - the off build on a compiler without GNU extensions"; exit 1; }

matrix-all: $(MATRIX_C_RUNS) $(MATRIX_CXX_RUNS) $(MATRIX_EXTRA_RUNS)

# Always from scratch: a matrix run answers for the compilers installed now.
check-matrix:
	@rm -rf $(MATRIX_OUT)
	@for c in $(MATRIX_CCS) $(MATRIX_CXXS); do command -v $$c >/dev/null || { \
	    echo "lindperf: check-matrix needs $$c;" \
	        "install it (apt-get install gcc g++ clang)" >&2; \
	    exit 1; }; done
	@$(MAKE) --no-print-directory -j$(CHECK_JOBS) matrix-all
	@echo "check-matrix:" \
	    "$(words $(MATRIX_C_RUNS) $(MATRIX_CXX_RUNS) $(MATRIX_EXTRA_RUNS)) builds passed"

# ---------------------------------------------------------------------------------------
# Linkers: the registry's entries through section garbage collection (tests/check/linkers.sh)
check-linkers:
	@OUT=$(OUT) sh tests/check/linkers.sh

# ---------------------------------------------------------------------------------------
# Stress
STRESS_SECONDS ?= 10
CHECK_OUT = $(OUT)/check
STRESS_SRC := tests/stress/stress.c tests/stress/report_shape.h

$(CHECK_OUT)/stress: $(STRESS_SRC) $(HEADER)
	@mkdir -p $(@D)
	$(CC) -O2 -g $(WARN) -Wshadow -Wconversion -DLIND_PERF $(CPPFLAGS_LINDPERF) -Itests/stress \
	    -o $@ $< $(LDLIBS_LINDPERF)

check-stress: $(CHECK_OUT)/stress
	@$(CHECK_OUT)/stress $(STRESS_SECONDS)

# ---------------------------------------------------------------------------------------
# Sanitizers
#
# The builds reuse the suite's own rules (every TEST_CFLAGS_NAME and extra source of the
# other fragments) with the sanitizer in CC, each into its own $(OUT). ASan+UBSan run every
# cmocka test (found by wildcard, so a new test joins by itself), the example host's shell
# test and the C++ one; TSan runs every test that starts threads, and the stress program.
# The tests get the sanitizing CC too, so a make that a test script runs rebuilds like for
# like.
SAN_CC      ?= clang
ASAN_CC      = $(SAN_CC) -fsanitize=address,undefined -fno-omit-frame-pointer \
               -fno-sanitize-recover=all
TSAN_CC      = $(SAN_CC) -fsanitize=thread -fno-omit-frame-pointer
ASAN_OUT     = $(OUT)/asan
TSAN_OUT     = $(OUT)/tsan
ASAN_TESTS   = $(patsubst tests/%.c,$(ASAN_OUT)/test/%,$(TEST_C))
ASAN_SHELL  := $(wildcard tests/test_lind_boot.sh tests/test_cxx.sh tests/test_shared_objects.sh)
# Tests that assert timing accuracy: instrumentation adds its own cost inside every scope
# and not to the calibrated floor, so their figures cannot hold under a sanitizer. They
# still run, and must still produce no sanitizer report.
SAN_TIMING_TESTS := accuracy
ASAN_TIMED   = $(filter $(SAN_TIMING_TESTS:%=$(ASAN_OUT)/test/test_%),$(ASAN_TESTS))
ASAN_EXACT   = $(filter-out $(ASAN_TIMED),$(ASAN_TESTS))
TSAN_SOURCES := $(sort $(shell grep -l 'pthread_create\|threaded_scopes.h' $(TEST_C) /dev/null) \
                       $(filter tests/test_discovery.c,$(TEST_C)))
TSAN_TESTS   = $(patsubst tests/%.c,$(TSAN_OUT)/test/%,$(TSAN_SOURCES))
SAN_STRESS_SECONDS ?= 5
SAN_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1 \
           UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
           TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1

check-sanitize: check-asan check-tsan

check-asan: $(ASAN_OUT)/stress
	@command -v $(SAN_CC) >/dev/null || { \
	    echo "lindperf: check-sanitize needs $(SAN_CC);" \
	        "install it (apt-get install clang)" >&2; \
	    exit 1; }
	@$(MAKE) --no-print-directory -j$(CHECK_JOBS) OUT=$(ASAN_OUT) CC="$(ASAN_CC)" \
	    $(ASAN_TESTS) $(ASAN_OUT)/lind-boot $(ASAN_OUT)/lind-boot-perf \
	    $(TOOLS:$(OUT)/%=$(ASAN_OUT)/%)
	@echo "== ASan+UBSan"
	@$(SAN_ENV) CC="$(ASAN_CC)" OUT=$(ASAN_OUT) sh tests/run.sh $(ASAN_EXACT) $(ASAN_SHELL)
	@for t in $(ASAN_TIMED); do \
	    if $(SAN_ENV) $$t > $$t.log 2>&1 || ! grep -q 'Sanitizer\|runtime error' $$t.log; then \
	        echo "ok - $$t: no sanitizer report (its timing figures are not checked here)"; \
	    else cat $$t.log; echo "not ok - $$t: a sanitizer report"; exit 1; fi; done
	@echo "== ASan+UBSan: the stress program, $(SAN_STRESS_SECONDS) s"
	@$(SAN_ENV) $(ASAN_OUT)/stress $(SAN_STRESS_SECONDS)

$(ASAN_OUT)/stress: $(STRESS_SRC) $(HEADER)
	@mkdir -p $(@D)
	$(ASAN_CC) -O1 -g $(WARN) -DLIND_PERF $(CPPFLAGS_LINDPERF) -Itests/stress \
	    -o $@ $< $(LDLIBS_LINDPERF)

check-tsan: $(TSAN_OUT)/stress
	@$(MAKE) --no-print-directory -j$(CHECK_JOBS) OUT=$(TSAN_OUT) CC="$(TSAN_CC)" $(TSAN_TESTS)
	@echo "== TSan"
	@$(SAN_ENV) CC="$(TSAN_CC)" OUT=$(TSAN_OUT) sh tests/run.sh $(TSAN_TESTS)
	@echo "== TSan: the stress program, $(SAN_STRESS_SECONDS) s"
	@$(SAN_ENV) $(TSAN_OUT)/stress $(SAN_STRESS_SECONDS)

$(TSAN_OUT)/stress: $(STRESS_SRC) $(HEADER)
	@mkdir -p $(@D)
	$(TSAN_CC) -O1 -g $(WARN) -DLIND_PERF $(CPPFLAGS_LINDPERF) -Itests/stress \
	    -o $@ $< $(LDLIBS_LINDPERF)

# ---------------------------------------------------------------------------------------
# Fuzzing lindperf_try_parse_args (both builds) with libFuzzer. New inputs libFuzzer finds
# go to $(FUZZ_OUT)/corpus; tests/fuzz/corpus holds the seeds. A crash leaves its input in
# $(FUZZ_OUT)/crash-*, which `$(FUZZ_OUT)/fuzz_parse_args FILE` replays.
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_OUT      = $(OUT)/fuzz
FUZZ_FLAGS   := -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all $(WARN)

$(FUZZ_OUT)/fuzz_parse_args: tests/fuzz/fuzz_parse_args.c tests/fuzz/fuzz_parse_args_off.c \
                             $(HEADER)
	@mkdir -p $(@D)
	@printf '%s%s\n' 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n)' \
	    ' { (void)d; return (int)n * 0; }' > $(@D)/probe.c
	@$(FUZZ_CC) -fsanitize=fuzzer -o $(@D)/probe $(@D)/probe.c 2>/dev/null || { \
	    echo "lindperf: make fuzz needs clang with libFuzzer (-fsanitize=fuzzer);" \
	        "on Debian or Ubuntu: apt-get install clang" >&2; exit 1; }
	$(FUZZ_CC) $(FUZZ_FLAGS) -DLIND_PERF $(CPPFLAGS_LINDPERF) \
	    -c -o $@-on.o tests/fuzz/fuzz_parse_args.c
	$(FUZZ_CC) $(FUZZ_FLAGS) $(CPPFLAGS_LINDPERF) \
	    -c -o $@-off.o tests/fuzz/fuzz_parse_args_off.c
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $@-on.o $@-off.o $(LDLIBS_LINDPERF)

fuzz: $(FUZZ_OUT)/fuzz_parse_args
	@mkdir -p $(FUZZ_OUT)/corpus
	$(FUZZ_OUT)/fuzz_parse_args -max_total_time=$(FUZZ_SECONDS) -max_len=16384 -timeout=10 \
	    -print_final_stats=1 -artifact_prefix=$(FUZZ_OUT)/ $(FUZZ_OUT)/corpus tests/fuzz/corpus
