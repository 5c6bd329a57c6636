/* Per-thread storage loses nothing: every scope of every thread is counted, whether its
 * thread is still running, has exited, or is being read while it writes.
 *
 * Nothing here asserts a speed. The totals are checked against bounds that hold on any
 * machine: under the clock timer the library reads CLOCK_MONOTONIC, so a scope's interval
 * contains every clock reading taken inside it and is contained by readings taken just
 * outside it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <time.h>

#include "lindperf.h"

LINDPERF_COUNTER(lossless, hammered);
LINDPERF_COUNTER(lossless, bystander);

#define THREADS 8
#define SCOPES_PER_THREAD 20000
#define BOUNDED_SCOPES 200       /* scopes that also note their inner and outer bounds */
#define INNER_NS 2000            /* each bounded scope holds at least this long */

static const lindperf_counter *hammered(void)
{
    return lindperf_find("lossless::hammered");
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
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

/* ---- What each thread does, and what it knows about its own scopes. ---- */

typedef struct worker {
    pthread_t thread;
    int scopes;
    int bounded;                 /* also note the bounds of each scope */
    pthread_barrier_t *parked;   /* when set: wait here twice after the scopes (see park) */
    uint64_t inner_sum;          /* sum of what each scope surely contains */
    uint64_t outer_sum;          /* sum of what surely contains each scope */
} worker;

static void plain_scopes(int n)
{
    for (int i = 0; i < n; i++) {
        LINDPERF_SCOPE(lossless, hammered);
        lindperf_black_box(&i);
    }
}

/* A scope whose interval is pinned between two pairs of clock readings. */
static void bounded_scope(worker *w)
{
    uint64_t outer_start = now_ns();
    LINDPERF_SCOPE_VAR(scope, lossless, hammered);
    uint64_t inner_start = now_ns(), inner_end;
    do
        inner_end = now_ns();
    while (inner_end - inner_start < INNER_NS);
    lindperf_scope_end(&scope);
    uint64_t outer_end = now_ns();
    w->inner_sum += inner_end - inner_start;
    w->outer_sum += outer_end - outer_start;
}

static void *work(void *arg)
{
    worker *w = (worker *)arg;
    if (w->bounded)
        for (int i = 0; i < w->scopes; i++)
            bounded_scope(w);
    else
        plain_scopes(w->scopes);
    if (w->parked) {
        pthread_barrier_wait(w->parked);   /* the scopes are done ... */
        pthread_barrier_wait(w->parked);   /* ... and the main thread has looked */
    }
    return NULL;
}

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

/* Threads that have recorded wait at a barrier, so their tables are still live. */
static void park(worker *w, int n, pthread_barrier_t *parked)
{
    for (int i = 0; i < n; i++)
        w[i].parked = parked;
    start(w, n);
    pthread_barrier_wait(parked);
}

static void counts_of_exited_threads_stay_after_join(void **state)
{
    (void)state;
    pthread_barrier_t parked;
    worker w[THREADS] = {0};
    assert_int_equal(pthread_barrier_init(&parked, NULL, THREADS + 1), 0);
    for (int i = 0; i < THREADS; i++)
        w[i].scopes = SCOPES_PER_THREAD;
    park(w, THREADS, &parked);
    uint64_t calls_alive = lindperf_counter_calls(hammered());
    uint64_t total_alive = lindperf_counter_total(hammered());
    pthread_barrier_wait(&parked);
    join(w, THREADS);
    pthread_barrier_destroy(&parked);
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
    assert_int_equal(lindperf_counter_calls(hammered()), (uint64_t)(THREADS + 2) * SCOPES_PER_THREAD);
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
    pthread_barrier_t parked;
    worker w[THREADS] = {0};
    assert_int_equal(pthread_barrier_init(&parked, NULL, THREADS + 1), 0);
    for (int i = 0; i < THREADS; i++)
        w[i].scopes = SCOPES_PER_THREAD;
    park(w, THREADS, &parked);
    lindperf_reset_all();
    assert_int_equal(lindperf_counter_calls(hammered()), 0);
    assert_int_equal(lindperf_counter_total(hammered()), 0);
    plain_scopes(7);
    pthread_barrier_wait(&parked);
    join(w, THREADS);
    pthread_barrier_destroy(&parked);
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
        cmocka_unit_test_setup(reads_during_writes_never_decrease_nor_overshoot, fresh_clock_counter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
