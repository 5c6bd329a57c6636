/* The scope guard: every way out of a block ends the measurement exactly once, a named
 * guard ended early is not counted again, and only the live counter records.
 *
 * Nothing here asserts a speed. Where a test needs to know that some work was inside an
 * interval, the work spins until the clock has advanced by SPIN_NS, so the interval is at
 * least that long on any machine, however loaded: a lower bound, never an upper one. */
#define LINDPERF_IMPLEMENTATION   /* the one file of this program with the library's code */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <time.h>

/* Two scopes in one block and scopes in nested blocks must not shadow each other. */
#pragma GCC diagnostic error "-Wshadow"

#include "lindperf.h"
#include "now_ns.h"

#define SPIN_NS 2000000u   /* 2 ms */

LINDPERF_COUNTER(scope, returned);
LINDPERF_COUNTER(scope, early);
LINDPERF_COUNTER(scope, loop);
LINDPERF_COUNTER(scope, jumped);
LINDPERF_COUNTER(scope, snippet);
LINDPERF_COUNTER(scope, first);
LINDPERF_COUNTER(scope, second);
LINDPERF_COUNTER(scope, outer);
LINDPERF_COUNTER(scope, inner);
LINDPERF_COUNTER(scope, recursive);
LINDPERF_COUNTER(scope, backwards);

static const lindperf_counter *counter(const char *name)
{
    const lindperf_counter *c = lindperf_find(name);
    if (!c)
        fail_msg("no counter named %s in the registry", name);
    return c;
}

/* The controlled workload: it returns only once the clock has advanced by ns. */
__attribute__((noinline)) static int spin(uint64_t ns)
{
    uint64_t start = now_ns();
    while (now_ns() - start < ns)
        ;
    return 7;
}

static int fresh_counters(void **state)
{
    (void)state;
    lindperf_set_timer(LINDPERF_CLOCK);
    lindperf_enable_only(NULL);
    lindperf_reset_all();
    return 0;
}

static void only(const char *name) { lindperf_enable_only(counter(name)); }
static uint64_t calls(const char *name) { return lindperf_counter_calls(counter(name)); }
static uint64_t total(const char *name) { return lindperf_counter_total(counter(name)); }

/* --- return f(x) */

__attribute__((noinline)) static int return_spin(uint64_t ns)
{
    LINDPERF_SCOPE(scope, returned);
    return spin(ns);
}

static void scope_times_return_expression_whole(void **state)
{
    (void)state;
    only("scope::returned");
    assert_int_equal(return_spin(SPIN_NS), 7);
    lindperf_enable_only(NULL);
    assert_int_equal(calls("scope::returned"), 1);
    assert_true(total("scope::returned") >= SPIN_NS);
}

/* --- early return */

__attribute__((noinline)) static int early_return(int leave_early)
{
    LINDPERF_SCOPE(scope, early);
    if (leave_early) {
        spin(SPIN_NS);
        return 1;
    }
    return 0;
}

static void scope_counts_an_early_return_with_its_work(void **state)
{
    (void)state;
    only("scope::early");
    assert_int_equal(early_return(1), 1);
    assert_int_equal(calls("scope::early"), 1);
    assert_true(total("scope::early") >= SPIN_NS);
    assert_int_equal(early_return(0), 0);
    assert_int_equal(calls("scope::early"), 2);
}

/* --- break and continue */

__attribute__((noinline)) static int loop_until(int stop, int skip_odd)
{
    int bodies = 0;
    for (int i = 0; i < 10; i++) {
        LINDPERF_SCOPE(scope, loop);
        if (skip_odd && i % 2)
            continue;
        if (i == stop)
            break;
        bodies++;
    }
    return bodies;
}

static void scope_counts_the_iteration_left_by_break(void **state)
{
    (void)state;
    only("scope::loop");
    assert_int_equal(loop_until(3, 0), 3);
    /* iterations 0, 1 and 2, and iteration 3 which breaks */
    assert_int_equal(calls("scope::loop"), 4);
}

static void scope_counts_every_iteration_left_by_continue(void **state)
{
    (void)state;
    only("scope::loop");
    assert_int_equal(loop_until(-1, 1), 5);
    assert_int_equal(calls("scope::loop"), 10);
}

/* --- goto */

static void scope_ends_at_a_goto_out_of_its_block(void **state)
{
    (void)state;
    only("scope::jumped");
    int reached_end_of_block = 0;
    {
        LINDPERF_SCOPE(scope, jumped);
        spin(SPIN_NS);
        if (spin(0) == 7)
            goto out;
        reached_end_of_block = 1;
    }
out:
    /* read before this function returns: the goto itself ended the scope */
    assert_false(reached_end_of_block);
    assert_int_equal(calls("scope::jumped"), 1);
    assert_true(total("scope::jumped") >= SPIN_NS);
}

static void scope_ends_at_its_own_block_not_the_function(void **state)
{
    (void)state;
    only("scope::jumped");
    {
        LINDPERF_SCOPE(scope, jumped);
        spin(0);
    }
    assert_int_equal(calls("scope::jumped"), 1);
    uint64_t after_block = total("scope::jumped");
    spin(SPIN_NS);
    assert_int_equal(calls("scope::jumped"), 1);
    assert_int_equal(total("scope::jumped"), after_block);
}

