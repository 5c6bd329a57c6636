#!/bin/sh
# Every text file of the checkout has lines of at most 100 columns: a tab moves to the next
# multiple of 8, and a UTF-8 character takes one column.
#
# Not checked:
#   results and data (*.json, *.svg, the fuzzer's seeds): output, not text to reflow;
#   OUTPUT: golden text that tests compare with lindperf's output byte for byte, so its
#   lines are as wide as lindperf prints them (a "reached, but no scope ended..." line);
#   in *.md files, the lines of a fenced block marked as a sample of a program's output
#   (<!-- sample: COMMAND --> or <!-- sample-piped: COMMAND --> on the line before the
#   fence): tests/test_docs.sh compares them with what the command prints, so, like
#   OUTPUT, they are as wide as the program makes them. Every other line of a .md counts.
cd "$(dirname "$0")/../.." || exit 1
LIMIT=100
OUTPUT="tests/data/reports.txt"

files() {
    if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git ls-files
    else
        find . -type f ! -path './.git/*' ! -path './build/*' | sed 's|^\./||'
    fi
}

# Prints stdin with the lines of every sample block emptied, so that line numbers stay.
samples_blanked() {
    awk 'infence { if ($0 ~ "^" indent "```[ ]*$") infence = 0; print ""; next }
         /^ *```/ && marked { match($0, /^ */); indent = substr($0, 1, RLENGTH)
                              infence = 1; marked = 0; print; next }
         { marked = ($0 ~ /^ *<!-- *(sample|sample-piped) *:.*-->[ ]*$/); print }'
}

long=$(files | while IFS= read -r f; do
    case "$f" in *.json|*.svg|tests/fuzz/corpus/*) continue ;; esac
    case " $(echo $OUTPUT) " in *" $f "*) continue ;; esac
    [ -f "$f" ] && grep -Iq . "$f" || continue   # binary or empty
    case "$f" in
        *.md) samples_blanked <"$f" ;;
        *)    cat "$f" ;;
    esac | expand -t 8 | LC_ALL=C awk -v f="$f" -v limit="$LIMIT" '
        { line = $0; gsub(/[\200-\277]/, "", line)
          if (length(line) > limit) printf "%s:%d: %d columns\n", f, NR, length(line) }'
done)

if [ -z "$long" ]; then
    echo "ok - every line is at most $LIMIT columns"
else
    printf '%s\n' "$long" | sed 's/^/#   /'
    echo "not ok - $(printf '%s\n' "$long" | wc -l) lines are wider than $LIMIT columns; reflow" \
        "them (see .clang-format for C)"
    exit 1
fi
