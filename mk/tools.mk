# The command-line tools that read lindperf's results files: lindperf-compare (regression
# gate for CI) and lindperf-plot (SVG chart). Plain C against libc and libm, so they build
# wherever the examples do.

TOOLS := $(OUT)/lindperf-compare $(OUT)/lindperf-plot
TOOLS_HEADERS := scripts/lindperf-json.h scripts/lindperf-run.h scripts/lindperf-stats.h

.PHONY: tools
tools: $(TOOLS)

# The statistics of lindperf-compare's decision, checked directly. Its own rule rather than
# the suite's pattern rule, because like the tools it links libm (after the sources, which
# linkers that drop unneeded libraries require).
$(OUT)/test/test_compare_stats: tests/test_compare_stats.c scripts/lindperf-stats.h
	@mkdir -p $(@D)
	$(CC) $(OPT) $(WARN) -Iscripts -o $@ $< $(CMOCKA_LIBS) -lm

$(OUT)/lindperf-compare: scripts/lindperf-compare.c $(TOOLS_HEADERS) scripts/lindperf-tree.h \
                         | $(OUT)
	$(CC) -O2 $(WARN) -o $@ $< -lm

$(OUT)/lindperf-plot: scripts/lindperf-plot.c $(TOOLS_HEADERS) scripts/lindperf-tree.h | $(OUT)
	$(CC) -O2 $(WARN) -o $@ $< -lm
