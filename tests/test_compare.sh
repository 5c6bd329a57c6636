#!/bin/sh
# lindperf-compare: passes identical runs, flags a slowdown made on purpose, honours
# --threshold and --min-ns, lists added and removed counters, prefers net and then p50,
# compares the calling contexts of two runs with a tree without letting them decide,
# decides on the samples of schema-2 files with the exact p-values and Holm's ordering
# derived by hand below, warns when the runs differ, runs --ab with real hosts, and
# refuses what it cannot compare with status 2 and a "lindperf:" message. Nothing here is
# timed: the slowdowns are written into the fixtures (tests/data/close-*.json and
# tree-*.json), not measured, and the real runs check plumbing only.

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
warns() { grep -q "^lindperf: warning: .*$1" "$tmp/err"; }

if [ ! -x "$compare" ]; then
    echo "not ok - $compare is built (make tools OUT=$OUT)"
    exit 1
fi

run "$data/close-base.json" "$data/close-base.json"
check "the same run twice passes with status 0" [ "$status" -eq 0 ]
check "the same run twice flags nothing" flagged 0

run "$data/close-base.json" "$data/close-slow.json"
check "a layer 20% slower fails with status 1" [ "$status" -eq 1 ]
check "the slower layer's row is marked" row_has rawposix::close_syscall "+20.0%.*! slower"
check "only the layer beyond the default 5% is marked" flagged 1
check "the failure is explained on stderr" complains "slower by more than 5%"

check "a comparison without samples says it has no noise estimate" \
    says "^no noise estimate for 6 counters: decided on the threshold and floor alone$"
check "... because the runs have no samples, and it says how to get them" \
    says "^  the runs have no per-repetition samples: record with --perf-repeat=6 or"
check "a row without samples prints no p-value" \
    row_has rawposix::close_syscall "+20.0%  *-  *-  ! slower"
run "$data/close-base.json" "$data/close-slow.json" --min-ns 5
check "--min-ns 5 lets the 4.25 ns slowdown of a 21 ns layer pass" [ "$status" -eq 0 ]
check "a change beyond the threshold but not beyond --min-ns is marked as such" \
    row_has rawposix::close_syscall "~ under --min-ns"

# Schema 2: six repetitions a side, net figures, four counters (tests/data/close-v2-*.json).
# The p-values are the share of the C(12, 6) = 924 ways to pick six of the twelve samples
# whose rank sum reaches the new one's:
#   rawposix::close_syscall    all six new above all six old: 1/924 = 0.00108
#   threei::make_syscall       new ranks {5,8,9,10,11,12}, two below the top: picks
#                              with a deficit of 0, 1, 2 (as 2 or 1+1): 4/924 = 0.00433
#   fdtables::close_virtualfd  old {0,0,0,0,0,1}, new six 1s: all-ones picks, C(7,6) = 7/924
#                              = 0.00758; 0 ns to 1 ns is no percentage and not beyond 1 ns
# Holm over the four: close 4 x 1/924 = 0.00433 passes 0.01; threei 3 x 4/924 = 0.013 fails,
# although its own p is below 0.01, and the step-down stops there: fdtables gets
# max(0.013, 2 x 7/924) = 0.0152.
v2old=$data/close-v2-old.json
v2new=$data/close-v2-new.json
run "$v2old" "$v2new"
check "schema 2: a slowdown beyond noise fails with status 1" [ "$status" -eq 1 ]
check "schema 2: exactly one counter is flagged" flagged 1
check "schema 2: net figures are compared when both runs have them" \
    row_has rawposix::close_syscall " net "
check "schema 2: the flagged row prints p = 1/924 and Holm's 4/924" \
    row_has rawposix::close_syscall "+23.8%  *0.00108  *0.00433  ! slower"
check "schema 2: Holm's second step (3 x 4/924) keeps a raw p of 0.00433 from flagging" \
    row_has threei::make_syscall "+18.5%  *0.00433  *0.013  ~ within noise"
check "schema 2: zeros and ties: 7/924, Holm-adjusted to 0.0152" \
    row_has fdtables::close_virtualfd "n/a  *0.00758  *0.0152  ~ under --min-ns"
