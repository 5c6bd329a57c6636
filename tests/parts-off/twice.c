/* Defines one counter twice in one file: compiling it must fail. */
#include "lindperf.h"

LINDPERF_COUNTER(off, twice);
LINDPERF_COUNTER(off, twice);
