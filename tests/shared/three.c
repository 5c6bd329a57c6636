#define LINDPERF_IMPLEMENTATION   /* this shared library's own copy of the code */
#include "lindperf.h"

LINDPERF_COUNTER(three, work);
LINDPERF_COUNTER(three, helper);

static int helper(int x)
{
    LINDPERF_SCOPE(three, helper);
    return x + 4;
}

int three_work(int x);
int three_work(int x)
{
    LINDPERF_SCOPE(three, work);
    return helper(x);
}
