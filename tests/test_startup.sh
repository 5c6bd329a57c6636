#!/bin/sh
# Start-up: the registry's first walk over 2,003 counters in two files. Duplicate display
# names are found by sorting, each pair named once; a failed allocation is reported in a
# lindperf: line, never silent. (Its speed is make bench-scale's: 100,000 counters.)
. "$(dirname "$0")/lib.sh"

dir=$OUT/startup-test
mkdir -p "$dir" || exit 1
awk 'BEGIN { print "#include \"lindperf.h\""
             print "LINDPERF_COUNTER_NAMED(dup, third, \"dup::same\");"
             for (i = 0; i < 2000; i++) printf "LINDPERF_COUNTER(m%d, c%d);\n", i % 10, i }' \
    >"$dir/many.c"
check "startup: the host builds" quiet $CC -O1 -Wall -Wextra -Werror -DLIND_PERF -I"$root/include" \
    -Wl,--wrap=realloc -o "$dir/host" "$root/tests/startup/host.c" "$dir/many.c" -lpthread || finish

"$dir/host" >"$dir/out" 2>"$dir/err"
check "startup: every counter is registered" grep -qx "2003 counters" "$dir/out"
check "startup: three counters of one name are named as two pairs, once each" \
    test "$(grep -c '^lindperf: two counters are named dup::same (' "$dir/err")" = 2
check "startup: nothing else is said" test "$(wc -l <"$dir/err")" = 2 || sed 's/^/#   /' "$dir/err"

STARTUP_FAIL_REALLOC=4096 "$dir/host" >"$dir/out" 2>"$dir/err"
check "startup: a failed allocation of the registry is reported in one lindperf: line" \
    test "$(grep -c '^lindperf: out of memory for the registry' "$dir/err")" = 1 ||
    sed 's/^/#   /' "$dir/err"
finish
