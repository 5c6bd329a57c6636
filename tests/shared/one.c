#include "lindperf.h"

LINDPERF_COUNTER(one, work);

int one_work(int x);
int one_work(int x)
{
    LINDPERF_SCOPE(one, work);
    return x * 2;
}
