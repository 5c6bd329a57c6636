/* lindperf.h - where the time goes on the hot paths of a layered runtime.
 * One header, MIT licensed (see the end of this file). Version LINDPERF_VERSION.
 *
 * lindperf puts a named counter (calls and total time) on the functions of each layer that
 * a request crosses, and times them with a scope guard. The host program runs its workload
 * once to find which counters enclose which, then once per batch of counters that never
 * enclose one another, so no measurement ever pays for another, and prints a report per
 * module. It is the C counterpart of lind-wasm's lind-perf.
 *
 * USE
 *   In every module:  #include "lindperf.h", and compile with -DLIND_PERF to measure.
 *   In one file of the program, the host's:
 *                     #define LINDPERF_IMPLEMENTATION
 *                     #include "lindperf.h"
 *                     ...
 *                     t = lindperf_parse_args(&argc, argv);
 *                     lindperf_run_each(t, workload, arg, stdout);
 *   Without -DLIND_PERF every macro below compiles to nothing and every host function is a
 *   no-op, so neither side needs an #ifdef.
 *
 * CONTENTS
 *    1. The manual: module side, host side, host flags, compile-time options
 *    2. The host functions' declarations
 *    3. Host flags                 parsed alike by both builds
 *   In the measuring build (LIND_PERF), in every file:
 *    4. Platform timers            clock_gettime and the timestamp counter, read inline
 *    5. Counters and registry      one line defines and registers; a linker section lists them
 *    6. The scope guard            the hot path: two timer reads and two adds
 *   ... and in the file that defines LINDPERF_IMPLEMENTATION, the library's code:
 *    7. The timestamp counter      its name, presence and rate
 *    8. The process's objects      one list of every loaded object's counters
 *    9. Per-thread storage         lossless without shared cache lines
 *   10. The rare path              what a scope does beyond two reads and two adds
 *   11. The enclosure store        the calling-context tree of the discovery run
 *   12. The host functions         enable, reset, read, parse, run, report, JSON and CSV
 *   Without LIND_PERF:
 *   13. The disabled twins         what all of the above is without LIND_PERF: nothing
 *
 * ---------------------------------------------------------------------------------------
 * 1. THE MANUAL
 *
 * Module side
 *   LINDPERF_COUNTER(module, ident);
 *       At file scope: defines the counter "module::ident" and registers it. There is no
 *       list to edit: every counter linked into the program is in the registry. Defining
 *       the same counter twice is a compile or link error.
 *   LINDPERF_COUNTER_NAMED(module, ident, "display name");
 *       The same, with a display name that need not be an identifier.
 *   LINDPERF_DECLARE(module, ident);
 *       Makes a counter defined in another file usable in this one.
 *   LINDPERF_SCOPE(module, ident);
 *       Times from this line to the end of the enclosing block, on every way out of it:
 *       return, break, goto, and `return f(x);` with all of f inside the measurement.
 *   LINDPERF_SCOPE_VAR(var, module, ident);  ...  lindperf_scope_end(&var);
 *       The same guard under a name, ended early to time a snippet. The end of the block
 *       then does nothing more.
 *   lindperf_black_box(ptr);
 *       Makes the optimizer assume *ptr is read and written here (Rust's black_box).
 *
 * Host side (declared where LINDPERF_HOST or LINDPERF_IMPLEMENTATION is defined)
 *   lindperf_timer lindperf_parse_args(int *argc, char **argv);
 *       Takes the flags below from argv, before the first argument that is not an option
 *       ("--" ends the options and stays in argv), and returns the timer. Bad use prints
 *       one line on stderr and exits with status 2.
 *   int lindperf_try_parse_args(int *argc, char **argv, lindperf_timer *t,
 *                               char *why, size_t why_size);
 *       The same without exiting: 0, or -1 with the reason in why (argv untouched).
 *   int lindperf_run_each(lindperf_timer t, int (*workload)(void *), void *arg, FILE *out);
 *       Runs the workload once to discover the counters it reaches and which enclose which,
 *       then once per batch of reached counters that never enclosed one another (or once
 *       per counter: lindperf_set_batching(0), or --perf-detail), measuring the timer's
 *       floor again before each, all of it repeated in rotation when lindperf_set_repeat
 *       asks; prints the report to out and writes the files asked for by --perf-json,
 *       --perf-csv, --perf-gbench and --perf-tree-csv. A batch whose live scopes are found
 *       nested is warned about and timed again one counter per run. Returns the first
 *       nonzero workload status, else -1 when a report could not be written or --perf-only
 *       left nothing to time, else 0. With LINDPERF_OFF it runs the workload once and
 *       returns its status; with LINDPERF_TSC on a CPU without one it says so and returns
 *       -1 unrun, and -1 when scopes ran for counters missing from the registry. It first
 *       takes in the counters of objects loaded since the last run. The report shows each
 *       counter's median over the repetitions; the counters' own sums
 *       (lindperf_counter_calls, ...) hold every timed run.
 *   void lindperf_set_timer(lindperf_timer t);       clock (ns) or tsc (cycles; aarch64: ticks)
 *   void lindperf_set_net(int on);                   subtract the empty-scope floor (below)
 *   void lindperf_set_repeat(unsigned n);            run_each's timed runs n times (0, 1: once)
 *   void lindperf_set_batching(int on);              batches of counters per run (default on)
 *   void lindperf_set_detail(int on);                keep min, max and percentiles
 *   void lindperf_set_tree(int on);                  add the CALL PATH section
 *   void lindperf_set_module_order(const char *const *modules, size_t n);
 *   void lindperf_reset_all(void);                   every counter back to zero; takes in
 *                                                    the counters of newly loaded objects
 *   void lindperf_enable_only(const lindperf_counter *c);   one live counter; NULL: none
 *   void lindperf_enable_discovery(void);            all counters note reach and context
 *   size_t lindperf_counter_count(void);
 *   const lindperf_counter *lindperf_counter_at(size_t i);
 *   const lindperf_counter *lindperf_find(const char *full_name);   NULL when unknown
 *   const char *lindperf_counter_name(const lindperf_counter *c);   "module::ident"
 *   const char *lindperf_counter_module(const lindperf_counter *c);
 *   uint64_t lindperf_counter_calls(const lindperf_counter *c);
 *   uint64_t lindperf_counter_total(const lindperf_counter *c);    ns, or cycles (ticks) under tsc
 *   uint64_t lindperf_counter_min(const lindperf_counter *c);      needs detail
 *   uint64_t lindperf_counter_max(const lindperf_counter *c);      needs detail
 *   uint64_t lindperf_counter_percentile(const lindperf_counter *c, double p);  p in [0,100]
 *   int lindperf_counter_reached(const lindperf_counter *c);       seen by discovery
 *   const lindperf_counter *lindperf_counter_parent(const lindperf_counter *c);
 *                                     the parent in c's busiest calling context, or NULL
 *   int lindperf_context_at(size_t i, lindperf_context *out);
 *       The i-th calling context of the last discovery run (parents first): 0, or -1 past
 *       the last (*out then zeroed). A context is a path of counters from a root, with
 *       the calls made there.
 *   double lindperf_tsc_hz(void);                    0 when there is no timestamp counter
 *   double lindperf_empty_scope(lindperf_timer t);   the floor, in t's unit (measured once)
 *   double lindperf_calibrate(lindperf_timer t);     measures the floor again, now, and keeps it
 *   int lindperf_report(FILE *out);                  0, or -1 when writing failed
 *   int lindperf_write_json(FILE *out);              0, or -1 when writing failed
 *   int lindperf_write_csv(FILE *out);               0, or -1 when writing failed
 *   int lindperf_write_tree_csv(FILE *out);          the call path as CSV; 0, or -1
 *   int lindperf_write_gbench(FILE *out);            Google Benchmark's JSON; 0, or -1
 *   Getters given NULL return 0 (or NULL); they never crash.
 *
 * Host flags, taken by lindperf_parse_args
 *   --perf, --perf=clock    time with clock_gettime(CLOCK_MONOTONIC), in nanoseconds
 *   --perftsc, --perf=tsc   time with the timestamp counter, in cycles; on aarch64 with the
 *                           generic timer (cntvct_el0), in ticks of the rate in cntfrq_el0
 *   --perf-net              net figures: the empty-scope floor subtracted. lindperf_run_each
 *                           keeps intervals gross and interleaves an empty control pair
 *                           after every 16th live scope; each run's figures lose the
 *                           trimmed mean of its own controls afterwards, so the floor taken
 *                           off was measured during the work, and a figure may read a
 *                           little below 0. Scopes timed outside run_each (lindperf_set_net
 *                           with lindperf_enable_only) lose the calibrated floor, rounded,
 *                           interval by interval, an interval below it counting as 0
 *   --perf-detail           add min, p50, p99 and max columns (rows are then 149 wide)
 *   --perf-tree             add a CALL PATH section: each calling context under its parent,
 *                           with its calls, average and self time net of the timer floor
 *   --perf-json=FILE        also write the results as JSON
 *   --perf-csv=FILE         also write the results as CSV
 *   --perf-gbench=FILE      also write Google Benchmark's JSON (times per call in ns, wall
 *                           time: cpu_time repeats real_time)
 *   --perf-tree-csv=FILE    also write the call path as CSV
 *   --perf-only=GLOB        time only the counters whose "module::ident" matches (repeatable);
 *                           a pattern whose counters the workload never reaches is named on
 *                           stderr, and when nothing is left to time, run_each returns -1
 *   --perf-repeat=N         make the timed runs N times (1 to 1000), in rotation; the report
 *                           shows medians, and with --perf-detail their spread
 *   --perf-solo             time one counter per run, never several in one batch
 *   The modifiers need --perf or --perftsc. Every output FILE is checked before the first
 *   run, without being truncated; it is written beside itself and renamed into place at the
 *   end, so a failed run leaves an older file whole. A flag given twice, an unknown --perf*
 *   flag, --perf=OTHER, a bad N, a FILE that cannot be written, and any perf flag in a build
 *   without LIND_PERF end the program (status 2).
 *
 * Compile-time options
 *   LIND_PERF
 *       Turns measurement on. Without it, no code, no data and no symbol is emitted for any
 *       counter or scope, and instrumented functions compile to the same machine code as
 *       without the instrumentation.
 *   LINDPERF_IMPLEMENTATION
 *       Defined before the #include in exactly one file of each linked object (the program,
 *       and each shared library with instrumented code; normally the host's main file):
 *       that file compiles the library's code, the scope's rare path and every host
 *       function, once. Any other file gets the macros and the scope's inline fast path, and
 *       no system header but <stddef.h>, <stdint.h> and, when measuring, <time.h>. A
 *       measuring object in which no file defines it fails to link, naming
 *       lindperf__define_LINDPERF_IMPLEMENTATION_in_one_file; two files that define it are
 *       a multiple-definition error. Harmless without LIND_PERF, so the host defines it in
 *       both builds.
 *   LINDPERF_HOST
 *       Defined before the #include in another file that calls host functions: it gets
 *       their declarations (and <stdio.h>, for FILE).
 *   LINDPERF_MAX_THREADS (default 4096)
 *       How many threads at once get a private slot table. Threads beyond it share one
 *       overflow table updated with atomic adds: slower, never lossy. So do counters past
 *       the 262,144th of a program (the 65,536th on 32-bit systems). Read where the
 *       library's code is compiled.
 *   No option shapes memory that objects share, so files and objects built with different
 *   values link and run together. (LINDPERF_MAX_DEPTH, which once did, is gone: discovery
 *   follows scopes to any depth.)
 *   Under a strict ISO mode (-std=c11 and later) the measuring build needs POSIX: this
 *   header defines _POSIX_C_SOURCE when it comes before every system header, and stops
 *   with an #error that says what to do when it cannot.
 *
 * Environment
 *   LINDPERF_NO_TSC=1 makes the library treat the CPU as having no timestamp counter, to
 *   exercise that path: --perftsc is then an error.
 *   LINDPERF_TSC_HZ=N takes N Hz as the counter's rate instead of what the hardware reports
 *   (the timer line then says "(LINDPERF_TSC_HZ)"), for a hypervisor that reports a wrong one,
 *   and for tests that need a coarse tick. N from 1 to 1e12; anything else makes --perftsc an
 *   error. When one tick lasts longer than an empty scope takes, as the generic timer's
 *   can on aarch64, lindperf warns on stderr: figures of a few ticks are then mostly rounding.
 *
 * Calling contexts and recursion
 *   The discovery run keeps a calling-context tree: a node per path of counters from a
 *   root, with the calls begun at that path, so a counter with two callers sits under both
 *   with the calls each made. In the timed run of a counter reached in several contexts,
 *   the counters on its paths (never timed in that run) keep their thread's context up to
 *   date, and each of its intervals goes to the context it ran in: the time per context is
 *   exact. Where a context could not be kept (discovery missed the path, or memory ran
 *   out), the counter's contexts get its per-call figure times their calls instead, marked
 *   as an estimate. Self time is a context's time less its children's; when noise makes
 *   it negative the report shows ~0 and says so. A scope of a counter already open
 *   on its thread (recursion, direct or mutual) makes no node: a counter is never its own
 *   parent. Such a counter is reported as recursed: its calls count every activation, and
 *   its total, average and distribution only the outermost ones, so its total never
 *   exceeds the wall time it lies in. Only the counters that recursed in discovery pay
 *   for this, through the rare path.
 *
 * Signal handlers and memory
 *   A scope may run in a signal handler, also as its thread's first scope, and also when
 *   it interrupts a scope of the same counter: nothing a scope reaches takes a lock or
 *   calls malloc (tables and histograms come from mmap and join their lists with a
 *   compare-and-swap), and the library's thread-locals are initial-exec, so none is
 *   allocated on a first use in a dlopen'ed object. Every call and its time count exactly:
 *   the owner's update of its slot is one add to memory per figure on x86-64, an add and
 *   add-with-carry pair on i386, and one load/store-exclusive pair for both figures on
 *   aarch64 (it has no add to memory before LSE), none of which a handler's own update can
 *   spoil. make test puts a handler's scope after every instruction of a scope on x86-64;
 *   i386 (the same way) and aarch64 (under qemu, which delivers signals only between
 *   blocks and says nothing of cost on hardware, so that cost is not measured) were
 *   checked by hand. Under --perf-detail a handler that interrupts its own thread's detail
 *   bookkeeping leaves its sample out of the percentiles, and the report says how many.
 *   A thread's exit hook is set with pthread_setspecific on its first record, perhaps in a
 *   handler: glibc never allocates there for the process's first 32 keys, and lindperf
 *   makes its key in a constructor, before main. If 32 keys came first (a late dlopen), a
 *   thread's table is not folded at its exit: its figures stay exact, its memory stays
 *   until the process ends.
 *   A thread's memory grows with the counters it times, not with those registered: its
 *   table reserves 4 MiB of address space (1 MiB on 32-bit systems), and takes a 4 KiB page
 *   for its header and one for each block of 256 counters (in registry order) in which it
 *   timed one. A map that the system refuses (ulimit -v, vm.overcommit_memory=2) sends the
 *   thread to the overflow table (exact, slower), and the report says so on stderr.
 *
 * What is measured, and what is not
 *   A scope runs its end on every normal way out of its block. It does not on longjmp,
 *   exit, abort, a thread killed, or a signal that does not return: such a scope is not
 *   counted. Thread cancellation depends on the build: in C without -fexceptions it does
 *   not unwind through the scope, which is not counted; in C++, or C with -fexceptions, it
 *   unwinds the thread's stack and runs the scope's end, so the scope IS counted, with its
 *   time up to the cancellation. A counter that discovery reached but whose timed run ended
 *   no scope is named on a "reached, but no scope ended in its timed run" line, with these
 *   causes. A child made by fork keeps measuring into its own copy, which is lost to the
 *   parent; the parent's report is unaffected. Compilers: GCC and Clang (tested with GCC
 *   12 and Clang 14), as C (gnu99 and later) or C++ (C++11 and later), on ELF platforms
 *   (Linux); others get an #error when LIND_PERF is on. The timestamp counter: rdtsc on
 *   x86-64 and x86, in cycles; on aarch64 the generic timer cntvct_el0, in ticks of the rate
 *   in cntfrq_el0 (tens of MHz on most parts, so a tick can outlast an empty scope, which
 *   lindperf then warns about).
 *
 * Shared objects
 *   Every object in the process (the program, a linked .so, a dlopen'ed one, built with any
 *   -fvisibility) is in one registry and one report. Each object defines
 *   LINDPERF_IMPLEMENTATION in one of its files, and has its own hidden copy of the
 *   library's code; the copies share one state. Each object's constructor hands its
 *   counters to a process-wide list; the host takes in that list when it starts, and again
 *   at every lindperf_run_each and lindperf_reset_all, never during a run: an object loaded
 *   while a run is under way is counted from the next run. The counters of an object loaded
 *   after the host started, and of one that keeps a registry of its own (dlopen'ed
 *   RTLD_LOCAL by a program that exports no symbol: the host finds it by walking the loaded
 *   objects), are recorded with atomic adds on the counter itself: exact, but without the
 *   --perf-detail distribution, and the latter without a parent in the call path. After
 *   dlclose, an object's counters stay in the report with their figures; loaded again, a
 *   counter takes back its row. Call the host functions from an object that stays loaded.
 *   glibc before 2.34 needs -ldl (dlopen and dlsym find objects with their own registry).
 *
 * Release builds and static libraries
 *   The registry's entries are marked `retain` (GCC 12, Clang 14 and later), so they survive
 *   --gc-sections with ld.bfd, gold and lld, -z start-stop-gc, and LTO. An older compiler
 *   cannot mark them: link it without --gc-sections (and, with ld.bfd, without -z
 *   start-stop-gc). Entries that were dropped all the same make lindperf_run_each say so in
 *   one lindperf: line and return nonzero. A counter defined in a static-library member
 *   exists only when the linker takes that member, which it does when something in the
 *   program calls into it: a member nothing uses has no counter at all, in no report and
 *   on no "never reached" line. To keep it, link the archive between -Wl,--whole-archive
 *   and -Wl,--no-whole-archive, or call one of its functions from the host.
 *
 * Where it is tested, by make test
 *   x86-64, glibc   GCC and Clang, natively: the whole suite, the examples, the checks
 *   x86 (i686)      GCC and Clang, linked statically, run natively: the example host in
 *                   both builds, the off build's code compared, and the suite (all of it
 *                   under GCC but the accuracy test; under Clang the platform layer,
 *                   scopes, threads, fork and the report)
 *   aarch64         GCC, linked statically, run under qemu-aarch64 (user-mode emulation):
 *                   the suite less its timing tests, the example host in both builds, the
 *                   off build's code compared. Emulated figures are checked for sanity
 *                   only; no aarch64 hardware yet
 *   musl            musl-gcc on x86-64, linked statically: the example host in both
 *                   builds, the off build's code compared, and the tests of the platform
 *                   layer, scopes, threads, thread exit, fork and the report
 *   make check-cross runs the last three alone (mk/cross.mk says what and why).
 */
#ifndef LINDPERF_H
#define LINDPERF_H

/* Under a strict ISO standard (-std=c11) glibc declares no POSIX function unless asked, and
 * the measuring build needs clock_gettime and posix_memalign. Asking here works when this
 * header comes before every system header; otherwise the check below says what to do. */
#if defined(LIND_PERF) && defined(__STRICT_ANSI__) && !defined(_POSIX_C_SOURCE) && \
    !defined(_XOPEN_SOURCE) && !defined(_GNU_SOURCE) && !defined(_DEFAULT_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#define LINDPERF_VERSION "0.3.0"

/* The one file that compiles the library's code is a host file too. */
#if defined(LINDPERF_IMPLEMENTATION) && !defined(LINDPERF_HOST)
#define LINDPERF_HOST 1
#endif

/* A module file gets these and, when measuring, <time.h> for the clock; nothing else. A host
 * file gets <stdio.h> too, for FILE. */
#include <stddef.h>
#include <stdint.h>
#ifdef LINDPERF_HOST
#include <stdio.h>
#endif

/* A table line of the reference layout: name, calls, total and avg. */
#define LINDPERF_NAME_WIDTH   60
#define LINDPERF_CALLS_WIDTH  10
#define LINDPERF_VALUE_WIDTH  12
#define LINDPERF_REPORT_WIDTH \
    (LINDPERF_NAME_WIDTH + 1 + LINDPERF_CALLS_WIDTH + 2 * (1 + LINDPERF_VALUE_WIDTH))
/* --perf-detail adds min, p50, p99 and max. */
#define LINDPERF_DETAIL_COLUMNS 4
#define LINDPERF_REPORT_WIDTH_DETAIL \
    (LINDPERF_REPORT_WIDTH + LINDPERF_DETAIL_COLUMNS * (1 + LINDPERF_VALUE_WIDTH))
/* ... and, with repetitions, the spread of avg over them (largest less smallest). */
#define LINDPERF_REPORT_WIDTH_SPREAD (LINDPERF_REPORT_WIDTH_DETAIL + 1 + LINDPERF_VALUE_WIDTH)

#ifndef LINDPERF_MAX_THREADS
#define LINDPERF_MAX_THREADS 4096
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { LINDPERF_OFF, LINDPERF_CLOCK, LINDPERF_TSC } lindperf_timer;
typedef struct lindperf_counter lindperf_counter;

/* One calling context of the last discovery run: a path of counters from a root. */
typedef struct lindperf_context {
    const lindperf_counter *counter;   /* the innermost counter of the path */
    long parent;                       /* the context of the path without it; -1: a root */
    uint64_t calls;                    /* its scopes begun at exactly this path */
} lindperf_context;

/* ---------------------------------------------------------------------------------------
 * 2. THE HOST FUNCTIONS' DECLARATIONS
 *
 * In the measuring build every host function is defined once, in the file that defines
 * LINDPERF_IMPLEMENTATION, and declared here for every file that defines LINDPERF_HOST.
 * They are hidden: each linked object (the program, a shared library) has its own copy of
 * the library's code, and the copies share one registry (section 8). In the build without
 * LIND_PERF they are the inline no-ops of section 13.
 */
#ifdef LIND_PERF
#define LINDPERF__API __attribute__((visibility("hidden")))
#else
#define LINDPERF__API static inline
#endif

#ifdef LINDPERF_HOST
LINDPERF__API lindperf_timer lindperf_parse_args(int *argc, char **argv);
LINDPERF__API int lindperf_try_parse_args(int *argc, char **argv, lindperf_timer *timer,
                                          char *why, size_t why_size);
LINDPERF__API int lindperf_run_each(lindperf_timer t, int (*workload)(void *arg), void *arg,
                                    FILE *out);
LINDPERF__API void lindperf_set_timer(lindperf_timer t);
LINDPERF__API void lindperf_set_net(int on);
LINDPERF__API void lindperf_set_repeat(unsigned n);
LINDPERF__API void lindperf_set_batching(int on);
LINDPERF__API void lindperf_set_detail(int on);
LINDPERF__API void lindperf_set_tree(int on);
LINDPERF__API void lindperf_set_module_order(const char *const *modules, size_t n);
LINDPERF__API void lindperf_reset_all(void);
LINDPERF__API void lindperf_enable_only(const lindperf_counter *c);
LINDPERF__API void lindperf_enable_discovery(void);
LINDPERF__API size_t lindperf_counter_count(void);
LINDPERF__API const lindperf_counter *lindperf_counter_at(size_t i);
LINDPERF__API const lindperf_counter *lindperf_find(const char *full_name);
LINDPERF__API const char *lindperf_counter_name(const lindperf_counter *c);
LINDPERF__API const char *lindperf_counter_module(const lindperf_counter *c);
LINDPERF__API uint64_t lindperf_counter_calls(const lindperf_counter *c);
LINDPERF__API uint64_t lindperf_counter_total(const lindperf_counter *c);
LINDPERF__API uint64_t lindperf_counter_min(const lindperf_counter *c);
LINDPERF__API uint64_t lindperf_counter_max(const lindperf_counter *c);
LINDPERF__API uint64_t lindperf_counter_percentile(const lindperf_counter *c, double p);
LINDPERF__API int lindperf_counter_reached(const lindperf_counter *c);
LINDPERF__API const lindperf_counter *lindperf_counter_parent(const lindperf_counter *c);
LINDPERF__API int lindperf_context_at(size_t i, lindperf_context *out);
LINDPERF__API double lindperf_tsc_hz(void);
LINDPERF__API double lindperf_empty_scope(lindperf_timer t);
LINDPERF__API double lindperf_calibrate(lindperf_timer t);
LINDPERF__API int lindperf_report(FILE *out);
LINDPERF__API int lindperf_write_json(FILE *out);
LINDPERF__API int lindperf_write_csv(FILE *out);
LINDPERF__API int lindperf_write_tree_csv(FILE *out);
LINDPERF__API int lindperf_write_gbench(FILE *out);
#endif

/* Whether this file compiles the host functions: the implementation's file when measuring;
 * without LIND_PERF, every host file, where they are inline no-ops. */
#if defined(LIND_PERF) ? defined(LINDPERF_IMPLEMENTATION) : defined(LINDPERF_HOST)
#define LINDPERF__HOST_CODE 1
#endif

/* ---------------------------------------------------------------------------------------
 * 3. HOST FLAGS, shared by both builds: the off build must still recognise a perf flag, to
 * say that it cannot honour it.
 */
#ifdef LINDPERF__HOST_CODE
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
#define LINDPERF__PRINTF(string_index, first_to_check) \
    __attribute__((__format__(__printf__, string_index, first_to_check)))
#else
#define LINDPERF__PRINTF(string_index, first_to_check)
#endif

#define LINDPERF_MAX_ONLY 32    /* --perf-only patterns in one command line */
#define LINDPERF_MAX_REPEAT 1000    /* --perf-repeat=N */

typedef struct lindperf__options {
    lindperf_timer timer;
    int net, detail, tree, solo;
    unsigned repeat;            /* 0: not given */
    const char *json_path, *csv_path, *gbench_path, *tree_csv_path;
    const char *only[LINDPERF_MAX_ONLY];
    size_t only_count;
    const char *first_flag;     /* for the off build's message */
    const char *timer_flag;     /* the flag that chose the timer, as given */
    const char *modifier;       /* the last flag that needs a timer */
} lindperf__options;

#define LINDPERF__FLAG_LIST "--perf, --perftsc, --perf=clock|tsc, --perf-net, --perf-detail, " \
                            "--perf-tree, --perf-json=FILE, --perf-csv=FILE, --perf-only=GLOB, " \
                            "--perf-repeat=N, --perf-solo, --perf-gbench=FILE, " \
                            "--perf-tree-csv=FILE"

/* What a flag's value is, and so how it is read and where it goes. */
typedef enum {
    LINDPERF__TAKES_TIMER,      /* no value: the flag names the timer */
    LINDPERF__TAKES_NOTHING,    /* a switch, on when given */
    LINDPERF__TAKES_FILE,       /* =FILE, an output path */
    LINDPERF__TAKES_GLOB,       /* =GLOB, repeatable */
    LINDPERF__TAKES_COUNT       /* =N, 1 to LINDPERF_MAX_REPEAT */
} lindperf__value_kind;

typedef struct lindperf__flag {
    const char *name;           /* as typed, up to the '=' of a value */
    lindperf__value_kind takes;
    size_t field;               /* where it goes: an offset into lindperf__options */
    lindperf_timer timer;       /* for the timer flags */
} lindperf__flag;

#define LINDPERF__FIELD(name) offsetof(lindperf__options, name)

/* The host flags, a row each: the i-th, or NULL past the last. */
static inline const lindperf__flag *lindperf__flag_at(size_t i)
{
    static const lindperf__flag flags[] = {
        {"--perf", LINDPERF__TAKES_TIMER, LINDPERF__FIELD(timer), LINDPERF_CLOCK},
        {"--perf=clock", LINDPERF__TAKES_TIMER, LINDPERF__FIELD(timer), LINDPERF_CLOCK},
        {"--perftsc", LINDPERF__TAKES_TIMER, LINDPERF__FIELD(timer), LINDPERF_TSC},
        {"--perf=tsc", LINDPERF__TAKES_TIMER, LINDPERF__FIELD(timer), LINDPERF_TSC},
        {"--perf-net", LINDPERF__TAKES_NOTHING, LINDPERF__FIELD(net), LINDPERF_OFF},
        {"--perf-detail", LINDPERF__TAKES_NOTHING, LINDPERF__FIELD(detail), LINDPERF_OFF},
        {"--perf-tree", LINDPERF__TAKES_NOTHING, LINDPERF__FIELD(tree), LINDPERF_OFF},
        {"--perf-solo", LINDPERF__TAKES_NOTHING, LINDPERF__FIELD(solo), LINDPERF_OFF},
        {"--perf-json", LINDPERF__TAKES_FILE, LINDPERF__FIELD(json_path), LINDPERF_OFF},
        {"--perf-csv", LINDPERF__TAKES_FILE, LINDPERF__FIELD(csv_path), LINDPERF_OFF},
        {"--perf-gbench", LINDPERF__TAKES_FILE, LINDPERF__FIELD(gbench_path), LINDPERF_OFF},
        {"--perf-tree-csv", LINDPERF__TAKES_FILE, LINDPERF__FIELD(tree_csv_path), LINDPERF_OFF},
        {"--perf-only", LINDPERF__TAKES_GLOB, LINDPERF__FIELD(only), LINDPERF_OFF},
        {"--perf-repeat", LINDPERF__TAKES_COUNT, LINDPERF__FIELD(repeat), LINDPERF_OFF},
    };
    return i < sizeof flags / sizeof flags[0] ? &flags[i] : NULL;
}

/* The row of the flag that arg is, or NULL. A flag that takes a value matches with "=..." and
 * also bare, so that a missing value gets its own message. */
static inline const lindperf__flag *lindperf__find_flag(const char *arg)
{
    const lindperf__flag *f;
    for (size_t i = 0; (f = lindperf__flag_at(i)) != NULL; i++) {
        size_t len = strlen(f->name);
        int with_value = f->takes > LINDPERF__TAKES_NOTHING;
        if (strncmp(arg, f->name, len) == 0 && (arg[len] == 0 || (with_value && arg[len] == '=')))
            return f;
    }
    return NULL;
}

static inline int lindperf__is_perf_flag(const char *arg)
{
    return strncmp(arg, "--perf", 6) == 0;
}

/* Ours to look at: the options before the program. "-" alone is an argument (standard
 * input, by convention), and "--" ends the options, as getopt has it; it stays in argv. */
static inline int lindperf__is_option(const char *arg)
{
    return arg && arg[0] == '-' && arg[1] && strcmp(arg, "--") != 0;
}

/* Variadic only so that the compiler checks each message against its argument. */
static inline int lindperf__option_error(char *why, size_t size, const char *format, ...)
    LINDPERF__PRINTF(3, 4);
static inline int lindperf__option_error(char *why, size_t size, const char *format, ...)
{
    if (why && size) {
        va_list args;
        va_start(args, format);
        vsnprintf(why, size, format, args);
        va_end(args);
    }
    return -1;
}

/* Digits only, 1 to LINDPERF_MAX_REPEAT: "0", "-1", "5x" and " 5" are mistakes. */
static inline unsigned lindperf__parse_count(const char *s)
{
    unsigned n = 0;
    if (!*s)
        return 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return 0;
        n = n * 10 + (unsigned)(*s - '0');
        if (n > LINDPERF_MAX_REPEAT)
            return 0;
    }
    return n;
}

