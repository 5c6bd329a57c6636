/* lindperf.h - where the time goes on the hot paths of a layered runtime.
 * One header, MIT licensed (see the end of this file). Version LINDPERF_VERSION.
 *
 * lindperf puts a named counter (calls and total time) on the functions of each layer that
 * a request crosses, and times them with a scope guard. The host program runs its workload
 * once per counter, with exactly one counter live, so no measurement ever pays for another,
 * and prints a report per module. It is the C counterpart of lind-wasm's lind-perf.
 *
 * USE
 *   In every module:  #include "lindperf.h", and compile with -DLIND_PERF to measure.
 *   In the host:      t = lindperf_parse_args(&argc, argv);
 *                     lindperf_run_each(t, workload, arg, stdout);
 *   Without -DLIND_PERF every macro below compiles to nothing and every host function is a
 *   no-op, so neither side needs an #ifdef.
 *
 * CONTENTS
 *   1. The manual: module side, host side, host flags, compile-time options
 *   2. Platform timers           clock_gettime, the timestamp counter, its frequency
 *   3. Counters and registry     one line defines and registers; a linker section lists them
 *   4. The scope guard           the hot path: two timer reads and two adds
 *   5. Per-thread storage        lossless without shared cache lines
 *   6. Host API                  enable, reset, read, parse, run, report, JSON and CSV
 *   7. The disabled twins        what all of the above is without LIND_PERF: nothing
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
 * Host side (every function is static inline; a program links nothing)
 *   lindperf_timer lindperf_parse_args(int *argc, char **argv);
 *       Takes the flags below from argv, before the first argument that is not an option
 *       ("--" ends the options and stays in argv), and returns the timer. Bad use prints
 *       one line on stderr and exits with status 2.
 *   int lindperf_try_parse_args(int *argc, char **argv, lindperf_timer *t,
 *                               char *why, size_t why_size);
 *       The same without exiting: 0, or -1 with the reason in why (argv untouched).
 *   int lindperf_run_each(lindperf_timer t, int (*workload)(void *), void *arg, FILE *out);
 *       Runs the workload once to discover the counters it reaches, then once per reached
 *       counter with only that one live (measuring the timer's floor again before each),
 *       prints the report to out and writes the files asked for by --perf-json and
 *       --perf-csv. Returns the first nonzero workload status, else -1 when a report could
 *       not be written, else 0. With LINDPERF_OFF it runs the workload once and returns its
 *       status; with LINDPERF_TSC on a CPU without one it says so and returns -1 unrun.
 *   void lindperf_set_timer(lindperf_timer t);       clock (ns) or tsc (cycles)
 *   void lindperf_set_net(int on);                   subtract the empty-scope floor
 *   void lindperf_set_detail(int on);                keep min, max and percentiles
 *   void lindperf_set_tree(int on);                  add the CALL PATH section
 *   void lindperf_set_module_order(const char *const *modules, size_t n);
 *   void lindperf_reset_all(void);                   every counter back to zero
 *   void lindperf_enable_only(const lindperf_counter *c);   one live counter; NULL: none
 *   void lindperf_enable_discovery(void);            all counters note reach and parent
 *   size_t lindperf_counter_count(void);
 *   const lindperf_counter *lindperf_counter_at(size_t i);
 *   const lindperf_counter *lindperf_find(const char *full_name);   NULL when unknown
 *   const char *lindperf_counter_name(const lindperf_counter *c);   "module::ident"
 *   const char *lindperf_counter_module(const lindperf_counter *c);
 *   uint64_t lindperf_counter_calls(const lindperf_counter *c);
 *   uint64_t lindperf_counter_total(const lindperf_counter *c);    ns, or cycles under tsc
 *   uint64_t lindperf_counter_min(const lindperf_counter *c);      needs detail
 *   uint64_t lindperf_counter_max(const lindperf_counter *c);      needs detail
 *   uint64_t lindperf_counter_percentile(const lindperf_counter *c, double p);  p in [0,100]
 *   int lindperf_counter_reached(const lindperf_counter *c);       seen by discovery
 *   const lindperf_counter *lindperf_counter_parent(const lindperf_counter *c);
 *   double lindperf_tsc_hz(void);                    0 when there is no timestamp counter
 *   double lindperf_empty_scope(lindperf_timer t);   the floor, in t's unit (measured once)
 *   double lindperf_calibrate(lindperf_timer t);     measures the floor again, now, and keeps it
 *   int lindperf_report(FILE *out);                  0, or -1 when writing failed
 *   int lindperf_write_json(FILE *out);              0, or -1 when writing failed
 *   int lindperf_write_csv(FILE *out);               0, or -1 when writing failed
 *   Getters given NULL return 0 (or NULL); they never crash.
 *
 * Host flags, taken by lindperf_parse_args
 *   --perf, --perf=clock    time with clock_gettime(CLOCK_MONOTONIC), in nanoseconds
 *   --perftsc, --perf=tsc   time with the timestamp counter, in cycles
 *   --perf-net              subtract the calibrated empty-scope floor from every interval
 *   --perf-detail           add min, p50, p99 and max columns (rows are then 149 wide)
 *   --perf-tree             add a CALL PATH section: each counter under its parent, with its
 *                           average and self time net of the timer floor
 *   --perf-json=FILE        also write the results as JSON
 *   --perf-csv=FILE         also write the results as CSV
 *   --perf-only=GLOB        time only the counters whose "module::ident" matches (repeatable)
 *   The modifiers need --perf or --perftsc. A flag given twice, an unknown --perf* flag,
 *   --perf=OTHER, and any of them in a build without LIND_PERF end the program (status 2).
 *
 * Compile-time options
 *   LIND_PERF
 *       Turns measurement on. Without it, no code, no data and no symbol is emitted for any
 *       counter or scope, and instrumented functions compile to the same machine code as
 *       without the instrumentation.
 *   LINDPERF_MAX_THREADS (default 4096)
 *       How many threads at once get a private slot table. Threads beyond it share one
 *       overflow table updated with atomic adds: slower, never lossy. So do counters past
 *       the 262,144th of a program (the 65,536th on 32-bit systems).
 *   LINDPERF_MAX_DEPTH (default 64)
 *       How deep the discovery run follows nested scopes to learn parents. Deeper scopes
 *       are counted but get no parent.
 *   Under a strict ISO mode (-std=c11 and later) the measuring build needs POSIX: this
 *   header defines _POSIX_C_SOURCE when it comes before every system header, and stops
 *   with an #error that says what to do when it cannot.
 *
 * Environment
 *   LINDPERF_NO_TSC=1 makes the library treat the CPU as having no timestamp counter, to
 *   exercise that path: --perftsc is then an error.
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
 *   exit, abort, a thread cancelled or killed, or a signal that does not return: such a
 *   scope is not counted. A child made by fork keeps measuring into its own copy, which is
 *   lost to the parent; the parent's report is unaffected. Counters defined in a shared
 *   object form that object's own registry; the host reports the registry it is linked
 *   with. Compilers: GCC and Clang (tested with GCC 12 and Clang 14), as C (gnu99 and
 *   later) or C++ (C++11 and later), on ELF platforms (Linux); others get an #error when
 *   LIND_PERF is on. The timestamp counter: x86-64, x86 and aarch64.
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

#define LINDPERF_VERSION "0.1.0"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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

#ifndef LINDPERF_MAX_THREADS
#define LINDPERF_MAX_THREADS 4096
#endif
#ifndef LINDPERF_MAX_DEPTH
#define LINDPERF_MAX_DEPTH 64
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { LINDPERF_OFF, LINDPERF_CLOCK, LINDPERF_TSC } lindperf_timer;
typedef struct lindperf_counter lindperf_counter;

/* ---------------------------------------------------------------------------------------
 * HOST FLAGS, shared by both builds: the off build must still recognise a perf flag, to
 * say that it cannot honour it.
 */
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

