/* lind_boot: the host. It looks up the program named on the command line, prepares its
 * cages (load_main_module) and runs it (invoke_func); with a perf flag it does that once
 * per counter through lindperf_run_each and prints the report.
 *
 * A program stands for a sandboxed binary: each of its runs makes its syscalls through
 * the whole path, lind_common -> threei -> rawposix -> fdtables -> libc, and checks the
 * results, so that a broken layer fails the run instead of producing fast numbers. */
#ifndef LIND_BOOT_LIND_BOOT_H
#define LIND_BOOT_LIND_BOOT_H

#include <stdint.h>

#define LIND_BOOT_DEFAULT_ITERATIONS 1000000
#define LIND_BOOT_MAX_ITERATIONS     1000000000

/* The cages of the model. Cage 0 would be the runtime itself. */
enum {
    LIND_BOOT_PROGRAM_CAGE = 1,   /* the program being run */
    LIND_BOOT_PEER_CAGE    = 2,   /* receives the pipe program's data */
    LIND_BOOT_GRATE_CAGE   = 3,   /* interposes on the grate program's geteuid */
};

struct lind_program {
    const char *name;            /* as given on the command line */
    const char *title;           /* printed before the dots, as "FDTABLE Test" */
    unsigned syscalls_per_call;  /* syscalls one iteration makes, for the summary */
    int (*prepare)(void);        /* sets up the cages; 0, or nonzero after a message */
    int (*call)(void);           /* one iteration; 0, or nonzero after a message */
    int (*finish)(void);         /* checks and releases; 0, or nonzero after a message */
};

/* NULL when there is no program of that name. */
const struct lind_program *lind_boot_find_program(const char *name);

#endif