check "schema 2: the footer names the test, the samples and Holm's family" \
    says "^test: one-sided exact Mann-Whitney U on 6 old against 6 new samples, Holm over 4 co"
check "schema 2: the old run's mode and repetitions are shown" \
    says "^old: .*close-v2-old.json (clock, ns, net, batched, 6 repetitions;"
check "schema 2: two runs of one program and machine raise no warning" \
    sh -c '! grep -q warning "$1"' - "$tmp/err"
run "$v2old" "$v2new" --min-ns 0
check "--min-ns 0: the move of a zero net figure is judged by the test alone (within noise)" \
    row_has fdtables::close_virtualfd "0.0152  ~ within noise"
run "$v2old" "$v2new" --min-ns 5
check "--min-ns 5: close's 4.8 ns passes" [ "$status" -eq 0 ]
run "$v2old" "$v2old"
check "schema 2: the same run twice passes and flags nothing" \
    sh -c '[ "$1" -eq 0 ] && ! grep -q "! slower" "$2"' - "$status" "$tmp/out"

# Net figures missing on one side: p50 is compared (close's p50 is 20 ns in every old
# sample and 30 ns in every new one: 1/924 again); without p50 too, gross, in which close
# did not move.
sed 's/"net": [0-9][0-9.]*/"net": null/g' "$v2new" >"$tmp/v2-nonet.json"
run "$v2old" "$tmp/v2-nonet.json"
check "without net samples on one side, p50 is compared" \
    row_has rawposix::close_syscall " p50 .*+50.0%  *0.00108  *0.00433  ! slower"
sed 's/"p50": [0-9][0-9.]*/"p50": null/g' "$tmp/v2-nonet.json" >"$tmp/v2-gross.json"
run "$v2old" "$tmp/v2-gross.json"
check "without net and p50, gross is compared" row_has rawposix::close_syscall " gross "
check "close's gross figure did not move, so nothing is flagged" [ "$status" -eq 0 ]

# One counter, written here: five against five fully apart is 1/252 = 0.00397, enough for
# one counter; four against four is at best 1/70 = 0.0143, so it decides on the threshold.
one_counter() {    # FILE NET_SAMPLES...
    file=$1; shift
    samples=""
    for v in "$@"; do
        samples="$samples${samples:+, }{\"gross\": $v, \"net\": $v, \"p50\": null}"
    done
    printf '{"schema": 2, "timer": "clock", "unit": "ns", "net": true, "mode": "batched",\n'
    printf ' "repetitions": %d,\n' $#
    printf ' "counters": [{"module": "m", "name": "m::f", "calls": 100, "total": 2000, "avg": 20,\n'
    printf '   "samples": [%s]}]}\n' "$samples"
} 
one_counter x 20.1 20.4 19.8 20.0 20.2 >"$tmp/five-old.json"
one_counter x 25.0 24.1 26.3 24.8 25.5 >"$tmp/five-new.json"
run "$tmp/five-old.json" "$tmp/five-new.json"
check "five against five fully apart: p = 1/252 = 0.00397, flagged" \
    row_has m::f "0.00397  *0.00397  ! slower"
one_counter x 20.1 20.4 19.8 20.0 >"$tmp/four-old.json"
one_counter x 25.0 24.1 26.3 24.8 >"$tmp/four-new.json"
run "$tmp/four-old.json" "$tmp/four-new.json"
check "four against four cannot reach 0.01: no p-value" row_has m::f "+2[0-9.]*%  *-  *-  ! slower"
check "... and the output says the decision has no noise estimate, and how many are needed" \
    sh -c 'grep -q "^no noise estimate for 1 counter: " "$1" &&
           grep -q "^  too few samples .* record 5 or more repetitions" "$1"' - "$tmp/out"
one_counter x 0 0 0 0 0 0 >"$tmp/zeros.json"
run "$tmp/zeros.json" "$tmp/zeros.json"
check "all-zero samples on both sides: p = 1, nothing flagged" row_has m::f "n/a  *1  *1$"
# Five a side for four counters: 4/252 > 0.01, so Holm could never flag; six are needed.
sed 's/, {[^}]*}]}/]}/' "$v2old" >"$tmp/v2-five-old.json"
sed 's/, {[^}]*}]}/]}/' "$v2new" >"$tmp/v2-five-new.json"
run "$tmp/v2-five-old.json" "$tmp/v2-five-new.json"
check "five a side for four counters falls back to the threshold and says six are needed" \
    says "^  too few samples for p <= 0.01 over 4 counters: record 6 or more repetitions"

