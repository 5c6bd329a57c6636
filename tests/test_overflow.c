/* More threads than private tables: built with -DLINDPERF_MAX_THREADS=2 (mk/bench.mk), so
 * all but two of the threads that record at once share the overflow table, and still
 * nothing is lost. Nothing here asserts a speed; totals are checked against clock bounds
 * as in test_lossless.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <time.h>

#include "lindperf.h"

#if LINDPERF_MAX_THREADS != 2
#error "test_overflow needs -DLINDPERF_MAX_THREADS=2 (TEST_CFLAGS_overflow in mk/bench.mk)"
#endif

LINDPERF_COUNTER(overflow, hammered);

#define THREADS 8                /* four times the tables */
#define SCOPES_PER_THREAD 20000
#define BOUNDED_SCOPES 200
#define INNER_NS 2000

static const lindperf_counter *hammered(void)
{
    return lindperf_find("overflow::hammered");
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The overflow table is internal; this is the one place a test looks at it, to prove that
 * the threads past the limit really went there. */
static uint64_t overflow_calls(void)
{
    return __atomic_load_n(&lindperf__g.stats[hammered()->index].overflow.calls, __ATOMIC_RELAXED);
}

static int fresh_clock_counter(void **state)
{
    (void)state;
    lindperf_set_net(0);
    lindperf_set_detail(0);
    lindperf_set_timer(LINDPERF_CLOCK);
    lindperf_enable_only(hammered());
    lindperf_reset_all();
    return 0;
}

typedef struct worker {
    pthread_t thread;
    int scopes;
    int bounded;
    int more_scopes;             /* made after the main thread has looked */
    pthread_barrier_t *parked;
    uint64_t inner_sum, outer_sum;
} worker;

static void plain_scopes(int n)
{
    for (int i = 0; i < n; i++) {
        LINDPERF_SCOPE(overflow, hammered);
        lindperf_black_box(&i);
    }
}

static void bounded_scope(worker *w)
{
    uint64_t outer_start = now_ns();
    LINDPERF_SCOPE_VAR(scope, overflow, hammered);
    uint64_t inner_start = now_ns(), inner_end;
    do
        inner_end = now_ns();
    while (inner_end - inner_start < INNER_NS);
    lindperf_scope_end(&scope);
    uint64_t outer_end = now_ns();
    w->inner_sum += inner_end - inner_start;
    w->outer_sum += outer_end - outer_start;
}

/* Every thread stays alive until all have recorded, so at most two ever hold a table. */
static void *work(void *arg)
{
    worker *w = (worker *)arg;
    if (w->bounded)
        for (int i = 0; i < w->scopes; i++)
            bounded_scope(w);
    else
        plain_scopes(w->scopes);
    pthread_barrier_wait(w->parked);
    pthread_barrier_wait(w->parked);
    plain_scopes(w->more_scopes);
    return NULL;
}

typedef struct crowd {
    worker w[THREADS];
    pthread_barrier_t parked;
} crowd;

/* Starts the threads and returns when all have made their first scopes. */
static void gather(crowd *c, int scopes, int bounded, int more_scopes)
{
    assert_int_equal(pthread_barrier_init(&c->parked, NULL, THREADS + 1), 0);
    for (int i = 0; i < THREADS; i++) {
        c->w[i] = (worker){.scopes = scopes, .bounded = bounded, .more_scopes = more_scopes,
                           .parked = &c->parked};
        assert_int_equal(pthread_create(&c->w[i].thread, NULL, work, &c->w[i]), 0);
    }
    pthread_barrier_wait(&c->parked);
}

static void dismiss(crowd *c)
{
    pthread_barrier_wait(&c->parked);
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_join(c->w[i].thread, NULL), 0);
    pthread_barrier_destroy(&c->parked);
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
        cmocka_unit_test_setup(overflow_total_is_the_sum_of_every_threads_intervals, fresh_clock_counter),
        cmocka_unit_test_setup(reset_clears_the_overflow_table_too, fresh_clock_counter),
        cmocka_unit_test_setup(threads_without_a_table_are_discovered, fresh_clock_counter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
