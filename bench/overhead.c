/* What a scope costs: lindperf's hot path side by side with the timer reads alone and with
 * a replica of the reference design (lind-perf), in one process, for both timers.
 *
 *   make bench-overhead
 *
 * Each case runs SCOPES scopes in a loop timed with CLOCK_MONOTONIC, REPETITIONS times;
 * the figure is the median, in nanoseconds per scope, with nothing subtracted. The cases
 * take turns within each repetition, so a slow stretch of a shared machine hits them all
 * alike and the ratios stay fair. Output, one figure a line:
 *
 *   overhead <clock|tsc> <case> <ns per scope>
 *   ratio <clock|tsc> <name> <value>
 *   inactive_ns <clock|tsc> <ns>
 *
 * Cases: raw (two back-to-back timer reads, the library's own), active (an empty
 * LINDPERF_SCOPE on the live counter), inactive (the same scope, another counter live),
 * baseline (the reference scope), threads2 and baseline_threads2 (two threads on CPUs 0
 * and 1 timing one counter), detail (active under lindperf_set_detail(1)), and for the
 * comparison raw_unfenced (tsc: rdtsc twice without fences), raw_monotonic_raw (clock: the
 * reference's clock id) and raw_threads2 (the bare reads on two threads at once: what the
 * platform itself loses when both CPUs read the timer).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LINDPERF_IMPLEMENTATION   /* the benchmark is the program: the library's code, once */
#include "lindperf.h"

#ifndef LIND_PERF
#error "bench/overhead.c measures the instrumentation: build it with -DLIND_PERF (make \
bench-overhead)"
#endif

#define SCOPES 1000000
/* A shared machine: more turns, so one slow stretch cannot be the median. */
#define REPETITIONS 15
#define WARM_UP_SCOPES 10000

LINDPERF_COUNTER(bench, measured);
LINDPERF_COUNTER(bench, bystander);

/* The same barrier in every loop body: the compiler must assume memory changed, so it can
 * neither drop the loop nor merge iterations. */
#define LOOP_BARRIER() __asm__ __volatile__("" : : : "memory")

static uint64_t wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- The reference design, replicated: lind-perf's Counter, scope() and its drop. ---- */

enum { REFERENCE_RDTSC = 0, REFERENCE_CLOCK = 1 };

static struct {
    _Atomic uint64_t cycles;
    _Atomic uint64_t calls;
    _Atomic _Bool enabled;
    _Atomic uint8_t timer;
} reference_counter;

static inline uint64_t reference_clock_now(void)
{
    struct timespec ts;
    if (__builtin_expect(clock_gettime(CLOCK_MONOTONIC_RAW, &ts) != 0, 0))
        abort();
    uint64_t ns;
    if (__builtin_mul_overflow((uint64_t)ts.tv_sec, 1000000000u, &ns))
        ns = UINT64_MAX;
    return ns + (uint64_t)ts.tv_nsec < ns ? UINT64_MAX : ns + (uint64_t)ts.tv_nsec;
}

static inline uint64_t reference_read_start(uint8_t timer)
{
#if defined(__x86_64__)
    if (timer == REFERENCE_RDTSC) {
        uint32_t lo, hi;
        __asm__ __volatile__("lfence\n\trdtsc" : "=a"(lo), "=d"(hi) : : "memory");
        return (uint64_t)hi << 32 | lo;
    }
#endif
    (void)timer;
    return reference_clock_now();
}

static inline uint64_t reference_read_end(uint8_t timer)
{
#if defined(__x86_64__)
    if (timer == REFERENCE_RDTSC) {
        uint32_t lo, hi;
        __asm__ __volatile__("rdtscp\n\tlfence" : "=a"(lo), "=d"(hi) : : "ecx", "memory");
        return (uint64_t)hi << 32 | lo;
    }
#endif
    (void)timer;
    return reference_clock_now();
}

static inline uint64_t reference_start(void)
{
    if (atomic_load_explicit(&reference_counter.enabled, memory_order_relaxed))
        return reference_read_start(
            atomic_load_explicit(&reference_counter.timer, memory_order_relaxed));
    return 0;
}

static inline void reference_record(uint64_t start)
{
    if (atomic_load_explicit(&reference_counter.enabled, memory_order_relaxed)) {
        uint64_t end = reference_read_end(
            atomic_load_explicit(&reference_counter.timer, memory_order_relaxed));
        uint64_t elapsed = end > start ? end - start : 0;
        atomic_fetch_add_explicit(&reference_counter.cycles, elapsed, memory_order_relaxed);
        atomic_fetch_add_explicit(&reference_counter.calls, 1, memory_order_relaxed);
    }
}

