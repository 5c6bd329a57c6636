# The example lind-boot host, in two builds from the same sources:
#   lind-boot-perf  with -DLIND_PERF: the instrumented runtime that `make bench` runs
#   lind-boot       without it: the same program with every counter and scope compiled out
# Their objects live in separate directories, so one build never links the other's.
# `make bench` runs the standard microbenchmarks (scripts/run_microbench.sh).

EXAMPLE_DIR     := examples/lind-boot
EXAMPLE_MODULES := main lind_common threei rawposix fdtables
EXAMPLE_HEADERS := $(wildcard $(EXAMPLE_DIR)/*.h) $(HEADER)
EXAMPLE_CFLAGS   = -O2 $(WARN) $(CPPFLAGS_LINDPERF)

EXAMPLE_OBJ      = $(patsubst %,$(OUT)/obj/lind-boot/%.o,$(EXAMPLE_MODULES))
EXAMPLE_PERF_OBJ = $(patsubst %,$(OUT)/obj/lind-boot-perf/%.o,$(EXAMPLE_MODULES))

.PHONY: lind-boot lind-boot-perf

lind-boot: $(OUT)/lind-boot
lind-boot-perf: $(OUT)/lind-boot-perf

$(OUT)/lind-boot: $(EXAMPLE_OBJ)
	$(CC) -o $@ $^ $(LDLIBS_LINDPERF)

$(OUT)/lind-boot-perf: $(EXAMPLE_PERF_OBJ)
	$(CC) -o $@ $^ $(LDLIBS_LINDPERF)

$(OUT)/obj/lind-boot/%.o: $(EXAMPLE_DIR)/%.c $(EXAMPLE_HEADERS)
	@mkdir -p $(@D)
	$(CC) $(EXAMPLE_CFLAGS) -c -o $@ $<

$(OUT)/obj/lind-boot-perf/%.o: $(EXAMPLE_DIR)/%.c $(EXAMPLE_HEADERS)
	@mkdir -p $(@D)
	$(CC) $(EXAMPLE_CFLAGS) -DLIND_PERF -c -o $@ $<

bench:
	@OUT=$(OUT) PERF_FLAGS="$(PERF_FLAGS)" sh scripts/run_microbench.sh

# The unit tests link the modules they test.
TEST_CFLAGS_fdtables := -I$(EXAMPLE_DIR)
TEST_CFLAGS_threei   := -I$(EXAMPLE_DIR)
$(TEST_OUT)/test_fdtables: $(EXAMPLE_DIR)/fdtables.c $(EXAMPLE_HEADERS)
$(TEST_OUT)/test_threei: $(addprefix $(EXAMPLE_DIR)/,threei.c rawposix.c fdtables.c lind_common.c) \
    $(EXAMPLE_HEADERS)
