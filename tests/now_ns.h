/* The tests' own clock, the reference lindperf's figures are checked against: it is read
 * without lindperf, so a figure that agrees with it is not agreeing with itself. */
#ifndef LINDPERF_TESTS_NOW_NS_H
#define LINDPERF_TESTS_NOW_NS_H

#include <stdint.h>
#include <time.h>

static inline uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#endif