typedef struct lindperf__options {
    lindperf_timer timer;
    int net, detail, tree;
    const char *json_path, *csv_path;
    const char *only[LINDPERF_MAX_ONLY];
    size_t only_count;
    const char *first_flag;     /* for the off build's message */
    const char *timer_flag;     /* the flag that chose the timer, as given */
} lindperf__options;

#define LINDPERF__FLAG_LIST "--perf, --perftsc, --perf=clock|tsc, --perf-net, --perf-detail, " \
                            "--perf-tree, --perf-json=FILE, --perf-csv=FILE, --perf-only=GLOB"

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

/* "--perf-json=FILE": the FILE, or NULL when arg is not that flag. */
static inline const char *lindperf__flag_value(const char *arg, const char *flag)
{
    size_t len = strlen(flag);
    if (strncmp(arg, flag, len) != 0 || (arg[len] != '=' && arg[len] != 0))
        return NULL;
    return arg[len] == '=' ? arg + len + 1 : arg + len;
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

/* Only the arguments before the first non-option (the program to run) are ours. */
static inline int lindperf__parse_options(int argc, char **argv, lindperf__options *o, char *why,
                                          size_t size)
{
    int seen_net = 0, seen_detail = 0, seen_tree = 0;
    const char *modifier = NULL;
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc && lindperf__is_option(argv[i]); i++) {
        const char *arg = argv[i], *value;
        lindperf_timer timer = LINDPERF_OFF;
        if (!lindperf__is_perf_flag(arg))
            continue;
        if (!o->first_flag)
            o->first_flag = arg;
        if (strcmp(arg, "--perf") == 0 || strcmp(arg, "--perf=clock") == 0)
            timer = LINDPERF_CLOCK;
        else if (strcmp(arg, "--perftsc") == 0 || strcmp(arg, "--perf=tsc") == 0)
            timer = LINDPERF_TSC;
        else if (strncmp(arg, "--perf=", 7) == 0)
            return lindperf__option_error(why, size, "lindperf: %s: the timer is clock or tsc "
                                          "(--perf=clock or --perf=tsc)", arg);
        if (timer != LINDPERF_OFF) {
            if (o->timer != LINDPERF_OFF)
                return lindperf__option_error(why, size, "lindperf: %s: a timer was given already; "
                                              "give one of --perf and --perftsc", arg);
            o->timer = timer;
            o->timer_flag = arg;
            continue;
        }
        modifier = arg;
        int *seen = strcmp(arg, "--perf-net") == 0 ? &seen_net
                  : strcmp(arg, "--perf-detail") == 0 ? &seen_detail
                  : strcmp(arg, "--perf-tree") == 0 ? &seen_tree : NULL;
        if (seen) {
            if (*seen)
                return lindperf__option_error(why, size, "lindperf: %s is given twice; give it once", arg);
            *seen = 1;
        } else if ((value = lindperf__flag_value(arg, "--perf-json")) ||
                   (value = lindperf__flag_value(arg, "--perf-csv"))) {
            const char **path = arg[7] == 'j' ? &o->json_path : &o->csv_path;
            if (!*value)
                return lindperf__option_error(why, size, "lindperf: %s needs a file name, as in "
                                              "--perf-json=FILE or --perf-csv=FILE", arg);
            if (*path)
                return lindperf__option_error(why, size, "lindperf: %s: that output file is given "
                                              "twice; give it once", arg);
            *path = value;
        } else if ((value = lindperf__flag_value(arg, "--perf-only"))) {
            if (!*value)
                return lindperf__option_error(why, size, "lindperf: %s needs a pattern, as in "
                                              "--perf-only='threei::*'", arg);
            if (o->only_count == LINDPERF_MAX_ONLY)
                return lindperf__option_error(why, size, "lindperf: %s: more --perf-only patterns "
                                              "than fit (32); combine some into one glob", arg);
            o->only[o->only_count++] = value;
        } else {
            return lindperf__option_error(why, size, "lindperf: unknown option %s; the perf "
                                          "options are " LINDPERF__FLAG_LIST, arg);
        }
    }
    o->net = seen_net;
    o->detail = seen_detail;
    o->tree = seen_tree;
    if (modifier && o->timer == LINDPERF_OFF)
        return lindperf__option_error(why, size, "lindperf: %s needs a timer: add --perf or --perftsc",
                                      modifier);
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
    if (!argc || !argv)
        return lindperf__option_error(why, size, "lindperf: %s", "no argument vector given");
    return lindperf__parse_options(*argc, argv, o, why, size);
}

static inline int lindperf_try_parse_args(int *argc, char **argv, lindperf_timer *timer, char *why,
                                          size_t why_size);

static inline lindperf_timer lindperf_parse_args(int *argc, char **argv)
{
    char why[512];
    lindperf_timer timer = LINDPERF_OFF;
    if (lindperf_try_parse_args(argc, argv, &timer, why, sizeof why) != 0) {
        fprintf(stderr, "%s\n", why);
        exit(2);
    }
    return timer;
}

#ifdef LIND_PERF

#if !defined(__GNUC__)
#error "lindperf: LIND_PERF needs GCC or Clang (the scope guard is __attribute__((cleanup))); build without -DLIND_PERF on this compiler"
#endif

#define LINDPERF_ENABLED 1

#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#ifndef CLOCK_MONOTONIC
#error "lindperf: LIND_PERF needs POSIX (clock_gettime), hidden by a strict -std: include lindperf.h before any system header, or define _POSIX_C_SOURCE=200809L, or use -std=gnu11"
#endif

#define LINDPERF__WEAK      __attribute__((weak))
#define LINDPERF__COLD      __attribute__((noinline, cold, unused))   /* out of the hot path; may go unused */
#define LINDPERF__UNLIKELY(x) __builtin_expect(!!(x), 0)
#define LINDPERF__RELAXED   __ATOMIC_RELAXED
#define LINDPERF__CACHE_LINE 64

/* ---------------------------------------------------------------------------------------
 * 2. PLATFORM TIMERS
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
 * 3. COUNTERS AND REGISTRY
 *
 * A counter is a small static object. Its `mode` is the only thing a scope reads before it
 * knows whether to time: zero for a counter that is not live. Everything the host keeps
 * about a counter lives in the registry's tables, indexed by `index`, so the counter
 * itself needs no initializer beyond its names.
 *
 * Each definition also puts a pointer to its counter in the linker section
 * "lindperf_counters". The linker gathers them from every object file and brackets them
 * with __start_/__stop_ symbols, so walking all counters is walking an array, and no code
 * runs to register one (the Linux kernel's initcalls work the same way).
 */