/* --- LINDPERF_SCOPE_VAR and lindperf_scope_end */

static void scope_var_covers_the_snippet_before_its_end(void **state)
{
    (void)state;
    only("scope::snippet");
    {
        LINDPERF_SCOPE_VAR(timing, scope, snippet);
        spin(SPIN_NS);
        lindperf_scope_end(&timing);
    }
    assert_int_equal(calls("scope::snippet"), 1);
    assert_true(total("scope::snippet") >= SPIN_NS);
}

static void scope_var_ended_early_counts_once(void **state)
{
    (void)state;
    only("scope::snippet");
    uint64_t at_end_calls, at_end_total;
    {
        LINDPERF_SCOPE_VAR(timing, scope, snippet);
        spin(0);
        lindperf_scope_end(&timing);
        at_end_calls = calls("scope::snippet");
        at_end_total = total("scope::snippet");
        spin(SPIN_NS);   /* after the end: must add neither a call nor this time */
    }
    assert_int_equal(at_end_calls, 1);
    assert_int_equal(calls("scope::snippet"), 1);
    assert_int_equal(total("scope::snippet"), at_end_total);
}

static void scope_var_ended_twice_counts_once(void **state)
{
    (void)state;
    only("scope::snippet");
    {
        LINDPERF_SCOPE_VAR(timing, scope, snippet);
        lindperf_scope_end(&timing);
        lindperf_scope_end(&timing);
    }
    assert_int_equal(calls("scope::snippet"), 1);
}

static void scope_var_not_ended_counts_at_block_end(void **state)
{
    (void)state;
    only("scope::snippet");
    {
        LINDPERF_SCOPE_VAR(timing, scope, snippet);
        spin(SPIN_NS);
    }
    assert_int_equal(calls("scope::snippet"), 1);
    assert_true(total("scope::snippet") >= SPIN_NS);
}

/* --- several scopes in one block, nested blocks, recursion */

static void several_scopes(void)
{
    LINDPERF_SCOPE(scope, first);
    LINDPERF_SCOPE(scope, second);
    LINDPERF_SCOPE(scope, first);
    spin(0);
}

static void several_scopes_in_one_block_each_count(void **state)
{
    (void)state;
    only("scope::first");
    several_scopes();
    only("scope::second");
    several_scopes();
    lindperf_enable_only(NULL);
    assert_int_equal(calls("scope::first"), 2);
    assert_int_equal(calls("scope::second"), 1);
}

static void nested_scopes(void)
{
    LINDPERF_SCOPE(scope, outer);
    for (int i = 0; i < 3; i++) {
        LINDPERF_SCOPE(scope, inner);
        {
            LINDPERF_SCOPE(scope, inner);
            spin(SPIN_NS / 4);
        }
    }
}

static void nested_block_scopes_each_count_and_outer_spans_inner(void **state)
{
    (void)state;
    only("scope::outer");
    nested_scopes();
    only("scope::inner");
    nested_scopes();
    lindperf_enable_only(NULL);
    assert_int_equal(calls("scope::outer"), 1);
    assert_int_equal(calls("scope::inner"), 6);
    assert_true(total("scope::outer") >= 3 * (SPIN_NS / 4));
    assert_true(total("scope::inner") >= 2 * 3 * (SPIN_NS / 4));
}

static int recurse(int depth)
{
    LINDPERF_SCOPE(scope, recursive);
    return depth ? 1 + recurse(depth - 1) : 0;
}

static void scope_in_a_recursive_function_counts_every_level(void **state)
{
    (void)state;
    only("scope::recursive");
    assert_int_equal(recurse(4), 4);
    assert_int_equal(calls("scope::recursive"), 5);
}

/* --- which counter records */

static void only_the_enabled_counter_records(void **state)
{
    (void)state;
    only("scope::first");
    several_scopes();
    nested_scopes();
    return_spin(0);
    lindperf_enable_only(NULL);
    for (size_t i = 0; i < lindperf_counter_count(); i++) {
        const lindperf_counter *c = lindperf_counter_at(i);
        int is_first = strcmp(lindperf_counter_name(c), "scope::first") == 0;
        assert_int_equal(lindperf_counter_calls(c), is_first ? 2 : 0);
        if (!is_first)
            assert_int_equal(lindperf_counter_total(c), 0);
    }
}

static void enable_only_null_records_nothing(void **state)
{
    (void)state;
    only("scope::first");
    lindperf_enable_only(NULL);
    several_scopes();
    nested_scopes();
    return_spin(0);
    for (size_t i = 0; i < lindperf_counter_count(); i++) {
        assert_int_equal(lindperf_counter_calls(lindperf_counter_at(i)), 0);
        assert_int_equal(lindperf_counter_total(lindperf_counter_at(i)), 0);
    }
}

