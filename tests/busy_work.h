/* What the timing tests (test_accuracy.c, test_distribution.c) measure lindperf against:
 * busy work of a known length, its calibration, the median that keeps one preempted trial
 * from deciding a check, and pinning to one CPU. Include it after cmocka.h, with
 * _GNU_SOURCE defined before the first system header (sched_getcpu needs it). */
#ifndef LINDPERF_TESTS_BUSY_WORK_H
#define LINDPERF_TESTS_BUSY_WORK_H

#ifndef _GNU_SOURCE
#error "busy_work.h needs _GNU_SOURCE defined before the first #include (for sched_getcpu)"
#endif

#include <sched.h>
#include <stdint.h>
#include <stdlib.h>

#include "now_ns.h"

static inline int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts v in place. */
static inline double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, compare_doubles);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* A cmocka setup. Pinned, the trials are not moved between cores half-way; refused (a
 * restricted cpuset), the medians still hold. */
static inline int pin_to_this_cpu(void **state)
{
    (void)state;
    int cpu = sched_getcpu();
    cpu_set_t set;
    CPU_ZERO(&set);
    if (cpu >= 0)
        CPU_SET(cpu, &set);
    if (cpu < 0 || sched_setaffinity(0, sizeof set, &set) != 0)
        print_message("note: could not pin to one CPU; relying on medians alone\n");
    return 0;
}

/* A chain of dependent multiply-adds: each step waits for the one before, so the length is
 * set by the count alone and the optimizer cannot shorten it. Calibrated against the
 * clock, but its true length is measured again for every check, next to the measurement. */
static volatile uint64_t sink;

__attribute__((noinline)) static void busy(uint64_t iterations)
{
    uint64_t x = sink;
    for (uint64_t i = 0; i < iterations; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        __asm__ __volatile__("" : "+r"(x));
    }
    sink = x;
}

/* The fastest of several runs: the others were slowed by something else. */
static inline double busy_ns_per_iteration(void)
{
    const uint64_t n = 1u << 18;
    double best = 1e9;
    for (int i = 0; i < 15; i++) {
        uint64_t start = now_ns();
        busy(n);
        double per = (double)(now_ns() - start) / (double)n;
        if (per < best)
            best = per;
    }
    return best;
}

#endif
