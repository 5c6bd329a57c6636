/* lindperf_run_each: one discovery run, then one timed run per counter that the discovery
 * run reached, in registry order (by module, then where each counter is defined: here, the
 * order of the lines below). The workload counts its own invocations, so the tests know
 * which run is which. */
#define LINDPERF_IMPLEMENTATION   /* the one file of this program with the library's code */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lindperf.h"
#include "run_fixture.h"

LINDPERF_COUNTER(disc, outer);
LINDPERF_COUNTER(disc, inner);
LINDPERF_COUNTER(disc, odd_only);      /* reached on odd invocations: 1 is discovery */
LINDPERF_COUNTER(disc, even_only);     /* reached on even invocations: never in discovery */
LINDPERF_COUNTER(disc, never_used);

#define INNER_PER_RUN 3

static int invocations;

static int workload(void *arg)
{
    (void)arg;
    invocations++;
    LINDPERF_SCOPE(disc, outer);
    for (int i = 0; i < INNER_PER_RUN; i++) {
        LINDPERF_SCOPE(disc, inner);
        lindperf_black_box(&i);
    }
    if (invocations % 2 == 1) {
        LINDPERF_SCOPE(disc, odd_only);
        lindperf_black_box(&invocations);
    } else {
        LINDPERF_SCOPE(disc, even_only);
        lindperf_black_box(&invocations);
    }
    return 0;
}

static const lindperf_counter *counter(const char *name)
{
    const lindperf_counter *c = lindperf_find(name);
    assert_non_null(c);
    return c;
}

/* Takes the perf flags as a host would; returns the timer they ask for. */
static lindperf_timer parse(const char *first, const char *second)
{
    lindperf_timer timer = parse_flags(first, second, (const char *)NULL);
    assert_int_equal(parsed_argc, 1);
    return timer;
}

/* The report run_each printed, kept in memory. */
typedef struct captured {
    char *text;
    size_t size;
    int status;
} captured;

static captured run_each(lindperf_timer timer)
{
    captured out = {NULL, 0, 0};
    FILE *f = open_memstream(&out.text, &out.size);
    assert_non_null(f);
    out.status = lindperf_run_each(timer, workload, NULL, f);
    assert_int_equal(fclose(f), 0);
    return out;
}

/* Whether the report has exactly this line. */
static int has_line(const captured *out, const char *line)
{
    size_t len = strlen(line);
    for (const char *p = out->text; (p = strstr(p, line)); p += len)
        if ((p == out->text || p[-1] == '\n') && (p[len] == '\n' || p[len] == 0))
            return 1;
    return 0;
}

static int fresh(void **state)
{
    (void)state;
    invocations = 0;
    lindperf_set_detail(0);
    lindperf_set_net(0);
    return 0;
}

static void one_discovery_run_then_one_run_per_reached_counter(void **state)
{
    (void)state;
    captured out = run_each(parse("--perf", "--perf-solo"));
    assert_int_equal(out.status, 0);
    assert_int_equal(lindperf_counter_count(), 5);
    /* discovery, outer, inner, odd_only; even_only and never_used cost no run */
    assert_int_equal(invocations, 4);
    free(out.text);
}

static void each_counter_holds_what_one_run_makes(void **state)
{
    (void)state;
    captured out = run_each(parse("--perf", "--perf-solo"));
    assert_int_equal(lindperf_counter_calls(counter("disc::outer")), 1);
    assert_int_equal(lindperf_counter_calls(counter("disc::inner")), INNER_PER_RUN);
    assert_true(has_line(&out, "never reached: disc::even_only, disc::never_used"));
    free(out.text);
}

/* odd_only is reached by discovery (invocation 1), so it gets a timed run, invocation 4,
 * which does not reach it. The report says so rather than showing a figure: its calls
 * are those of its own run, none, never the discovery run's. */
