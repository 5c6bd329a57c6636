#!/bin/sh
# One copy of the library's code per linked object: the file that defines
# LINDPERF_IMPLEMENTATION compiles the scope's rare path and the host functions, and a
# module file compiles only its own code and the scope's inline fast path. So:
#   - a module's object defines no function of the library, and the host's defines them;
#   - a program (or shared library) in which no file defines LINDPERF_IMPLEMENTATION fails
#     to link, and the message names the define; two files that define it fail too;
#   - a module file gets no system header beyond <stddef.h>, <stdint.h> and (measuring)
#     <time.h>: code that used EBADF or FILE through lindperf.h must include them itself;
#   - a second host file (LINDPERF_HOST) calls the host functions of the one copy.
# Both builds, under the compiler under test.

. "$(dirname "$0")/lib.sh"
LC_ALL=C
export LC_ALL
flags="-O2 -Wall -Wextra -Werror -I$root/include"

cat >"$tmp/module.c" <<'C'
#include "lindperf.h"
LINDPERF_COUNTER(split, work);
int split_work(int x);
int split_work(int x)
{
    LINDPERF_SCOPE(split, work);
    return x * 3;
}
C
cat >"$tmp/host.c" <<'C'
#define LINDPERF_IMPLEMENTATION
#include "lindperf.h"
int split_work(int x);
int split_total(void);
static int workload(void *arg)
{
    int sum = 0;
    for (int i = 0; i < 100; i++)
        sum += split_work(i);
    *(int *)arg = sum;
    return 0;
}
int main(int argc, char **argv)
{
    int sum = 0;
    lindperf_timer t = lindperf_parse_args(&argc, argv);
    if (lindperf_run_each(t, workload, &sum, stdout) != 0)
        return 1;
    printf("calls %d\n", split_total());
    return sum != 14850;
}
C
cat >"$tmp/reader.c" <<'C'
#define LINDPERF_HOST
#include "lindperf.h"
int split_total(void);
int split_total(void) { return (int)lindperf_counter_calls(lindperf_find("split::work")); }
C

build() {   # build NAME EXTRA_FLAGS...: $tmp/NAME/{module,host,reader}.o and the program
    name=$1
    shift
    mkdir -p "$tmp/$name" &&
    for f in module host reader; do
        quiet $CC $flags "$@" -c -o "$tmp/$name/$f.o" "$tmp/$f.c" || return 1
    done &&
    quiet $CC -o "$tmp/$name/program" "$tmp/$name/module.o" "$tmp/$name/host.o" \
        "$tmp/$name/reader.o" -lpthread
}

# The functions an object defines (T, t, W), named lindperf...; inline ones at -O2 leave none.
defined_functions() { nm "$1" | awk '$2 ~ /^[TtWw]$/ && $3 ~ /^lindperf/ { print $3 }'; }

check "implementation: the measuring build's three files build and link" build perf -DLIND_PERF
check "implementation: the module's object defines no function of the library" \
    test -z "$(defined_functions "$tmp/perf/module.o")" ||
    defined_functions "$tmp/perf/module.o" | sed 's/^/#   /'
check "implementation: the host's object defines the rare path and the host functions" \
    sh -c "nm '$tmp/perf/host.o' | grep -q ' T lindperf__record_rare\$' &&
           nm '$tmp/perf/host.o' | grep -q ' T lindperf_run_each\$'"
check "implementation: the second host file defines none of them" \
    test -z "$(defined_functions "$tmp/perf/reader.o")"
"$tmp/perf/program" --perf >"$tmp/perf.out" 2>&1
check "implementation: the program times the module's scopes and the second host file reads them" \
    grep -qx 'calls 100' "$tmp/perf.out" || sed 's/^/#   /' "$tmp/perf.out"

check "implementation: the build without LIND_PERF builds the same files" build off
"$tmp/off/program" >"$tmp/off.out" 2>&1
check "implementation: ... and runs them, reading nothing" grep -qx 'calls 0' "$tmp/off.out"

# fails_naming WORD CMD...: CMD fails, and what it says names WORD (in $tmp/said).
fails_naming() {
    word=$1
    shift
    ! "$@" 2>"$tmp/said" && grep -q -- "$word" "$tmp/said"
}

# No file defines LINDPERF_IMPLEMENTATION: the link fails and says what to define.
sed '/#define LINDPERF_IMPLEMENTATION/d' "$tmp/host.c" >"$tmp/host_without.c"
sed -i 's/#include "lindperf.h"/#define LINDPERF_HOST\n#include "lindperf.h"/' "$tmp/host_without.c"
mkdir -p "$tmp/without"
quiet $CC $flags -DLIND_PERF -c -o "$tmp/without/host.o" "$tmp/host_without.c"
check "implementation: without LINDPERF_IMPLEMENTATION in any file the program does not link" \
    fails_naming "" $CC -o "$tmp/without/program" "$tmp/perf/module.o" "$tmp/without/host.o" \
        "$tmp/perf/reader.o" -lpthread
check "implementation: ... and the linker names the define it misses" \
    grep -q 'lindperf__define_LINDPERF_IMPLEMENTATION_in_one_file' "$tmp/said"
check "implementation: a shared library of modules without it does not link either" \
    fails_naming lindperf__define_LINDPERF_IMPLEMENTATION $CC $flags -DLIND_PERF -fPIC -shared \
        -o "$tmp/without/lib.so" "$tmp/module.c"

# Two files define it: a multiple definition, not two registries.
mkdir -p "$tmp/twice"
sed 's/#define LINDPERF_HOST/#define LINDPERF_IMPLEMENTATION/' "$tmp/reader.c" \
    >"$tmp/twice/reader.c"
check "implementation: two files that define LINDPERF_IMPLEMENTATION do not link" \
    fails_naming 'multiple definition' $CC $flags -DLIND_PERF -o "$tmp/twice/program" \
        "$tmp/module.c" "$tmp/host.c" "$tmp/twice/reader.c" -lpthread

# A module file gets no system header but these; what it uses besides, it includes itself.
for build in "" -DLIND_PERF; do
    for use in "int e = EBADF;" "FILE *f;" "pthread_mutex_t m;" "void *p = malloc(1);"; do
        printf '#include "lindperf.h"\nvoid f(void);\nvoid f(void) { %s (void)0; }\n' "$use" \
            >"$tmp/leak.c"
        check "implementation: a module file ${build:-(off)} does not get '$use' from lindperf.h" \
            sh -c "! $CC $flags $build -c -o '$tmp/leak.o' '$tmp/leak.c' 2>/dev/null"
    done
done
# The headers that lindperf.h itself includes: depth 2 in -H's list, under the file's own.
direct_includes() {
    $CC $flags "$@" -H -fsyntax-only "$tmp/module.c" 2>&1 >/dev/null |
        sed -n 's|^\.\. .*/||p' | sort | tr '\n' ' '
}
includes=$(direct_includes -DLIND_PERF)
check "implementation: a measuring module gets stddef.h, stdint.h, time.h only ($includes)" \
    test "$includes" = "stddef.h stdint.h time.h "
includes=$(direct_includes)
check "implementation: a module without LIND_PERF gets stddef.h, stdint.h only ($includes)" \
    test "$includes" = "stddef.h stdint.h "
finish