/* ---- The loops. Each returns its wall time for n scopes. raw calls the header's private
 * timer reads on purpose: it must read the timer exactly as a scope does, whatever the
 * header makes of that in the future. ---- */

static uint64_t loop_raw(lindperf_timer timer, long n)
{
    uint64_t sum = 0, t0 = wall_ns();
    if (timer == LINDPERF_TSC) {
        for (long i = 0; i < n; i++) {
            uint64_t start = lindperf__tsc_begin();
            sum += lindperf__tsc_end() - start;
            LOOP_BARRIER();
        }
    } else {
        for (long i = 0; i < n; i++) {
            uint64_t start = lindperf__clock_now();
            sum += lindperf__clock_now() - start;
            LOOP_BARRIER();
        }
    }
    uint64_t t1 = wall_ns();
    lindperf_black_box(&sum);
    return t1 - t0;
}

static uint64_t loop_raw_unfenced(lindperf_timer timer, long n)
{
    uint64_t sum = 0, t0 = wall_ns();
    for (long i = 0; i < n; i++) {
#if defined(__x86_64__) || defined(__i386__)
        uint64_t start = __builtin_ia32_rdtsc();
        sum += __builtin_ia32_rdtsc() - start;
#endif
        LOOP_BARRIER();
    }
    uint64_t t1 = wall_ns();
    (void)timer;
    lindperf_black_box(&sum);
    return t1 - t0;
}

static uint64_t loop_raw_monotonic_raw(lindperf_timer timer, long n)
{
    uint64_t sum = 0, t0 = wall_ns();
    for (long i = 0; i < n; i++) {
        uint64_t start = reference_clock_now();
        sum += reference_clock_now() - start;
        LOOP_BARRIER();
    }
    uint64_t t1 = wall_ns();
    (void)timer;
    lindperf_black_box(&sum);
    return t1 - t0;
}

/* active, inactive and detail differ only in what the host enabled before the loop. */
static uint64_t loop_scope(lindperf_timer timer, long n)
{
    (void)timer;
    uint64_t t0 = wall_ns();
    for (long i = 0; i < n; i++) {
        LINDPERF_SCOPE(bench, measured);
        LOOP_BARRIER();
    }
    return wall_ns() - t0;
}

static uint64_t loop_baseline(lindperf_timer timer, long n)
{
    (void)timer;
    uint64_t t0 = wall_ns();
    for (long i = 0; i < n; i++) {
        uint64_t start = reference_start();
        LOOP_BARRIER();
        reference_record(start);
    }
    return wall_ns() - t0;
}

/* ---- Pinning and the two-thread cases. ---- */

static int cpus[2];
static int cpu_count;     /* how many of cpus[] we may pin to: 0, 1 or 2 */

static void find_cpus(void)
{
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0)
        return;
    for (int c = 0; c < CPU_SETSIZE && cpu_count < 2; c++)
        if (CPU_ISSET(c, &allowed))
            cpus[cpu_count++] = c;
}

static int pin_to(int which)
{
    if (which >= cpu_count)
        return -1;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpus[which], &one);
    return sched_setaffinity(0, sizeof one, &one);
}

typedef uint64_t (*loop_fn)(lindperf_timer, long);

typedef struct worker {
    pthread_t thread;
    int cpu_index;
    loop_fn loop;
    lindperf_timer timer;
    long scopes;
    pthread_barrier_t *start_line;
    uint64_t elapsed;
} worker;

static void *run_worker(void *arg)
{
    worker *w = (worker *)arg;
    pin_to(w->cpu_index);
    w->loop(w->timer, WARM_UP_SCOPES);   /* the thread's table is made here, not in the timing */
    pthread_barrier_wait(w->start_line);
    w->elapsed = w->loop(w->timer, w->scopes);
    return NULL;
}