/* Takes one flag, found in the table, into o. */
static inline int lindperf__take_flag(const lindperf__flag *f, const char *arg,
                                      lindperf__options *o, char *why, size_t size)
{
    void *field = (char *)o + f->field;
    const char *value = arg + strlen(f->name);
    value += *value == '=';
    switch (f->takes) {
    case LINDPERF__TAKES_TIMER:
        if (o->timer != LINDPERF_OFF)
            return lindperf__option_error(why, size, "lindperf: %s: a timer was given already; "
                                          "give one of --perf and --perftsc", arg);
        o->timer = f->timer;
        o->timer_flag = arg;
        return 0;
    case LINDPERF__TAKES_NOTHING:
        if (*(int *)field)
            return lindperf__option_error(why, size, "lindperf: %s is given twice; give it once",
                                          arg);
        *(int *)field = 1;
        return 0;
    case LINDPERF__TAKES_FILE:
        if (!*value)
            return lindperf__option_error(why, size, "lindperf: %s needs a file name, as in "
                                          "%s=FILE", arg, f->name);
        if (*(const char **)field)
            return lindperf__option_error(why, size, "lindperf: %s: that output file is given "
                                          "twice; give it once", arg);
        *(const char **)field = value;
        return 0;
    case LINDPERF__TAKES_GLOB:
        if (!*value)
            return lindperf__option_error(why, size, "lindperf: %s needs a pattern, as in "
                                          "--perf-only='threei::*'", arg);
        if (o->only_count == LINDPERF_MAX_ONLY)
            return lindperf__option_error(why, size, "lindperf: %s: more --perf-only patterns "
                                          "than fit (32); combine some into one glob", arg);
        o->only[o->only_count++] = value;
        return 0;
    case LINDPERF__TAKES_COUNT:
        if (*(unsigned *)field)
            return lindperf__option_error(why, size, "lindperf: %s is given twice; give it once",
                                          arg);
        *(unsigned *)field = lindperf__parse_count(value);
        if (!*(unsigned *)field)
            return lindperf__option_error(why, size, "lindperf: %s: the count is a whole number "
                                          "from 1 to 1000, as in %s=5", arg, f->name);
        return 0;
    }
    return -1;
}

/* Only the arguments before the first non-option (the program to run) are ours. Whether the
 * modifiers have their timer is left to the caller: the off build words it differently. */
static inline int lindperf__read_flags(int argc, char **argv, lindperf__options *o, char *why,
                                       size_t size)
{
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc && lindperf__is_option(argv[i]); i++) {
        const char *arg = argv[i];
        if (!lindperf__is_perf_flag(arg))
            continue;
        if (!o->first_flag)
            o->first_flag = arg;
        const lindperf__flag *f = lindperf__find_flag(arg);
        if (!f && strncmp(arg, "--perf=", 7) == 0)
            return lindperf__option_error(why, size, "lindperf: %s: the timer is clock or tsc "
                                          "(--perf=clock or --perf=tsc)", arg);
        if (!f)
            return lindperf__option_error(why, size, "lindperf: unknown option %s; the perf "
                                          "options are " LINDPERF__FLAG_LIST, arg);
        if (lindperf__take_flag(f, arg, o, why, size) != 0)
            return -1;
        if (f->takes != LINDPERF__TAKES_TIMER)
            o->modifier = arg;
    }
    return 0;
}

static inline int lindperf__parse_options(int argc, char **argv, lindperf__options *o, char *why,
                                          size_t size)
{
    if (lindperf__read_flags(argc, argv, o, why, size) != 0)
        return -1;
    if (o->modifier && o->timer == LINDPERF_OFF)
        return lindperf__option_error(why, size, "lindperf: %s needs a timer: add --perf or "
                                      "--perftsc", o->modifier);
    return 0;
}

/* Drops the perf flags from argv, keeping argv[argc] == NULL. */
static inline void lindperf__remove_flags(int *argc, char **argv)
{
    int kept = 1, i = 1;
    for (; i < *argc && lindperf__is_option(argv[i]); i++)
        if (!lindperf__is_perf_flag(argv[i]))
            argv[kept++] = argv[i];
    for (; i < *argc; i++)
        argv[kept++] = argv[i];
    if (*argc > 0) {
        *argc = kept;
        argv[kept] = NULL;
    }
}

/* What both builds' lindperf_try_parse_args start with. */
static inline int lindperf__parse_vector(int *argc, char **argv, lindperf__options *o, char *why,
                                         size_t size)
{
    memset(o, 0, sizeof *o);
    if (!argc || !argv)
        return lindperf__option_error(why, size, "lindperf: %s", "no argument vector given");
    return lindperf__parse_options(*argc, argv, o, why, size);
}

LINDPERF__API lindperf_timer lindperf_parse_args(int *argc, char **argv)
{
    char why[512];
    lindperf_timer timer = LINDPERF_OFF;
    if (lindperf_try_parse_args(argc, argv, &timer, why, sizeof why) != 0) {
        fprintf(stderr, "%s\n", why);
        exit(2);
    }
    return timer;
}
#endif /* LINDPERF__HOST_CODE */

#ifdef LIND_PERF

#if !defined(__GNUC__)
#error "lindperf: LIND_PERF needs GCC or Clang (the scope guard is __attribute__((cleanup))); \
build without -DLIND_PERF on this compiler"
#endif

#define LINDPERF_ENABLED 1

#include <time.h>

#ifndef CLOCK_MONOTONIC
#error "lindperf: LIND_PERF needs POSIX (clock_gettime), hidden by a strict -std: \
include lindperf.h before any system header, or define _POSIX_C_SOURCE=200809L, \
or use -std=gnu11"
#endif

#define LINDPERF__UNLIKELY(x) __builtin_expect(!!(x), 0)
#define LINDPERF__RELAXED   __ATOMIC_RELAXED

/* ---------------------------------------------------------------------------------------
 * 4. PLATFORM TIMERS
 *
 * Both timers are read inline. The clock goes through the vDSO (no system call). The
 * timestamp counter is fenced the way the reference reads it, lfence;rdtsc to start and
 * rdtscp;lfence to end, so the measured work can neither start before the first read nor
 * finish after the second. The "memory" clobbers keep the compiler from moving loads and
 * stores across the reads.
 */
static inline uint64_t lindperf__clock_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#if defined(__x86_64__) || defined(__i386__)
#define LINDPERF_HAVE_TSC 1
static inline uint64_t lindperf__tsc_begin(void)
{
    uint32_t lo, hi;
    __asm__ __volatile__("lfence\n\trdtsc" : "=a"(lo), "=d"(hi) : : "memory");
    return (uint64_t)hi << 32 | lo;
}
static inline uint64_t lindperf__tsc_end(void)
{
    uint32_t lo, hi;
    __asm__ __volatile__("rdtscp\n\tlfence" : "=a"(lo), "=d"(hi) : : "ecx", "memory");
    return (uint64_t)hi << 32 | lo;
}
#elif defined(__aarch64__)
#define LINDPERF_HAVE_TSC 1
static inline uint64_t lindperf__tsc_begin(void)
{
    uint64_t v;
    __asm__ __volatile__("isb\n\tmrs %0, cntvct_el0" : "=r"(v) : : "memory");
    return v;
}
static inline uint64_t lindperf__tsc_end(void)
{
    uint64_t v;
    __asm__ __volatile__("isb\n\tmrs %0, cntvct_el0\n\tisb" : "=r"(v) : : "memory");
    return v;
}
#else
#define LINDPERF_HAVE_TSC 0
static inline uint64_t lindperf__tsc_begin(void) { return 0; }
static inline uint64_t lindperf__tsc_end(void) { return 0; }
#endif

/* ---------------------------------------------------------------------------------------
 * 5. COUNTERS AND REGISTRY
 *
 * A counter is a small static object. Its `mode` is the only thing a scope reads before it
 * knows whether to time: zero for a counter that is not live. It starts as UNREGISTERED,
 * which its object's constructor clears, so that a scope whose counter no section lists
 * (the linker dropped the entry) takes the rare path and is noticed. Everything else the
 * host keeps about a counter lives in the registry's tables, indexed by `index`.
 *
 * Each definition also puts a pointer to its counter in the linker section
 * "lindperf_counters". The linker gathers them from every object file and brackets them
 * with __start_/__stop_ symbols, so walking an object's counters is walking an array (the
 * Linux kernel's initcalls work the same way). The entries are marked `retain`, because a
 * release link (--gc-sections, -z start-stop-gc, LTO) otherwise drops a section that no
 * code names.
 *
 * Every loaded object (the program, a linked or dlopen'ed .so) has its own section. A
 * constructor in each object hands its section to one process-wide list, lindperf__objects,
 * whose symbols have default visibility whatever -fvisibility says, so that the first
 * definition in symbol-resolution order is everyone's. The host adopts what is on the list
 * when it starts, and again between runs only, never while scopes are live.
 */
enum {
    LINDPERF__MODE_LIVE = 1,      /* time this counter's scopes */
    LINDPERF__MODE_TSC = 2,       /* ... with the timestamp counter, else the clock */
    LINDPERF__MODE_DETAIL = 4,    /* ... and keep their distribution */
    LINDPERF__MODE_DISCOVER = 8,  /* note that the scope was reached, and under whom */
    LINDPERF__MODE_CONTROL = 16,  /* run_each --perf-net: interleave empty control pairs */
    LINDPERF__MODE_BATCH = 32,    /* run_each batched: check that no live scope nests */
    LINDPERF__MODE_RECURSIVE = 64, /* it recursed in discovery: time outermost activations */
    LINDPERF__MODE_PATH = 128,    /* not timed: keeps its thread's calling context for ... */
    LINDPERF__MODE_CONTEXT = 256, /* ... a live counter reached in several: times each */
    LINDPERF__MODE_OWN_SLOT = 512, /* record into the counter's own slot, not a thread's table */
    LINDPERF__MODE_FOREIGN = 1024, /* its object keeps its own registry (lindperf__object_list) */
    LINDPERF__MODE_UNREGISTERED = 2048  /* until its object's constructor has run: a scope
                                           that still sees this bit has no registry entry */
};

/* What a scope adds to its counter's mode for its own end. */
enum {
    LINDPERF__MODE_NESTED = 1 << 14,    /* an activation of the counter is open under it */
    LINDPERF__MODE_UNTRACKED = 1 << 15  /* its context could not be kept: the counter's alone */
};

/* The index of a counter that no registry has adopted. */
#define LINDPERF__NO_INDEX UINT32_MAX

/* A 64-bit figure that threads share. i386 aligns uint64_t to 4 bytes inside a struct, where
 * a 64-bit atomic can tear or split a lock: every shared figure is 8-byte aligned instead. */
typedef uint64_t lindperf__u64 __attribute__((aligned(8)));

typedef struct lindperf__slot {
    lindperf__u64 calls;
    lindperf__u64 total;
} lindperf__slot;

struct lindperf_counter {
    uint16_t mode;            /* read by every scope start: LINDPERF__MODE_* bits */
    unsigned char foreign;    /* adopted from an object's own registry; set by the host */
    uint32_t index;           /* position in the registry, set when it is adopted */
    const char *module;
    const char *name;         /* "module::ident", or the display name given */
    const char *file;         /* where it is defined: orders rows, names duplicates */
    int line;
    /* Counters that no thread's table has room for record here, with atomic adds: those
     * of an object loaded after the tables were sized, and those of a foreign registry. */
    lindperf__slot own;
    lindperf__u64 own_floor;  /* net floor a foreign scope missed */
    uint32_t own_reached;     /* a foreign counter's discovery mark */
};

#define LINDPERF__SYMBOL(module, ident) lindperf__counter_##module##__##ident

/* `retain` (SHF_GNU_RETAIN) from GCC 12 and Clang 14; older compilers go without it (see
 * "Release builds" in the manual). Predefined empty, it plays an older compiler in tests. */
#ifndef LINDPERF__RETAIN
#if defined(__has_attribute)
#if __has_attribute(retain)
#define LINDPERF__RETAIN retain,
#endif
#endif
#endif
#ifndef LINDPERF__RETAIN
#define LINDPERF__RETAIN
#endif

#define LINDPERF_COUNTER_NAMED(module, ident, display)                                   \
    extern lindperf_counter LINDPERF__SYMBOL(module, ident);                             \
    lindperf_counter LINDPERF__SYMBOL(module, ident) = {                                 \
        LINDPERF__MODE_UNREGISTERED, 0, LINDPERF__NO_INDEX, #module, display, __FILE__,  \
        __LINE__, {0, 0}, 0, 0};                                                         \
    static lindperf_counter *lindperf__entry_##module##__##ident __attribute__((         \
        section("lindperf_counters"), used, LINDPERF__RETAIN aligned(sizeof(void *)))) = \
        &LINDPERF__SYMBOL(module, ident)

