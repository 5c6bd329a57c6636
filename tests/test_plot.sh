#!/bin/sh
# lindperf-plot: the SVG is well-formed XML, holds one class="bar" rect per counter, gives
# each module one colour of its own, draws the whole call path (one class="node" rect per
# calling context, or per counter under its parent in files without a tree) with no node
# wider than what encloses it, marks self times below zero and estimates, makes a gross
# file's figures net, survives names full of markup and odd bytes, and refuses bad input
# with status 2.

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
nodes() { echo "//*[local-name()='rect'][@class='node']$1"; }
# An attribute of the first element matching $2, as a bare string.
attribute() { xpath "$1" "string($2)"; }

# One line per node of the call path: node, parent node (- for a root), x, width, total,
# self. Each rect is written on one line, so the attributes can be read with awk.
node_table() {
    grep '<rect class="node"' "$1" | awk '
        function attr(name) {
            if (!match($0, " " name "=\"[^\"]*\""))
                return "-"
            return substr($0, RSTART + length(name) + 3, RLENGTH - length(name) - 4)
        }
        { print attr("data-node"), attr("data-parent-node"), attr("x"), attr("width"),
                attr("data-total"), attr("data-self") }'
}
# Children sit side by side inside their parent, from its left edge: together never wider
# than it, never past its right end (0.01 px of rounding each). A chart with no child node
# fails, so that a broken reader cannot pass.
nested() {
    node_table "$1" | awk '
        { x[$1] = $3; w[$1] = $4; if ($2 != "-") { sum[$2] += $4; end[$2] = $3 + $4; n[$2]++ } }
        END { for (p in n) if (sum[p] > w[p] + 0.01 * n[p] || end[p] > x[p] + w[p] + 0.01 * n[p])
                  { print "# node " p " is narrower than its children"; exit 1 }
              if (length(n) == 0) { print "# no node has a parent"; exit 1 } }'
}
# The self times under root $2 add up to no more than its total; those below zero count 0.
selfs_within_root() {
    node_table "$1" | awk -v root="$2" '
        { parent[$1] = $2; self[$1] = $6; total[$1] = $5; order[NR] = $1 }
        function under(k) { while (k != "-" && k != root) k = parent[k]; return k == root }
        END { for (i = 1; i <= NR; i++)
                  if (under(order[i]) && self[order[i]] > 0) { sum += self[order[i]]; n++ }
              if (n < 2) { print "# fewer than two self times under node " root; exit 1 }
              if (sum > total[root] * 1.000001)
                  { print "# selfs " sum " > root " total[root]; exit 1 } }'
}

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
for name in lind_boot::load_main_module lind_boot::invoke_func \
            lind_common::add_to_linker::make-syscall threei::make_syscall rawposix::close_syscall \
            fdtables::close_virtualfd; do
    check "$name has its bar" equals "$(count "$svg" "$(rects bar)[@data-counter='$name']")" 1
done
consistent=1
for module in lind_boot lind_common threei rawposix fdtables; do
    fill_count=$(fills "$svg" "//*[local-name()='rect'][@data-module='$module']" | wc -l)
    [ "$fill_count" -eq 1 ] || consistent=0
done
check "each module's bars and nodes share one fill" equals $consistent 1
check "five modules get five different fills" equals "$(fills "$svg" "$(rects bar)" | wc -l)" 5
check "bar values carry their unit" \
    equals "$(count "$svg" "//*[local-name()='text'][.='94.274ns']")" 1
check "the axis names its scale" grep -q "logarithmic axis" "$svg"
check "the call path has one node per counter, under its parent (6)" \
    equals "$(count "$svg" "$(nodes)")" 6
check "threei is drawn under make-syscall" \
    equals "$(attribute "$svg" "$(nodes "[@data-counter='threei::make_syscall']/@data-parent")")" \
    lind_common::add_to_linker::make-syscall
check "a gross file's call path is made net, and says so" \
    grep -q "Figures are net: the file is gross" "$svg"
check "threei's self time is net (90.815ms - 1e6 x 22.3ns - close's 0 net)" \
    equals "$(attribute "$svg" "$(nodes "[@data-counter='threei::make_syscall']/@data-self")")" \
    68515000.000
check "and the table shows it (as its total too: close's net is 0)" \
    equals "$(count "$svg" "//*[local-name()='text'][.='68.515ms']")" 2
check "no node is wider than its parent" nested "$svg"
check "the self times under the root add up to no more than its total" selfs_within_root "$svg" 1
check "nothing says self times exceed the root" sh -c '! grep -q "more than the root" "$1"' - "$svg"

# The gross run that once showed "self times add up to 74.448ms, more than the root's
# 20.128ms": each child's gross total carries a floor per call. Net, the selfs are
# 2.428ms + 10ms + 7.7ms, the root's 20.128ms exactly.
cat >"$tmp/gross.json" <<'EOF'
{"schema": 1, "unit": "ns", "empty_scope": 22.3, "net": false, "counters": [
 {"module": "r", "name": "r::root", "calls": 1, "total": 20128000, "avg": 20128000,
  "parent": null},
 {"module": "a", "name": "a::child", "calls": 1000000, "total": 40000000, "avg": 40,
  "parent": "r::root"},
 {"module": "b", "name": "b::grandchild", "calls": 1000000, "total": 30000000, "avg": 30,
  "parent": "a::child"}]}
