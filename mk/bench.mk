# The benchmarks. They measure, so they are not part of `make test`; run them on a quiet
# machine:
#
#   make bench            the example lind-boot host's standard microbenchmarks
#                         (scripts/run_microbench.sh)
#   make bench-overhead   what a scope costs (bench/overhead.c), side by side with the bare
#                         timer reads and with a replica of the reference design
#   make bench-compile    what the header costs each example file: object size and compile
#                         time, against an older header with BASELINE=FILE (bench/compile.sh)

.PHONY: bench bench-overhead

bench:
	@OUT=$(OUT) PERF_FLAGS="$(PERF_FLAGS)" sh scripts/run_microbench.sh

bench-overhead: $(OUT)/overhead
	$(OUT)/overhead

.PHONY: bench-compile
bench-compile:
	@OUT=$(OUT) CC=$(CC) RUNS=$(RUNS) BASELINE=$(BASELINE) sh bench/compile.sh

# Whether the figures hold from invocation to invocation and whether the A/B gate tells an
# unchanged build from a slower one, quiet and with one core kept busy: about 10 minutes.
# Not part of `make test` (it measures). GATES, LOADS and GATE_ARGS shorten or change it;
# see bench/stability.sh.
.PHONY: bench-stability
bench-stability:
	@OUT=$(OUT) CC=$(CC) sh bench/stability.sh

$(OUT)/overhead: bench/overhead.c $(HEADER) | $(OUT)
	$(CC) -O2 $(WARN) -DLIND_PERF $(CPPFLAGS_LINDPERF) -o $@ $< $(LDLIBS_LINDPERF)

# make bench-scale: what lindperf costs as the counters grow. Each part adds itself to
# BENCH_SCALE_PARTS. bench-startup: start-up with 10,000 and 100,000 registered counters
# (target: 100,000 in under 1 s), from generated files of 25,000 counters each in 100
# modules, so the ratio of the two lines shows how start-up grows (N log N: about 12x).
.PHONY: bench-scale bench-startup bench-scale-memory
BENCH_SCALE_PARTS += bench-startup bench-scale-memory
bench-scale: $(BENCH_SCALE_PARTS)

STARTUP_OUT = $(OUT)/startup
STARTUP_FILE_COUNTERS := 25000

# The whole process too: loading, the constructors, the walk and exit.
bench-startup: $(STARTUP_OUT)/startup-10000 $(STARTUP_OUT)/startup-100000
	@for n in 10000 100000; do start=$$(date +%s%N); $(STARTUP_OUT)/startup-$$n || exit 1; \
	    end=$$(date +%s%N); echo ", whole process $$(((end - start) / 1000000)) ms"; done

# Counters [first, first + count) of module m(i % 100): $1 file, $2 first, $3 count.
startup_generate = awk -v first=$2 -v count=$3 'BEGIN { print "\#include \"lindperf.h\""; \
    for (i = first; i < first + count; i++) \
        printf "LINDPERF_COUNTER(m%d, c%d);\n", i % 100, i }' > $1

# The first counter of part-N.o, as a shell expression: N times the counters per file.
startup_part_first = $$(($* * $(STARTUP_FILE_COUNTERS)))

$(STARTUP_OUT)/part-%.o: $(HEADER)
	@mkdir -p $(@D)
	@$(call startup_generate,$(@:.o=.c),$(startup_part_first),$(STARTUP_FILE_COUNTERS))
	$(CC) -O0 -DLIND_PERF $(CPPFLAGS_LINDPERF) -c -o $@ $(@:.o=.c)

$(STARTUP_OUT)/small.o: $(HEADER)
	@mkdir -p $(@D)
	@$(call startup_generate,$(@:.o=.c),0,10000)
	$(CC) -O0 -DLIND_PERF $(CPPFLAGS_LINDPERF) -c -o $@ $(@:.o=.c)

$(STARTUP_OUT)/startup-10000: bench/startup.c $(STARTUP_OUT)/small.o $(HEADER)
	$(CC) -O2 $(WARN) -DLIND_PERF $(CPPFLAGS_LINDPERF) -o $@ bench/startup.c \
	    $(STARTUP_OUT)/small.o $(LDLIBS_LINDPERF)

$(STARTUP_OUT)/startup-100000: bench/startup.c $(foreach i,0 1 2 3,$(STARTUP_OUT)/part-$i.o) \
                               $(HEADER)
	$(CC) -O2 $(WARN) -DLIND_PERF $(CPPFLAGS_LINDPERF) -o $@ bench/startup.c \
	    $(foreach i,0 1 2 3,$(STARTUP_OUT)/part-$i.o) $(LDLIBS_LINDPERF)

# The scale benchmark (bench/scale.c, bench/scale.sh): start-up at 100,000 registered
# counters, discovery memory at 10,000 and 100,000, RSS at 10,000 counters x 4,096
# threads, and a failed allocation that the report tells. It fails when a figure misses
# its target. Not part of `make test`: it builds 100,000 counters
# (about a minute) and starts 4,096 threads.
#
#   make bench-scale (its part bench-scale-memory)

SCALE_OUT = $(OUT)/scale

bench-scale-memory: $(SCALE_OUT)/scale-100000 $(SCALE_OUT)/scale-10000
	@sh bench/scale.sh $(SCALE_OUT)

$(SCALE_OUT)/counters-%.c: bench/scale_counters.sh
	@mkdir -p $(@D)
	sh bench/scale_counters.sh $* > $@

$(SCALE_OUT)/scale-%: bench/scale.c $(SCALE_OUT)/counters-%.c $(HEADER)
	$(CC) -O2 $(WARN) -DLIND_PERF $(CPPFLAGS_LINDPERF) -o $@ bench/scale.c \
	    $(SCALE_OUT)/counters-$*.c $(LDLIBS_LINDPERF)

.PRECIOUS: $(SCALE_OUT)/counters-%.c