#define LINDPERF_COUNTER(module, ident) \
    LINDPERF_COUNTER_NAMED(module, ident, #module "::" #ident)

#define LINDPERF_DECLARE(module, ident) extern lindperf_counter LINDPERF__SYMBOL(module, ident)

/* ---------------------------------------------------------------------------------------
 * 6. THE SCOPE GUARD
 *
 * The whole hot path is on this screen. A scope loads its counter's mode and, when the
 * counter is not live, is done: one load and one well-predicted branch, and its end tests
 * a register. A live scope finds this thread's slot and reads the timer; its end reads the
 * timer again and adds one call and the interval to the slot. Finding the slot before the
 * first read keeps that chain of loads out of the fenced tail, where it would cost ~2 ns
 * more per scope. Anything rarer (no table yet, detail, discovery) goes out of line.
 */
/* The counters that have a slot in every table: 4 MiB of address space a thread (1 MiB on
 * 32-bit systems, where address space is short), of which only written pages take memory.
 * Fixed here, never by a compile-time option, so that objects built with different
 * options agree on where a slot is. */
#define LINDPERF__REACH (sizeof(void *) >= 8 ? 262144u : 65536u)

/* The slots start a page after the header: an offset known at compile time, rather than a
 * pointer in the header, saves a scope a dependent load before its first timer read. The
 * same in every object whatever its options, so that a thread's exit unmaps exactly what its
 * first record mapped. */
#define LINDPERF__SLOTS_OFFSET 4096u

typedef struct lindperf__thread lindperf__thread;   /* a thread's table: section 9 */

/* The thread-locals are initial-exec: in a dlopen'ed object a general-dynamic variable is
 * allocated (malloc) on its first access by each thread, and that access could be a
 * handler's. Initial-exec ones sit in the static TLS block that glibc reserves room for at
 * dlopen, so reading them never allocates. */
#define LINDPERF__TLS __thread __attribute__((tls_model("initial-exec")))

/* What a scope reads besides its counter: this thread's table, and the floor subtracted
 * from every interval (0 when gross). Defined with the library's code, one per process. */
extern LINDPERF__TLS lindperf__thread *lindperf__self;
extern lindperf__u64 lindperf__net_floor;

static inline uint64_t lindperf__saturating_add(uint64_t a, uint64_t b)
{
    uint64_t sum = a + b;
    return sum < a ? UINT64_MAX : sum;
}

static inline uint64_t lindperf__load(const lindperf__u64 *p)
{
    return __atomic_load_n(p, LINDPERF__RELAXED);
}

static inline void lindperf__store(lindperf__u64 *p, uint64_t v)
{
    __atomic_store_n(p, v, LINDPERF__RELAXED);
}

/* The owner's update of its slot, exact against its own signal handlers: a handler runs
 * between two instructions of the thread it interrupts, so an update that is one
 * instruction, or a sequence that a handler's own update cannot spoil, loses nothing. No
 * other thread writes the slot, so none of these needs a lock prefix or a barrier.
 *   x86-64: one add to memory per figure. The carry of the total's add saturates it.
 *   i386: an add and an add-with-carry per figure. A handler between the two leaves the
 *     low word and the carry flag as one update would (the kernel saves and restores the
 *     flags around it), and its own pair adds its value whole, so the sum is exact.
 *   aarch64: there is no add to memory before LSE, so both figures go through one
 *     load-exclusive/store-exclusive pair; a handler that runs in between clears the
 *     exclusive monitor, so the store fails and the pair is done again on the new values.
 *   elsewhere: the compiler's atomic add. */
static inline void lindperf__slot_add(lindperf__slot *s, uint64_t elapsed)
{
#if defined(__x86_64__)
    __asm__ __volatile__("addq $1, %0" : "+m"(s->calls) : : "cc");
    __asm__ __volatile__("addq %1, %0\n\t"
                         "jnc 1f\n\t"
                         "movq $-1, %0\n"
                         "1:" : "+m"(s->total) : "r"(elapsed) : "cc");
#elif defined(__i386__)
    __asm__ __volatile__("addl $1, 0(%0)\n\t"
                         "adcl $0, 4(%0)\n\t"
                         "addl %1, 8(%0)\n\t"
                         "adcl %2, 12(%0)\n\t"
                         "jnc 1f\n\t"
                         "movl $-1, 8(%0)\n\t"
                         "movl $-1, 12(%0)\n"
                         "1:" : : "r"(s), "r"((uint32_t)elapsed), "r"((uint32_t)(elapsed >> 32))
                         : "cc", "memory");
#elif defined(__aarch64__)
    uint64_t calls, total;
    uint32_t failed;
    __asm__ __volatile__("1: ldxp %0, %1, [%3]\n\t"
                         "add %0, %0, #1\n\t"
                         "adds %1, %1, %4\n\t"
                         "csinv %1, %1, xzr, cc\n\t"
                         "stxp %w2, %0, %1, [%3]\n\t"
                         "cbnz %w2, 1b"
                         : "=&r"(calls), "=&r"(total), "=&r"(failed)
                         : "r"(s), "r"(elapsed) : "cc", "memory");
#else
    __atomic_fetch_add(&s->calls, 1, LINDPERF__RELAXED);
    uint64_t old = lindperf__load(&s->total);
    while (!__atomic_compare_exchange_n(&s->total, &old, lindperf__saturating_add(old, elapsed),
                                        1, LINDPERF__RELAXED, LINDPERF__RELAXED))
        ;
#endif
}

/* A thread's slot for a counter, or NULL past the reach: the overflow table. */
static inline lindperf__slot *lindperf__slot_of(lindperf__thread *t, uint32_t index)
{
    if (index >= LINDPERF__REACH)
        return NULL;
    return (lindperf__slot *)(void *)((char *)t + LINDPERF__SLOTS_OFFSET) + index;
}

typedef struct lindperf_scope {
    lindperf_counter *counter;
    lindperf__slot *slot;     /* this thread's slot for the counter; NULL: the rare path */
    uint64_t start;
    unsigned mode;            /* the counter's mode when the scope began; 0: not timing */
} lindperf_scope;

static inline uint64_t lindperf__stamp_begin(unsigned mode)
{
    return (mode & LINDPERF__MODE_TSC) ? lindperf__tsc_begin() : lindperf__clock_now();
}

static inline uint64_t lindperf__stamp_end(unsigned mode)
{
    return (mode & LINDPERF__MODE_TSC) ? lindperf__tsc_end() : lindperf__clock_now();
}

/* end - start - floor, never below zero: a counter read on another core can run behind. */
static inline uint64_t lindperf__interval(uint64_t start, uint64_t end)
{
    uint64_t floor = __atomic_load_n(&lindperf__net_floor, LINDPERF__RELAXED);
    return end > start && end - start > floor ? end - start - floor : 0;
}

/* The rare paths, out of line in the file that defines LINDPERF_IMPLEMENTATION. Hidden, so
 * that each linked object calls its own copy directly, without a PLT. */
#define LINDPERF__RARE __attribute__((visibility("hidden"), cold))
LINDPERF__RARE unsigned lindperf__begin_rare(lindperf_counter *c, unsigned mode);
LINDPERF__RARE void lindperf__record_rare(lindperf_counter *c, unsigned mode, uint64_t start,
                                          uint64_t elapsed);

static inline lindperf_scope lindperf__scope_begin(lindperf_counter *c)
{
    lindperf_scope s;
    s.counter = c;
    s.start = 0;
    s.slot = NULL;
    s.mode = __atomic_load_n(&c->mode, __ATOMIC_ACQUIRE);
    if (LINDPERF__UNLIKELY(s.mode != 0)) {
        if (lindperf__self && s.mode == (s.mode & (LINDPERF__MODE_LIVE | LINDPERF__MODE_TSC))) {
            s.slot = lindperf__slot_of(lindperf__self, c->index);
        } else {
            s.mode = lindperf__begin_rare(c, s.mode);
            if (!(s.mode & LINDPERF__MODE_LIVE) || (s.mode & LINDPERF__MODE_NESTED))
                return s;               /* times nothing, or its outermost activation does */
        }
        s.start = lindperf__stamp_begin(s.mode);
    }
    return s;
}

static inline void lindperf__scope_end(lindperf_scope *s)
{
    if (LINDPERF__UNLIKELY(s->mode != 0)) {
        if (s->slot)
            lindperf__slot_add(s->slot, lindperf__interval(s->start, lindperf__stamp_end(s->mode)));
        else if (!(s->mode & LINDPERF__MODE_LIVE) || (s->mode & LINDPERF__MODE_NESTED))
            lindperf__record_rare(s->counter, s->mode, s->start, 0);
        else
            lindperf__record_rare(s->counter, s->mode, s->start,
                                  lindperf__interval(s->start, lindperf__stamp_end(s->mode)));
        s->mode = 0;
    }
}

#define LINDPERF__CAT2(a, b) a##b
#define LINDPERF__CAT(a, b) LINDPERF__CAT2(a, b)

#define LINDPERF_SCOPE_VAR(var, module, ident)                                 \
    lindperf_scope var __attribute__((cleanup(lindperf__scope_end), unused)) = \
        lindperf__scope_begin(&LINDPERF__SYMBOL(module, ident))

#define LINDPERF_SCOPE(module, ident) \
    LINDPERF_SCOPE_VAR(LINDPERF__CAT(lindperf__scope_, __COUNTER__), module, ident)

#define lindperf_scope_end(scope) lindperf__scope_end(scope)

static inline void lindperf__black_box(const volatile void *p)
{
    __asm__ __volatile__("" : : "r"(p) : "memory");
}
#define lindperf_black_box(ptr) lindperf__black_box(ptr)

/* Every measuring file names the library's code, so that a program (or shared library) in
 * which no file defines LINDPERF_IMPLEMENTATION fails to link with this name in the
 * message, rather than running with counters that nothing registers. */
extern const char lindperf__define_LINDPERF_IMPLEMENTATION_in_one_file
    __attribute__((visibility("hidden")));
static const char *const lindperf__implementation_check
    __attribute__((used, LINDPERF__RETAIN unused)) =
        &lindperf__define_LINDPERF_IMPLEMENTATION_in_one_file;

#ifdef LINDPERF_IMPLEMENTATION
/* ---------------------------------------------------------------------------------------
 * THE LIBRARY'S CODE, compiled in the one file that defines LINDPERF_IMPLEMENTATION.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* One definition per process: weak, and default visibility, so that an object built with
 * -fvisibility=hidden still shares the program's registry. */
#define LINDPERF__WEAK      __attribute__((weak, visibility("default")))
/* Out of the hot path, and perhaps unused by a given program. */
#define LINDPERF__COLD      __attribute__((noinline, cold, unused))

const char lindperf__define_LINDPERF_IMPLEMENTATION_in_one_file = 1;

/* ---------------------------------------------------------------------------------------
 * 7. THE TIMESTAMP COUNTER: its name, whether the CPU has one, and its rate
 */
/* What the counter is called wherever it is named: the timer line, the table's units, the
 * JSON's "timer" and "unit", and the messages. On aarch64 it is the generic timer, which
 * ticks at the rate in cntfrq_el0 (tens of MHz on most parts), not with the core's cycles. */
#if defined(__aarch64__)
#define LINDPERF__TSC_NAME     "cntvct"                     /* the JSON's "timer" */
#define LINDPERF__TSC_UNIT     "ticks"                      /* the JSON's "unit", the timer line */
#define LINDPERF__TSC_SYMBOL   "tick"                       /* the table's unit */
#define LINDPERF__TSC_TITLE    "generic timer cntvct_el0"   /* the timer line */
#define LINDPERF__TSC_READS    "cntvct_el0"                 /* what a scope reads */
#define LINDPERF__TSC_HZ_UNIT  "MHz"                        /* the timer line's rate */
#define LINDPERF__TSC_HZ_SCALE 1e6
#else
#define LINDPERF__TSC_NAME     "tsc"
#define LINDPERF__TSC_UNIT     "cycles"
#define LINDPERF__TSC_SYMBOL   "cyc"
#define LINDPERF__TSC_TITLE    "tsc"
#define LINDPERF__TSC_READS    "rdtsc and rdtscp"
#define LINDPERF__TSC_HZ_UNIT  "GHz"
#define LINDPERF__TSC_HZ_SCALE 1e9
#endif

#if defined(__x86_64__) || defined(__i386__)
static inline void lindperf__cpuid(uint32_t leaf, uint32_t r[4])
{
    __asm__ __volatile__("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                         : "a"(leaf), "c"(0));
}
#endif

/* Whether this CPU has the counter we read: rdtsc and rdtscp on x86, always on aarch64.
 * LINDPERF_NO_TSC=1 in the environment makes it answer no, to exercise that path. */
static inline int lindperf__tsc_available(void)
{
    const char *forced_off = getenv("LINDPERF_NO_TSC");
    if (forced_off && strcmp(forced_off, "1") == 0)
        return 0;
#if defined(__x86_64__) || defined(__i386__)
    uint32_t r[4];
    lindperf__cpuid(0, r);
    if (r[0] < 1)
        return 0;
    lindperf__cpuid(1, r);
    int has_rdtsc = (r[3] >> 4) & 1;
    lindperf__cpuid(0x80000000u, r);
    if (r[0] < 0x80000001u)
        return 0;
    lindperf__cpuid(0x80000001u, r);
    return has_rdtsc && ((r[3] >> 27) & 1);
#else
    return LINDPERF_HAVE_TSC;
#endif
}

/* An invariant TSC ticks at one rate whatever the core's frequency and power state. */
static inline int lindperf__tsc_invariant(void)
{
#if defined(__x86_64__) || defined(__i386__)
    uint32_t r[4];
    lindperf__cpuid(0x80000000u, r);
    if (r[0] < 0x80000007u)
        return 0;
    lindperf__cpuid(0x80000007u, r);
    return (r[3] >> 8) & 1;
#else
    return 1;
#endif
}

/* The counter's frequency from what the hardware says, or 0 when it says nothing:
 * CPUID 0x15 (crystal clock times the TSC ratio), 0x16 (the base frequency, which the TSC
 * runs at on the CPUs that report it), the hypervisor's leaf 0x40000010, or cntfrq_el0. */
static inline double lindperf__tsc_hz_reported(const char **source)
{
#if defined(__x86_64__) || defined(__i386__)
    uint32_t r[4];
    lindperf__cpuid(0, r);
    uint32_t max_leaf = r[0];
    if (max_leaf >= 0x15) {
        lindperf__cpuid(0x15, r);
        if (r[0] && r[1] && r[2]) {
            *source = "cpuid 0x15";
            return (double)r[2] * r[1] / r[0];
        }
    }
    if (max_leaf >= 0x16) {
        lindperf__cpuid(0x16, r);
        if (r[0] & 0xffff) {
            *source = "cpuid 0x16";
            return (r[0] & 0xffff) * 1e6;
        }
    }
    lindperf__cpuid(0x40000000u, r);
    if (r[0] >= 0x40000010u && r[0] < 0x50000000u) {
        lindperf__cpuid(0x40000010u, r);
        if (r[0]) {
            *source = "hypervisor cpuid 0x40000010";
            return r[0] * 1e3;
        }
    }
    return 0;
#elif defined(__aarch64__)
    uint64_t hz;
    __asm__ __volatile__("mrs %0, cntfrq_el0" : "=r"(hz));
    *source = "cntfrq_el0";
    return (double)hz;
#else
    (void)source;
    return 0;
#endif
}

/* LINDPERF_TSC_HZ=N in the environment gives the counter's rate in Hz, over what the hardware
 * says: for a hypervisor that reports none or a wrong one, and for the tests, which need a
 * coarse tick where the hardware has none. 1 with *hz set, 0 when it is not set, -1 when it
 * is not a rate from 1 Hz to 1 THz. */
#define LINDPERF__TSC_HZ_MAX 1e12

static inline int lindperf__tsc_hz_override(double *hz)
{
    const char *text = getenv("LINDPERF_TSC_HZ");
    if (!text)
        return 0;
    char *end = NULL;
    double value = strtod(text, &end);
    if (end == text || *end || !(value >= 1 && value <= LINDPERF__TSC_HZ_MAX))
        return -1;
    *hz = value;
    return 1;
}

/* What one empty scope's two counter reads take, timed by the clock rather than by the
 * counter, whose tick may be too coarse to see them: the cheapest of a few batches, so that
 * a batch an interrupt lands in does not count. */
#define LINDPERF__PAIR_BATCHES 5
#define LINDPERF__PAIR_BATCH_SIZE 200

static inline double lindperf__tsc_pair_ns(void)
{
    double best = 0;
    for (int b = 0; b < LINDPERF__PAIR_BATCHES; b++) {
        uint64_t start = lindperf__clock_now();
        for (int i = 0; i < LINDPERF__PAIR_BATCH_SIZE; i++) {
            lindperf__tsc_begin();
            lindperf__tsc_end();
        }
        double ns = (double)(lindperf__clock_now() - start) / LINDPERF__PAIR_BATCH_SIZE;
        if (b == 0 || ns < best)
            best = ns;
    }
    return best;
}

/* An interval is a whole number of ticks. When one tick outlasts an empty scope, a short
 * scope reads 0 or 1 tick at random, and its average says more about the rounding than about
 * the scope: the figures are then only good for spans many ticks long. */
static inline void lindperf__warn_if_tick_coarse(double hz)
{
    double tick_ns = 1e9 / hz, pair_ns = lindperf__tsc_pair_ns();
    if (tick_ns > pair_ns)
        fprintf(stderr,
                "lindperf: one tick of the " LINDPERF__TSC_TITLE " (%.3f MHz) lasts %.1f ns, "
                "longer than an empty scope takes (%.1f ns), so figures of a few ticks are mostly "
                "rounding; time spans many ticks long, or use --perf (the clock)\n",
                hz / 1e6, tick_ns, pair_ns);
}

/* One point where the counter and the clock are read together. Reading counter, clock,
 * counter and keeping the tightest of a few tries bounds the pairing error by the width
 * of that bracket, a few tens of nanoseconds. */
static inline void lindperf__tsc_clock_pair(uint64_t *tsc, uint64_t *ns)
{
    uint64_t best_width = UINT64_MAX;
    for (int i = 0; i < 8; i++) {
        uint64_t before = lindperf__tsc_begin();
        uint64_t clock = lindperf__clock_now();
        uint64_t after = lindperf__tsc_end();
        if (after - before < best_width) {
            best_width = after - before;
            *tsc = before + (after - before) / 2;
            *ns = clock;
        }
    }
}

#define LINDPERF__CALIBRATION_NS 20000000u   /* 20 ms: the pairing error is 1e-6 of it */

static inline double lindperf__tsc_hz_calibrated(void)
{
    uint64_t tsc0 = 0, ns0 = 0, tsc1 = 0, ns1 = 0;
    lindperf__tsc_clock_pair(&tsc0, &ns0);
    while (lindperf__clock_now() - ns0 < LINDPERF__CALIBRATION_NS)
        ;
    lindperf__tsc_clock_pair(&tsc1, &ns1);
    return (double)(tsc1 - tsc0) * 1e9 / (double)(ns1 - ns0);
}

/* ---------------------------------------------------------------------------------------
 * 8. THE PROCESS'S OBJECTS (see section 5)
 */
/* Weak, so that an object with no counter at all still links (both are then null); hidden,
 * so that each object's constructor names its own section and not the program's. */
extern lindperf_counter *__start_lindperf_counters[] __attribute__((weak, visibility("hidden")));
extern lindperf_counter *__stop_lindperf_counters[] __attribute__((weak, visibility("hidden")));

/* One loaded object's section. */
typedef struct lindperf__object {
    lindperf_counter **begin, **end;
} lindperf__object;

#define LINDPERF__OBJECTS_LAYOUT (0x4c500000u + (uint32_t)sizeof(lindperf_counter))

/* The process-wide list of objects. A program that exports no symbol (no -rdynamic) and
 * dlopens an object RTLD_LOCAL leaves that object with a list of its own: the host finds
 * it by walking the loaded objects (dl_iterate_phdr), takes its counters as foreign ones,
 * and leaves a way back here so that its dlclose can tell the host. */
typedef struct lindperf__object_list {
    uint32_t layout;                      /* LINDPERF__OBJECTS_LAYOUT once initialised */
    pthread_mutex_t lock;
    lindperf__object *list;
    size_t count, capacity;
    /* Set by the host that adopted these objects: what an unloading object calls so that
     * the host's registry drops its pointers into it. */
    void (*forget)(lindperf_counter **begin, lindperf_counter **end);
    size_t copies;                        /* counters of unloaded objects, kept by the host */
    uint64_t unregistered_scopes __attribute__((aligned(8)));   /* of counters in no section */
    const lindperf_counter *unregistered_example;
} lindperf__object_list;

extern lindperf__object_list lindperf__objects;
LINDPERF__WEAK lindperf__object_list lindperf__objects = {
    LINDPERF__OBJECTS_LAYOUT, PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0, NULL, 0, 0, NULL};


/* ---------------------------------------------------------------------------------------
 * 9. PER-THREAD STORAGE
 *
 * Each thread that records gets its own table, so no two threads ever write one cache line.
 * A table is sparse: it reserves address space for a slot per counter the program could
 * ever have (LINDPERF__REACH), at an offset known at compile time, and the kernel gives a
 * page of memory (256 slots) only when the thread first writes into it. So a thread's
 * memory grows with the counters it times, not with every registered one; a counter
 * registered after the table was made (a shared object loaded later) already has its slot;
 * and finding a slot costs a scope no load. A reader sums every table under the registry
 * lock.
 * When a thread exits, its table is folded into the counters' retired sums, so nothing is
 * lost. Threads past LINDPERF_MAX_THREADS, threads whose table could not be mapped, and
 * counters past the directory's reach share the overflow table, updated with atomic adds.
 *
 * A scope may run in a signal handler, as the thread's first scope or interrupting a scope
 * of the same counter. So nothing here that a scope can reach takes a lock or calls
 * malloc: tables and histograms come from mmap (a first write into a page is the kernel's
 * business), a new table joins the list with a compare-and-swap on its head, and a handler
 * that races its own thread to map something loses the compare-and-swap and unmaps its
 * copy. Only the host (under the lock) and the
 * exit of a thread (with its signals blocked) take a table off the list or unmap it.
 *
 * A reset does not touch the slots: it remembers the current sums as the baseline, and
 * readers subtract it. Slots therefore only ever grow, and a reset can never be undone by
 * a thread that was half-way through an update.
 */
/* The distribution of one counter's intervals, kept by a thread under --perf-detail.
 * Log-linear buckets as in HdrHistogram: values below 64 have a bucket each; above, each
 * power of two is cut into 32 buckets, so a bucket is at most 1/32 of its lower bound
 * wide and its midpoint is within 1.6% of any value in it. 1920 buckets of 8 bytes, 15 KiB
 * a table: one per thread that records in detail, and one per counter for exited
 * threads. */
#define LINDPERF__SUB_BITS 5
#define LINDPERF__EXACT_BELOW (2u << LINDPERF__SUB_BITS)
#define LINDPERF__BUCKETS                                                                          \
    (LINDPERF__EXACT_BELOW + (64 - LINDPERF__SUB_BITS - 1) * (1u << LINDPERF__SUB_BITS))

typedef struct lindperf__histogram {
    uint32_t owner;           /* index of the counter these samples belong to */
    struct lindperf__histogram *next_retired;   /* on lindperf__g.retired_details */
    lindperf__u64 count, min, max;
    lindperf__u64 buckets[LINDPERF__BUCKETS];
} lindperf__histogram;

typedef struct lindperf__record lindperf__record;   /* the enclosure store's, below */

struct lindperf__thread {
    struct lindperf__thread *next;               /* the list of live tables */
    lindperf__histogram *detail;                 /* mapped on the first detail record */
    lindperf__record *discovery;                 /* open scopes and the calling contexts */
    uint32_t detail_busy;                        /* this thread is inside its detail code */
    uint32_t open_activations;                   /* of the live counter that recursed */
    lindperf__u64 nested_calls;                  /* activations inside it, not yet counted */
};

#define LINDPERF__THREAD_BYTES (LINDPERF__SLOTS_OFFSET + LINDPERF__REACH * sizeof(lindperf__slot))
typedef char lindperf__thread_fits_its_page[sizeof(lindperf__thread) <= LINDPERF__SLOTS_OFFSET
                                            ? 1 : -1];

/* The enclosure store's data (docs/design.md); its code follows the scope guard. */
#define LINDPERF__NO_NODE UINT32_MAX
#define LINDPERF__FIRST_CAPACITY 64u
#define LINDPERF__MAX_CAPACITY (1u << 28)

typedef struct lindperf__node {
    uint32_t counter;
    uint32_t parent;            /* a node of the same tree, or LINDPERF__NO_NODE: a root */
    lindperf__u64 calls;        /* scopes of the counter begun at exactly this path */
} lindperf__node;

/* Nodes in the order they were made, so a parent always comes before its children, and an
 * open-addressing index over them (node + 1, 0: empty) at most half full. */
typedef struct lindperf__tree {
    lindperf__node *nodes;
    uint32_t *index;            /* 2 * capacity entries */
    uint32_t count, capacity;
} lindperf__tree;

typedef struct lindperf__frame {
    uint32_t counter;
    uint32_t node;              /* the path the scope runs at (a recursive one: its encloser's) */
} lindperf__frame;

/* Two counters whose scopes nested on some thread, in either direction: low < high. */
typedef struct lindperf__pair {
    uint32_t low, high;
} lindperf__pair;

struct lindperf__record {
    struct lindperf__record *next;   /* on lindperf__g.records, pushed with compare-and-swap */
    uint32_t owned;                  /* a live thread's; 0: free for the next thread to claim */
    uint32_t busy;                   /* the owner is changing the record: handlers keep out */
    uint32_t generation;             /* the discovery run that its tree belongs to */
    uint32_t merged;                 /* the last generation merged into the process tree */
    uint32_t run;                    /* the run that its stack belongs to */
    uint32_t depth, frame_capacity;
    lindperf__frame *frames;
    lindperf__tree tree;
    lindperf__slot *context_slots;   /* timed runs: calls and time per node of the process tree */
    uint32_t context_capacity, context_generation;
};

/* What the registry keeps per counter, besides the live slots. */
typedef struct lindperf__stats {
    lindperf__slot retired;        /* folded in from exited threads */
    lindperf__slot overflow;       /* shared by threads without a table; atomic adds */
    lindperf__slot baseline;       /* the sums at the last reset */
    lindperf__histogram *retired_detail;
    lindperf__u64 detail_dropped;  /* samples that no histogram took (see detail_add) */
    uint32_t reached;              /* a discovery run entered it */
    uint32_t timed;                /* a timed run was made for it */
    uint32_t recursed;             /* a scope of it began while one was open on its thread */
    uint32_t contexts;             /* nodes of the process tree that are its */
    uint32_t busiest;              /* the one of them with the most calls, or LINDPERF__NO_NODE */
    uint64_t discovered_calls;     /* its scopes in the discovery run, over all its contexts */
    lindperf__u64 nested;          /* activations inside another of its own: calls, no time */
    double floor;                  /* the floor measured just before that run; 0: none */
} lindperf__stats;

typedef struct lindperf__globals {
    int initialized;
    size_t count;                        /* registered counters */
    size_t table_slots;                  /* slots in a thread's table: the first walk's count */
    lindperf_counter **counters;         /* in registry order */
    lindperf__stats *stats;              /* [count] */
    lindperf__record *records;           /* every thread's discovery record, pushed lock-free */
    uint32_t generation;                 /* the discovery run; older records are stale */
    uint32_t run;                        /* every change of modes: older stacks are stale */
    int discovering;                     /* the counters are in discovery mode */
    lindperf__tree contexts;             /* the records merged: the process's calling contexts */
    lindperf__u64 not_recorded;          /* discovery scopes that no record could take */
    lindperf__slot *context_sums;        /* [contexts][stride]: timed calls and time per
                                          * context and repetition, harvested ... */
    unsigned context_stride;             /* repetitions they have room for */
    lindperf__slot *context_seen;        /* ... as what the threads hold beyond this ... */
    lindperf__slot *context_retired;     /* ... plus what exited threads left */
    lindperf__pair *conflicts;    /* counters that nested, sorted; see lindperf__conflict */
    size_t conflict_count;
    int conflicts_lost;                  /* out of memory: every pair counts as nested */
    uint32_t tree_readers;               /* scopes reading contexts without the lock ... */
    uint32_t tree_writing;               /* ... which the host, changing it, turns away */
    uint64_t batch_min_calls;            /* fewer discovered calls: timed alone */
    lindperf__thread *threads;           /* every live thread's table; pushed with CAS */
    size_t thread_count;                 /* tables given out and not yet returned */
    pthread_key_t exit_key;
    lindperf__histogram *retired_details;   /* handed over by threads, merged by the host */
    lindperf__u64 map_failures;          /* mmap refused a table, a page or a histogram */
    lindperf__u64 map_failures_told;     /* how many of them the user was told about */

    lindperf_timer timer;
    int net, detail, tree;
    double floor[3];                     /* per timer, in its unit */
    int floor_known[3];
    double tsc_hz;
    const char *tsc_hz_source;

    const char **module_order;           /* owned: lindperf_set_module_order copies it */
    size_t module_order_count;
    const char *json_path, *csv_path, *tree_csv_path;
    const char *only_globs[LINDPERF_MAX_ONLY];
    size_t only_count;
    char *command_line;
    char *program;                       /* the host's arguments after the perf flags */

    unsigned repeat;                     /* timed runs of each counter, in rotation; 0: 1 */
    int solo;                            /* one counter per run (--perf-solo) */
    const char *gbench_path;             /* --perf-gbench=FILE */
    int net_afterwards;                  /* run_each subtracts after the run, not per interval */
    size_t runs;                         /* timed runs made by the last run_each */
    int batched;                         /* ... and whether any of them was a batch */
    struct lindperf__sample *samples;    /* [count][repeat]: one per counter and repetition */
    unsigned *sample_count;              /* [count] */
    unsigned sample_stride;              /* the repetitions they were made for */
    lindperf__histogram *control;        /* the control pairs of the current timed run */
    lindperf__histogram **intervals;     /* [count]: each live counter's gross intervals, ditto */
    size_t interval_slots;               /* the counters intervals has room for */
    int nested;                          /* a batched run found live scopes nested */
    uint32_t nested_outer, nested_inner;
} lindperf__globals;

/* A counter with fewer scopes than this in the discovery run is timed in a run of its own:
 * its figure is a few cold calls, and what they cost depends on what else the run times
 * (measured: a counter called twice a run read 14 ns batched and 104 ns alone). */
#define LINDPERF__BATCH_MIN_CALLS 64

extern lindperf__globals lindperf__g;
LINDPERF__WEAK lindperf__globals lindperf__g;
extern pthread_mutex_t lindperf__lock;
LINDPERF__WEAK pthread_mutex_t lindperf__lock = PTHREAD_MUTEX_INITIALIZER;
extern pthread_mutex_t lindperf__calibration_lock;   /* the floor and the TSC frequency */
LINDPERF__WEAK pthread_mutex_t lindperf__calibration_lock = PTHREAD_MUTEX_INITIALIZER;
extern pthread_once_t lindperf__exit_key_once;
LINDPERF__WEAK pthread_once_t lindperf__exit_key_once = PTHREAD_ONCE_INIT;
LINDPERF__WEAK LINDPERF__TLS lindperf__thread *lindperf__self;
extern LINDPERF__TLS int lindperf__self_denied;   /* no table for this thread: use the overflow */
LINDPERF__WEAK LINDPERF__TLS int lindperf__self_denied;
LINDPERF__WEAK lindperf__u64 lindperf__net_floor;

static inline uint32_t lindperf__bucket_of(uint64_t v)
{
    if (v < LINDPERF__EXACT_BELOW)
        return (uint32_t)v;
    uint32_t top = 63u - (uint32_t)__builtin_clzll(v);
    uint32_t sub = (uint32_t)(v >> (top - LINDPERF__SUB_BITS)) & ((1u << LINDPERF__SUB_BITS) - 1);
    return LINDPERF__EXACT_BELOW + ((top - LINDPERF__SUB_BITS - 1) << LINDPERF__SUB_BITS) + sub;
}

/* The smallest value of bucket b, and its width. */
static inline uint64_t lindperf__bucket_low(uint32_t b, uint64_t *width)
{
    if (b < LINDPERF__EXACT_BELOW) {
        *width = 1;
        return b;
    }
    uint32_t k = b - LINDPERF__EXACT_BELOW;
    uint32_t shift = (k >> LINDPERF__SUB_BITS) + 1;
    uint64_t sub = k & ((1u << LINDPERF__SUB_BITS) - 1);
    *width = (uint64_t)1 << shift;
    return ((1u << LINDPERF__SUB_BITS) + sub) << shift;
}

/* Stores one at a time, since the owner thread may be adding to it during a reset. The
 * owner is left as it is: only the thread that records into the table changes it. */
static inline void lindperf__histogram_clear(lindperf__histogram *h)
{
    for (uint32_t b = 0; b < LINDPERF__BUCKETS; b++)
        lindperf__store(&h->buckets[b], 0);
    lindperf__store(&h->count, 0);
    lindperf__store(&h->min, UINT64_MAX);
    lindperf__store(&h->max, 0);
}

/* The owner thread's update: plain stores, read concurrently by the report. Its own
 * handlers never add to a histogram while it does (see lindperf__detail_add). */
static inline void lindperf__histogram_add(lindperf__histogram *h, uint64_t v)
{
    lindperf__u64 *bucket = &h->buckets[lindperf__bucket_of(v)];
    lindperf__store(bucket, lindperf__load(bucket) + 1);
    lindperf__store(&h->count, lindperf__load(&h->count) + 1);
    if (v < lindperf__load(&h->min))
        lindperf__store(&h->min, v);
    if (v > lindperf__load(&h->max))
        lindperf__store(&h->max, v);
}

/* Adds src into dst; both owned by the caller or read under the lock. */
static inline void lindperf__histogram_merge(lindperf__histogram *dst,
                                             const lindperf__histogram *src)
{
    uint64_t src_count = lindperf__load(&src->count);
    if (src_count == 0)
        return;
    for (uint32_t b = 0; b < LINDPERF__BUCKETS; b++)
        dst->buckets[b] += lindperf__load(&src->buckets[b]);
    dst->count += src_count;
    uint64_t lo = lindperf__load(&src->min), hi = lindperf__load(&src->max);
    if (lo < dst->min)
        dst->min = lo;
    if (hi > dst->max)
        dst->max = hi;
}

static inline void lindperf__overflow_add(lindperf__slot *s, uint64_t elapsed)
{
    __atomic_fetch_add(&s->calls, 1, LINDPERF__RELAXED);
    uint64_t old = lindperf__load(&s->total);
    while (!__atomic_compare_exchange_n(&s->total, &old, lindperf__saturating_add(old, elapsed),
                                        1, LINDPERF__RELAXED, LINDPERF__RELAXED))
        ;
}

/* Adds a slot that its owner may be changing (relaxed loads) into a sum, saturating. */
static inline void lindperf__slot_accumulate(lindperf__slot *sum, const lindperf__slot *add)
{
    sum->calls = lindperf__saturating_add(sum->calls, lindperf__load(&add->calls));
    sum->total = lindperf__saturating_add(sum->total, lindperf__load(&add->total));
}

/* Memory straight from the kernel, zeroed, or NULL (counted, and told by the report).
 * mmap is a system call that takes no lock in user space, so a handler may call it; errno
 * is kept, since the code the handler interrupted may be about to read it. */
#if defined(MAP_ANONYMOUS)
#define LINDPERF__MAP_ANONYMOUS MAP_ANONYMOUS
#elif defined(__linux__) && (defined(__x86_64__) || defined(__i386__) || defined(__aarch64__) || \
                             defined(__arm__) || defined(__riscv) || defined(__powerpc__))
#define LINDPERF__MAP_ANONYMOUS 0x20   /* hidden by a strict -std; its value on these */
#else
#error "lindperf: this platform hides MAP_ANONYMOUS; build with -D_DEFAULT_SOURCE or -std=gnu11"
#endif

static inline void *lindperf__map(size_t size)
{
    int saved_errno = errno;
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | LINDPERF__MAP_ANONYMOUS,
                   -1, 0);
    errno = saved_errno;
    if (p != MAP_FAILED)
        return p;
    __atomic_fetch_add(&lindperf__g.map_failures, 1, LINDPERF__RELAXED);
    return NULL;
}

static inline void lindperf__unmap(void *p, size_t size)
{
    int saved_errno = errno;
    if (p)
        munmap(p, size);
    errno = saved_errno;
}

/* Room for one more item in a malloc'ed array that doubles as it fills (host side: it may
 * call realloc): the array, perhaps moved, or NULL when memory ran out, the old array and
 * *capacity then left as they were. */
static inline void *lindperf__room_for_one(void *items, size_t count, size_t *capacity,
                                           size_t item_size, size_t first_capacity)
{
    if (count < *capacity)
        return items;
    size_t more = *capacity ? 2 * *capacity : first_capacity;
    void *grown = realloc(items, more * item_size);
    if (grown)
        *capacity = more;
    return grown;
}

LINDPERF__COLD static void lindperf__fold_thread_locked(lindperf__thread *t);
LINDPERF__COLD static void lindperf__drain_retired_details_locked(void);
LINDPERF__COLD static void lindperf__record_release_locked(lindperf__record *r);

/* Takes t off the list. Pushes only ever change the head, so only the head needs a
 * compare-and-swap; the rest of the list changes under the lock alone. */
static inline void lindperf__unlink_locked(lindperf__thread *t)
{
    lindperf__thread **link = &lindperf__g.threads;
    for (;;) {
        lindperf__thread *at = __atomic_load_n(link, __ATOMIC_ACQUIRE);
        if (!at)
            return;
        if (at != t) {
            link = &at->next;
        } else if (link != &lindperf__g.threads) {
            *link = t->next;
            return;
        } else if (__atomic_compare_exchange_n(link, &at, t->next, 0, __ATOMIC_ACQ_REL,
                                               __ATOMIC_ACQUIRE)) {
            return;
        }   /* else a new table was pushed in front of t: walk again */
    }
}

static inline void lindperf__unmap_thread(lindperf__thread *t)
{
    if (t->detail)
        lindperf__unmap(t->detail, sizeof *t->detail);
    lindperf__unmap(t, LINDPERF__THREAD_BYTES);
}

/* The list's head: pushed concurrently, so read with acquire; the rest, under the lock. */
static inline lindperf__thread *lindperf__first_thread(void)
{
    return __atomic_load_n(&lindperf__g.threads, __ATOMIC_ACQUIRE);
}

/* pthread calls this when a thread with a table exits, outside any handler. Its signals
 * are blocked meanwhile, so that none of its handlers sees the table half gone; the scopes
 * that it still makes afterwards (in other destructors, in handlers) go to the overflow
 * table. */
