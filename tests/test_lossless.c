/* Per-thread storage loses nothing: every scope of every thread is counted, whether its
 * thread is still running, has exited, or is being read while it writes.
 *
 * Nothing here asserts a speed. The totals are checked against bounds that hold on any
 * machine: under the clock timer the library reads CLOCK_MONOTONIC, so a scope's interval
 * contains every clock reading taken inside it and is contained by readings taken just
 * outside it. */
#define LINDPERF_IMPLEMENTATION   /* the one file of this program with the library's code */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>

#include "lindperf.h"

#define HAMMERED lossless, hammered
#define THREADS 8
#include "threaded_scopes.h"

LINDPERF_COUNTER(lossless, bystander);

static void start(worker *w, int n)
{
    for (int i = 0; i < n; i++)
        assert_int_equal(pthread_create(&w[i].thread, NULL, work, &w[i]), 0);
}

static void join(worker *w, int n)
{
    for (int i = 0; i < n; i++)
        assert_int_equal(pthread_join(w[i].thread, NULL), 0);
}

/* ---- The tests. ---- */

static void n_threads_times_m_scopes_give_n_times_m_calls(void **state)
{
    (void)state;
    worker w[THREADS] = {0};
    for (int i = 0; i < THREADS; i++)
        w[i].scopes = SCOPES_PER_THREAD;
    start(w, THREADS);
    join(w, THREADS);
    assert_int_equal(lindperf_counter_calls(hammered()), (uint64_t)THREADS * SCOPES_PER_THREAD);
    assert_int_equal(lindperf_counter_calls(lindperf_find("lossless::bystander")), 0);
}

static void total_is_the_sum_of_every_threads_intervals(void **state)
{
    (void)state;
    worker w[THREADS] = {0};
    for (int i = 0; i < THREADS; i++) {
        w[i].scopes = BOUNDED_SCOPES;
        w[i].bounded = 1;
    }
    start(w, THREADS);
    join(w, THREADS);
    uint64_t inner = 0, outer = 0;
    for (int i = 0; i < THREADS; i++) {
        inner += w[i].inner_sum;
        outer += w[i].outer_sum;
    }
    uint64_t total = lindperf_counter_total(hammered());
    assert_int_equal(lindperf_counter_calls(hammered()), (uint64_t)THREADS * BOUNDED_SCOPES);
    assert_true(inner >= (uint64_t)THREADS * BOUNDED_SCOPES * INNER_NS);
    assert_in_range(total, inner, outer);
}

/* Threads parked in a crowd (threaded_scopes.h) have recorded and are still alive, so
 * their tables are live when the main thread looks. */
static void counts_of_exited_threads_stay_after_join(void **state)
{
    (void)state;
    crowd c;
    gather(&c, SCOPES_PER_THREAD, 0, 0);
    uint64_t calls_alive = lindperf_counter_calls(hammered());
    uint64_t total_alive = lindperf_counter_total(hammered());
    dismiss(&c);
    assert_int_equal(calls_alive, (uint64_t)THREADS * SCOPES_PER_THREAD);
    assert_int_equal(lindperf_counter_calls(hammered()), calls_alive);
    assert_int_equal(lindperf_counter_total(hammered()), total_alive);
}

static void main_thread_and_workers_add_up(void **state)
{
    (void)state;
    worker w[THREADS] = {0};
    for (int i = 0; i < THREADS; i++)
        w[i].scopes = SCOPES_PER_THREAD;
    plain_scopes(SCOPES_PER_THREAD);
    start(w, THREADS);
    plain_scopes(SCOPES_PER_THREAD);
    join(w, THREADS);
    assert_int_equal(lindperf_counter_calls(hammered()),
                     (uint64_t)(THREADS + 2) * SCOPES_PER_THREAD);
}

