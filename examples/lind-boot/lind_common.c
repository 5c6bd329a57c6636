#include <stdint.h>

#include "lind_common.h"
#include "lindperf.h"
#include "threei.h"

LINDPERF_COUNTER_NAMED(lind_common, make_syscall, "lind_common::add_to_linker::make-syscall");

int64_t lind_common_make_syscall(uint64_t cage, uint64_t nr,
                                 uint64_t arg0, uint64_t arg1, uint64_t arg2)
{
    LINDPERF_SCOPE(lind_common, make_syscall);
    threei_call call = {
        .self_cage = cage,
        .target_cage = cage,
        .nr = nr,
        .arg = { arg0, arg1, arg2 },
    };
    return threei_make_syscall(&call);
}