static inline void lindperf__thread_exit(void *table)
{
    lindperf__thread *t = (lindperf__thread *)table;
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    lindperf__self = NULL;
    lindperf__self_denied = 1;
    pthread_mutex_lock(&lindperf__lock);
    lindperf__fold_thread_locked(t);
    lindperf__record_release_locked(t->discovery);
    lindperf__unlink_locked(t);
    pthread_mutex_unlock(&lindperf__lock);
    lindperf__unmap_thread(t);
    __atomic_fetch_sub(&lindperf__g.thread_count, 1, LINDPERF__RELAXED);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static inline void lindperf__make_exit_key(void)
{
    pthread_key_create(&lindperf__g.exit_key, lindperf__thread_exit);
}

/* At load, so that the key is one of the process's first few: see lindperf__attach. Weak,
 * so that the process has one copy; each object's constructor entry calls it, once or
 * many times alike. */
extern void lindperf__storage_constructor(void);
LINDPERF__WEAK __attribute__((constructor)) void lindperf__storage_constructor(void)
{
    pthread_once(&lindperf__exit_key_once, lindperf__make_exit_key);
}

/* Whether pthread_setspecific on our key can run in a handler. musl's is one store into
 * the thread's key array, which it allocates with the thread. glibc's is a store into the
 * thread's descriptor for the first 32 keys (PTHREAD_KEY_2NDLEVEL_SIZE), and above them
 * may calloc a second-level block: a handler that interrupted malloc would then wait for
 * itself. The key is made by a constructor, before main, so it is below 32 unless the
 * program's libraries made 32 keys before; then a table is not folded at its thread's
 * exit: it stays on the list, summed like a live one (nothing is lost), and its memory
 * stays until the process ends. */
static inline int lindperf__exit_hook_is_signal_safe(void)
{
#if defined(__GLIBC__)
    return (unsigned long)lindperf__g.exit_key < 32;
#else
    return 1;
#endif
}

/* Gives the calling thread its table, or NULL when it must use the overflow table. It may
 * run in a signal handler, even one that interrupted this same function. */
LINDPERF__COLD static lindperf__thread *lindperf__attach(void)
{
    lindperf__thread *t = lindperf__self;
    if (t || lindperf__self_denied)
        return t;
    pthread_once(&lindperf__exit_key_once, lindperf__make_exit_key);   /* done at load */
    size_t earlier = __atomic_fetch_add(&lindperf__g.thread_count, 1, LINDPERF__RELAXED);
    if (earlier >= LINDPERF_MAX_THREADS ||
        !(t = (lindperf__thread *)lindperf__map(LINDPERF__THREAD_BYTES))) {
        __atomic_fetch_sub(&lindperf__g.thread_count, 1, LINDPERF__RELAXED);
        lindperf__self_denied = 1;
        return lindperf__self;   /* a handler's table, if one came first */
    }
    lindperf__thread *first = NULL;
    if (!__atomic_compare_exchange_n(&lindperf__self, &first, t, 0, LINDPERF__RELAXED,
                                     LINDPERF__RELAXED)) {
        /* A handler of this thread attached between our look and our map. */
        lindperf__unmap(t, LINDPERF__THREAD_BYTES);
        __atomic_fetch_sub(&lindperf__g.thread_count, 1, LINDPERF__RELAXED);
        return first;
    }
    t->next = __atomic_load_n(&lindperf__g.threads, LINDPERF__RELAXED);
    while (!__atomic_compare_exchange_n(&lindperf__g.threads, &t->next, t, 1, __ATOMIC_RELEASE,
                                        LINDPERF__RELAXED))
        ;
    if (lindperf__exit_hook_is_signal_safe())
        pthread_setspecific(lindperf__g.exit_key, t);
    return t;
}

/* A thread keeps the distribution of one counter at a time. When it records another, the
 * histogram it had goes to lindperf__g.retired_details for the host to merge, and it maps
 * a new one. Only a context that is not inside this thread's detail code does this, so no
 * one is still writing into the histogram that it hands over. */
static inline lindperf__histogram *lindperf__claim_detail(lindperf__thread *t, uint32_t owner)
{
    lindperf__histogram *h = t->detail;
    if (h && lindperf__load(&h->count) == 0) {
        __atomic_store_n(&h->owner, owner, LINDPERF__RELAXED);
        return h;
    }
    if (h) {
        __atomic_store_n(&t->detail, NULL, __ATOMIC_RELEASE);
        h->next_retired = __atomic_load_n(&lindperf__g.retired_details, LINDPERF__RELAXED);
        while (!__atomic_compare_exchange_n(&lindperf__g.retired_details, &h->next_retired, h, 1,
                                            __ATOMIC_RELEASE, LINDPERF__RELAXED))
            ;
    }
    h = (lindperf__histogram *)lindperf__map(sizeof *h);
    if (!h)
        return NULL;
    h->owner = owner;
    h->min = UINT64_MAX;
    __atomic_store_n(&t->detail, h, __ATOMIC_RELEASE);
    return h;
}

/* A handler that interrupts its thread's detail code finds detail_busy set: it must not
 * touch the histogram that code holds, so its sample is dropped from the distribution
 * (counted per counter, and said in the report) while its call and time still count. */
static inline void lindperf__detail_add(lindperf__thread *t, uint32_t owner, uint64_t elapsed)
{
    if (!t || __atomic_load_n(&t->detail_busy, LINDPERF__RELAXED)) {
        __atomic_fetch_add(&lindperf__g.stats[owner].detail_dropped, 1, LINDPERF__RELAXED);
        return;
    }
    __atomic_store_n(&t->detail_busy, 1, LINDPERF__RELAXED);
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    lindperf__histogram *h = t->detail;
    if (!h || __atomic_load_n(&h->owner, LINDPERF__RELAXED) != owner)
        h = lindperf__claim_detail(t, owner);
    if (h)
        lindperf__histogram_add(h, elapsed);
    else
        __atomic_fetch_add(&lindperf__g.stats[owner].detail_dropped, 1, LINDPERF__RELAXED);
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    __atomic_store_n(&t->detail_busy, 0, LINDPERF__RELAXED);
}

/* What storage could not do, told once on stderr: tables or histograms that mmap
 * refused, and distribution samples that no histogram took. */
static inline void lindperf__storage_warn(void)
{
    pthread_mutex_lock(&lindperf__lock);
    uint64_t failures = lindperf__load(&lindperf__g.map_failures);
    if (failures != lindperf__g.map_failures_told)
        fprintf(stderr, "lindperf: the system refused memory %llu times (mmap); those threads' "
                "scopes were counted exactly in the shared overflow table, but their "
                "--perf-detail samples are missing; free memory or raise the limit (ulimit -v)\n",
                (unsigned long long)failures);
    lindperf__g.map_failures_told = failures;
    uint64_t dropped = 0;
    for (size_t i = 0; i < lindperf__g.count; i++)
        dropped += lindperf__load(&lindperf__g.stats[i].detail_dropped);
    if (dropped)
        fprintf(stderr, "lindperf: %llu --perf-detail samples are not in the percentiles (a "
                "scope in a signal handler interrupted its thread's own detail bookkeeping, or "
                "the thread had no table); calls and totals count them\n",
                (unsigned long long)dropped);
    pthread_mutex_unlock(&lindperf__lock);
}

/* ---------------------------------------------------------------------------------------
 * 10. THE RARE PATH of a scope: what its begin and end do when the counter's mode asks for
 * more than two timer reads and two adds.
 */
/* Adds to a figure that only this thread writes, in one instruction where the platform
 * has one: a signal handler on this thread that adds too cannot fall between a load and a
 * store and be lost. */
static inline void lindperf__local_add(lindperf__u64 *p, uint64_t v)
{
#if defined(__x86_64__)
    __asm__ __volatile__("addq %1, %0" : "+m"(*p) : "er"(v) : "cc");
#else
    __atomic_fetch_add(p, v, LINDPERF__RELAXED);
#endif
}

LINDPERF__COLD static void lindperf__enter_untimed(lindperf_counter *c, unsigned mode);
LINDPERF__COLD static unsigned lindperf__enter_tracked(lindperf_counter *c, unsigned mode);

/* The rare paths of a scope's end. */
LINDPERF__COLD static void lindperf__leave_untimed(lindperf_counter *c, unsigned mode);
LINDPERF__COLD static void lindperf__leave_tracked(lindperf_counter *c, unsigned mode,
                                                   uint64_t elapsed);

LINDPERF__COLD static void lindperf__run_checks(lindperf_counter *c, unsigned mode, uint64_t start,
                                                uint64_t elapsed);
LINDPERF__COLD static void lindperf__record_own(lindperf_counter *c, unsigned mode,
                                                uint64_t elapsed);

/* A call into this thread's slot, or into the shared overflow table when it has none. */
static inline void lindperf__count(lindperf__slot *slot, uint32_t index, uint64_t elapsed)
{
    if (slot)
        lindperf__slot_add(slot, elapsed);
    else
        lindperf__overflow_add(&lindperf__g.stats[index].overflow, elapsed);
}

LINDPERF__COLD void lindperf__record_rare(lindperf_counter *c, unsigned mode, uint64_t start,
                                          uint64_t elapsed)
{
    if (mode & (LINDPERF__MODE_OWN_SLOT | LINDPERF__MODE_UNREGISTERED)) {
        lindperf__record_own(c, mode, elapsed);
        return;
    }
    if (!(mode & LINDPERF__MODE_LIVE)) {
        lindperf__leave_untimed(c, mode);
        return;
    }
    lindperf__thread *t = lindperf__attach();
    lindperf__slot *slot = t ? lindperf__slot_of(t, c->index) : NULL;
    if (mode & LINDPERF__MODE_NESTED) {   /* a call; its outermost activation has the time */
        t->open_activations--;
        lindperf__local_add(&t->nested_calls, 1);
        lindperf__count(slot, c->index, 0);
        return;
    }
    if (mode & (LINDPERF__MODE_RECURSIVE | LINDPERF__MODE_CONTEXT))
        lindperf__leave_tracked(c, mode, elapsed);
    if (mode & (LINDPERF__MODE_CONTROL | LINDPERF__MODE_BATCH))
        lindperf__run_checks(c, mode, start, elapsed);
    if (mode & LINDPERF__MODE_DETAIL)
        lindperf__detail_add(t, c->index, elapsed);
    lindperf__count(slot, c->index, elapsed);
    if ((mode & LINDPERF__MODE_RECURSIVE) && t && t->nested_calls) {
        /* The outermost activation has ended: its nested ones were calls without time. */
        uint64_t nested = lindperf__load(&t->nested_calls);
        lindperf__local_add(&t->nested_calls, (uint64_t)0 - nested);
        __atomic_fetch_add(&lindperf__g.stats[c->index].nested, nested, LINDPERF__RELAXED);
    }
}

/* ---------------------------------------------------------------------------------------
 * 11. THE ENCLOSURE STORE (docs/design.md)
 *
 * The discovery run learns who encloses whom as a calling-context tree: one node per path
 * of counters from a root, keyed by (parent node, counter), with the calls begun at that
 * path. Each thread keeps its own tree, with the stack of its open scopes, in a record of
 * memory it maps itself: a scope in a signal handler never waits on a lock or on malloc.
 * A handler that interrupts its thread while the thread changes its record leaves the
 * record alone, and its scope is counted as not recorded. The host merges the records into
 * one process tree once the run is over, and derives from it the pairs of counters that
 * nested (batching may not put them in one run) and the counters that recursed.
 *
 * A scope of a counter that is already open on the thread's stack makes no node: the path
 * stays where it was. So a counter is never its own parent and the tree has no cycle.
 */
static inline uint32_t lindperf__node_hash(uint32_t parent, uint32_t counter)
{
    uint32_t h = parent * 0x9e3779b1u ^ counter * 0x85ebca77u;
    return h ^ (h >> 15);
}

/* Where (parent, counter) is in the index, or the empty entry where it would go. */
static inline uint32_t *lindperf__tree_probe(const lindperf__tree *t, uint32_t parent,
                                             uint32_t counter)
{
    uint32_t mask = 2 * t->capacity - 1;
    for (uint32_t h = lindperf__node_hash(parent, counter) & mask;; h = (h + 1) & mask) {
        uint32_t *entry = &t->index[h];
        if (!*entry || (t->nodes[*entry - 1].parent == parent &&
                        t->nodes[*entry - 1].counter == counter))
            return entry;
    }
}

static inline void lindperf__tree_free(lindperf__tree *t)
{
    lindperf__unmap(t->nodes, t->capacity * sizeof *t->nodes);
    lindperf__unmap(t->index, 2 * (size_t)t->capacity * sizeof *t->index);
    memset(t, 0, sizeof *t);
}

/* Doubles the tree's room: 0, or -1 when the memory could not be had. */
LINDPERF__COLD static int lindperf__tree_grow(lindperf__tree *t)
{
    lindperf__tree bigger;
    bigger.capacity = t->capacity ? 2 * t->capacity : LINDPERF__FIRST_CAPACITY;
    bigger.count = t->count;
    if (bigger.capacity > LINDPERF__MAX_CAPACITY)
        return -1;
    bigger.nodes = (lindperf__node *)lindperf__map(bigger.capacity * sizeof *bigger.nodes);
    bigger.index = (uint32_t *)lindperf__map(2 * (size_t)bigger.capacity * sizeof *bigger.index);
    if (!bigger.nodes || !bigger.index) {
        lindperf__tree_free(&bigger);
        return -1;
    }
    if (t->count)
        memcpy(bigger.nodes, t->nodes, t->count * sizeof *t->nodes);
    for (uint32_t i = 0; i < t->count; i++)
        *lindperf__tree_probe(&bigger, bigger.nodes[i].parent, bigger.nodes[i].counter) = i + 1;
    lindperf__tree_free(t);
    *t = bigger;
    return 0;
}

/* The node of counter under parent, made when new; LINDPERF__NO_NODE when out of memory. */
static inline uint32_t lindperf__tree_node(lindperf__tree *t, uint32_t parent, uint32_t counter)
{
    uint32_t *entry = t->capacity ? lindperf__tree_probe(t, parent, counter) : NULL;
    if (entry && *entry)
        return *entry - 1;
    if (t->count == t->capacity) {
        if (lindperf__tree_grow(t) != 0)
            return LINDPERF__NO_NODE;
        entry = lindperf__tree_probe(t, parent, counter);
    }
    lindperf__node *n = &t->nodes[t->count];
    n->counter = counter;
    n->parent = parent;
    n->calls = 0;
    *entry = ++t->count;
    return t->count - 1;
}

static inline void lindperf__tree_clear(lindperf__tree *t)
{
    if (t->capacity)
        memset(t->index, 0, 2 * (size_t)t->capacity * sizeof *t->index);
    t->count = 0;
}

/* Whether counter is on the path from node up to its root. */
static inline int lindperf__tree_on_path(const lindperf__tree *t, uint32_t node, uint32_t counter)
{
    for (; node != LINDPERF__NO_NODE; node = t->nodes[node].parent)
        if (t->nodes[node].counter == counter)
            return 1;
    return 0;
}

/* Whoever changes or reads a record holds it: its owner for a few instructions, or the
 * host while it merges or sums it. A scope that finds it held (a handler that interrupted
 * its own thread's bookkeeping, or the host at work) never waits: it records nothing. One
 * atomic exchange, which a handler may interrupt or run, takes it. */
static inline int lindperf__record_lock(lindperf__record *r)
{
    return r && !__atomic_exchange_n(&r->busy, 1, __ATOMIC_ACQUIRE);
}

static inline void lindperf__record_unlock(lindperf__record *r)
{
    __atomic_store_n(&r->busy, 0, __ATOMIC_RELEASE);
}

/* The host waits for a record, yielding to its owner; one that is never let go (its thread
 * stopped inside the store) is passed over after about a second, and said to be. */
#define LINDPERF__HOLD_TRIES 100000

static inline int lindperf__record_hold(lindperf__record *r)
{
    for (int tries = 0; tries < LINDPERF__HOLD_TRIES; tries++) {
        if (lindperf__record_lock(r))
            return 1;
        sched_yield();
    }
    return 0;
}

static inline void lindperf__not_recorded(void)
{
    __atomic_fetch_add(&lindperf__g.not_recorded, 1, LINDPERF__RELAXED);
}

/* The calling thread's record: a free one claimed, or a new one mapped and published. */
LINDPERF__COLD static lindperf__record *lindperf__record_claim(void)
{
    lindperf__record *r = __atomic_load_n(&lindperf__g.records, __ATOMIC_ACQUIRE);
    for (; r; r = r->next) {
        uint32_t free_record = 0;
        if (__atomic_compare_exchange_n(&r->owned, &free_record, 1, 0, __ATOMIC_ACQUIRE,
                                        LINDPERF__RELAXED))
            return r;
    }
    r = (lindperf__record *)lindperf__map(sizeof *r);
    if (!r)
        return NULL;
    r->owned = 1;
    r->next = __atomic_load_n(&lindperf__g.records, LINDPERF__RELAXED);
    while (!__atomic_compare_exchange_n(&lindperf__g.records, &r->next, r, 1, __ATOMIC_RELEASE,
                                        LINDPERF__RELAXED))
        ;
    return r;
}

static inline lindperf__record *lindperf__own_record(void)
{
    lindperf__thread *t = lindperf__attach();
    if (t && !t->discovery)
        t->discovery = lindperf__record_claim();
    return t ? t->discovery : NULL;
}

/* A record left from an earlier run starts afresh: its stack in every run, its tree in
 * every discovery run. */
static inline void lindperf__record_renew(lindperf__record *r)
{
    uint32_t generation = __atomic_load_n(&lindperf__g.generation, LINDPERF__RELAXED);
    uint32_t run = __atomic_load_n(&lindperf__g.run, LINDPERF__RELAXED);
    if (r->generation != generation) {
        lindperf__tree_clear(&r->tree);
        r->generation = generation;
    }
    if (r->run != run) {
        r->depth = 0;
        r->run = run;
    }
}

static inline int lindperf__record_current(const lindperf__record *r)
{
    return r->run == __atomic_load_n(&lindperf__g.run, LINDPERF__RELAXED);
}

static inline int lindperf__record_push(lindperf__record *r, uint32_t counter, uint32_t node)
{
    if (r->depth == r->frame_capacity) {
        uint32_t capacity = r->frame_capacity ? 2 * r->frame_capacity : LINDPERF__FIRST_CAPACITY;
        lindperf__frame *frames = capacity > LINDPERF__MAX_CAPACITY ? NULL
            : (lindperf__frame *)lindperf__map(capacity * sizeof *frames);
        if (!frames)
            return -1;
        if (r->depth)
            memcpy(frames, r->frames, r->depth * sizeof *frames);
        lindperf__unmap(r->frames, r->frame_capacity * sizeof *frames);
        r->frames = frames;
        r->frame_capacity = capacity;
    }
    r->frames[r->depth].counter = counter;
    r->frames[r->depth].node = node;
    r->depth++;
    return 0;
}

/* Takes the innermost open scope of counter off the stack, and returns its node. Scopes
 * end out of order only under an early lindperf_scope_end; the ones above keep theirs. */
static inline uint32_t lindperf__record_pop(lindperf__record *r, uint32_t counter)
{
    uint32_t i = r->depth;
    while (i-- > 0) {
        if (r->frames[i].counter == counter) {
            uint32_t node = r->frames[i].node;
            memmove(&r->frames[i], &r->frames[i + 1], (r->depth - i - 1) * sizeof *r->frames);
            r->depth--;
            return node;
        }
    }
    return LINDPERF__NO_NODE;
}

/* Discovery: every counter is in discovery mode and none is timed. */
static inline void lindperf__discover(lindperf__record *r, lindperf_counter *c)
{
    uint32_t parent = r->depth ? r->frames[r->depth - 1].node : LINDPERF__NO_NODE;
    uint32_t node = parent;
    if (lindperf__tree_on_path(&r->tree, parent, c->index)) {
        __atomic_store_n(&lindperf__g.stats[c->index].recursed, 1, LINDPERF__RELAXED);
    } else {
        node = lindperf__tree_node(&r->tree, parent, c->index);
        if (node == LINDPERF__NO_NODE) {
            lindperf__not_recorded();   /* out of memory: its scopes join the parent's path */
            node = parent;
        } else {
            r->tree.nodes[node].calls++;
        }
    }
    if (lindperf__record_push(r, c->index, node) != 0)
        lindperf__not_recorded();
}

/* Scopes read the process tree without the registry lock, and the host changes it only
 * between runs, yet a scope that loaded its mode just before a change may still be reading
 * (in a stress test, thousands of mode changes a second). So a reader announces itself and
 * leaves if the host is at work (it then keeps no context), and the host, before a change,
 * says so and waits for the announced readers to leave. Sequentially consistent atomics
 * make each side see the other's announcement. */
static inline int lindperf__tree_read_begin(void)
{
    __atomic_fetch_add(&lindperf__g.tree_readers, 1, __ATOMIC_SEQ_CST);
    if (!__atomic_load_n(&lindperf__g.tree_writing, __ATOMIC_SEQ_CST))
        return 1;
    __atomic_fetch_sub(&lindperf__g.tree_readers, 1, __ATOMIC_SEQ_CST);
    return 0;
}

static inline void lindperf__tree_read_end(void)
{
    __atomic_fetch_sub(&lindperf__g.tree_readers, 1, __ATOMIC_RELEASE);
}

static inline void lindperf__tree_write_begin(void)
{
    __atomic_store_n(&lindperf__g.tree_writing, 1, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(&lindperf__g.tree_readers, __ATOMIC_SEQ_CST))
        sched_yield();
}

static inline void lindperf__tree_write_end(void)
{
    __atomic_store_n(&lindperf__g.tree_writing, 0, __ATOMIC_RELEASE);
}

/* In a timed run, the node of the process tree that a scope of counter opens on this
 * thread, found the way discovery made it; LINDPERF__NO_NODE once the path left the tree
 * (discovery missed it). The tree does not change while runs are timed. */
static inline uint32_t lindperf__context_below(const lindperf__record *r, uint32_t counter)
{
    const lindperf__tree *t = &lindperf__g.contexts;
    uint32_t parent = r->depth ? r->frames[r->depth - 1].node : LINDPERF__NO_NODE;
    if ((r->depth && parent == LINDPERF__NO_NODE) || !lindperf__tree_read_begin())
        return LINDPERF__NO_NODE;
    uint32_t node = LINDPERF__NO_NODE;
    if (lindperf__tree_on_path(t, parent, counter)) {
        node = parent;
    } else {
        uint32_t *entry = t->capacity ? lindperf__tree_probe(t, parent, counter) : NULL;
        node = entry && *entry ? *entry - 1 : LINDPERF__NO_NODE;
    }
    lindperf__tree_read_end();
    return node;
}

/* A scope that times nothing: a discovery scope, or one on the way to a live counter
 * reached in several contexts, which moves its thread along the process tree so that
 * the live counter knows the context it runs in. */
LINDPERF__COLD static void lindperf__enter_untimed(lindperf_counter *c, unsigned mode)
{
    if (mode & LINDPERF__MODE_DISCOVER)
        __atomic_store_n(&lindperf__g.stats[c->index].reached, 1, LINDPERF__RELAXED);
    lindperf__record *r = lindperf__own_record();
    if (!lindperf__record_lock(r)) {
        if (mode & LINDPERF__MODE_DISCOVER)
            lindperf__not_recorded();
        return;
    }
    lindperf__record_renew(r);
    if (mode & LINDPERF__MODE_DISCOVER)
        lindperf__discover(r, c);
    else
        lindperf__record_push(r, c->index, lindperf__context_below(r, c->index));
    lindperf__record_unlock(r);
}

LINDPERF__COLD static void lindperf__leave_untimed(lindperf_counter *c, unsigned mode)
{
    lindperf__record *r = lindperf__self ? lindperf__self->discovery : NULL;
    (void)mode;
    if (!lindperf__record_lock(r))
        return;
    if (lindperf__record_current(r))
        lindperf__record_pop(r, c->index);
    lindperf__record_unlock(r);
}

/* The calls and time of each calling context, kept by a thread in timed runs, in memory
 * it maps itself; zeroed at its first use after each discovery run. */
static inline lindperf__slot *lindperf__context_slot(lindperf__record *r, uint32_t node)
{
    uint32_t generation = __atomic_load_n(&lindperf__g.generation, LINDPERF__RELAXED);
    if (r->context_generation != generation) {
        uint32_t needed = lindperf__g.contexts.count;
        if (r->context_capacity < needed) {
            lindperf__slot *slots = (lindperf__slot *)lindperf__map(needed * sizeof *slots);
            if (!slots)
                return NULL;
            lindperf__unmap(r->context_slots, r->context_capacity * sizeof *slots);
            r->context_slots = slots;
            r->context_capacity = needed;
        } else if (r->context_capacity) {
            memset(r->context_slots, 0, r->context_capacity * sizeof *r->context_slots);
        }
        r->context_generation = generation;
    }
    return node < r->context_capacity ? &r->context_slots[node] : NULL;
}

/* A live scope inside an open activation of its own counter (recursion) is not timed:
 * it costs that activation's interval two calls and two adds. One count of open
 * activations per thread is enough, since the counters timed in one run never nest with
 * each other. A handler's scope adds and takes back its own, so it may fall between a
 * load and a store of that count without harm. */
LINDPERF__COLD unsigned lindperf__begin_rare(lindperf_counter *c, unsigned mode)
{
    lindperf__thread *t = lindperf__self;
    if (mode & (LINDPERF__MODE_OWN_SLOT | LINDPERF__MODE_UNREGISTERED)) {
        if ((mode & LINDPERF__MODE_FOREIGN) && (mode & LINDPERF__MODE_DISCOVER))
            __atomic_store_n(&c->own_reached, 1, LINDPERF__RELAXED);   /* no registry of ours */
        return mode;   /* timed into the counter itself, or not at all: lindperf__record_own */
    }
    if (!(mode & LINDPERF__MODE_LIVE)) {
        lindperf__enter_untimed(c, mode);   /* discovery, or a live counter's path */
        return mode;
    }
    if ((mode & LINDPERF__MODE_RECURSIVE) && t && t->open_activations) {
        t->open_activations++;
        return mode | LINDPERF__MODE_NESTED;
    }
    if (mode & (LINDPERF__MODE_RECURSIVE | LINDPERF__MODE_CONTEXT))
        return lindperf__enter_tracked(c, mode);
    return mode;
}

/* The outermost activation of a live counter that recursed opens the thread's count of
 * activations (see lindperf__begin_rare). A live counter reached in several
 * contexts pushes the context it runs in, and adds its interval to that context at its
 * end. A handler that finds the record busy is left out of the contexts (the counter still
 * has its call and time), and ends without touching the stack. */
LINDPERF__COLD static unsigned lindperf__enter_tracked(lindperf_counter *c, unsigned mode)
{
    lindperf__thread *t = lindperf__attach();
    if (t && (mode & LINDPERF__MODE_RECURSIVE))
        t->open_activations++;
    if (!(mode & LINDPERF__MODE_CONTEXT))
        return mode;
    lindperf__record *r = lindperf__own_record();
    if (!lindperf__record_lock(r))
        return mode | LINDPERF__MODE_UNTRACKED;
    lindperf__record_renew(r);
    if (lindperf__record_push(r, c->index, lindperf__context_below(r, c->index)) != 0)
        mode |= LINDPERF__MODE_UNTRACKED;
    lindperf__record_unlock(r);
    return mode;
}

LINDPERF__COLD static void lindperf__leave_tracked(lindperf_counter *c, unsigned mode,
                                                   uint64_t elapsed)
{
    lindperf__thread *t = lindperf__self;
    if (t && (mode & LINDPERF__MODE_RECURSIVE) && t->open_activations)
        t->open_activations--;
    lindperf__record *r = t ? t->discovery : NULL;
    if (!(mode & LINDPERF__MODE_CONTEXT) || (mode & LINDPERF__MODE_UNTRACKED) ||
        !lindperf__record_lock(r))
        return;
    if (lindperf__record_current(r)) {
        uint32_t node = lindperf__record_pop(r, c->index);
        lindperf__slot *slot = NULL;
        if (node != LINDPERF__NO_NODE)
            slot = lindperf__context_slot(r, node);
        if (slot)
            lindperf__slot_add(slot, elapsed);
    }
    lindperf__record_unlock(r);
}

/* Host side: merging the records into the process tree, under the registry lock. */
LINDPERF__COLD static void lindperf__tree_merge_locked(const lindperf__tree *from)
{
    uint32_t *merged_as = from->count ? (uint32_t *)malloc(from->count * sizeof *merged_as) : NULL;
    for (uint32_t i = 0; merged_as && i < from->count; i++) {
        const lindperf__node *n = &from->nodes[i];
        uint32_t parent = n->parent == LINDPERF__NO_NODE ? n->parent : merged_as[n->parent];
        uint32_t node = LINDPERF__NO_NODE;
        if (n->parent == LINDPERF__NO_NODE || parent != LINDPERF__NO_NODE)
            node = lindperf__tree_node(&lindperf__g.contexts, parent, n->counter);
        if (node != LINDPERF__NO_NODE)
            lindperf__g.contexts.nodes[node].calls += n->calls;
        else
            __atomic_fetch_add(&lindperf__g.not_recorded, n->calls, LINDPERF__RELAXED);
        merged_as[i] = node;
    }
    if (from->count && !merged_as)
        __atomic_fetch_add(&lindperf__g.not_recorded, from->count, LINDPERF__RELAXED);
    free(merged_as);
}

/* Each record is merged once per discovery run: at the end of the run, or when its thread
 * exits first. */
LINDPERF__COLD static void lindperf__record_merge_locked(lindperf__record *r, uint32_t generation)
{
    if (!lindperf__record_hold(r)) {
        lindperf__not_recorded();
        return;
    }
    if (r->generation == generation && r->merged != generation) {
        lindperf__tree_write_begin();
        lindperf__tree_merge_locked(&r->tree);
        lindperf__tree_write_end();
        r->merged = generation;
    }
    lindperf__record_unlock(r);
}

/* Its thread exits: the tree goes into the process's, and the record to the next thread. */
LINDPERF__COLD static void lindperf__record_release_locked(lindperf__record *r)
{
    if (!r)
        return;
    lindperf__record_merge_locked(r, lindperf__g.generation);
    lindperf__tree_clear(&r->tree);
    if (r->context_generation == lindperf__g.generation && lindperf__g.context_retired) {
        uint32_t n = r->context_capacity < lindperf__g.contexts.count ? r->context_capacity
                                                                      : lindperf__g.contexts.count;
        for (uint32_t i = 0; i < n; i++)
            lindperf__slot_accumulate(&lindperf__g.context_retired[i], &r->context_slots[i]);
    }
    r->depth = 0;
    r->generation = r->merged = r->run = r->context_generation = 0;
    __atomic_store_n(&r->owned, 0, __ATOMIC_RELEASE);
}

static inline int lindperf__pair_order(const void *a, const void *b)
{
    const lindperf__pair *x = (const lindperf__pair *)a, *y = (const lindperf__pair *)b;
    if (x->low != y->low)
        return x->low < y->low ? -1 : 1;
    return (x->high > y->high) - (x->high < y->high);
}

/* Every pair of counters of which one is an ancestor of the other on some path: as many
 * as the paths' lengths add up to, before duplicates go. */
LINDPERF__COLD static void lindperf__conflicts_build_locked(void)
{
    const lindperf__tree *t = &lindperf__g.contexts;
    size_t count = 0, capacity = 0;
    lindperf__pair *pairs = NULL;
    for (uint32_t i = 0; i < t->count; i++) {
        for (uint32_t a = t->nodes[i].parent; a != LINDPERF__NO_NODE; a = t->nodes[a].parent) {
            lindperf__pair *more = (lindperf__pair *)lindperf__room_for_one(
                pairs, count, &capacity, sizeof *pairs, LINDPERF__FIRST_CAPACITY);
            if (!more) {
                free(pairs);
                lindperf__g.conflicts_lost = 1;
                return;
            }
            pairs = more;
            uint32_t x = t->nodes[a].counter, y = t->nodes[i].counter;
            pairs[count].low = x < y ? x : y;
            pairs[count].high = x < y ? y : x;
            count++;
        }
    }
    if (count)
        qsort(pairs, count, sizeof *pairs, lindperf__pair_order);
    size_t kept = 0;
    for (size_t i = 0; i < count; i++)
        if (!kept || lindperf__pair_order(&pairs[i], &pairs[kept - 1]) != 0)
            pairs[kept++] = pairs[i];
    free(lindperf__g.conflicts);
    lindperf__g.conflicts = pairs;
    lindperf__g.conflict_count = kept;
}

/* Whether a scope of a was open on a thread's stack when one of b began, or the other way
 * round, in the last discovery run. Such counters are never timed in the same run. */
static inline int lindperf__conflict(uint32_t a, uint32_t b)
{
    lindperf__pair key;
    key.low = a < b ? a : b;
    key.high = a < b ? b : a;
    if (a == b || lindperf__g.conflicts_lost)
        return lindperf__g.conflicts_lost;
    return lindperf__g.conflict_count &&
           bsearch(&key, lindperf__g.conflicts, lindperf__g.conflict_count, sizeof key,
                   lindperf__pair_order) != NULL;
}

/* ---------------------------------------------------------------------------------------
 * 12. THE HOST FUNCTIONS
 *
 * Data moves one way: counters -> snapshot -> report, JSON or CSV. A snapshot is taken
 * under the registry lock; formatting never touches the counters.
 */

/* Registry order: by module, then by where the counter is defined (file, line), so the
 * rows of a module read in the order of its source whatever the link order. */
static inline int lindperf__counter_order(const void *a, const void *b)
{
    const lindperf_counter *x = *(lindperf_counter *const *)a;
    const lindperf_counter *y = *(lindperf_counter *const *)b;
    int by = strcmp(x->module, y->module);
    if (!by)
        by = strcmp(x->file, y->file);
    if (!by)
        by = (x->line > y->line) - (x->line < y->line);
    return by;
}

/* By name, then registry order: equal names end up side by side, for the duplicate check. */
static inline int lindperf__name_order(const void *a, const void *b)
{
    const lindperf_counter *x = *(lindperf_counter *const *)a;
    const lindperf_counter *y = *(lindperf_counter *const *)b;
    int by = strcmp(x->name, y->name);
    return by ? by : lindperf__counter_order(a, b);
}

static inline void lindperf__atfork_prepare(void) { pthread_mutex_lock(&lindperf__lock); }
static inline void lindperf__atfork_release(void) { pthread_mutex_unlock(&lindperf__lock); }

/* A counter that this registry holds, as opposed to one no host has adopted yet. */
static inline int lindperf__registered(const lindperf_counter *c)
{
    return c && c->index < lindperf__g.count && lindperf__g.counters[c->index] == c;
}

/* The mode a host gives a counter: counters past the slots of the threads' tables, and
 * foreign ones, record into their own slot on the rare path. */
static inline uint16_t lindperf__mode_for(lindperf_counter *c, unsigned mode)
{
    if (!mode)
        return 0;
    if (c->foreign) {
        if (mode & LINDPERF__MODE_DISCOVER)
            __atomic_store_n(&c->own_reached, 0, LINDPERF__RELAXED);
        __atomic_store_n(&c->own_floor, __atomic_load_n(&lindperf__net_floor, LINDPERF__RELAXED),
                         LINDPERF__RELAXED);
        return (uint16_t)(mode | LINDPERF__MODE_OWN_SLOT | LINDPERF__MODE_FOREIGN);
    }
    if (c->index >= lindperf__g.table_slots && (mode & LINDPERF__MODE_LIVE))
        return (uint16_t)(mode | LINDPERF__MODE_OWN_SLOT);
    return (uint16_t)mode;
}

/* The rare path of a counter that has no slot in any thread's table. Atomic adds on the
 * counter itself: no lock, no allocation and no registry, so a foreign object's copy of
 * this code, which sees only its own registry, records where the host reads. */
LINDPERF__COLD static void lindperf__record_own(lindperf_counter *c, unsigned mode,
                                                uint64_t elapsed)
{
    if (mode & LINDPERF__MODE_UNREGISTERED) {
        if (__atomic_fetch_add(&lindperf__objects.unregistered_scopes, 1, LINDPERF__RELAXED) == 0)
            __atomic_store_n(&lindperf__objects.unregistered_example, c, LINDPERF__RELAXED);
        return;
    }
    if (mode & LINDPERF__MODE_DISCOVER)
        return;
    uint64_t floor = __atomic_load_n(&c->own_floor, LINDPERF__RELAXED);
    lindperf__overflow_add(&c->own, elapsed > floor ? elapsed - floor : 0);
}

/* Each object's constructor: takes its counters out of the UNREGISTERED state and puts its
 * section on the process-wide list. The object's one copy of the library's code has it, so
 * it runs once per object (and would do no harm twice). Priority 101, the first that a
 * program may use, so that C++ static initializers and plain constructors already find their
 * counters registered. */
__attribute__((constructor(101), used)) static void lindperf__object_loaded(void)
{
    lindperf_counter **begin = __start_lindperf_counters, **end = __stop_lindperf_counters;
    lindperf__object_list *l = &lindperf__objects;
    if (!begin || begin == end)
        return;
    pthread_mutex_lock(&l->lock);
    for (size_t i = 0; i < l->count; i++) {
        if (l->list[i].begin == begin) {
            pthread_mutex_unlock(&l->lock);
            return;
        }
    }
    lindperf__object *list = (lindperf__object *)lindperf__room_for_one(
        l->list, l->count, &l->capacity, sizeof *list, 8);
    if (!list) {
        pthread_mutex_unlock(&l->lock);
        fprintf(stderr, "lindperf: out of memory for the list of loaded objects; the %zu "
                "counters of one object will not be measured\n", (size_t)(end - begin));
        return;
    }
    l->list = list;
    l->list[l->count].begin = begin;
    l->list[l->count].end = end;
    l->count++;
    for (lindperf_counter **p = begin; p < end; p++)
        if (*p)
            __atomic_store_n(&(*p)->mode, 0, LINDPERF__RELAXED);
    pthread_mutex_unlock(&l->lock);
}

/* An unloading object (dlclose, or the end of the process) leaves the list, and the host
 * that adopted its counters replaces them with copies, so that no pointer into the object
 * outlives it. */
__attribute__((destructor(101), used)) static void lindperf__object_unloaded(void)
{
    lindperf_counter **begin = __start_lindperf_counters, **end = __stop_lindperf_counters;
    lindperf__object_list *l = &lindperf__objects;
    int found = 0;
    if (!begin || begin == end)
        return;
    pthread_mutex_lock(&l->lock);
    for (size_t i = 0; i < l->count && !found; i++) {
        if (l->list[i].begin == begin) {
            l->list[i] = l->list[--l->count];
            found = 1;
        }
    }
    if (!l->count) {   /* the list may be in this object: nothing of it may outlive it */
        free(l->list);
        l->list = NULL;
        l->capacity = 0;
    }
    void (*forget)(lindperf_counter **, lindperf_counter **) = l->forget;
    pthread_mutex_unlock(&l->lock);
    if (found && forget)
        forget(begin, end);
}

/* A counter of an unloaded object, kept with its figures under its own index: the names are
 * copied into the same block, right after the struct. */
static inline int lindperf__is_copy(const lindperf_counter *c)
{
    return c->name == (const char *)(c + 1);
}

static inline lindperf_counter *lindperf__copy_counter(const lindperf_counter *c)
{
    size_t name = strlen(c->name) + 1, module = strlen(c->module) + 1, file = strlen(c->file) + 1;
    lindperf_counter *copy = (lindperf_counter *)malloc(sizeof *copy + name + module + file);
    if (!copy)
        return NULL;
    *copy = *c;
    copy->mode = 0;
    copy->foreign = 0;
    char *text = (char *)(copy + 1);
    copy->name = (const char *)memcpy(text, c->name, name);
    copy->module = (const char *)memcpy(text + name, c->module, module);
    copy->file = (const char *)memcpy(text + name + module, c->file, file);
    return copy;
}

LINDPERF__COLD static void lindperf__forget_section(lindperf_counter **begin,
                                                    lindperf_counter **end)
{
    static lindperf_counter lost = {
        0, 0, LINDPERF__NO_INDEX, "lindperf", "(counter of an unloaded object)", "", 0, {0, 0},
        0, 0};
    size_t lost_count = 0;
    pthread_mutex_lock(&lindperf__lock);
    for (lindperf_counter **p = begin; p < end; p++) {
        if (!*p || !lindperf__registered(*p))
            continue;
        lindperf_counter *copy = lindperf__copy_counter(*p);
        lost_count += !copy;
        lindperf__objects.copies += copy != NULL;
        lindperf__g.counters[(*p)->index] = copy ? copy : &lost;
    }
    pthread_mutex_unlock(&lindperf__lock);
    if (lost_count)
        fprintf(stderr, "lindperf: out of memory while an object was unloaded; %zu of its counters "
                "are reported as one unnamed row\n", lost_count);
}

/* What the host adopts in one walk: every counter not yet in the registry. */
typedef struct lindperf__walk {
    lindperf_counter **found;
    size_t count, capacity;
    int out_of_memory;
} lindperf__walk;

static inline void lindperf__walk_add(lindperf__walk *w, lindperf_counter *c)
{
    lindperf_counter **found = (lindperf_counter **)lindperf__room_for_one(
        w->found, w->count, &w->capacity, sizeof *found, 256);
    if (!found) {
        w->out_of_memory = 1;
        return;
    }
    w->found = found;
    w->found[w->count++] = c;
}

/* Takes the new counters of one list's objects; foreign when the list is not ours. */
static inline void lindperf__walk_list(lindperf__walk *w, lindperf__object_list *l, int foreign)
{
    pthread_mutex_lock(&l->lock);
    l->forget = lindperf__forget_section;
    for (size_t i = 0; i < l->count; i++) {
        for (lindperf_counter **p = l->list[i].begin; p < l->list[i].end; p++) {
            if (!*p || lindperf__registered(*p))
                continue;
            (*p)->foreign = (unsigned char)foreign;
            lindperf__walk_add(w, *p);
        }
    }
    pthread_mutex_unlock(&l->lock);
}

/* A reloaded object's counter takes back the index of its copy, and with it its figures. */
static inline int lindperf__take_back_copy(lindperf_counter *c)
{
    for (size_t i = 0; lindperf__objects.copies && i < lindperf__g.count; i++) {
        lindperf_counter *old = lindperf__g.counters[i];
        if (lindperf__is_copy(old) && old->line == c->line && strcmp(old->name, c->name) == 0 &&
            strcmp(old->file, c->file) == 0) {
            c->index = (uint32_t)i;
            c->own = old->own;
            lindperf__g.counters[i] = c;
            lindperf__objects.copies--;
            free(old);
            return 1;
        }
    }
    return 0;
}

/* Two counters of one name make a report that cannot say which is which. Sorting by name
 * finds every pair in O(N log N); only pairs with a newly adopted counter are named, so a
 * second walk does not repeat the first one's lines. */
static inline void lindperf__check_names(size_t first_new)
{
    size_t n = lindperf__g.count;
    lindperf_counter **by_name = (lindperf_counter **)malloc((n + 1) * sizeof *by_name);
    if (!by_name) {
        fprintf(stderr, "lindperf: out of memory for the duplicate-name check of %zu counters; "
                "names were not checked\n", n);
        return;
    }
    memcpy(by_name, lindperf__g.counters, n * sizeof *by_name);
    qsort(by_name, n, sizeof *by_name, lindperf__name_order);
    for (size_t i = 1; i < n; i++) {
        const lindperf_counter *a = by_name[i - 1], *b = by_name[i];
        if (strcmp(a->name, b->name) == 0 && (a->index >= first_new || b->index >= first_new))
            fprintf(stderr, "lindperf: two counters are named %s (%s:%d and %s:%d); "
                    "give one of them another name\n", a->name, a->file, a->line, b->file, b->line);
    }
    free(by_name);
}

/* Gives the new counters indexes after the existing ones (the threads' tables and the
 * registry's arrays are indexed by them, so an index never changes), in registry order. */
LINDPERF__COLD static void lindperf__adopt_locked(lindperf__object_list *const *foreign,
                                                  size_t foreign_count)
{
    lindperf__globals *g = &lindperf__g;
    lindperf__walk w = {NULL, 0, 0, 0};
    lindperf__walk_list(&w, &lindperf__objects, 0);
    for (size_t i = 0; i < foreign_count; i++)
        lindperf__walk_list(&w, foreign[i], 1);
    size_t old = g->count, n = old;
    if (w.count) {
        qsort(w.found, w.count, sizeof *w.found, lindperf__counter_order);
        lindperf_counter **counters =
            (lindperf_counter **)realloc(g->counters, (old + w.count + 1) * sizeof *counters);
        if (counters)
            g->counters = counters;
        lindperf__stats *stats =
            (lindperf__stats *)realloc(g->stats, (old + w.count + 1) * sizeof *stats);
        if (stats)
            g->stats = stats;
        if (!counters || !stats) {
            w.out_of_memory = 1;
            w.count = 0;
        }
    }
    for (size_t i = 0; i < w.count; i++) {
        lindperf_counter *c = w.found[i];
        if (lindperf__take_back_copy(c))
            continue;
        c->index = (uint32_t)n;
        g->counters[n] = c;
        memset(&g->stats[n], 0, sizeof g->stats[n]);
        n++;
    }
    if (w.out_of_memory)
        fprintf(stderr, "lindperf: out of memory for the registry; some counters of the loaded "
                "objects will not be measured\n");
    free(w.found);
    if (n == old)
        return;
    g->count = n;
    lindperf__check_names(old);
}

/* The registries of objects that could not share ours: an object dlopen'ed RTLD_LOCAL by a
 * program that exports no symbol binds lindperf__objects to its own copy. dlsym on the
 * object's handle finds that copy. Called without the registry lock: dlopen takes the
 * loader's lock, which an unloading object holds when it calls lindperf__forget_section. */
#define LINDPERF__MAX_FOREIGN 64
#define LINDPERF__STRING2(x) #x
#define LINDPERF__STRING(x) LINDPERF__STRING2(x)

typedef struct lindperf__foreign_search {
    char **names;
    size_t count, capacity;
    int out_of_memory;
} lindperf__foreign_search;

/* <link.h> declares dl_iterate_phdr only under _GNU_SOURCE, which a header cannot define
 * after the program's first system header: the same function under another name, with
 * the two leading fields of struct dl_phdr_info, which every ELF libc lays out alike. */
typedef struct lindperf__phdr_info {
    uintptr_t addr;
    const char *name;
} lindperf__phdr_info;

extern int lindperf__dl_iterate_phdr(int (*callback)(void *info, size_t size, void *data),
                                     void *data) __asm__("dl_iterate_phdr");

static inline int lindperf__note_object(void *info, size_t size, void *data)
{
    lindperf__foreign_search *s = (lindperf__foreign_search *)data;
    const char *name = ((const lindperf__phdr_info *)info)->name;
    (void)size;
    if (!name || !name[0])   /* the program itself: its registry is ours, or exported */
        return 0;
    char **names = (char **)lindperf__room_for_one(s->names, s->count, &s->capacity,
                                                   sizeof *names, 32);
    if (!names) {
        s->out_of_memory = 1;
        return 1;
    }
    s->names = names;
    s->names[s->count] = strdup(name);
    if (!s->names[s->count]) {
        s->out_of_memory = 1;
        return 1;
    }
    s->count++;
    return 0;
}

/* Another object's registry that lists counters; read under its lock, since that object's
 * constructors and destructors change it. */
static inline int lindperf__foreign_has_counters(lindperf__object_list *l)
{
    pthread_mutex_lock(&l->lock);
    int any = l->count > 0;
    pthread_mutex_unlock(&l->lock);
    return any;
}

static inline size_t lindperf__find_foreign(lindperf__object_list **found, size_t max)
{
    lindperf__foreign_search s = {NULL, 0, 0, 0};
    size_t count = 0, missed = 0;
    lindperf__dl_iterate_phdr(lindperf__note_object, &s);
    for (size_t i = 0; i < s.count; i++) {
        void *handle = dlopen(s.names[i], RTLD_LAZY | RTLD_NOLOAD);
        lindperf__object_list *l =
            handle ? (lindperf__object_list *)dlsym(handle, "lindperf__objects") : NULL;
        int known = l == &lindperf__objects;
        for (size_t j = 0; j < count; j++)
            known |= found[j] == l;
        if (l && !known && l->layout != LINDPERF__OBJECTS_LAYOUT)
            fprintf(stderr, "lindperf: %s was built with another version of lindperf.h; its "
                    "counters are not measured: rebuild it with this one\n", s.names[i]);
        else if (l && !known && lindperf__foreign_has_counters(l) && count < max)
            found[count++] = l;
        else if (l && !known && lindperf__foreign_has_counters(l))
            missed++;
        if (handle)
            dlclose(handle);
        free(s.names[i]);
    }
    free(s.names);
    if (s.out_of_memory || missed)
        fprintf(stderr, "lindperf: %s; the counters of some objects with a registry of their own "
                "are not measured\n", missed ? "more than " LINDPERF__STRING(LINDPERF__MAX_FOREIGN)
                " such objects" : "out of memory while listing the loaded objects");
    return count;
}

LINDPERF__COLD static void lindperf__init_locked(void)
{
    lindperf__globals *g = &lindperf__g;
    if (g->initialized)
        return;
    g->initialized = 1;
    lindperf__adopt_locked(NULL, 0);
    g->batch_min_calls = LINDPERF__BATCH_MIN_CALLS;
    g->table_slots = LINDPERF__REACH;   /* every table has room for this many counters */
    pthread_once(&lindperf__exit_key_once, lindperf__make_exit_key);
    pthread_atfork(lindperf__atfork_prepare, lindperf__atfork_release, lindperf__atfork_release);
}

/* Takes in the counters of objects loaded since the last walk. Between runs only: it may
 * move the registry's arrays, which a live scope's rare path reads. */
static inline void lindperf__adopt_new_objects(void)
{
    lindperf__object_list *foreign[LINDPERF__MAX_FOREIGN];
    size_t foreign_count = lindperf__find_foreign(foreign, LINDPERF__MAX_FOREIGN);
    pthread_mutex_lock(&lindperf__lock);
    lindperf__init_locked();
    lindperf__adopt_locked(foreign, foreign_count);
    pthread_mutex_unlock(&lindperf__lock);
}

/* Scopes that ran for counters which no object's section lists (a linker dropped the
 * entries): one line, and nonzero, rather than a report that looks merely empty. */
static inline int lindperf__check_unregistered(void)
{
    uint64_t scopes = __atomic_load_n(&lindperf__objects.unregistered_scopes, LINDPERF__RELAXED);
    const lindperf_counter *c =
        __atomic_load_n(&lindperf__objects.unregistered_example, LINDPERF__RELAXED);
    if (!scopes)
        return 0;
    fprintf(stderr, "lindperf: %llu scopes ran for counters missing from the registry (such as %s, "
            "%s:%d): the linker dropped their entries; build with GCC 12 or Clang 14 or later, "
            "which keep them, or link without --gc-sections and -z start-stop-gc\n",
            (unsigned long long)scopes, c ? c->name : "?", c ? c->file : "?", c ? c->line : 0);
    return -1;
}

static inline void lindperf__init(void)
{
    pthread_mutex_lock(&lindperf__lock);
    lindperf__init_locked();
    pthread_mutex_unlock(&lindperf__lock);
}

/* Adds a histogram into its counter's retired one. */
static inline void lindperf__retire_detail_locked(const lindperf__histogram *h)
{
    uint32_t owner = __atomic_load_n(&h->owner, LINDPERF__RELAXED);
    if (owner >= lindperf__g.count || lindperf__load(&h->count) == 0)
        return;
    lindperf__stats *st = &lindperf__g.stats[owner];
    if (!st->retired_detail) {
        st->retired_detail = (lindperf__histogram *)malloc(sizeof *st->retired_detail);
        if (!st->retired_detail)
            return;
        st->retired_detail->owner = owner;
        lindperf__histogram_clear(st->retired_detail);
    }
    lindperf__histogram_merge(st->retired_detail, h);
}

/* The histograms that threads handed over (lindperf__claim_detail): merged, then unmapped,
 * since no thread writes into one after handing it over. */
LINDPERF__COLD static void lindperf__drain_retired_details_locked(void)
{
    lindperf__histogram *h =
        __atomic_exchange_n(&lindperf__g.retired_details, NULL, __ATOMIC_ACQUIRE);
    while (h) {
        lindperf__histogram *next = h->next_retired;
        lindperf__retire_detail_locked(h);
        lindperf__unmap(h, sizeof *h);
        h = next;
    }
}

/* Adds an exiting thread's slots and samples into the counters' retired sums. Its untouched
 * pages read as the kernel's zero page. */
LINDPERF__COLD static void lindperf__fold_thread_locked(lindperf__thread *t)
{
    for (uint32_t i = 0; i < lindperf__g.count && i < LINDPERF__REACH; i++)
        lindperf__slot_accumulate(&lindperf__g.stats[i].retired, lindperf__slot_of(t, i));
    lindperf__drain_retired_details_locked();
    if (t->detail) {
        lindperf__retire_detail_locked(t->detail);
        lindperf__histogram_clear(t->detail);
    }
}

/* A counter's calls and total since the last reset, from every table. */
static inline lindperf__slot lindperf__sum_locked(uint32_t i)
{
    const lindperf__stats *st = &lindperf__g.stats[i];
    lindperf__slot sum = st->retired;
    lindperf__slot_accumulate(&sum, &st->overflow);
    lindperf__slot_accumulate(&sum, &lindperf__g.counters[i]->own);
    for (lindperf__thread *t = lindperf__first_thread(); t; t = t->next) {
        const lindperf__slot *slot = lindperf__slot_of(t, i);
        if (slot)
            lindperf__slot_accumulate(&sum, slot);
    }
    /* A saturated total stays saturated: the baseline cannot say how far past it went. */
    sum.calls -= st->baseline.calls;
    if (sum.total != UINT64_MAX)
        sum.total -= st->baseline.total;
    return sum;
}

/* The distribution of counter i across every thread; count 0 when none was kept. */
static inline void lindperf__distribution_locked(uint32_t i, lindperf__histogram *out)
{
    out->owner = i;
    lindperf__histogram_clear(out);
    lindperf__drain_retired_details_locked();
    if (lindperf__g.stats[i].retired_detail)
        lindperf__histogram_merge(out, lindperf__g.stats[i].retired_detail);
    for (const lindperf__thread *t = lindperf__first_thread(); t; t = t->next) {
        const lindperf__histogram *h = __atomic_load_n(&t->detail, __ATOMIC_ACQUIRE);
        if (h && __atomic_load_n(&h->owner, LINDPERF__RELAXED) == i)
            lindperf__histogram_merge(out, h);
    }
}

/* The value below which p percent of the samples fall: the midpoint of the bucket where
 * that rank lands, clamped to the exact min and max. */
static inline uint64_t lindperf__percentile_of(const lindperf__histogram *h, double p)
{
    if (h->count == 0 || !(p >= 0))
        return 0;
    if (p <= 0)
        return h->min;
    if (p >= 100)
        return h->max;
    uint64_t rank = (uint64_t)(p / 100.0 * (double)h->count);
    if ((double)rank < p / 100.0 * (double)h->count)
        rank++;
    uint64_t seen = 0;
    for (uint32_t b = 0; b < LINDPERF__BUCKETS; b++) {
        seen += h->buckets[b];
        if (seen >= rank) {
            uint64_t width, value = lindperf__bucket_low(b, &width) + width / 2;
            return value < h->min ? h->min : value > h->max ? h->max : value;
        }
    }
    return h->max;
}

/* Enabling: one live counter at a time, the rest cost one load and a branch. */
static inline unsigned lindperf__live_mode(void)
{
    if (lindperf__g.timer == LINDPERF_OFF)
        lindperf_set_timer(LINDPERF_CLOCK);
    if (lindperf__g.timer == LINDPERF_OFF)
        return 0;
    return LINDPERF__MODE_LIVE | (lindperf__g.timer == LINDPERF_TSC ? LINDPERF__MODE_TSC : 0) |
           (lindperf__g.detail ? LINDPERF__MODE_DETAIL : 0);
}

static inline unsigned lindperf__repetitions(void)
{
    return lindperf__g.repeat > 1 ? lindperf__g.repeat : 1;
}

LINDPERF__COLD static void lindperf__contexts_free_locked(void)
{
    free(lindperf__g.context_sums);
    free(lindperf__g.context_seen);
    free(lindperf__g.context_retired);
    lindperf__g.context_sums = lindperf__g.context_seen = lindperf__g.context_retired = NULL;
}

/* The end of a discovery run: every record of it merged into the process tree, and the
 * pairs that nested derived from that. Records are read only once their run is over. */
LINDPERF__COLD static void lindperf__discovery_finish_locked(void)
{
    lindperf__globals *g = &lindperf__g;
    for (lindperf__record *r = __atomic_load_n(&g->records, __ATOMIC_ACQUIRE); r; r = r->next)
        if (__atomic_load_n(&r->owned, __ATOMIC_ACQUIRE))
            lindperf__record_merge_locked(r, g->generation);
    lindperf__conflicts_build_locked();
    for (size_t i = 0; i < g->count; i++)
        g->stats[i].busiest = LINDPERF__NO_NODE;
    for (uint32_t i = 0; i < g->contexts.count; i++) {
        lindperf__stats *st = &g->stats[g->contexts.nodes[i].counter];
        st->contexts++;
        st->discovered_calls += g->contexts.nodes[i].calls;
        if (st->busiest == LINDPERF__NO_NODE ||
            g->contexts.nodes[i].calls > g->contexts.nodes[st->busiest].calls)
            st->busiest = i;
    }
    size_t n = g->contexts.count + 1;
    g->context_stride = lindperf__repetitions();
    g->context_sums = (lindperf__slot *)calloc(n * g->context_stride, sizeof *g->context_sums);
    g->context_seen = (lindperf__slot *)calloc(n, sizeof *g->context_seen);
    g->context_retired = (lindperf__slot *)calloc(n, sizeof *g->context_retired);
    if (!g->context_sums || !g->context_seen || !g->context_retired)
        lindperf__contexts_free_locked();   /* the report then estimates each context */
    g->discovering = 0;
}

/* What the threads added to each context since the last harvest goes into its sums. The
 * threads' slots only grow (a reset moves the baseline), as with the counters'. */
LINDPERF__COLD static void lindperf__contexts_harvest_locked(unsigned repetition)
{
    lindperf__globals *g = &lindperf__g;
    uint32_t n = g->contexts.count;
    if (!g->context_sums || !n)
        return;
    lindperf__slot *now = (lindperf__slot *)malloc(n * sizeof *now);
    if (!now)
        return;
    memcpy(now, g->context_retired, n * sizeof *now);
    for (lindperf__record *r = __atomic_load_n(&g->records, __ATOMIC_ACQUIRE); r; r = r->next) {
        if (!__atomic_load_n(&r->owned, __ATOMIC_ACQUIRE) || !lindperf__record_hold(r))
            continue;   /* one never let go counts at the next harvest */
        uint32_t kept = r->context_capacity < n ? r->context_capacity : n;
        for (uint32_t i = 0; r->context_generation == g->generation && i < kept; i++)
            lindperf__slot_accumulate(&now[i], &r->context_slots[i]);
        lindperf__record_unlock(r);
    }
    for (uint32_t i = 0; i < n; i++) {
        lindperf__slot *sum = &g->context_sums[(size_t)i * g->context_stride + repetition];
        sum->calls += now[i].calls - g->context_seen[i].calls;
        sum->total += now[i].total - g->context_seen[i].total;
        g->context_seen[i] = now[i];
    }
    free(now);
}

/* The modes of one change: planned[i] for counter i. A live counter reached in several
 * contexts also times each of them, and every counter on a path to it keeps its thread's
 * context; those are stored first, so that no live scope begins before its path is kept.
 * Without the memory to plan, every context is estimated instead. */
static inline void lindperf__apply_modes(uint16_t *planned)
{
    lindperf__globals *g = &lindperf__g;
    pthread_mutex_lock(&lindperf__lock);
    __atomic_store_n(&g->run, g->run + 1, LINDPERF__RELAXED);
    for (lindperf__thread *t = lindperf__first_thread(); t; t = t->next) {
        t->open_activations = 0;   /* an activation left by longjmp must not outlive its run */
        lindperf__store(&t->nested_calls, 0);
    }
    const lindperf__tree *t = &g->contexts;
    for (uint32_t i = 0; g->context_sums && i < t->count; i++) {
        uint32_t c = t->nodes[i].counter;
        if (!(planned[c] & LINDPERF__MODE_LIVE) || g->stats[c].contexts < 2)
            continue;
        planned[c] |= LINDPERF__MODE_CONTEXT;
        for (uint32_t a = t->nodes[i].parent; a != LINDPERF__NO_NODE; a = t->nodes[a].parent)
            if (!(planned[t->nodes[a].counter] & LINDPERF__MODE_LIVE))
                planned[t->nodes[a].counter] |= LINDPERF__MODE_PATH;
    }
    pthread_mutex_unlock(&lindperf__lock);
    for (int live = 0; live < 2; live++)
        for (size_t i = 0; i < g->count; i++)
            if (!(planned[i] & LINDPERF__MODE_LIVE) == !live)
                __atomic_store_n(&g->counters[i]->mode,
                                 lindperf__mode_for(g->counters[i], planned[i]), __ATOMIC_RELEASE);
}

/* A discovery run ends when the modes change to anything else: every scope is off while
 * the records are merged, since no scope may change a record that the host reads. */
static inline void lindperf__set_modes(const uint32_t *live, size_t m, unsigned live_mode,
                                       unsigned others)
{
    lindperf__init();
    lindperf__globals *g = &lindperf__g;
    if (g->discovering && others != LINDPERF__MODE_DISCOVER) {
        for (size_t i = 0; i < g->count; i++)
            __atomic_store_n(&g->counters[i]->mode, 0, __ATOMIC_RELEASE);
        pthread_mutex_lock(&lindperf__lock);
        lindperf__discovery_finish_locked();
        pthread_mutex_unlock(&lindperf__lock);
    }
    for (size_t i = 0; i < g->count; i++)   /* a foreign registry notes reach on its own */
        if (g->counters[i]->foreign &&
            __atomic_load_n(&g->counters[i]->own_reached, LINDPERF__RELAXED))
            __atomic_store_n(&g->stats[i].reached, 1, LINDPERF__RELAXED);
    uint16_t *planned = (uint16_t *)malloc((g->count + 1) * sizeof *planned);
    for (size_t i = 0; i < g->count; i++) {
        if (planned)
            planned[i] = (uint16_t)others;
        else
            __atomic_store_n(&g->counters[i]->mode, lindperf__mode_for(g->counters[i], others),
                             __ATOMIC_RELEASE);
    }
    for (size_t k = 0; k < m; k++) {
        /* A counter that recursed is timed through the rare path, for its outermost
         * activations. */
        uint32_t recursed = __atomic_load_n(&g->stats[live[k]].recursed, LINDPERF__RELAXED);
        uint16_t mode = (uint16_t)(live_mode | (recursed ? LINDPERF__MODE_RECURSIVE : 0));
        if (planned)
            planned[live[k]] = mode;
        else
            __atomic_store_n(&g->counters[live[k]]->mode,
                             lindperf__mode_for(g->counters[live[k]], mode), __ATOMIC_RELEASE);
    }
    if (planned)
        lindperf__apply_modes(planned);
    free(planned);
}

void lindperf_enable_only(const lindperf_counter *c)
{
    uint32_t index = c ? c->index : 0;
    lindperf__set_modes(&index, c ? 1 : 0, lindperf__live_mode(), 0);
}

/* Every counter notes that it was reached and where; none is timed. The records of the
 * run before become stale, and the process tree starts empty. */
void lindperf_enable_discovery(void)
{
    lindperf__set_modes(NULL, 0, 0, 0);   /* no scope reads the tree while it is cleared */
    pthread_mutex_lock(&lindperf__lock);
    lindperf__tree_write_begin();
    lindperf__tree_clear(&lindperf__g.contexts);
    lindperf__tree_write_end();
    lindperf__contexts_free_locked();
    free(lindperf__g.conflicts);
    lindperf__g.conflicts = NULL;
    lindperf__g.conflict_count = 0;
    lindperf__g.conflicts_lost = 0;
    __atomic_store_n(&lindperf__g.not_recorded, 0, LINDPERF__RELAXED);
    __atomic_store_n(&lindperf__g.generation, lindperf__g.generation + 1, LINDPERF__RELAXED);
    for (size_t i = 0; i < lindperf__g.count; i++) {
        __atomic_store_n(&lindperf__g.stats[i].reached, 0, LINDPERF__RELAXED);
        __atomic_store_n(&lindperf__g.stats[i].recursed, 0, LINDPERF__RELAXED);
        lindperf__g.stats[i].contexts = 0;
        lindperf__g.stats[i].discovered_calls = 0;
    }
    lindperf__g.discovering = 1;
    pthread_mutex_unlock(&lindperf__lock);
    lindperf__set_modes(NULL, 0, 0, LINDPERF__MODE_DISCOVER);
}

void lindperf_reset_all(void)
{
    lindperf__adopt_new_objects();
    pthread_mutex_lock(&lindperf__lock);
    for (uint32_t i = 0; i < lindperf__g.count; i++) {
        lindperf__stats *st = &lindperf__g.stats[i];
        st->baseline.calls = 0;
        st->baseline.total = 0;
        st->baseline = lindperf__sum_locked(i);
        __atomic_store_n(&st->nested, 0, LINDPERF__RELAXED);
    }
    lindperf__drain_retired_details_locked();   /* into the retired tables, cleared next */
    for (uint32_t i = 0; i < lindperf__g.count; i++) {
        lindperf__stats *st = &lindperf__g.stats[i];
        if (st->retired_detail)
            lindperf__histogram_clear(st->retired_detail);
        lindperf__store(&st->detail_dropped, 0);
    }
    for (lindperf__thread *t = lindperf__first_thread(); t; t = t->next) {
        lindperf__histogram *h = __atomic_load_n(&t->detail, __ATOMIC_ACQUIRE);
        if (h)
            lindperf__histogram_clear(h);
    }
    lindperf__contexts_harvest_locked(0);
    if (lindperf__g.context_sums)
        memset(lindperf__g.context_sums, 0, (size_t)lindperf__g.contexts.count *
               lindperf__g.context_stride * sizeof *lindperf__g.context_sums);
    pthread_mutex_unlock(&lindperf__lock);
}

/* Reading one counter. */
size_t lindperf_counter_count(void)
{
    lindperf__init();
    return lindperf__g.count;
}

const lindperf_counter *lindperf_counter_at(size_t i)
{
    return i < lindperf_counter_count() ? lindperf__g.counters[i] : NULL;
}

const lindperf_counter *lindperf_find(const char *full_name)
{
    size_t n = lindperf_counter_count();   /* once: each call takes the registry lock */
    for (size_t i = 0; full_name && i < n; i++)
        if (strcmp(lindperf__g.counters[i]->name, full_name) == 0)
            return lindperf__g.counters[i];
    return NULL;
}

const char *lindperf_counter_name(const lindperf_counter *c) { return c ? c->name : NULL; }
const char *lindperf_counter_module(const lindperf_counter *c) { return c ? c->module : NULL; }

static inline lindperf__slot lindperf__sum(const lindperf_counter *c)
{
    lindperf__slot sum = {0, 0};
    if (!c)
        return sum;
    lindperf__init();
    if (!lindperf__registered(c))
        return sum;
    pthread_mutex_lock(&lindperf__lock);
    sum = lindperf__sum_locked(c->index);
    pthread_mutex_unlock(&lindperf__lock);
    return sum;
}

uint64_t lindperf_counter_calls(const lindperf_counter *c) { return lindperf__sum(c).calls; }
uint64_t lindperf_counter_total(const lindperf_counter *c) { return lindperf__sum(c).total; }

/* The distribution getters copy 15 KiB: they are for reports, not loops. */
static inline uint64_t lindperf__distribution_stat(const lindperf_counter *c, double p)
{
    if (!c)
        return 0;
    lindperf__histogram *h = (lindperf__histogram *)malloc(sizeof *h);
    if (!h)
        return 0;
    lindperf__init();
    pthread_mutex_lock(&lindperf__lock);
    if (lindperf__registered(c))
        lindperf__distribution_locked(c->index, h);
    else
        h->count = 0;
    pthread_mutex_unlock(&lindperf__lock);
    uint64_t v = lindperf__percentile_of(h, p);
    free(h);
    return v;
}

uint64_t lindperf_counter_min(const lindperf_counter *c)
{
    return lindperf__distribution_stat(c, 0);
}
uint64_t lindperf_counter_max(const lindperf_counter *c)
{
    return lindperf__distribution_stat(c, 100);
}
uint64_t lindperf_counter_percentile(const lindperf_counter *c, double p)
{
    return lindperf__distribution_stat(c, p);
}

int lindperf_counter_reached(const lindperf_counter *c)
{
    return c && lindperf_counter_count() && lindperf__registered(c) &&
           __atomic_load_n(&lindperf__g.stats[c->index].reached, LINDPERF__RELAXED);
}

/* The parent of c's busiest calling context: the counter whose scope most often enclosed
 * c's in the discovery run. */
const lindperf_counter *lindperf_counter_parent(const lindperf_counter *c)
{
    const lindperf_counter *parent = NULL;
    if (!c || !lindperf_counter_count() || !lindperf__registered(c))
        return NULL;
    pthread_mutex_lock(&lindperf__lock);
    const lindperf__tree *t = &lindperf__g.contexts;
    uint32_t best = lindperf__g.stats[c->index].contexts ? lindperf__g.stats[c->index].busiest
                                                           : LINDPERF__NO_NODE;
    if (best != LINDPERF__NO_NODE && t->nodes[best].parent != LINDPERF__NO_NODE)
        parent = lindperf__g.counters[t->nodes[t->nodes[best].parent].counter];
    pthread_mutex_unlock(&lindperf__lock);
    return parent;
}

/* The calling contexts of the last discovery run, parents before their children. */
int lindperf_context_at(size_t i, lindperf_context *out)
{
    int found = 0;
    if (!out)
        return -1;
    memset(out, 0, sizeof *out);
    out->parent = -1;
    if (!lindperf_counter_count())
        return -1;
    pthread_mutex_lock(&lindperf__lock);
    const lindperf__tree *t = &lindperf__g.contexts;
    if (i < t->count) {
        out->counter = lindperf__g.counters[t->nodes[i].counter];
        out->parent = t->nodes[i].parent == LINDPERF__NO_NODE ? -1 : (long)t->nodes[i].parent;
        out->calls = t->nodes[i].calls;
        found = 1;
    }
    pthread_mutex_unlock(&lindperf__lock);
    return found ? 0 : -1;
}

/* Timers, their frequency and their floor. */
double lindperf_tsc_hz(void)
{
    pthread_mutex_lock(&lindperf__calibration_lock);
    if (lindperf__g.tsc_hz == 0 && lindperf__tsc_available()) {
        const char *source = "LINDPERF_TSC_HZ";
        double hz = 0;
        int override = lindperf__tsc_hz_override(&hz);
        if (override < 0)
            fprintf(stderr,
                    "lindperf: LINDPERF_TSC_HZ=%s is not a rate in Hz from 1 to 1e12, so it "
                    "is ignored; give one such as 25000000, or unset it\n",
                    getenv("LINDPERF_TSC_HZ"));
        if (override <= 0)
            hz = lindperf__tsc_hz_reported(&source);
        if (hz <= 0) {
            hz = lindperf__tsc_hz_calibrated();
            source = "calibrated against CLOCK_MONOTONIC in 20 ms";
        }
        lindperf__g.tsc_hz_source = source;
        lindperf__g.tsc_hz = hz;
        lindperf__warn_if_tick_coarse(hz);
    }
    double hz = lindperf__g.tsc_hz;
    pthread_mutex_unlock(&lindperf__calibration_lock);
    return hz;
}

static inline int lindperf__compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* What an empty scope reads: the median over 101 batches of the mean of 100 back-to-back
 * reads, made with the same inline reads as a scope. Batch means give the floor its
 * fraction; the median keeps an interrupted batch out of it. */
#define LINDPERF__FLOOR_BATCHES 101
#define LINDPERF__FLOOR_BATCH_SIZE 100

static inline double lindperf__measure_floor(lindperf_timer t)
{
    unsigned mode = t == LINDPERF_TSC ? LINDPERF__MODE_TSC : 0;
    double means[LINDPERF__FLOOR_BATCHES];
    for (int b = 0; b < LINDPERF__FLOOR_BATCHES; b++) {
        uint64_t sum = 0;
        for (int i = 0; i < LINDPERF__FLOOR_BATCH_SIZE; i++) {
            uint64_t start = lindperf__stamp_begin(mode);
            uint64_t end = lindperf__stamp_end(mode);
            sum += end > start ? end - start : 0;
        }
        means[b] = (double)sum / LINDPERF__FLOOR_BATCH_SIZE;
    }
    qsort(means, LINDPERF__FLOOR_BATCHES, sizeof means[0], lindperf__compare_doubles);
    return means[LINDPERF__FLOOR_BATCHES / 2];
}

static inline int lindperf__timer_usable(lindperf_timer t)
{
    return t == LINDPERF_CLOCK || (t == LINDPERF_TSC && lindperf__tsc_available());
}

/* Measured on first use and kept; lindperf_calibrate measures it again. */
double lindperf_empty_scope(lindperf_timer t)
{
    if (!lindperf__timer_usable(t))
        return 0;
    pthread_mutex_lock(&lindperf__calibration_lock);
    if (!lindperf__g.floor_known[t]) {
        lindperf__g.floor[t] = lindperf__measure_floor(t);
        lindperf__g.floor_known[t] = 1;
    }
    double floor = lindperf__g.floor[t];
    pthread_mutex_unlock(&lindperf__calibration_lock);
    return floor;
}

/* Under lindperf_run_each the floor comes off afterwards, from the run's own controls. */
static inline void lindperf__update_net_floor(void)
{
    uint64_t floor = 0;
    if (lindperf__g.net && !lindperf__g.net_afterwards && lindperf__g.timer != LINDPERF_OFF)
        floor = (uint64_t)(lindperf_empty_scope(lindperf__g.timer) + 0.5);
    __atomic_store_n(&lindperf__net_floor, floor, LINDPERF__RELAXED);
}

/* On a shared machine the cost of a timer read drifts by up to 30% for milliseconds at a
 * time, so lindperf_run_each measures the floor again before every timed run, for that run. */
double lindperf_calibrate(lindperf_timer t)
{
    if (!lindperf__timer_usable(t))
        return 0;
    double floor = lindperf__measure_floor(t);
    pthread_mutex_lock(&lindperf__calibration_lock);
    lindperf__g.floor[t] = floor;
    lindperf__g.floor_known[t] = 1;
    pthread_mutex_unlock(&lindperf__calibration_lock);
    lindperf__update_net_floor();
    return floor;
}

void lindperf_set_timer(lindperf_timer t)
{
    if (t == LINDPERF_TSC && !lindperf__tsc_available()) {
        fprintf(stderr,
                "lindperf: this CPU has no usable timestamp counter (" LINDPERF__TSC_READS "); "
                "use --perf (the clock) instead\n");
        t = LINDPERF_OFF;
    }
    if (t == LINDPERF_TSC && !lindperf__tsc_invariant()) {
        static int warned;
        if (!warned)
            fprintf(stderr, "lindperf: this CPU's timestamp counter is not invariant, so cycles "
                            "drift with its frequency; prefer --perf for times\n");
        warned = 1;
    }
    if (t != LINDPERF_CLOCK && t != LINDPERF_TSC)
        t = LINDPERF_OFF;
    lindperf__g.timer = t;
    lindperf__update_net_floor();
}

void lindperf_set_net(int on)
{
    lindperf__g.net = on != 0;
    lindperf__update_net_floor();
}

void lindperf_set_detail(int on) { lindperf__g.detail = on != 0; }
void lindperf_set_repeat(unsigned n) { lindperf__g.repeat = n; }
void lindperf_set_batching(int on) { lindperf__g.solo = !on; }
void lindperf_set_tree(int on) { lindperf__g.tree = on != 0; }

/* Drift-immune net figures. The cost of a timer read drifts by a third over milliseconds
 * on a shared machine, so a floor measured before a run is not the floor during it. Under
 * lindperf_run_each with --perf-net, every LINDPERF__CONTROL_EVERY-th live scope of a
 * thread is followed by an empty control pair, read the way a scope reads the timer, into
 * the run's control histogram, and every live interval, gross, into its counter's
 * histogram. A run's net figure is the trimmed mean of its counter's intervals less that of
 * its controls (the p50 less the same), taken afterwards: the floor subtracted was measured
 * over the same stretch of time as the work, noise in it averages out rather than clamping at
 * zero interval by interval, and the calls that a preemption or an interrupt stretched
 * leave both means alike. The pairs and the histograms run outside every live interval
 * (live scopes of one run never nest), so they cost wall time, not figures. */
#define LINDPERF__CONTROL_EVERY 16
#define LINDPERF__CONTROL_MIN 16        /* fewer controls: use the floor measured before */
#define LINDPERF__CONTROL_TRIM 0.10     /* off each end: preempted pairs, cold first pairs */

extern LINDPERF__TLS uint32_t lindperf__control_countdown;
LINDPERF__WEAK LINDPERF__TLS uint32_t lindperf__control_countdown;
/* The batched-run check: the end of this thread's last live scope, of which counter, and
 * in which timed run (stamps of another run, or of another timer, mean nothing here). */
extern LINDPERF__TLS uint64_t lindperf__last_end;
LINDPERF__WEAK LINDPERF__TLS uint64_t lindperf__last_end;
extern LINDPERF__TLS uint32_t lindperf__last_counter, lindperf__last_generation;
LINDPERF__WEAK LINDPERF__TLS uint32_t lindperf__last_counter, lindperf__last_generation;

static inline void lindperf__control_add(lindperf__histogram *h, uint64_t v)
{
    __atomic_fetch_add(&h->buckets[lindperf__bucket_of(v)], 1, LINDPERF__RELAXED);
    __atomic_fetch_add(&h->count, 1, LINDPERF__RELAXED);
}

/* Scopes of one batch never nest: if another live scope of this thread ended after this
 * one began, discovery missed a path. The host re-times that batch one counter per run. */
LINDPERF__COLD static void lindperf__run_checks(lindperf_counter *c, unsigned mode, uint64_t start,
                                                uint64_t elapsed)
{
    if (mode & LINDPERF__MODE_BATCH) {
        uint32_t generation = __atomic_load_n(&lindperf__g.run, LINDPERF__RELAXED);
        if (lindperf__last_generation == generation && lindperf__last_end > start &&
            lindperf__last_counter != c->index &&
            !__atomic_exchange_n(&lindperf__g.nested, 1, LINDPERF__RELAXED)) {
            lindperf__g.nested_outer = c->index;
            lindperf__g.nested_inner = lindperf__last_counter;
        }
        lindperf__last_end = start + elapsed;
        lindperf__last_counter = c->index;
        lindperf__last_generation = generation;
    }
    lindperf__histogram *control = lindperf__g.control;
    if (!(mode & LINDPERF__MODE_CONTROL) || !control)
        return;
    /* Relaxed loads and stores, not atomic adds: two threads may lose a count to each
     * other, which a trimmed mean does not notice, and a scope does not pay for a lock. */
    lindperf__histogram *intervals = lindperf__g.intervals ? lindperf__g.intervals[c->index] : NULL;
    if (intervals)
        lindperf__histogram_add(intervals, elapsed);
    if (lindperf__control_countdown-- == 0) {
        lindperf__control_countdown = LINDPERF__CONTROL_EVERY - 1;
        uint64_t begin = lindperf__stamp_begin(mode);
        uint64_t end = lindperf__stamp_end(mode);
        lindperf__control_add(control, end > begin ? end - begin : 0);
    }
}

/* The mean of the values between the trim-th and the (1 - trim)-th quantile, each bucket
 * standing for the mean of the integers it holds. */
static inline double lindperf__trimmed_mean(const lindperf__histogram *h, double trim)
{
    uint64_t count = lindperf__load(&h->count);
    uint64_t low = (uint64_t)((double)count * trim), high = count - low, seen = 0;
    double sum = 0;
    if (high <= low)
        return 0;
    for (uint32_t b = 0; b < LINDPERF__BUCKETS && seen < high; b++) {
        uint64_t n = lindperf__load(&h->buckets[b]), width;
        uint64_t from = seen > low ? seen : low, to = seen + n < high ? seen + n : high;
        if (to > from)
            sum += (double)(to - from) * ((double)lindperf__bucket_low((uint32_t)b, &width) +
                                          (double)(width - 1) / 2);
        seen += n;
    }
    return sum / (double)(high - low);
}

/* The strings must outlive the report; the array itself is copied. NULL: no order. */
void lindperf_set_module_order(const char *const *modules, size_t n)
{
    if (!modules)
        n = 0;
    const char **copy = n ? (const char **)malloc(n * sizeof *copy) : NULL;
    if (n && !copy)
        return;
    for (size_t i = 0; i < n; i++)
        copy[i] = modules[i];
    free(lindperf__g.module_order);
    lindperf__g.module_order = copy;
    lindperf__g.module_order_count = n;
}

/* One timed run's figures of one counter, per call, in the timer's unit. */
typedef struct lindperf__sample {
    uint64_t calls, total;          /* total: gross, UINT64_MAX when it saturated */
    uint64_t outer_calls;           /* calls less the activations nested in its own */
    double gross;                   /* per outermost activation */
    double net;                     /* valid when has_net */
    double floor;                   /* what net subtracted: the run's controls, or its floor */
    uint64_t p50;                   /* of net under --perf-net, else gross; valid when has_p50 */
    int has_net, has_p50;
} lindperf__sample;

/* Snapshot: every figure a report needs, taken at once under the lock. */
typedef struct lindperf__row {
    const lindperf_counter *counter;
    uint64_t calls, total;          /* total is UINT64_MAX when it saturated */
    uint64_t outer_calls;           /* calls less the activations nested in its own */
    int recursed;                   /* so total and avg are per outermost activation */
    uint32_t contexts;              /* calling contexts it was reached in */
    uint64_t min, p50, p99, max;    /* valid when has_distribution */
    int has_distribution;
    int reached, timed;
    double floor;                   /* the floor of the counter's own run, in the unit */
    long parent;                    /* row of its busiest context's parent, or -1 */
    double avg, spread;             /* over the samples: median and max - min; when has_avg */
    int has_avg;
    const lindperf__sample *samples;   /* one per repetition; sample_count of them */
    unsigned sample_count;
} lindperf__row;

/* One node of the call path, in the order it is printed: each node before its children. */
typedef struct lindperf__context_row {
    size_t row;                     /* its counter's */
    long parent;                    /* index in the snapshot's contexts, or -1 */
    uint32_t depth;
    uint64_t calls;                 /* in the timed runs; the discovery run's if none */
    const lindperf__slot *timed;    /* what each repetition's timed run kept for it */
    double time, self;              /* net, in the timer's unit, the median over the
                                     * repetitions; valid when has_time, has_self */
    int has_time, has_self;
    int estimated;                  /* time: the counter's per-call figure x the calls here */
    int self_estimated;             /* self: from a time that is estimated */
} lindperf__context_row;

typedef struct lindperf__snapshot {
    lindperf_timer timer;
    int net, detail, tree;
    double floor;                   /* in the timer's unit; 0 when not measured */
    double floor_low, floor_high;   /* over the timed runs, which measure their own */
    double tsc_hz;                  /* 0 when not known */
    const char *tsc_hz_source;
    size_t count;
    lindperf__row *rows;            /* in report order */
    size_t context_count;
    lindperf__context_row *contexts;   /* the call path, depth first; NULL when out of memory */
    lindperf__slot *context_timed;  /* [contexts][context_stride], the contexts point into it */
    unsigned context_stride;
    uint64_t not_recorded;          /* discovery scopes missing from the call path */
    unsigned repetitions;
    size_t runs;                    /* timed runs made; 0 when lindperf_run_each made none */
    int batched;                    /* any of them timed a batch of counters */
    const char *program;            /* the host's arguments after the perf flags, or NULL */
} lindperf__snapshot;

/* Report order: the modules named by lindperf_set_module_order, in that order, then the
 * others alphabetically; within a module, where the counters are defined. */
static inline size_t lindperf__module_rank(const char *module)
{
    for (size_t i = 0; i < lindperf__g.module_order_count; i++)
        if (strcmp(lindperf__g.module_order[i], module) == 0)
            return i;
    return lindperf__g.module_order_count;
}

static inline int lindperf__row_order(const void *a, const void *b)
{
    const lindperf__row *x = (const lindperf__row *)a, *y = (const lindperf__row *)b;
    size_t rx = lindperf__module_rank(x->counter->module),
           ry = lindperf__module_rank(y->counter->module);
    if (rx != ry)
        return rx < ry ? -1 : 1;
    return lindperf__counter_order(&x->counter, &y->counter);
}

static inline int lindperf__compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The median of n values, sorted in place; the mean of the middle two when n is even. */
static inline double lindperf__median(double *v, size_t n)
{
    if (!n)
        return 0;
    qsort(v, n, sizeof *v, lindperf__compare_doubles);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static inline uint64_t lindperf__minus_floor(uint64_t v, double floor)
{
    double rounded = floor + 0.5;
    return (double)v > rounded ? v - (uint64_t)rounded : 0;
}

/* The row's figures from the samples that made calls: the median of the shown figures (v),
 * their spread, and the median calls and p50. */
static inline void lindperf__figures_from_samples(lindperf__row *r, int net, double *v,
                                                  double *floors, uint64_t *calls, uint64_t *p50,
                                                  unsigned used, unsigned with_p50)
{
    r->has_avg = 1;
    r->avg = lindperf__median(v, used);
    r->spread = v[used - 1] - v[0];   /* lindperf__median sorted them */
    if (r->sample_count == 1 && !net) {   /* exactly as before repetitions existed */
        r->calls = r->samples[0].calls;
        r->outer_calls = r->samples[0].outer_calls;
        r->total = r->samples[0].total;
        return;
    }
    /* The median repetition's calls; a recursive counter's time is per outermost call. */
    qsort(calls, used, sizeof calls[0], lindperf__compare_u64);
    r->calls = calls[used / 2];
    for (unsigned j = 0; j < r->sample_count; j++)
        if (r->samples[j].calls == r->calls)
            r->outer_calls = r->samples[j].outer_calls;
    double total = r->avg * (double)r->outer_calls + 0.5;
    r->total = total > 0 ? (total < 1.8e19 ? (uint64_t)total : UINT64_MAX) : 0;
    if (with_p50) {
        qsort(p50, with_p50, sizeof p50[0], lindperf__compare_u64);
        r->p50 = p50[with_p50 / 2];
    }
    if (net && r->has_distribution) {
        double floor = lindperf__median(floors, used);
        r->min = lindperf__minus_floor(r->min, floor);
        r->p99 = lindperf__minus_floor(r->p99, floor);
        r->max = lindperf__minus_floor(r->max, floor);
    }
    /* The p50 is a median of the repetitions' medians, each a bucket's midpoint (within
     * 1.6%), the other columns come from all the intervals: keep it between them, so that a
     * counter called once a run reads one figure in all four. */
    if (with_p50 && r->has_distribution)
        r->p50 = r->p50 < r->min ? r->min : r->p50 > r->p99 ? r->p99 : r->p50;
}

/* A row timed by lindperf_run_each shows the median over its repetitions: of the net
 * figure under --perf-net, else of the gross one. Its intervals were kept gross (see
 * LINDPERF__CONTROL_EVERY), so under net its distribution loses the runs' median floor.
 * The samples, not the counter's sums, make the row: a batch found nested was timed again
 * and its first figures are left out. */
static inline void lindperf__row_from_samples(lindperf__row *r, int net)
{
    uint32_t i = r->counter->index;
    unsigned k = lindperf__g.sample_count ? lindperf__g.sample_count[i] : 0, used = 0, with_p50 = 0;
    if (!k)
        return;
    r->samples = &lindperf__g.samples[(size_t)i * lindperf__g.sample_stride];
    r->sample_count = k;
    double *v = (double *)malloc(2 * (size_t)k * sizeof *v);
    uint64_t *calls = (uint64_t *)malloc(2 * (size_t)k * sizeof *calls);
    for (unsigned j = 0; v && calls && j < k; j++) {
        const lindperf__sample *sample = &r->samples[j];
        if (!sample->calls)
            continue;
        v[used] = sample->has_net ? sample->net : sample->gross;
        v[k + used] = sample->floor;
        calls[used++] = sample->calls;
        if (sample->has_p50)
            calls[k + with_p50++] = sample->p50;
    }
    if (used)
        lindperf__figures_from_samples(r, net, v, v + k, calls, calls + k, used, with_p50);
    free(v);
    free(calls);
}

/* A counter's net time per outermost activation: a net run subtracted the floor interval
 * by interval; a gross one subtracts it here, calls x floor. */
static inline double lindperf__net_total(const lindperf__snapshot *s, const lindperf__row *r)
{
    double total = (double)r->total - (s->net ? 0 : r->floor * (double)r->outer_calls);
    return total > 0 ? total : 0;
}

typedef struct lindperf__context_key {
    uint32_t parent, row, node;
} lindperf__context_key;

static inline int lindperf__context_key_order(const void *a, const void *b)
{
    const lindperf__context_key *x = (const lindperf__context_key *)a;
    const lindperf__context_key *y = (const lindperf__context_key *)b;
    if (x->parent != y->parent)
        return x->parent < y->parent ? -1 : 1;
    return (x->row > y->row) - (x->row < y->row);
}

/* The children of node (LINDPERF__NO_NODE: the roots): a run of keys sorted by parent. */
static inline size_t lindperf__children_of(const lindperf__context_key *keys, size_t n,
                                           uint32_t node, size_t *end)
{
    size_t low = 0, high = n;
    while (low < high) {
        size_t mid = low + (high - low) / 2;
        if (keys[mid].parent < node)
            low = mid + 1;
        else
            high = mid;
    }
    for (*end = low; *end < n && keys[*end].parent == node;)
        ++*end;
    return low;
}

/* A repetition's figure of a counter, for the call path: the shown per-call figure, net
 * (a gross run's loses its floor here), and the gross one, per outermost activation. A
 * counter timed outside lindperf_run_each has one "repetition": its sums. 0 when the
 * repetition made no call. */
static inline int lindperf__path_sample(const lindperf__snapshot *s, const lindperf__row *r,
                                        unsigned repetition, lindperf__sample *out)
{
    memset(out, 0, sizeof *out);
    if (r->sample_count) {
        if (repetition >= r->sample_count || !r->samples[repetition].outer_calls)
            return 0;
        *out = r->samples[repetition];
        if (!out->has_net)
            out->net = out->gross - out->floor;
        return 1;
    }
    if (repetition || !r->timed || !r->outer_calls || r->total == UINT64_MAX)
        return 0;
    out->outer_calls = r->outer_calls;
    out->gross = (double)r->total / (double)r->outer_calls;
    out->net = lindperf__net_total(s, r) / (double)r->outer_calls;
    return 1;
}

/* One context's time in one repetition; *timed says whether that repetition timed it (a
 * time may be below zero: a net figure less noise). A
 * counter reached in one context spent all its time there. One reached in several was
 * timed per context when the run kept a context for each of its calls: the context gets
 * the counter's figure, moved by how much its own calls cost more or less than the
 * counter's on average, so that the contexts add up to the counter. Otherwise (discovery
 * missed a path, or memory ran out) it gets the counter's figure times its calls, marked
 * as an estimate. */
static inline double lindperf__context_time(const lindperf__snapshot *s,
                                            const lindperf__context_row *c, unsigned repetition,
                                            uint64_t attributed, uint64_t *calls, int *estimated,
                                            char *timed)
{
    const lindperf__row *r = &s->rows[c->row];
    lindperf__sample sample;
    *timed = (char)lindperf__path_sample(s, r, repetition, &sample);
    if (!*timed)
        return 0;
    if (r->contexts == 1) {
        *calls = sample.outer_calls;
        return sample.net * (double)*calls;
    }
    const lindperf__slot *kept = repetition < s->context_stride ? &c->timed[repetition] : NULL;
    if (kept && attributed == sample.outer_calls) {
        *calls = kept->calls;
        if (!kept->calls)
            return 0;
        double own = (double)kept->total / (double)kept->calls;
        return (sample.net + own - sample.gross) * (double)kept->calls;
    }
    *estimated = 1;
    *calls = c->calls;
    return sample.net * (double)*calls;
}

/* Every context's time and self time per repetition, then their medians. Self time is a
 * context's time less its children's, in the same repetition; a repetition in which a
 * child has no time gives its parent no self time. */
static inline void lindperf__context_times(lindperf__snapshot *s)
{
    size_t n = s->context_count;
    unsigned reps = s->context_stride > s->repetitions ? s->context_stride : s->repetitions;
    reps = reps ? reps : 1;
    size_t cells = n * reps + 1;
    double *time = (double *)malloc(cells * sizeof *time);
    double *self = (double *)malloc(cells * sizeof *self);
    uint64_t *calls = (uint64_t *)malloc(cells * sizeof *calls);
    char *self_ok = (char *)malloc(cells);
    char *timed = (char *)malloc(cells);
    uint64_t *attributed = (uint64_t *)calloc(s->count * reps + 1, sizeof *attributed);
    double *v = (double *)malloc((2 * (size_t)reps + 1) * sizeof *v);
    uint64_t *u = (uint64_t *)malloc(((size_t)reps + 1) * sizeof *u);
    if (!time || !self || !calls || !self_ok || !timed || !attributed || !v || !u)
        n = 0;
    for (size_t i = 0; i < n; i++)
        for (unsigned k = 0; k < reps && k < s->context_stride; k++)
            attributed[s->contexts[i].row * reps + k] += s->contexts[i].timed[k].calls;
    for (size_t i = 0; i < n; i++) {
        lindperf__context_row *c = &s->contexts[i];
        for (unsigned k = 0; k < reps; k++) {
            size_t at = i * reps + k;
            calls[at] = 0;
            time[at] = lindperf__context_time(s, c, k, attributed[c->row * reps + k], &calls[at],
                                              &c->estimated, &timed[at]);
            self[at] = time[at];
            self_ok[at] = timed[at];
        }
    }
    for (size_t i = 0; i < n; i++) {
        const lindperf__context_row *child = &s->contexts[i];
        if (child->parent < 0)
            continue;
        s->contexts[child->parent].self_estimated |= child->estimated;
        for (unsigned k = 0; k < reps; k++) {
            size_t at = (size_t)child->parent * reps + k;
            if (timed[i * reps + k])
                self[at] -= time[i * reps + k];
            else
                self_ok[at] = 0;
        }
    }
    for (size_t i = 0; i < n; i++) {
        lindperf__context_row *c = &s->contexts[i];
        unsigned timed_reps = 0, with_self = 0;
        for (unsigned k = 0; k < reps; k++) {
            size_t at = i * reps + k;
            if (timed[at]) {
                v[timed_reps] = time[at];
                u[timed_reps++] = calls[at];
            }
            if (self_ok[at])
                v[reps + with_self++] = self[at];
        }
        c->self_estimated |= c->estimated;
        c->has_time = timed_reps > 0;
        c->has_self = with_self > 0;
        if (timed_reps) {
            c->time = lindperf__median(v, timed_reps);
            qsort(u, timed_reps, sizeof *u, lindperf__compare_u64);
            c->calls = u[timed_reps / 2];
        }
        if (with_self)
            c->self = lindperf__median(v + reps, with_self);
    }
    free(time);
    free(self);
    free(calls);
    free(self_ok);
    free(timed);
    free(attributed);
    free(v);
    free(u);
}

/* The call path, depth first, each node's children in report order. */
static inline void lindperf__snapshot_contexts(lindperf__snapshot *s)
{
    size_t *row_of = (size_t *)malloc((s->count + 1) * sizeof *row_of);
    uint64_t *busiest = (uint64_t *)calloc(s->count + 1, sizeof *busiest);   /* calls, by row */
    pthread_mutex_lock(&lindperf__lock);
    const lindperf__tree *t = &lindperf__g.contexts;
    size_t n = t->count;
    lindperf__context_key *keys = (lindperf__context_key *)malloc((n + 1) * sizeof *keys);
    uint32_t *pending = (uint32_t *)malloc((n + 1) * sizeof *pending);
    long *placed_at = (long *)malloc((n + 1) * sizeof *placed_at);
    uint64_t *calls = (uint64_t *)malloc((n + 1) * sizeof *calls);
    unsigned stride = lindperf__g.context_sums ? lindperf__g.context_stride : 1;
    lindperf__slot *timed = (lindperf__slot *)calloc((n + 1) * stride, sizeof *timed);
    s->contexts = (lindperf__context_row *)calloc(n + 1, sizeof *s->contexts);
    s->not_recorded = lindperf__load(&lindperf__g.not_recorded);
    int have_memory = row_of && busiest && keys && pending && placed_at && calls && timed &&
                      s->contexts;
    lindperf__contexts_harvest_locked(0);   /* a timed run outside run_each, if any */
    if (have_memory && lindperf__g.context_sums)
        memcpy(timed, lindperf__g.context_sums, n * stride * sizeof *timed);
    if (have_memory) {
        for (size_t i = 0; i < s->count; i++)
            row_of[s->rows[i].counter->index] = i;
        for (uint32_t i = 0; i < n; i++) {
            keys[i].parent = t->nodes[i].parent;
            keys[i].row = (uint32_t)row_of[t->nodes[i].counter];
            keys[i].node = i;
            calls[i] = t->nodes[i].calls;
        }
    }
    pthread_mutex_unlock(&lindperf__lock);
    if (!have_memory) {
        free(s->contexts);
        free(timed);
        s->contexts = NULL;
        timed = NULL;
        n = 0;
    }
    qsort(keys, n, sizeof *keys, lindperf__context_key_order);

    /* Each counter's parent in its busiest context, for the JSON and CSV "parent". */
    for (size_t i = 0; i < s->count; i++)
        s->rows[i].parent = -1;
    for (size_t i = 0; i < n; i++)
        placed_at[keys[i].node] = (long)keys[i].row;   /* for now: the row of each node */
    for (size_t i = 0; i < n; i++) {
        lindperf__row *r = &s->rows[keys[i].row];
        if (!r->contexts++ || calls[keys[i].node] > busiest[keys[i].row]) {
            busiest[keys[i].row] = calls[keys[i].node];
            r->parent = keys[i].parent == LINDPERF__NO_NODE ? -1 : placed_at[keys[i].parent];
        }
    }

    /* Depth first with a stack of nodes still to place: children pushed in reverse. */
    size_t stacked = 0, end, first = lindperf__children_of(keys, n, LINDPERF__NO_NODE, &end);
    for (size_t k = end; k-- > first;)
        pending[stacked++] = (uint32_t)k;
    while (stacked) {
        const lindperf__context_key *key = &keys[pending[--stacked]];
        lindperf__context_row *c = &s->contexts[s->context_count];
        placed_at[key->node] = (long)s->context_count++;
        c->row = key->row;
        c->calls = calls[key->node];
        c->timed = &timed[(size_t)key->node * stride];
        c->parent = key->parent == LINDPERF__NO_NODE ? -1 : placed_at[key->parent];
        c->depth = c->parent < 0 ? 0 : s->contexts[c->parent].depth + 1;
        first = lindperf__children_of(keys, n, key->node, &end);
        for (size_t k = end; k-- > first;)
            pending[stacked++] = (uint32_t)k;
    }
    s->context_timed = timed;
    s->context_stride = stride;
    lindperf__context_times(s);
    free(row_of);
    free(busiest);
    free(keys);
    free(pending);
    free(placed_at);
    free(calls);
}

/* What the report says of the run as a whole: the timer, the mode and the floor. */
static inline void lindperf__snapshot_settings(lindperf__snapshot *s)
{
    s->timer = lindperf__g.timer;
    s->net = lindperf__g.net;
    s->detail = lindperf__g.detail;
    s->tree = lindperf__g.tree;
    s->floor = lindperf__g.timer != LINDPERF_OFF ? lindperf_empty_scope(lindperf__g.timer) : 0;
    s->tsc_hz = s->timer == LINDPERF_TSC ? lindperf_tsc_hz() : 0;
    s->tsc_hz_source = s->tsc_hz > 0 ? lindperf__g.tsc_hz_source : NULL;
    s->repetitions = lindperf__g.runs ? lindperf__g.sample_stride : lindperf__repetitions();
    s->runs = lindperf__g.runs;
    s->batched = lindperf__g.batched;
    s->program = lindperf__g.program;
}

/* Row i: counter i's sums, distribution (summed into h, the caller's scratch), and what
 * discovery and the timed runs learnt of it. */
static inline void lindperf__snapshot_row_locked(lindperf__snapshot *s, uint32_t i,
                                                 lindperf__histogram *h)
{
    lindperf__row *row = &s->rows[i];
    const lindperf__stats *stats = &lindperf__g.stats[i];
    lindperf__slot sum = lindperf__sum_locked(i);
    lindperf__distribution_locked(i, h);
    row->counter = lindperf__g.counters[i];
    row->calls = sum.calls;
    row->total = sum.total;
    row->has_distribution = h->count > 0;
    row->min = lindperf__percentile_of(h, 0);
    row->p50 = lindperf__percentile_of(h, 50);
    row->p99 = lindperf__percentile_of(h, 99);
    row->max = lindperf__percentile_of(h, 100);
    row->reached = (int)__atomic_load_n(&stats->reached, LINDPERF__RELAXED);
    row->timed = (int)stats->timed;
    row->recursed = (int)__atomic_load_n(&stats->recursed, LINDPERF__RELAXED);
    row->outer_calls = sum.calls - (row->recursed ? lindperf__load(&stats->nested) : 0);
    row->floor = stats->floor > 0 ? stats->floor : s->floor;
    lindperf__row_from_samples(row, s->net);
}

/* The lowest and highest floor measured before the timed runs, for the timer line. */
static inline void lindperf__snapshot_floor_range(lindperf__snapshot *s)
{
    s->floor_low = s->floor_high = s->floor;
    for (size_t i = 0, first = 1; i < s->count; i++) {
        const lindperf__row *row = &s->rows[i];
        if (!row->timed || !row->calls)
            continue;
        if (first || row->floor < s->floor_low)
            s->floor_low = row->floor;
        if (first || row->floor > s->floor_high)
            s->floor_high = row->floor;
        first = 0;
    }
}

/* Everything a report needs, copied out under the lock once, so that formatting never
 * touches the counters. NULL when out of memory. Free with lindperf__snapshot_free. */
static inline lindperf__snapshot *lindperf__snapshot_take(void)
{
    lindperf__init();
    size_t n = lindperf__g.count;
    lindperf__snapshot *s = (lindperf__snapshot *)calloc(1, sizeof *s);
    lindperf__row *rows = (lindperf__row *)calloc(n + 1, sizeof *rows);
    lindperf__histogram *h = (lindperf__histogram *)malloc(sizeof *h);
    if (!s || !rows || !h) {
        free(s);
        free(rows);
        free(h);
        return NULL;
    }
    s->count = n;
    s->rows = rows;
    lindperf__snapshot_settings(s);
    pthread_mutex_lock(&lindperf__lock);
    for (uint32_t i = 0; i < n; i++)
        lindperf__snapshot_row_locked(s, i, h);
    pthread_mutex_unlock(&lindperf__lock);
    free(h);
    lindperf__snapshot_floor_range(s);
    qsort(rows, n, sizeof *rows, lindperf__row_order);
    lindperf__snapshot_contexts(s);
    return s;
}

static inline void lindperf__snapshot_free(lindperf__snapshot *s)
{
    if (s) {
        free(s->rows);
        free(s->contexts);
        free(s->context_timed);
    }
    free(s);
}

/* Per outermost activation: a recursive counter's nested ones add calls but no time. */
static inline double lindperf__avg(const lindperf__row *r)
{
    if (r->has_avg)
        return r->avg;
    return r->outer_calls ? (double)r->total / (double)r->outer_calls : 0;
}

/* Text: a value in the timer's unit, scaled to three decimals: "94.274ns", "12.500Mcyc"
 * ("12.500Mtick" on aarch64). What would print as 1000.000 moves up a unit, decided on the
 * printed digits: under i386's x87, v keeps excess precision in a register, and comparing
 * it with 999.9995 disagreed with printf at the edge. */
static inline void lindperf__format_value(char *buf, size_t size, double v, lindperf_timer timer)
{
    static const char *const time_units[] = {"ns", "\xc2\xb5s", "ms", "s"};
    static const char *const tick_units[] = {
        LINDPERF__TSC_SYMBOL, "K" LINDPERF__TSC_SYMBOL, "M" LINDPERF__TSC_SYMBOL,
        "G" LINDPERF__TSC_SYMBOL, "T" LINDPERF__TSC_SYMBOL};
    const char *const *units = timer == LINDPERF_TSC ? tick_units : time_units;
    size_t last = timer == LINDPERF_TSC ? 4 : 3;
    size_t u = 0;
    char digits[64];
    for (;;) {
        snprintf(digits, sizeof digits, "%.3f", v);
        if (u == last || strtod(digits, NULL) < 1000)
            break;
        v /= 1000;
        u++;
    }
    snprintf(buf, size, "%s%s", digits, units[u]);
}

/* Display columns: UTF-8 continuation bytes take none. */
static inline size_t lindperf__columns(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

/* Writes s in exactly `width` columns: padded, or cut with an ellipsis when too long. */
static inline void lindperf__put_cell(FILE *out, const char *s, size_t width, int align_right)
{
    size_t cols = lindperf__columns(s);
    if (cols > width) {
        size_t keep = 0, seen = 0;
        while (s[keep] && (seen < width - 1 || ((unsigned char)s[keep] & 0xc0) == 0x80)) {
            seen += ((unsigned char)s[keep] & 0xc0) != 0x80;
            keep++;
        }
        fprintf(out, "%.*s\xe2\x80\xa6", (int)keep, s);
        return;
    }
    if (!align_right)
        fputs(s, out);
    for (size_t i = cols; i < width; i++)
        fputc(' ', out);
    if (align_right)
        fputs(s, out);
}

static inline void lindperf__put_value(FILE *out, const lindperf__snapshot *s, double v, int valid)
{
    char buf[64];
    if (valid)
        lindperf__format_value(buf, sizeof buf, v, s->timer);
    else
        snprintf(buf, sizeof buf, "-");
    fputc(' ', out);
    lindperf__put_cell(out, buf, LINDPERF_VALUE_WIDTH, 1);
}

static inline void lindperf__put_rule(FILE *out, size_t width)
{
    for (size_t i = 0; i < width; i++)
        fputc('-', out);
    fputc('\n', out);
}

/* Under --perf-detail with repetitions, a row also shows how far its avg moved over them. */
static inline int lindperf__shows_spread(const lindperf__snapshot *s)
{
    return s->detail && s->repetitions > 1;
}

/* "--------LIND-BOOT--------": the title centred, the odd dash on the right. detail: 0, 1
 * (the distribution's columns), or 2 (those and the spread). */
static inline void lindperf__put_section(FILE *out, const char *title,
                                         const char *third, const char *fourth, int detail)
{
    size_t width = detail > 1 ? LINDPERF_REPORT_WIDTH_SPREAD
                   : detail   ? LINDPERF_REPORT_WIDTH_DETAIL
                              : LINDPERF_REPORT_WIDTH;
    size_t len = strlen(title);
    size_t left = len < width ? (width - len) / 2 : 0;
    for (size_t i = 0; i < left; i++)
        fputc('-', out);
    for (const char *c = title; *c; c++)
        fputc(*c == '_' ? '-' : (*c >= 'a' && *c <= 'z') ? *c - 'a' + 'A' : *c, out);
    for (size_t i = left + len; i < width; i++)
        fputc('-', out);
    fputc('\n', out);
    fprintf(out, "%-*s %*s %*s %*s", LINDPERF_NAME_WIDTH, "name", LINDPERF_CALLS_WIDTH, "calls",
            LINDPERF_VALUE_WIDTH, third, LINDPERF_VALUE_WIDTH, fourth);
    if (detail)
        fprintf(out, " %*s %*s %*s %*s", LINDPERF_VALUE_WIDTH, "min", LINDPERF_VALUE_WIDTH, "p50",
                LINDPERF_VALUE_WIDTH, "p99", LINDPERF_VALUE_WIDTH, "max");
    if (detail > 1)
        fprintf(out, " %*s", LINDPERF_VALUE_WIDTH, "spread");
    fputc('\n', out);
    lindperf__put_rule(out, width);
}

static inline void lindperf__put_detail(FILE *out, const lindperf__snapshot *s,
                                        const lindperf__row *r)
{
    if (!s->detail)
        return;
    lindperf__put_value(out, s, (double)r->min, r->has_distribution);
    lindperf__put_value(out, s, (double)r->p50, r->has_distribution);
    lindperf__put_value(out, s, (double)r->p99, r->has_distribution);
    lindperf__put_value(out, s, (double)r->max, r->has_distribution);
    if (lindperf__shows_spread(s))
        lindperf__put_value(out, s, r->spread, r->has_avg);
}

static inline void lindperf__put_row(FILE *out, const lindperf__snapshot *s, const lindperf__row *r)
{
    lindperf__put_cell(out, r->counter->name, LINDPERF_NAME_WIDTH, 0);
    fprintf(out, " %*llu", LINDPERF_CALLS_WIDTH, (unsigned long long)r->calls);
    if (r->total == UINT64_MAX) {
        fprintf(out, " %*s %*s", LINDPERF_VALUE_WIDTH, "saturated", LINDPERF_VALUE_WIDTH,
                "saturated");
    } else {
        lindperf__put_value(out, s, (double)r->total, 1);
        lindperf__put_value(out, s, lindperf__avg(r), 1);
    }
    lindperf__put_detail(out, s, r);
    fputc('\n', out);
}

/* "22.3", or "22.0 to 28.5" when the runs' floors differ. */
static inline void lindperf__put_floor(FILE *out, double low, double high, double scale)
{
    fprintf(out, "%.1f", low * scale);
    if (high - low >= 0.05)
        fprintf(out, " to %.1f", high * scale);
}

static inline void lindperf__put_timer_line(FILE *out, const lindperf__snapshot *s)
{
    if (s->timer == LINDPERF_OFF)
        return;
    if (s->timer == LINDPERF_CLOCK) {
        fputs("timer: clock CLOCK_MONOTONIC; empty scope ", out);
        lindperf__put_floor(out, s->floor_low, s->floor_high, 1);
        fputs(" ns", out);
    } else {
        const char *source = s->tsc_hz_source ? s->tsc_hz_source : "unknown";
        fprintf(out, "timer: " LINDPERF__TSC_TITLE " %.3f " LINDPERF__TSC_HZ_UNIT
                " (%s); empty scope ", s->tsc_hz / LINDPERF__TSC_HZ_SCALE, source);
        lindperf__put_floor(out, s->floor_low, s->floor_high, 1);
        fputs(" " LINDPERF__TSC_UNIT " = ", out);
        lindperf__put_floor(out, s->floor_low, s->floor_high, s->tsc_hz > 0 ? 1e9 / s->tsc_hz : 0);
        fputs(" ns", out);
    }
    fprintf(out, "; figures %s", s->net ? "net (the empty scope subtracted)" : "gross");
    if (s->runs)
        fprintf(out, "; %zu timed runs, %s", s->runs, s->batched ? "batched" : "solo");
    if (s->runs && s->repetitions > 1)
        fprintf(out, ", each figure the median of %u repetitions", s->repetitions);
    fputc('\n', out);
}

#define LINDPERF__ESTIMATE_MARK "\xe2\x89\x88"   /* U+2248 ALMOST EQUAL TO */

/* A call-path cell: "-" unknown, "~0" below zero from noise, a mark before an estimate. */
static inline void lindperf__put_path_value(FILE *out, const lindperf__snapshot *s, double v,
                                            int known, int estimated)
{
    char value[64], cell[80];
    if (!known) {
        snprintf(cell, sizeof cell, "-");
    } else if (v < 0) {
        snprintf(cell, sizeof cell, "~0");
    } else {
        lindperf__format_value(value, sizeof value, v, s->timer);
        snprintf(cell, sizeof cell, "%s%s", estimated ? LINDPERF__ESTIMATE_MARK : "", value);
    }
    fputc(' ', out);
    lindperf__put_cell(out, cell, LINDPERF_VALUE_WIDTH, 1);
}

static inline void lindperf__put_context(FILE *out, const lindperf__snapshot *s,
                                         const lindperf__context_row *c)
{
    char name[LINDPERF_NAME_WIDTH * 4 + 1];
    size_t indent = c->depth * 2 < LINDPERF_NAME_WIDTH / 2 ? c->depth * 2 : LINDPERF_NAME_WIDTH / 2;
    snprintf(name, sizeof name, "%*s%s", (int)indent, "", s->rows[c->row].counter->name);
    lindperf__put_cell(out, name, LINDPERF_NAME_WIDTH, 0);
    fprintf(out, " %*llu", LINDPERF_CALLS_WIDTH, (unsigned long long)c->calls);
    double calls = c->calls ? (double)c->calls : 1;
    lindperf__put_path_value(out, s, c->time / calls, c->has_time, c->estimated);
    lindperf__put_path_value(out, s, c->self / calls, c->has_self, c->self_estimated);
    fputc('\n', out);
}

/* Every calling context of the discovery run under its parent, with its net average and
 * self time per call of that context, in the base width even under --perf-detail; then a
 * line for each mark that it used. */
static inline void lindperf__put_tree(FILE *out, const lindperf__snapshot *s)
{
    int estimated = 0, negative = 0;
    lindperf__put_section(out, "CALL PATH (NET)", "avg", "self", 0);
    for (size_t i = 0; i < s->context_count; i++) {
        const lindperf__context_row *c = &s->contexts[i];
        lindperf__put_context(out, s, c);
        estimated |= (c->has_time && c->estimated) || (c->has_self && c->self_estimated);
        negative += (c->has_self && c->self < 0) || (c->has_time && c->time < 0);
    }
    if (!s->contexts)
        fputs("lindperf: out of memory for the call path\n", out);
    fputc('\n', out);
    if (estimated)
        fputs(LINDPERF__ESTIMATE_MARK ": estimated: its context could not be kept in the timed "
              "run, so it gets the counter's per-call figure times its calls\n", out);
    if (negative)
        fprintf(out, "~0: in %d context%s a net figure came out below zero, from noise (the "
                "children's figures add up to more than the parent's, or the floor to more "
                "than the work)\n", negative, negative == 1 ? "" : "s");
    if (s->not_recorded)
        fprintf(out, "lindperf: the discovery run could not record %llu scope%s (its thread's "
                "record was busy, in a signal handler or read by the host, or memory ran out); "
                "the call path and the batches may miss them\n",
                (unsigned long long)s->not_recorded, s->not_recorded == 1 ? "" : "s");
}

/* "never reached: a, b" and its kin, one line each, for instrumentation that saw no call.
 * A counter reached in discovery whose timed run ended no scope was left some other way
 * than by its block's end, or was not reached that time. */
#define LINDPERF__UNFINISHED_LABEL \
    "reached, but no scope ended in its timed run (longjmp, thread cancellation, exit, " \
    "or not reached again): "
static inline void lindperf__put_unreached(FILE *out, const lindperf__snapshot *s,
                                           const char *label, int reached, int timed)
{
    int first = 1;
    for (size_t i = 0; i < s->count; i++) {
        const lindperf__row *r = &s->rows[i];
        if (r->calls || r->reached != reached || (reached && r->timed != timed))
            continue;
        fprintf(out, "%s%s", first ? label : ", ", r->counter->name);
        first = 0;
    }
    if (!first)
        fputc('\n', out);
}

/* Recursive counters: calls count every activation, time only the outermost ones. */
static inline void lindperf__put_recursed(FILE *out, const lindperf__snapshot *s)
{
    int first = 1;
    for (size_t i = 0; i < s->count; i++) {
        if (!s->rows[i].recursed || !s->rows[i].calls)
            continue;
        fprintf(out, "%s%s", first ? "recursed (calls count every activation; total and avg "
                "only the outermost): " : ", ", s->rows[i].counter->name);
        first = 0;
    }
    if (!first)
        fputc('\n', out);
}

static inline int lindperf__finish(FILE *out)
{
    return fflush(out) != 0 || ferror(out) ? -1 : 0;
}

static inline int lindperf__report_snapshot(FILE *out, const lindperf__snapshot *s)
{
    lindperf__put_timer_line(out, s);
    for (size_t i = 0; i < s->count;) {
        const char *module = s->rows[i].counter->module;
        size_t end = i;
        int any = 0;
        while (end < s->count && strcmp(s->rows[end].counter->module, module) == 0)
            any |= s->rows[end++].calls > 0;
        if (any) {
            lindperf__put_section(out, module, "total", "avg",
                                  lindperf__shows_spread(s) ? 2 : s->detail);
            for (size_t j = i; j < end; j++)
                if (s->rows[j].calls)
                    lindperf__put_row(out, s, &s->rows[j]);
            fputc('\n', out);
        }
        i = end;
    }
    if (s->tree)
        lindperf__put_tree(out, s);
    lindperf__put_unreached(out, s, "never reached: ", 0, 0);
    lindperf__put_unreached(out, s, LINDPERF__UNFINISHED_LABEL, 1, 1);
    lindperf__put_unreached(out, s, "not timed (left out by --perf-only): ", 1, 0);
    lindperf__put_recursed(out, s);
    return lindperf__finish(out);
}

static inline int lindperf__with_snapshot(FILE *out,
                                          int (*write)(FILE *, const lindperf__snapshot *))
{
    if (!out)
        return -1;
    lindperf__snapshot *s = lindperf__snapshot_take();
    if (!s) {
        fprintf(stderr, "lindperf: out of memory for the report\n");
        return -1;
    }
    int status = write(out, s);
    lindperf__snapshot_free(s);
    return status;
}

int lindperf_report(FILE *out)
{
    lindperf__storage_warn();
    return lindperf__with_snapshot(out, lindperf__report_snapshot);
}

/* JSON. Names may hold any byte: valid UTF-8 passes through, everything else is escaped,
 * and a byte that does not start a valid sequence is written as the code point of that
 * byte, so the output is always valid JSON. */
static inline size_t lindperf__utf8_length(const unsigned char *p)
{
    size_t len = p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc2 ? 2 : 0;
    if (p[0] >= 0xf5)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    if ((len == 3 && p[0] == 0xe0 && p[1] < 0xa0) || (len == 3 && p[0] == 0xed && p[1] >= 0xa0) ||
        (len == 4 && p[0] == 0xf0 && p[1] < 0x90) || (len == 4 && p[0] == 0xf4 && p[1] >= 0x90))
        return 0;
    return len;
}

static inline void lindperf__json_string(FILE *out, const char *s)
{
    if (!s) {
        fputs("null", out);
        return;
    }
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        size_t len = *p >= 0x80 ? lindperf__utf8_length(p) : 1;
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f || len == 0)
            fprintf(out, "\\u%04x", *p);
        else
            fwrite(p, 1, len, out);
        p += len ? len : 1;
    }
    fputc('"', out);
}

static inline void lindperf__json_number_or_null(FILE *out, const char *key, uint64_t v, int valid)
{
    if (valid)
        fprintf(out, ", \"%s\": %llu", key, (unsigned long long)v);
    else
        fprintf(out, ", \"%s\": null", key);
}

/* The machine this ran on, for the JSON header. */
static inline void lindperf__cpu_model(char *buf, size_t size)
{
    snprintf(buf, size, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (colon && strncmp(line, "model name", 10) == 0) {
            char *v = colon + 1 + (colon[1] == ' ');
            v[strcspn(v, "\n")] = 0;
            snprintf(buf, size, "%s", v);
            break;
        }
    }
    fclose(f);
}

/* JSON has no NaN or infinity: a figure that is not finite is null. */
static inline void lindperf__json_double(FILE *out, const char *key, double v, int valid)
{
    if (valid && v == v && v - v == 0)
        fprintf(out, "\"%s\": %.3f", key, v);
    else
        fprintf(out, "\"%s\": null", key);
}

/* One per repetition that timed the counter: its per-call gross and net figures, and its p50. */
static inline void lindperf__json_samples(FILE *out, const lindperf__row *r)
{
    fputs(", \"samples\": [", out);
    for (unsigned j = 0; j < r->sample_count; j++) {
        const lindperf__sample *sample = &r->samples[j];
        fputs(j ? ", {" : "{", out);
        lindperf__json_double(out, "gross", sample->gross, sample->calls > 0);
        fputs(", ", out);
        lindperf__json_double(out, "net", sample->net, sample->calls > 0 && sample->has_net);
        lindperf__json_number_or_null(out, "p50", sample->p50,
                                      sample->calls > 0 && sample->has_p50);
        fputc('}', out);
    }
    fputc(']', out);
}

/* The call path: nodes depth first, each with the id of its parent node. */
static inline void lindperf__json_tree(FILE *out, const lindperf__snapshot *s)
{
    fprintf(out, "  \"not_recorded\": %llu,\n  \"tree\": [", (unsigned long long)s->not_recorded);
    for (size_t i = 0; i < s->context_count; i++) {
        const lindperf__context_row *c = &s->contexts[i];
        fprintf(out, "%s    {\"id\": %zu, \"parent\": ", i ? ",\n" : "\n", i);
        if (c->parent >= 0)
            fprintf(out, "%ld", c->parent);
        else
            fputs("null", out);
        fputs(", \"name\": ", out);
        lindperf__json_string(out, s->rows[c->row].counter->name);
        fprintf(out, ", \"calls\": %llu", (unsigned long long)c->calls);
        fputs(", ", out);
        lindperf__json_double(out, "total", c->time, c->has_time);
        fputs(", ", out);
        lindperf__json_double(out, "self", c->self, c->has_self);
        fprintf(out, ", \"time\": %s}", !c->has_time ? "null" : c->estimated ? "\"estimated\""
                                                                          : "\"exact\"");
    }
    fputs(s->context_count ? "\n  ]\n" : "]\n", out);
}

static inline int lindperf__json_snapshot(FILE *out, const lindperf__snapshot *s)
{
    char host[256] = "unknown", cpu[256], date[32] = "unknown";
    if (gethostname(host, sizeof host - 1) != 0)
        snprintf(host, sizeof host, "unknown");
    lindperf__cpu_model(cpu, sizeof cpu);
    time_t now = time(NULL);
    struct tm utc;
    if (gmtime_r(&now, &utc))
        strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &utc);

    fprintf(out, "{\n  \"schema\": 2,\n  \"timer\": \"%s\",\n  \"unit\": \"%s\",\n",
            s->timer == LINDPERF_TSC     ? LINDPERF__TSC_NAME
            : s->timer == LINDPERF_CLOCK ? "clock"
                                         : "off",
            s->timer == LINDPERF_TSC ? LINDPERF__TSC_UNIT : "ns");
    if (s->tsc_hz > 0)
        fprintf(out, "  \"tsc_hz\": %.1f,\n", s->tsc_hz);
    else
        fputs("  \"tsc_hz\": null,\n", out);
    fputs("  \"tsc_hz_source\": ", out);
    lindperf__json_string(out, s->tsc_hz_source);
    if (s->floor > 0)
        fprintf(out, ",\n  \"empty_scope\": %.3f,\n", s->floor);
    else
        fputs(",\n  \"empty_scope\": null,\n", out);
    fprintf(out, "  \"net\": %s,\n", s->net ? "true" : "false");
    fprintf(out,
            "  \"mode\": \"%s\",\n  \"repetitions\": %u,\n  \"runs\": %zu,\n  \"detail\": %s,\n",
            s->batched ? "batched" : "solo", s->repetitions, s->runs, s->detail ? "true" : "false");
    fputs("  \"program\": ", out);
    lindperf__json_string(out, s->program);
    fputs(",\n  \"host\": ", out);
    lindperf__json_string(out, host);
    fputs(",\n  \"cpu\": ", out);
    lindperf__json_string(out, cpu);
    fprintf(out, ",\n  \"date\": \"%s\",\n  \"command\": ", date);
    lindperf__json_string(out, lindperf__g.command_line);
    fputs(",\n  \"counters\": [", out);
    const char *separator = "\n";
    for (size_t i = 0; i < s->count; i++) {
        const lindperf__row *r = &s->rows[i];
        if (!r->calls)
            continue;
        fprintf(out, "%s    {\"module\": ", separator);
        lindperf__json_string(out, r->counter->module);
        fputs(", \"name\": ", out);
        lindperf__json_string(out, r->counter->name);
        fprintf(out, ", \"calls\": %llu", (unsigned long long)r->calls);
        fprintf(out, ", \"total\": %llu, \"saturated\": %s, \"avg\": %.3f",
                (unsigned long long)r->total, r->total == UINT64_MAX ? "true" : "false",
                lindperf__avg(r));
        lindperf__json_number_or_null(out, "min", r->min, r->has_distribution);
        lindperf__json_number_or_null(out, "p50", r->p50, r->has_distribution);
        lindperf__json_number_or_null(out, "p99", r->p99, r->has_distribution);
        lindperf__json_number_or_null(out, "max", r->max, r->has_distribution);
        fprintf(out, ", \"empty_scope\": %.3f, \"parent\": ", r->floor);
        lindperf__json_string(out, r->parent >= 0 ? s->rows[r->parent].counter->name : NULL);
        lindperf__json_samples(out, r);
        fprintf(out, ", \"recursed\": %s, \"outer_calls\": %llu}", r->recursed ? "true" : "false",
                (unsigned long long)r->outer_calls);
        separator = ",\n";
    }
    fputs("\n  ],\n", out);
    lindperf__json_tree(out, s);
    fputs("}\n", out);
    return lindperf__finish(out);
}

