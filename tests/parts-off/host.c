/* A host built without LIND_PERF: it must refuse a perf flag (status 2), and pass the
 * program's own arguments through. Prints the timer and what is left of argv. */
#include <stdio.h>

#define LINDPERF_IMPLEMENTATION   /* the host: the library's code, once */
#include "lindperf.h"

static int workload(void *arg)
{
    return *(int *)arg;
}

int main(int argc, char **argv)
{
    lindperf_timer timer = lindperf_parse_args(&argc, argv);
    int status = 0;
    printf("timer %d argc %d", (int)timer, argc);
    for (int i = 1; i < argc; i++)
        printf(" %s", argv[i]);
    printf("\n");
    return lindperf_run_each(timer, workload, &status, stdout);
}
