#!/bin/sh
# Objects built with different values of the compile-time options share one registry and
# one set of per-thread tables, so no shared layout may depend on a per-file option. One
# module here is built with a deep LINDPERF_MAX_DEPTH (an option that once sized every
# thread's table) and a small LINDPERF_MAX_THREADS, the other and the host with the
# defaults. The two call each other a hundred levels deep: the counts must be exact, and
# AddressSanitizer must find nothing.

. "$(dirname "$0")/lib.sh"
parts=$root/tests/parts-mixed
flags="-O1 -g -Wall -Wextra -Werror -DLIND_PERF -I$root/include -I$parts"
odd="-DLINDPERF_MAX_DEPTH=256 -DLINDPERF_MAX_THREADS=8"

# build NAME EXTRA_FLAGS...: $tmp/NAME from the three parts, deep.c with the odd options
build() {
    name=$1
    shift
    mkdir -p "$tmp/$name" &&
        $CC $flags "$@" $odd -c -o "$tmp/$name/deep.o" "$parts/deep.c" &&
        $CC $flags "$@" -c -o "$tmp/$name/shallow.o" "$parts/shallow.c" &&
        $CC $flags "$@" -c -o "$tmp/$name/host.o" "$parts/host.c" &&
        $CC "$@" -o "$tmp/$name/host" "$tmp/$name/deep.o" "$tmp/$name/shallow.o" \
            "$tmp/$name/host.o" -lpthread
}

check "objects built with different options link into one program" quiet build plain
check "its counters hold exact calls under --perf" quiet "$tmp/plain/host" --perf
check "and under --perftsc --perf-detail" quiet "$tmp/plain/host" --perftsc --perf-detail

if printf 'int main(void) { return 0; }\n' >"$tmp/a.c" &&
    $CC -fsanitize=address -o "$tmp/a" "$tmp/a.c" 2>/dev/null; then
    check "the mix builds under AddressSanitizer" quiet build asan -fsanitize=address,undefined \
        -fno-omit-frame-pointer -fno-sanitize-recover=all
    check "and runs clean, with exact calls" quiet "$tmp/asan/host" --perf --perf-detail
else
    not_ok "$CC cannot build with -fsanitize=address; install its sanitizer runtime"
fi
finish