static void switching_the_live_counter_keeps_earlier_counts(void **state)
{
    (void)state;
    only("scope::first");
    several_scopes();
    only("scope::second");
    several_scopes();
    several_scopes();
    only("scope::first");
    assert_int_equal(calls("scope::first"), 2);
    assert_int_equal(calls("scope::second"), 2);
}

static void scope_begun_while_disabled_does_not_record_when_enabled_later(void **state)
{
    (void)state;
    {
        LINDPERF_SCOPE_VAR(timing, scope, snippet);
        only("scope::snippet");
        lindperf_scope_end(&timing);
    }
    assert_int_equal(calls("scope::snippet"), 0);
}

static void reset_all_zeroes_every_counter(void **state)
{
    (void)state;
    only("scope::returned");
    return_spin(SPIN_NS / 4);
    only("scope::loop");
    loop_until(3, 0);
    assert_int_equal(calls("scope::returned"), 1);
    assert_int_equal(calls("scope::loop"), 4);
    lindperf_reset_all();
    for (size_t i = 0; i < lindperf_counter_count(); i++) {
        assert_int_equal(lindperf_counter_calls(lindperf_counter_at(i)), 0);
        assert_int_equal(lindperf_counter_total(lindperf_counter_at(i)), 0);
    }
    /* and counting starts again from zero, with the live counter still live */
    loop_until(1, 0);
    assert_int_equal(calls("scope::loop"), 2);
}

/* --- intervals never go negative */

static void interval_with_end_before_start_is_zero(void **state)
{
    (void)state;
    assert_int_equal(lindperf__interval(200, 100), 0);
    assert_int_equal(lindperf__interval(100, 100), 0);
    assert_int_equal(lindperf__interval(UINT64_MAX, 0), 0);
    assert_int_equal(lindperf__interval(100, 350), 250);
}

static void scope_whose_clock_reads_backwards_adds_a_call_and_no_time(void **state)
{
    (void)state;
    only("scope::backwards");
    {
        LINDPERF_SCOPE_VAR(timing, scope, backwards);
        timing.start = UINT64_MAX - 1;   /* a start later than any end the clock can give */
    }
    assert_int_equal(calls("scope::backwards"), 1);
    assert_int_equal(total("scope::backwards"), 0);
}

/* --- the timestamp counter */

static void scope_records_under_the_timestamp_counter(void **state)
{
    (void)state;
    if (!lindperf__tsc_available())
        skip();
    lindperf_set_timer(LINDPERF_TSC);
    only("scope::returned");
    return_spin(SPIN_NS);
    lindperf_enable_only(NULL);
    lindperf_set_timer(LINDPERF_CLOCK);
    assert_int_equal(calls("scope::returned"), 1);
    assert_true(total("scope::returned") > 0);
}

static void black_box_leaves_the_value_unchanged(void **state)
{
    (void)state;
    int value = 41;
    lindperf_black_box(&value);
    value++;
    lindperf_black_box(&value);
    assert_int_equal(value, 42);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(scope_times_return_expression_whole, fresh_counters),
        cmocka_unit_test_setup(scope_counts_an_early_return_with_its_work, fresh_counters),
        cmocka_unit_test_setup(scope_counts_the_iteration_left_by_break, fresh_counters),
        cmocka_unit_test_setup(scope_counts_every_iteration_left_by_continue, fresh_counters),
        cmocka_unit_test_setup(scope_ends_at_a_goto_out_of_its_block, fresh_counters),
        cmocka_unit_test_setup(scope_ends_at_its_own_block_not_the_function, fresh_counters),
        cmocka_unit_test_setup(scope_var_covers_the_snippet_before_its_end, fresh_counters),
        cmocka_unit_test_setup(scope_var_ended_early_counts_once, fresh_counters),
        cmocka_unit_test_setup(scope_var_ended_twice_counts_once, fresh_counters),
        cmocka_unit_test_setup(scope_var_not_ended_counts_at_block_end, fresh_counters),
        cmocka_unit_test_setup(several_scopes_in_one_block_each_count, fresh_counters),
        cmocka_unit_test_setup(nested_block_scopes_each_count_and_outer_spans_inner,
                               fresh_counters),
        cmocka_unit_test_setup(scope_in_a_recursive_function_counts_every_level, fresh_counters),
        cmocka_unit_test_setup(only_the_enabled_counter_records, fresh_counters),
        cmocka_unit_test_setup(enable_only_null_records_nothing, fresh_counters),
        cmocka_unit_test_setup(switching_the_live_counter_keeps_earlier_counts, fresh_counters),
        cmocka_unit_test_setup(scope_begun_while_disabled_does_not_record_when_enabled_later,
                               fresh_counters),
        cmocka_unit_test_setup(reset_all_zeroes_every_counter, fresh_counters),
        cmocka_unit_test_setup(interval_with_end_before_start_is_zero, fresh_counters),
        cmocka_unit_test_setup(scope_whose_clock_reads_backwards_adds_a_call_and_no_time,
                               fresh_counters),
        cmocka_unit_test_setup(scope_records_under_the_timestamp_counter, fresh_counters),
        cmocka_unit_test_setup(black_box_leaves_the_value_unchanged, fresh_counters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
