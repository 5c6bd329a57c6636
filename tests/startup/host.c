/* Start-up: prints the registry's size. Three counters share the display name
 * "dup::same" (two here, one in the generated file), so the duplicate check must name two
 * pairs. Built with -Wl,--wrap=realloc: with STARTUP_FAIL_REALLOC=BYTES in the
 * environment, every realloc of at least that many bytes fails, as when memory runs out. */
#include <stdio.h>
#include <stdlib.h>

#define LINDPERF_IMPLEMENTATION   /* the host: the library's code, once */
#include "lindperf.h"

LINDPERF_COUNTER_NAMED(dup, first, "dup::same");
LINDPERF_COUNTER_NAMED(dup, second, "dup::same");

void *__real_realloc(void *p, size_t size);
void *__wrap_realloc(void *p, size_t size);
void *__wrap_realloc(void *p, size_t size)
{
    const char *limit = getenv("STARTUP_FAIL_REALLOC");
    if (limit && size >= strtoul(limit, NULL, 10))
        return NULL;
    return __real_realloc(p, size);
}

int main(void)
{
    printf("%zu counters\n", lindperf_counter_count());
    return 0;
}
