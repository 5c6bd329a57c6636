#!/bin/sh
# What the header costs the files that include it: the size of each example module's object
# and the time to compile it, in the measuring build and without LIND_PERF. The host's file
# (main.c) compiles the library's code once for the program; the other four are modules.
#
#   BASELINE=FILE   also measure another lindperf.h (say, an older release's), side by side:
#                   compiles alternate between the two headers, so that a change in the
#                   machine's load falls on both alike. Its ratios are the figures to quote.
#   RUNS=N          compiles of each file per header and build (default 20); the time is the
#                   median.
#   CC              the compiler (default cc).
#
# Usage: make bench-compile [BASELINE=old/lindperf.h] [RUNS=N]
# Lines: "compile FILE BUILD [baseline] text T data D ms M" per header; with BASELINE, one
# "ratio FILE BUILD text X ms Y" line each (this header over the baseline), and whether the
# two headers' off builds give the same object byte for byte.
root=$(cd "$(dirname "$0")/.." && pwd)
CC=${CC:-cc}
RUNS=${RUNS:-20}
OUT=${OUT:-build}
case $OUT in /*) ;; *) OUT=$root/$OUT ;; esac
work=$OUT/bench-compile
rm -rf "$work" && mkdir -p "$work/current" "$work/baseline" || exit 1
cp "$root/include/lindperf.h" "$work/current/lindperf.h"
headers=current
if [ -n "$BASELINE" ]; then
    [ -f "$BASELINE" ] || { echo "lindperf: BASELINE=$BASELINE: no such file; give the path" \
        "of an older lindperf.h" >&2; exit 2; }
    cp "$BASELINE" "$work/baseline/lindperf.h"
    headers="current baseline"
fi
src=$root/examples/lind-boot

now_ns() { date +%s%N; }

# One compile of $1 (a module name) with header $2 in build $3: prints its milliseconds.
compile_once() {
    flags="-O2 -Wall -Wextra -Werror -I$work/$2 -I$src"
    [ "$3" = perf ] && flags="$flags -DLIND_PERF"
    start=$(now_ns)
    $CC $flags -c -o "$work/$2/$1-$3.o" "$src/$1.c" || exit 1
    echo $((($(now_ns) - start) / 1000))
}

# The median of microseconds, one a line, in milliseconds.
median() {
    sort -n | awk '{ v[NR] = $1 }
        END { printf "%.1f", (v[int((NR + 1) / 2)] + v[int(NR / 2) + 1]) / 2000 }'
}

# "text data" of an object, as size(1) reads them.
sizes() { size "$1" | awk 'NR == 2 { print $1, $2 }'; }

echo "compiler $($CC --version | head -1), $RUNS compiles each, median wall time"
for module in main lind_common threei rawposix fdtables; do
    for build in perf off; do
        for h in $headers; do : >"$work/$h/$module-$build.times"; done
        i=0
        while [ $i -lt "$RUNS" ]; do
            for h in $headers; do
                compile_once $module $h $build >>"$work/$h/$module-$build.times"
            done
            i=$((i + 1))
        done
        for h in $headers; do
            set -- $(sizes "$work/$h/$module-$build.o")
            ms=$(median <"$work/$h/$module-$build.times")
            echo "compile $module.c $build ${h#current} text $1 data $2 ms $ms" | sed 's/  */ /g'
            eval "text_$h=$1 ms_$h=$ms"
        done
        if [ -n "$BASELINE" ]; then
            awk -v m="$module.c" -v b="$build" -v t1="$text_current" -v t0="$text_baseline" \
                -v m1="$ms_current" -v m0="$ms_baseline" \
                'BEGIN { printf "ratio %s %s text %.2f ms %.2f\n", m, b, t1 / t0, m1 / m0 }'
            if [ $build = off ]; then
                cmp -s "$work/current/$module-off.o" "$work/baseline/$module-off.o" &&
                    same=identical || same=different
                echo "off build $module.c: the object is byte for byte $same"
            fi
        fi
    done
done
