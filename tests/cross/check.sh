#!/bin/sh
# What make check-cross runs, once mk/cross.mk has built every platform into $CROSS_OUT:
# per platform, its cmocka tests (the ones listed in $CROSS_OUT/PLATFORM/tests; mk/cross.mk
# says which and why), the example host's report in both builds, the counter that --perftsc
# reads as the disassembly shows it, and that the build without LIND_PERF compiles to the
# same code as no instrumentation (tests/test_off_build.sh, with each compiler).
# Under qemu, five test_report tests are skipped by name (AARCH64_NOT_IN_TICKS): their
# expected text is x86's, in cycles; test_platform checks the same lines in ticks. So is the
# one test of the suite that compares the times of two runs (recursion's bound).
# Emulated figures are checked for sanity only (a plausible rate), never for size.

. "$(dirname "$0")/../lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
LC_ALL=C
export LC_ALL
CROSS_OUT=${CROSS_OUT:-$OUT/cross}
CROSS_PLATFORMS=${CROSS_PLATFORMS:-aarch64 i686-gcc i686-clang musl}
WIDTH=97
AARCH64_NOT_IN_TICKS=tsc_report_prints_cycles_and_keeps_avg_decimals
AARCH64_NOT_IN_TICKS=$AARCH64_NOT_IN_TICKS,timer_line_gives_the_range_of_the_runs_floors
AARCH64_NOT_IN_TICKS=$AARCH64_NOT_IN_TICKS,values_that_round_to_1000_move_to_the_next_unit
AARCH64_NOT_IN_TICKS=$AARCH64_NOT_IN_TICKS,cycle_values_scale_through_cyc_to_tcyc
AARCH64_NOT_IN_TICKS=$AARCH64_NOT_IN_TICKS,average_is_the_exact_quotient
# ... and one that compares two runs' times, which emulation does not keep in proportion
AARCH64_NOT_IN_TICKS=$AARCH64_NOT_IN_TICKS,a_recursive_counter_counts_its_time_once
SYSCALL_PATH="lind_common::add_to_linker::make-syscall threei::make_syscall"
SYSCALL_PATH="$SYSCALL_PATH rawposix::close_syscall fdtables::close_virtualfd"
# A floor, or the range of the runs' floors, on the timer line, and how it ends: how many
# timed runs, and whether batched
RANGE='[0-9.]+( to [0-9.]+)?'
RUNS='; [0-9]+ timed runs?, (batched|solo)'

# --- the suite ---
# suite P RUN...: the test programs of platform P, through RUN (empty, or the emulator)
suite() {
    platform=$1
    shift
    [ -s "$CROSS_OUT/$platform/tests" ] ||
        { not_ok "$platform: no list of tests; run make check-cross"; return; }
    for name in $(cat "$CROSS_OUT/$platform/tests"); do
        t=$CROSS_OUT/$platform/test/$name
        echo "# $platform: $name"
        "$@" "$t" >"$tmp/suite.log" 2>&1
        status=$?
        cat "$tmp/suite.log"
        [ "$status" -eq 0 ] && continue
        failed=1
        grep -q '^\[  FAILED  \] [0-9]' "$tmp/suite.log" ||
            not_ok "$platform: $name exited with status $status without naming a failed test"
    done
}

# --- the example host ---
# save FILE CMD...: CMD's stdout in FILE, its stderr in FILE.err
save() { file=$1; shift; "$@" >"$file" 2>"$file.err"; }

sections() { awk '/^-+[A-Z][A-Z-]*-+$/ { s = $0; gsub(/^-+|-+$/, "", s); printf "%s ", s }' "$1"; }
calls_of() { awk -v n="$2" '$1 == n && NF >= 4 { print $2 }' "$1"; }

# expect_calls REPORT "name=calls ...": the exact count of each row
expect_calls() {
    for pair in $2; do
        got=$(calls_of "$1" "${pair%=*}")
        [ "$got" = "${pair#*=}" ] ||
            { echo "# ${pair%=*} has '$got' calls, not ${pair#*=}"; return 1; }
    done
}

