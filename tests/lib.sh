# What every shell test shares; a test sources it first:  . "$(dirname "$0")/lib.sh"
#
#   $OUT, $CC            as make passes them (build, cc when run by hand)
#   $root                the checkout
#   $tmp                 a scratch directory, removed on exit
#   check WHAT CMD...    runs CMD and prints "ok - WHAT" or "not ok - WHAT", the lines
#                        tests/run.sh counts; returns CMD's success, so `|| explain` works
#   ok WHAT, not_ok WHAT print one such line where a check needs its own logic
#   quiet CMD...         runs CMD with its output hidden, shown as "#" comments if it fails
#   finish               ends the test, nonzero when any check failed

OUT=${OUT:-build}
CC=${CC:-cc}
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
failed=0

ok()     { echo "ok - $1"; }
not_ok() { echo "not ok - $1"; failed=1; }
check()  {
    checking=$1
    shift
    if "$@"; then ok "$checking"; else not_ok "$checking"; return 1; fi
}
quiet()  { "$@" >"$tmp/quiet.log" 2>&1 && return 0; sed 's/^/#   /' "$tmp/quiet.log"; return 1; }
finish() { exit "$failed"; }
