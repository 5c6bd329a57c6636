# The overhead benchmark (bench/overhead.c): what a scope costs, side by side with the
# bare timer reads and with a replica of the reference design. It measures, so it is not
# part of `make test`; run it on a quiet machine:
#
#   make bench-overhead

.PHONY: bench-overhead

bench-overhead: $(OUT)/overhead
	$(OUT)/overhead

$(OUT)/overhead: bench/overhead.c $(HEADER) | $(OUT)
	$(CC) -O2 $(WARN) -DLIND_PERF $(CPPFLAGS_LINDPERF) -o $@ $< $(LDLIBS_LINDPERF)

# The overflow test gives private tables to two threads only, so that the rest of its
# threads record through the shared overflow table.
TEST_CFLAGS_overflow := -DLINDPERF_MAX_THREADS=2

# The scale benchmark (bench/scale.c, bench/scale.sh): start-up at 100,000 registered
# counters, discovery memory at 10,000 and 100,000, RSS at 10,000 counters x 4,096
# threads, and a failed allocation that the report tells. It fails when a figure misses
# its target. Not part of `make test`: it builds 100,000 counters
# (about a minute) and starts 4,096 threads.
#
#   make bench-scale

.PHONY: bench-scale
SCALE_OUT = $(OUT)/scale

bench-scale: $(SCALE_OUT)/scale-100000 $(SCALE_OUT)/scale-10000
	@sh bench/scale.sh $(SCALE_OUT)

$(SCALE_OUT)/counters-%.c: bench/scale_counters.sh
	@mkdir -p $(@D)
	sh bench/scale_counters.sh $* > $@

$(SCALE_OUT)/scale-%: bench/scale.c $(SCALE_OUT)/counters-%.c $(HEADER)
	$(CC) -O2 $(WARN) -DLIND_PERF $(CPPFLAGS_LINDPERF) -o $@ bench/scale.c \
	    $(SCALE_OUT)/counters-$*.c $(LDLIBS_LINDPERF)

.PRECIOUS: $(SCALE_OUT)/counters-%.c
