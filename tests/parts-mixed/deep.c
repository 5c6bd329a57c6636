/* Built with other values of the compile-time options than the rest of the program. */
#include "lindperf.h"
#include "mixed.h"

LINDPERF_COUNTER(mixed, deep);

void mixed_deep(int levels)
{
    LINDPERF_SCOPE(mixed, deep);
    if (levels > 1)
        mixed_shallow(levels - 1);
}
