/* Two counters that only scopes name: nothing but the registry's section refers to their
 * entries, which is what section garbage collection removes. */
#include "lindperf.h"

LINDPERF_COUNTER(linkers, parse);
LINDPERF_COUNTER(linkers, check);

int linkers_parse(int x);
int linkers_parse(int x)
{
    LINDPERF_SCOPE(linkers, parse);
    LINDPERF_SCOPE(linkers, check);
    return x + 1;
}