EOF
check "a gross run whose children outweigh the root in gross is plotted" plot_ok "$tmp/gross.json"
check "its self times, net, add up to no more than the root" selfs_within_root "$svg" 0
check "and none of them is below zero" equals "$(count "$svg" "//*[@class='negative-self']")" 0
check "the root's self time is 20.128ms - 22.3ns - 17.7ms" \
    equals "$(attribute "$svg" "$(nodes "[@data-counter='r::root']/@data-self")")" 2427977.700

sed '/"empty_scope"/d' "$data/close-base.json" >"$tmp/gross-no-floor.json"
check "a gross run that names no empty scope is plotted" plot_ok "$tmp/gross-no-floor.json"
check "it says plainly that gross figures include the timer's cost" \
    grep -q "Figures are gross: each includes the timer&apos;s own cost" "$svg"
check "its children still fit inside their parents" nested "$svg"
sed '/"net"/d' "$data/close-base.json" >"$tmp/net-not-said.json"
check "a run that does not say whether it is net is plotted" plot_ok "$tmp/net-not-said.json"
check "it is drawn as written, and says so" \
    grep -q "does not say whether its figures are net" "$svg"

check "a run without parents is plotted" plot_ok "$data/close-cycles.json"
check "a run without parents has only roots in its call path" \
    equals "$(count "$svg" "$(nodes "[@data-parent-node]")")" 0
check "cycles are labelled as cycles" \
    equals "$(count "$svg" "//*[local-name()='text'][.='208.875cyc']")" 1

check "names with markup, control bytes and broken surrogates are plotted" \
    plot_ok "$data/odd-names.json"
