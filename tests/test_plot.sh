#!/bin/sh
# lindperf-plot: the SVG is well-formed XML, holds one class="bar" rect per counter, gives
# each module one colour of its own, draws the call path when parents are known, survives
# names full of markup and odd bytes, and refuses bad input with status 2.

. "$(dirname "$0")/lib.sh"
data=$root/tests/data
plot=$OUT/lindperf-plot

# xmllint evaluates the XPath; local-name() because the elements are in the SVG namespace.
xpath() { xmllint --xpath "$2" "$1" 2>/dev/null; }
count() { xpath "$1" "count($2)"; }
rects() { echo "//*[local-name()='rect'][@class='$1']"; }
# The distinct fills of the rects matching $2, one a line.
fills() { xpath "$1" "$2/@fill" | tr ' ' '\n' | grep '^fill=' | sort -u; }
equals() { [ "$1" = "$2" ]; }

plot_ok() {
    svg=$tmp/$(basename "$1" .json).svg
    "$plot" "$1" -o "$svg" 2>"$tmp/err"
}

if [ ! -x "$plot" ]; then
    echo "not ok - $plot is built (make tools OUT=$OUT)"
    exit 1
fi
if ! command -v xmllint >/dev/null; then
    echo "not ok - xmllint is installed (apt-get install libxml2-utils, or make test-deps)"
    exit 1
fi

check "the close run is plotted" plot_ok "$data/close-base.json"
check "the SVG is well-formed XML" xmllint --noout "$svg"
check "the root element is an svg" equals "$(xpath "$svg" "name(/*)")" svg
check "one bar per counter (6)" equals "$(count "$svg" "$(rects bar)")" 6
for name in lind_boot::load_main_module lind_boot::invoke_func lind_common::add_to_linker::make-syscall \
            threei::make_syscall rawposix::close_syscall fdtables::close_virtualfd; do
    check "$name has its bar" equals "$(count "$svg" "$(rects bar)[@data-counter='$name']")" 1
done
consistent=1
for module in lind_boot lind_common threei rawposix fdtables; do
    [ "$(fills "$svg" "//*[local-name()='rect'][@data-module='$module']" | wc -l)" -eq 1 ] || consistent=0
done
check "each module's bars and segments share one fill" equals $consistent 1
check "five modules get five different fills" equals "$(fills "$svg" "$(rects bar)" | wc -l)" 5
check "bar values carry their unit" equals "$(count "$svg" "//*[local-name()='text'][.='94.274ns']")" 1
check "the axis names its scale" grep -q "logarithmic axis" "$svg"
check "the call path is one stacked segment per counter under the root (5)" \
    equals "$(count "$svg" "$(rects segment)")" 5
check "threei's self time per call of the root is shown (90.815ms - 21.255ms)" \
    equals "$(count "$svg" "//*[local-name()='text'][.='69.560ms']")" 1

check "a run without parents is plotted" plot_ok "$data/close-cycles.json"
check "a run without parents has no call path" equals "$(count "$svg" "$(rects segment)")" 0
check "cycles are labelled as cycles" equals "$(count "$svg" "//*[local-name()='text'][.='208.875cyc']")" 1

check "names with markup, control bytes and broken surrogates are plotted" plot_ok "$data/odd-names.json"
check "their SVG is still well-formed XML" xmllint --noout "$svg"
check "their six counters have six bars" equals "$(count "$svg" "$(rects bar)")" 6
check "markup in a name is text, not elements" \
    equals "$(count "$svg" "$(rects bar)[@data-counter=concat('m<&>::', '\"quoted\" ', \"'apos'\")]")" 1
check "a loop among parents is reported, not followed" grep -q "^lindperf: note: .*loop" "$tmp/err"

echo '{"schema": 1, "unit": "ns", "counters": []}' >"$tmp/empty.json"
check "a run that reached no counter is plotted" plot_ok "$tmp/empty.json"
check "an empty run's SVG is well-formed and has no bars" equals "$(count "$svg" "$(rects bar)")" 0

"$plot" "$data/invalid.json" -o "$tmp/x.svg" 2>"$tmp/err"
check "invalid JSON is refused with status 2 and a lindperf: message" \
    sh -c '[ "$1" -eq 2 ] && grep -q "^lindperf: .*invalid JSON" "$2"' - $? "$tmp/err"
check "no SVG is left for invalid input" test ! -e "$tmp/x.svg"
"$plot" "$data/close-base.json" 2>"$tmp/err"
check "a missing -o is refused with status 2" sh -c '[ "$1" -eq 2 ] && grep -q "^lindperf: " "$2"' - $? "$tmp/err"
"$plot" "$data/close-base.json" -o "$tmp/no/such/dir/x.svg" 2>"$tmp/err"
check "an unwritable output is refused with status 2" \
    sh -c '[ "$1" -eq 2 ] && grep -q "^lindperf: cannot write" "$2"' - $? "$tmp/err"

# A real run of the example host (built by make test): one bar per counter it reached.
# The counter count comes from lindperf-compare reading the same file ("0 of N counters").
host=$OUT/lind-boot-perf
if [ -x "$host" ]; then
    "$host" --perf --perf-detail --perf-json="$tmp/real.json" close --iterations 10000 >/dev/null 2>"$tmp/host.err"
    check "the example host writes a results file" test -s "$tmp/real.json" || sed 's/^/#   /' "$tmp/host.err"
    counters=$("$OUT/lindperf-compare" "$tmp/real.json" "$tmp/real.json" 2>/dev/null | sed -n 's/.*: 0 of \([0-9]*\) counters.*/\1/p')
    check "a real run is plotted" plot_ok "$tmp/real.json"
    check "the real run's SVG is well-formed XML" xmllint --noout "$svg"
    check "the real run has one bar per counter (${counters:-?})" equals "$(count "$svg" "$(rects bar)")" "${counters:-none}"
else
    echo "# skipped the real-run checks: $host is not built (make lind-boot-perf)"
fi

finish
