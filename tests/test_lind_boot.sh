#!/bin/sh
# End-to-end checks of the example host: the report of every program (sections, exact call
# counts, 97-column lines, avg x calls = total, layer ordering), the summary line without a
# perf flag, and the exit-2 cases. Uses $OUT/lind-boot and $OUT/lind-boot-perf.
#
# Nothing here asserts a speed. The one check that compares timings, that an outer layer's
# avg is not below the avg of the layer it wraps, holds because the outer scope contains the
# inner one's work; see layers_ordered for how it stays robust against noise.

. "$(dirname "$0")/lib.sh"
LC_ALL=C
export LC_ALL
PERF=$OUT/lind-boot-perf
PLAIN=$OUT/lind-boot
WIDTH=97

# rows REPORT: one line per table row, "SECTION NAME CALLS TOTAL AVG TOTAL_TOL AVG_TOL", with
# times in ns (or cycles) and each tolerance half a unit of the printed figure's last digit.
rows() {
    awk '
    function scale(v,   u) {
        u = v; sub(/^[0-9.]+/, "", u)
        if (u == "ns" || u == "cyc") return 1
        if (u == "\302\265s" || u == "us" || u == "Kcyc") return 1e3
        if (u == "ms" || u == "Mcyc") return 1e6
        if (u == "s" || u == "Gcyc") return 1e9
        return -1
    }
    function base(v) { return (v + 0) * scale(v) }
    function tol(v,   d) { d = v; sub(/^[0-9]*\.?/, "", d); sub(/[^0-9].*$/, "", d)
                           return 0.5 * scale(v) / (10 ^ length(d)) }
    /^-+[A-Z][A-Z-]*-+$/ { section = $0; gsub(/^-+|-+$/, "", section); in_table = 1; next }
    in_table && /^$/     { in_table = 0; next }
    in_table && (/^name / || /^-+$/) { next }
    in_table && NF >= 4  { printf "%s %s %s %.6f %.6f %.6f %.6f\n", section, $(NF-3), $(NF-2),
                                  base($(NF-1)), base($NF), tol($(NF-1)), tol($NF) }
    ' "$1"
}

sections() { awk '/^-+[A-Z][A-Z-]*-+$/ { s = $0; gsub(/^-+|-+$/, "", s); printf "%s ", s }' "$1"; }

calls_of() { awk -v n="$2" '$2 == n { print $3 }' "$1.rows"; }
avg_of()   { awk -v n="$2" '$2 == n { print $5 }' "$1.rows"; }

# Every line from a section header to the blank line after its rows is a table line. The
# two bytes of "µ" make one column.
MICRO=$(printf '\302\265')
table_lines_are_97_columns() {
    sed "s/$MICRO/u/g" "$1" | awk -v w="$WIDTH" '
        /^-+[A-Z][A-Z-]*-+$/ { t = 1 }
        t && /^$/ { t = 0 }
        t { n++; if (length($0) != w) bad++ }
        END { exit !(n > 0 && bad == 0) }'
}

avg_times_calls_is_total() {
    awk '{ if ($6 < 0 || $7 < 0) bad++   # an unknown unit
           diff = $5 * $3 - $4; if (diff < 0) diff = -diff
           if (diff > $6 + $3 * $7 + 1e-6) bad++ }
         END { exit !(NR > 0 && bad == 0) }' "$1.rows"
}

# expect_calls REPORT "name=calls name=calls ..."
expect_calls() {
    for pair in $2; do
        got=$(calls_of "$1" "${pair%=*}")
        [ "$got" = "${pair#*=}" ] && continue
        echo "# $1: ${pair%=*} has '$got' calls, not ${pair#*=}"
        return 1
    done
}

# report NAME ARGS...: runs lind-boot-perf, keeps stdout in $tmp/NAME, stderr in NAME.err
report() {
    name=$1; shift
    "$PERF" "$@" >"$tmp/$name" 2>"$tmp/$name.err"
    status=$?
    rows "$tmp/$name" >"$tmp/$name.rows"
    return $status
}

