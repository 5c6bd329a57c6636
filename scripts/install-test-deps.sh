#!/bin/sh
# Installs what `make test` needs on a Debian or Ubuntu machine, when it is missing:
# cmocka (the test framework), xmllint (checks the SVG charts), pkg-config and cmake
# (build the consumers of an installed lindperf). It uses apt-get as root, sudo otherwise.

missing=""
have_header() { printf '#include <stdarg.h>\n#include <stddef.h>\n#include <setjmp.h>\n#include <stdint.h>\n#include <%s>\n' "$1" | ${CC:-cc} -E - >/dev/null 2>&1; }

have_header cmocka.h           || missing="$missing libcmocka-dev"
command -v xmllint >/dev/null  || missing="$missing libxml2-utils"
command -v pkg-config >/dev/null || missing="$missing pkg-config"
command -v cmake >/dev/null    || missing="$missing cmake"

[ -z "$missing" ] && exit 0

echo "lindperf: installing the test dependencies:$missing"
if [ "$(id -u)" -eq 0 ]; then
    run=""
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    run="sudo"
else
    echo "lindperf: the tests need$missing; install them (apt-get install$missing) as root, then run make test again" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$run apt-get update -qq >/dev/null &&
$run apt-get install -y -qq $missing >/dev/null || {
    echo "lindperf: apt-get could not install$missing; install them by hand, then run make test again" >&2
    exit 1
}
