/* Built with the default compile-time options. */
#include "lindperf.h"
#include "mixed.h"

LINDPERF_COUNTER(mixed, shallow);

void mixed_shallow(int levels)
{
    LINDPERF_SCOPE(mixed, shallow);
    if (levels > 1)
        mixed_deep(levels - 1);
}
