#include "lindperf.h"

LINDPERF_COUNTER(linkers, store);

int linkers_store(int x);
int linkers_store(int x)
{
    LINDPERF_SCOPE(linkers, store);
    return x * 2;
}
