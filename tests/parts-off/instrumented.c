/* The instrumented twin of plain.c: the same functions, with every kind of lindperf line.
 * Built without LIND_PERF, it must compile to the same machine code as plain.c. */
#include "lindperf.h"

LINDPERF_COUNTER(off, sum);
LINDPERF_COUNTER_NAMED(off, lookup, "off::lookup table");
LINDPERF_DECLARE(off, elsewhere);

int off_helper(int x);

int off_sum(const int *v, int n)
{
    LINDPERF_SCOPE(off, sum);
    int total = 0;
    for (int i = 0; i < n; i++) {
        LINDPERF_SCOPE(off, lookup);
        LINDPERF_SCOPE(off, sum);
        if (v[i] < 0)
            return -1;
        if (v[i] == 0)
            break;
        total += v[i];
    }
    lindperf_black_box(&total);
    return total;
}

int off_search(const int *v, int n, int wanted)
{
    int found = -1;
    LINDPERF_SCOPE_VAR(timing, off, lookup);
    for (int i = 0; i < n; i++) {
        if (v[i] == wanted) {
            found = i;
            goto done;
        }
    }
    lindperf_scope_end(&timing);
done:
    {
        LINDPERF_SCOPE(off, sum);
        found += off_helper(found);
    }
    return found;
}

int off_wrap(int x)
{
    LINDPERF_SCOPE(off, elsewhere);
    return off_helper(x * 3);
}
