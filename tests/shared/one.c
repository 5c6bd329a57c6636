#define LINDPERF_IMPLEMENTATION   /* this shared library's own copy of the code */
#include "lindperf.h"

LINDPERF_COUNTER(one, work);

int one_work(int x);
int one_work(int x)
{
    LINDPERF_SCOPE(one, work);
    return x * 2;
}
