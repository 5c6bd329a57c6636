/* Built with -fvisibility=hidden: only the entry point is exported. */
#define LINDPERF_IMPLEMENTATION   /* this shared library's own copy of the code */
#include "lindperf.h"

LINDPERF_COUNTER(two, work);

__attribute__((visibility("default"))) int two_work(int x);
__attribute__((visibility("default"))) int two_work(int x)
{
    LINDPERF_SCOPE(two, work);
    return x * 3;
}
