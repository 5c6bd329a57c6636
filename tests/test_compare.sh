#!/bin/sh
# lindperf-compare: passes identical runs, flags a slowdown made on purpose, honours
# --threshold, lists added and removed counters, prefers p50, and refuses what it cannot
# compare with status 2 and a "lindperf:" message. Nothing here is timed: the slowdowns
# are written into the fixtures (tests/data/close-*.json), not measured.

. "$(dirname "$0")/lib.sh"
data=$root/tests/data
compare=$OUT/lindperf-compare

# Runs the comparer; leaves its status in $status, its output in $tmp/out and $tmp/err.
run() {
    "$compare" "$@" >"$tmp/out" 2>"$tmp/err"
    status=$?
}

says() { grep -q -- "$1" "$tmp/out"; }
complains() { grep -q "^lindperf: .*$1" "$tmp/err"; }
flagged() { [ "$(grep -c "! slower" "$tmp/out")" -eq "$1" ]; }
row_has() { grep "^$1 " "$tmp/out" | grep -q -- "$2"; }
refused() { [ "$status" -eq 2 ] && complains "$1"; }

if [ ! -x "$compare" ]; then
    echo "not ok - $compare is built (make tools OUT=$OUT)"
    exit 1
fi

run "$data/close-base.json" "$data/close-base.json"
check "the same run twice passes with status 0" [ "$status" -eq 0 ]
check "the same run twice flags nothing" flagged 0

run "$data/close-base.json" "$data/close-slow.json"
check "a layer 20% slower fails with status 1" [ "$status" -eq 1 ]
check "the slower layer's row is marked" row_has rawposix::close_syscall "+20.0%  ! slower"
check "only the layer beyond the default 5% is marked" flagged 1
check "the failure is explained on stderr" complains "slower by more than 5%"

run "$data/close-base.json" "$data/close-slow.json" --threshold 25
check "--threshold 25 lets a 20% slowdown pass" [ "$status" -eq 0 ]
run --threshold=4 "$data/close-base.json" "$data/close-slow.json"
check "--threshold=4 fails the same slowdown" [ "$status" -eq 1 ]
check "--threshold=4 also marks the enclosing layers (+4.5%, +4.7%)" flagged 3

run "$data/close-slow.json" "$data/close-base.json"
check "a speedup passes" [ "$status" -eq 0 ]
check "a speedup is marked faster" row_has rawposix::close_syscall "-16.7%    faster"

run "$data/close-base.json" "$data/close-added.json"
check "added and removed counters are not errors" [ "$status" -eq 0 ]
check "an added counter is listed" says "^added (only in new): rawposix::open_syscall$"
check "a removed counter is listed" says "^removed (only in old): fdtables::close_virtualfd$"

# In the p50 pair, threei's avg is 30% up (a few preempted calls) but its p50 is not.
run "$data/close-p50-old.json" "$data/close-p50-new.json"
check "p50 is compared when both runs have it, so an avg dragged up by outliers passes" [ "$status" -eq 0 ]
check "the row says it compared p50" row_has threei::make_syscall " p50 "
check "avg is compared when only one run has p50" row_has rawposix::close_syscall " avg "
run "$data/close-base.json" "$data/close-p50-new.json"
check "avg is compared when the old run has no p50 (the 30% shows)" [ "$status" -eq 1 ]

run "$data/close-base.json" "$data/close-cycles.json"
check "runs in ns and in cycles are refused with status 2" [ "$status" -eq 2 ]
check "the unit mismatch is named" complains "is in ns but .* is in cycles"

run "$data/close-base.json" "$data/invalid.json"
check "invalid JSON is refused with status 2" [ "$status" -eq 2 ]
check "invalid JSON is reported with its line and column" complains "invalid.json:[0-9]*:[0-9]*: invalid JSON"

echo '{"benchmarks": []}' >"$tmp/other.json"
run "$tmp/other.json" "$data/close-base.json"
check "JSON that is not a lindperf results file is refused" refused "not a lindperf results file"