# --- close, the reference's FDTABLE Test ---
SYSCALL_PATH="lind_common::add_to_linker::make-syscall threei::make_syscall"
SYSCALL_PATH="$SYSCALL_PATH rawposix::close_syscall fdtables::close_virtualfd"
CLOSE_CALLS="lind_common::add_to_linker::make-syscall=1000 threei::make_syscall=1000"
CLOSE_CALLS="$CLOSE_CALLS rawposix::close_syscall=1000 fdtables::close_virtualfd=1000"
check "close --perf --iterations 1000 exits 0" report close --perf close --iterations 1000
check "close: the sections are LIND-BOOT, LIND-COMMON, THREEI, RAWPOSIX, FDTABLES in order" \
    test "$(sections "$tmp/close")" = "LIND-BOOT LIND-COMMON THREEI RAWPOSIX FDTABLES "
check "close: every syscall-path counter has 1000 calls" expect_calls "$tmp/close" "$CLOSE_CALLS"
check "close: lind_boot's counters have one call each" expect_calls "$tmp/close" \
    "lind_boot::load_main_module=1 lind_boot::invoke_func=1"
check "close: every table line is $WIDTH columns" table_lines_are_97_columns "$tmp/close"
check "close: avg x calls equals total within rounding" avg_times_calls_is_total "$tmp/close"
check "close: the title and the dots go to stderr, stdout holds the report alone" \
    sh -c "grep -q '^FDTABLE Test    \.\.*' '$tmp/close.err' &&
           ! grep -q 'FDTABLE Test' '$tmp/close'"

# The layers differ by a few cycles per call, and a whole run can land on a contended core
# and read a quarter more, so one run's avg cannot order them. Each attempt makes three
# runs with --perftsc --perf-detail and takes, per counter, the smallest of its three
# medians (p50): the median ignores the calls a preemption hit, the smallest ignores the
# run a busy neighbour slowed. A failed attempt is retried at most twice. Misplaced
# instrumentation, such as an outer scope that ends before it calls the inner layer, still
# fails every attempt: nothing lifts its medians.
outer_median_not_below_inner() {
    for run in 1 2 3; do
        "$PERF" --perftsc --perf-detail close --iterations 20000 2>/dev/null || return 1
    done | awk -v chain="$SYSCALL_PATH" '
        /::/ && NF >= 8 { p50 = $6; sub(/cyc$/, "", p50)
                          if (!($1 in best) || p50 + 0 < best[$1]) best[$1] = p50 + 0 }
        END { n = split(chain, c, " ")
              for (i = 1; i <= n; i++) if (!(c[i] in best)) { print "# no p50 for " c[i]; exit 1 }
              for (i = 2; i <= n; i++) if (best[c[i-1]] < best[c[i]]) {
                  printf "# %s p50 %s cycles is below %s p50 %s\n",
                         c[i-1], best[c[i-1]], c[i], best[c[i]]
                  exit 1 } }'
}
layers_ordered() {
    outer_median_not_below_inner || outer_median_not_below_inner || outer_median_not_below_inner
}
check "close: each layer's median is not below the median of the layer it wraps" layers_ordered

check "close --perftsc exits 0" report tsc --perftsc close --iterations 1000
check "close --perftsc: every syscall-path counter has 1000 calls" expect_calls "$tmp/tsc" \
    "$CLOSE_CALLS"
check "close --perftsc: figures are in cycles" \
    sh -c "grep -q '^fdtables::close_virtualfd .*[0-9]cyc\$' '$tmp/tsc'"
check "close --perftsc: every table line is $WIDTH columns" table_lines_are_97_columns "$tmp/tsc"
check "close --perftsc: avg x calls equals total within rounding" avg_times_calls_is_total \
    "$tmp/tsc"

# --- the other programs ---
check "geteuid --perf exits 0" report geteuid --perf geteuid --iterations 1000
check "geteuid: the sections are LIND-BOOT, LIND-COMMON, THREEI, RAWPOSIX in order" \
    test "$(sections "$tmp/geteuid")" = "LIND-BOOT LIND-COMMON THREEI RAWPOSIX "
check "geteuid: every syscall-path counter has 1000 calls" expect_calls "$tmp/geteuid" \
    "lind_common::add_to_linker::make-syscall=1000 threei::make_syscall=1000
     rawposix::geteuid_syscall=1000"

check "grate --perf exits 0" report grate --perf grate --iterations 1000
check "grate: the grate answers, so the report stops at THREEI" \
    test "$(sections "$tmp/grate")" = "LIND-BOOT LIND-COMMON THREEI "
check "grate: the trampoline and the dispatcher have 1000 calls" expect_calls "$tmp/grate" \
    "lind_common::add_to_linker::make-syscall=1000 threei::make_syscall=1000"
