#!/bin/sh
# What the report says about scopes that did not end at their block's end
# (tests/labels/host.c): in C, a cancelled thread's scope and a scope left by longjmp are
# named, with the possible causes; under -fexceptions (as in C++) cancellation unwinds and
# the cancelled scope is counted. A counter in a static-library member exists only when the
# member is linked: --whole-archive links it, and the counter is then listed as never reached.
. "$(dirname "$0")/lib.sh"

label="reached, but no scope ended in its timed run"
label="$label (longjmp, thread cancellation, exit, or not reached again): "
for flags in "" -fexceptions; do
    name=labels${flags:+-exceptions}
    check "labels: the host builds${flags:+ with $flags}" \
        quiet $CC -O1 -Wall -Wextra -Werror $flags -DLIND_PERF -I"$root/include" \
        -o "$tmp/$name" "$root/tests/labels/host.c" -lpthread || continue
    check "labels: the host${flags:+ built with $flags} runs" \
        quiet sh -c "'$tmp/$name' --perf >'$tmp/$name.out'"
    check "labels: the normal scope is counted twice${flags:+ with $flags}" \
        grep -Eq '^labels::normal +2 ' "$tmp/$name.out"
done
check "labels: in C, the cancelled and the longjmp'ed counters are named with the causes" \
    grep -qx "${label}labels::cancelled, labels::jumped" "$tmp/labels.out"
check "labels: under -fexceptions, cancellation runs the scope's end: counted once" \
    grep -Eq '^labels::cancelled +1 ' "$tmp/labels-exceptions.out"
check "labels: under -fexceptions, only the longjmp'ed counter is named" \
    grep -qx "${label}labels::jumped" "$tmp/labels-exceptions.out"

archive_host() {   # archive_host NAME LINK-FLAGS...: the labels host linked with libmember.a
    name=$1
    shift
    quiet $CC -O1 -Wall -Wextra -Werror -DLIND_PERF -I"$root/include" -o "$tmp/$name" \
        "$root/tests/labels/host.c" "$@" -lpthread && "$tmp/$name" --perf >"$tmp/$name.out" 2>&1
}
check "labels: a static library with a counter builds" \
    quiet $CC -O1 -Wall -Wextra -Werror -DLIND_PERF -I"$root/include" -c -o "$tmp/member.o" \
    "$root/tests/labels/member.c" &&
    quiet ar rcs "$tmp/libmember.a" "$tmp/member.o" &&
    check "labels: an archive member that nothing calls is not linked, and has no counter" \
        eval 'archive_host plain "$tmp/libmember.a" && ! grep -q in_archive "$tmp/plain.out"' &&
    check "labels: linked with --whole-archive, its counter is there, never reached" \
        eval 'archive_host whole -Wl,--whole-archive "$tmp/libmember.a" -Wl,--no-whole-archive &&
              grep -qx "never reached: labels::in_archive" "$tmp/whole.out"'
finish
