/* The figures of `make bench-scale`: what lindperf costs in time and memory when a
 * program registers very many counters or runs very many threads. Linked with a
 * generated file of counters (bench/scale_counters.sh); bench/scale.sh runs each mode and
 * prints one line per figure.
 *
 *   scale startup      the registry's start-up: the first call that walks it
 *   scale discovery    memory of the registry, then of two discovery runs over every
 *                      counter (in nests of four, so that there are enclosures to record),
 *                      and how many of the enclosures each run found
 *   scale threads T    RSS with T live threads each timing one counter, and its part that
 *                      is lindperf's: the same threads before they timed anything
 *   scale failure      threads time their counters while mmap is refused (RLIMIT_AS):
 *                      their calls must still be exact, and the report must say so
 *
 * It uses two private functions, as bench/overhead.c does: a scope of a counter found at
 * run time (lindperf__scope_begin/end), and every counter live at once
 * (lindperf__set_modes), which no host needs but which makes each thread time its own. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define LINDPERF_IMPLEMENTATION   /* the benchmark is the program: the library's code, once */
#include "lindperf.h"

#ifndef LIND_PERF
#error "bench/scale.c measures the instrumentation: build it with -DLIND_PERF (make bench-scale)"
#endif

#define THREAD_STACK (128 * 1024)   /* what the threads need; RSS counts what they touch */
#define NEST 4

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A field of /proc/self/status in kB ("VmRSS", "VmHWM", "VmSize"), or -1. */
static long status_kb(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    size_t len = strlen(field);
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, field, len) == 0 && line[len] == ':')
            kb = strtol(line + len + 1, NULL, 10);
    if (f)
        fclose(f);
    return kb;
}

static double mb(long kb)
{
    return (double)kb / 1024.0;
}

static void scope_of(size_t i)
{
    lindperf_scope s = lindperf__scope_begin((lindperf_counter *)lindperf_counter_at(i));
    lindperf_black_box(&s);
    lindperf__scope_end(&s);
}

/* Every counter once, in nests of NEST: c0 encloses c1, which encloses c2, ... */
static void nests(size_t n)
{
    for (size_t first = 0; first < n; first += NEST) {
        lindperf_scope open[NEST];
        size_t depth = 0;
        for (; depth < NEST && first + depth < n; depth++)
            open[depth] =
                lindperf__scope_begin((lindperf_counter *)lindperf_counter_at(first + depth));
        while (depth-- > 0)
            lindperf__scope_end(&open[depth]);
    }
}

static int startup(void)
{
    double t0 = seconds_now();
    size_t n = lindperf_counter_count();
    double t1 = seconds_now();
    printf("startup: %zu registered counters: %.3f s to the first registry walk (target <= 1 s)\n",
           n, t1 - t0);
    return 0;
}

static int discovery(void)
{
    long hwm0 = status_kb("VmHWM"), size0 = status_kb("VmSize");
    size_t n = lindperf_counter_count();
    long hwm1 = status_kb("VmHWM"), size1 = status_kb("VmSize");
    printf("registry memory: %zu counters: +%.1f MB peak RSS, +%.1f MB address space\n", n,
           mb(hwm1 - hwm0), mb(size1 - size0));
    lindperf_set_timer(LINDPERF_CLOCK);
    long hwm = hwm1, size = size1;
    for (int run = 1; run <= 2; run++) {
        lindperf_enable_discovery();
        nests(n);
        lindperf_enable_only(NULL);
        size_t reached = 0, enclosed = 0, nested = 0;
        for (size_t i = 0; i < n; i++) {
            const lindperf_counter *c = lindperf_counter_at(i);
            reached += (size_t)lindperf_counter_reached(c);
            if (i % NEST) {
                nested++;
                enclosed += lindperf_counter_parent(c) == lindperf_counter_at(i - 1);
            }
        }
        long hwm_now = status_kb("VmHWM"), size_now = status_kb("VmSize");
        printf("discovery memory: %zu counters, run %d: +%.1f MB peak RSS, +%.1f MB address "
               "space (target <= 64 MB); %zu of %zu counters reached, %zu of %zu enclosures "
               "found\n", n, run, mb(hwm_now - hwm), mb(size_now - size), reached, n, enclosed,
               nested);
        hwm = hwm_now;
        size = size_now;
    }
    return 0;
}

typedef struct crowd {
    pthread_barrier_t gate;
    size_t counters;
} crowd;

typedef struct member {
    pthread_t thread;
    crowd *crowd;
    size_t counter;
} member;