check "their SVG is still well-formed XML" xmllint --noout "$svg"
check "their six counters have six bars" equals "$(count "$svg" "$(rects bar)")" 6
check "markup in a name is text, not elements" \
    equals "$(count "$svg" \
        "$(rects bar)[@data-counter=concat('m<&>::', '\"quoted\" ', \"'apos'\")]")" 1
check "a loop among parents is reported, not followed" grep -q "^lindperf: note: .*loop" "$tmp/err"

echo '{"schema": 1, "unit": "ns", "counters": []}' >"$tmp/empty.json"
check "a run that reached no counter is plotted" plot_ok "$tmp/empty.json"
check "an empty run's SVG is well-formed and has no bars" equals "$(count "$svg" "$(rects bar)")" 0

"$plot" "$data/invalid.json" -o "$tmp/x.svg" 2>"$tmp/err"
check "invalid JSON is refused with status 2 and a lindperf: message" \
    sh -c '[ "$1" -eq 2 ] && grep -q "^lindperf: .*invalid JSON" "$2"' - $? "$tmp/err"
check "no SVG is left for invalid input" test ! -e "$tmp/x.svg"
"$plot" "$data/close-base.json" 2>"$tmp/err"
check "a missing -o is refused with status 2" \
    sh -c '[ "$1" -eq 2 ] && grep -q "^lindperf: " "$2"' - $? "$tmp/err"
"$plot" "$data/close-base.json" -o "$tmp/no/such/dir/x.svg" 2>"$tmp/err"
check "an unwritable output is refused with status 2" \
    sh -c '[ "$1" -eq 2 ] && grep -q "^lindperf: cannot write" "$2"' - $? "$tmp/err"

# A call path with a self time below zero (the children outweigh the root: 80 + 50 > 100)
# and an estimated node. The children are scaled to fit the root, 80:50 of its 928 px.
cat >"$tmp/negative.json" <<'EOF'
{"schema": 1, "unit": "ns", "net": true, "counters": [
 {"module": "r", "name": "r::root", "calls": 2, "total": 100, "avg": 50, "parent": null},
 {"module": "a", "name": "a::left", "calls": 4, "total": 80, "avg": 20, "parent": "r::root"},
 {"module": "b", "name": "b::right", "calls": 6, "total": 50, "avg": 8.333, "parent": "r::root"}],
 "tree": [
 {"id": 0, "parent": null, "name": "r::root", "calls": 2, "total": 100, "self": -30,
  "time": "exact"},
 {"id": 1, "parent": 0, "name": "a::left", "calls": 4, "total": 80, "self": 80, "time": "exact"},
 {"id": 2, "parent": 0, "name": "b::right", "calls": 6, "total": 50, "self": 50,
  "time": "estimated"}]}
EOF
check "a call path with a self time below zero is plotted" plot_ok "$tmp/negative.json"
check "its SVG is well-formed XML" xmllint --noout "$svg"
root_node=$(nodes "[@data-counter='r::root']/@data-node")
check "the node below zero is marked, once" \
    equals "$(count "$svg" "//*[@class='negative-self'][@data-node=$root_node]")" 1
check "its self time is kept as it is, not clamped" \
    equals "$(attribute "$svg" "$(nodes "[@data-counter='r::root']/@data-self")")" -30.000
widths="$(attribute "$svg" "$(nodes "[@data-counter='a::left']/@width")")"
widths="$widths $(attribute "$svg" "$(nodes "[@data-counter='b::right']/@width")")"
check "its children fill it, 80:50, so its self time is drawn as zero width" \
    equals "$widths" "571.077 356.923"
check "its table row says ~0" equals "$(count "$svg" "//*[local-name()='text'][.='~0']")" 1
check "the mark is explained" grep -q "its self time is below zero, drawn as zero width" "$svg"
check "the estimated node says so in its markup" \
    equals "$(attribute "$svg" "$(nodes "[@data-counter='b::right']/@data-time")")" estimated
check "and in the table, before its total and self" \
    equals "$(count "$svg" "//*[local-name()='text'][.='≈50.000ns']")" 2

sed 's/"id": 2, "parent": 0/"id": 2, "parent": 7/' "$tmp/negative.json" >"$tmp/orphan.json"
"$plot" "$tmp/orphan.json" -o "$tmp/orphan.svg" 2>"$tmp/err"
check "a node whose parent is not an earlier node is refused with status 2" \
    sh -c '[ "$1" -eq 2 ] && grep -q "^lindperf: .*node 3 has a \"parent\" that is not" "$2"' \
    - $? "$tmp/err"
check "no SVG is left for it" test ! -e "$tmp/orphan.svg"

# Schema 2 (docs/design.md) is read once the tools know it; until then it is refused.
sed 's/"schema": 1, "unit": "ns"/"schema": 2, "unit": "ns", "mode": "batched", "repetitions": 1/
     s/"avg": 20,/"avg": 20, "samples": [{"gross": 20, "net": 20, "p50": null}],/' \
    "$tmp/negative.json" >"$tmp/schema2.json"
if plot_ok "$tmp/schema2.json" || ! grep -q "uses results schema 2" "$tmp/err"; then
    check "a schema-2 file is plotted, with its call path" \
        equals "$(count "$svg" "$(nodes)") $(count "$svg" "//*[@class='negative-self']")" "3 1"
else
    echo "# skipped the schema-2 check: this lindperf-run.h reads schema 1 only"
fi

# A real run of the example host (built by make test): one bar per counter it reached,
# and the whole calling-context tree. pipe's fdtables::translate_virtualfd is called once
# per read and once per write, so it is drawn under both, with 20,000 calls each. The
# counter count comes from lindperf-compare reading the same file ("0 of N counters").
host=$OUT/lind-boot-perf
under() {   # the calls of $1's node whose parent is $2's node
    parent_node=$(nodes "[@data-counter='$2']/@data-node")
    attribute "$svg" "$(nodes "[@data-counter='$1'][@data-parent-node=$parent_node]/@data-calls")"
}
if [ -x "$host" ]; then
    "$host" --perf --perf-tree --perf-json="$tmp/real.json" pipe --iterations 20000 \
        >/dev/null 2>"$tmp/host.err"
    check "the example host writes a results file" test -s "$tmp/real.json" ||
        sed 's/^/#   /' "$tmp/host.err"
    counters=$("$OUT/lindperf-compare" "$tmp/real.json" "$tmp/real.json" 2>/dev/null |
               sed -n 's/.*: 0 of \([0-9]*\) counters.*/\1/p')
    check "a real run is plotted" plot_ok "$tmp/real.json"
    check "the real run's SVG is well-formed XML" xmllint --noout "$svg"
    check "the real run has one bar per counter (${counters:-?})" \
        equals "$(count "$svg" "$(rects bar)")" "${counters:-none}"
    contexts=$(grep -c '"id": ' "$tmp/real.json")
    check "the real run has one node per calling context ($contexts)" \
        equals "$(count "$svg" "$(nodes)")" "$contexts"
    check "translate_virtualfd is drawn twice" \
        equals "$(count "$svg" "$(nodes "[@data-counter='fdtables::translate_virtualfd']")")" 2
    check "once under read_syscall, with 20000 calls" \
        equals "$(under fdtables::translate_virtualfd rawposix::read_syscall)" 20000
    check "once under write_syscall, with 20000 calls" \
        equals "$(under fdtables::translate_virtualfd rawposix::write_syscall)" 20000
    callers="$(under rawposix::read_syscall threei::make_syscall)"
    callers="$callers $(under rawposix::write_syscall threei::make_syscall)"
    check "read and write are both under make_syscall, 20000 calls each" \
        equals "$callers" "20000 20000"
    check "the real run's nodes fit inside their parents" nested "$svg"
    check "the real run's call path says its figures are net" grep -q "Figures are net" "$svg"
    "$host" --perf --perf-only='rawposix::*' --perf-json="$tmp/only.json" pipe \
        --iterations 2000 >/dev/null 2>&1
    check "a run with untimed contexts (--perf-only, \"time\": null) is plotted" \
        plot_ok "$tmp/only.json"
else
    echo "# skipped the real-run checks: $host is not built (make lind-boot-perf)"
fi

finish
