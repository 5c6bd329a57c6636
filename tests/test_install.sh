#!/bin/sh
# make install into a temporary prefix, then build two consumers of the installed lindperf:
# one with pkg-config, one with CMake's find_package. Both time a scope with -DLIND_PERF
# and must report it. Then make uninstall must leave no file of ours behind, and DESTDIR
# must stage without changing the paths written into lindperf.pc.

. "$(dirname "$0")/lib.sh"
prefix=$tmp/prefix

installed() {
    for f in include/lindperf.h lib/pkgconfig/lindperf.pc lib/cmake/lindperf/lindperfConfig.cmake \
             lib/cmake/lindperf/lindperfConfigVersion.cmake bin/lindperf-compare bin/lindperf-plot \
             share/man/man3/lindperf.3; do
        [ -f "$1/$f" ] || { echo "#   missing $1/$f"; return 1; }
    done
}

reports_counter() { grep -q '^consumer::work  *1000 ' "$1"; }

mkdir -p "$tmp/src"
cat >"$tmp/src/consumer.c" <<'EOF'
#define LINDPERF_IMPLEMENTATION   /* the one file of the program with the library's code */
#include <lindperf.h>

LINDPERF_COUNTER(consumer, work);

static int work(void *arg)
{
    int *n = arg;
    for (int i = 0; i < 1000; i++) {
        LINDPERF_SCOPE(consumer, work);
        (*n)++;
        lindperf_black_box(n);
    }
    return 0;
}

int main(int argc, char **argv)
{
    int n = 0;
    lindperf_timer t = lindperf_parse_args(&argc, argv);
    return lindperf_run_each(t, work, &n, stdout) != 0;
}
EOF
cat >"$tmp/src/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.10)
project(lindperf_consumer C)
set(WANT "0.0" CACHE STRING "the lindperf version to ask for")
find_package(lindperf ${WANT} REQUIRED)
add_executable(consumer consumer.c)
target_link_libraries(consumer PRIVATE lindperf::lindperf)
target_compile_definitions(consumer PRIVATE LIND_PERF)
EOF

version=$(sed -n 's/^#define LINDPERF_VERSION "\(.*\)"/\1/p' "$root/include/lindperf.h")

check "make install PREFIX=... succeeds" quiet make -C "$root" --no-print-directory install \
    PREFIX="$prefix" OUT="$OUT" CC="$CC"
check "it installs the header, pkg-config and CMake files, the tools and the man page" \
    installed "$prefix"
check "the installed tools run" quiet "$prefix/bin/lindperf-compare" \
    "$root/tests/data/close-base.json" "$root/tests/data/close-base.json"

export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
check "pkg-config knows lindperf $version" \
    [ "$(pkg-config --modversion lindperf 2>/dev/null)" = "$version" ]
cflags=$(pkg-config --cflags lindperf | sed 's/ *$//')
libs=$(pkg-config --libs lindperf)
check "pkg-config points at the installed header" [ "$cflags" = "-I$prefix/include" ]
# shellcheck disable=SC2086 # the flags are words
check "a pkg-config consumer builds with -DLIND_PERF under -Wall -Wextra -Werror" \
    quiet "$CC" -O2 -Wall -Wextra -Werror -DLIND_PERF $cflags -o "$tmp/pc-consumer" \
        "$tmp/src/consumer.c" $libs
check "the pkg-config consumer runs with --perf" quiet sh -c '"$1" --perf >"$2"' - \
    "$tmp/pc-consumer" "$tmp/pc.out"
check "the pkg-config consumer reports its 1000 scopes" reports_counter "$tmp/pc.out"

cmake_build() {
    rm -rf "$tmp/cmake-build"
    quiet cmake -S "$tmp/src" -B "$tmp/cmake-build" -DCMAKE_PREFIX_PATH="$prefix" \
        -DCMAKE_C_COMPILER="$CC" "$@" &&
    quiet cmake --build "$tmp/cmake-build"
}
check "a CMake consumer builds with find_package(lindperf ${version%.*}) and lindperf::lindperf" \
    cmake_build -DWANT="${version%.*}"
check "the CMake consumer runs with --perf" quiet sh -c '"$1" --perf >"$2"' - \
    "$tmp/cmake-build/consumer" "$tmp/cmake.out"
check "the CMake consumer reports its 1000 scopes" reports_counter "$tmp/cmake.out"
check "find_package(lindperf 1.0) is refused: 0.x promises nothing to 1.x users" \
    sh -c '! cmake -S "$1" -B "$2" -DCMAKE_PREFIX_PATH="$3" -DCMAKE_C_COMPILER="$4" \
               -DWANT=1.0 >/dev/null 2>&1' \
    - "$tmp/src" "$tmp/cmake-refused" "$prefix" "$CC"

echo "keep me" >"$prefix/include/not-ours.h"
check "make uninstall succeeds" quiet make -C "$root" --no-print-directory uninstall \
    PREFIX="$prefix" OUT="$OUT"
check "make uninstall leaves no file of lindperf behind" \
    [ "$(find "$prefix" -type f | grep -v not-ours.h)" = "" ]
check "make uninstall leaves other files alone" [ -f "$prefix/include/not-ours.h" ]
made_folders_gone() {
    [ ! -e "$prefix/lib" ] && [ ! -e "$prefix/bin" ] && [ ! -e "$prefix/share" ]
}
check "make uninstall removes the folders that install made, once empty" made_folders_gone
check "make uninstall keeps a folder that still holds a file of someone else's" \
    [ -d "$prefix/include" ]

# A folder that was there before install is not install's to remove, even when empty.
before=$tmp/before
mkdir -p "$before/bin"
check "make install into a prefix that has an empty bin/ succeeds" \
    quiet make -C "$root" --no-print-directory install PREFIX="$before" OUT="$OUT" CC="$CC"
check "make uninstall there succeeds" \
    quiet make -C "$root" --no-print-directory uninstall PREFIX="$before" OUT="$OUT"
check "make uninstall keeps the bin/ that was there before, and removes the rest" \
    [ "$(cd "$before" && find . | LC_ALL=C sort | tr '\n' ' ')" = ". ./bin " ]

stage=$tmp/stage
check "make install DESTDIR=... PREFIX=/usr stages the files" \
    quiet make -C "$root" --no-print-directory install DESTDIR="$stage" PREFIX=/usr OUT="$OUT" \
        CC="$CC"
check "the staged files are all under DESTDIR/usr" installed "$stage/usr"
check "the staged lindperf.pc says prefix=/usr, not the staging path" grep -qx "prefix=/usr" \
    "$stage/usr/lib/pkgconfig/lindperf.pc"
check "make uninstall DESTDIR=... removes the staged files" \
    quiet make -C "$root" --no-print-directory uninstall DESTDIR="$stage" PREFIX=/usr OUT="$OUT"
check "nothing staged is left, not even a folder under DESTDIR" [ "$(find "$stage")" = "$stage" ]

finish