static void counter_missing_from_its_own_run_is_reported_as_such(void **state)
{
    (void)state;
    captured out = run_each(parse("--perf", "--perf-solo"));
    assert_true(lindperf_counter_reached(counter("disc::odd_only")));
    assert_int_equal(lindperf_counter_calls(counter("disc::odd_only")), 0);
    assert_true(has_line(&out, "reached, but no scope ended in its timed run "
                               "(longjmp, thread cancellation, exit, or not reached again): "
                               "disc::odd_only"));
    assert_null(strstr(out.text, "disc::odd_only    "));   /* no table row */
    free(out.text);
}

/* even_only is reached in invocations 2 and 4, but not by discovery: run_each learns of
 * it from discovery alone, so it is not timed and is listed with the unreached. */
static void counter_missed_by_discovery_gets_no_run(void **state)
{
    (void)state;
    captured out = run_each(parse("--perf", "--perf-solo"));
    assert_false(lindperf_counter_reached(counter("disc::even_only")));
    assert_int_equal(lindperf_counter_calls(counter("disc::even_only")), 0);
    assert_int_equal(invocations, 4);
    assert_true(has_line(&out, "never reached: disc::even_only, disc::never_used"));
    free(out.text);
}

static void parents_come_from_the_discovery_run(void **state)
{
    (void)state;
    captured out = run_each(parse("--perf", "--perf-solo"));
    assert_ptr_equal(lindperf_counter_parent(counter("disc::inner")), counter("disc::outer"));
    assert_ptr_equal(lindperf_counter_parent(counter("disc::odd_only")), counter("disc::outer"));
    assert_null(lindperf_counter_parent(counter("disc::outer")));
    assert_null(lindperf_counter_parent(counter("disc::even_only")));
    assert_null(lindperf_counter_parent(counter("disc::never_used")));
    free(out.text);
}

/* First in main, so that no earlier run_each in this process has timed outer. */
static void perf_only_times_only_the_matching_counters(void **state)
{
    (void)state;
    captured out = run_each(parse("--perf", "--perf-only=disc::in*"));
    assert_int_equal(out.status, 0);
    assert_int_equal(invocations, 2);     /* discovery, inner */
    assert_int_equal(lindperf_counter_calls(counter("disc::inner")), INNER_PER_RUN);
    assert_int_equal(lindperf_counter_calls(counter("disc::outer")), 0);
    assert_int_equal(lindperf_counter_calls(counter("disc::odd_only")), 0);
    assert_true(has_line(&out, "not timed (left out by --perf-only): disc::outer, disc::odd_only"));
    assert_true(has_line(&out, "never reached: disc::even_only, disc::never_used"));
    free(out.text);
}

/* The same host run twice: the second report is about the second run only. */
static void a_second_run_each_starts_afresh(void **state)
{
    (void)state;
    captured first = run_each(parse("--perf", "--perf-solo"));
    invocations = 0;
    captured second = run_each(parse("--perf", "--perf-only=disc::inner"));
    assert_int_equal(invocations, 2);
    assert_int_equal(lindperf_counter_calls(counter("disc::outer")), 0);
    assert_int_equal(lindperf_counter_calls(counter("disc::inner")), INNER_PER_RUN);
    assert_true(
        has_line(&second, "not timed (left out by --perf-only): disc::outer, disc::odd_only"));
    free(first.text);
    free(second.text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(perf_only_times_only_the_matching_counters, fresh),
        cmocka_unit_test_setup(one_discovery_run_then_one_run_per_reached_counter, fresh),
        cmocka_unit_test_setup(each_counter_holds_what_one_run_makes, fresh),
        cmocka_unit_test_setup(counter_missing_from_its_own_run_is_reported_as_such, fresh),
        cmocka_unit_test_setup(counter_missed_by_discovery_gets_no_run, fresh),
        cmocka_unit_test_setup(parents_come_from_the_discovery_run, fresh),
        cmocka_unit_test_setup(a_second_run_each_starts_afresh, fresh),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
