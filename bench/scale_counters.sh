#!/bin/sh
# Writes a C file that defines N counters, 1,000 to a module: the registry that
# `make bench-scale` measures. Usage: bench/scale_counters.sh N > counters.c
n=${1:?usage: bench/scale_counters.sh N}
echo '#include "lindperf.h"'
awk -v n="$n" 'BEGIN {
    for (i = 0; i < n; i++)
        printf "LINDPERF_COUNTER(m%03d, c%06d);\n", i / 1000, i
}'