enum {
    LINDPERF__MODE_LIVE = 1,      /* time this counter's scopes */
    LINDPERF__MODE_TSC = 2,       /* ... with the timestamp counter, else the clock */
    LINDPERF__MODE_DETAIL = 4,    /* ... and keep their distribution */
    LINDPERF__MODE_DISCOVER = 8   /* note that the scope was reached, and under whom */
};

struct lindperf_counter {
    unsigned char mode;       /* read by every scope start: LINDPERF__MODE_* bits */
    uint32_t index;           /* position in the registry, set when it is first walked */
    const char *module;
    const char *name;         /* "module::ident", or the display name given */
    const char *file;         /* where it is defined: orders rows, names duplicates */
    int line;
};

#define LINDPERF__SYMBOL(module, ident) lindperf__counter_##module##__##ident

#define LINDPERF_COUNTER_NAMED(module, ident, display)                                   \
    extern lindperf_counter LINDPERF__SYMBOL(module, ident);                             \
    lindperf_counter LINDPERF__SYMBOL(module, ident) = {0, 0, #module, display,          \
                                                        __FILE__, __LINE__};             \
    static lindperf_counter *lindperf__entry_##module##__##ident                         \
        __attribute__((section("lindperf_counters"), used, aligned(sizeof(void *)))) =  \
            &LINDPERF__SYMBOL(module, ident)

#define LINDPERF_COUNTER(module, ident) \
    LINDPERF_COUNTER_NAMED(module, ident, #module "::" #ident)

#define LINDPERF_DECLARE(module, ident) extern lindperf_counter LINDPERF__SYMBOL(module, ident)

/* Weak, so that a program with no counter at all still links (both are then null). */
extern lindperf_counter *__start_lindperf_counters[] __attribute__((weak));
extern lindperf_counter *__stop_lindperf_counters[] __attribute__((weak));

/* ---------------------------------------------------------------------------------------
 * 5 (declared before 4, which uses it). PER-THREAD STORAGE
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
/* A 64-bit figure that threads share. i386 aligns uint64_t to 4 bytes inside a struct, where
 * a 64-bit atomic can tear or split a lock: every shared figure is 8-byte aligned instead. */
typedef uint64_t lindperf__u64 __attribute__((aligned(8)));

typedef struct lindperf__slot {
    lindperf__u64 calls;
    lindperf__u64 total;
} lindperf__slot;

/* The distribution of one counter's intervals, kept by a thread under --perf-detail.
 * Log-linear buckets as in HdrHistogram: values below 64 have a bucket each; above, each
 * power of two is cut into 32 buckets, so a bucket is at most 1/32 of its lower bound
 * wide and its midpoint is within 1.6% of any value in it. 1920 buckets of 8 bytes, 15 KiB
 * a table: one per thread that records in detail, and one per counter for exited
 * threads. */
#define LINDPERF__SUB_BITS 5
#define LINDPERF__EXACT_BELOW (2u << LINDPERF__SUB_BITS)
#define LINDPERF__BUCKETS (LINDPERF__EXACT_BELOW + (64 - LINDPERF__SUB_BITS - 1) * (1u << LINDPERF__SUB_BITS))

typedef struct lindperf__histogram {
    uint32_t owner;           /* index of the counter these samples belong to */
    struct lindperf__histogram *next_retired;   /* on lindperf__g.retired_details */
    lindperf__u64 count, min, max;
    lindperf__u64 buckets[LINDPERF__BUCKETS];
} lindperf__histogram;

/* The counters that have a slot in every table: 4 MiB of address space a thread (1 MiB on
 * 32-bit systems, where address space is short), of which only written pages take memory.
 * Fixed here, never by a compile-time option, so that objects built with different
 * options agree on where a slot is. */
#define LINDPERF__REACH (sizeof(void *) >= 8 ? 262144u : 65536u)

typedef struct lindperf__thread {
    struct lindperf__thread *next;               /* the list of live tables */
    lindperf__histogram *detail;                 /* mapped on the first detail record */
    void *discovery;                             /* the discovery record (docs/design.md) */
    uint32_t detail_busy;                        /* this thread is inside its detail code */
    uint32_t depth;                              /* discovery: scopes open on this thread */
    uint32_t open[LINDPERF_MAX_DEPTH];           /* discovery: their counters' indexes */
} lindperf__thread;

/* The slots start a page after the header: an offset known at compile time, rather than a
 * pointer in the header, saves a scope a dependent load before its first timer read. The
 * same in every object whatever its options, so that a thread's exit unmaps exactly what its
 * first record mapped. */
#define LINDPERF__SLOTS_OFFSET 4096u
#define LINDPERF__THREAD_BYTES (LINDPERF__SLOTS_OFFSET + LINDPERF__REACH * sizeof(lindperf__slot))
typedef char lindperf__thread_fits_its_page[sizeof(lindperf__thread) <= LINDPERF__SLOTS_OFFSET
                                            ? 1 : -1];

/* What the registry keeps per counter, besides the live slots. */
typedef struct lindperf__stats {
    lindperf__slot retired;        /* folded in from exited threads */
    lindperf__slot overflow;       /* shared by threads without a table; atomic adds */
    lindperf__slot baseline;       /* the sums at the last reset */
    lindperf__histogram *retired_detail;
    lindperf__u64 detail_dropped;  /* samples that no histogram took (see detail_add) */
    uint32_t reached;              /* a discovery run entered it */
    uint32_t timed;                /* a timed run was made for it */
    double floor;                  /* the floor measured just before that run; 0: none */
} lindperf__stats;

typedef struct lindperf__globals {
    int initialized;
    size_t count;                        /* registered counters */
    lindperf_counter **counters;         /* in registry order */
    lindperf__stats *stats;              /* [count] */
    uint64_t *parent_votes;              /* [count][count + 1]; the last column: no parent */
    lindperf__thread *threads;           /* every live thread's table; pushed with CAS */
    size_t thread_count;                 /* tables given out and not yet returned */
    pthread_key_t exit_key;
    lindperf__histogram *retired_details;   /* handed over by threads, merged by the host */
    lindperf__u64 map_failures;          /* mmap refused a table, a page or a histogram */
    lindperf__u64 map_failures_told;     /* how many of them the user was told about */

    lindperf_timer timer;
    uint64_t net_floor;                  /* subtracted from every interval; 0 when gross */
    int net, detail, tree;
    double floor[3];                     /* per timer, in its unit */
    int floor_known[3];
    double tsc_hz;
    const char *tsc_hz_source;

    const char **module_order;           /* owned: lindperf_set_module_order copies it */
    size_t module_order_count;
    const char *json_path, *csv_path;
    const char *only_globs[LINDPERF_MAX_ONLY];
    size_t only_count;
    char *command_line;
} lindperf__globals;

/* One copy per program whatever the number of translation units: weak definitions.
 * The thread-locals are initial-exec: in a dlopen'ed object a general-dynamic variable is
 * allocated (malloc) on its first access by each thread, and that access could be a
 * handler's. Initial-exec ones sit in the static TLS block that glibc reserves room for at
 * dlopen, so reading them never allocates. */
#define LINDPERF__TLS __thread __attribute__((tls_model("initial-exec")))
extern lindperf__globals lindperf__g;
LINDPERF__WEAK lindperf__globals lindperf__g;
extern pthread_mutex_t lindperf__lock;
LINDPERF__WEAK pthread_mutex_t lindperf__lock = PTHREAD_MUTEX_INITIALIZER;
extern pthread_mutex_t lindperf__calibration_lock;   /* the floor and the TSC frequency */
LINDPERF__WEAK pthread_mutex_t lindperf__calibration_lock = PTHREAD_MUTEX_INITIALIZER;
extern pthread_once_t lindperf__exit_key_once;
LINDPERF__WEAK pthread_once_t lindperf__exit_key_once = PTHREAD_ONCE_INIT;
extern LINDPERF__TLS lindperf__thread *lindperf__self;
LINDPERF__WEAK LINDPERF__TLS lindperf__thread *lindperf__self;
extern LINDPERF__TLS int lindperf__self_denied;   /* no table for this thread: use the overflow */
LINDPERF__WEAK LINDPERF__TLS int lindperf__self_denied;

static inline uint64_t lindperf__saturating_add(uint64_t a, uint64_t b)
{
    uint64_t sum = a + b;
    return sum < a ? UINT64_MAX : sum;
}

static inline uint64_t lindperf__load(const uint64_t *p)
{
    return __atomic_load_n(p, LINDPERF__RELAXED);
}

static inline void lindperf__store(uint64_t *p, uint64_t v)
{
    __atomic_store_n(p, v, LINDPERF__RELAXED);
}

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
    uint64_t *bucket = &h->buckets[lindperf__bucket_of(v)];
    lindperf__store(bucket, lindperf__load(bucket) + 1);
    lindperf__store(&h->count, lindperf__load(&h->count) + 1);
    if (v < lindperf__load(&h->min))
        lindperf__store(&h->min, v);
    if (v > lindperf__load(&h->max))
        lindperf__store(&h->max, v);
}

