/* Uses a counter defined in another file (fdtables.c) through LINDPERF_DECLARE, and
 * defines one in a module that test_registry.c adds a counter to as well. */
#include "lindperf.h"

LINDPERF_COUNTER(threei, make_syscall);
LINDPERF_DECLARE(fdtables, close_virtualfd);

static int close_virtualfd(int fd)
{
    LINDPERF_SCOPE(fdtables, close_virtualfd);
    return fd < 0 ? -9 : 0;
}

int registry_threei_make_syscall(int nr)
{
    LINDPERF_SCOPE(threei, make_syscall);
    return close_virtualfd(-nr);
}