int lindperf_write_json(FILE *out)
{
    return lindperf__with_snapshot(out, lindperf__json_snapshot);
}

/* CSV, RFC 4180: a field with a comma, a quote or a line break is quoted, quotes doubled. */
static inline void lindperf__csv_field(FILE *out, const char *s)
{
    if (!s)
        return;
    if (!s[strcspn(s, ",\"\r\n")]) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

static inline void lindperf__csv_number(FILE *out, uint64_t v, int valid)
{
    fputc(',', out);
    if (valid)
        fprintf(out, "%llu", (unsigned long long)v);
}

static inline int lindperf__csv_snapshot(FILE *out, const lindperf__snapshot *s)
{
    fputs("module,name,calls,total,avg,min,p50,p99,max,parent\n", out);
    for (size_t i = 0; i < s->count; i++) {
        const lindperf__row *r = &s->rows[i];
        if (!r->calls)
            continue;
        lindperf__csv_field(out, r->counter->module);
        fputc(',', out);
        lindperf__csv_field(out, r->counter->name);
        fprintf(out, ",%llu,%llu,%.3f", (unsigned long long)r->calls, (unsigned long long)r->total,
                lindperf__avg(r));
        lindperf__csv_number(out, r->min, r->has_distribution);
        lindperf__csv_number(out, r->p50, r->has_distribution);
        lindperf__csv_number(out, r->p99, r->has_distribution);
        lindperf__csv_number(out, r->max, r->has_distribution);
        fputc(',', out);
        lindperf__csv_field(out, r->parent >= 0 ? s->rows[r->parent].counter->name : NULL);
        fputc('\n', out);
    }
    return lindperf__finish(out);
}

int lindperf_write_csv(FILE *out)
{
    return lindperf__with_snapshot(out, lindperf__csv_snapshot);
}

static inline void lindperf__csv_double(FILE *out, double v, int valid)
{
    fputc(',', out);
    if (valid)
        fprintf(out, "%.3f", v);
}

/* The call path as its own RFC 4180 table, a row per context, depth first. */
static inline int lindperf__tree_csv_snapshot(FILE *out, const lindperf__snapshot *s)
{
    fputs("id,parent,depth,module,name,calls,total,self,time\n", out);
    for (size_t i = 0; i < s->context_count; i++) {
        const lindperf__context_row *c = &s->contexts[i];
        fprintf(out, "%zu,", i);
        if (c->parent >= 0)
            fprintf(out, "%ld", c->parent);
        fprintf(out, ",%u,", c->depth);
        lindperf__csv_field(out, s->rows[c->row].counter->module);
        fputc(',', out);
        lindperf__csv_field(out, s->rows[c->row].counter->name);
        fprintf(out, ",%llu", (unsigned long long)c->calls);
        lindperf__csv_double(out, c->time, c->has_time);
        lindperf__csv_double(out, c->self, c->has_self);
        fprintf(out, ",%s\n", !c->has_time ? "" : c->estimated ? "estimated" : "exact");
    }
    return lindperf__finish(out);
}

int lindperf_write_tree_csv(FILE *out)
{
    return lindperf__with_snapshot(out, lindperf__tree_csv_snapshot);
}

/* Google Benchmark's JSON, for its tools/compare.py and the dashboards that read it: one
 * "iteration" entry per counter and repetition, and with repetitions the mean, median and
 * stddev aggregates. Times are per call in ns (cycles converted with the TSC frequency);
 * lindperf measures wall time, so cpu_time repeats real_time. */
static inline void lindperf__gbench_entry(FILE *out, const char **separator, const lindperf__row *r,
                                          size_t family, const char *aggregate,
                                          unsigned repetitions, unsigned index, uint64_t iterations,
                                          double ns)
{
    fprintf(out, "%s    {\"name\": ", *separator);
    if (aggregate) {
        size_t size = strlen(r->counter->name) + strlen(aggregate) + 2;
        char *name = (char *)malloc(size);
        if (name)
            snprintf(name, size, "%s_%s", r->counter->name, aggregate);
        lindperf__json_string(out, name ? name : r->counter->name);
        free(name);
    } else {
        lindperf__json_string(out, r->counter->name);
    }
    fprintf(out,
            ", \"family_index\": %zu, \"per_family_instance_index\": 0, \"run_name\": ", family);
    lindperf__json_string(out, r->counter->name);
    fprintf(out, ", \"run_type\": \"%s\", \"repetitions\": %u, ",
            aggregate ? "aggregate" : "iteration", repetitions);
    if (aggregate)
        fprintf(out, "\"threads\": 1, \"aggregate_name\": \"%s\", \"aggregate_unit\": \"time\", ",
                aggregate);
    else
        fprintf(out, "\"repetition_index\": %u, \"threads\": 1, ", index);
    fprintf(out, "\"iterations\": %llu, ", (unsigned long long)iterations);
    lindperf__json_double(out, "real_time", ns, 1);
    fputs(", ", out);
    lindperf__json_double(out, "cpu_time", ns, 1);
    fputs(", \"time_unit\": \"ns\"}", out);
    *separator = ",\n";
}

/* Newton's method from above, so that the header needs no libm. */
static inline double lindperf__sqrt(double x)
{
    double r = x > 1 ? x : 1;
    if (!(x > 0))
        return 0;
    for (int i = 0; i < 128 && r * r - x > 1e-12 * x; i++)
        r = (r + x / r) / 2;
    return r;
}

static inline int lindperf__gbench_snapshot(FILE *out, const lindperf__snapshot *s)
{
    char host[256] = "unknown", date[32] = "unknown";
    if (gethostname(host, sizeof host - 1) != 0)
        snprintf(host, sizeof host, "unknown");
    time_t now = time(NULL);
    struct tm local;
    if (localtime_r(&now, &local))
        strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S%z", &local);
    double to_ns = s->timer == LINDPERF_TSC ? (s->tsc_hz > 0 ? 1e9 / s->tsc_hz : 0) : 1;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    fprintf(out, "{\n  \"context\": {\n    \"date\": \"%s\",\n    \"host_name\": ", date);
    lindperf__json_string(out, host);
    fputs(",\n    \"executable\": ", out);
    lindperf__json_string(out, lindperf__g.command_line);
    fprintf(out, ",\n    \"num_cpus\": %ld,\n    \"mhz_per_cpu\": %.0f,\n", cpus > 0 ? cpus : 1,
            s->tsc_hz / 1e6);
    fputs("    \"cpu_scaling_enabled\": false,\n    \"caches\": [],\n"
          "    \"library_build_type\": \"release\",\n"
          "    \"library\": \"lindperf " LINDPERF_VERSION "\",\n", out);
    fprintf(out,
            "    \"lindperf_timer\": \"%s\",\n"
            "    \"lindperf_net\": %s,\n"
            "    \"lindperf_mode\": \"%s\"\n  },\n",
            s->timer == LINDPERF_TSC ? "tsc" : "clock", s->net ? "true" : "false",
            s->batched ? "batched" : "solo");
    fputs("  \"benchmarks\": [", out);
    const char *separator = "\n";
    size_t family = 0;
    for (size_t i = 0; i < s->count; i++) {
        const lindperf__row *r = &s->rows[i];
        if (!r->calls)
            continue;
        unsigned n = 0;
        double sum = 0, squares = 0,
               *v = (double *)malloc(((size_t)r->sample_count + 1) * sizeof *v);
        if (!v)
            return -1;
        for (unsigned j = 0; j < r->sample_count; j++) {
            const lindperf__sample *sample = &r->samples[j];
            if (sample->calls)
                v[n++] = (sample->has_net ? sample->net : sample->gross) * to_ns;
        }
        if (!n)
            v[n++] = lindperf__avg(r) * to_ns;
        for (unsigned j = 0, k = 0; j < n; j++) {
            while (r->sample_count && !r->samples[k].calls)
                k++;
            lindperf__gbench_entry(out, &separator, r, family, NULL, n, j,
                                   r->sample_count ? r->samples[k++].calls : r->calls, v[j]);
            sum += v[j];
        }
        double mean = sum / n;
        for (unsigned j = 0; j < n; j++)
            squares += (v[j] - mean) * (v[j] - mean);
        if (n > 1) {
            lindperf__gbench_entry(out, &separator, r, family, "mean", n, 0, n, mean);
            lindperf__gbench_entry(out, &separator, r, family, "median", n, 0, n,
                                   lindperf__median(v, n));
            lindperf__gbench_entry(out, &separator, r, family, "stddev", n, 0, n,
                                   lindperf__sqrt(squares / (n - 1)));
        }
        free(v);
        family++;
    }
    fputs("\n  ]\n}\n", out);
    return lindperf__finish(out);
}

int lindperf_write_gbench(FILE *out)
{
    return lindperf__with_snapshot(out, lindperf__gbench_snapshot);
}


/* The folder that holds path ("." for a bare name), to be freed; NULL when out of memory. */
static inline char *lindperf__folder_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t length = slash ? (size_t)(slash - path) + (slash == path) : 1;
    char *folder = (char *)malloc(length + 1);
    if (folder) {
        memcpy(folder, slash ? path : ".", length);
        folder[length] = 0;
    }
    return folder;
}

