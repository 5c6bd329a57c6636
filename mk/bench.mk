# The overhead benchmark (bench/overhead.c): what a scope costs, side by side with the
# bare timer reads and with a replica of the reference design. It measures, so it is not
# part of `make test`; run it on a quiet machine:
#
#   make bench-overhead

.PHONY: bench-overhead

bench-overhead: $(OUT)/overhead
	$(OUT)/overhead

# Whether the figures hold from invocation to invocation and whether the A/B gate tells an
# unchanged build from a slower one, quiet and with one core kept busy: about 10 minutes.
# Not part of `make test` (it measures). GATES, LOADS and GATE_ARGS shorten or change it;
# see bench/stability.sh.
.PHONY: bench-stability
bench-stability:
	@OUT=$(OUT) CC=$(CC) sh bench/stability.sh

$(OUT)/overhead: bench/overhead.c $(HEADER) | $(OUT)
	$(CC) -O2 $(WARN) -DLIND_PERF $(CPPFLAGS_LINDPERF) -o $@ $< $(LDLIBS_LINDPERF)

# The overflow test gives private tables to two threads only, so that the rest of its
# threads record through the shared overflow table.
TEST_CFLAGS_overflow := -DLINDPERF_MAX_THREADS=2