table_lines_are_97_columns() {
    sed "s/$(printf '\302\265')/u/g" "$1" | awk -v w="$WIDTH" '
        /^-+[A-Z][A-Z-]*-+$/ { t = 1 }
        t && /^$/ { t = 0 }
        t { n++; if (length($0) != w) bad++ }
        END { exit !(n > 0 && bad == 0) }'
}

# Every total and avg of a table row is a number in UNIT, scaled: "3.440Ktick", "250.000cyc".
values_are_in() {
    awk -v unit="$2" '
        /::/ && NF == 4 { n++
            for (i = 3; i <= 4; i++)
                if ($i !~ "^[0-9]+\\.[0-9][0-9][0-9][KMGT]?" unit "$") { bad++; print "# " $i } }
        END { exit !(n > 0 && bad == 0) }' "$1"
}

# A rate is only checked for sanity under emulation: from 1 MHz to 10 GHz.
plausible_rate() {
    sed -n "s/^timer: $1 \([0-9.]*\) $2 .*/\1/p" "$3" |
        awk -v scale="$4" '{ hz = $1 * scale; print "# " hz " Hz"; ok = hz >= 1e6 && hz <= 1e10 }
            END { exit !ok }'
}

exits_2_saying() {
    want=$1
    shift
    "$@" >"$tmp/exit2.out" 2>"$tmp/exit2.err"
    status=$?
    [ "$status" -eq 2 ] && grep -q "^lindperf: $want" "$tmp/exit2.err" ||
        { echo "# status $status:"; sed 's/^/#   /' "$tmp/exit2.err"; return 1; }
}