static void reset_with_nothing_running_gives_zero(void **state)
{
    (void)state;
    worker w[THREADS] = {0};
    for (int i = 0; i < THREADS; i++)
        w[i].scopes = SCOPES_PER_THREAD;
    plain_scopes(100);
    start(w, THREADS);
    join(w, THREADS);
    assert_true(lindperf_counter_calls(hammered()) > 0);
    lindperf_reset_all();
    assert_int_equal(lindperf_counter_calls(hammered()), 0);
    assert_int_equal(lindperf_counter_total(hammered()), 0);
}

/* A thread alive across the reset: what it recorded before is gone, what it records after
 * counts, and both stay true when it exits and its table is folded away. */
static void reset_then_exit_counts_only_what_came_after(void **state)
{
    (void)state;
    crowd c;
    gather(&c, SCOPES_PER_THREAD, 0, 0);
    lindperf_reset_all();
    assert_int_equal(lindperf_counter_calls(hammered()), 0);
    assert_int_equal(lindperf_counter_total(hammered()), 0);
    plain_scopes(7);
    dismiss(&c);
    assert_int_equal(lindperf_counter_calls(hammered()), 7);
}

/* ---- Reading while others write. ---- */

typedef struct reader {
    pthread_t thread;
    int stop;                   /* set by the main thread once every writer is joined */
    int decreased;              /* a read gave less than the one before */
    uint64_t max_calls, max_total;
} reader;

static void *read_until_stopped(void *arg)
{
    reader *r = (reader *)arg;
    uint64_t last_calls = 0, last_total = 0;
    for (int stopping = 0; !stopping;) {
        stopping = __atomic_load_n(&r->stop, __ATOMIC_ACQUIRE);   /* then one last read */
        uint64_t calls = lindperf_counter_calls(hammered());
        uint64_t total = lindperf_counter_total(hammered());
        if (calls < last_calls || total < last_total)
            r->decreased = 1;
        last_calls = calls;
        last_total = total;
    }
    r->max_calls = last_calls;
    r->max_total = last_total;
    return NULL;
}

/* The writers come and go in waves while the reader polls, so reads meet live tables,
 * tables being folded into the retired sums, and the sums themselves. */
static void reads_during_writes_never_decrease_nor_overshoot(void **state)
{
    (void)state;
    enum { WAVES = 6 };
    reader r = {0};
    assert_int_equal(pthread_create(&r.thread, NULL, read_until_stopped, &r), 0);
    for (int wave = 0; wave < WAVES; wave++) {
        worker w[THREADS] = {0};
        for (int i = 0; i < THREADS; i++)
            w[i].scopes = SCOPES_PER_THREAD;
        start(w, THREADS);
        join(w, THREADS);
    }
    uint64_t final_calls = lindperf_counter_calls(hammered());
    uint64_t final_total = lindperf_counter_total(hammered());
    __atomic_store_n(&r.stop, 1, __ATOMIC_RELEASE);
    assert_int_equal(pthread_join(r.thread, NULL), 0);
    assert_int_equal(final_calls, (uint64_t)WAVES * THREADS * SCOPES_PER_THREAD);
    assert_false(r.decreased);
    assert_int_equal(r.max_calls, final_calls);
    assert_int_equal(r.max_total, final_total);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(n_threads_times_m_scopes_give_n_times_m_calls, fresh_clock_counter),
        cmocka_unit_test_setup(total_is_the_sum_of_every_threads_intervals, fresh_clock_counter),
        cmocka_unit_test_setup(counts_of_exited_threads_stay_after_join, fresh_clock_counter),
        cmocka_unit_test_setup(main_thread_and_workers_add_up, fresh_clock_counter),
        cmocka_unit_test_setup(reset_with_nothing_running_gives_zero, fresh_clock_counter),
        cmocka_unit_test_setup(reset_then_exit_counts_only_what_came_after, fresh_clock_counter),
        cmocka_unit_test_setup(reads_during_writes_never_decrease_nor_overshoot,
                               fresh_clock_counter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