# What differs between the two runs is said, not refused.
run "$data/close-base.json" "$v2new"
check "a schema-1 run is compared with a schema-2 run" [ "$status" -eq 1 ]
check "different run modes are warned about" warns "differ in run mode ('solo' against 'batched')"
check "different repetitions are warned about" warns "differ in repetitions ('1' against '6')"
check "gross against net is warned about" warns "differ in figures ('gross' against 'net')"
check "different perf flags are warned about" \
    warns "differ in perf flags ('--perf' against '--perf --perf-net --perf-detail --perf-repeat=6"
sed 's/json close"/json grate"/' "$data/close-base.json" >"$tmp/grate.json"
run "$data/close-base.json" "$tmp/grate.json"
check "different programs are warned about (close against grate)" \
    warns "differ in program ('close' against 'grate')"
sed 's/"program": "close"/"program": "pipe --iterations 100000"/' "$v2new" >"$tmp/v2-pipe.json"
run "$v2old" "$tmp/v2-pipe.json"
check "schema 2's program field is compared" \
    warns "differ in program ('close' against 'pipe --iterations 100000')"
sed 's/"cpu": "[^"]*"/"cpu": "Other CPU"/; s/"host": "[^"]*"/"host": "other-host"/' "$v2new" \
    >"$tmp/v2-other.json"
run "$v2old" "$tmp/v2-other.json"
check "another CPU is warned about" \
    warns "differ in cpu (.Fixture CPU @ 2.30GHz. against .Other CPU.)"
check "another host is warned about" warns "differ in host (.fixture-host. against .other-host.)"
sed 's/"detail": true/"detail": false/' "$v2new" >"$tmp/v2-nodetail.json"
run "$v2old" "$tmp/v2-nodetail.json"
check "detail on one side only is warned about" warns "differ in detail ('on' against 'off')"

# aarch64's generic timer: ticks compare with ticks (--min-ns converted with tsc_hz), never
# with cycles or ns.
as_ticks() {    # FILE TSC_HZ
    sed 's/"timer": "clock"/"timer": "cntvct"/; s/"unit": "ns"/"unit": "ticks"/' "$1" |
        sed 's/"tsc_hz": null/"tsc_hz": '"$2"'/'
}
as_ticks "$v2old" 1e9 >"$tmp/ticks-old.json"
as_ticks "$v2new" 1e9 >"$tmp/ticks-new.json"
run "$tmp/ticks-old.json" "$tmp/ticks-new.json" --min-ns 5
check "ticks compare with ticks; at 1 GHz close's 4.8 ticks are under --min-ns 5" \
    [ "$status" -eq 0 ]
check "tick figures are printed in ticks" row_has rawposix::close_syscall "20.150tick"
as_ticks "$v2old" 1e8 >"$tmp/ticks-old.json"
as_ticks "$v2new" 1e8 >"$tmp/ticks-new.json"
run "$tmp/ticks-old.json" "$tmp/ticks-new.json" --min-ns 5
check "at 100 MHz the same 4.8 ticks are 48 ns, beyond --min-ns 5" \
    row_has rawposix::close_syscall "! slower"
sed 's/"unit": "ns"/"unit": "cycles"/; s/"timer": "clock"/"timer": "tsc"/' "$v2new" \
    >"$tmp/cycles-new.json"
run "$tmp/ticks-old.json" "$tmp/cycles-new.json"
check "ticks against cycles are refused with status 2" refused "is in ticks .* but .* is in cycles"
check "... saying that they count different clocks" complains "cannot be compared"
run "$tmp/ticks-old.json" "$v2new"
check "ticks against ns are refused with status 2" refused "is in ticks .* but .* is in ns"
run "$data/close-cycles.json" "$data/close-cycles.json" --min-ns 2
check "--min-ns without a tsc_hz to convert it is said, not guessed" \
    warns "cannot be converted to cycles"