/* Adds src into dst; both owned by the caller or read under the lock. */
static inline void lindperf__histogram_merge(lindperf__histogram *dst, const lindperf__histogram *src)
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

static inline void lindperf__overflow_add(lindperf__slot *s, uint64_t elapsed)
{
    __atomic_fetch_add(&s->calls, 1, LINDPERF__RELAXED);
    uint64_t old = lindperf__load(&s->total);
    while (!__atomic_compare_exchange_n(&s->total, &old, lindperf__saturating_add(old, elapsed),
                                        1, LINDPERF__RELAXED, LINDPERF__RELAXED))
        ;
}

/* A thread's slot for a counter, or NULL past the reach: the overflow table. */
static inline lindperf__slot *lindperf__slot_of(lindperf__thread *t, uint32_t index)
{
    if (index >= LINDPERF__REACH)
        return NULL;
    return (lindperf__slot *)(void *)((char *)t + LINDPERF__SLOTS_OFFSET) + index;
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
    munmap(p, size);
    errno = saved_errno;
}

LINDPERF__COLD static void lindperf__fold_thread_locked(lindperf__thread *t);
LINDPERF__COLD static void lindperf__drain_retired_details_locked(void);

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
 * so that the program has one copy; each object's constructor entry calls it, once or
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
 * 4. THE SCOPE GUARD
 *
 * The whole hot path is on this screen. A scope loads its counter's mode and, when the
 * counter is not live, is done: one load and one well-predicted branch, and its end tests
 * a register. A live scope finds this thread's slot and reads the timer; its end reads the
 * timer again and adds one call and the interval to the slot. Finding the slot before the
 * first read keeps that chain of loads out of the fenced tail, where it would cost ~2 ns
 * more per scope. Anything rarer (no table yet, detail, discovery) goes out of line.
 */
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
    uint64_t floor = __atomic_load_n(&lindperf__g.net_floor, LINDPERF__RELAXED);
    return end > start && end - start > floor ? end - start - floor : 0;
}

LINDPERF__COLD static void lindperf__discover_enter(lindperf_counter *c);
LINDPERF__COLD static void lindperf__record_rare(lindperf_counter *c, unsigned mode, uint64_t elapsed);

static inline lindperf_scope lindperf__scope_begin(lindperf_counter *c)
{
    lindperf_scope s;
    s.counter = c;
    s.start = 0;
    s.slot = NULL;
    s.mode = __atomic_load_n(&c->mode, __ATOMIC_ACQUIRE);
    if (LINDPERF__UNLIKELY(s.mode != 0)) {
        if (s.mode & LINDPERF__MODE_DISCOVER)
            lindperf__discover_enter(c);
        else if (lindperf__self && s.mode == (s.mode & (LINDPERF__MODE_LIVE | LINDPERF__MODE_TSC)))
            s.slot = lindperf__slot_of(lindperf__self, c->index);
        s.start = lindperf__stamp_begin(s.mode);
    }
    return s;
}