check "grate: rawposix::geteuid_syscall is listed as never reached" \
    grep -q "never reached:.*rawposix::geteuid_syscall" "$tmp/grate"

check "pipe --perf exits 0" report pipe --perf pipe --iterations 1000
check "pipe: the sections are LIND-BOOT, LIND-COMMON, THREEI, RAWPOSIX, FDTABLES in order" \
    test "$(sections "$tmp/pipe")" = "LIND-BOOT LIND-COMMON THREEI RAWPOSIX FDTABLES "
check "pipe: a write and a read per call, one copy between cages, setup counted once" \
    expect_calls "$tmp/pipe" "lind_common::add_to_linker::make-syscall=2000
        threei::make_syscall=2000 threei::copy_data_between_cages=1000
        rawposix::write_syscall=1000 rawposix::read_syscall=1000
        fdtables::translate_virtualfd=2000 rawposix::pipe_syscall=1
        fdtables::get_unused_virtualfd=2 rawposix::close_syscall=2 fdtables::close_virtualfd=2"

# context PATH_CSV CALLER NAME: the calls of NAME's context right under CALLER, from the
# call path's CSV (id,parent,depth,module,name,calls,total,self,time).
context_calls() {
    awk -F, -v caller="$2" -v name="$3" 'NR > 1 { name_of[$1] = $5 }
        NR > 1 && $5 == name && name_of[$2] == caller { print $6 }' "$1"
}

check "pipe --perf-tree-csv: the call path's CSV is written" \
    quiet "$PERF" --perf --perf-net --perf-tree-csv="$tmp/pipe-tree.csv" pipe --iterations 20000
grep '^lindperf:' "$tmp/quiet.log" | sed 's/^/#   /'   # a warning, such as a batch found nested
check "pipe: translate_virtualfd sits under read_syscall with 20,000 calls" \
    test "$(context_calls "$tmp/pipe-tree.csv" rawposix::read_syscall \
        fdtables::translate_virtualfd)" = 20000
check "pipe: and under write_syscall with 20,000 calls" \
    test "$(context_calls "$tmp/pipe-tree.csv" rawposix::write_syscall \
        fdtables::translate_virtualfd)" = 20000
check "pipe: every context of the call path is timed exactly" \
    test "$(awk -F, 'NR > 1 && $9 != "exact"' "$tmp/pipe-tree.csv" | wc -l)" -eq 0 ||
    sed 's/^/#   /' "$tmp/pipe-tree.csv"

for program in geteuid grate pipe; do
    check "$program: every table line is $WIDTH columns" table_lines_are_97_columns "$tmp/$program"
    check "$program: avg x calls equals total within rounding" avg_times_calls_is_total \
        "$tmp/$program"
done

check "--perf-json writes the results next to the report" \
    sh -c "'$PERF' --perf '--perf-json=$tmp/close.json' close --iterations 100 >/dev/null 2>&1 &&
           grep -q '\"threei::make_syscall\"' '$tmp/close.json'"

# An output path that cannot be written stops the host before any run: status 2, one
# lindperf: line, no title or dots, no report; an existing file there is left as it was.
bad_path_stops_before_any_work() {
    "$PERF" --perf "$1" close --iterations 100 >"$tmp/bad.out" 2>"$tmp/bad.err"
    [ $? -eq 2 ] || return 1
    [ "$(wc -l <"$tmp/bad.err")" -eq 1 ] && grep -q "^lindperf: $1: " "$tmp/bad.err" &&
        [ ! -s "$tmp/bad.out" ]
}
for flag in --perf-json --perf-csv --perf-gbench --perf-tree-csv; do
    check "$flag to a missing folder: status 2 and one lindperf: line before any run" \
        bad_path_stops_before_any_work "$flag=/nonexistent/dir/x"
done
kept_when_refused() {
    printf 'old results\n' >"$tmp/kept.json"
    "$PERF" --perf "--perf-json=$tmp/kept.json" --perf-csv=/nonexistent/x.csv close \
        --iterations 100 >/dev/null 2>&1
    [ $? -eq 2 ] && [ "$(cat "$tmp/kept.json")" = "old results" ]
}
check "a refused command leaves an existing --perf-json file as it was" kept_when_refused

