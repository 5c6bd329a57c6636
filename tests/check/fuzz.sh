#!/bin/sh
# make fuzz as one step of make test, bounded by FUZZ_SECONDS: 20 here (about 200,000
# inputs), so that make test stays within 8 minutes on 2 cores with the other platforms in
# it; make fuzz on its own takes 60.
seconds=${FUZZ_SECONDS:-20}
if make -s --no-print-directory fuzz OUT="${OUT:-build/check}" FUZZ_SECONDS="$seconds"; then
    echo "ok - libFuzzer found no failure in lindperf_try_parse_args in $seconds s"
else
    echo "not ok - libFuzzer found a failure in lindperf_try_parse_args (see above)"
    exit 1
fi