# Schema 2's samples are checked like the rest.
sed '0,/"samples": \[[^]]*\]/s//"samples": 5/' "$v2new" >"$tmp/bad-samples.json"
run "$v2old" "$tmp/bad-samples.json"
check "samples that are not an array are refused" \
    refused '"samples" of .* is a number, not an array'
sed '0,/"gross": 40.5, /s///' "$v2new" >"$tmp/no-gross.json"
run "$v2old" "$tmp/no-gross.json"
check "a sample without gross is refused" refused 'sample 1 of .* has no number "gross"'
sed '0,/"net": 10.5/s//"net": "fast"/' "$v2new" >"$tmp/string-net.json"
run "$v2old" "$tmp/string-net.json"
check "a sample whose net is a string is refused" refused 'has "net" a string, not a number or null'

run "$data/close-base.json" "$data/close-slow.json" --threshold 25
check "--threshold 25 lets a 20% slowdown pass" [ "$status" -eq 0 ]
run --threshold=4 "$data/close-base.json" "$data/close-slow.json"
check "--threshold=4 fails the same slowdown" [ "$status" -eq 1 ]
check "--threshold=4 also marks the enclosing layers (+4.5%, +4.7%)" flagged 3

run "$data/close-slow.json" "$data/close-base.json"
check "a speedup passes" [ "$status" -eq 0 ]
check "a speedup is marked faster" row_has rawposix::close_syscall "-16.7%.*  faster"

run "$data/close-base.json" "$data/close-added.json"
check "added and removed counters are not errors" [ "$status" -eq 0 ]
check "an added counter is listed" says "^added (only in new): rawposix::open_syscall$"
check "a removed counter is listed" says "^removed (only in old): fdtables::close_virtualfd$"

# The call path (tests/data/tree-*.json): lib::shared is called under app::parse and under
# app::emit; only under emit did it get slower (100 ns to 150 ns a call). lib::gone (old)
# became lib::fresh (new), app::log has no time in the new run, and the new file numbers
# and orders its nodes differently, so contexts must be matched by path. The counters are
# the same in both but for app::main (+3%), so they alone decide the exit status.
# The section's rows as "a > b > c | row", each keyed by its path of names from the root.
context_rows() {
    awk '/^call path: time per call/ { on = 1; next }
         on && /^$/ { exit }
         on && /^  / { match($0, /^ */); d = RLENGTH / 2 - 1; stack[d] = $1; path = stack[0]
                       for (i = 1; i <= d; i++) path = path " > " stack[i]
                       print path " | " $0 }' "$tmp/out"
}
context_has() { context_rows | grep "^$1 | " | grep -q -- "$2"; }    # PATH PATTERN
has_no_path_section() { ! grep -q "^call path" "$tmp/out"; }
without_tree() { sed '/^  "tree": \[/,/^  \],$/d' "$1"; }
without_tree "$data/tree-old.json" >"$tmp/notree-old.json"
without_tree "$data/tree-new.json" >"$tmp/notree-new.json"

run "$data/tree-old.json" "$data/tree-new.json"
check "call path: two runs with a tree print the call-path section" \
    says "^call path: time per call (total / calls) per calling context, keyed by its path"
check "call path: the context that got slower is marked (lib::shared under app::emit)" \
    context_has "app::main > app::emit > lib::shared" "100.000ns  *150.000ns  *+50.0%  slower$"
check "call path: the same counter under its other parent is a row of its own, not marked" \
    context_has "app::main > app::parse > lib::shared" "100.000ns  *100.000ns  *+0.0%$"
check "call path: the shared counter has exactly one row per calling context" \
    [ "$(context_rows | grep -c "> lib::shared | ")" -eq 2 ]
check "call path: a context only in the new run is listed as added" \
    context_has "app::main > app::emit > lib::shared > lib::fresh" " -  *10.000ns  *added$"
check "call path: a context only in the old run is listed as removed" \
    context_has "app::main > app::emit > lib::shared > lib::gone" "10.000ns  *-  *removed$"
check "call path: a context whose time is null shows -" \
    context_has "app::main > app::log" "50.000ns  *-  *-$"
check "call path: the summary counts the contexts" \
    says "^call path: 1 of 6 contexts slower, 0 faster; 1 added, 1 removed$"
check "call path: the section says its rows have no noise estimate" \
    says "^  no noise estimate: tree nodes carry no per-repetition samples, so a context is$"
