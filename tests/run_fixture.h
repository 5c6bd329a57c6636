/* What the tests of lindperf_run_each share: perf flags taken as a host takes them, and a
 * snapshot's row found by name. */
#ifndef LINDPERF_TESTS_RUN_FIXTURE_H
#define LINDPERF_TESTS_RUN_FIXTURE_H

#include <stdarg.h>
#include <string.h>

/* What parse_flags left of argv: 1 when every flag was the library's. */
static int parsed_argc;

/* Takes the flags (a list that NULL ends) as a host would; returns the timer they ask for. */
__attribute__((unused)) static lindperf_timer parse_flags(const char *first, ...)
{
    char *argv[8] = {(char *)"host"};
    int argc = 1;
    va_list flags;
    va_start(flags, first);
    for (const char *f = first; f && argc < 7; f = va_arg(flags, const char *))
        argv[argc++] = (char *)f;
    va_end(flags);
    argv[argc] = NULL;
    char why[256] = "";
    lindperf_timer timer = LINDPERF_OFF;
    if (lindperf_try_parse_args(&argc, argv, &timer, why, sizeof why) != 0)
        fail_msg("%s", why);
    parsed_argc = argc;
    return timer;
}

__attribute__((unused)) static const lindperf__row *row_of(const lindperf__snapshot *s,
                                                           const char *name)
{
    for (size_t i = 0; i < s->count; i++)
        if (strcmp(s->rows[i].counter->name, name) == 0)
            return &s->rows[i];
    fail_msg("no row %s", name);
    return NULL;
}

#endif