/* Both threads start together; the figure is the slower thread's time per scope. */
static uint64_t two_threads(loop_fn loop, lindperf_timer timer, long n)
{
    pthread_barrier_t start_line;
    worker w[2];
    pthread_barrier_init(&start_line, NULL, 2);
    for (int i = 0; i < 2; i++) {
        w[i] = (worker){.cpu_index = i, .loop = loop, .timer = timer, .scopes = n,
                        .start_line = &start_line};
        if (pthread_create(&w[i].thread, NULL, run_worker, &w[i]) != 0) {
            fprintf(stderr, "lindperf: bench-overhead could not start a thread\n");
            exit(1);
        }
    }
    for (int i = 0; i < 2; i++)
        pthread_join(w[i].thread, NULL);
    pthread_barrier_destroy(&start_line);
    return w[0].elapsed > w[1].elapsed ? w[0].elapsed : w[1].elapsed;
}

static uint64_t loop_raw_threads2(lindperf_timer timer, long n)
{
    return two_threads(loop_raw, timer, n);
}

static uint64_t loop_threads2(lindperf_timer timer, long n)
{
    return two_threads(loop_scope, timer, n);
}

static uint64_t loop_baseline_threads2(lindperf_timer timer, long n)
{
    return two_threads(loop_baseline, timer, n);
}

/* ---- The cases, and what each enables first. ---- */

enum setup { SETUP_NONE, SETUP_ACTIVE, SETUP_INACTIVE, SETUP_DETAIL, SETUP_REFERENCE };

typedef struct bench_case {
    const char *name;
    loop_fn loop;
    enum setup setup;
    lindperf_timer only_for;    /* LINDPERF_OFF: both timers */
    double samples[REPETITIONS];
    double median;
} bench_case;

static bench_case cases[] = {
    {"raw", loop_raw, SETUP_NONE, LINDPERF_OFF, {0}, 0},
    {"raw_unfenced", loop_raw_unfenced, SETUP_NONE, LINDPERF_TSC, {0}, 0},
    {"raw_monotonic_raw", loop_raw_monotonic_raw, SETUP_NONE, LINDPERF_CLOCK, {0}, 0},
    {"active", loop_scope, SETUP_ACTIVE, LINDPERF_OFF, {0}, 0},
    {"inactive", loop_scope, SETUP_INACTIVE, LINDPERF_OFF, {0}, 0},
    {"baseline", loop_baseline, SETUP_REFERENCE, LINDPERF_OFF, {0}, 0},
    {"threads2", loop_threads2, SETUP_ACTIVE, LINDPERF_OFF, {0}, 0},
    {"baseline_threads2", loop_baseline_threads2, SETUP_REFERENCE, LINDPERF_OFF, {0}, 0},
    {"raw_threads2", loop_raw_threads2, SETUP_NONE, LINDPERF_OFF, {0}, 0},
    {"detail", loop_scope, SETUP_DETAIL, LINDPERF_OFF, {0}, 0},
};
#define CASE_COUNT (sizeof cases / sizeof cases[0])

static void set_up(enum setup setup, lindperf_timer timer)
{
    lindperf_set_detail(setup == SETUP_DETAIL);
    lindperf_set_timer(timer);
    lindperf_reset_all();
    lindperf_enable_only(setup == SETUP_ACTIVE || setup == SETUP_DETAIL
                             ? lindperf_find("bench::measured")
                         : setup == SETUP_INACTIVE ? lindperf_find("bench::bystander")
                                                   : NULL);
    atomic_store(&reference_counter.cycles, 0);
    atomic_store(&reference_counter.calls, 0);
    atomic_store(&reference_counter.timer,
                 timer == LINDPERF_TSC ? REFERENCE_RDTSC : REFERENCE_CLOCK);
    atomic_store(&reference_counter.enabled, setup == SETUP_REFERENCE);
}

/* A case whose calls are not the scopes it ran measured something else: stop. */
static int is_threaded(const bench_case *c)
{
    return c->loop == loop_threads2 || c->loop == loop_baseline_threads2 ||
           c->loop == loop_raw_threads2;
}