check "call path: ... and that they never change the exit status" \
    says "judged on the threshold and floor alone; these rows never change the exit status$"
check "call path: a slower context leaves the exit status at the counters' 0" \
    [ "$status" -eq 0 ]
check "call path: ... and marks no counter '! slower'" flagged 0
run "$tmp/notree-old.json" "$tmp/notree-new.json"
check "call path: the same files without a tree end with the same status, 0" [ "$status" -eq 0 ]
check "call path: files without a tree print no call-path section" has_no_path_section
run "$data/tree-old.json" "$data/tree-new.json" --threshold 2
check "call path: --threshold 2 makes app::main's +3% a slower counter (status 1)" \
    [ "$status" -eq 1 ]
check "call path: ... and its context is marked too" context_has "app::main" "+3.0%  slower$"
run "$tmp/notree-old.json" "$tmp/notree-new.json" --threshold 2
check "call path: ... the same status as without a tree" [ "$status" -eq 1 ]
run "$data/tree-old.json" "$data/tree-new.json" --min-ns 60
check "call path: --min-ns applies to contexts (50 ns is under --min-ns 60)" \
    context_has "app::main > app::emit > lib::shared" "+50.0%  ~ under --min-ns$"
run "$data/tree-new.json" "$data/tree-old.json"
check "call path: the other way round, the context is faster" \
    context_has "app::main > app::emit > lib::shared" "-33.3%  faster$"
run "$data/tree-old.json" "$tmp/notree-new.json"
check "call path: one run without a tree: no call-path section" has_no_path_section
run "$data/close-base.json" "$data/close-base.json"
check "call path: schema-1 files print no call-path section" has_no_path_section
sed '0,/"calls": 100, "total": 40000/s//"calls": "many", "total": 40000/' \
    "$data/tree-new.json" >"$tmp/tree-bad.json"
run "$data/tree-old.json" "$tmp/tree-bad.json"
check "call path: a tree it cannot read is said, and the section left out" \
    sh -c 'grep -q "^lindperf: .*call-path node 2 has no number \"calls\"" "$1" &&
           grep -q "^lindperf: note: the call-path section is left out" "$1"' - "$tmp/err"
check "call path: ... and the counters decide the status as usual (0)" \
    sh -c '[ "$1" -eq 0 ] && ! grep -q "^call path" "$2"' - "$status" "$tmp/out"

# In the p50 pair, threei's avg is 30% up (a few preempted calls) but its p50 is not.
run "$data/close-p50-old.json" "$data/close-p50-new.json"
check "p50 is compared when both runs have it, so an avg dragged up by outliers passes" \
    [ "$status" -eq 0 ]
check "the row says it compared p50" row_has threei::make_syscall " p50 "
check "avg is compared when only one run has p50" row_has rawposix::close_syscall " avg "
run "$data/close-base.json" "$data/close-p50-new.json"
check "avg is compared when the old run has no p50 (the 30% shows)" [ "$status" -eq 1 ]

run "$data/close-base.json" "$data/close-cycles.json"
check "runs in ns and in cycles are refused with status 2" [ "$status" -eq 2 ]
check "the unit mismatch is named" complains "is in ns .*but .* is in cycles"

