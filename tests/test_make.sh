#!/bin/sh
# make clean, in a copy of the build files: it removes $(OUT), wherever OUT points, and
# refuses an OUT that holds the sources.

. "$(dirname "$0")/lib.sh"
copy=$tmp/copy
mkdir -p "$copy/include" "$copy/build/obj" "$copy/elsewhere/obj"
cp -R "$root/Makefile" "$root/mk" "$copy"
cp "$root/include/lindperf.h" "$copy/include"

# Without the OUT and MAKEFLAGS of a make that runs this test, so that the default shows.
clean() {
    env -u OUT -u MAKEFLAGS -u MAKELEVEL make -C "$copy" --no-print-directory clean "$@" \
        >"$tmp/out" 2>"$tmp/err"
}

removes_out() { clean OUT=elsewhere && [ ! -e "$copy/elsewhere" ] && [ -d "$copy/build/obj" ]; }
check "make clean OUT=elsewhere removes elsewhere and leaves build alone" removes_out

removes_build() { clean && [ ! -e "$copy/build" ]; }
check "make clean removes build by default" removes_build

refuses() {
    clean OUT="$1"
    [ $? -eq 2 ] && grep -q '^lindperf: make clean will not remove OUT=' "$tmp/err" &&
        [ -f "$copy/Makefile" ] && [ -f "$copy/include/lindperf.h" ]
}
for out in . .. "$copy"; do   # never /: a broken refusal must not reach rm -rf /
    check "make clean OUT=$out is refused and removes nothing" refuses "$out"
done

finish