/* Waits, times its one counter once, waits while the main thread looks, then exits. */
static void *time_one(void *arg)
{
    member *m = (member *)arg;
    pthread_barrier_wait(&m->crowd->gate);
    pthread_barrier_wait(&m->crowd->gate);
    scope_of(m->counter);
    pthread_barrier_wait(&m->crowd->gate);
    pthread_barrier_wait(&m->crowd->gate);
    return NULL;
}

static void every_counter_live(void)
{
    lindperf_set_timer(LINDPERF_CLOCK);
    lindperf__set_modes(NULL, 0, 0, lindperf__live_mode());
    lindperf_reset_all();
}

/* Every counter live, then `threads` threads started, each on its counter, all waiting
 * at the gate before they time anything. */
static member *gather(crowd *c, size_t threads)
{
    c->counters = lindperf_counter_count();
    every_counter_live();
    member *m = (member *)calloc(threads, sizeof *m);
    pthread_attr_t attr;
    if (!m || pthread_attr_init(&attr) != 0 || pthread_attr_setstacksize(&attr, THREAD_STACK) != 0)
        return NULL;
    pthread_barrier_init(&c->gate, NULL, (unsigned)threads + 1);
    for (size_t i = 0; i < threads; i++) {
        m[i].crowd = c;
        m[i].counter = i % c->counters;
        if (pthread_create(&m[i].thread, &attr, time_one, &m[i]) != 0) {
            fprintf(stderr, "lindperf: bench-scale could not start thread %zu of %zu; raise the "
                    "limits (ulimit -u, ulimit -v) or ask for fewer threads\n", i + 1, threads);
            exit(1);
        }
    }
    pthread_attr_destroy(&attr);
    pthread_barrier_wait(&c->gate);   /* all started, none has timed */
    return m;
}

static int calls_are_exact(size_t counters, size_t threads)
{
    for (size_t i = 0; i < counters; i++) {
        uint64_t want = threads / counters + (i < threads % counters);
        if (lindperf_counter_calls(lindperf_counter_at(i)) != want)
            return 0;
    }
    return 1;
}

/* Lets the threads exit and joins them; 1 when every counter has the calls they made. */
static int disperse(crowd *c, member *m, size_t threads)
{
    pthread_barrier_wait(&c->gate);   /* exit */
    for (size_t i = 0; i < threads; i++)
        pthread_join(m[i].thread, NULL);
    free(m);
    lindperf_enable_only(NULL);
    return calls_are_exact(c->counters, threads);
}

static int threads_timing(size_t threads)
{
    crowd c;
    member *m = gather(&c, threads);
    if (!m)
        return 1;
    long before = status_kb("VmRSS");
    pthread_barrier_wait(&c.gate);   /* time */
    pthread_barrier_wait(&c.gate);   /* timed */
    long after = status_kb("VmRSS");
    int exact = disperse(&c, m, threads);
    printf("per-thread memory: %zu counters x %zu live threads each timing one: RSS %.1f MB "
           "(target <= 200 MB); lindperf's part %.1f MB, %.1f KB a thread; calls %s\n",
           c.counters, threads, mb(after), mb(after - before),
           (double)(after - before) / (double)threads, exact ? "exact" : "WRONG");
    return !exact;
}

/* Threads that start timing once mmap is refused: their tables cannot be mapped. */
static int failure(size_t threads)
{
    crowd c;
    member *m = gather(&c, threads);
    if (!m)
        return 1;
    struct rlimit old, tight;
    getrlimit(RLIMIT_AS, &old);
    tight = old;
    tight.rlim_cur = (rlim_t)status_kb("VmSize") * 1024;
    setrlimit(RLIMIT_AS, &tight);
    pthread_barrier_wait(&c.gate);   /* time */
    pthread_barrier_wait(&c.gate);   /* timed */
    setrlimit(RLIMIT_AS, &old);
    int exact = disperse(&c, m, threads);
    FILE *sink = fopen("/dev/null", "w");
    lindperf_report(sink);   /* says on stderr what storage could not do */
    if (sink)
        fclose(sink);
    printf("failed allocation: %zu threads timed while mmap was refused: calls %s\n", threads,
           exact ? "exact" : "WRONG");
    return !exact;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    size_t threads = argc > 2 ? (size_t)strtoul(argv[2], NULL, 10) : 4096;
    if (strcmp(mode, "startup") == 0)
        return startup();
    if (strcmp(mode, "discovery") == 0)
        return discovery();
    if (strcmp(mode, "threads") == 0 && threads > 0)
        return threads_timing(threads);
    if (strcmp(mode, "failure") == 0 && threads > 0)
        return failure(threads);
    fprintf(stderr, "lindperf: bench-scale: unknown mode '%s'; the modes are startup, "
            "discovery, threads [N] and failure [N]\n", mode);
    return 2;
}