# Every line on stderr is a lindperf: line or the title with its dots, never the two glued.
lines_apart() {
    grep -v '^lindperf: ' "$1" | grep -qv '^[A-Z]* Test  *\.*$' && return 1
    grep -q '\.lindperf: ' "$1" && return 1
    return 0
}
unreached_only() {
    "$PERF" --perf --perf-only='fdtables::*' grate --iterations 10 >"$tmp/only.out" \
        2>"$tmp/only.err"
    [ $? -eq 1 ] || return 1
    grep -q "^lindperf: --perf-only=fdtables::\* matches only counters that the workload" \
        "$tmp/only.err" && lines_apart "$tmp/only.err" &&
        grep -q '^GRATE Test  *\.$' "$tmp/only.err"
}
check "--perf-only matching only unreached counters: a lindperf: line of its own, status 1" \
    unreached_only

check "-- between the perf flags and the program is accepted" \
    sh -c "'$PERF' --perf -- close --iterations 100 >'$tmp/dashes.out' 2>/dev/null &&
           grep -q '^fdtables::close_virtualfd ' '$tmp/dashes.out'"

if [ -w /dev/full ]; then
    check "a report that cannot be written gives a nonzero status" \
        sh -c "! '$PERF' --perf close --iterations 10 >/dev/full 2>/dev/null"
fi

# --- the main job, at a small count ---
microbench_ok() {
    OUT="$OUT" RESULTS="$tmp/results" ITERATIONS=1000 sh \
        "$(dirname "$0")/../scripts/run_microbench.sh" \
        >"$tmp/bench" 2>"$tmp/bench.err" || return 1
    [ "$(grep -c '^=== .* ===$' "$tmp/bench")" -eq 8 ] || return 1
    [ "$(grep -c '^-*FDTABLES-*$' "$tmp/bench")" -eq 4 ] || return 1   # close and pipe, twice
    for program in close geteuid grate pipe; do
        for timer in clock tsc; do
            grep -q '"threei::make_syscall"' "$tmp/results/$program-$timer.json" || return 1
        done
    done
}
check "run_microbench.sh runs the four programs under both timers and writes their JSON" \
    microbench_ok

# --- without a perf flag: one run and a one-line summary ---
summary_ok() {
    out=$("$@" 2>/dev/null) || return 1
    [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] || return 1
    printf '%s\n' "$out" | grep -q '^pipe: 100 iterations, 200 syscalls in [0-9.]* ms wall'
}
check "lind-boot runs a program and prints a one-line summary" summary_ok "$PLAIN" pipe \
    --iterations 100
check "lind-boot-perf without a perf flag does the same" summary_ok "$PERF" pipe --iterations 100
check "-- before the program is accepted without a perf flag too" \
    summary_ok "$PLAIN" -- pipe --iterations 100
for program in close geteuid grate; do
    check "lind-boot $program --iterations 100 exits 0" \
        sh -c "'$PLAIN' $program --iterations 100 >/dev/null 2>&1"
done

# --- the exit-2 cases ---
exits_2() {
    "$@" >"$tmp/usage.out" 2>"$tmp/usage.err"
    [ $? -eq 2 ] && grep -q '^lindperf: ' "$tmp/usage.err"
}
exits_2_with_usage() { exits_2 "$@" && grep -q '^usage: ' "$tmp/usage.err"; }

check "lind-boot --perf close: status 2 and a message, a build without LIND_PERF" \
    exits_2 "$PLAIN" --perf close
check "no program: usage and status 2" exits_2_with_usage "$PERF"
check "no program after a perf flag: usage and status 2" exits_2_with_usage "$PERF" --perf
check "unknown program: usage and status 2" exits_2_with_usage "$PERF" --perf nosuch
check "two programs: usage and status 2" exits_2_with_usage "$PERF" close pipe
check "unknown option: usage and status 2" exits_2_with_usage "$PERF" close --fast
check "a perf flag after the program: usage and status 2" exits_2_with_usage "$PERF" close --perf
check "--iterations without a value: usage and status 2" exits_2_with_usage "$PERF" close \
    --iterations
check "--iterations given twice: usage and status 2" \
    exits_2_with_usage "$PERF" close --iterations 5 --iterations 5
for bad in 0 -5 abc 12x "" " 7" 1e6 +3 1000000001 99999999999999999999999; do
    check "--iterations '$bad': usage and status 2" exits_2_with_usage "$PERF" close --iterations \
        "$bad"
done

finish
