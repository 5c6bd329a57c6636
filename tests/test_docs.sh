#!/bin/sh
# The docs' own tests, over README.md and every docs/*.md, so that what a reader copies
# works as written:
#
#   1. Every C code block (```c) compiles with $CC -Wall -Wextra -Werror -Iinclude, both
#      with and without -DLIND_PERF. `make test` runs this once per compiler (gcc, clang).
#   2. The host flags are the same set in the header's manual ("Host flags"), the man page
#      (HOST FLAGS) and the README's flags table (the Markdown table rows that start with
#      a `--perf...` flag; while the README has no such table, it must mention each flag).
#      The sets are read from the files: a flag added to one place turns this red until
#      all three have it.
#   3. Every marked sample has the layout of what its command prints today.
#
# How to mark a block: an HTML comment on the line right before its fence (indented like
# the fence), invisible on the rendered page.
#
#   no marker                   a ```c block must be a whole program: it is compiled and
#                               linked. A block without main and without a marker fails,
#                               named by file and line.
#   <!-- fragment: module -->   a ```c block that is a source file of an instrumented
#                               module: compiled on its own (not linked).
#   <!-- fragment: host -->     a ```c block that is a host's source file, whose workload
#                               calls a stub: compiled, linked and run, with no argument in
#                               both builds and with --perf in the measuring one.
#   <!-- fragment: statements -->  a ```c block of statements: compiled as the body of a
#                               function, in a file that includes lindperf.h and
#                               <string.h> and defines the counters the block's scopes use.
#   <!-- sample: COMMAND -->    a block that shows what COMMAND prints on a terminal when
#                               it has finished: run from the checkout under a pty (script),
#                               so transient progress lines leave nothing. A first line
#                               "$ COMMAND" in the block is the prompt and is skipped.
#   <!-- sample-piped: COMMAND -->  the same, with stdout and stderr going to one pipe
#                               (what `COMMAND 2>&1 | less` shows).
#
# Fragments take the names their examples leave undefined (struct fdtable, run_program,
# ...) from tests/doc_fragments.h; it includes no system header, so a fragment that
# forgets an #include still fails. In a sample's COMMAND, build/ means the build under
# test ($OUT). A sample matches when it has the same lines in the same order, with every
# number (and its unit, and an "A to B" range) as a placeholder, and the same columns: the
# indentation, and where each cell that follows two or more spaces ends.
#
# Uses $OUT/lind-boot-perf and whatever the samples' commands name.

