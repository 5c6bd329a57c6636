/* More threads than private tables: built with -DLINDPERF_MAX_THREADS=2 (mk/bench.mk), so
 * all but two of the threads that record at once share the overflow table, and still
 * nothing is lost. Nothing here asserts a speed; totals are checked against clock bounds
 * as in test_lossless.c. */
#define LINDPERF_IMPLEMENTATION   /* the one file of this program with the library's code */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>

#include "lindperf.h"

#if LINDPERF_MAX_THREADS != 2
#error "test_overflow needs -DLINDPERF_MAX_THREADS=2 (TEST_CFLAGS_overflow in mk/bench.mk)"
#endif

/* Every thread of a crowd stays alive until all have recorded, so at most two ever hold a
 * table. */
#define HAMMERED overflow, hammered
#define THREADS 8                /* four times the tables */
#include "threaded_scopes.h"

/* The overflow table is internal; this is the one place a test looks at it, to prove that
 * the threads past the limit really went there. */
static uint64_t overflow_calls(void)
{
    return __atomic_load_n(&lindperf__g.stats[hammered()->index].overflow.calls, __ATOMIC_RELAXED);
}

static void threads_past_the_limit_lose_no_call(void **state)
{
    (void)state;
    crowd c;
    gather(&c, SCOPES_PER_THREAD, 0, 0);
    uint64_t calls_alive = lindperf_counter_calls(hammered());
    uint64_t shared = overflow_calls();
    dismiss(&c);
    assert_int_equal(calls_alive, (uint64_t)THREADS * SCOPES_PER_THREAD);
    assert_true(shared >= (uint64_t)(THREADS - LINDPERF_MAX_THREADS) * SCOPES_PER_THREAD);
    assert_int_equal(lindperf_counter_calls(hammered()), calls_alive);
}

static void overflow_total_is_the_sum_of_every_threads_intervals(void **state)
{
    (void)state;
    crowd c;
    gather(&c, BOUNDED_SCOPES, 1, 0);
    dismiss(&c);
    uint64_t inner = 0, outer = 0;
    for (int i = 0; i < THREADS; i++) {
        inner += c.w[i].inner_sum;
        outer += c.w[i].outer_sum;
    }
    assert_true(overflow_calls() > 0);
    assert_int_equal(lindperf_counter_calls(hammered()), (uint64_t)THREADS * BOUNDED_SCOPES);
    assert_in_range(lindperf_counter_total(hammered()), inner, outer);
}

/* The overflow table is reset like the private ones, also with its threads alive, and what
 * they record afterwards counts. */
static void reset_clears_the_overflow_table_too(void **state)
{
    (void)state;
    crowd c;
    gather(&c, SCOPES_PER_THREAD, 0, 3);
    assert_true(overflow_calls() > 0);
    lindperf_reset_all();
    assert_int_equal(lindperf_counter_calls(hammered()), 0);
    assert_int_equal(lindperf_counter_total(hammered()), 0);
    dismiss(&c);
    assert_int_equal(lindperf_counter_calls(hammered()), (uint64_t)THREADS * 3);
}

/* A thread without a table still tells discovery that it reached the counter. */
static void threads_without_a_table_are_discovered(void **state)
{
    (void)state;
    crowd first, second;
    gather(&first, 1, 0, 0);        /* these take both tables and keep them */
    lindperf_enable_discovery();
    gather(&second, 1, 0, 0);       /* none of these gets one */
    int reached = lindperf_counter_reached(hammered());
    dismiss(&second);
    dismiss(&first);
    lindperf_enable_only(NULL);
    assert_true(reached);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(threads_past_the_limit_lose_no_call, fresh_clock_counter),
        cmocka_unit_test_setup(overflow_total_is_the_sum_of_every_threads_intervals,
                               fresh_clock_counter),
        cmocka_unit_test_setup(reset_clears_the_overflow_table_too, fresh_clock_counter),
        cmocka_unit_test_setup(threads_without_a_table_are_discovered, fresh_clock_counter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