run "$data/close-base.json" "$data/invalid.json"
check "invalid JSON is refused with status 2" [ "$status" -eq 2 ]
check "invalid JSON is reported with its line and column" \
    complains "invalid.json:[0-9]*:[0-9]*: invalid JSON"

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
run "$data/close-base.json" "$data/close-base.json" --min-ns -1
check "a negative --min-ns is refused" refused "min-ns needs a number of nanoseconds"
run -n 5 "$data/close-base.json" "$data/close-base.json"
check "-n without --ab is refused" refused "-n counts the invocations of --ab"
run --ab ./old-host -- --perf close
check "--ab with one host is refused" refused "needs two hosts"
run --ab ./old-host ./new-host
check "--ab without the host's arguments is refused" refused "needs the host's arguments after --"
run --ab ./old-host ./new-host -n 0 -- --perf close
check "--ab -n 0 is refused" refused "-n needs a count of invocations"

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
    "$1" --perf --perf-detail --perf-json="$2" \
        --perf-only='lind_common::*' --perf-only='threei::*' \
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
    check "the example host writes a results file per run" \
        both_written || sed "s/^/#   /" "$tmp/host.err"
    check "two real runs of the same build reach the same counters" \
        sh -c '! grep -q "^added\|^removed" "$1"' - "$tmp/out"
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

    # The call path of real runs, plumbing only: pipe reaches translate_virtualfd from both
    # read and write, and the section keys the two contexts apart.
    pipe_run() {
        "$host" --perf --perf-net --perf-json="$1" pipe --iterations 2000 >/dev/null \
            2>>"$tmp/host.err"
    }
    pipe_run "$tmp/pipe-old.json" && pipe_run "$tmp/pipe-new.json"
    run "$tmp/pipe-old.json" "$tmp/pipe-new.json"
    check "real runs: the call path lists translate_virtualfd under read_syscall" \
        context_has ".* > rawposix::read_syscall > fdtables::translate_virtualfd" "ns"
    check "real runs: ... and under write_syscall" \
        context_has ".* > rawposix::write_syscall > fdtables::translate_virtualfd" "ns"

    # --ab with real runs, plumbing only: the host against itself may end 0 or 1 (a real
    # difference between invocations is possible); what is checked is the shape.
    mkdir "$tmp/abtmp"
    TMPDIR=$tmp/abtmp "$compare" --ab "$host" "$host" -- \
        --perf --perf-only='rawposix::*' close --iterations 2000 >"$tmp/out" 2>"$tmp/err"
    status=$?
    check "--ab of the host against itself ends with status 0 or 1" \
        [ "$status" -le 1 ] || cat "$tmp/err"
    # The default -n is the fewest at which the test can flag one of the m counters of the
    # first pair: 5 for m <= 2, 6 for m <= 9 (1/C(2n, n) <= 0.01/m).
    chosen='^lindperf: --ab: \([0-9]*\) invocations of each host, .* one of \([0-9]*\) .*'
    n=$(sed -n "s/$chosen/\\1 \\2/p" "$tmp/err")
    default_n_fits() {
        set -- $n
        [ $# -eq 2 ] && case $2 in 1|2) [ "$1" -eq 5 ] ;; [3-9]) [ "$1" -eq 6 ] ;; *) false ;; esac
    }
    check "--ab chose the fewest invocations at which the test can flag ($n)" default_n_fits
    n=${n%% *}
    check "--ab names the hosts and their invocations" says "^old: $host ($n invocations; clock, ns"
    check "--ab's row has a p-value and Holm's" \
        row_has rawposix::close_syscall " avg .*%  *[0-9][0-9.e-]*  *[0-9][0-9.e-]*"
    check "--ab decides on $n against $n samples" \
        says "^test: one-sided exact Mann-Whitney U on $n old against $n new samples, Holm over"
    check "--ab leaves no temporary file behind" [ -z "$(ls -A "$tmp/abtmp")" ]
    run --ab "$host" "$host" -n 2 -- --perf close --iterations 1000
    check "--ab -n 2 warns that the test cannot flag" warns "-n 2 is too few"
    check "--ab -n 2 says the decision has no noise estimate and the -n it needs" \
        sh -c 'grep -q "^no noise estimate for [0-9]* counters*: " "$1" &&
               grep -q "^  too few invocations .*: use -n [56] or more" "$1"' - "$tmp/out"
    TMPDIR=$tmp/no-such-dir "$compare" --ab "$host" "$host" -- --perf close >"$tmp/out" 2>"$tmp/err"
    status=$?
    check "--ab keeps its files under TMPDIR, and says when it cannot" \
        refused "cannot make a folder for the results in $tmp/no-such-dir"
    run --ab "$tmp/no-such-host" "$host" -- --perf close
    check "--ab with a missing host exits 2 with a lindperf: message" \
        refused "cannot run the old host"
    run --ab "$host" "$host" -- close --iterations 1000
    check "--ab with a host that fails exits 2" refused "the old host .* failed (status 2)"
    check "... and shows what the host said (indented)" grep -q "^  lindperf: " "$tmp/err"
else
    echo "# skipped the end-to-end checks: $host is not built (make lind-boot-perf)"
fi

finish