static void check_recorded(const bench_case *c, lindperf_timer timer)
{
    uint64_t ran = is_threaded(c) ? 2 * (uint64_t)(SCOPES + WARM_UP_SCOPES) : SCOPES;
    uint64_t library = lindperf_counter_calls(lindperf_find("bench::measured"));
    uint64_t reference = atomic_load(&reference_counter.calls);
    int timed_by_library = c->setup == SETUP_ACTIVE || c->setup == SETUP_DETAIL;
    uint64_t want_library = timed_by_library ? ran : 0;
    uint64_t want_reference = c->setup == SETUP_REFERENCE ? ran : 0;
    if (library != want_library || reference != want_reference) {
        fprintf(stderr, "lindperf: bench-overhead: %s under %s recorded %llu calls (reference: "
                "%llu), not %llu (%llu); its figure would mean nothing\n", c->name,
                timer == LINDPERF_TSC ? "tsc" : "clock", (unsigned long long)library,
                (unsigned long long)reference, (unsigned long long)want_library,
                (unsigned long long)want_reference);
        exit(1);
    }
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median_of(const bench_case *c)
{
    double sorted[REPETITIONS];
    memcpy(sorted, c->samples, sizeof sorted);
    qsort(sorted, REPETITIONS, sizeof sorted[0], compare_doubles);
    return sorted[REPETITIONS / 2];
}

static const bench_case *find_case(const char *name)
{
    for (size_t i = 0; i < CASE_COUNT; i++)
        if (strcmp(cases[i].name, name) == 0)
            return &cases[i];
    return NULL;
}

static int applies(const bench_case *c, lindperf_timer timer)
{
    if (c->only_for != LINDPERF_OFF && c->only_for != timer)
        return 0;
#if !defined(__x86_64__) && !defined(__i386__)
    if (c->loop == loop_raw_unfenced)
        return 0;
#endif
    return 1;
}

static void measure(lindperf_timer timer)
{
    for (int rep = 0; rep < REPETITIONS; rep++) {
        for (size_t i = 0; i < CASE_COUNT; i++) {
            bench_case *c = &cases[i];
            if (!applies(c, timer))
                continue;
            set_up(c->setup, timer);
            if (!is_threaded(c))   /* the threads warm up themselves */
                c->loop(timer, WARM_UP_SCOPES);
            lindperf_reset_all();
            atomic_store(&reference_counter.calls, 0);
            uint64_t elapsed = c->loop(timer, SCOPES);
            check_recorded(c, timer);
            c->samples[rep] = (double)elapsed / SCOPES;
        }
    }
    set_up(SETUP_NONE, timer);
    for (size_t i = 0; i < CASE_COUNT; i++)
        if (applies(&cases[i], timer))
            cases[i].median = median_of(&cases[i]);
}

typedef struct results {
    double raw, active, inactive, baseline, threads2, baseline_threads2;
} results;

static results report(lindperf_timer timer, const char *name)
{
    for (size_t i = 0; i < CASE_COUNT; i++)
        if (applies(&cases[i], timer))
            printf("overhead %s %s %.2f\n", name, cases[i].name, cases[i].median);
    results r = {
        find_case("raw")->median, find_case("active")->median, find_case("inactive")->median,
        find_case("baseline")->median, find_case("threads2")->median,
        find_case("baseline_threads2")->median,
    };
    return r;
}

int main(void)
{
    static const lindperf_timer timers[] = {LINDPERF_CLOCK, LINDPERF_TSC};
    static const char *const timer_names[] = {"clock", "tsc"};
    results r[2];
    int measured[2] = {0, 0};

    find_cpus();
    if (pin_to(0) != 0)
        fprintf(stderr, "lindperf: bench-overhead could not pin itself to one CPU; "
                "the figures will be noisier\n");
    if (cpu_count < 2)
        fprintf(stderr, "lindperf: bench-overhead has one CPU; the two-thread cases share it\n");

    for (int t = 0; t < 2; t++) {
        if (timers[t] == LINDPERF_TSC && lindperf_tsc_hz() == 0) {
            fprintf(stderr, "lindperf: this CPU has no usable timestamp counter; "
                    "only the clock is measured\n");
            continue;
        }
        measure(timers[t]);
        r[t] = report(timers[t], timer_names[t]);
        measured[t] = 1;
    }
    for (int t = 0; t < 2; t++) {
        if (!measured[t])
            continue;
        printf("ratio %s active/raw %.3f\n", timer_names[t], r[t].active / r[t].raw);
        printf("ratio %s active/baseline %.3f\n", timer_names[t], r[t].active / r[t].baseline);
        printf("ratio %s threads2/active %.3f\n", timer_names[t], r[t].threads2 / r[t].active);
        printf("ratio %s baseline_threads2/threads2 %.3f\n", timer_names[t],
               r[t].baseline_threads2 / r[t].threads2);
    }
    for (int t = 0; t < 2; t++)
        if (measured[t])
            printf("inactive_ns %s %.2f\n", timer_names[t], r[t].inactive);
    return 0;
}