/* A result file is written to a temporary file beside it, then renamed over it, so that a
 * run that fails half-way leaves the old file whole. What is not a regular file (a device,
 * a pipe, a symbolic link) is written in place, since a rename would replace it; and so is
 * a file that may be written in a folder that takes no new file. */
static inline int lindperf__written_in_place(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return 0;
    if (!S_ISREG(st.st_mode))
        return 1;
    char *folder = lindperf__folder_of(path);
    int takes_new_files = folder && access(folder, W_OK | X_OK) == 0;
    free(folder);
    return !takes_new_files;
}

static inline int lindperf__write_in_place(const char *path, int (*write)(FILE *))
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "lindperf: cannot write %s: %s; check the folder exists and is writable\n",
                path, strerror(errno));
        return -1;
    }
    int status = write(f);
    if (fclose(f) != 0 || status != 0) {
        fprintf(stderr, "lindperf: writing %s failed: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

static inline int lindperf__write_file(const char *path, int (*write)(FILE *))
{
    if (lindperf__written_in_place(path))
        return lindperf__write_in_place(path, write);
    size_t size = strlen(path) + 32;
    char *temp = (char *)malloc(size);
    if (!temp) {
        fprintf(stderr, "lindperf: cannot write %s: out of memory\n", path);
        return -1;
    }
    snprintf(temp, size, "%s.lindperf-%ld.tmp", path, (long)getpid());
    unlink(temp);   /* left by a killed run of a process with this id */
    int fd = open(temp, O_WRONLY | O_CREAT | O_EXCL, 0666);
    FILE *f = fd < 0 ? NULL : fdopen(fd, "w");
    if (!f) {
        fprintf(stderr, "lindperf: cannot write %s: %s; check the folder exists and is writable\n",
                temp, strerror(errno));
        if (fd >= 0)
            close(fd);
        free(temp);
        return -1;
    }
    struct stat old;
    if (stat(path, &old) == 0)
        fchmod(fd, old.st_mode & 07777);
    errno = 0;
    int status = write(f);
    int error = errno;
    if (fclose(f) != 0 && status == 0) {
        status = -1;
        error = errno;
    }
    if (status == 0 && rename(temp, path) != 0) {
        status = -1;
        error = errno;
    }
    if (status != 0) {
        fprintf(stderr, "lindperf: writing %s failed: %s; any older %s is left as it was\n",
                path, error ? strerror(error) : "the writer stopped", path);
        unlink(temp);
    }
    free(temp);
    return status == 0 ? 0 : -1;
}

/* An output flag's path, checked before any run: the file may be written (it is not
 * opened, so not truncated), and its folder takes the temporary file. */
static inline int lindperf__check_output(const char *flag, const char *path, char *why,
                                         size_t size)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return lindperf__option_error(why, size, "lindperf: %s=%s: that is a folder; give a file "
                                      "name", flag, path);
    if (stat(path, &st) == 0 && access(path, W_OK) != 0)
        return lindperf__option_error(why, size, "lindperf: %s=%s: cannot write that file: %s; "
                                      "make it writable or choose another path", flag, path,
                                      strerror(errno));
    if (lindperf__written_in_place(path))
        return 0;
    char *folder = lindperf__folder_of(path);
    if (!folder)
        return lindperf__option_error(why, size, "lindperf: %s", "out of memory");
    if (access(folder, W_OK | X_OK) == 0) {
        free(folder);
        return 0;
    }
    lindperf__option_error(why, size, "lindperf: %s=%s: cannot write in the folder %s: %s; "
                           "create it, or choose another path", flag, path, folder,
                           strerror(errno));
    free(folder);
    return -1;
}

/* Every output file given, in the order of the flag table. */
static inline int lindperf__check_outputs(const lindperf__options *o, char *why, size_t size)
{
    const lindperf__flag *f;
    for (size_t i = 0; (f = lindperf__flag_at(i)) != NULL; i++) {
        const void *field = (const char *)o + f->field;
        const char *path = f->takes == LINDPERF__TAKES_FILE ? *(const char *const *)field : NULL;
        if (path && lindperf__check_output(f->name, path, why, size) != 0)
            return -1;
    }
    return 0;
}

/* Parsing: the shared parser, then what only a measuring build can check. */
static inline int lindperf__glob_matches_a_counter(const char *glob)
{
    size_t n = lindperf_counter_count();
    for (size_t i = 0; i < n; i++)
        if (fnmatch(glob, lindperf__g.counters[i]->name, 0) == 0)
            return 1;
    return 0;
}

static inline void lindperf__remember_command_line(int argc, char **argv)
{
    size_t size = 1;
    for (int i = 0; i < argc && argv[i]; i++)
        size += strlen(argv[i]) + 1;
    char *line = (char *)malloc(size), *end = line;
    if (!line)
        return;
    *end = 0;
    for (int i = 0; i < argc && argv[i]; i++)
        end += sprintf(end, "%s%s", i ? " " : "", argv[i]);
    free(lindperf__g.command_line);
    lindperf__g.command_line = line;
}

/* The host's arguments after the perf flags, for the results file: what was measured. */
static inline void lindperf__remember_program(int argc, char **argv)
{
    char *command_line = lindperf__g.command_line;
    lindperf__g.command_line = NULL;
    if (argc > 1)
        lindperf__remember_command_line(argc - 1, argv + 1);
    free(lindperf__g.program);
    lindperf__g.program = lindperf__g.command_line;
    lindperf__g.command_line = command_line;
}

int lindperf_try_parse_args(int *argc, char **argv, lindperf_timer *timer, char *why,
                            size_t why_size)
{
    lindperf__options o;
    if (lindperf__parse_vector(argc, argv, &o, why, why_size) != 0)
        return -1;
    if (o.timer == LINDPERF_TSC && !lindperf__tsc_available())
        return lindperf__option_error(why, why_size, "lindperf: %s needs a timestamp counter ("
                                      LINDPERF__TSC_READS "), and this CPU has none; use --perf",
                                      o.timer_flag);
    double hz;
    if (o.timer == LINDPERF_TSC && lindperf__tsc_hz_override(&hz) < 0)
        return lindperf__option_error(why, why_size,
                                      "lindperf: LINDPERF_TSC_HZ=%s is not a rate in "
                                      "Hz from 1 to 1e12; give one such as 25000000, or unset it",
                                      getenv("LINDPERF_TSC_HZ"));
    for (size_t i = 0; i < o.only_count; i++)
        if (!lindperf__glob_matches_a_counter(o.only[i]))
            return lindperf__option_error(why, why_size, "lindperf: --perf-only=%s matches no "
                                          "counter; patterns match module::name, as in 'threei::*'",
                                          o.only[i]);
    if (lindperf__check_outputs(&o, why, why_size) != 0)
        return -1;
    lindperf__remember_command_line(*argc, argv);
    lindperf__remove_flags(argc, argv);
    lindperf__remember_program(*argc, argv);
    lindperf_set_repeat(o.repeat);
    lindperf_set_batching(!o.solo);
    lindperf__g.json_path = o.json_path;
    lindperf__g.csv_path = o.csv_path;
    lindperf__g.gbench_path = o.gbench_path;
    lindperf__g.tree_csv_path = o.tree_csv_path;
    memcpy(lindperf__g.only_globs, o.only, sizeof o.only);
    lindperf__g.only_count = o.only_count;
    lindperf_set_detail(o.detail);
    lindperf_set_tree(o.tree);
    lindperf_set_net(o.net);
    *timer = o.timer;
    return 0;
}

/* After the discovery run: a --perf-only pattern whose counters were all left unreached
 * gives nothing to time, and would otherwise leave an empty report unexplained. Returns
 * nonzero when nothing at all is left to time, which run_each reports as a failure. */
static inline int lindperf__only_reached_nothing(size_t runs)
{
    size_t n = lindperf_counter_count();
    for (size_t g = 0; g < lindperf__g.only_count; g++) {
        int reached = 0;
        for (size_t i = 0; i < n && !reached; i++) {
            const lindperf_counter *c = lindperf_counter_at(i);
            reached = lindperf_counter_reached(c) &&
                      fnmatch(lindperf__g.only_globs[g], lindperf_counter_name(c), 0) == 0;
        }
        if (!reached)
            fprintf(stderr, "lindperf: --perf-only=%s matches only counters that the workload "
                    "never reached, so none of them is timed; check what the workload runs, or "
                    "widen the pattern\n", lindperf__g.only_globs[g]);
    }
    return lindperf__g.only_count > 0 && runs == 0;
}

/* Running: a discovery run, then one timed run per reached counter. */
static inline int lindperf__selected(const lindperf_counter *c)
{
    if (lindperf__g.only_count == 0)
        return 1;
    for (size_t i = 0; i < lindperf__g.only_count; i++)
        if (fnmatch(lindperf__g.only_globs[i], c->name, 0) == 0)
            return 1;
    return 0;
}

/* One line on a terminal, rewritten in place: the discovery run, then "run i/n (mode,
 * repetition r/N): name", then nothing once the runs are over. */
static inline void lindperf__progress(int shown, const char *counter, size_t others, size_t run,
                                      size_t runs, unsigned repetition)
{
    if (!shown)
        return;
    if (counter) {
        fprintf(stderr, "\rlindperf: run %zu/%zu (%s, repetition %u/%u): %s", run, runs,
                lindperf__g.batched ? "batched" : "solo", repetition + 1, lindperf__repetitions(),
                counter);
        if (others)
            fprintf(stderr, " and %zu more", others);
        fputs("\033[K", stderr);
    } else if (runs) {
        fputs("\rlindperf: discovery run: finding the counters the workload reaches\033[K", stderr);
    } else {
        fputs("\r\033[K", stderr);
    }
    fflush(stderr);
}

/* Batches, first fit in registry order: each counter joins the first batch that holds no
 * counter it conflicts with. batch_of[k] is the batch of candidates[k]; returns how many
 * batches there are. One counter per batch when solo, or when the pairs that nested could
 * not be kept, and for a counter of few calls. Each counter looks only at its own
 * conflicts, so the plan is linear in the candidates and the pairs. */
static inline size_t lindperf__plan_batches(const uint32_t *candidates, size_t n, int solo,
                                            size_t *batch_of)
{
    lindperf__globals *g = &lindperf__g;
    size_t counters = g->count, pairs = g->conflict_count, batches = 0;
    size_t *position = (size_t *)malloc((counters + 1) * sizeof *position);
    size_t *first = (size_t *)calloc(counters + 2, sizeof *first);   /* neighbours of c: */
    uint32_t *neighbour = (uint32_t *)malloc((2 * pairs + 1) * sizeof *neighbour);
    size_t *taken = (size_t *)calloc(n + 1, sizeof *taken);  /* by a neighbour of k: k + 1 */
    int planned = !solo && !g->conflicts_lost && position && first && neighbour && taken;
    for (size_t k = 0; !planned && k < n; k++)
        batch_of[k] = k;
    if (planned) {
        for (size_t i = 0; i < counters; i++)
            position[i] = SIZE_MAX;
        for (size_t k = 0; k < n; k++)
            position[candidates[k]] = k;
        for (size_t p = 0; p < pairs; p++) {
            first[g->conflicts[p].low + 2]++;
            first[g->conflicts[p].high + 2]++;
        }
        for (size_t i = 2; i <= counters + 1; i++)
            first[i] += first[i - 1];
        for (size_t p = 0; p < pairs; p++) {   /* first[c + 1] is c's fill cursor */
            neighbour[first[g->conflicts[p].low + 1]++] = g->conflicts[p].high;
            neighbour[first[g->conflicts[p].high + 1]++] = g->conflicts[p].low;
        }
        for (size_t k = 0; k < n; k++) {
            uint32_t c = candidates[k];
            for (size_t e = first[c]; e < first[c + 1]; e++)
                if (position[neighbour[e]] < k)
                    taken[batch_of[position[neighbour[e]]]] = k + 1;
            int alone = g->stats[c].discovered_calls < g->batch_min_calls;
            size_t b = alone ? batches : 0;
            while (b < batches && (taken[b] == k + 1 || taken[b] == SIZE_MAX))
                b++;
            batch_of[k] = b;
            batches += b == batches;
            if (alone)
                taken[b] = SIZE_MAX;   /* a run of its own, which no later counter joins */
        }
    }
    free(position);
    free(first);
    free(neighbour);
    free(taken);
    return planned ? batches : n;
}

static inline void lindperf__distribution_of(uint32_t i, lindperf__histogram *h)
{
    pthread_mutex_lock(&lindperf__lock);
    lindperf__distribution_locked(i, h);
    pthread_mutex_unlock(&lindperf__lock);
}

/* The p50 of what a run added to counter i's distribution: after less before. */
static inline uint64_t lindperf__run_p50(uint32_t i, lindperf__histogram *before,
                                         lindperf__histogram *after)
{
    lindperf__distribution_of(i, after);
    for (uint32_t b = 0; b < LINDPERF__BUCKETS; b++)
        after->buckets[b] -= before->buckets[b];
    after->count -= before->count;
    after->min = 0;
    after->max = UINT64_MAX;
    return lindperf__percentile_of(after, 50);
}

/* One timed run of the members (indexes into the registry) together, for one repetition:
 * the floor measured just before, then the members live, then each member's sample. A
 * batch of two or more has its scopes check that none nests in another; returns 1 when one
 * did, and the figures of that batch are then not to be trusted. */
static inline int lindperf__timed_run(lindperf_timer t, const uint32_t *members, size_t m,
                                      unsigned repetition, int (*workload)(void *), void *arg,
                                      int *status)
{
    lindperf__globals *g = &lindperf__g;
    lindperf__slot *before = (lindperf__slot *)calloc(2 * m, sizeof *before);   /* ... nested */
    lindperf__histogram *distributions =
        g->detail ? (lindperf__histogram *)malloc(2 * sizeof *distributions) : NULL;
    if (!before || (g->detail && !distributions)) {
        free(before);
        free(distributions);
        fprintf(stderr, "lindperf: out of memory for a timed run; its counters are not timed\n");
        return 0;
    }
    double floor = lindperf_calibrate(t);
    for (size_t k = 0; k < m; k++) {
        before[k] = lindperf__sum(g->counters[members[k]]);
        before[m + k].calls = lindperf__load(&g->stats[members[k]].nested);
    }
    if (distributions)   /* detail runs are solo: one member */
        lindperf__distribution_of(members[0], &distributions[0]);
    if (g->control)
        lindperf__histogram_clear(g->control);
    for (size_t k = 0; g->net && g->intervals && k < m; k++) {
        lindperf__histogram **h = &g->intervals[members[k]];
        if (!*h)
            *h = (lindperf__histogram *)malloc(sizeof **h);
        if (*h)
            lindperf__histogram_clear(*h);
    }
    __atomic_store_n(&g->nested, 0, LINDPERF__RELAXED);

    unsigned mode = lindperf__live_mode() | (m > 1 ? LINDPERF__MODE_BATCH : 0) |
                    (g->net && g->control ? LINDPERF__MODE_CONTROL : 0);
    lindperf__set_modes(members, m, mode, 0);
    int run_status = workload(arg);
    lindperf_enable_only(NULL);
    if (!*status)
        *status = run_status;
    pthread_mutex_lock(&lindperf__lock);
    lindperf__contexts_harvest_locked(repetition);
    pthread_mutex_unlock(&lindperf__lock);

    uint64_t controls = g->control ? lindperf__load(&g->control->count) : 0;
    int from_controls = g->net && controls >= LINDPERF__CONTROL_MIN;
    double run_floor =
        from_controls ? lindperf__trimmed_mean(g->control, LINDPERF__CONTROL_TRIM) : floor;
    for (size_t k = 0; k < m; k++) {
        uint32_t i = members[k];
        lindperf__slot after = lindperf__sum(g->counters[i]);
        lindperf__sample *sample = &g->samples[(size_t)i * g->sample_stride + repetition];
        memset(sample, 0, sizeof *sample);
        sample->calls = after.calls - before[k].calls;
        sample->total = after.total == UINT64_MAX ? UINT64_MAX : after.total - before[k].total;
        sample->outer_calls = sample->calls -
                              (lindperf__load(&g->stats[i].nested) - before[m + k].calls);
        sample->gross =
            sample->outer_calls ? (double)sample->total / (double)sample->outer_calls : 0;
        sample->floor = run_floor;
        sample->has_net = g->net;
        sample->net = sample->gross - run_floor;
        lindperf__histogram *intervals = g->intervals ? g->intervals[i] : NULL;
        int robust = from_controls && intervals && intervals->count >= LINDPERF__CONTROL_MIN;
        if (robust) {
            sample->net = lindperf__trimmed_mean(intervals, LINDPERF__CONTROL_TRIM) - run_floor;
            intervals->min = 0;
            intervals->max = UINT64_MAX;
        }
        if (distributions) {
            uint64_t p50 = robust ? lindperf__percentile_of(intervals, 50)
                                  : lindperf__run_p50(i, &distributions[0], &distributions[1]);
            sample->p50 = g->net ? lindperf__minus_floor(p50, run_floor) : p50;
            sample->has_p50 = 1;
        }
        if (g->sample_count[i] < repetition + 1)
            g->sample_count[i] = repetition + 1;
        g->stats[i].timed = 1;
        g->stats[i].floor = run_floor;
    }
    free(before);
    free(distributions);
    return m > 1 && __atomic_load_n(&g->nested, LINDPERF__RELAXED);
}

/* What run_each keeps over its runs: one sample per counter and repetition, and the
 * control histogram. NULL samples when out of memory. */
static inline int lindperf__prepare_samples(void)
{
    lindperf__globals *g = &lindperf__g;
    free(g->samples);
    free(g->sample_count);
    g->sample_stride = lindperf__repetitions();
    g->samples = (lindperf__sample *)calloc(g->count * g->sample_stride + 1, sizeof *g->samples);
    g->sample_count = (unsigned *)calloc(g->count + 1, sizeof *g->sample_count);
    if (!g->control)
        g->control = (lindperf__histogram *)malloc(sizeof *g->control);
    if (g->interval_slots < g->count) {   /* objects loaded since added counters */
        lindperf__histogram **intervals = (lindperf__histogram **)realloc(
            g->intervals, (g->count + 1) * sizeof *intervals);
        if (intervals) {
            memset(intervals + g->interval_slots, 0,
                   (g->count + 1 - g->interval_slots) * sizeof *intervals);
            g->intervals = intervals;
            g->interval_slots = g->count;
        }
    }
    if (g->samples && g->sample_count && g->control && g->intervals &&
        g->interval_slots >= g->count)
        return 0;
    free(g->samples);
    free(g->sample_count);
    g->samples = NULL;
    g->sample_count = NULL;
    fprintf(stderr, "lindperf: out of memory for the samples of %zu counters; nothing is timed\n",
            g->count);
    return -1;
}

/* Every batch once, then all again, for each repetition, so that a slow stretch of the
 * machine spreads over the counters instead of landing on one. A batch whose live scopes
 * nested is timed again one counter per run, for that repetition. */
static inline void lindperf__timed_runs(lindperf_timer t, int (*workload)(void *), void *arg,
                                        const uint32_t *candidates, size_t n,
                                        const size_t *batch_of, size_t batches, int shown,
                                        int *status)
{
    lindperf__globals *g = &lindperf__g;
    uint32_t *members = (uint32_t *)malloc((n + 1) * sizeof *members);
    size_t runs = batches * lindperf__repetitions();
    g->runs = 0;
    for (unsigned repetition = 0; members && repetition < lindperf__repetitions(); repetition++) {
        for (size_t b = 0; b < batches; b++) {
            size_t m = 0;
            for (size_t k = 0; k < n; k++)
                if (batch_of[k] == b)
                    members[m++] = candidates[k];
            lindperf__progress(shown, g->counters[members[0]]->name, m - 1, ++g->runs, runs,
                               repetition);
            if (!lindperf__timed_run(t, members, m, repetition, workload, arg, status))
                continue;
            fprintf(stderr, "lindperf: in a batched run, a scope of %s ended inside one of %s, "
                    "which the discovery run never saw nested; timing those %zu counters one per "
                    "run instead (--perf-solo avoids batches)\n",
                    g->counters[g->nested_inner]->name, g->counters[g->nested_outer]->name, m);
            runs += m;
            for (size_t k = 0; k < m; k++) {
                lindperf__progress(shown, g->counters[members[k]]->name, 0, ++g->runs, runs,
                                   repetition);
                lindperf__timed_run(t, &members[k], 1, repetition, workload, arg, status);
            }
        }
    }
    free(members);
}

int lindperf_run_each(lindperf_timer t, int (*workload)(void *arg), void *arg, FILE *out)
{
    if (!workload)
        return -1;
    if (t == LINDPERF_OFF)
        return workload(arg);
    lindperf_set_timer(t);
    if (lindperf__g.timer != t)
        return -1;
    lindperf_empty_scope(t);   /* the run's floor; each timed run below measures its own */
    if (t == LINDPERF_TSC)
        lindperf_tsc_hz();
    lindperf_reset_all();
    lindperf__globals *g = &lindperf__g;
    for (size_t i = 0; i < g->count; i++) {
        g->stats[i].timed = 0;
        g->stats[i].floor = 0;
    }
    g->runs = 0;
    g->batched = 0;

    int shown = isatty(STDERR_FILENO), status = 0;
    lindperf__progress(shown, NULL, 0, 0, 1, 0);
    lindperf_enable_discovery();
    status = workload(arg);
    lindperf_enable_only(NULL);

    uint32_t *candidates = (uint32_t *)malloc((g->count + 1) * sizeof *candidates);
    size_t *batch_of = (size_t *)malloc((g->count + 1) * sizeof *batch_of), n = 0;
    if (candidates && batch_of && lindperf__prepare_samples() == 0) {
        for (uint32_t i = 0; i < g->count; i++)
            if (g->stats[i].reached && lindperf__selected(g->counters[i]))
                candidates[n++] = i;
        if (lindperf__only_reached_nothing(n) && status == 0)
            status = -1;
        /* A thread keeps the distribution of one counter at a time: detail runs are solo. */
        g->batched = !g->solo && !g->detail;
        size_t batches = lindperf__plan_batches(candidates, n, !g->batched, batch_of);
        g->net_afterwards = 1;
        lindperf__timed_runs(t, workload, arg, candidates, n, batch_of, batches, shown, &status);
        g->net_afterwards = 0;
        lindperf__update_net_floor();
    } else if (!candidates || !batch_of) {
        fprintf(stderr, "lindperf: out of memory for the plan of %zu counters; nothing is timed\n",
                g->count);
    }
    free(candidates);
    free(batch_of);
    lindperf__progress(shown, NULL, 0, 0, 0, 0);

    int written = lindperf_report(out);
    if (written != 0)
        fprintf(stderr, "lindperf: writing the report failed: %s\n", strerror(errno));
    if (g->json_path && lindperf__write_file(g->json_path, lindperf_write_json) != 0)
        written = -1;
    if (g->csv_path && lindperf__write_file(g->csv_path, lindperf_write_csv) != 0)
        written = -1;
    if (g->gbench_path && lindperf__write_file(g->gbench_path, lindperf_write_gbench) != 0)
        written = -1;
    if (lindperf__g.tree_csv_path &&
        lindperf__write_file(lindperf__g.tree_csv_path, lindperf_write_tree_csv) != 0)
        written = -1;
    if (lindperf__check_unregistered() != 0)
        written = -1;
    return status ? status : written;
}

#endif /* LINDPERF_IMPLEMENTATION */

#else /* !LIND_PERF */

/* ---------------------------------------------------------------------------------------
 * 13. THE DISABLED TWINS
 *
 * Without LIND_PERF a counter is a forward declaration of a struct that is never
 * completed, and a scope is one as well (a static_assert in C++, where a repeated local
 * struct would shadow): declarations that emit no code, no data and no symbol, and that
 * may stand wherever the real ones may. The host functions do nothing, so a host needs no
 * #ifdef, except that a perf flag is an error: this build cannot measure.
 */
#define LINDPERF_ENABLED 0
#define LINDPERF_COUNTER_NAMED(module, ident, display) struct lindperf__off_##module##__##ident
#define LINDPERF_COUNTER(module, ident) struct lindperf__off_##module##__##ident
#define LINDPERF_DECLARE(module, ident) struct lindperf__off_##module##__##ident
#ifdef __cplusplus
#define LINDPERF_SCOPE(module, ident) static_assert(true, "lindperf is off")
#define LINDPERF_SCOPE_VAR(var, module, ident) static_assert(true, "lindperf is off")
#else
#define LINDPERF_SCOPE(module, ident) struct lindperf__off_scope
#define LINDPERF_SCOPE_VAR(var, module, ident) struct lindperf__off_scope
#endif
#define lindperf_scope_end(scope) ((void)0)
#define lindperf_black_box(ptr) ((void)0)

#ifdef LINDPERF_HOST
LINDPERF__API int lindperf_try_parse_args(int *argc, char **argv, lindperf_timer *timer, char *why,
                                          size_t why_size)
{
    lindperf__options o;
    char problem[256];
    *timer = LINDPERF_OFF;
    if (!argc || !argv)
        return lindperf__parse_vector(argc, argv, &o, why, why_size);
    /* Every way to fix the command goes in one message, not one per attempt. */
    int mistaken = lindperf__read_flags(*argc, argv, &o, problem, sizeof problem);
    if (!o.first_flag)
        return 0;
    if (mistaken)
        return lindperf__option_error(why, why_size, "lindperf: %s needs a build with -DLIND_PERF, "
                                      "and this program was built without it; rebuild it with "
                                      "-DLIND_PERF and mend this too: %s; or drop the perf flags",
                                      o.first_flag, problem + strlen("lindperf: "));
    if (o.timer == LINDPERF_OFF)
        return lindperf__option_error(why, why_size, "lindperf: %s needs a build with -DLIND_PERF "
                                      "and a timer, and this program was built without it; "
                                      "rebuild it with -DLIND_PERF and add --perf or --perftsc, "
                                      "or drop the flag", o.first_flag);
    return lindperf__option_error(why, why_size, "lindperf: %s needs a build with -DLIND_PERF, "
                                  "and this program was built without it; rebuild it with "
                                  "-DLIND_PERF, or drop the flag", o.first_flag);
}

static inline int lindperf_run_each(lindperf_timer t, int (*workload)(void *arg), void *arg,
                                    FILE *out)
{
    (void)t;
    (void)out;
    return workload ? workload(arg) : -1;
}

static inline void lindperf_set_timer(lindperf_timer t) { (void)t; }
static inline void lindperf_set_net(int on) { (void)on; }
static inline void lindperf_set_detail(int on) { (void)on; }
static inline void lindperf_set_tree(int on) { (void)on; }
static inline void lindperf_set_repeat(unsigned n) { (void)n; }
static inline void lindperf_set_batching(int on) { (void)on; }
static inline void lindperf_set_module_order(const char *const *modules, size_t n)
{
    (void)modules;
    (void)n;
}
static inline void lindperf_reset_all(void) {}
static inline void lindperf_enable_only(const lindperf_counter *c) { (void)c; }
static inline void lindperf_enable_discovery(void) {}
static inline size_t lindperf_counter_count(void) { return 0; }
static inline const lindperf_counter *lindperf_counter_at(size_t i) { (void)i; return NULL; }
static inline const lindperf_counter *lindperf_find(const char *full_name)
{
    (void)full_name;
    return NULL;
}
static inline const char *lindperf_counter_name(const lindperf_counter *c) { (void)c; return NULL; }
static inline const char *lindperf_counter_module(const lindperf_counter *c)
{
    (void)c;
    return NULL;
}
static inline uint64_t lindperf_counter_calls(const lindperf_counter *c) { (void)c; return 0; }
static inline uint64_t lindperf_counter_total(const lindperf_counter *c) { (void)c; return 0; }
static inline uint64_t lindperf_counter_min(const lindperf_counter *c) { (void)c; return 0; }
static inline uint64_t lindperf_counter_max(const lindperf_counter *c) { (void)c; return 0; }
static inline uint64_t lindperf_counter_percentile(const lindperf_counter *c, double p)
{
    (void)c;
    (void)p;
    return 0;
}
static inline int lindperf_counter_reached(const lindperf_counter *c) { (void)c; return 0; }
static inline const lindperf_counter *lindperf_counter_parent(const lindperf_counter *c)
{
    (void)c;
    return NULL;
}
static inline int lindperf_context_at(size_t i, lindperf_context *out)
{
    (void)i;
    if (out) {
        out->counter = NULL;
        out->parent = -1;
        out->calls = 0;
    }
    return -1;
}
static inline double lindperf_tsc_hz(void) { return 0; }
static inline double lindperf_empty_scope(lindperf_timer t) { (void)t; return 0; }
static inline double lindperf_calibrate(lindperf_timer t) { (void)t; return 0; }
static inline int lindperf_report(FILE *out) { (void)out; return 0; }
static inline int lindperf_write_json(FILE *out) { (void)out; return 0; }
static inline int lindperf_write_csv(FILE *out) { (void)out; return 0; }
static inline int lindperf_write_tree_csv(FILE *out) { (void)out; return 0; }
static inline int lindperf_write_gbench(FILE *out) { (void)out; return 0; }
#endif /* LINDPERF_HOST */

#endif /* LIND_PERF */

#ifdef __cplusplus
}
#endif

#endif /* LINDPERF_H */

/*
 * MIT License
 *
 * Copyright (c) 2026 The lindperf authors
 *
 * Permission is hereby granted, free of charge, to any person obtaining a copy of this
 * software and associated documentation files (the "Software"), to deal in the Software
 * without restriction, including without limitation the rights to use, copy, modify,
 * merge, publish, distribute, sublicense, and/or sell copies of the Software, and to
 * permit persons to whom the Software is furnished to do so, subject to the following
 * conditions:
 *
 * The above copyright notice and this permission notice shall be included in all copies
 * or substantial portions of the Software.
 *
 * THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED,
 * INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A
 * PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT
 * HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF
 * CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR
 * THE USE OR OTHER DEALINGS IN THE SOFTWARE.
 */