# host P RUN...: the example host of platform P
host() {
    p=$1
    shift
    perf=$CROSS_OUT/$p/lind-boot-perf
    plain=$CROSS_OUT/$p/lind-boot
    r=$tmp/$p
    case $p in
        aarch64) counter="generic timer cntvct_el0" hz_unit=MHz scale=1e6 unit=ticks symbol=tick
                 json_timer=cntvct source='\(cntfrq_el0\)' ;;
        *)       counter="tsc" hz_unit=GHz scale=1e9 unit=cycles symbol=cyc
                 json_timer=tsc source='\([^)]+\)' ;;
    esac

    check "$p: close --perf exits 0" save "$r.close" "$@" "$perf" --perf close --iterations 1000
    what="$p: close --perf: the sections are LIND-BOOT, LIND-COMMON, THREEI, RAWPOSIX,"
    check "$what FDTABLES in order" \
        test "$(sections "$r.close")" = "LIND-BOOT LIND-COMMON THREEI RAWPOSIX FDTABLES "
    calls="$(printf '%s=1000 ' $SYSCALL_PATH) lind_boot::load_main_module=1"
    check "$p: close --perf: every syscall-path counter has exactly 1000 calls, lind_boot's one" \
        expect_calls "$r.close" "$calls lind_boot::invoke_func=1"
    check "$p: close --perf: every table line is $WIDTH columns" \
        table_lines_are_97_columns "$r.close"
    check "$p: close --perf: the timer line names CLOCK_MONOTONIC" \
        grep -Eq "^timer: clock CLOCK_MONOTONIC; empty scope $RANGE ns; figures gross$RUNS\$" \
            "$r.close"

    check "$p: pipe --perf exits 0" save "$r.pipe" "$@" "$perf" --perf pipe --iterations 1000
    what="$p: pipe --perf: a write and a read per call, one copy between cages,"
    check "$what setup counted once" \
        expect_calls "$r.pipe" "lind_common::add_to_linker::make-syscall=2000 \
            threei::make_syscall=2000 threei::copy_data_between_cages=1000 \
            rawposix::write_syscall=1000 rawposix::read_syscall=1000 \
            fdtables::translate_virtualfd=2000 rawposix::pipe_syscall=1 \
            fdtables::get_unused_virtualfd=2"

    check "$p: close --perftsc exits 0" \
        save "$r.tsc" "$@" "$perf" --perftsc "--perf-json=$r.json" close --iterations 1000
    check "$p: close --perftsc: every syscall-path counter has exactly 1000 calls" \
        expect_calls "$r.tsc" "$(printf '%s=1000 ' $SYSCALL_PATH)"
    line="^timer: $counter [0-9]+\.[0-9]{3} $hz_unit $source;"
    line="$line empty scope $RANGE $unit = $RANGE ns; figures gross$RUNS\$"
    what="$p: close --perftsc: the timer line names $counter,"
    check "$what its rate and where the rate came from" \
        grep -Eq "$line" "$r.tsc" ||
        sed 's/^/#   /' "$r.tsc" | head -3
    check "$p: close --perftsc: the rate is plausible" \
        plausible_rate "$counter" "$hz_unit" "$r.tsc" "$scale"
    check "$p: close --perftsc: totals and averages are in $symbol" values_are_in "$r.tsc" "$symbol"
    check "$p: close --perftsc: every table line is $WIDTH columns" \
        table_lines_are_97_columns "$r.tsc"
    check "$p: close --perftsc: the JSON says timer $json_timer, unit $unit" \
        sh -c "grep -q '^  \"timer\": \"$json_timer\",\$' '$r.json' &&
               grep -q '^  \"unit\": \"$unit\",\$' '$r.json'"

    # A tick of 1 us outlasts any empty scope, even an emulated one.
    warning="lindperf: one tick of the $counter (1.000 MHz) lasts 1000.0 ns,"
    warning="$warning longer than an empty scope"
    what="$p: LINDPERF_TSC_HZ=1000000 --perftsc: a tick coarser than an empty scope"
    check "$what is warned about" \
        sh -c "LINDPERF_TSC_HZ=1000000 $* '$perf' --perftsc close --iterations 100 \
                   >'$r.coarse' 2>'$r.coarse.err' &&
               grep -q '$warning' '$r.coarse.err' &&
               grep -q '^timer: $counter .* (LINDPERF_TSC_HZ); ' '$r.coarse'"
    check "$p: LINDPERF_TSC_HZ=fast --perftsc: status 2 and a lindperf: line" \
        exits_2_saying "LINDPERF_TSC_HZ=fast is not a rate" \
            env LINDPERF_TSC_HZ=fast "$@" "$perf" --perftsc close

    check "$p: the build without LIND_PERF runs pipe and prints its one-line summary" \
        sh -c "$* '$plain' pipe --iterations 100 2>/dev/null |
               grep -q '^pipe: 100 iterations, 200 syscalls in '"
    check "$p: the build without LIND_PERF refuses --perf with status 2" \
        exits_2_saying "--perf needs a build with -DLIND_PERF" "$@" "$plain" --perf close
}

# --- the disassembly ---
# instructions OBJDUMP BINARY FUNCTION: the mnemonics and operands of one function
instructions() {
    "$1" -d --no-show-raw-insn "$2" |
        awk -v f="<$3>:" '$2 == f { on = 1; next } on && /^$/ { exit } on'
}

aarch64_reads_the_generic_timer() {
    d=aarch64-linux-gnu-objdump
    instructions $d "$CROSS_OUT/aarch64/lind-boot-perf" fdtables_close_virtualfd >"$tmp/a64.close"
    [ "$(grep -Ec 'mrs[[:space:]]+x[0-9]+, cntvct_el0' "$tmp/a64.close")" -eq 2 ] &&
    grep -q 'isb' "$tmp/a64.close" &&
    instructions $d "$CROSS_OUT/aarch64/lind-boot-perf" lindperf_tsc_hz |
        grep -Eq 'mrs[[:space:]]+x[0-9]+, cntfrq_el0' &&
    ! $d -d "$CROSS_OUT/aarch64/lind-boot" | grep -q 'cntvct_el0'
}

