/* The registry test's first module file. Its counters are defined in the order
 * close_virtualfd, alloc: the registry must keep that order, not sort them by name. */
#include "lindperf.h"

LINDPERF_COUNTER(fdtables, close_virtualfd);
LINDPERF_COUNTER(fdtables, alloc);

int registry_fdtables_alloc(void)
{
    LINDPERF_SCOPE(fdtables, alloc);
    return 3;
}
