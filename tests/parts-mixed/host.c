/* Calls deep and shallow, alternately, 100 levels down, ten times; then checks the
 * counts that the report must hold. */
#include <stdio.h>
#include <string.h>
#define LINDPERF_IMPLEMENTATION   /* the host: the library's code, once */
#include "lindperf.h"
#include "mixed.h"

#define ROUNDS 10
#define LEVELS 100

static int workload(void *arg)
{
    (void)arg;
    for (int r = 0; r < ROUNDS; r++)
        mixed_deep(LEVELS);
    return 0;
}

int main(int argc, char **argv)
{
    lindperf_timer t = lindperf_parse_args(&argc, argv);
    int status = lindperf_run_each(t, workload, NULL, stdout);
    const lindperf_counter *deep = lindperf_find("mixed::deep");
    const lindperf_counter *shallow = lindperf_find("mixed::shallow");
    if (status || !deep || !shallow)
        return 1;
    if (lindperf_counter_calls(deep) != ROUNDS * LEVELS / 2 ||
        lindperf_counter_calls(shallow) != ROUNDS * LEVELS / 2) {
        fprintf(stderr, "mixed: deep %llu, shallow %llu calls; expected %d each\n",
                (unsigned long long)lindperf_counter_calls(deep),
                (unsigned long long)lindperf_counter_calls(shallow), ROUNDS * LEVELS / 2);
        return 1;
    }
    return 0;
}
