#!/bin/sh
# The build without LIND_PERF: an instrumented function (tests/parts-off/instrumented.c)
# compiles to the same machine code as its uninstrumented twin (plain.c), and the object
# holds no lindperf symbol or section. The same source under -DLIND_PERF must differ, so
# the comparison is shown able to fail. Also: one counter defined twice fails to build,
# and a host built without LIND_PERF refuses a perf flag with status 2.
#
# Both twins are compiled under the same file name, unit.c, so that their objects may be
# compared whole: nothing but the code may tell them apart.
#
# For another target (make check-cross), $RUN runs its programs (qemu-aarch64) and the
# objdump and nm first on PATH are the target's.

. "$(dirname "$0")/lib.sh"
LC_ALL=C
export LC_ALL
parts=$root/tests/parts-off
flags="-Wall -Wextra -Werror -I$root/include"

# compile NAME SOURCE FLAGS...: $tmp/NAME/unit.o from SOURCE copied to $tmp/NAME/unit.c
compile() {
    name=$1 source=$2
    shift 2
    mkdir -p "$tmp/$name" && cp "$parts/$source" "$tmp/$name/unit.c" &&
    (cd "$tmp/$name" && $CC "$@" $flags -c unit.c -o unit.o)
}

# The code of an object, without the line that names its file.
code()     { objdump -dr "$tmp/$1/unit.o" | sed '/file format/d'; }
sections() { objdump -h "$tmp/$1/unit.o" | sed '/file format/d'; }

same_code() {
    code "$1" >"$tmp/$1.code" && code "$2" >"$tmp/$2.code" &&
    grep -q '<off_sum>:' "$tmp/$1.code" && diff "$tmp/$1.code" "$tmp/$2.code"
}
different_code() { ! same_code "$1" "$2" >/dev/null; }
same_sections() { sections "$1" >"$tmp/$1.h" && sections "$2" >"$tmp/$2.h" && diff "$tmp/$1.h" \
    "$tmp/$2.h"; }
same_object() { cmp "$tmp/$1/unit.o" "$tmp/$2/unit.o"; }
no_lindperf_symbol() { nm -a "$tmp/$1/unit.o" >"$tmp/$1.nm" && ! grep -i lindperf "$tmp/$1.nm"; }
no_lindperf_section() { sections "$1" >"$tmp/$1.h" && grep -q "\.text" "$tmp/$1.h" && ! grep -i \
    lindperf "$tmp/$1.h"; }
has_lindperf_symbol() { nm -a "$tmp/$1/unit.o" | grep -q 'lindperf__counter_off__sum'; }
has_lindperf_section() { sections "$1" | grep -q lindperf_counters; }

off_compiles="both twins compile without LIND_PERF, warning-free under -Wall -Wextra -Werror"
on_compiles="with LIND_PERF the instrumented twin (several and nested scopes) compiles \
warning-free, -Wshadow too"
for opt in -O2 -O0 -Os; do
    if compile "plain$opt" plain.c "$opt" && compile "off$opt" instrumented.c "$opt"; then
        ok "$CC $opt: $off_compiles"
    else
        not_ok "$CC $opt: $off_compiles"
        continue
    fi
    check "$CC $opt: without LIND_PERF the instrumented functions' machine code equals the plain \
twin's" \
        quiet same_code "off$opt" "plain$opt"
    check "$CC $opt: without LIND_PERF the two objects have the same sections and sizes" \
        quiet same_sections "off$opt" "plain$opt"
    check "$CC $opt: without LIND_PERF the two objects are byte for byte identical" \
        quiet same_object "off$opt" "plain$opt"
    check "$CC $opt: without LIND_PERF the object has no lindperf symbol" \
        quiet no_lindperf_symbol "off$opt"
    check "$CC $opt: without LIND_PERF the object has no lindperf section" \
        quiet no_lindperf_section "off$opt"

    if compile "on$opt" instrumented.c "$opt" -DLIND_PERF -Wshadow; then
        ok "$CC $opt: $on_compiles"
        check "$CC $opt: with LIND_PERF the machine code differs from the plain twin's (the \
comparison can fail)" \
            quiet different_code "on$opt" "plain$opt"
        check "$CC $opt: with LIND_PERF the object defines the counters" \
            quiet has_lindperf_symbol "on$opt"
        check "$CC $opt: with LIND_PERF the object has the lindperf_counters section" \
            quiet has_lindperf_section "on$opt"
    else
        not_ok "$CC $opt: $on_compiles"
    fi
