/* lind_common: the trampoline from a sandboxed program into the runtime. In lind-wasm it
 * is the "make-syscall" import that add_to_linker gives every cage. */
#ifndef LIND_BOOT_LIND_COMMON_H
#define LIND_BOOT_LIND_COMMON_H

#include <stdint.h>

/* Packs the arguments into a threei call from cage to itself and dispatches it.
 * Returns the syscall's result or -errno. */
int64_t lind_common_make_syscall(uint64_t cage, uint64_t nr,
                                 uint64_t arg0, uint64_t arg1, uint64_t arg2);

#endif
