/* Defines a counter that instrumented.c defines too: linking both must fail. */
#include "lindperf.h"

LINDPERF_COUNTER(off, sum);
