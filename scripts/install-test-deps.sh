#!/bin/sh
# Installs what `make test` needs on a Debian or Ubuntu machine, when it is missing:
# cmocka (the test framework), xmllint (checks the SVG charts), pkg-config and cmake
# (build the consumers of an installed lindperf), script (runs the docs' samples on a
# terminal), lld and gold (the linker matrix), and clang with its sanitizer and libFuzzer
# runtimes (the second compiler, the sanitizer runs and the fuzzer). It uses apt-get as
# root, sudo otherwise, and says what to do where neither works.
#
# Then the cross tools of make check-cross: gcc for aarch64 and for i686 with their static
# libcs, qemu-user to run aarch64, and musl-gcc. (gcc-multilib would give i686 too, but it
# conflicts with the aarch64 cross compiler on Debian 12.) When they cannot be installed, it
# says so and make test leaves check-cross out; the rest of the suite still runs.

have_header() {
    printf '#include <%s>\n' stdarg.h stddef.h setjmp.h stdint.h "$1" |
        ${CC:-cc} -E - >/dev/null 2>&1
}

# Whether clang links a program under the sanitizers and libFuzzer.
clang_runtimes_work() {
    dir=$(mktemp -d) || return 1
    printf '%s%s\n' 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n)' \
        ' { (void)d; return (int)n * 0; }' >"$dir/f.c"
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

# Whether compiler $1 (a command) builds a static program.
links_statically() {
    command -v "$1" >/dev/null || return 1
    dir=$(mktemp -d) || return 1
    printf 'int main(void) { return 0; }\n' >"$dir/m.c"
    "$@" -static -o "$dir/m" "$dir/m.c" >/dev/null 2>&1
    status=$?
    rm -rf "$dir"
    return $status
}

missing_cross_packages() {
    missing=""
    links_statically aarch64-linux-gnu-gcc ||
        missing="$missing gcc-aarch64-linux-gnu libc6-dev-arm64-cross"
    links_statically i686-linux-gnu-gcc ||
        missing="$missing gcc-i686-linux-gnu libc6-dev-i386-cross"
    command -v qemu-aarch64 >/dev/null     || missing="$missing qemu-user"
    links_statically musl-gcc              || missing="$missing musl-tools"
    echo "$missing"
}

# apt-get install $1 as root or through sudo; 0 when it worked, else 1 with the reason in $why.
apt_install() {
    if [ "$(id -u)" -eq 0 ]; then
        run=""
    elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
        run="sudo"
    else
        why="it needs root; install them (apt-get install$1) as root"
        return 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    $run apt-get update -qq >/dev/null &&
    $run apt-get install -y -qq $1 >/dev/null ||
        { why="apt-get could not install them; install them by hand"; return 1; }
}

install() {
    echo "lindperf: installing the test dependencies:$1"
    apt_install "$1" || {
        echo "lindperf: the tests need$1, and $why, then run make test again" >&2
        exit 1
    }
}

# Never fatal: make test runs check-cross only where its tools are.
install_cross() {
    missing=$(missing_cross_packages)
    [ -z "$missing" ] && return 0
    echo "lindperf: installing the cross tools of check-cross:$missing"
    if ! apt_install "$missing" || [ -n "$(missing_cross_packages)" ]; then
        echo "lindperf: the cross tools (${missing# }) could not be installed:" \
             "${why:-they are still missing}." \
             "make test leaves check-cross out until they are there" >&2
    fi
    return 0
}

# Twice: clang's runtimes can only be checked once clang is there.
for round in 1 2; do
    missing=$(missing_packages)
    [ -z "$missing" ] && { install_cross; exit 0; }
    [ "$round" -eq 2 ] && [ "$missing" = "$first" ] && {
        echo "lindperf: still missing after installing:$missing;" \
             "install them by hand, then run make test again" >&2
        exit 1
    }
    first=$missing
    install "$missing"
done
missing=$(missing_packages)
[ -z "$missing" ] || {
    echo "lindperf: still missing:$missing; install them by hand, then run make test again" >&2
    exit 1
}
install_cross
