/* rawposix: the POSIX layer. Each handler unpacks a threei_call, translates the cage's
 * virtual fds through fdtables and, where the host's help is needed, makes the real libc
 * call. Results are the syscall's value or -errno, as the sandboxed program expects. */
#ifndef LIND_BOOT_RAWPOSIX_H
#define LIND_BOOT_RAWPOSIX_H

#include <stdint.h>

#include "threei.h"

/* Gives a new cage an empty fd table and makes rawposix answer all its syscalls. */
void rawposix_attach_cage(uint64_t cage);

/* arg[0]: virtual fd */
int64_t rawposix_close_syscall(const threei_call *call);
/* no arguments */
int64_t rawposix_geteuid_syscall(const threei_call *call);
/* arg[0]: virtual fd, arg[1]: buffer address, arg[2]: byte count */
int64_t rawposix_read_syscall(const threei_call *call);
int64_t rawposix_write_syscall(const threei_call *call);
/* arg[0]: address of int[2] receiving the virtual fds: read end, write end */
int64_t rawposix_pipe_syscall(const threei_call *call);

#endif
