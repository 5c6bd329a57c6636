#!/bin/sh
# Installs what `make test` needs on a Debian or Ubuntu machine, when it is missing:
# cmocka (the test framework), xmllint (checks the SVG charts), pkg-config and cmake
# (build the consumers of an installed lindperf), script (runs the docs' samples on a
# terminal), lld and gold (the linker matrix), and clang with its sanitizer and libFuzzer
# runtimes (the second compiler, the sanitizer runs and the fuzzer). It uses apt-get as
# root, sudo otherwise, and says what to do where neither works.

have_header() {
    printf '#include <stdarg.h>\n#include <stddef.h>\n#include <setjmp.h>\n#include <stdint.h>\n#include <%s>\n' "$1" |
        ${CC:-cc} -E - >/dev/null 2>&1
}

# Whether clang links a program under the sanitizers and libFuzzer.
clang_runtimes_work() {
    dir=$(mktemp -d) || return 1
    printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; return (int)n * 0; }\n' >"$dir/f.c"
    printf 'int main(void) { return 0; }\n' >"$dir/m.c"
    clang -fsanitize=fuzzer,address,undefined -o "$dir/f" "$dir/f.c" >/dev/null 2>&1 &&
        clang -fsanitize=thread -o "$dir/t" "$dir/m.c" >/dev/null 2>&1
    status=$?
    rm -rf "$dir"
    return $status
}

missing_packages() {
    missing=""
    have_header cmocka.h             || missing="$missing libcmocka-dev"
    command -v xmllint >/dev/null    || missing="$missing libxml2-utils"
    command -v pkg-config >/dev/null || missing="$missing pkg-config"
    command -v cmake >/dev/null      || missing="$missing cmake"
    command -v script >/dev/null     || missing="$missing bsdutils"
    command -v ld.lld >/dev/null     || missing="$missing lld"
    command -v ld.gold >/dev/null    || missing="$missing binutils"
    if ! command -v clang >/dev/null; then
        missing="$missing clang"
    elif ! clang_runtimes_work; then
        missing="$missing libclang-rt-$(clang -dumpversion | cut -d. -f1)-dev"
    fi
    echo "$missing"
}

install() {
    echo "lindperf: installing the test dependencies:$1"
    if [ "$(id -u)" -eq 0 ]; then
        run=""
    elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
        run="sudo"
    else
        echo "lindperf: the tests need$1; install them (apt-get install$1) as root, then run make test again" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    $run apt-get update -qq >/dev/null &&
    $run apt-get install -y -qq $1 >/dev/null || {
        echo "lindperf: apt-get could not install$1; install them by hand, then run make test again" >&2
        exit 1
    }
}

# Twice: clang's runtimes can only be checked once clang is there.
for round in 1 2; do
    missing=$(missing_packages)
    [ -z "$missing" ] && exit 0
    [ "$round" -eq 2 ] && [ "$missing" = "$first" ] && {
        echo "lindperf: still missing after installing:$missing; install them by hand, then run make test again" >&2
        exit 1
    }
    first=$missing
    install "$missing"
done
missing=$(missing_packages)
[ -z "$missing" ] || { echo "lindperf: still missing:$missing; install them by hand, then run make test again" >&2; exit 1; }
