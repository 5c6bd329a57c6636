/* A program linking instrumented.c with -DLIND_PERF (and, in the duplicate check,
 * duplicate.c). */
#define LINDPERF_IMPLEMENTATION   /* the program's main file: the library's code, once */
#include "lindperf.h"

LINDPERF_COUNTER(off, elsewhere);

int off_wrap(int x);

int off_helper(int x)
{
    return x + 1;
}

int main(void)
{
    return off_wrap(1) == 4 && lindperf_find("off::lookup table") ? 0 : 1;
}
