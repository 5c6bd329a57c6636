/* Start-up with many registered counters: the constructors that hand each object's section
 * to the registry, then the first walk (sort, index, duplicate-name check). The counters
 * come from files that make bench-scale generates ($(OUT)/startup/). Prints the counters
 * and the first walk's time; make times the whole process around it. */
#define LINDPERF_IMPLEMENTATION   /* the program: the library's code, once */
#include "lindperf.h"

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(void)
{
    double before = seconds();
    size_t n = lindperf_counter_count();
    double after = seconds();
    printf("start-up: %zu registered counters: first walk %.3f s", n, after - before);
    return n ? 0 : 1;
}
