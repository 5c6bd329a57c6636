#!/bin/sh
# Runs cmocka programs and shell tests, then prints one closing line that sums them up:
#   tests: N passed, N failed
# cmocka programs are counted by test case, shell tests by their "ok -" / "not ok -" lines.
# A program that crashes or exits nonzero without reporting a failure counts as one failure.
# With LINDPERF_TALLY set to a file, the two counts are also appended to it, for the grand
# total that make test prints last; the tests themselves run without it.

passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

tally=$LINDPERF_TALLY
unset LINDPERF_TALLY

total() { awk '{ s += $1 } END { print s + 0 }'; }

for t in "$@"; do
    echo "== $t"
    case "$t" in
        *.sh) sh "$t" >"$log" 2>&1 ;;
        *)    "$t" >"$log" 2>&1 ;;
    esac
    status=$?
    cat "$log"
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p; s/^ok - .*/1/p' "$log" | total)
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p; s/^not ok - .*/1/p' "$log" | total)
    if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "lindperf: $t exited with status $status without naming a failed test"
        f=1
    fi
    passed=$((passed + p))
    failed=$((failed + f))
done

echo "tests: $passed passed, $failed failed"
[ -n "$tally" ] && echo "$passed $failed" >>"$tally"
[ "$failed" -eq 0 ]
