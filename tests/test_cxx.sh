#!/bin/sh
# lindperf from C++: the matrix's C++ program (scopes in a method, a lambda, a template and
# one left by an exception, each counted exactly), built as C++11 and C++20 with the C++
# compiler that matches $CC, linked with the C module built by $CC, on and off.
# (make check-matrix runs the full set of standards and optimization levels.)

CC=${CC:-cc}
# The C++ driver of $CC's family, with any flags $CC carries (a sanitizer, say).
set -- $CC
case "$1" in
    *clang*) CXX=clang++ ;;
    *)       CXX=g++ ;;
esac
shift
CXX_FLAGS="$*"
dir=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
warn="-Wall -Wextra -Wpedantic -Werror -Wshadow -Wconversion -Wsign-conversion"
inc="-I$dir/include -I$dir/tests/matrix"

if ! command -v "$CXX" >/dev/null; then
    echo "ok - C++ skipped: $CXX is not installed"
    exit 0
fi

for std in c++11 c++20; do
    for mode in perf off; do
        flags=""
        [ "$mode" = perf ] && flags="-DLIND_PERF"
        what="$CXX -std=$std $([ "$mode" = perf ] && echo "-DLIND_PERF" || echo "(off)")"
        if { $CC -std=gnu11 -O2 $flags $warn $inc -c -o "$tmp/module.o" "$dir/tests/matrix/matrix_module.c" &&
             $CXX $CXX_FLAGS -std=$std -O2 $flags $warn $inc -c -o "$tmp/cxx.o" "$dir/tests/matrix/matrix_cxx.cpp" &&
             $CXX $CXX_FLAGS -o "$tmp/cxx" "$tmp/module.o" "$tmp/cxx.o" -lpthread &&
             "$tmp/cxx"; } >"$tmp/log" 2>&1; then
            echo "ok - $what: builds, and its scopes count exactly"
        else
            head -20 "$tmp/log"
            echo "not ok - $what: builds, and its scopes count exactly"
            failed=1
        fi
    done
done
exit $failed
