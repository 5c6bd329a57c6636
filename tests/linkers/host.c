/* The workload calls parse 3 times and store 5 times; tests/check/linkers.sh reads the
 * calls from --perf-csv. */
#define LINDPERF_IMPLEMENTATION   /* the host: the library's code, once */
#include "lindperf.h"

int linkers_parse(int x);
int linkers_store(int x);

static int workload(void *arg)
{
    volatile int sum = 0;
    (void)arg;
    for (int i = 0; i < 3; i++)
        sum += linkers_parse(i);
    for (int i = 0; i < 5; i++)
        sum += linkers_store(i);
    return sum == (1 + 2 + 3) + (0 + 2 + 4 + 6 + 8) ? 0 : 1;
}

int main(int argc, char **argv)
{
    lindperf_timer t = lindperf_parse_args(&argc, argv);
    return lindperf_run_each(t, workload, NULL, stdout);
}
