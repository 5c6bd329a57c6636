#!/bin/sh
# The standard microbenchmarks: every program of the example lind-boot host, first timed
# with --perf (clock, nanoseconds) and then with --perftsc (timestamp counter, cycles),
# each under a title line. Each run also writes results/PROGRAM-TIMER.json, for
# scripts/lindperf-compare. Builds build/lind-boot-perf first when it is missing or stale.
#
#   make bench                                   the same as scripts/run_microbench.sh
#   ITERATIONS=1000000 scripts/run_microbench.sh every program at that many calls
#   OUT=build/other RESULTS=/tmp/r scripts/run_microbench.sh
#   PERF_FLAGS="--perf-net --perf-repeat=5" make bench    extra host flags for every run
#
# PERF_FLAGS are split on spaces and go after the timer flag, before the program: any of
# the host's perf modifiers (--perf-repeat=N, --perf-solo, --perf-net, --perf-detail,
# --perf-only=GLOB, ...). A bad one stops the script before the first run.
#
# Default counts: 1,000,000 calls for close, geteuid and grate, as in the reference.
# pipe's 4 KiB round trip costs a few microseconds, so it makes 100,000: the whole script
# then takes about 7 s on our 2-core VM instead of half a minute.
# Exits nonzero when the build or any run fails; the other runs still happen.

set -u
set -f   # PERF_FLAGS may hold a glob (--perf-only=threei::*), for the host, not the shell
cd "$(dirname "$0")/.." || exit 1
OUT=${OUT:-build}
RESULTS=${RESULTS:-results}
PROGRAMS="close geteuid grate pipe"
PERF_FLAGS=${PERF_FLAGS:-}

if ! make -s "$OUT/lind-boot-perf" OUT="$OUT"; then
    echo "lindperf: could not build $OUT/lind-boot-perf;" \
         "fix the errors above, then run make bench again" >&2
    exit 1
fi
if ! mkdir -p "$RESULTS"; then
    echo "lindperf: cannot create the results folder $RESULTS; set RESULTS to a writable folder" >&2
    exit 1
fi

# shellcheck disable=SC2086  # PERF_FLAGS is a list of flags
if ! "$OUT/lind-boot-perf" --perf $PERF_FLAGS geteuid --iterations 1 \
        >/dev/null 2>"$RESULTS/.flags.err"; then
    sed 's/^/  /' "$RESULTS/.flags.err" >&2
    rm -f "$RESULTS/.flags.err"
    echo "lindperf: PERF_FLAGS='$PERF_FLAGS' is not accepted by $OUT/lind-boot-perf" \
         "(see above); fix or unset PERF_FLAGS" >&2
    exit 1
fi
rm -f "$RESULTS/.flags.err"
[ -n "$PERF_FLAGS" ] && echo "extra host flags: $PERF_FLAGS"

failed=0
for program in $PROGRAMS; do
    case $program in
        pipe) iterations=${ITERATIONS:-100000} ;;
        *)    iterations=${ITERATIONS:-1000000} ;;
    esac
    for timer in clock tsc; do
        case $timer in
            clock) flag=--perf    unit="nanoseconds" ;;
            tsc)   flag=--perftsc unit="cycles" ;;
        esac
        echo
        echo "=== $program: $iterations calls, $flag ($unit) ==="
        # shellcheck disable=SC2086
        if ! "$OUT/lind-boot-perf" "$flag" $PERF_FLAGS "--perf-json=$RESULTS/$program-$timer.json" \
                "$program" --iterations "$iterations"; then
            echo "lindperf: $program under $flag failed; see the message above" >&2
            failed=1
        fi
    done
done

if [ "$failed" -ne 0 ]; then
    echo "lindperf: some microbenchmarks failed" >&2
    exit 1
fi
echo
echo "results: $RESULTS/*.json (compare two runs with scripts/lindperf-compare OLD.json NEW.json)"
