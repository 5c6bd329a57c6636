/* A counter whose display name is not an identifier, as in the reference's
 * lind_common::add_to_linker::make-syscall. */
#include "lindperf.h"

LINDPERF_COUNTER_NAMED(lind_common, make_syscall, "lind_common::add_to_linker::make-syscall");

int registry_threei_make_syscall(int nr);

int registry_lind_common_make_syscall(int nr)
{
    LINDPERF_SCOPE(lind_common, make_syscall);
    return registry_threei_make_syscall(nr);
}