done

for std in c99 c11 gnu99; do
    check "$CC -std=$std -pedantic: the instrumented twin compiles warning-free without LIND_PERF" \
        quiet compile "pedantic-$std" instrumented.c -O2 -std=$std -pedantic
done

# Counters defined once per program: a duplicate fails to link, or to compile in one file.
# build_program NAME [SOURCE...]: main.c and instrumented.c, and any other sources given
build_program() {
    program=$1
    shift
    (cd "$tmp" && $CC -O2 $flags -DLIND_PERF -o "$program" "$parts/main.c" "$parts/instrumented.c" \
        "$@" -lpthread)
}
linked_and_ran() { build_program program && $RUN "$tmp/program"; }
# The build must fail, and for the duplicate: the linker or compiler names the counter.
duplicate_fails() {
    ! build_program duplicated "$parts/duplicate.c" 2>"$tmp/err" &&
    grep -Eq '(multiple definition|duplicate symbol).*lindperf__counter_off__sum' "$tmp/err" ||
    { cat "$tmp/err"; return 1; }
}
twice_fails() {
    ! (cd "$tmp" && $CC -O2 $flags -DLIND_PERF -c "$parts/twice.c" -o twice.o) 2>"$tmp/err" &&
    grep -q 'redefinition of .*lindperf__counter_off__twice' "$tmp/err" || { cat \
        "$tmp/err"; return 1; }
}
check "with LIND_PERF, a counter defined in one file and declared in another links and is found" \
    quiet linked_and_ran
check "with LIND_PERF, one counter defined in two files fails to link" quiet duplicate_fails
check "with LIND_PERF, one counter defined twice in one file fails to compile" quiet twice_fails

# A host built without LIND_PERF.
host=$tmp/host-off
if $CC -O2 $flags -o "$host" "$parts/host.c"; then
    ok "a host without LIND_PERF compiles warning-free"
else
    not_ok "a host without LIND_PERF compiles warning-free"
fi

# exits_2 FLAG...: status 2 and exactly one stderr line, starting "lindperf: " and naming $1
exits_2() {
    $RUN "$host" "$@" prog >"$tmp/out" 2>"$tmp/err"
    status=$?
    [ "$status" -eq 2 ] || { echo "status $status, stderr:"; cat "$tmp/err"; return 1; }
    [ "$(wc -l <"$tmp/err")" -eq 1 ] || { echo "stderr is not one line:"; cat "$tmp/err"; return \
        1; }
    grep -q "^lindperf: .*$1" "$tmp/err" || { echo "stderr:"; cat "$tmp/err"; return 1; }
    [ ! -s "$tmp/out" ] || { echo "the host ran on:"; cat "$tmp/out"; return 1; }
}
for flag in --perf --perftsc --perf=clock --perf=tsc; do
    check "a host without LIND_PERF exits 2 on $flag, with one lindperf: line naming it" quiet \
        exits_2 "$flag"
done
check "a host without LIND_PERF exits 2 on a perf flag after other options" quiet exits_2 --perf -v
check "a host without LIND_PERF still exits 2 on --perf=sundial" quiet exits_2 --perf=sundial

# One message names every step: the build and, when the command lacks one, the timer.
names_all_steps() {
    exits_2 "$@" || return 1
    grep -q 'rebuild it with -DLIND_PERF and add --perf or --perftsc' "$tmp/err"
}
check \
    "a host without LIND_PERF, given --perf-detail alone, asks for -DLIND_PERF and --perf at once" \
    quiet names_all_steps --perf-detail
names_build_and_count() {
    exits_2 --perf --perf-repeat=0 || return 1
    grep -q 'rebuild it with -DLIND_PERF and mend this too: --perf-repeat=0: the count' "$tmp/err"
}
check "a host without LIND_PERF, given a bad --perf-repeat, names the build and the count at once" \
    quiet names_build_and_count

runs_with() {
    expected=$1
    shift
    out=$($RUN "$host" "$@") || { echo "status $?"; return 1; }
    [ "$out" = "$expected" ] || { echo "printed: $out"; return 1; }
}
check "a host without LIND_PERF runs without a perf flag" quiet runs_with "timer 0 argc 3 -v prog" \
    -v prog
check "a host without LIND_PERF leaves a perf flag after the program to the program" \
    quiet runs_with "timer 0 argc 3 prog --perf" prog --perf

finish
