/* The off build's parser, for fuzz_parse_args.c: one translation unit cannot hold both
 * builds of the header. */
#define LINDPERF_IMPLEMENTATION   /* the program: the library's code, once */
#include "lindperf.h"

int fuzz_off_try_parse_args(int *argc, char **argv, lindperf_timer *timer, char *why, size_t size);

int fuzz_off_try_parse_args(int *argc, char **argv, lindperf_timer *timer, char *why, size_t size)
{
    return lindperf_try_parse_args(argc, argv, timer, why, size);
}
