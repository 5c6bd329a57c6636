#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "lindperf.h"
#include "threei.h"

LINDPERF_COUNTER(threei, make_syscall);
LINDPERF_COUNTER(threei, copy_data_between_cages);

static threei_handler handler_table[THREEI_MAX_CAGES][THREEI_MAX_SYSCALLS];

struct cage_memory {
    unsigned char *base;
    size_t size;
};

static struct cage_memory cage_memory[THREEI_MAX_CAGES];

int threei_register_handler(uint64_t target_cage, uint64_t nr, threei_handler fn)
{
    if (target_cage >= THREEI_MAX_CAGES || nr >= THREEI_MAX_SYSCALLS)
        return -EINVAL;
    handler_table[target_cage][nr] = fn;
    return 0;
}

void threei_clear_cage(uint64_t cage)
{
    if (cage < THREEI_MAX_CAGES)
        memset(handler_table[cage], 0, sizeof handler_table[cage]);
}

int64_t threei_make_syscall(const threei_call *call)
{
    LINDPERF_SCOPE(threei, make_syscall);
    if (call->target_cage >= THREEI_MAX_CAGES || call->nr >= THREEI_MAX_SYSCALLS)
        return -ENOSYS;
    threei_handler fn = handler_table[call->target_cage][call->nr];
    if (!fn)
        return -ENOSYS;
    /* The scope ends after fn returns: the handler's time is part of make_syscall's. */
    return fn(call);
}

int threei_set_cage_memory(uint64_t cage, void *base, size_t size)
{
    if (cage >= THREEI_MAX_CAGES)
        return -EINVAL;
    cage_memory[cage].base = base;
    cage_memory[cage].size = size;
    return 0;
}

/* Compares addresses as integers: pointers into different objects may not be compared. */
static int inside_cage(uint64_t cage, const void *p, size_t len)
{
    if (cage >= THREEI_MAX_CAGES || !cage_memory[cage].base)
        return 0;
    uintptr_t start = (uintptr_t)cage_memory[cage].base;
    uintptr_t addr = (uintptr_t)p;
    return addr >= start && addr - start <= cage_memory[cage].size &&
           len <= cage_memory[cage].size - (addr - start);
}

int threei_copy_data_between_cages(uint64_t src_cage, const void *src,
                                   uint64_t dst_cage, void *dst, size_t len)
{
    LINDPERF_SCOPE(threei, copy_data_between_cages);
    if (!inside_cage(src_cage, src, len) || !inside_cage(dst_cage, dst, len))
        return -EFAULT;
    memcpy(dst, src, len);
    return 0;
}
