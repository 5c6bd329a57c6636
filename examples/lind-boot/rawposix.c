#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#include "fdtables.h"
#include "lindperf.h"
#include "rawposix.h"

LINDPERF_COUNTER(rawposix, close_syscall);
LINDPERF_COUNTER(rawposix, geteuid_syscall);
LINDPERF_COUNTER(rawposix, read_syscall);
LINDPERF_COUNTER(rawposix, write_syscall);
LINDPERF_COUNTER(rawposix, pipe_syscall);

void rawposix_attach_cage(uint64_t cage)
{
    fdtables_init_cage(cage);
    threei_clear_cage(cage);
    threei_register_handler(cage, LIND_SYS_READ, rawposix_read_syscall);
    threei_register_handler(cage, LIND_SYS_WRITE, rawposix_write_syscall);
    threei_register_handler(cage, LIND_SYS_CLOSE, rawposix_close_syscall);
    threei_register_handler(cage, LIND_SYS_PIPE, rawposix_pipe_syscall);
    threei_register_handler(cage, LIND_SYS_GETEUID, rawposix_geteuid_syscall);
}

/* In lind-wasm a buffer address is an offset into the cage's linear memory and gets
 * translated here; in this model cages live in the host's address space, so it is
 * already a pointer. */
static void *cage_pointer(uint64_t addr)
{
    return (void *)(uintptr_t)addr;
}

/* A slowdown made on purpose, for lindperf-compare's end-to-end test: a build with
 * -DLIND_BOOT_SLOW_CLOSE=N makes close do N dependent multiply-adds first. Without it
 * nothing is compiled in. The empty asm keeps each step: without it the compiler folds a
 * short chain into one multiply. The processor hides about ten steps behind the timer's
 * own reads; each one more costs about 1 ns (2-core x86-64 VM: N = 20 added 10 ns). */
#ifndef LIND_BOOT_SLOW_CLOSE
#define LIND_BOOT_SLOW_CLOSE 0
#endif

int64_t rawposix_close_syscall(const threei_call *call)
{
    LINDPERF_SCOPE(rawposix, close_syscall);
    int64_t fd = call->arg[0];
#if LIND_BOOT_SLOW_CLOSE > 0
    /* The descriptor waits on the chain (times a zero the compiler cannot see), so the
     * processor cannot overlap the chain with the rest of close and hide its cost. */
    static volatile uint64_t zero;
    uint64_t spin = (uint64_t)fd;
    for (int i = 0; i < LIND_BOOT_SLOW_CLOSE; i++) {
        spin = spin * 6364136223846793005u + 1;
        __asm__ volatile("" : "+r"(spin));
    }
    fd += (int64_t)(spin * zero);
#endif
    int realfd = fdtables_close_virtualfd(call->self_cage, fd);
    if (realfd < 0)
        return realfd;
    return close(realfd) == 0 ? 0 : -errno;
}

int64_t rawposix_geteuid_syscall(const threei_call *call)
{
    LINDPERF_SCOPE(rawposix, geteuid_syscall);
    (void)call;
    return geteuid();
}

int64_t rawposix_read_syscall(const threei_call *call)
{
    LINDPERF_SCOPE(rawposix, read_syscall);
    int realfd = fdtables_translate_virtualfd(call->self_cage, call->arg[0]);
    if (realfd < 0)
        return realfd;
    ssize_t n = read(realfd, cage_pointer(call->arg[1]), (size_t)call->arg[2]);
    return n >= 0 ? n : -errno;
}

int64_t rawposix_write_syscall(const threei_call *call)
{
    LINDPERF_SCOPE(rawposix, write_syscall);
    int realfd = fdtables_translate_virtualfd(call->self_cage, call->arg[0]);
    if (realfd < 0)
        return realfd;
    ssize_t n = write(realfd, cage_pointer(call->arg[1]), (size_t)call->arg[2]);
    return n >= 0 ? n : -errno;
}

int64_t rawposix_pipe_syscall(const threei_call *call)
{
    LINDPERF_SCOPE(rawposix, pipe_syscall);
    int real[2], *vfds = cage_pointer(call->arg[0]);
    if (pipe(real) != 0)
        return -errno;
    vfds[0] = fdtables_get_unused_virtualfd(call->self_cage, real[0]);
    vfds[1] = fdtables_get_unused_virtualfd(call->self_cage, real[1]);
    if (vfds[0] >= 0 && vfds[1] >= 0)
        return 0;
    int err = vfds[0] < 0 ? vfds[0] : vfds[1];
    if (vfds[0] >= 0)
        fdtables_close_virtualfd(call->self_cage, (uint64_t)vfds[0]);
    close(real[0]);
    close(real[1]);
    return err;
}