sed 's/"schema": 1/"schema": 3/' "$data/close-base.json" >"$tmp/schema3.json"
run "$data/close-base.json" "$tmp/schema3.json"
check "a newer schema is refused" refused "schema 3"

sed 's/"avg": 94.274,/"avg": "fast",/' "$data/close-base.json" >"$tmp/badavg.json"
run "$data/close-base.json" "$tmp/badavg.json"
check "a counter without a numeric avg is refused" refused 'no number "avg"'

run "$data/close-base.json" "$tmp/missing.json"
check "a missing file is refused with status 2" refused "cannot read"
run "$data/close-base.json"
check "one file only is a usage error" refused "two results files"
run "$data/close-base.json" "$data/close-base.json" "$data/close-base.json"
check "three files is a usage error" refused "too many files"
run --threshold fast "$data/close-base.json" "$data/close-base.json"
check "a threshold that is not a number is refused" refused "needs a percentage"
run "$data/close-base.json" "$data/close-base.json" --threshold
check "--threshold without a value is refused" refused "needs a percentage"
run --frobnicate "$data/close-base.json" "$data/close-base.json"
check "an unknown option is refused" refused "unknown option"

# End to end, with the example host (built by make test) and a copy of it built with a
# slowdown made on purpose: close does 500 dependent multiply-adds more (a few hundred ns on
# a layer of about 25 ns, so the change is tenfold or more, not a matter of noise). Runs use
# --perf-detail, so the comparer reads p50, which a preempted call cannot move. Two runs of
# one build on a busy shared machine can still differ by a quarter (a whole run can land on
# a contended core), so the comparisons of real runs use --threshold 100: far above that
# noise, far below the slowdown. The same-build comparison is retried at most twice. Only
# the syscall path is timed (--perf-only): lind_boot's counters run once per run, and a
# single cold call can read three times another.
host=$OUT/lind-boot-perf
slow_host=$tmp/lind-boot-perf-slow
real_run() {
    "$1" --perf --perf-detail --perf-json="$2" --perf-only='lind_common::*' --perf-only='threei::*' \
        --perf-only='rawposix::*' --perf-only='fdtables::*' close --iterations 10000 \
        >/dev/null 2>>"$tmp/host.err"
}
both_written() { [ -s "$tmp/real.json" ] && [ -s "$tmp/again.json" ]; }
same_build_passes() {
    for attempt in 1 2 3; do
        real_run "$host" "$tmp/real.json" && real_run "$host" "$tmp/again.json" || return 1
        run "$tmp/real.json" "$tmp/again.json" --threshold 100
        [ "$status" -eq 0 ] && return 0
    done
    cat "$tmp/out"
    return 1
}
if [ -x "$host" ]; then
    check "two real runs of the same build pass at --threshold 100" same_build_passes
    check "the example host writes a results file per run" both_written || sed "s/^/#   /" "$tmp/host.err"
    check "two real runs of the same build reach the same counters" sh -c '! grep -q "^added\|^removed" "$1"' - "$tmp/out"
    run "$tmp/real.json" "$tmp/real.json"
    check "a real run compared with itself passes at the default threshold" [ "$status" -eq 0 ]

    $CC -O2 -DLIND_PERF -DLIND_BOOT_SLOW_CLOSE=500 -Iinclude -o "$slow_host" \
        examples/lind-boot/*.c -lpthread 2>"$tmp/build.err"
    check "the example host builds with a slowdown in rawposix's close" [ -x "$slow_host" ] ||
        sed "s/^/#   /" "$tmp/build.err"
    real_run "$slow_host" "$tmp/slow.json"
    run "$tmp/real.json" "$tmp/slow.json" --threshold 100
    check "the build with the slowdown fails the comparison (status 1)" [ "$status" -eq 1 ]
    check "rawposix::close_syscall is marked slower" row_has rawposix::close_syscall "! slower"
    check "fdtables::close_virtualfd, below the slowdown, is not marked" \
        sh -c '! grep "^fdtables::close_virtualfd " "$1" | grep -q "slower"' - "$tmp/out"
else
    echo "# skipped the end-to-end checks: $host is not built (make lind-boot-perf)"
fi

finish
