/* threei: the dispatcher between cages.
 *
 * Every syscall goes through threei_make_syscall, which looks the syscall number up in
 * the handler table of the target cage and calls whatever handler is there. A cage starts
 * with rawposix answering every call (see rawposix_attach_cage). A grate, another cage,
 * interposes by registering its own handler for a syscall number of a target cage: from
 * then on that cage's calls go to the grate instead. */
#ifndef LIND_BOOT_THREEI_H
#define LIND_BOOT_THREEI_H

#include <stddef.h>
#include <stdint.h>

#define THREEI_MAX_CAGES     16
#define THREEI_MAX_SYSCALLS  256
#define THREEI_MAX_ARGS      6

/* Syscall numbers are Linux x86-64's, as in lind-wasm. */
enum {
    LIND_SYS_READ    = 0,
    LIND_SYS_WRITE   = 1,
    LIND_SYS_CLOSE   = 3,
    LIND_SYS_PIPE    = 22,
    LIND_SYS_GETEUID = 107,
};

typedef struct threei_call {
    uint64_t self_cage;     /* the cage that made the call: its fd table is used */
    uint64_t target_cage;   /* the cage whose handler table decides who answers */
    uint64_t nr;
    uint64_t arg[THREEI_MAX_ARGS];
} threei_call;

/* Returns the syscall's result, or -errno. */
typedef int64_t (*threei_handler)(const threei_call *call);

/* Installs fn for syscall nr of target_cage, replacing what was there; NULL removes it.
 * Returns 0, or -EINVAL for a cage or number outside the table. */
int threei_register_handler(uint64_t target_cage, uint64_t nr, threei_handler fn);

/* Removes every handler of the cage. */
void threei_clear_cage(uint64_t cage);

/* Dispatches the call; -ENOSYS when the target cage has no handler for it. */
int64_t threei_make_syscall(const threei_call *call);

/* Declares [base, base + size) as the cage's memory: copies between cages may only
 * touch that range. */
int threei_set_cage_memory(uint64_t cage, void *base, size_t size);

/* Copies len bytes from src in src_cage's memory to dst in dst_cage's memory.
 * Returns 0, or -EFAULT when either range is not inside its cage's memory. */
int threei_copy_data_between_cages(uint64_t src_cage, const void *src,
                                   uint64_t dst_cage, void *dst, size_t len);

#endif
