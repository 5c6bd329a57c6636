#!/bin/sh
# Shared objects: every counter of every object in the process is in one registry and one
# report, with exact calls (tests/shared/host.c says what each run calls). The objects:
# libone.so linked with default visibility, libtwo.so built with -fvisibility=hidden and
# libthree.so, both dlopen'ed RTLD_LOCAL. Host A links libone, so it exports the registry
# and the objects share it; host B exports nothing, so each dlopen'ed object keeps a registry
# of its own, which the host finds and adopts. After dlclose the counters stay, with their
# figures, and an object loaded again takes back its counters' rows. Run by make check-asan
# too, under ASan and UBSan.
. "$(dirname "$0")/lib.sh"

dir=$OUT/shared
src=$root/tests/shared
mkdir -p "$dir" || exit 1
cflags="-O1 -g -Wall -Wextra -Werror -DLIND_PERF -I$root/include"
# libthree.so is built with other values of the compile-time options than the rest: no
# layout that objects share may depend on them (tests/test_mixed_options.sh does the same
# for objects linked into one program).
odd_options="-DLINDPERF_MAX_THREADS=8 -DLINDPERF_MAX_DEPTH=256"

build() {
    quiet $CC $cflags -fPIC -shared -o "$dir/libone.so" "$src/one.c" &&
    quiet $CC $cflags -fPIC -shared -fvisibility=hidden -o "$dir/libtwo.so" "$src/two.c" &&
    quiet $CC $cflags $odd_options -fPIC -shared -o "$dir/libthree.so" "$src/three.c" &&
    quiet $CC $cflags -DLINKED_ONE -o "$dir/host_a" "$src/host.c" -L"$dir" -lone \
        -Wl,-rpath,"$(cd "$dir" && pwd)" -lpthread &&
    quiet $CC $cflags -o "$dir/host_b" "$src/host.c" -lpthread
}
check "shared: the host and three objects build" build || finish

# The calls of each counter in one part of the output ("run:" or "after dlclose:"), as
# "name=calls" words in report order.
calls_in() {
    awk -v part="$2" '/^[a-z ]*:$/ { on = ($0 == part) }
        on && $1 ~ /::/ { printf "%s=%s ", $1, $2 }' "$1"
}

expect_a="host::own=4 one::work=6 three::work=9 three::helper=9 two::work=7 "
expect_b="host::own=4 three::work=9 three::helper=9 two::work=7 "
reloaded_a="host::own=4 one::work=6 two::work=7 "
reloaded_b="host::own=4 two::work=7 "

for host in a b; do
    for order in "" late during; do
        out=$dir/host_$host${order:+-$order}.out
        eval expect=\$expect_$host
        case $order in
            late)   what="shared: host $host (late: the objects load after a first run)" ;;
            during) what="shared: host $host (during: a first run's workload loads the objects)" ;;
            *)      what="shared: host $host" ;;
        esac
        check "$what exits 0 with no sanitizer report" \
            sh -c '"$@" >"$0" 2>&1' "$out" "$dir/host_$host" --perf $order \
            "$dir/libtwo.so" "$dir/libthree.so" || sed 's/^/#   /' "$out"
        if [ "$order" = during ]; then
            got=$(calls_in "$out" "first run:")
            eval first_expect=\$reloaded_$host
            first_expect=${first_expect%two::work=7 }
            check "$what: objects loaded during a run are counted from the next run" \
                test "$got" = "$first_expect" || echo "#   got: $got"
        fi
        got=$(calls_in "$out" "run:")
        check "$what reports every counter of every object with exact calls" \
            test "$got" = "$expect" || echo "#   got: $got"
        got=$(calls_in "$out" "after dlclose:")
        check "$what still reports the dlclose'd objects' counters with their calls" \
            test "$got" = "$expect" || echo "#   got: $got"
        got=$(calls_in "$out" "reloaded:")
        eval expect=\$reloaded_$host
        check "$what: an object loaded again is counted in its old row, with no duplicate" \
            eval 'test "$got" = "$expect" && ! grep -q "two counters are named" "$out"' ||
            echo "#   got: $got"
    done
done
finish
