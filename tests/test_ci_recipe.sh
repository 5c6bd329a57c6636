#!/bin/sh
# The stored-baseline CI recipe of docs/tools.md, end to end with real runs: a baseline and
# a new run of `make bench` with PERF_FLAGS (net figures, repetitions), then lindperf-compare
# on each pair of results files. It checks the plumbing, never the timing: the flags reach
# every run, the files carry the run mode and one sample per repetition, and the comparer
# reads each pair and decides (status 0 or 1, never 2). Small counts keep it to a few
# seconds.

. "$(dirname "$0")/lib.sh"
compare=$OUT/lindperf-compare
bench() {
    OUT="$OUT" RESULTS="$1" ITERATIONS=2000 PERF_FLAGS="$2" sh "$root/scripts/run_microbench.sh" \
        >"$tmp/bench.out" 2>"$tmp/bench.err"
}

check "the baseline is recorded with PERF_FLAGS" bench "$tmp/baseline" "--perf-net --perf-repeat=3"
check "the new results are recorded the same way" bench "$tmp/results" "--perf-net --perf-repeat=3"
check "the script names the extra flags" \
    grep -q "^extra host flags: --perf-net --perf-repeat=3$" "$tmp/bench.out"
batched="figures net .*timed runs, batched, each figure the median of 3 repetitions$"
check "every report says it is batched, with 3 repetitions" \
    [ "$(grep -c "$batched" "$tmp/bench.out")" -eq 8 ]

# Each results file: the mode, the repetitions, and three samples per counter, each net.
files_ok() {
    n=0
    for f in "$1"/*.json; do
        grep -q '"schema": 2,' "$f" && grep -q '"mode": "batched",' "$f" &&
            grep -q '"repetitions": 3,' "$f" && grep -q '"net": true,' "$f" || return 1
        counters=$(grep -c '^    {"module": ' "$f")
        samples=$(grep -o '{"gross": [-0-9.]*, "net": [-0-9.]*, "p50": null}' "$f" | wc -l)
        [ "$counters" -gt 0 ] && [ "$samples" -eq $((3 * counters)) ] || return 1
        n=$((n + 1))
    done
    [ "$n" -eq 8 ]
}
check "the eight results files carry the run mode and three net samples per counter" \
    files_ok "$tmp/results"

gate_ok() {
    for f in "$tmp/results"/*.json; do
        "$compare" "$tmp/baseline/$(basename "$f")" "$f" --threshold 10 \
            >"$tmp/gate.out" 2>"$tmp/gate.err"
        status=$?
        [ "$status" -le 1 ] || { sed 's/^/#   /' "$tmp/gate.err"; return 1; }
        grep -q "^threei::make_syscall " "$tmp/gate.out" || return 1
    done
}
check "the gate compares every pair and decides (status 0 or 1, not 2)" gate_ok

check "a flag the host refuses stops make bench before any run" \
    sh -c "! OUT='$OUT' RESULTS='$tmp/bad' PERF_FLAGS=--perf-repeat=0 \
               sh '$root/scripts/run_microbench.sh' >'$tmp/bad.out' 2>'$tmp/bad.err'"
check "... and says which flags" \
    grep -q "^lindperf: PERF_FLAGS='--perf-repeat=0' is not accepted" "$tmp/bad.err"
check "... with no results written" [ ! -e "$tmp/bad/close-clock.json" ]

finish