# i686: rdtsc and rdtscp in a scope; 64-bit figures moved whole (x87 or SSE, never two
# 32-bit halves by a libatomic call); the atomic add of the shared overflow is lock cmpxchg8b.
i686_reads_the_tsc_and_moves_64_bits_whole() {
    b=$CROSS_OUT/$1/lind-boot-perf
    atomic_call='call.*<__atomic_(load|store|fetch_add|add_fetch|compare_exchange|exchange)(_8)?>'
    instructions objdump "$b" fdtables_close_virtualfd >"$tmp/$1.close"
    grep -q 'rdtsc$' "$tmp/$1.close" && grep -q 'rdtscp' "$tmp/$1.close" &&
    grep -Eq 'fildll|fistpll|movq|movsd|movlps' "$tmp/$1.close" &&
    ! objdump -d "$b" | grep -Eq "$atomic_call" &&
    instructions objdump "$b" lindperf__record_rare | grep -q 'lock cmpxchg8b'
}

for p in $CROSS_PLATFORMS; do
    echo "# --- $p"
    case $p in
        aarch64)
            CROSS_CMOCKA_SKIP=$AARCH64_NOT_IN_TICKS suite aarch64 qemu-aarch64
            host aarch64 qemu-aarch64
            what="aarch64: a scope reads cntvct_el0 twice, after an isb; the rate is read from"
            check "$what cntfrq_el0; the off build reads neither" \
                aarch64_reads_the_generic_timer ;;
        i686-gcc | i686-clang)
            suite "$p"
            host "$p"
            what="$p: a scope reads rdtsc and rdtscp, 64-bit figures move whole,"
            check "$what the shared add is lock cmpxchg8b, no libatomic call" \
                i686_reads_the_tsc_and_moves_64_bits_whole "$p" ;;
        musl)
            suite musl
            host musl ;;
    esac
done

# The header under check.mk's strictest warnings (CROSS_STRICT_WARN, from its MATRIX_WARN),
# both builds, with every cross compiler; clang for aarch64 is compiled only.
strict_clean() {
    for mode in -DLIND_PERF -ULIND_PERF; do
        for f in matrix_module.c matrix_host.c; do
            "$@" -std=c11 -O2 $mode $CROSS_STRICT_WARN -I"$root/include" -I"$root/tests/matrix" \
                -c -o "$tmp/strict.o" "$root/tests/matrix/$f" || return 1
        done
    done
}
echo "# --- the strict warnings"
if [ -z "$CROSS_STRICT_WARN" ]; then
    not_ok "the strict warnings: CROSS_STRICT_WARN is empty; run make check-cross"
else
    for cc in aarch64-linux-gnu-gcc "clang --target=aarch64-linux-gnu" i686-linux-gnu-gcc \
              "clang --target=i686-linux-gnu" musl-gcc; do
        what="$cc: the header compiles clean under check.mk's strict warnings,"
        check "$what with and without LIND_PERF" \
            strict_clean $cc
    done
fi

# The off build's identity. For aarch64, the objdump and nm on PATH are its own, and its
# programs run under qemu.
# off_build P CC...: tests/test_off_build.sh under CC when platform P is checked
off_build() {
    case " $CROSS_PLATFORMS " in
        *" $1 "*) shift; CC="$*" sh "$root/tests/test_off_build.sh" || failed=1 ;;
    esac
}
echo "# --- the build without LIND_PERF"
mkdir -p "$tmp/aarch64-bin"
ln -s "$(command -v aarch64-linux-gnu-objdump)" "$tmp/aarch64-bin/objdump"
ln -s "$(command -v aarch64-linux-gnu-nm)" "$tmp/aarch64-bin/nm"
PATH=$tmp/aarch64-bin:$PATH RUN=qemu-aarch64 off_build aarch64 aarch64-linux-gnu-gcc -static
off_build i686-gcc i686-linux-gnu-gcc -static
off_build i686-clang clang --target=i686-linux-gnu -static
off_build musl musl-gcc -static

finish
