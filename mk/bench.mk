# The benchmarks. They measure, so they are not part of `make test`; run them on a quiet
# machine:
#
#   make bench            the example lind-boot host's standard microbenchmarks
#                         (scripts/run_microbench.sh)
#   make bench-overhead   what a scope costs (bench/overhead.c), side by side with the bare
#                         timer reads and with a replica of the reference design

.PHONY: bench bench-overhead

bench:
	@OUT=$(OUT) PERF_FLAGS="$(PERF_FLAGS)" sh scripts/run_microbench.sh

bench-overhead: $(OUT)/overhead
	$(OUT)/overhead

$(OUT)/overhead: bench/overhead.c $(HEADER) | $(OUT)
	$(CC) -O2 $(WARN) -DLIND_PERF $(CPPFLAGS_LINDPERF) -o $@ $< $(LDLIBS_LINDPERF)