static inline void lindperf__scope_end(lindperf_scope *s)
{
    if (LINDPERF__UNLIKELY(s->mode != 0)) {
        uint64_t elapsed = lindperf__interval(s->start, lindperf__stamp_end(s->mode));
        if (s->slot)
            lindperf__slot_add(s->slot, elapsed);
        else
            lindperf__record_rare(s->counter, s->mode, elapsed);
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

/* The rare paths of a scope's end. */
LINDPERF__COLD static void lindperf__discover_leave(lindperf_counter *c);

LINDPERF__COLD static void lindperf__record_rare(lindperf_counter *c, unsigned mode, uint64_t elapsed)
{
    if (mode & LINDPERF__MODE_DISCOVER) {
        lindperf__discover_leave(c);
        return;
    }
    lindperf__thread *t = lindperf__attach();
    lindperf__slot *slot = t ? lindperf__slot_of(t, c->index) : NULL;
    if (mode & LINDPERF__MODE_DETAIL)
        lindperf__detail_add(t, c->index, elapsed);
    if (slot)
        lindperf__slot_add(slot, elapsed);
    else
        lindperf__overflow_add(&lindperf__g.stats[c->index].overflow, elapsed);
}

/* Discovery: every counter is live, and each scope notes which scope encloses it. */
LINDPERF__COLD static void lindperf__discover_enter(lindperf_counter *c)
{
    lindperf__thread *t = lindperf__self ? lindperf__self : lindperf__attach();
    uint32_t n = (uint32_t)lindperf__g.count;
    __atomic_store_n(&lindperf__g.stats[c->index].reached, 1, LINDPERF__RELAXED);
    if (!t)
        return;
    if (t->depth < LINDPERF_MAX_DEPTH && lindperf__g.parent_votes) {
        uint32_t parent = t->depth ? t->open[t->depth - 1] : n;
        __atomic_fetch_add(&lindperf__g.parent_votes[(size_t)c->index * (n + 1) + parent], 1,
                           LINDPERF__RELAXED);
        t->open[t->depth] = c->index;
    }
    t->depth++;
}

LINDPERF__COLD static void lindperf__discover_leave(lindperf_counter *c)
{
    lindperf__thread *t = lindperf__self;
    if (!t || t->depth == 0)
        return;
    t->depth--;
    if (t->depth < LINDPERF_MAX_DEPTH && t->open[t->depth] != c->index) {
        /* Scopes ended out of order (an early lindperf_scope_end): drop c where it is. */
        for (uint32_t i = t->depth; i-- > 0;) {
            if (t->open[i] == c->index) {
                memmove(&t->open[i], &t->open[i + 1], (t->depth - i) * sizeof t->open[0]);
                break;
            }
        }
    }
}

/* ---------------------------------------------------------------------------------------
 * 6. HOST API
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

static inline void lindperf__atfork_prepare(void) { pthread_mutex_lock(&lindperf__lock); }
static inline void lindperf__atfork_release(void) { pthread_mutex_unlock(&lindperf__lock); }

LINDPERF__COLD static void lindperf__init_locked(void)
{
    lindperf__globals *g = &lindperf__g;
    if (g->initialized)
        return;
    g->initialized = 1;
    size_t n = (size_t)(__stop_lindperf_counters - __start_lindperf_counters);
    if (!__start_lindperf_counters)
        n = 0;
    g->counters = (lindperf_counter **)calloc(n + 1, sizeof *g->counters);
    g->stats = (lindperf__stats *)calloc(n + 1, sizeof *g->stats);
    if (!g->counters || !g->stats) {
        fprintf(stderr, "lindperf: out of memory for %zu counters; nothing will be measured\n", n);
        n = 0;
    }
    for (size_t i = 0; i < n; i++)
        g->counters[i] = __start_lindperf_counters[i];
    qsort(g->counters, n, sizeof *g->counters, lindperf__counter_order);
    for (size_t i = 0; i < n; i++) {
        g->counters[i]->index = (uint32_t)i;
        for (size_t j = 0; j < i; j++)
            if (strcmp(g->counters[i]->name, g->counters[j]->name) == 0)
                fprintf(stderr, "lindperf: two counters are named %s (%s:%d and %s:%d); "
                        "give one of them another name\n", g->counters[i]->name,
                        g->counters[j]->file, g->counters[j]->line,
                        g->counters[i]->file, g->counters[i]->line);
    }
    g->count = n;
    pthread_once(&lindperf__exit_key_once, lindperf__make_exit_key);
    pthread_atfork(lindperf__atfork_prepare, lindperf__atfork_release, lindperf__atfork_release);
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
    for (uint32_t i = 0; i < lindperf__g.count && i < LINDPERF__REACH; i++) {
        lindperf__slot *from = lindperf__slot_of(t, i), *to = &lindperf__g.stats[i].retired;
        to->calls = lindperf__saturating_add(to->calls, lindperf__load(&from->calls));
        to->total = lindperf__saturating_add(to->total, lindperf__load(&from->total));
    }
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
    lindperf__slot sum;
    sum.calls = lindperf__saturating_add(st->retired.calls, lindperf__load(&st->overflow.calls));
    sum.total = lindperf__saturating_add(st->retired.total, lindperf__load(&st->overflow.total));
    for (lindperf__thread *t = lindperf__first_thread(); t; t = t->next) {
        const lindperf__slot *slot = lindperf__slot_of(t, i);
        if (!slot)
            continue;
        sum.calls = lindperf__saturating_add(sum.calls, lindperf__load(&slot->calls));
        sum.total = lindperf__saturating_add(sum.total, lindperf__load(&slot->total));
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

static inline void lindperf_set_timer(lindperf_timer t);

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

static inline void lindperf__set_modes(const lindperf_counter *only, unsigned only_mode, unsigned others)
{
    lindperf__init();
    for (size_t i = 0; i < lindperf__g.count; i++) {
        lindperf_counter *c = lindperf__g.counters[i];
        __atomic_store_n(&c->mode, (unsigned char)(c == only ? only_mode : others), __ATOMIC_RELEASE);
    }
}

static inline void lindperf_enable_only(const lindperf_counter *c)
{
    lindperf__set_modes(c, c ? lindperf__live_mode() : 0, 0);
}

/* Every counter notes that it was reached and which scope enclosed it; none is timed. */
static inline void lindperf_enable_discovery(void)
{
    lindperf__init();
    pthread_mutex_lock(&lindperf__lock);
    size_t n = lindperf__g.count;
    if (!lindperf__g.parent_votes && n)
        lindperf__g.parent_votes = (uint64_t *)calloc(n * (n + 1), sizeof(uint64_t));
    else if (n)   /* a scope of the last discovery run may still be voting: atomic stores */
        for (size_t i = 0; i < n * (n + 1); i++)
            __atomic_store_n(&lindperf__g.parent_votes[i], 0, LINDPERF__RELAXED);
    for (size_t i = 0; i < n; i++)
        __atomic_store_n(&lindperf__g.stats[i].reached, 0, LINDPERF__RELAXED);
    pthread_mutex_unlock(&lindperf__lock);
    lindperf__set_modes(NULL, 0, LINDPERF__MODE_DISCOVER);
}

static inline void lindperf_reset_all(void)
{
    lindperf__init();
    pthread_mutex_lock(&lindperf__lock);
    for (uint32_t i = 0; i < lindperf__g.count; i++) {
        lindperf__stats *st = &lindperf__g.stats[i];
        st->baseline.calls = 0;
        st->baseline.total = 0;
        st->baseline = lindperf__sum_locked(i);
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
    pthread_mutex_unlock(&lindperf__lock);
}

/* Reading one counter. */
static inline size_t lindperf_counter_count(void)
{
    lindperf__init();
    return lindperf__g.count;
}

static inline const lindperf_counter *lindperf_counter_at(size_t i)
{
    return i < lindperf_counter_count() ? lindperf__g.counters[i] : NULL;
}

static inline const lindperf_counter *lindperf_find(const char *full_name)
{
    size_t n = lindperf_counter_count();   /* once: each call takes the registry lock */
    for (size_t i = 0; full_name && i < n; i++)
        if (strcmp(lindperf__g.counters[i]->name, full_name) == 0)
            return lindperf__g.counters[i];
    return NULL;
}

static inline const char *lindperf_counter_name(const lindperf_counter *c) { return c ? c->name : NULL; }
static inline const char *lindperf_counter_module(const lindperf_counter *c) { return c ? c->module : NULL; }

static inline lindperf__slot lindperf__sum(const lindperf_counter *c)
{
    lindperf__slot sum = {0, 0};
    if (!c)
        return sum;
    lindperf__init();
    pthread_mutex_lock(&lindperf__lock);
    sum = lindperf__sum_locked(c->index);
    pthread_mutex_unlock(&lindperf__lock);
    return sum;
}

static inline uint64_t lindperf_counter_calls(const lindperf_counter *c) { return lindperf__sum(c).calls; }
static inline uint64_t lindperf_counter_total(const lindperf_counter *c) { return lindperf__sum(c).total; }

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
    lindperf__distribution_locked(c->index, h);
    pthread_mutex_unlock(&lindperf__lock);
    uint64_t v = lindperf__percentile_of(h, p);
    free(h);
    return v;
}

static inline uint64_t lindperf_counter_min(const lindperf_counter *c) { return lindperf__distribution_stat(c, 0); }
static inline uint64_t lindperf_counter_max(const lindperf_counter *c) { return lindperf__distribution_stat(c, 100); }
static inline uint64_t lindperf_counter_percentile(const lindperf_counter *c, double p)
{
    return lindperf__distribution_stat(c, p);
}

static inline int lindperf_counter_reached(const lindperf_counter *c)
{
    return c && lindperf_counter_count() && __atomic_load_n(&lindperf__g.stats[c->index].reached, LINDPERF__RELAXED);
}

/* The counter whose scope most often enclosed c's in the discovery run. */
static inline const lindperf_counter *lindperf_counter_parent(const lindperf_counter *c)
{
    if (!c || !lindperf_counter_count() || !lindperf__g.parent_votes)
        return NULL;
    size_t n = lindperf__g.count;
    const uint64_t *votes = &lindperf__g.parent_votes[(size_t)c->index * (n + 1)];
    size_t best = n;
    for (size_t p = 0; p <= n; p++)
        if (__atomic_load_n(&votes[p], LINDPERF__RELAXED) > __atomic_load_n(&votes[best], LINDPERF__RELAXED))
            best = p;
    return best < n ? lindperf__g.counters[best] : NULL;
}

/* Timers, their frequency and their floor. */
static inline double lindperf_tsc_hz(void)
{
    pthread_mutex_lock(&lindperf__calibration_lock);
    if (lindperf__g.tsc_hz == 0 && lindperf__tsc_available()) {
        const char *source = NULL;
        double hz = lindperf__tsc_hz_reported(&source);
        if (hz <= 0) {
            hz = lindperf__tsc_hz_calibrated();
            source = "calibrated against CLOCK_MONOTONIC in 20 ms";
        }
        lindperf__g.tsc_hz_source = source;
        lindperf__g.tsc_hz = hz;
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
static inline double lindperf_empty_scope(lindperf_timer t)
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

static inline void lindperf__update_net_floor(void);

/* On a shared machine the cost of a timer read drifts by up to 30% for milliseconds at a
 * time, so lindperf_run_each measures the floor again before every timed run, for that run. */
static inline double lindperf_calibrate(lindperf_timer t)
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

static inline void lindperf__update_net_floor(void)
{
    uint64_t floor = 0;
    if (lindperf__g.net && lindperf__g.timer != LINDPERF_OFF)
        floor = (uint64_t)(lindperf_empty_scope(lindperf__g.timer) + 0.5);
    __atomic_store_n(&lindperf__g.net_floor, floor, LINDPERF__RELAXED);
}

static inline void lindperf_set_timer(lindperf_timer t)
{
    if (t == LINDPERF_TSC && !lindperf__tsc_available()) {
        fprintf(stderr, "lindperf: this CPU has no usable timestamp counter (rdtsc and rdtscp); "
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

static inline void lindperf_set_net(int on)
{
    lindperf__g.net = on != 0;
    lindperf__update_net_floor();
}

static inline void lindperf_set_detail(int on) { lindperf__g.detail = on != 0; }
static inline void lindperf_set_tree(int on) { lindperf__g.tree = on != 0; }

/* The strings must outlive the report; the array itself is copied. NULL: no order. */
static inline void lindperf_set_module_order(const char *const *modules, size_t n)
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

/* Snapshot: every figure a report needs, taken at once under the lock. */
typedef struct lindperf__row {
    const lindperf_counter *counter;
    uint64_t calls, total;          /* total is UINT64_MAX when it saturated */
    uint64_t min, p50, p99, max;    /* valid when has_distribution */
    int has_distribution;
    int reached, timed;
    double floor;                   /* the floor of the counter's own run, in the unit */
    long parent;                    /* row index of the parent, or -1 */
} lindperf__row;

typedef struct lindperf__snapshot {
    lindperf_timer timer;
    int net, detail, tree;
    double floor;                   /* in the timer's unit; 0 when not measured */
    double floor_low, floor_high;   /* over the timed runs, which measure their own */
    double tsc_hz;                  /* 0 when not known */
    const char *tsc_hz_source;
    size_t count;
    lindperf__row *rows;            /* in report order */
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
    size_t rx = lindperf__module_rank(x->counter->module), ry = lindperf__module_rank(y->counter->module);
    if (rx != ry)
        return rx < ry ? -1 : 1;
    return (x->counter->index > y->counter->index) - (x->counter->index < y->counter->index);
}

/* NULL when out of memory. Free with lindperf__snapshot_free. */
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
    s->timer = lindperf__g.timer;
    s->net = lindperf__g.net;
    s->detail = lindperf__g.detail;
    s->tree = lindperf__g.tree;
    s->floor = lindperf__g.timer != LINDPERF_OFF ? lindperf_empty_scope(lindperf__g.timer) : 0;
    s->tsc_hz = s->timer == LINDPERF_TSC ? lindperf_tsc_hz() : 0;
    s->tsc_hz_source = s->tsc_hz > 0 ? lindperf__g.tsc_hz_source : NULL;
    s->count = n;
    s->rows = rows;

    pthread_mutex_lock(&lindperf__lock);
    for (uint32_t i = 0; i < n; i++) {
        lindperf__slot sum = lindperf__sum_locked(i);
        lindperf__distribution_locked(i, h);
        rows[i].counter = lindperf__g.counters[i];
        rows[i].calls = sum.calls;
        rows[i].total = sum.total;
        rows[i].has_distribution = h->count > 0;
        rows[i].min = lindperf__percentile_of(h, 0);
        rows[i].p50 = lindperf__percentile_of(h, 50);
        rows[i].p99 = lindperf__percentile_of(h, 99);
        rows[i].max = lindperf__percentile_of(h, 100);
        rows[i].reached = (int)__atomic_load_n(&lindperf__g.stats[i].reached, LINDPERF__RELAXED);
        rows[i].timed = (int)lindperf__g.stats[i].timed;
        rows[i].floor = lindperf__g.stats[i].floor > 0 ? lindperf__g.stats[i].floor : s->floor;
    }
    pthread_mutex_unlock(&lindperf__lock);
    free(h);

    s->floor_low = s->floor_high = s->floor;
    for (size_t i = 0, first = 1; i < n; i++) {
        if (!rows[i].timed || !rows[i].calls)
            continue;
        if (first || rows[i].floor < s->floor_low)
            s->floor_low = rows[i].floor;
        if (first || rows[i].floor > s->floor_high)
            s->floor_high = rows[i].floor;
        first = 0;
    }

    qsort(rows, n, sizeof *rows, lindperf__row_order);
    for (size_t i = 0; i < n; i++) {
        const lindperf_counter *parent = lindperf_counter_parent(rows[i].counter);
        rows[i].parent = -1;
        for (size_t j = 0; parent && j < n; j++)
            if (rows[j].counter == parent)
                rows[i].parent = (long)j;
    }
    return s;
}

static inline void lindperf__snapshot_free(lindperf__snapshot *s)
{
    if (s)
        free(s->rows);
    free(s);
}

static inline double lindperf__avg(const lindperf__row *r)
{
    return r->calls ? (double)r->total / (double)r->calls : 0;
}

/* Text: a value in the timer's unit, scaled to three decimals: "94.274ns", "12.500Mcyc". */
static inline void lindperf__format_value(char *buf, size_t size, double v, lindperf_timer timer)
{
    static const char *const time_units[] = {"ns", "\xc2\xb5s", "ms", "s"};
    static const char *const cycle_units[] = {"cyc", "Kcyc", "Mcyc", "Gcyc", "Tcyc"};
    const char *const *units = timer == LINDPERF_TSC ? cycle_units : time_units;
    size_t last = timer == LINDPERF_TSC ? 4 : 3;
    size_t u = 0;
    while (u < last && v >= 999.9995) {   /* what would print as 1000.000 moves up a unit */
        v /= 1000;
        u++;
    }
    snprintf(buf, size, "%.3f%s", v, units[u]);
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

/* "--------LIND-BOOT--------": the title centred, the odd dash on the right. */
static inline void lindperf__put_section(FILE *out, const char *title,
                                         const char *third, const char *fourth, int detail)
{
    size_t width = detail ? LINDPERF_REPORT_WIDTH_DETAIL : LINDPERF_REPORT_WIDTH, len = strlen(title);
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
    fputc('\n', out);
    lindperf__put_rule(out, width);
}

static inline void lindperf__put_detail(FILE *out, const lindperf__snapshot *s, const lindperf__row *r)
{
    if (!s->detail)
        return;
    lindperf__put_value(out, s, (double)r->min, r->has_distribution);
    lindperf__put_value(out, s, (double)r->p50, r->has_distribution);
    lindperf__put_value(out, s, (double)r->p99, r->has_distribution);
    lindperf__put_value(out, s, (double)r->max, r->has_distribution);
}

static inline void lindperf__put_row(FILE *out, const lindperf__snapshot *s, const lindperf__row *r)
{
    lindperf__put_cell(out, r->counter->name, LINDPERF_NAME_WIDTH, 0);
    fprintf(out, " %*llu", LINDPERF_CALLS_WIDTH, (unsigned long long)r->calls);
    if (r->total == UINT64_MAX) {
        fprintf(out, " %*s %*s", LINDPERF_VALUE_WIDTH, "saturated", LINDPERF_VALUE_WIDTH, "saturated");
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
        fprintf(out, "timer: tsc %.3f GHz (%s); empty scope ", s->tsc_hz / 1e9,
                s->tsc_hz_source ? s->tsc_hz_source : "unknown");
        lindperf__put_floor(out, s->floor_low, s->floor_high, 1);
        fputs(" cycles = ", out);
        lindperf__put_floor(out, s->floor_low, s->floor_high, s->tsc_hz > 0 ? 1e9 / s->tsc_hz : 0);
        fputs(" ns", out);
    }
    fprintf(out, "; figures %s\n", s->net ? "net (the empty scope subtracted)" : "gross");
}

/* The call path compares counters measured in different runs, so it works on net times:
 * in a gross run, a child called a million times pays the timer floor a million times, and
 * subtracting gross totals would pile every layer's floors onto the leaves. A net run has
 * subtracted the floor interval by interval already; a gross one loses calls x floor. */
static inline double lindperf__net_total(const lindperf__snapshot *s, const lindperf__row *r)
{
    double total = (double)r->total - (s->net ? 0 : r->floor * (double)r->calls);
    return total > 0 ? total : 0;
}

/* Self time: a counter's net total less its children's, never below zero. */
static inline double lindperf__self_total(const lindperf__snapshot *s, size_t i)
{
    double self = lindperf__net_total(s, &s->rows[i]);
    for (size_t j = 0; j < s->count; j++)
        if (s->rows[j].parent == (long)i && s->rows[j].calls)
            self -= lindperf__net_total(s, &s->rows[j]);
    return self > 0 ? self : 0;
}

static inline void lindperf__put_tree_node(FILE *out, const lindperf__snapshot *s, size_t i,
                                           size_t depth, char *shown)
{
    const lindperf__row *r = &s->rows[i];
    shown[i] = 1;
    char name[LINDPERF_NAME_WIDTH * 4 + 1];
    size_t indent = depth * 2 < LINDPERF_NAME_WIDTH / 2 ? depth * 2 : LINDPERF_NAME_WIDTH / 2;
    snprintf(name, sizeof name, "%*s%s", (int)indent, "", r->counter->name);
    lindperf__put_cell(out, name, LINDPERF_NAME_WIDTH, 0);
    fprintf(out, " %*llu", LINDPERF_CALLS_WIDTH, (unsigned long long)r->calls);
    lindperf__put_value(out, s, lindperf__net_total(s, r) / (double)r->calls, 1);
    lindperf__put_value(out, s, lindperf__self_total(s, i) / (double)r->calls, 1);
    fputc('\n', out);
    for (size_t j = 0; j < s->count; j++)
        if (s->rows[j].parent == (long)i && s->rows[j].calls && !shown[j])
            lindperf__put_tree_node(out, s, j, depth + 1, shown);
}

/* Each counter under the one whose scope most often enclosed it, with its net average and
 * its self time per call, in the base width even under --perf-detail. A parent that was not timed leaves its children at the top; a
 * cycle (recursion) is broken where the second pass meets it. */
static inline void lindperf__put_tree(FILE *out, const lindperf__snapshot *s)
{
    char *shown = (char *)calloc(s->count + 1, 1);
    if (!shown)
        return;
    lindperf__put_section(out, "CALL PATH (NET)", "avg", "self", 0);
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < s->count; i++) {
            const lindperf__row *r = &s->rows[i];
            int is_root = r->parent < 0 || s->rows[r->parent].calls == 0;
            if (r->calls && !shown[i] && (is_root || pass == 1))
                lindperf__put_tree_node(out, s, i, 0, shown);
        }
    }
    fputc('\n', out);
    free(shown);
}

/* "never reached: a, b" and its kin, one line each, for instrumentation that saw no call. */
static inline void lindperf__put_unreached(FILE *out, const lindperf__snapshot *s, const char *label,
                                           int reached, int timed)
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
            lindperf__put_section(out, module, "total", "avg", s->detail);
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
    lindperf__put_unreached(out, s, "reached only in the discovery run: ", 1, 1);
    lindperf__put_unreached(out, s, "not timed (left out by --perf-only): ", 1, 0);
    return lindperf__finish(out);
}

static inline int lindperf__with_snapshot(FILE *out, int (*write)(FILE *, const lindperf__snapshot *))
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

static inline int lindperf_report(FILE *out)
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

    fprintf(out, "{\n  \"schema\": 1,\n  \"timer\": \"%s\",\n  \"unit\": \"%s\",\n",
            s->timer == LINDPERF_TSC ? "tsc" : s->timer == LINDPERF_CLOCK ? "clock" : "off",
            s->timer == LINDPERF_TSC ? "cycles" : "ns");
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
    fprintf(out, "  \"net\": %s,\n  \"host\": ", s->net ? "true" : "false");
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
                (unsigned long long)r->total, r->total == UINT64_MAX ? "true" : "false", lindperf__avg(r));
        lindperf__json_number_or_null(out, "min", r->min, r->has_distribution);
        lindperf__json_number_or_null(out, "p50", r->p50, r->has_distribution);
        lindperf__json_number_or_null(out, "p99", r->p99, r->has_distribution);
        lindperf__json_number_or_null(out, "max", r->max, r->has_distribution);
        fprintf(out, ", \"empty_scope\": %.3f, \"parent\": ", r->floor);
        lindperf__json_string(out, r->parent >= 0 ? s->rows[r->parent].counter->name : NULL);
        fputc('}', out);
        separator = ",\n";
    }
    fputs("\n  ]\n}\n", out);
    return lindperf__finish(out);
}

static inline int lindperf_write_json(FILE *out)
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

static inline int lindperf_write_csv(FILE *out)
{
    return lindperf__with_snapshot(out, lindperf__csv_snapshot);
}

static inline int lindperf__write_file(const char *path, int (*write)(FILE *))
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

static inline int lindperf_try_parse_args(int *argc, char **argv, lindperf_timer *timer, char *why,
                                          size_t why_size)
{
    lindperf__options o;
    if (lindperf__parse_vector(argc, argv, &o, why, why_size) != 0)
        return -1;
    if (o.timer == LINDPERF_TSC && !lindperf__tsc_available())
        return lindperf__option_error(why, why_size, "lindperf: %s needs a timestamp counter (rdtsc "
                                      "and rdtscp), and this CPU has none; use --perf", o.timer_flag);
    for (size_t i = 0; i < o.only_count; i++)
        if (!lindperf__glob_matches_a_counter(o.only[i]))
            return lindperf__option_error(why, why_size, "lindperf: --perf-only=%s matches no "
                                          "counter; patterns match module::name, as in 'threei::*'",
                                          o.only[i]);
    lindperf__remember_command_line(*argc, argv);
    lindperf__remove_flags(argc, argv);
    lindperf__g.json_path = o.json_path;
    lindperf__g.csv_path = o.csv_path;
    memcpy(lindperf__g.only_globs, o.only, sizeof o.only);
    lindperf__g.only_count = o.only_count;
    lindperf_set_detail(o.detail);
    lindperf_set_tree(o.tree);
    lindperf_set_net(o.net);
    *timer = o.timer;
    return 0;
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

/* One line on a terminal, rewritten in place: the discovery run, then "run i/n: name", then
 * nothing once the runs are over. */
static inline void lindperf__progress(int shown, const char *counter, size_t run, size_t runs)
{
    if (!shown)
        return;
    if (counter)
        fprintf(stderr, "\rlindperf: run %zu/%zu: %s\033[K", run, runs, counter);
    else if (runs)
        fputs("\rlindperf: discovery run: finding the counters the workload reaches\033[K", stderr);
    else
        fputs("\r\033[K", stderr);
    fflush(stderr);
}

static inline int lindperf_run_each(lindperf_timer t, int (*workload)(void *arg), void *arg, FILE *out)
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
    for (size_t i = 0; i < lindperf__g.count; i++) {
        lindperf__g.stats[i].timed = 0;
        lindperf__g.stats[i].floor = 0;
    }

    int shown = isatty(STDERR_FILENO), status = 0;
    size_t runs = 0, run = 0;
    lindperf__progress(shown, NULL, 0, 1);
    lindperf_enable_discovery();
    status = workload(arg);
    lindperf_enable_only(NULL);

    for (size_t i = 0; i < lindperf__g.count; i++)
        runs += lindperf__g.stats[i].reached && lindperf__selected(lindperf__g.counters[i]);
    for (size_t i = 0; i < lindperf__g.count; i++) {
        lindperf_counter *c = lindperf__g.counters[i];
        if (!lindperf__g.stats[i].reached || !lindperf__selected(c))
            continue;
        lindperf__progress(shown, c->name, ++run, runs);
        lindperf__g.stats[i].timed = 1;
        lindperf__g.stats[i].floor = lindperf_calibrate(t);
        lindperf_enable_only(c);
        int run_status = workload(arg);
        lindperf_enable_only(NULL);
        if (!status)
            status = run_status;
    }
    lindperf__progress(shown, NULL, 0, 0);

    int written = lindperf_report(out);
    if (written != 0)
        fprintf(stderr, "lindperf: writing the report failed: %s\n", strerror(errno));
    if (lindperf__g.json_path && lindperf__write_file(lindperf__g.json_path, lindperf_write_json) != 0)
        written = -1;
    if (lindperf__g.csv_path && lindperf__write_file(lindperf__g.csv_path, lindperf_write_csv) != 0)
        written = -1;
    return status ? status : written;
}

#else /* !LIND_PERF */

/* ---------------------------------------------------------------------------------------
 * 7. THE DISABLED TWINS
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

static inline int lindperf_try_parse_args(int *argc, char **argv, lindperf_timer *timer, char *why,
                                          size_t why_size)
{
    lindperf__options o;
    *timer = LINDPERF_OFF;
    if (lindperf__parse_vector(argc, argv, &o, why, why_size) != 0)
        return -1;
    if (o.first_flag)
        return lindperf__option_error(why, why_size, "lindperf: %s needs a build with -DLIND_PERF, "
                                      "and this program was built without it; rebuild it with "
                                      "-DLIND_PERF, or drop the flag", o.first_flag);
    return 0;
}

static inline int lindperf_run_each(lindperf_timer t, int (*workload)(void *arg), void *arg, FILE *out)
{
    (void)t;
    (void)out;
    return workload ? workload(arg) : -1;
}

static inline void lindperf_set_timer(lindperf_timer t) { (void)t; }
static inline void lindperf_set_net(int on) { (void)on; }
static inline void lindperf_set_detail(int on) { (void)on; }
static inline void lindperf_set_tree(int on) { (void)on; }
static inline void lindperf_set_module_order(const char *const *modules, size_t n) { (void)modules; (void)n; }
static inline void lindperf_reset_all(void) {}
static inline void lindperf_enable_only(const lindperf_counter *c) { (void)c; }
static inline void lindperf_enable_discovery(void) {}
static inline size_t lindperf_counter_count(void) { return 0; }
static inline const lindperf_counter *lindperf_counter_at(size_t i) { (void)i; return NULL; }
static inline const lindperf_counter *lindperf_find(const char *full_name) { (void)full_name; return NULL; }
static inline const char *lindperf_counter_name(const lindperf_counter *c) { (void)c; return NULL; }
static inline const char *lindperf_counter_module(const lindperf_counter *c) { (void)c; return NULL; }
static inline uint64_t lindperf_counter_calls(const lindperf_counter *c) { (void)c; return 0; }
static inline uint64_t lindperf_counter_total(const lindperf_counter *c) { (void)c; return 0; }
static inline uint64_t lindperf_counter_min(const lindperf_counter *c) { (void)c; return 0; }
static inline uint64_t lindperf_counter_max(const lindperf_counter *c) { (void)c; return 0; }
static inline uint64_t lindperf_counter_percentile(const lindperf_counter *c, double p) { (void)c; (void)p; return 0; }
static inline int lindperf_counter_reached(const lindperf_counter *c) { (void)c; return 0; }
static inline const lindperf_counter *lindperf_counter_parent(const lindperf_counter *c) { (void)c; return NULL; }
static inline double lindperf_tsc_hz(void) { return 0; }
static inline double lindperf_empty_scope(lindperf_timer t) { (void)t; return 0; }
static inline double lindperf_calibrate(lindperf_timer t) { (void)t; return 0; }
static inline int lindperf_report(FILE *out) { (void)out; return 0; }
static inline int lindperf_write_json(FILE *out) { (void)out; return 0; }
static inline int lindperf_write_csv(FILE *out) { (void)out; return 0; }

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
