#!/bin/sh
# make bench-scale: one line per figure of lindperf at scale (see bench/scale.c).
#   bench/scale.sh DIR     DIR holds scale-100000 and scale-10000, built by mk/bench.mk
# Exits nonzero when a figure misses its target or a check fails.
dir=${1:?usage: bench/scale.sh DIR}
many=$dir/scale-100000
threaded=$dir/scale-10000
status=0

over() {   # over VALUE LIMIT: VALUE > LIMIT
    awk -v v="$1" -v l="$2" 'BEGIN { exit !(v > l) }'
}

line=$("$many" startup) || status=1
echo "$line"
over "$(echo "$line" | sed 's/.*: \([0-9.]*\) s .*/\1/')" 1 && status=1

{ "$threaded" discovery && "$many" discovery; } > "$dir/discovery.out" || status=1
cat "$dir/discovery.out"
extras=$(sed -n 's/^discovery memory:.*: +\([0-9.]*\) MB peak RSS.*/\1/p' "$dir/discovery.out")
for extra in $extras; do
    over "$extra" 64 && status=1
done
# Every nest's enclosures, every run: a table that could not be allocated loses them.
grep '^discovery memory:' "$dir/discovery.out" |
    grep -v ' \([0-9]*\) of \1 enclosures found' >/dev/null && status=1

line=$("$threaded" threads 4096) || status=1
echo "$line"
over "$(echo "$line" | sed 's/.*RSS \([0-9.]*\) MB.*/\1/')" 200 && status=1

"$threaded" failure 64 > "$dir/failure.out" 2> "$dir/failure.err" || status=1
told=$(grep '^lindperf: the system refused memory' "$dir/failure.err")
if [ -n "$told" ]; then
    echo "$(cat "$dir/failure.out"); reported: $told"
else
    echo "$(cat "$dir/failure.out"); NOT reported"; status=1
fi
exit $status