. "$(dirname "$0")/lib.sh"
LC_ALL=C
export LC_ALL
cd "$root" || exit 1
case $OUT in /*) ;; *) OUT=$root/$OUT ;; esac
docs="README.md $(ls docs/*.md 2>/dev/null)"
cflags="-O2 -Wall -Wextra -Werror -Iinclude -Itests"

# ---------------------------------------------------------------------------------------
# Extraction: one file per marked or C block under $tmp/blocks, and one index line each:
#   c     ID FILE LINE KIND        (KIND: program, module, host, statements, or the unknown
#                                   word that a marker gave)
#   sample ID FILE LINE MODE COMMAND...
#   stray FILE LINE                 a marker that is not right before a fence
mkdir -p "$tmp/blocks"
n=0
for doc in $docs; do
    n=$((n + 1))   # the block IDs of each doc start with its number, so that none is shared
    awk -v doc="$doc" -v dir="$tmp/blocks" -v first="$n" '
    function marker_of(line) {
        if (line ~ /^ *<!-- *(fragment|sample|sample-piped) *:.*-->[ ]*$/) {
            sub(/^ *<!-- */, "", line); sub(/ *-->[ ]*$/, "", line)
            return line
        }
        return ""
    }
    BEGIN { id = first * 1000 }
    infence {
        if ($0 ~ "^" indent "```[ ]*$") { infence = 0; close(out); next }
        line = $0
        if (substr(line, 1, length(indent)) == indent) line = substr(line, length(indent) + 1)
        print line > out
        next
    }
    /^ *```/ {
        match($0, /^ */); indent = substr($0, 1, RLENGTH)
        info = substr($0, RLENGTH + 4); sub(/[ ]+$/, "", info)
        m = prev_marker; prev_marker = ""
        kind = ""; mode = ""
        if (m ~ /^fragment *:/) { kind = m; sub(/^fragment *: */, "", kind) }
        else if (m != "") { mode = m; sub(/ *:.*/, "", mode); cmd = m; sub(/^[^:]*: */, "", cmd) }
        if (info == "c" || mode != "" || kind != "") {
            id++; out = dir "/" id; infence = 1
            if (mode != "") printf "sample %d %s %d %s %s\n", id, doc, NR, mode, cmd
            else if (info != "c") printf "stray %s %d\n", doc, NR - 1
            else printf "c %d %s %d %s\n", id, doc, NR, kind == "" ? "program" : kind
            printf "" > out
        } else {
            infence = 1; out = "/dev/null"
        }
        next
    }
    {
        if (prev_marker != "") printf "stray %s %d\n", doc, NR - 1
        prev_marker = marker_of($0)
        if (prev_marker != "") marker_line = NR
    }
    END { if (prev_marker != "") printf "stray %s %d\n", doc, marker_line }
    ' "$doc"
done >"$tmp/index"

while read -r what doc line; do
    [ -n "$what" ] || continue
    not_ok "$doc:$line: this marker is not on the line right before a code fence (a\
 fragment marker needs a \`\`\`c block); move it there or remove it"
done <<EOF
$(grep '^stray ' "$tmp/index")
EOF

# ---------------------------------------------------------------------------------------
# 1. C blocks

# unit ID DOC LINE KIND: writes the translation unit that holds block ID to $tmp/ID.c.
# The #line directives make the compiler's messages name the Markdown file and line.
unit() {
    id=$1 doc=$2 line=$3 kind=$4
    {
        case $kind in
            program) ;;
            statements)
                echo '#include "lindperf.h"'
                echo '#include <string.h>'
                echo '#include "doc_fragments.h"'
                w='[A-Za-z_0-9]*' counter='LINDPERF_COUNTER(\1, \2);'
                sed -n "s/.*LINDPERF_SCOPE *( *\($w\) *, *\($w\) *).*/$counter/p
                        s/.*LINDPERF_SCOPE_VAR *( *$w *, *\($w\) *, *\($w\) *).*/$counter/p" \
                    "$tmp/blocks/$id" | sort -u
                echo 'void lindperf_doc_statements(LINDPERF_DOC_STATEMENT_PARAMETERS);'
                echo 'void lindperf_doc_statements(LINDPERF_DOC_STATEMENT_PARAMETERS)'
                echo '{' ;;
            *)  echo '#include "doc_fragments.h"' ;;
        esac
        echo "#line $((line + 1)) \"$doc\""
        cat "$tmp/blocks/$id"
        case $kind in
            statements) echo '}' ;;
            host)       echo 'LINDPERF_DOC_STUB_DEFINITIONS' ;;
        esac
    } >"$tmp/$id.c"
}

# build ID KIND BUILD: compiles (and for a program or a host, links) $tmp/ID.c in BUILD.
build() {
    id=$1 kind=$2 build=$3
    case $build in perf) define=-DLIND_PERF ;; off) define= ;; esac
    case $kind in
        module|statements) $CC $cflags $define -c "$tmp/$id.c" -o "$tmp/$id-$build.o" ;;
        *) $CC $cflags $define "$tmp/$id.c" -o "$tmp/$id-$build" -lpthread ;;
    esac
}

# The stub workload returns at once, so a run takes the calibration's few milliseconds.
runs() {
    "$tmp/$1-off" && "$tmp/$1-perf" && "$tmp/$1-perf" --perf >/dev/null
}

while read -r what id doc line kind; do
    [ -n "$what" ] || continue
    where="$doc:$line"
    case $kind in
        program)
            if ! grep -q '\<main *(' "$tmp/blocks/$id"; then
                not_ok "$where: this C block is neither a whole program (it has no main)\
 nor marked as a fragment; put <!-- fragment: module|host|statements --> on the line\
 before its fence"
                continue
            fi ;;
        module|host|statements) ;;
        *)
            not_ok "$where: unknown fragment kind '$kind'; use module, host or statements"
            continue ;;
    esac
    unit "$id" "$doc" "$line" "$kind"
    for b in perf off; do
        check "$where: the $kind block compiles under $CC, $b build" quiet build "$id" "$kind" "$b"
    done
    [ "$kind" = host ] && [ -x "$tmp/$id-perf" ] && [ -x "$tmp/$id-off" ] &&
        check "$where: the host block runs with its stub workload, in both builds" quiet runs "$id"
done <<EOF
$(grep '^c ' "$tmp/index")
EOF

# ---------------------------------------------------------------------------------------
# 2. The host flags, from each place that lists them, one per line

# The entries of the manual's list: a line that starts with flags alone, then two spaces
# or its end. Wrapped prose that happens to start with a flag has more words after it.
header_flags() {
    awk '/^ \* Host flags/ { on = 1; next }
         on && /^ \*$/      { exit }
         on && /^ \*   --perf[^ ]*(, --perf[^ ]*)*(  |$)/ {
                              s = substr($0, 6); sub(/  .*/, "", s)
                              n = split(s, f, /, /); for (i = 1; i <= n; i++) print f[i] }' \
        include/lindperf.h | sort -u
}

# The tag line after each .TP of HOST FLAGS, as troff prints it: the alternating macros
# (.BR, .BI, ...) join their arguments, .B and .I separate them by a space.
man_flags() {
    awk '/^\.SH/            { on = ($0 ~ /^\.SH "?HOST FLAGS/); next }
         on && /^\.TP/      { tag = 1; next }
         on && tag          { tag = 0; s = $0; join = ""
                              if (s ~ /^\.[BIR] / || s !~ /^\./) join = " "
                              sub(/^\.[A-Z]+ */, "", s)
                              text = ""; sep = ""
                              while (s != "") {
                                  if (substr(s, 1, 1) == "\"") {
                                      s = substr(s, 2); k = index(s, "\"")
                                      if (k == 0) k = length(s) + 1
                                      t = substr(s, 1, k - 1); s = substr(s, k + 1)
                                  } else {
                                      k = index(s, " "); if (k == 0) k = length(s) + 1
                                      t = substr(s, 1, k - 1); s = substr(s, k)
                                  }
                                  text = text sep t; sep = join
                                  sub(/^ +/, "", s)
                              }
                              gsub(/\\-/, "-", text); gsub(/\\f[BIRP]/, "", text)
                              gsub(/\\&/, "", text)
                              n = split(text, f, /, /)
                              for (i = 1; i <= n; i++) if (f[i] ~ /^--perf/) print f[i] }' \
        packaging/lindperf.3.in | sort -u
}

# The `--perf...` code spans of every table cell that starts a row with one: the rows of
# a flags table, and not a row that merely mentions a flag.
readme_table_flags() {
    awk '/^\|/ { s = $0; gsub(/\\\|/, "", s); split(s, cell, "|"); c = cell[2]
                 if (c !~ /^ *`--perf/) next
                 while (match(c, /`[^`]*`/)) {
                     t = substr(c, RSTART + 1, RLENGTH - 2); c = substr(c, RSTART + RLENGTH)
                     if (t ~ /^--perf/) print t
                 } }' README.md | sort -u
}

header_flags >"$tmp/flags.header"
man_flags >"$tmp/flags.man"
readme_table_flags >"$tmp/flags.readme"

# where_missing FLAG: the places that lack FLAG, as " place, place"
where_missing() {
    {
        grep -qxF -- "$1" "$tmp/flags.header" || echo "the header manual (include/lindperf.h)"
        grep -qxF -- "$1" "$tmp/flags.man" || echo "the man page (packaging/lindperf.3.in)"
        grep -qxF -- "$1" "$tmp/flags.readme" || echo "the README flags table"
    } | paste -sd, - | sed 's/^./ &/; s/,/, /g'
}

flags_agree() {
    [ -s "$tmp/flags.header" ] ||
        { echo "# no flag found under 'Host flags' in include/lindperf.h"; return 1; }
    [ -s "$tmp/flags.man" ] ||
        { echo "# no flag found under HOST FLAGS in packaging/lindperf.3.in"; return 1; }
    sort -u "$tmp/flags.header" "$tmp/flags.man" "$tmp/flags.readme" >"$tmp/flags.all"
    disagree=0
    while read -r flag; do
        missing=$(where_missing "$flag")
        [ -n "$missing" ] && { echo "# $flag is missing from:$missing"; disagree=1; }
    done <"$tmp/flags.all"
    return $disagree
}

# Without a table the README still names each flag; a placeholder value (FILE) may differ.
readme_mentions_flags() {
    mentioned=0
    while read -r flag; do
        name=${flag%%=[A-Z]*}
        grep -qF -- "$name" README.md || { echo "# README.md never mentions $name"; mentioned=1; }
    done <"$tmp/flags.header"
    return $mentioned
}

if [ -s "$tmp/flags.readme" ]; then
    check "the host flags are the same $(wc -l <"$tmp/flags.header") in the header manual,\
 the man page and the README flags table" flags_agree
else
    cp "$tmp/flags.header" "$tmp/flags.readme"   # the README has no table to compare
    check "the host flags agree in the header manual and the man page" flags_agree
    check "the README mentions every host flag (it has no flags table yet)" readme_mentions_flags
fi

# ---------------------------------------------------------------------------------------
# 3. Samples

# screen FILE: what a terminal shows after the bytes in FILE: a carriage return goes back
# to the line's start, ESC [ K erases to its end, other escape sequences show nothing.
screen() {
    awk '{ out = ""; col = 0; s = $0
           while (s != "") {
               ch = substr(s, 1, 1)
               if (ch == "\r") { col = 0; s = substr(s, 2); continue }
               if (ch == "\033" && match(s, /^\033\[[0-9;?]*[A-Za-z]/)) {
                   if (substr(s, RLENGTH, 1) == "K") out = substr(out, 1, col)
                   s = substr(s, RLENGTH + 1); continue
               }
               while (length(out) < col) out = out " "
               out = substr(out, 1, col) ch substr(out, col + 2)
               col++; s = substr(s, 2)
           }
           print out }' "$1"
}

# layout FILE: one line per line of FILE: the text with numbers as "#" and runs of spaces
# as one, then the indentation and the end column of every cell after two or more spaces.
# A net figure may come out a little below zero from noise: "-0.012ns" and a self time's
# "~0" are numbers too, and the "~0: ..." line that explains the latter is left out, as it
# comes and goes from run to run.
layout() {
    awk '/^~0: / { next }
         { s = $0; sub(/[ \r]+$/, "", s); gsub(/\302\265/, "u", s)
           match(s, /^ */); cols = RLENGTH
           rest = s; at = 0
           while (match(rest, /  +[^ ]+/)) {
               at += RSTART + RLENGTH - 1; cols = cols "," at
               rest = substr(rest, RSTART + RLENGTH)
           }
           gsub(/[-~]?[0-9]+(\.[0-9]+)?(ns|us|ms|s|cyc|Kcyc|Mcyc|Gcyc)?/, "#", s)
           gsub(/# to #/, "#", s); gsub(/ +/, " ", s)
           print s "    @" cols }' "$1"
}

# sample ID DOC LINE MODE COMMAND...: runs COMMAND and compares the layouts.
sample() {
    id=$1 doc=$2 line=$3 mode=$4
    shift 4
    command=$*
    run=$(printf '%s\n' "$command" | sed "s#\(^\|[ =]\)build/#\1$OUT/#g")
    case $mode in
        sample)       SHELL=/bin/sh timeout 120 script -qec "$run" /dev/null </dev/null \
                          >"$tmp/$id.raw" 2>&1 ;;
        sample-piped) timeout 120 sh -c "$run" 2>&1 | cat >"$tmp/$id.raw" ;;
        *)            echo "# unknown sample kind '$mode'; use sample or sample-piped"; return 1 ;;
    esac
    screen "$tmp/$id.raw" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' >"$tmp/$id.out"
    awk -v prompt="\$ $command" 'NR > 1 || $0 != prompt' "$tmp/blocks/$id" >"$tmp/$id.doc"
    layout "$tmp/$id.doc" >"$tmp/$id.doc.layout"
    layout "$tmp/$id.out" >"$tmp/$id.out.layout"
    diff "$tmp/$id.doc.layout" "$tmp/$id.out.layout" >"$tmp/$id.diff" && return 0
    echo "# $doc:$line shows this layout ('<') and '$command' prints this one ('>');" \
        "numbers are #, @ lists the columns:"
    sed 's/^/#   /' "$tmp/$id.diff" | head -40
    echo "# what the command printed:"
    sed 's/^/#   /' "$tmp/$id.out" | head -60
    return 1
}

while read -r what id doc line mode command; do
    [ -n "$what" ] || continue
    check "$doc:$line: the sample has the layout of what '$command' prints today" \
        sample "$id" "$doc" "$line" "$mode" "$command"
done <<EOF
$(grep '^sample ' "$tmp/index")
EOF

finish
