#!/bin/sh
# make fuzz as one step of make test, bounded by FUZZ_SECONDS (60 by default).
if make -s --no-print-directory fuzz OUT="${OUT:-build/check}" \
    FUZZ_SECONDS="${FUZZ_SECONDS:-60}"; then
    echo "ok - libFuzzer found no failure in lindperf_try_parse_args in ${FUZZ_SECONDS:-60} s"
else
    echo "not ok - libFuzzer found a failure in lindperf_try_parse_args (see above)"
    exit 1
fi
