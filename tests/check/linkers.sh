#!/bin/sh
# make check-linkers as one step of make test: the linker matrix.
#
# A release link collects unused sections (--gc-sections, -z start-stop-gc, LTO), and the
# registry's entries are sections that no code names. Each compiler links the program of
# tests/linkers with each linker and mode and must report every counter with exact calls
# (parse 3, check 3, store 5). Two pairs cannot be built, so they are not tried: gold has
# no -z start-stop-gc, and lld cannot read GCC's LTO objects.
#
# Then an older compiler without `retain` is played (LINDPERF__RETAIN defined empty): the
# entries are dropped, and the program must say so in a lindperf: line and exit nonzero.
OUT=${OUT:-build/check}
dir=$OUT/linkers
src=tests/linkers
mkdir -p "$dir" || exit 1
failed=0

build() {   # build NAME CC FLAGS...: links the program into $dir/NAME
    name=$1 cc=$2
    shift 2
    $cc -O2 -g0 -Wall -Wextra -Werror -DLIND_PERF -Iinclude -ffunction-sections -fdata-sections \
        "$@" -o "$dir/$name" $src/module_a.c $src/module_b.c $src/host.c -lpthread \
        >"$dir/$name.log" 2>&1 ||
        { sed 's/^/#   /' "$dir/$name.log"; return 1; }
}

exact_calls='linkers::check,3 linkers::parse,3 linkers::store,5 name,calls '
calls_are_exact() {   # the CSV holds exactly the three counters with their calls
    cut -d, -f2,3 "$1" | sort | tr '\n' ' ' | grep -qx "$exact_calls"
}

for cc in gcc clang; do
    command -v $cc >/dev/null || {
        echo "not ok - linkers: $cc is not installed (apt-get install $cc)"; failed=1; continue
    }
    for ld in bfd gold lld; do
        for lto in "" -flto; do
            for gc in "--gc-sections" "--gc-sections,-z,start-stop-gc"; do
                [ $ld = gold ] && [ "$gc" != --gc-sections ] && continue
                [ $ld = lld ] && [ $cc = gcc ] && [ -n "$lto" ] && continue
                what="linkers: $cc -fuse-ld=$ld $lto -Wl,$gc keeps every counter, with exact calls"
                name=$cc-$ld$lto-$(echo "$gc" | tr -c 'a-z0-9\n' -)
                rm -f "$dir/$name.csv"
                if build "$name" $cc -fuse-ld=$ld $lto -Wl,$gc &&
                    "$dir/$name" --perf --perf-csv="$dir/$name.csv" >"$dir/$name.out" 2>&1 &&
                    calls_are_exact "$dir/$name.csv"; then
                    echo "ok - $what"
                else
                    sed 's/^/#   /' "$dir/$name.out" 2>/dev/null
                    echo "not ok - $what"
                    failed=1
                fi
            done
        done
    done
    what="linkers: $cc without retain, dropped entries give one lindperf: line and status nonzero"
    name=$cc-no-retain
    if build "$name" $cc -DLINDPERF__RETAIN= -fuse-ld=lld -Wl,--gc-sections; then
        "$dir/$name" --perf >"$dir/$name.out" 2>"$dir/$name.err"
        status=$?
        missing='^lindperf: .* scopes ran for counters missing from the registry'
        if [ $status -ne 0 ] && [ "$(grep -c "$missing" "$dir/$name.err")" = 1 ]; then
            echo "ok - $what"
        else
            sed 's/^/#   /' "$dir/$name.err"
            echo "not ok - $what (status $status)"
            failed=1
        fi
    else
        echo "not ok - $what (the build failed)"
        failed=1
    fi
done
exit $failed
