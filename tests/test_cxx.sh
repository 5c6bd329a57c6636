#!/bin/sh
# lindperf from C++: the matrix's C++ program (scopes in a method, a lambda, a template and
# one left by an exception, each counted exactly), built as C++11 and C++20 with the C++
# compiler that matches $CC, linked with the C module built by $CC, on and off.
# (make check-matrix runs the full set of standards and optimization levels.)

. "$(dirname "$0")/lib.sh"
# The C++ driver of $CC's family, with any flags $CC carries (a sanitizer, say).
set -- $CC
case "$1" in
    *clang*) CXX=clang++ ;;
    *)       CXX=g++ ;;
esac
shift
CXX_FLAGS="$*"
warn="-Wall -Wextra -Wpedantic -Werror -Wshadow -Wconversion -Wsign-conversion"
inc="-I$root/include -I$root/tests/matrix"

if ! command -v "$CXX" >/dev/null; then
    ok "C++ skipped: $CXX is not installed"
    exit 0
fi

# build_and_run STD FLAGS: the C module by $CC and the C++ program by $CXX, linked and run.
build_and_run() {
    $CC -std=gnu11 -O2 $2 $warn $inc -c -o "$tmp/module.o" "$root/tests/matrix/matrix_module.c" &&
    $CXX $CXX_FLAGS -std=$1 -O2 $2 $warn $inc -c -o "$tmp/cxx.o" \
        "$root/tests/matrix/matrix_cxx.cpp" &&
    $CXX $CXX_FLAGS -o "$tmp/cxx" "$tmp/module.o" "$tmp/cxx.o" -lpthread &&
    "$tmp/cxx"
}

for std in c++11 c++20; do
    for mode in perf off; do
        flags=""
        [ "$mode" = perf ] && flags="-DLIND_PERF"
        what="$CXX -std=$std $([ "$mode" = perf ] && echo "-DLIND_PERF" || echo "(off)")"
        check "$what: builds, and its scopes count exactly" quiet build_and_run "$std" "$flags"
    done
done
finish
